"""Recognise a file's type from its bytes, never from its name."""

from __future__ import annotations

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
