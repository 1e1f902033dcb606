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

Its names are loaded on first use: the OCR workers measure page 1 for the stamp
(``signing.placement``) and raise ``SigningError`` without loading pyHanko, aiohttp and
fontTools, which only the signing process needs (about half a second of CPU at the
start of every batch, on the critical path of the workers' server).
"""

from __future__ import annotations

import importlib
import warnings
from typing import TYPE_CHECKING, Any

from .errors import SigningConfigError, SigningError

# pyHanko imports cryptography's DSA key types (to recognise such keys, which sohoa never
# makes or accepts), and cryptography 51 (what a fresh install got on 5 Dec 2026) warns
# at that import: a line of English on the stderr of every command an officer runs,
# about nothing they can act on. Only that warning, only from pyHanko's modules; set
# before any of them loads (they load through this package).
warnings.filterwarnings("ignore", message=r"DSA is deprecated", module=r"pyhanko(\.|$)")

if TYPE_CHECKING:
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

# Where each name lives (``__getattr__`` imports it from there on first use).
_LAZY = {
    **dict.fromkeys(("DevIdentity", "ensure_dev_identity"), "identity"),
    **dict.fromkeys(("PageMarks", "page_marks"), "placement"),
    **dict.fromkeys(("LEVEL_B", "LEVEL_LT", "LEVEL_T", "SignedPdf", "Signer",
                     "SigningSettings", "load_signer", "load_trust_roots"), "signer"),
    **dict.fromkeys(("SignatureReport", "TimestampReport", "VerificationReport",
                     "verify_pdf"), "verify"),
}

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


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'signing' has no attribute {name!r}")
    return getattr(importlib.import_module(f"signing.{module}"), name)
