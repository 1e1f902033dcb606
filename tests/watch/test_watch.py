"""The watcher digitizing real files end to end (embedded driver, real store, index,
signature): a slowly written file is taken only whole, many files at once each once,
and a watcher killed mid-way then restarted loses and duplicates nothing."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from application import Runtime, Settings
from ingest.admission import InputFile
from ingest.outcome import FileOutcome
from storage import iter_latest_records
from tests.support.scans import text_pdf
from watch import Watcher, WatchOptions, embedded
from watch.folder import DONE_DIR, FAILED_DIR, STATE_DIR

ROOT = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


@pytest.fixture
def runtime(sohoa_env: dict[str, str]) -> Iterator[Runtime]:
    rt = Runtime.open(Settings.from_env())
    yield rt
    rt.close()


def records(runtime: Runtime) -> list:
    return list(iter_latest_records(runtime.store))


def done_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root / DONE_DIR).as_posix()
                  for p in (root / DONE_DIR).rglob("*") if p.is_file())


def journal(root: Path) -> list[dict]:
    path = root / STATE_DIR / "journal.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class Running:
    """A watcher on a thread, stopped and joined at the end of the test."""

    def __init__(self, root: Path, runtime: Runtime, *, inotify: bool,
                 settle: float = 1.0) -> None:
        self.outcomes: list[tuple[str, FileOutcome]] = []
        options = WatchOptions(settle_seconds=settle, poll_seconds=0.2,
                               use_inotify=inotify, rescan_seconds=30.0)
        self.watcher = Watcher(root, embedded(runtime), agency="ubnd-phuong-test",
                               options=options,
                               report=lambda rel, out, _: self.outcomes.append((rel, out)))
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.watcher.run, args=(self.stop,))

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.watcher.wake.set()
        self.thread.join(timeout=120)
        assert not self.thread.is_alive()


@pytest.mark.parametrize("inotify", [True, False], ids=["inotify", "poll"])
def test_a_file_written_slowly_is_taken_only_whole(runtime: Runtime, tmp_path: Path,
                                                   inotify: bool) -> None:
    root = tmp_path / "hot"
    root.mkdir()
    whole = text_pdf(tmp_path / "stack.pdf", "Giay to viet cham", pages=3).read_bytes()
    target = root / "hop=H-7" / "scan.pdf"
    target.parent.mkdir()
    with Running(root, runtime, inotify=inotify) as running:
        if inotify:  # events from the kernel, not polling
            wait_for(lambda: running.watcher._observer is not None, timeout=10)
            assert "Inotify" in type(running.watcher._observer).__name__
        # A scanner writing over ~4 s, pausing up to 0.4 s between pieces: never 1 s still.
        pieces = [whole[i:i + len(whole) // 10 + 1] for i in range(0, len(whole),
                                                                     len(whole) // 10 + 1)]
        with target.open("wb") as fh:
            for piece in pieces:
                fh.write(piece)
                fh.flush()
                time.sleep(0.4)
        wait_for(lambda: bool(running.outcomes), timeout=120)
    assert [(rel, out.status.value) for rel, out in running.outcomes] == [
        ("hop=H-7/scan.pdf", "ingested")]
    stored = records(runtime)
    assert len(stored) == 1
    assert stored[0].source.sha256 == hashlib.sha256(whole).hexdigest()
    assert stored[0].source.pages == 3
    assert stored[0].location.box == "H-7"  # from the folder name
    assert done_files(root) == ["hop=H-7/scan.pdf"]
    assert [e["event"] for e in journal(root)] == ["taken", "finished"]


def _drop(root: Path, count: int) -> list[str]:
    """``count`` distinct files written elsewhere, then moved in at once (as a copy tool
    renames its ``.part`` when done)."""
    staging = root.parent / "staging"
    names = []
    for n in range(count):
        name = f"to-{n:03d}.pdf"
        text_pdf(staging / name, f"To khai so {n}")
        names.append(name)
    for name in names:
        os.replace(staging / name, root / name)
    return names


def _exactly_once(root: Path, runtime: Runtime, names: list[str],
                  statuses: frozenset[str] = frozenset({"ingested"}),
                  journaled: list[str] | None = None) -> None:
    """Every file in ``.done/``, none failed, one record each, one outcome each in the
    journal (of ``journaled``: a restart compacts away files already moved)."""
    assert done_files(root) == names
    assert not (root / FAILED_DIR).exists()
    stored = records(runtime)
    assert sorted(r.source.filename for r in stored) == names  # each once, none lost
    assert len({r.id for r in stored}) == len(names)
    finished = [e for e in journal(root) if e["event"] == "finished"]
    assert {e["status"] for e in finished} <= statuses
    # A file outcome journaled before the kill is not journaled again after it.
    expected = names if journaled is None else journaled
    assert sorted({e["relative"] for e in finished}) == expected
    assert len(finished) == len(expected)


@pytest.mark.parametrize("count", [8, pytest.param(100, marks=pytest.mark.slow)])
def test_files_dropped_at_once_are_each_ingested_once(runtime: Runtime, tmp_path: Path,
                                                      count: int) -> None:
    root = tmp_path / "hot"
    root.mkdir()
    names = _drop(root, count)
    with Running(root, runtime, inotify=True, settle=0.5) as running:
        wait_for(lambda: len(running.outcomes) >= len(names), timeout=600)
    _exactly_once(root, runtime, names)


def _watch(root: Path, *extra: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "cli.main", "watch", str(root), "--json", "--poll",
         "--settle", "0.3", "--interval", "0.1", *extra],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        start_new_session=True)


def test_killed_mid_way_and_restarted_nothing_is_lost_or_duplicated(
        sohoa_env: dict[str, str], tmp_path: Path) -> None:
    root = tmp_path / "hot"
    root.mkdir()
    names = _drop(root, 10)
    first = _watch(root)
    try:
        # Killed once some files are through, others still in the batch.
        wait_for(lambda: len(done_files(root)) >= 3 if (root / DONE_DIR).exists() else False,
                 timeout=300)
    finally:
        # The whole process group, its OCR workers too, as a power cut or systemd's
        # final SIGKILL of the unit's cgroup would.
        os.killpg(first.pid, signal.SIGKILL)
        first.communicate(timeout=60)
    moved_before = done_files(root)
    assert len(moved_before) < len(names)  # really mid-way
    second = _watch(root, "--once")
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, err
    restarted = [json.loads(line) for line in out.splitlines()]
    # Files whose record was committed just before the kill come back "skipped as
    # already stored", never as a second record.
    assert {r.get("status") for r in restarted} <= {"ready", "needs_review", "skipped"}
    runtime = Runtime.open(Settings.from_env())
    try:
        # The journal, compacted at restart, keeps the files the kill left in the folder.
        _exactly_once(root, runtime, names, frozenset({"ingested", "skipped"}),
                      journaled=sorted(set(names) - set(moved_before)))
    finally:
        runtime.close()


def test_a_file_finished_before_a_crash_is_only_moved_after_restart(
        runtime: Runtime, tmp_path: Path) -> None:
    root = tmp_path / "hot"
    root.mkdir()
    text_pdf(root / "a.pdf", "Da xong")
    calls: list[list[InputFile]] = []
    real = embedded(runtime)

    def counting(files: list[InputFile], agency: str, on_outcome: Callable) -> None:
        calls.append(files)
        real(files, agency, on_outcome)

    options = WatchOptions(settle_seconds=0.2, poll_seconds=0.1, use_inotify=False)
    watcher = Watcher(root, counting, agency="ubnd-phuong-test", options=options)
    watcher.run(once=True)
    assert len(calls) == 1 and done_files(root) == ["a.pdf"]
    # As if the process had died after journaling the outcome, before the move.
    os.replace(root / DONE_DIR / "a.pdf", root / "a.pdf")
    again = Watcher(root, counting, agency="ubnd-phuong-test", options=options)
    again.run(once=True)
    assert len(calls) == 1  # not digitized again: only moved
    assert done_files(root) == ["a.pdf"]
    assert len(records(runtime)) == 1


def test_a_stack_with_separator_sheets_becomes_one_record_per_paper(
        runtime: Runtime, tmp_path: Path) -> None:
    from tests.support.stacks import make_stack

    root = tmp_path / "hot"
    stack = make_stack(tmp_path / "stack.pdf", 2, seed=41, sheets=True)
    (root / "hop=H-5").mkdir(parents=True)
    os.replace(stack.path, root / "hop=H-5" / "ho-so.pdf")
    options = WatchOptions(settle_seconds=0.2, poll_seconds=0.1, use_inotify=False,
                           split_stacks=True)
    Watcher(root, embedded(runtime), agency="ubnd-phuong-test", options=options).run(once=True)
    stored = sorted(records(runtime), key=lambda r: r.source.part_of.first_page)
    assert [(r.source.part_of.first_page - 1, r.source.part_of.last_page - 1)
            for r in stored] == [(p[0], p[-1]) for p in stack.papers]
    assert {r.source.part_of.filename for r in stored} == {"ho-so.pdf"}
    assert {r.location.box for r in stored} == {"H-1"}  # the sheet's box beats the folder's
    assert done_files(root) == ["hop=H-5/ho-so.pdf"]
    finished = [e for e in journal(root) if e["event"] == "finished"]
    assert set(finished[0]["record_id"].split(",")) == {r.id for r in stored}
    assert not (root / STATE_DIR / "parts").exists() or not any(
        (root / STATE_DIR / "parts").iterdir())  # the papers' files are cleaned up


def test_sigterm_stops_an_idle_watcher_at_once(sohoa_env: dict[str, str],
                                               tmp_path: Path) -> None:
    root = tmp_path / "hot"
    root.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "cli.main", "watch", str(root)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            cwd=ROOT, start_new_session=True)
    try:
        assert proc.stderr is not None
        for line in proc.stderr:  # started: inotify armed, waiting for events
            if "Đang theo dõi" in line:
                break
        proc.send_signal(signal.SIGTERM)
        # Idle with inotify it would sleep a minute between listings: SIGTERM wakes it.
        assert proc.wait(timeout=20) == 0
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_a_file_whose_manifest_is_bad_fails_with_the_reason(runtime: Runtime,
                                                            tmp_path: Path) -> None:
    root = tmp_path / "hot"
    text_pdf(root / "hop=H-1" / "a.pdf", "Co manifest hong")
    (root / "hop=H-1" / "manifest.csv").write_text("filename,mau_sac\na.pdf,do\n",
                                                    encoding="utf-8")
    options = WatchOptions(settle_seconds=0.2, poll_seconds=0.1, use_inotify=False)
    Watcher(root, embedded(runtime), agency="ubnd-phuong-test", options=options).run(once=True)
    note = (root / FAILED_DIR / "hop=H-1" / "a.pdf.txt").read_text(encoding="utf-8")
    assert "mau_sac" in note and "bad_manifest" in note
    assert "Thời điểm: —" not in note  # the time is written, in Vietnam time
    assert records(runtime) == []


def test_one_process_pool_serves_batch_after_batch(runtime: Runtime, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Files settling one by one are each a batch: they share the watcher's pool (no
    start-up per batch), which is renewed when one of its workers died in between."""
    import ingest.batch

    made: list[object] = []
    real_pool = ingest.batch._pool

    def counted(size: int) -> object:
        made.append(size)
        return real_pool(size)

    monkeypatch.setattr(ingest.batch, "_pool", counted)
    root = tmp_path / "hot"
    root.mkdir()
    digitize = embedded(runtime)
    options = WatchOptions(settle_seconds=0.1, poll_seconds=0.1, use_inotify=False)
    watcher = Watcher(root, digitize, agency="ubnd-phuong-test", options=options)

    def looked(count: int) -> bool:
        watcher.cycle()  # one look at the folder; a settled file is a batch of its own
        return len(done_files(root)) == count

    for k in range(3):
        text_pdf(root / f"to-{k}.pdf", f"Mot to mot luc {k}")
        wait_for(functools.partial(looked, k + 1), timeout=120)
        if k == 1:  # a worker killed between batches: the next batch renews the pool
            pool = digitize._pool
            assert pool is not None
            worker = next(iter(pool.pool._processes))
            os.kill(worker, signal.SIGKILL)
    watcher.close()
    assert done_files(root) == ["to-0.pdf", "to-1.pdf", "to-2.pdf"]
    assert len(records(runtime)) == 3
    assert len(made) == 2  # the first batch's pool, then its renewal; not one per batch
    assert digitize._pool is None  # closed with the watcher
