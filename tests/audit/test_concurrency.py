"""Concurrent appends, from threads and from separate processes, keep one chain."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from audit import AuditError, AuditLog
from audit.log import decode_segment
from storage.base import Store
from tests.support.audit import GatedStore

REPO = Path(__file__).resolve().parents[2]


def _assert_one_chain(store: Store, expected: Counter[str]) -> None:
    log = AuditLog(store)
    check = log.verify()
    assert check.ok, check.problems
    entries = list(log.entries())
    assert [e.seq for e in entries] == list(range(sum(expected.values())))
    assert Counter(e.actor for e in entries) == expected


def test_threads_with_separate_logs_never_fork_the_chain(store: Store) -> None:
    writers, per_writer = 6, 25
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(label: str) -> None:
        log = AuditLog(store)  # its own head cache and lock: like another process
        start.wait(timeout=30)
        try:
            for i in range(per_writer):
                log.append("test.append", label, i=i)
        except BaseException as exc:  # surfaced below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"t{i}",)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors and not any(t.is_alive() for t in threads)
    _assert_one_chain(store, Counter({f"t{i}": per_writer for i in range(writers)}))


def test_threads_sharing_one_log(store: Store) -> None:
    log = AuditLog(store)
    threads = [
        threading.Thread(target=lambda n=n: [log.append("a", f"s{n}") for _ in range(20)])
        for n in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    _assert_one_chain(store, Counter({f"s{n}": 20 for n in range(4)}))


def _wait_until(condition: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.005)


def test_appends_waiting_behind_a_write_share_one_segment(store: Store) -> None:
    gated = GatedStore(store)
    log = AuditLog(gated)
    results: dict[str, int] = {}

    def append(label: str) -> None:
        results[label] = log.append("reuse.lookup", label).seq

    first = threading.Thread(target=append, args=("first",))
    first.start()
    assert gated.entered.wait(timeout=30)  # "first" is writing, held at the store
    others = [threading.Thread(target=append, args=(f"c{i}",)) for i in range(9)]
    for thread in others:
        thread.start()
    _wait_until(lambda: log.queued() == 9)
    assert results == {}  # nobody is acknowledged before their entry is durable
    gated.release.set()
    for thread in [first, *others]:
        thread.join(timeout=60)
    assert results["first"] == 0 and sorted(results.values()) == list(range(10))
    assert gated.puts == 2  # ten entries, two durable writes
    segments = [decode_segment(store.get(info.key)) for info in store.list(log.prefix)]
    assert [len(s) for s in segments] == [1, 9]
    _assert_one_chain(store, Counter({"first": 1, **{f"c{i}": 1 for i in range(9)}}))


def test_a_failed_write_fails_its_callers_and_the_log_goes_on(store: Store) -> None:
    gated = GatedStore(store)
    log = AuditLog(gated)
    held = log.submit("reuse.lookup", "first")
    assert gated.entered.wait(timeout=30)
    queued = [log.submit("reuse.lookup", f"c{i}") for i in range(3)]
    gated.fail_with = OSError("disk full")
    gated.release.set()
    with pytest.raises(AuditError, match="disk full"):
        held.result(timeout=30)
    assert [f.result(timeout=30).seq for f in queued] == [0, 1, 2]  # no number lost
    _assert_one_chain(store, Counter({f"c{i}": 1 for i in range(3)}))


def test_two_processes_keep_one_chain(store: Store, tmp_path: Path) -> None:
    go = tmp_path / "go"
    per_process = 60
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.support.audit",
                store.url,
                str(per_process),
                label,
                str(go),
            ],
            cwd=REPO,
            stderr=subprocess.PIPE,
            text=True,
        )
        for label in ("p1", "p2")
    ]
    local = AuditLog(store)
    go.touch()
    for i in range(per_process):
        local.append("test.append", "p0", i=i)
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    _assert_one_chain(store, Counter({"p0": per_process, "p1": per_process, "p2": per_process}))
