"""Where a record's objects live in the store.

::

    {agency}/records/{record_id}/original{ext}     the scan as received
    {agency}/records/{record_id}/archival.pdf      the signed PDF/A
    {agency}/records/{record_id}/text.txt          the OCR text
    {agency}/records/{record_id}/record/v0001.json the record, one object per version

Everything of a record shares one prefix, so a listing yields a record's objects
together (any set of keys with a common prefix is contiguous in key order).
Agency and record id are NFC-normalized: the same Vietnamese name typed on a system
that decomposes diacritics must not become a second agency.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from storage.base import has_invisible

Kind = Literal["original", "archival", "text", "record"]

RECORDS = "records"
ARCHIVAL_NAME = "archival.pdf"
TEXT_NAME = "text.txt"
RECORD_DIR = "record"

_EXT = re.compile(r"^\.[a-z0-9]{1,10}$")
_VERSION = re.compile(r"^v(\d{4,})\.json$")
_ORIGINAL = re.compile(r"^original(\.[a-z0-9]{1,10})?$")


def _segment(value: str, what: str) -> str:
    value = unicodedata.normalize("NFC", value)
    if (
        not value
        or value in (".", "..")
        or value.startswith(".sohoa")
        or "/" in value
        or "\\" in value
        or has_invisible(value)
        or value != value.strip()
    ):
        raise ValueError(f"invalid {what}: {value!r}")
    return value


def normalize_agency(agency: str) -> str:
    """An agency's one written form (NFC, as in every key), checked: the same name typed
    with decomposed marks must not become a second agency, with its own record ids
    and records its own tokens cannot see. ``ValueError`` for a name no key can hold."""
    return _segment(agency, "agency")


def normalize_ext(ext: str) -> str:
    """``".PDF"``, ``"pdf"`` -> ``".pdf"``; ``""`` stays empty (no extension)."""
    if not ext:
        return ""
    ext = ext.lower() if ext.startswith(".") else "." + ext.lower()
    if not _EXT.match(ext):
        raise ValueError(f"invalid file extension: {ext!r}")
    return ext


def agency_prefix(agency: str) -> str:
    return f"{_segment(agency, 'agency')}/"


def records_prefix(agency: str) -> str:
    return f"{agency_prefix(agency)}{RECORDS}/"


def record_prefix(agency: str, record_id: str) -> str:
    return f"{records_prefix(agency)}{_segment(record_id, 'record id')}/"


def versions_prefix(agency: str, record_id: str) -> str:
    return f"{record_prefix(agency, record_id)}{RECORD_DIR}/"


def original_key(agency: str, record_id: str, ext: str) -> str:
    return f"{record_prefix(agency, record_id)}original{normalize_ext(ext)}"


def archival_key(agency: str, record_id: str) -> str:
    return f"{record_prefix(agency, record_id)}{ARCHIVAL_NAME}"


def text_key(agency: str, record_id: str) -> str:
    return f"{record_prefix(agency, record_id)}{TEXT_NAME}"


def record_key(agency: str, record_id: str, version: int) -> str:
    if version < 1:
        raise ValueError(f"record version must be >= 1, got {version}")
    return f"{versions_prefix(agency, record_id)}v{version:04d}.json"


@dataclass(frozen=True)
class ParsedKey:
    agency: str
    record_id: str
    kind: Kind
    version: int | None = None
    ext: str | None = None


def split_record_key(key: str) -> tuple[str, str, str] | None:
    """``(agency, record_id, rest)`` for any key under a record prefix, else ``None``."""
    parts = key.split("/", 3)
    if len(parts) != 4 or parts[1] != RECORDS or not parts[0] or not parts[2] or not parts[3]:
        return None
    return parts[0], parts[2], parts[3]


def parse_key(key: str) -> ParsedKey | None:
    """The meaning of a layout key, or ``None`` for a key the layout does not produce."""
    split = split_record_key(key)
    if split is None:
        return None
    agency, record_id, rest = split
    if rest == ARCHIVAL_NAME:
        return ParsedKey(agency, record_id, "archival")
    if rest == TEXT_NAME:
        return ParsedKey(agency, record_id, "text")
    original = _ORIGINAL.match(rest)
    if original:
        return ParsedKey(agency, record_id, "original", ext=original.group(1) or "")
    directory, _, name = rest.partition("/")
    version = _VERSION.match(name) if directory == RECORD_DIR else None
    if version:
        return ParsedKey(agency, record_id, "record", version=int(version.group(1)))
    return None
