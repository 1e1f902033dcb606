"""Double-entry keying, as the object store keeps it: one write-once object per form a
clerk keyed and per decision an arbiter made.

::

    _system/keying/{record_id}/{seq:06d}.json

The store is the system of record for keying as for records: the entries are never
rewritten, so a crash or a restart loses nothing, and what the keying screen shows
(which fields wait for a first or a second clerk, which wait for an arbiter) is derived
from them and the record alone. ``seq`` orders a record's entries and makes two clerks
who submit at once take turns: a write to a sequence number another writer took
fails (``ObjectExists``, write-once), and the loser reads the entries again and
decides anew (``append``), on every replica alike.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from storage.base import ObjectExists, Store

KEYING_PREFIX = "_system/keying/"
APPEND_ATTEMPTS = 20


class EntryKind(StrEnum):
    KEYED = "keyed"  # a clerk's values for some fields of a form
    DECIDED = "decided"  # an arbiter's value for one field the clerks disagreed on


@dataclass(frozen=True)
class KeyedValue:
    """One field's value as typed (``raw``, NFC) and as the record would hold it
    (``value``: a date in ISO, a name as normalized), which entries are compared on."""

    path: str
    raw: str
    value: str | None


@dataclass(frozen=True)
class KeyingEntry:
    record_id: str
    agency: str
    seq: int
    kind: EntryKind
    by: str  # the signed-in user (``Principal.actor``)
    at: str
    record_version: int
    values: tuple[KeyedValue, ...]
    opened_at: str | None = None  # when the form was shown: the clerk's time on it

    def to_dict(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id, "agency": self.agency, "seq": self.seq,
            "kind": str(self.kind), "by": self.by, "at": self.at,
            "opened_at": self.opened_at, "record_version": self.record_version,
            "values": [{"path": v.path, "raw": v.raw, "value": v.value} for v in self.values],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KeyingEntry:
        return cls(
            record_id=data["record_id"], agency=data["agency"], seq=int(data["seq"]),
            kind=EntryKind(data["kind"]), by=data["by"], at=data["at"],
            record_version=int(data["record_version"]),
            values=tuple(KeyedValue(v["path"], v["raw"], v.get("value"))
                         for v in data.get("values") or []),
            opened_at=data.get("opened_at"),
        )


def entries_prefix(record_id: str) -> str:
    return f"{KEYING_PREFIX}{record_id}/"


def entry_key(record_id: str, seq: int) -> str:
    return f"{entries_prefix(record_id)}{seq:06d}.json"


def load_entries(store: Store, record_id: str) -> list[KeyingEntry]:
    """A record's entries, oldest first."""
    return [KeyingEntry.from_dict(json.loads(store.get(info.key)))
            for info in store.list(entries_prefix(record_id))]


def all_entries(store: Store) -> Iterator[KeyingEntry]:
    """Every record's entries, streamed (the clerks' figures are made from them)."""
    for info in store.list(KEYING_PREFIX):
        yield KeyingEntry.from_dict(json.loads(store.get(info.key)))


def append(store: Store, record_id: str,
           make: Callable[[list[KeyingEntry]], KeyingEntry]) -> KeyingEntry:
    """Store the entry ``make`` builds from the record's entries so far (it may raise to
    refuse); ``make`` gives it ``seq`` = len(entries) + 1. When another writer took that
    number meanwhile, ``make`` is asked again over the entries as they now are."""
    for _ in range(APPEND_ATTEMPTS):
        entry = make(load_entries(store, record_id))
        data = json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True).encode()
        try:
            store.put(entry_key(record_id, entry.seq), data, content_type="application/json")
        except ObjectExists:
            continue
        return entry
    raise ObjectExists(entry_key(record_id, 0))
