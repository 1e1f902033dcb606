"""Record JSON in the store: versioned, never overwritten.

A correction saves the record with a higher ``version``; every earlier version stays
readable. The JSON is UTF-8 (Vietnamese as-is, not ``\\u`` escapes) with sorted keys, so
the same record always serializes to the same bytes and a retried save is a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

from records.model import Record
from storage import layout
from storage.base import DamagedRecord, ObjectNotFound, Store

RECORD_CONTENT_TYPE = "application/json; charset=utf-8"


def encode_record(record: Record) -> bytes:
    return json.dumps(record.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8")


def decode_record(data: bytes, key: str = "?") -> Record:
    """The record stored as ``data`` (at ``key``); ``DamagedRecord`` when the bytes are
    not a record (they passed their checksum, so it was stored damaged or rewritten
    with its sidecar): one error for every reader instead of whatever the JSON parser or
    ``Record.from_dict`` happened to raise (a ``KeyError`` read as "not found")."""
    try:
        return Record.from_dict(json.loads(data.decode("utf-8")))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise DamagedRecord(key, f"{type(exc).__name__}: {exc}") from exc


def save_record(store: Store, record: Record) -> str:
    """Write ``record`` as version ``record.version``; returns its key. Saving the same
    content again is a no-op; different content for an existing version raises
    ``ObjectExists`` (bump ``record.version`` for a correction)."""
    key = layout.record_key(record.agency, record.id, record.version)
    store.put(key, encode_record(record), content_type=RECORD_CONTENT_TYPE)
    return key


def record_versions(store: Store, agency: str, record_id: str) -> list[int]:
    """The stored versions of a record, ascending (empty when there is none)."""
    versions = []
    for info in store.list(layout.versions_prefix(agency, record_id)):
        parsed = layout.parse_key(info.key)
        if parsed is not None and parsed.kind == "record" and parsed.version is not None:
            versions.append(parsed.version)
    return sorted(versions)


def record_exists(store: Store, agency: str, record_id: str) -> bool:
    return bool(record_versions(store, agency, record_id))


def load_record(store: Store, agency: str, record_id: str, version: int | None = None) -> Record:
    """One version of a record (the latest when ``version`` is ``None``);
    ``ObjectNotFound`` when absent, ``IntegrityError`` when its bytes are damaged
    (``DamagedRecord`` when they are not a record)."""
    if version is None:
        versions = record_versions(store, agency, record_id)
        if not versions:
            raise ObjectNotFound(layout.versions_prefix(agency, record_id))
        version = versions[-1]
    key = layout.record_key(agency, record_id, version)
    return decode_record(store.get(key), key)


def iter_latest_records(
    store: Store,
    agency: str | None = None,
    *,
    on_error: Callable[[str, Exception], None] | None = None,
) -> Iterator[Record]:
    """The latest version of every record (of ``agency``, or of all agencies), streamed.

    Relies on the store listing keys in order, so that a record's version keys come
    together: memory holds one record at a time, whatever the number of records. A
    record that cannot be read raises, unless ``on_error(key, exc)`` is given, which
    is then told and the record skipped (a reindex should not stop at one bad object).
    """
    prefix = layout.records_prefix(agency) if agency is not None else ""
    current: tuple[str, str] | None = None
    latest: tuple[int, str] | None = None
    for info in store.list(prefix):
        parsed = layout.parse_key(info.key)
        if parsed is None or parsed.kind != "record" or parsed.version is None:
            continue
        ident = (parsed.agency, parsed.record_id)
        if ident != current:
            if latest is not None:
                yield from _load_or_report(store, latest[1], on_error)
            current, latest = ident, None
        if latest is None or parsed.version > latest[0]:
            latest = (parsed.version, info.key)
    if latest is not None:
        yield from _load_or_report(store, latest[1], on_error)


def _load_or_report(
    store: Store, key: str, on_error: Callable[[str, Exception], None] | None
) -> Iterator[Record]:
    try:
        record = decode_record(store.get(key), key)
    except Exception as exc:
        if on_error is None:
            raise
        on_error(key, exc)
        return
    yield record
