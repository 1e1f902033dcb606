"""sohoa signing: PAdES signatures an auditor can check, and their verification.

Offers:
- ``ensure_dev_identity(directory, agency)``: a self-made "DEVELOPMENT ONLY" CA and
  signing certificate, so a fresh install signs out of the box.
- ``load_signer(settings, dev_identity=None) -> Signer``: built once per batch from a
  ``SigningSettings`` (a PKCS#12 file, a PKCS#11 token, else the dev identity given,
  the TSA, the stamp); ``Signer.sign(pdf, record_id=..., signed_at=...)``
  returns a ``SignedPdf`` (PAdES-B-B, B-T with a TSA, B-LT when revocation data is
  reachable), with a visible Vietnamese stamp on page 1 unless ``visible=False``,
  placed in blank space; pass ``marks=`` (``page_marks(pdf, words, image_size)``,
  page 1's ink and OCR words) when they were measured beforehand.
- ``verify_pdf(data, trust_roots=..., allow_fetching=False) -> VerificationReport``.
"""

from .errors import SigningConfigError, SigningError
from .identity import DevIdentity, ensure_dev_identity
from .placement import PageMarks, page_marks
from .signer import (
    LEVEL_B,
    LEVEL_LT,
    LEVEL_T,
    SignedPdf,
    Signer,
    SigningSettings,
    load_signer,
    load_trust_roots,
)
from .verify import SignatureReport, TimestampReport, VerificationReport, verify_pdf

__all__ = [
    "LEVEL_B",
    "LEVEL_LT",
    "LEVEL_T",
    "DevIdentity",
    "PageMarks",
    "SignatureReport",
    "SignedPdf",
    "Signer",
    "SigningConfigError",
    "SigningError",
    "SigningSettings",
    "TimestampReport",
    "VerificationReport",
    "ensure_dev_identity",
    "load_signer",
    "load_trust_roots",
    "page_marks",
    "verify_pdf",
]
