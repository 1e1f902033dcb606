"""The hash-chained audit log: appending, reading back, and catching tampering."""

from __future__ import annotations

import dataclasses
import itertools
import json
from datetime import date

from audit import AuditAnchor, AuditEntry, AuditLog, format_verification
from audit.log import GENESIS_HASH, decode_segment, encode_segment
from storage.base import Store


def _fill(log: AuditLog, n: int) -> list[AuditEntry]:
    return [
        log.append("reuse.lookup", f"can-bo-{i}", dossier_code=f"H29-250615-{i:04d}")
        for i in range(n)
    ]


def _rewrite(store: Store, key: str, *entries: AuditEntry) -> None:
    """What an intruder with delete rights on the bucket would do."""
    store.delete(key)
    store.put(key, encode_segment(list(entries)), content_type="application/json")


def _merge(log: AuditLog, store: Store) -> list[AuditEntry]:
    """Rewrite the whole log as one segment (as group commit writes under load)."""
    entries = list(log.entries())
    for info in list(store.list(log.prefix)):
        store.delete(info.key)
    store.put(log.key(0), encode_segment(entries))
    return entries


def test_entries_are_chained_and_read_back(log: AuditLog) -> None:
    written = _fill(log, 5)
    read = list(log.entries())
    assert read == written
    assert [e.seq for e in read] == [0, 1, 2, 3, 4]
    assert read[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(read))
    assert all(e.computed_hash() == e.hash for e in read)
    assert [e.seq for e in log.entries(since=3)] == [3, 4]
    check = log.verify()
    assert check.ok and check.problems == [] and check.entries == 5
    assert check.head == AuditAnchor(4, written[-1].hash)


def test_a_lone_append_is_its_own_segment_and_details_keep_their_values(
    log: AuditLog, store: Store
) -> None:
    entry = log.append("reuse.release", "can-bo-1", as_of=date(2025, 6, 15), record_ids=("a", "b"))
    (raw,) = json.loads(store.get(log.key(0)))["entries"]
    assert raw["details"] == {"as_of": "2025-06-15", "record_ids": ["a", "b"]}
    assert raw["hash"] == entry.hash
    assert decode_segment(store.get(log.key(0))) == [entry]
    assert [info.key for info in store.list("audit/")] == [log.key(0)]


def test_a_fresh_log_object_finds_the_head_from_storage(log: AuditLog, store: Store) -> None:
    _fill(log, 3)
    other = AuditLog(store)
    entry = other.append("x", "y")
    assert entry.seq == 3 and entry.prev_hash == list(log.entries())[2].hash
    assert log.append("x", "z").seq == 4  # the first log probes past its cached head
    assert AuditLog(store).verify().ok


def test_verify_detects_a_deleted_entry(log: AuditLog, store: Store) -> None:
    _fill(log, 5)
    store.delete(log.key(2))
    check = AuditLog(store).verify()
    assert not check.ok
    assert any("entries 2 missing" in p for p in check.problems)


def test_verify_detects_an_edited_entry(log: AuditLog, store: Store) -> None:
    entries = _fill(log, 5)
    forged = dataclasses.replace(entries[1], actor="nguoi-khac")
    _rewrite(store, log.key(1), forged)
    check = AuditLog(store).verify()
    assert not check.ok
    assert any("entry 1 edited" in p for p in check.problems)


def test_verify_detects_an_edit_with_a_recomputed_hash(log: AuditLog, store: Store) -> None:
    entries = _fill(log, 5)
    forged = dataclasses.replace(entries[1], details={"dossier_code": "khac"})
    forged = dataclasses.replace(forged, hash=forged.computed_hash())
    _rewrite(store, log.key(1), forged)
    check = AuditLog(store).verify()
    assert not check.ok
    assert any("entry 2 does not chain" in p for p in check.problems)


def test_verify_detects_an_inserted_entry(log: AuditLog, store: Store) -> None:
    entries = _fill(log, 5)
    # Insert after entry 2: shift 3 and 4 up by one and put a well-formed entry at 3.
    for old in reversed(entries[3:]):
        store.delete(log.key(old.seq))
        store.put(log.key(old.seq + 1), encode_segment([old]))
    inserted = dataclasses.replace(
        entries[3], seq=3, actor="ke-gian", nonce="0" * 32, prev_hash=entries[2].hash
    )
    inserted = dataclasses.replace(inserted, hash=inserted.computed_hash())
    store.put(log.key(3), encode_segment([inserted]))
    check = AuditLog(store).verify()
    assert not check.ok
    assert any("stored as 4 says it starts at 3" in p for p in check.problems)
    assert any("entry 3 found after entry 3" in p for p in check.problems)
    assert any("entry 3 does not chain" in p for p in check.problems)


def test_verify_detects_truncation_and_rewrites_against_an_anchor(
    log: AuditLog, store: Store
) -> None:
    entries = _fill(log, 4)
    anchor = AuditAnchor(3, entries[3].hash)
    store.delete(log.key(3))
    fresh = AuditLog(store)
    assert fresh.verify().ok  # a cut tail is a valid shorter chain on its own ...
    check = fresh.verify(anchor)
    assert not check.ok and any("log truncated" in p for p in check.problems)  # ... not here
    assert not log.verify().ok  # and the writer that saw entry 3 notices too


def test_stray_objects_under_the_prefix_are_reported(log: AuditLog, store: Store) -> None:
    _fill(log, 2)
    store.put(f"{log.prefix}00000000/note.txt", b"hello")
    check = log.verify()
    assert not check.ok and any("unexpected object" in p for p in check.problems)


def test_a_segment_of_several_entries_reads_back_and_verifies(
    log: AuditLog, store: Store
) -> None:
    _fill(log, 6)
    entries = _merge(log, store)
    fresh = AuditLog(store)
    assert list(fresh.entries()) == entries
    assert [e.seq for e in fresh.entries(since=4)] == [4, 5]
    assert fresh.head() == AuditAnchor(5, entries[-1].hash)
    assert fresh.append("x", "y").seq == 6
    check = fresh.verify()
    assert check.ok and check.entries == 7, check.problems


def test_verify_detects_tampering_inside_a_segment(log: AuditLog, store: Store) -> None:
    _fill(log, 6)
    entries = _merge(log, store)
    edited = dataclasses.replace(entries[2], actor="nguoi-khac")
    _rewrite(store, log.key(0), *entries[:2], edited, *entries[3:])
    assert any("entry 2 edited" in p for p in AuditLog(store).verify().problems)
    _rewrite(store, log.key(0), *entries[:2], *entries[3:])  # entry 2 dropped
    problems = AuditLog(store).verify().problems
    assert any("entries 2 missing" in p for p in problems)
    assert any("entry 3 does not chain" in p for p in problems)
    _rewrite(store, log.key(0), *entries[:3], entries[2], *entries[3:])  # entry 2 twice
    problems = AuditLog(store).verify().problems
    assert any("entry 2 found after entry 2" in p for p in problems)


def test_a_segment_of_several_entries_deleted_is_a_gap(log: AuditLog, store: Store) -> None:
    entries = _fill(log, 7)  # one segment each
    _rewrite(store, log.key(3), *entries[3:5])  # entries 3 and 4 as one segment ...
    store.delete(log.key(4))
    store.delete(log.key(3))  # ... deleted whole
    check = AuditLog(store).verify()
    assert not check.ok and any("entries 3-4 missing" in p for p in check.problems)
    assert any("entry 5 does not chain" in p for p in check.problems)
    assert check.head == AuditAnchor(6, entries[-1].hash)


def test_an_unreadable_segment_is_reported(log: AuditLog, store: Store) -> None:
    _fill(log, 3)
    _rewrite_raw(store, log.key(1), b"not json")
    check = AuditLog(store).verify()
    assert not check.ok and any("segment 1 unreadable" in p for p in check.problems)


def _rewrite_raw(store: Store, key: str, data: bytes) -> None:
    store.delete(key)
    store.put(key, data)


def test_format_verification_reports_state_and_problems(log: AuditLog, store: Store) -> None:
    _fill(log, 3)
    text = format_verification(log.verify())
    assert "3 mục" in text and "toàn vẹn" in text and "mục cuối số 2" in text
    store.delete(log.key(1))
    broken = format_verification(AuditLog(store).verify())
    assert "PHÁT HIỆN" in broken and "entries 1 missing" in broken
