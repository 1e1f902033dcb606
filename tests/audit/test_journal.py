"""The audit journal: durable before the chain, shipped exactly once, even across crashes."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from audit import AuditError, AuditJournal, AuditLog
from audit.journal import HIGH_WATER_NAME
from storage.base import ObjectInfo, Store

REPO = Path(__file__).resolve().parents[2]
HOUR = 3600.0  # a shipper interval no test waits for: shipping happens when the test says


def _journal_rows(directory: Path) -> int:
    """Drafts on disk, read through connections of our own (what a crash would leave)."""
    total = 0
    for path in directory.glob("*.sqlite3"):
        with sqlite3.connect(path) as db:
            total += db.execute("SELECT count(*) FROM drafts").fetchone()[0]
    return total


def _chain(store: Store) -> list[tuple[str, int]]:
    log = AuditLog(store)
    check = log.verify()
    assert check.ok, check.problems
    return [(e.actor, e.details.get("i", -1)) for e in log.entries()]


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    return tmp_path / "journal"


@pytest.fixture
def journal(store: Store, journal_dir: Path) -> Iterator[AuditJournal]:
    journal = AuditJournal(AuditLog(store), journal_dir, ship_seconds=HOUR)
    yield journal
    journal.close()


def test_an_entry_is_durable_in_the_journal_before_it_reaches_the_chain(
    journal: AuditJournal, store: Store, journal_dir: Path
) -> None:
    drafts = [journal.append("reuse.lookup", "cong-thong-tin", i=i) for i in range(3)]
    assert _journal_rows(journal_dir) == 3 and journal.pending() == 3
    assert AuditLog(store).head() is None  # nothing shipped yet
    entries = list(journal.entries())  # reading flushes first
    assert [e.nonce for e in entries] == [d.nonce for d in drafts]
    assert [e.seq for e in entries] == [0, 1, 2]
    assert journal.pending() == 0 and _journal_rows(journal_dir) == 0
    assert journal.verify().ok


def test_close_ships_what_is_left_and_removes_the_journal(
    store: Store, journal_dir: Path
) -> None:
    journal = AuditJournal(AuditLog(store), journal_dir, ship_seconds=HOUR)
    journal.write([])  # nothing to write creates nothing
    assert list(journal_dir.iterdir()) == []
    journal.append("reuse.release", "cong-thong-tin", i=0)
    assert len(list(journal_dir.glob("*.sqlite3"))) == 1
    journal.close()
    assert _chain(store) == [("cong-thong-tin", 0)]
    # No journal is left; only the host's memory of the chain (the truncation check).
    assert [p.name for p in journal_dir.iterdir()] == [HIGH_WATER_NAME]
    with pytest.raises(AuditError, match="closed"):
        journal.append("reuse.release", "cong-thong-tin")


def test_the_shipper_moves_entries_into_the_chain_on_its_own(
    store: Store, journal_dir: Path
) -> None:
    journal = AuditJournal(AuditLog(store), journal_dir, ship_seconds=0.05)
    try:
        for i in range(5):
            journal.append("reuse.lookup", "p", i=i)
        _wait_until(lambda: journal.pending() == 0)
        assert _chain(store) == [("p", i) for i in range(5)]
    finally:
        journal.close()


class FlakyStore:
    """A real store whose writes fail while ``down`` is set (an object-store outage)."""

    def __init__(self, inner: Store) -> None:
        self.inner, self.url, self.down = inner, inner.url, True

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream",
            metadata: dict[str, str] | None = None) -> ObjectInfo:
        if self.down:
            raise ConnectionError("object store unreachable")
        return self.inner.put(key, data, content_type=content_type, metadata=metadata)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def test_an_outage_of_the_store_does_not_stop_accepting_entries(
    store: Store, journal_dir: Path
) -> None:
    flaky = FlakyStore(store)
    journal = AuditJournal(AuditLog(flaky), journal_dir, ship_seconds=HOUR)  # type: ignore[arg-type]
    for i in range(4):
        journal.append("reuse.lookup", "p", i=i)  # accepted: durable in the journal
    with pytest.raises(AuditError, match="unreachable"):
        journal.flush()
    assert journal.pending() == 4
    flaky.down = False
    assert journal.flush() == 4
    journal.close()
    assert _chain(store) == [("p", i) for i in range(4)]


def _writer(
    mode: str, store: Store, directory: Path, count: int, label: str
) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.support.journal_writer", mode, store.url,
         str(directory), str(count), label],
        cwd=REPO, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()  # blocks until the writer has journaled everything
    assert line == "journaled\n", (line, proc.stderr.read() if proc.stderr else "")
    return proc


def test_a_killed_process_leaves_its_journal_to_the_next_one(
    store: Store, journal_dir: Path
) -> None:
    proc = _writer("hold", store, journal_dir, 7, "dead")
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert _journal_rows(journal_dir) == 7  # nothing lost with the process
    journal = AuditJournal(AuditLog(store), journal_dir, ship_seconds=HOUR)
    assert journal.flush() == 7
    journal.close()
    assert _chain(store) == [("dead", i) for i in range(7)]
    assert list(journal_dir.glob("*.sqlite3")) == [] and list(journal_dir.glob("*.lock")) == []


def test_a_live_process_keeps_its_journal(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    proc = _writer("hold", store, journal_dir, 3, "alive")
    journal.append("reuse.lookup", "here", i=0)
    journal.flush()
    assert _chain(store) == [("here", 0)]  # the live writer's entries are its own to ship
    assert _journal_rows(journal_dir) == 3
    proc.communicate("\n", timeout=60)  # it closes its journal: ships and removes it
    assert proc.returncode == 0
    assert Counter(actor for actor, _ in _chain(store)) == Counter(here=1, alive=3)
    assert _journal_rows(journal_dir) == 0


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_crash_in_the_middle_of_a_shipment_neither_loses_nor_repeats_an_entry(
    store: Store, journal_dir: Path, moment: str
) -> None:
    # "before": killed once the shipment's intent is recorded, before its segment is
    # written; "after": killed once the segment is in the store, before the journal
    # knows it was shipped. Either way the next process must end with each entry once.
    proc = _writer(f"die-{moment}-put", store, journal_dir, 5, "crashed")
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert _journal_rows(journal_dir) == 5
    shipped_before = len(_chain(store))
    assert shipped_before == (5 if moment == "after" else 0)
    journal = AuditJournal(AuditLog(store), journal_dir, ship_seconds=HOUR)
    journal.flush()
    journal.close()
    assert _chain(store) == [("crashed", i) for i in range(5)]
    assert _journal_rows(journal_dir) == 0


def test_journals_of_two_processes_and_this_one_keep_one_chain(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    writers = [_writer("hold", store, journal_dir, 20, f"w{n}") for n in range(2)]
    for i in range(20):
        journal.append("test.append", "local", i=i)
    journal.flush()
    for proc in writers:
        proc.communicate("\n", timeout=60)
        assert proc.returncode == 0
    chain = _chain(store)
    assert Counter(actor for actor, _ in chain) == Counter(local=20, w0=20, w1=20)
    for label in ("local", "w0", "w1"):  # each journal's order is kept in the chain
        assert [i for actor, i in chain if actor == label] == list(range(20))


def _wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.01)


def test_a_second_journal_in_this_process_leaves_the_first_one_alone(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    # POSIX locks let a process "lock" what it already holds: the journal must not
    # take that as the sign of a dead owner and remove a journal still in use.
    journal.append("test.append", "first", i=0)
    other = AuditJournal(AuditLog(store), journal_dir, ship_seconds=HOUR)
    assert other.flush() == 0
    journal.append("test.append", "first", i=1)  # still writing to a journal on disk
    assert _journal_rows(journal_dir) == 2
    other.close()
    journal.flush()
    assert _chain(store) == [("first", 0), ("first", 1)]


def test_sohoa_audit_flush_ships_what_a_dead_server_left(
    sohoa_env: dict[str, str], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    from application.settings import Settings
    from cli.main import main
    from storage import open_store

    settings = Settings.from_env(sohoa_env)
    store = open_store(settings.storage_url)
    proc = _writer("hold", store, settings.audit_journal_dir, 4, "server")
    proc.kill()
    proc.wait(timeout=30)
    assert main(["audit", "flush", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == {"shipped": 4}
    assert main(["audit", "verify", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] and report["entries"] == 4
    assert _journal_rows(settings.audit_journal_dir) == 0
    anchor = f"{report['head']['seq']}:{report['head']['hash']}"

    # Cut the newest segment, and check from a host that never saw it written: only
    # the anchor kept elsewhere can tell.
    log = AuditLog(store)
    store.delete(max(info.key for info in store.list(log.prefix)))
    monkeypatch.setenv("SOHOA_AUDIT_JOURNAL", str(tmp_path / "another-host"))
    assert main(["audit", "verify", "--json"]) == 0  # consistent, as far as it goes
    capsys.readouterr()
    assert main(["audit", "verify", "--anchor", anchor, "--json"]) == 1
    problems = json.loads(capsys.readouterr().out)["problems"]
    assert any("missing (log truncated?)" in p for p in problems), problems
    with pytest.raises(SystemExit):
        main(["audit", "verify", "--anchor", "12:not-a-hash"])


def test_an_unreadable_journal_is_set_aside_and_does_not_block_the_others(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    journal_dir.mkdir(parents=True, exist_ok=True)
    (journal_dir / "host-1-dead.lock").touch()
    (journal_dir / "host-1-dead.sqlite3").write_bytes(b"not a database at all" * 100)
    (journal_dir / "host-1-dead.sqlite3-wal").write_bytes(b"what it had not checkpointed")
    (journal_dir / "host-2-dead.lock").touch()  # died before creating its journal
    journal.append("reuse.lookup", "here", i=0)
    assert journal.flush() == 1
    assert _chain(store) == [("here", 0)]
    left = sorted(p.name for p in journal_dir.iterdir())
    assert "host-1-dead.sqlite3.damaged" in left
    assert "host-1-dead.sqlite3.damaged-wal" in left  # set aside together, not orphaned
    assert "host-1-dead.sqlite3-wal" not in left
    assert not any(name.startswith("host-2-dead") for name in left)
    assert "host-1-dead.lock" not in left


def test_a_truncated_chain_is_reported_and_not_written_over(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    """A hash chain whose newest segments were deleted is still consistent: the host's
    memory of what it saw written is what shows the cut, and stops new entries from
    taking the deleted numbers."""
    for i in range(2):
        journal.append("reuse.lookup", "here", i=i)
        journal.flush()  # one segment each
    log = AuditLog(store)
    assert log.head() is not None and log.head().seq == 1  # type: ignore[union-attr]
    last = max(info.key for info in store.list(log.prefix))
    store.delete(last)
    assert AuditLog(store).verify().ok, "the rest of the chain is consistent"

    check = journal.verify()
    assert not check.ok
    assert any("entry 1, seen written by this host, is missing" in p for p in check.problems)
    journal.append("reuse.lookup", "here", i=2)
    with pytest.raises(AuditError, match="truncated"):
        journal.flush()
    assert journal.pending() == 1  # kept in the journal, not written over entry 1


def _rewrite_tail(store: Store, actor: str) -> None:
    """Rewrite the chain's last segment consistently: each entry's actor changed, every
    hash recomputed and chained, as someone with write access to the store could."""
    from dataclasses import replace

    from audit.log import decode_segment, encode_segment

    log = AuditLog(store)
    last = max(info.key for info in store.list(log.prefix))
    entries = decode_segment(store.get(last))
    prev = entries[0].prev_hash
    forged = []
    for entry in entries:
        changed = replace(entry, actor=actor, prev_hash=prev, hash="")
        changed = replace(changed, hash=changed.computed_hash())
        forged.append(changed)
        prev = changed.hash
    store.delete(last)
    store.put(last, encode_segment(forged), content_type="application/json")


def test_a_consistently_rewritten_tail_fails_verify_without_an_anchor(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    """The host remembers the hash of the newest entry it wrote, not only its number:
    a tail rewritten with recomputed hashes is a consistent chain of the same length,
    and only that hash shows it."""
    for i in range(2):
        journal.append("record.view", "officer", i=i)
        journal.flush()  # one segment each
    assert journal.verify().ok
    head = AuditLog(store).head()
    assert head is not None
    assert (journal_dir / HIGH_WATER_NAME).read_text().strip() == f"{head.seq}:{head.hash}"

    _rewrite_tail(store, actor="nobody")
    assert AuditLog(store).verify().ok, "the forged chain is consistent in itself"
    check = journal.verify()
    assert not check.ok
    assert any("entry 1 differs from the one this host saw written" in p
               for p in check.problems), check.problems


def test_a_memory_of_the_number_alone_still_checks_truncation(
    store: Store, journal_dir: Path, journal: AuditJournal
) -> None:
    """A host memory written before the hash was kept (``SEQ`` only) is still read."""
    journal.append("record.view", "officer", i=0)
    journal.flush()
    (journal_dir / HIGH_WATER_NAME).write_text("5\n", encoding="ascii")
    check = journal.verify()
    assert any("entry 5, seen written by this host, is missing" in p for p in check.problems)


def test_journal_files_are_readable_by_their_owner_only(
    journal: AuditJournal, journal_dir: Path
) -> None:
    journal.append("reuse.lookup", "here", subject={"id_number": "001090012345"})
    assert journal_dir.stat().st_mode & 0o077 == 0
    files = [p for p in journal_dir.iterdir() if p.name.endswith((".sqlite3", "-wal", "-shm"))]
    assert files
    assert {p.name: oct(p.stat().st_mode & 0o077) for p in files} == {
        p.name: "0o0" for p in files}
