"""Recognise a file's type from its bytes, never from its name, and refuse what we
do not take — the one content check of admission (``ingest.admission``)."""

from __future__ import annotations

from ingest.errors import EMPTY_FILE, TOO_LARGE, UNSUPPORTED_TYPE, IngestError

# Bytes a type is recognised from (PDF readers accept a header anywhere in the first KiB).
HEAD_BYTES = 1024

PDF = "application/pdf"
TIFF = "image/tiff"
JPEG = "image/jpeg"
PNG = "image/png"

EXTENSIONS = {PDF: ".pdf", TIFF: ".tif", JPEG: ".jpg", PNG: ".png"}


def sniff_media_type(head: bytes) -> str | None:
    """The media type of a file from its first bytes, or None when it is none we take.

    PDF readers accept a header anywhere in the first kilobyte (some scanners prepend
    junk), so we do too.
    """
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return TIFF
    if b"%PDF-" in head[:1024]:
        return PDF
    return None


def check_content(size: int, head: bytes, max_bytes: int) -> str:
    """The media type of a file of ``size`` bytes starting with ``head``, or the
    ``IngestError`` that refuses it (empty, too large, a type we do not take)."""
    if size == 0:
        raise IngestError(*EMPTY_FILE)
    if size > max_bytes:
        code, message = TOO_LARGE
        raise IngestError(code, f"{message.rstrip('.')} (tối đa {max_bytes} byte).")
    media_type = sniff_media_type(head[:HEAD_BYTES])
    if media_type is None:
        raise IngestError(*UNSUPPORTED_TYPE)
    return media_type
