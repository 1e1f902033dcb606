"""Verdicts a forger or a broken file must not get: content painted after the last
signature, a key revoked before a timestamped signature, a signature container that
cannot be parsed (broken, not absent)."""

from __future__ import annotations

import io
import re

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers, timestamps

import signing
from tests.support.pki import LoopbackPki

AGENCY = "UBND Phường Bến Nghé"


@pytest.fixture(scope="module")
def signed(pki: LoopbackPki, pdfa: bytes) -> bytes:
    with signing.load_signer(
        signing.SigningSettings(
            pkcs12_path=pki.pkcs12("signer", b"pw"),
            pkcs12_password="pw",
            agency_name=AGENCY,
        ),
    ) as signer:
        return signer.sign(pdfa).data


def _paint_over_in_an_unsigned_field(data: bytes) -> bytes:
    """What anyone without the key can append: an empty signature field whose widget
    appearance is a white box with new words, over page 1."""
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    fields.append_signature_field(
        writer, fields.SigFieldSpec("Overlay", on_page=0, box=(40, 250, 560, 650)))
    appearance = generic.StreamObject(
        {pdf_name("/BBox"): generic.ArrayObject([generic.FloatObject(v) for v in (0, 0, 520, 400)]),
         pdf_name("/Subtype"): pdf_name("/Form"), pdf_name("/Type"): pdf_name("/XObject")},
        stream_data=b"1 1 1 rg 0 0 520 400 re f",
    )
    for ref in writer.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/T") == "Overlay":
            field["/AP"] = generic.DictionaryObject({pdf_name("/N"): writer.add_object(appearance)})
            writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_content_painted_after_the_last_signature_is_not_valid(
    pki: LoopbackPki, signed: bytes
) -> None:
    assert signing.verify_pdf(signed, trust_roots=[pki.root_pem]).valid

    report = signing.verify_pdf(_paint_over_in_an_unsigned_field(signed),
                                trust_roots=[pki.root_pem])

    assert not report.valid and not report.unsigned
    sig = report.signatures[0]
    assert sig.intact and sig.trusted, "the signed revision itself is untouched"
    assert sig.modification_level == "FORM_FILLING"
    assert any("added after the last signature" in r for r in report.reasons)


def test_a_key_revoked_before_a_timestamped_signature_is_not_valid(
    pki: LoopbackPki, pdfa: bytes
) -> None:
    """Signed elsewhere (sohoa's signer refuses a revoked key) with a trusted timestamp
    taken after the revocation: the timestamp proves nothing in the signer's favour."""
    key = signers.SimpleSigner.load_pkcs12(
        str(pki.pkcs12("signer-revoked", b"pw")), passphrase=b"pw")
    assert key is not None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdfa)),
        signers.PdfSignatureMetadata(field_name="Elsewhere",
                                     subfilter=fields.SigSeedSubFilter.PADES),
        signer=key, timestamper=timestamps.HTTPTimeStamper(pki.tsa_url),
    )

    report = signing.verify_pdf(out.getvalue(), trust_roots=[pki.root_pem], allow_fetching=True)

    sig = report.signatures[0]
    assert sig.timestamp is not None and sig.timestamp.trusted
    assert sig.revoked and not sig.valid and not report.valid
    assert any("no trusted timestamp shows the signature was made before" in r
               for r in report.reasons)


@pytest.mark.parametrize("contents", [b"0", b"A5"])
def test_a_broken_signature_is_reported_broken_not_absent(
    pki: LoopbackPki, signed: bytes, contents: bytes
) -> None:
    found = re.search(rb"/Contents <([0-9a-fA-F]+)>", signed)
    assert found is not None
    hexdigits = found.group(1)
    broken = signed.replace(hexdigits, (contents * len(hexdigits))[: len(hexdigits)])

    report = signing.verify_pdf(broken, trust_roots=[pki.root_pem])

    assert not report.valid and not report.unsigned
    assert len(report.signatures) == 1 and not report.signatures[0].valid
    assert any("malformed" in r for r in report.reasons)
