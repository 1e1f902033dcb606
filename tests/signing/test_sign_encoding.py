"""The CMS of a signature is encoded once: what asn1crypto would encode again and again
is built once per signer (the signing certificate's reference) or put together from its
parts' encodings (the outer levels), with the very same bytes."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from asn1crypto import cms, core
from pyhanko.sign import attributes, general

import signing
import signing.signer as signer_module
from signing.signer import cms_der

AGENCY = "UBND Phường Bến Nghé"


def _signature_cms(data: bytes) -> cms.ContentInfo:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        field = next(f for f in pdf.Root.AcroForm.Fields if f.get("/FT") == "/Sig")
        contents = bytes(field.V.Contents)
    # The CMS is padded with zeros to the reserved size; the DER says its own length, and
    # a signature may well end in a zero byte, so the padding is not stripped but ignored.
    return cms.ContentInfo.load(contents, strict=False)


def test_the_signing_certificate_reference_is_built_once_per_signer(
    tmp_path: Path, pdfa: bytes, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # pyHanko built it from Python values for every signature (and its dry run), and
    # asn1crypto encoded its nested fields twice at every level: ~7 ms a signature.
    built: list[object] = []
    original = general.as_signing_certificate_v2

    def counted(*args: object, **kwargs: object) -> object:
        built.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(attributes, "as_signing_certificate_v2", counted)
    monkeypatch.setattr(signer_module, "as_signing_certificate_v2", counted)
    ident = signing.ensure_dev_identity(tmp_path / "dev", AGENCY)
    with signing.load_signer(signing.SigningSettings(agency_name=AGENCY), ident) as signer:
        signed = [signer.sign(pdfa, record_id=f"rec-{i}") for i in range(3)]
        cert = signer.cms_signer.signing_cert
    assert len(built) == 1
    expected = original(cert).dump()
    for one in signed:
        attrs = _signature_cms(one.data)["content"]["signer_infos"][0]["signed_attrs"]
        # What pyHanko's own PAdES attributes are, in its order, the reference alike.
        assert [a["type"].native for a in attrs] == [
            "content_type", "message_digest", "signing_certificate_v2"]
        assert attrs[2]["values"][0].dump() == expected
        report = signing.verify_pdf(one.data, trust_roots=[ident.ca_cert_path])
        assert report.valid, report.reasons


def _content_info(signature_length: int) -> cms.ContentInfo:
    return cms.ContentInfo({"content_type": "signed_data", "content": cms.SignedData({
        "version": "v1",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "data"},
        "signer_infos": [{
            "version": "v1",
            "sid": cms.SignerIdentifier({"subject_key_identifier": b"k" * 20}),
            "digest_algorithm": {"algorithm": "sha256"},
            "signature_algorithm": {"algorithm": "sha256_ecdsa"},
            "signature": b"s" * signature_length,
            "signed_attrs": [{"type": "content_type", "values": ["data"]},
                             {"type": "message_digest", "values": [b"d" * 32]}],
        }],
    })})


def _signed_data_header(der: bytes) -> bytes:
    explicit = der.index(b"\xa0\x82")
    return der[explicit + 4: explicit + 8]


@pytest.mark.parametrize("low_byte", [0x80, 0x81])
def test_the_cms_is_encoded_as_dump_does_without_encoding_its_parts_again(
    low_byte: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A SignedData 0x680 bytes long has a header ending in 0x80, which asn1crypto's
    # dump() takes for an indefinite length, and then encodes everything again
    # (43 ms for a real signature; a third of the development identity's ECDSA ones).
    length = next(n for n in range(1300, 1700)
                  if _signed_data_header(_content_info(n).dump()) == bytes(
                      [0x30, 0x82, 0x06, low_byte]))
    encoded: Counter[str] = Counter()
    encode = core.Sequence._set_contents

    def counted(self: core.Sequence, force: bool = False) -> None:
        encoded[type(self).__name__] += 1
        encode(self, force)

    mine, reference = _content_info(length), _content_info(length)
    monkeypatch.setattr(core.Sequence, "_set_contents", counted)
    der = cms_der(mine)
    assert encoded == Counter()
    assert der == reference.dump()
    assert cms.ContentInfo.load(der).native == reference.native
