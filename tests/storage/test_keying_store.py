"""The keying entries in the object store: write-once, in order, two writers taking
turns, gone with their record."""

from __future__ import annotations

import pytest

from storage import Store
from storage.admin import carry_out, plan_deletion
from storage.keying import (
    EntryKind,
    KeyedValue,
    KeyingEntry,
    append,
    entry_key,
    load_entries,
)
from tests.storage.helpers import store_full_record


def _entry(entries: list[KeyingEntry], by: str, value: str) -> KeyingEntry:
    return KeyingEntry("r1", "a", len(entries) + 1, EntryKind.KEYED, by,
                       "2026-12-04T09:00:00+00:00", 1,
                       (KeyedValue("subjects[0].name", value, value.upper()),),
                       opened_at="2026-12-04T08:59:30+00:00")


def test_entries_read_back_typed_and_in_order(store: Store) -> None:
    append(store, "r1", lambda e: _entry(e, "clerk-1", "Nguyễn Văn Hà"))
    append(store, "r1", lambda e: _entry(e, "clerk-2", "Nguyễn Văn Hạ"))
    entries = load_entries(store, "r1")
    assert [(e.seq, e.by) for e in entries] == [(1, "clerk-1"), (2, "clerk-2")]
    assert entries[1].values == (KeyedValue("subjects[0].name", "Nguyễn Văn Hạ",
                                            "NGUYỄN VĂN HẠ"),)
    assert KeyingEntry.from_dict(entries[0].to_dict()) == entries[0]
    assert load_entries(store, "r2") == []


def test_a_writer_that_lost_the_race_decides_again(store: Store) -> None:
    seen: list[int] = []

    def make(entries: list[KeyingEntry]) -> KeyingEntry:
        seen.append(len(entries))
        if len(seen) == 1:  # another clerk saves while this one decides
            append(store, "r1", lambda e: _entry(e, "clerk-2", "Lê Thị Lụa"))
        return _entry(entries, "clerk-1", "Lê Thị Lụa")

    stored = append(store, "r1", make)
    assert seen == [0, 1] and stored.seq == 2
    assert [e.by for e in load_entries(store, "r1")] == ["clerk-2", "clerk-1"]


def test_a_refusal_stores_nothing(store: Store) -> None:
    def refuse(entries: list[KeyingEntry]) -> KeyingEntry:
        raise PermissionError("same clerk")

    with pytest.raises(PermissionError):
        append(store, "r1", refuse)
    assert load_entries(store, "r1") == []


def test_deleting_the_record_deletes_its_entries(store: Store) -> None:
    store_full_record(store, "a", "r1")
    append(store, "r1", lambda e: _entry(e, "clerk-1", "Trần Văn Đức"))
    deletion = plan_deletion(store, "a", "r1")
    assert deletion.keys[0] == entry_key("r1", 1)
    carry_out(store, deletion)
    assert load_entries(store, "r1") == []
