"""Fixity and audited deletion, on both backends. The deletion's audit entry is
written by the application (``application.operations.delete_stored``), observed here
through the trail's sink."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from application.audited import AuditTrail
from application.operations import delete_stored
from audit import AuditDraft
from storage import ObjectNotFound, archival_key, original_key, record_key, text_key
from storage.base import Store
from storage.fixity import check, run
from tests.storage.helpers import store_full_record


def test_clean_store_is_ok(store: Store) -> None:
    store_full_record(store, "a", "r1")
    store_full_record(store, "a", "r2")
    summary = run(store, verify_pdf=lambda data: data.startswith(b"%PDF-1.7 signed"))
    assert summary.ok, summary.problems
    assert summary.checked == 8
    assert summary.bytes_checked > 0


def test_finds_missing_corrupt_and_orphaned(
    store: Store, tamper: Callable[[Store, str, bytes], None]
) -> None:
    for rid in ("r1", "r2", "r3", "r4"):
        store_full_record(store, "a", rid)
    store.delete(text_key("a", "r1"))  # missing
    tamper(store, original_key("a", "r2", ".jpg"), b"JPEG flipped")  # corrupt checksum
    store.put("a/records/r3/stray.bin", b"left over")  # orphaned
    store.put("a/records/r9/original.png", b"no record at all")  # orphaned
    signature_ok = {archival_key("a", r) for r in ("r1", "r2", "r3")}
    findings = list(check(store, verify_pdf=lambda data: not data.endswith(b"r4")))
    problems = {(f.status, f.key) for f in findings if not f.ok}
    assert problems == {
        ("missing", text_key("a", "r1")),
        ("corrupt", original_key("a", "r2", ".jpg")),
        ("orphaned", "a/records/r3/stray.bin"),
        ("orphaned", "a/records/r9/original.png"),
        ("corrupt", archival_key("a", "r4")),  # signature callback said no
    }
    assert signature_ok <= {f.key for f in findings if f.ok}
    summary = run(store, agency="a")
    assert not summary.ok
    assert (summary.missing, summary.corrupt, summary.orphaned) == (1, 1, 2)
    assert summary.to_dict()["problems"][0]["key"]
    assert "thiếu tệp" in next(p for p in summary.problems if p.status == "missing").message_vi()


def test_verifier_crash_is_a_finding(store: Store) -> None:
    store_full_record(store, "a", "r1")

    def broken(_: bytes) -> bool:
        raise RuntimeError("cannot parse PDF")

    summary = run(store, verify_pdf=broken)
    assert [(p.status, p.key) for p in summary.problems] == [("corrupt", archival_key("a", "r1"))]
    assert "cannot parse PDF" in summary.problems[0].detail


class _Entries:
    """An ``AuditSink`` keeping what it is given, or refusing it as a down log would."""

    def __init__(self, *, failing: bool = False) -> None:
        self.drafts: list[AuditDraft] = []
        self.failing = failing

    def write(self, drafts: list[AuditDraft]) -> None:
        if self.failing:
            raise OSError("audit log unavailable")
        self.drafts.extend(drafts)


def test_delete_record_audits_first(store: Store) -> None:
    store_full_record(store, "a", "r1")
    store_full_record(store, "a", "r2")
    entries = _Entries()
    trail = AuditTrail(entries)
    deleted = delete_stored(store, trail, "a", "r1", actor="can-bo-01", reason="trùng hồ sơ")
    [entry] = entries.drafts
    assert entry.action == "storage.delete_record" and entry.actor == "can-bo-01"
    assert entry.details["keys"] == list(deleted.keys)
    assert entry.details["reason"] == "trùng hồ sơ"
    assert (entry.details["agency"], entry.details["record_id"]) == ("a", "r1")
    assert entry.details["store"] == store.url and entry.details["at"]
    assert deleted.keys[-1] == record_key("a", "r1", 1)  # the record JSON goes last
    assert list(store.list("a/records/r1/")) == []
    assert run(store).ok
    with pytest.raises(ObjectNotFound):
        delete_stored(store, trail, "a", "r1", actor="x", reason="y")


def test_delete_record_does_nothing_when_audit_fails(store: Store) -> None:
    store_full_record(store, "a", "r1")
    with pytest.raises(OSError):
        delete_stored(store, AuditTrail(_Entries(failing=True)), "a", "r1", actor="x",
                      reason="y")
    assert len(list(store.list("a/records/r1/"))) == 4
    entries = _Entries()
    with pytest.raises(ValueError):
        delete_stored(store, AuditTrail(entries), "a", "r1", actor=" ", reason="y")
    assert entries.drafts == [] and len(list(store.list("a/records/r1/"))) == 4


def test_damaged_record_json_is_the_finding_not_its_files(
    store: Store, tamper: Callable[[Store, str, bytes], None]
) -> None:
    """A record whose JSON fails its checksum is reported damaged; its intact files are
    not "orphaned" (the damaged version may well reference them)."""
    store_full_record(store, "a", "r1")
    store_full_record(store, "a", "r2")
    key = record_key("a", "r1", 1)
    damaged = bytearray(store.get(key))
    damaged[len(damaged) // 2] ^= 1
    tamper(store, key, bytes(damaged))
    summary = run(store)
    assert [(p.status, p.key) for p in summary.problems] == [("corrupt", key)]
    assert summary.problems[0].detail.startswith("record JSON damaged")
    assert summary.problems[0].size > 0
    # The record's three files were read and found intact all the same.
    assert summary.checked == 8


def test_orphaned_object_reports_its_size(store: Store) -> None:
    store_full_record(store, "a", "r1")
    store.put("a/records/r1/stray.bin", b"left over")
    summary = run(store)
    assert [(p.status, p.size) for p in summary.problems] == [("orphaned", len(b"left over"))]
