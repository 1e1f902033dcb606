"""The record model shared by every sohoa package, and the catalogs it refers to.

Offers:
- ``Record`` and its parts (``Source``, ``Subject``, ``OcrInfo``, ``OcrPage``,
  ``SignatureInfo``, ``Files``, ``Review``, ``ArchiveLocation``, ``Correction``,
  ``StageEvent``, ``Doubts``), ``Status``;
- ``record_id_for(agency, sha256)``: the deterministic record id;
- ``utc_now()``: the timestamp format used on records;
- ``records.errors.CodedError``: a per-file failure (English code, Vietnamese message).
"""

from records.model import (
    LOCATION_COLUMNS,
    SCHEMA_VERSION,
    STACK_GIVEN,
    ArchiveLocation,
    Correction,
    Doubts,
    FieldRegion,
    Files,
    OcrInfo,
    OcrPage,
    Record,
    Review,
    ReviewReason,
    SignatureInfo,
    Source,
    StackRef,
    StageEvent,
    Status,
    Subject,
    record_id_for,
    utc_now,
)

__all__ = [
    "LOCATION_COLUMNS",
    "SCHEMA_VERSION",
    "STACK_GIVEN",
    "ArchiveLocation",
    "Correction",
    "Doubts",
    "FieldRegion",
    "Files",
    "OcrInfo",
    "OcrPage",
    "Record",
    "Review",
    "ReviewReason",
    "SignatureInfo",
    "Source",
    "StackRef",
    "StageEvent",
    "Status",
    "Subject",
    "record_id_for",
    "utc_now",
]
