"""verify_pdf verdicts on good, tampered and badly certified signatures (pdfsig agrees)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from pyhanko.pdf_utils.generic import StreamObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

import signing
from tests.support.pki import LoopbackPki, pdfsig_check

AGENCY = "UBND Phường Bến Nghé"


@pytest.fixture(scope="module")
def signed_b_b(pki: LoopbackPki, pdfa: bytes) -> bytes:
    with signing.load_signer(
        signing.SigningSettings(
            pkcs12_path=pki.pkcs12("signer", b"pw"),
            pkcs12_password="pw",
            agency_name=AGENCY,
        ),
    ) as signer:
        return signer.sign(pdfa).data


def _pdfsig_line(tmp_path: Path, data: bytes) -> list[str]:
    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    return [sig.get("Signature Validation", "") for sig in pdfsig_check(path)]


def test_unsigned_pdf_is_not_valid(pki: LoopbackPki, pdfa: bytes) -> None:
    report = signing.verify_pdf(pdfa, trust_roots=[pki.root_pem])
    assert not report.valid and report.unsigned and report.signatures == []
    assert report.to_dict()["unsigned"] is True


def test_page_content_changed_after_signing(
    tmp_path: Path, pki: LoopbackPki, signed_b_b: bytes
) -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(signed_b_b))
    overlay = writer.add_object(StreamObject(stream_data=b"q 1 0 0 rg 100 100 300 300 re f Q"))
    writer.add_stream_to_page(0, overlay)
    out = io.BytesIO()
    writer.write(out)
    report = signing.verify_pdf(out.getvalue(), trust_roots=[pki.root_pem])
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact, "the signed revision itself is untouched"
    assert sig.docmdp_ok is False and sig.modified_after_signing
    assert sig.modification_level == "OTHER"
    assert any("modified after signing" in r for r in report.reasons)


def test_byte_changed_inside_signed_range(
    tmp_path: Path, pki: LoopbackPki, signed_b_b: bytes
) -> None:
    data = bytearray(signed_b_b)
    # Inside the page image stream: the file still parses, the digest no longer matches.
    start = data.index(b"stream", data.index(b"/Subtype /Image")) + 200
    data[start] ^= 0xFF
    report = signing.verify_pdf(bytes(data), trust_roots=[pki.root_pem])
    assert not report.valid
    assert report.signatures[0].intact is False
    assert any("digest does not match" in r for r in report.reasons)
    assert _pdfsig_line(tmp_path, bytes(data)) != ["Signature is Valid."]


def test_revoked_signer(tmp_path: Path, pki: LoopbackPki, pdfa: bytes) -> None:
    with signing.load_signer(
        signing.SigningSettings(
            pkcs12_path=pki.pkcs12("signer-revoked", b"pw"),
            pkcs12_password="pw",
            agency_name=AGENCY,
        ),
    ) as signer:
        data = signer.sign(pdfa).data
    offline = signing.verify_pdf(data, trust_roots=[pki.root_pem])
    assert any("revocation status not checked" in r for r in offline.reasons)
    online = signing.verify_pdf(data, trust_roots=[pki.root_pem], allow_fetching=True)
    assert not online.valid
    assert online.signatures[0].revoked and online.signatures[0].intact
    assert any("revoked" in r for r in online.reasons)
    assert _pdfsig_line(tmp_path, data) == ["Signature is Valid."]  # crypto is fine


def test_revoked_signer_is_refused_not_downgraded(
    pki: LoopbackPki, caplog: pytest.LogCaptureFixture
) -> None:
    # Key revoked (keyCompromise) the day before; the OCSP responder says so. Signing at
    # B-T instead would give the signature a trusted timestamp and make it look sound.
    with pytest.raises(signing.SigningConfigError, match=r"revoked.*compromised key") as raised:
        signing.load_signer(
            signing.SigningSettings(
                pkcs12_path=pki.pkcs12("signer-revoked", b"pw"),
                pkcs12_password="pw",
                agency_name=AGENCY,
                tsa_url=pki.tsa_url,
                trust_roots=[pki.root_pem],
            ),
        )
    assert "refusing to sign" in str(raised.value)
    assert "PAdES-B-T" not in caplog.text, "a revoked key must not fall back to B-T"


def test_expired_signer_signed_elsewhere(tmp_path: Path, pki: LoopbackPki, pdfa: bytes) -> None:
    key = signers.SimpleSigner.load_pkcs12(
        str(pki.pkcs12("signer-expired", b"pw")), passphrase=b"pw"
    )
    assert key is not None
    out = signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(pdfa)),
        signers.PdfSignatureMetadata(field_name="Old", subfilter=fields.SigSeedSubFilter.PADES),
        signer=key,
    )
    report = signing.verify_pdf(out.getvalue(), trust_roots=[pki.root_pem])
    assert not report.valid
    sig = report.signatures[0]
    assert sig.intact and sig.signature_valid and not sig.trusted
    assert any("expired" in r for r in report.reasons)
    assert _pdfsig_line(tmp_path, out.getvalue()) == ["Signature is Valid."]


def test_untrusted_root(tmp_path: Path, pki: LoopbackPki, pdfa: bytes) -> None:
    with signing.load_signer(
        signing.SigningSettings(
            pkcs12_path=pki.pkcs12("other-signer", b"pw"),
            pkcs12_password="pw",
            agency_name=AGENCY,
        ),
    ) as signer:
        data = signer.sign(pdfa).data
    report = signing.verify_pdf(data, trust_roots=[pki.root_pem])
    assert not report.valid and not report.signatures[0].trusted
    assert any("trusted root" in r for r in report.reasons)
    # Trusting that root makes the same bytes valid: the verdict follows the roots.
    assert signing.verify_pdf(data, trust_roots=[pki.root_pem, pki.cert_pem("other-root")]).valid
    assert _pdfsig_line(tmp_path, data) == ["Signature is Valid."]


def test_signed_at_is_the_cms_and_stamp_time(pki: LoopbackPki, pdfa: bytes) -> None:
    moment = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    with signing.load_signer(
        signing.SigningSettings(
            pkcs12_path=pki.pkcs12("signer", b"pw"),
            pkcs12_password="pw",
            agency_name=AGENCY,
        ),
    ) as signer:
        signed = signer.sign(pdfa, signed_at=moment)
    report = signing.verify_pdf(signed.data, trust_roots=[pki.root_pem])
    assert report.signatures[0].signing_time is not None
    assert datetime.fromisoformat(report.signatures[0].signing_time) == moment
    assert datetime.fromisoformat(signed.signed_at) == moment
