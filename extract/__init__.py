"""Know what each paper is and whose: classification, field extraction, cross-checks, review.

Offers:
- ``analyze(pages_text, words, *, given=None, result_types=None, today=None) -> Extraction``:
  classify a paper into the result-type catalog and read its fields from OCR output;
- ``apply(record, extraction)``: copy an extraction onto a record (``needs_review`` when
  anything is uncertain, reasons in ``record.review.reasons``);
- ``extract.manifest.load_manifest(path)``: the batch manifest CSV (values given by officers);
- ``extract.review``: ``correct``, ``approve``, ``needs_review``, ``describe_reason``.
"""

from extract.analyze import Extraction, analyze, apply
from extract.manifest import ManifestError, given_for, load_manifest
from extract.review import ReviewError, approve, correct, describe_reason, needs_review

__all__ = [
    "Extraction",
    "ManifestError",
    "ReviewError",
    "analyze",
    "apply",
    "approve",
    "correct",
    "describe_reason",
    "given_for",
    "load_manifest",
    "needs_review",
]
