"""The watch loop: settled files in, the existing batch drivers, files out.

Each cycle lists the folder, lets ``Settle`` pick the files that stopped changing,
journals each as taken, digitizes them with the same driver ``sohoa ingest`` uses
(``run_batch`` embedded, ``submit_batch`` + ``follow`` with a broker) and, as each
outcome lands, journals it and moves the file to ``.done/`` (or deletes it) or to
``.failed/`` beside a ``.txt`` giving the reason in Vietnamese.

Exactly once across crashes rests on two facts: every journal entry is durable before
its action, and the archive skips content it already stored (by SHA-256, per agency).
A file taken but not finished is digitized again after a restart and, if its record
was committed before the crash, comes back ``skipped`` instead of stored twice.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from application.runtime import Runtime
from application.settings import DEFAULT_LANGUAGES
from ingest.admission import InputFile, discover
from ingest.batch import WorkerPool, new_batch_id, run_batch
from ingest.distributed import Ledger, follow, make_celery, submit_batch
from ingest.outcome import FileOutcome, OutcomeStatus
from ingest.pipeline import sha256_file
from ingest.stack import split_input
from records.errors import ServiceUnavailable, SohoaError
from records.vntime import vietnam_time
from watch.folder import (
    DONE_DIR,
    FAILED_DIR,
    STATE_DIR,
    FolderKeyError,
    Seen,
    Settle,
    folder_values,
    scan,
    unique_destination,
)
from watch.journal import Entry, Event, Journal

log = logging.getLogger("sohoa.watch")

OnOutcome = Callable[[FileOutcome], None]
# Digitize files for one agency, reporting each file's outcome as it lands.
Digitize = Callable[[list[InputFile], str, OnOutcome], None]
# What the watcher did with one file: its path in the folder, the outcome, where it went.
Report = Callable[[str, FileOutcome, Path | None], None]


class Embedded:
    """The in-process driver of ``sohoa ingest``, with one process pool kept across
    batches: files that settle one by one (a scanner's trickle) are each a batch, and a
    new pool for each would cost its start-up (workers started, unit indexes warmed:
    0.7–1.9 s measured, ``bench/watch_bench.py --trickle``) every time. Started with
    the first batch; ``close`` ends it (the watcher does, when it stops)."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._pool: WorkerPool | None = None

    def __call__(self, files: list[InputFile], agency: str, on_outcome: OnOutcome) -> None:
        if self._pool is None:
            self._pool = WorkerPool(max(1, self.runtime.settings.workers))
        run_batch(files, self.runtime, agency=agency, on_outcome=on_outcome,
                  executor=self._pool)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None


def embedded(runtime: Runtime) -> Embedded:
    """The in-process driver of ``sohoa ingest`` (``Embedded``)."""
    return Embedded(runtime)


def distributed(runtime: Runtime) -> Digitize:
    """Stage and enqueue for the Celery workers (``SOHOA_BROKER_URL``), then follow."""

    app = make_celery(runtime.settings)
    ledger = Ledger(runtime.settings.broker_url or "")

    def digitize(files: list[InputFile], agency: str, on_outcome: OnOutcome) -> None:
        batch_id = new_batch_id()
        submit_batch(files, runtime, app, batch_id=batch_id, agency=agency)
        log.info("watch batch %s: %d files queued", batch_id, len(files))
        for outcome in follow(ledger, batch_id):
            on_outcome(outcome)

    return digitize


@dataclass(frozen=True)
class WatchOptions:
    settle_seconds: float = 5.0
    poll_seconds: float = 2.0
    # With inotify, a full listing this often anyway (an event can be missed when the
    # kernel queue overflows).
    rescan_seconds: float = 60.0
    delete_done: bool = False
    use_inotify: bool = True
    max_batch: int = 200
    # Multi-page PDFs are stacks of papers: split them (``ingest.stack``) first.
    split_stacks: bool = False
    # For reading the national header when splitting: the configured OCR languages
    # (``Settings.languages``; the CLI passes them), by default the application's.
    languages: str = DEFAULT_LANGUAGES


@dataclass
class _Taken:
    """A file taken: the files digitized for it (itself, or its papers when it is a
    stack that was split) and their outcomes as they land."""

    seen: Seen
    sha256: str
    items: list[InputFile]
    agency: str | None  # from a ``coquan=`` folder; None: the watcher's agency
    outcomes: list[FileOutcome] = field(default_factory=list)
    parts_dir: Path | None = None

    @property
    def name(self) -> str:
        return self.seen.relative.rsplit("/", 1)[-1]


class Watcher:
    """One watched folder, for one process at a time (the journal is not shared)."""

    def __init__(self, root: Path, digitize: Digitize, *, agency: str,
                 options: WatchOptions | None = None, report: Report | None = None) -> None:
        self.root = root
        self.digitize = digitize
        self.agency = agency
        self.options = options or WatchOptions()
        self.report = report
        self.settle = Settle(self.options.settle_seconds)
        self.journal = Journal(root / STATE_DIR / "journal.jsonl")
        self.journal.compact(lambda entry: (root / entry.relative).exists())
        self.wake = threading.Event()
        self._observer: object | None = None

    # --- the loop ---------------------------------------------------------------------

    def run(self, stop: threading.Event | None = None, *, once: bool = False) -> None:
        """Watch until ``stop`` is set; with ``once``, until the folder holds no file
        left to take (every file processed, or none that can be)."""
        stop = stop or threading.Event()
        if self.options.use_inotify and not once:
            self._observer = start_inotify(self.root, self.wake)
        try:
            stuck = 0
            while not stop.is_set():
                present, ready, handled = self.cycle()
                if once:
                    if present == 0:
                        return
                    # Files that settle but never get an outcome (logged): stop trying.
                    stuck = stuck + 1 if ready and not handled else 0
                    if stuck >= 3:
                        log.error("%d files could not be processed; stopping", ready)
                        return
                self.wake.wait(self._pause())
                self.wake.clear()
        finally:
            self.close()

    def _pause(self) -> float:
        if self._observer is None or self.settle.waiting:
            # Polling, or files still settling: look again soon.
            return min(self.options.poll_seconds, max(self.options.settle_seconds / 2, 0.1))
        return self.options.rescan_seconds

    def stop(self, stop: threading.Event) -> None:
        """Ask ``run`` to return after the batch in hand (from a signal handler)."""
        stop.set()
        self.wake.set()

    def close(self) -> None:
        if self._observer is not None:
            stop_inotify(self._observer)
            self._observer = None
        if isinstance(self.digitize, Embedded):
            self.digitize.close()  # its pool's workers
        self.journal.close()

    def cycle(self) -> tuple[int, int, int]:
        """One look at the folder: (files present, files settled, files handled)."""
        seen = list(scan(self.root))
        ready = self.settle.poll(seen)
        handled = 0
        taken: list[_Taken] = []
        for item in ready:
            earlier = self.journal.finished(item.key)
            if earlier is not None:  # the crash came between outcome and move
                self._move(item, earlier)
                handled += 1
                continue
            took = self._take(item)
            if isinstance(took, FileOutcome):  # refused before any work
                self._finish(item, "", [took])
                handled += 1
            elif took is not None:
                taken.append(took)
        for agency, group in _by_agency(taken, self.agency):
            for batch in _batches(group, self.options.max_batch):
                handled += self._digitize(agency, batch)
        return len(seen), len(ready), handled

    # --- one file -----------------------------------------------------------------------

    def _take(self, seen: Seen) -> _Taken | FileOutcome | None:
        """The file journaled as taken; its failure when its folders or manifest are
        wrong; None when it changed or went while being read (it settles again)."""
        path = self.root / seen.relative
        try:
            values = folder_values(seen.relative)
            agency = values.pop("agency", None)
            item = next(iter(discover([path])))  # the manifest.csv beside it, if any
            given = {**values, **item.given}  # the file's own manifest row wins
            sha256, _ = sha256_file(path)
            st = path.stat()
        except FileNotFoundError:
            self.settle.forget(seen.relative)
            return None
        except FolderKeyError as exc:
            return FileOutcome.failed(path.name, "bad_folder", exc.message)
        except SohoaError as exc:  # the manifest.csv beside it cannot be used
            message = getattr(exc, "message", None) or exc.user_message()
            return FileOutcome.failed(path.name, "bad_manifest", message)
        if (st.st_size, st.st_mtime_ns) != (seen.size, seen.mtime_ns):
            self.settle.forget(seen.relative)  # written to again: not complete after all
            return None
        self.journal.write(Entry(Event.TAKEN, seen.key, seen.relative, sha256))
        took = _Taken(seen, sha256, [InputFile(path, given)], agency)
        if self.options.split_stacks:
            return self._split(took)
        return took

    def _split(self, took: _Taken) -> _Taken:
        """A multi-page PDF as its papers, each a file of its own (``ingest.stack``)."""

        parts_dir = self.root / STATE_DIR / "parts" / took.sha256[:24]
        took.items = split_input(took.items[0], parts_dir, sha256=took.sha256,
                                 languages=self.options.languages)
        if parts_dir.exists():  # papers written (or a split that gave up half-way)
            took.parts_dir = parts_dir
        return took

    def _digitize(self, agency: str, batch: list[_Taken]) -> int:
        by_name = {i.path.name: t for t in batch for i in t.items}
        handled = 0

        def on_outcome(outcome: FileOutcome) -> None:
            nonlocal handled
            took = by_name.pop(outcome.filename, None)
            if took is None:
                log.error("outcome for a file the watcher did not give: %s", outcome.filename)
                return
            took.outcomes.append(outcome)
            if len(took.outcomes) == len(took.items):
                self._finish(took.seen, took.sha256, took.outcomes)
                if took.parts_dir is not None:
                    shutil.rmtree(took.parts_dir, ignore_errors=True)
                handled += 1

        try:
            self.digitize([i for t in batch for i in t.items], agency, on_outcome)
        except ServiceUnavailable as exc:
            # The store, index or broker is down: keep the files, try again later.
            log.error("cannot digitize now, files stay for the next try: %s", exc)
        for left in {id(t): t for t in by_name.values()}.values():
            log.warning("no outcome for %s: it is taken again later", left.seen.relative)
            self.settle.forget(left.seen.relative)
        return handled

    def _finish(self, seen: Seen, sha256: str, outcomes: list[FileOutcome]) -> None:
        """Journal the file's outcome, move it, report it. A split stack's outcome is
        its papers': failed when one failed (every failure in the reason), its records
        listed."""
        failed = [o for o in outcomes if o.status is OutcomeStatus.FAILED]
        records = [o.record.id for o in outcomes if o.record is not None]
        if len(outcomes) == 1:
            status, code, message = outcomes[0].status, outcomes[0].code, outcomes[0].message
        elif failed:
            status, code = OutcomeStatus.FAILED, failed[0].code
            message = "; ".join(f"{o.filename}: {o.message}" for o in failed)
        else:
            status, code, message = (OutcomeStatus.INGESTED if records
                                     else OutcomeStatus.SKIPPED), None, None
        entry = Entry(Event.FINISHED, seen.key, seen.relative, sha256, status=status.value,
                      code=code, message=message, record_id=",".join(records) or None)
        destination = self._move(seen, self.journal.write(entry))
        if self.report is not None:
            for outcome in outcomes:
                self.report(seen.relative, outcome, destination)

    def _move(self, seen: Seen, entry: Entry) -> Path | None:
        """Out of the way: ``.failed/`` with its reason, ``.done/``, or deleted."""
        source = self.root / seen.relative
        self.settle.forget(seen.relative)
        if not source.exists():
            return None
        if entry.status == OutcomeStatus.FAILED.value:
            target = unique_destination(self.root / FAILED_DIR / seen.relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.with_name(target.name + ".txt").write_text(
                failure_note(seen.relative, entry), encoding="utf-8")
        elif self.options.delete_done:
            source.unlink()
            return None
        else:
            target = unique_destination(self.root / DONE_DIR / seen.relative)
            target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        return target


def failure_note(relative: str, entry: Entry) -> str:
    """The ``.txt`` beside a failed file, for the archivist who finds it there."""
    return (
        f"Tệp: {relative}\n"
        f"Thời điểm: {vietnam_time(entry.at)}\n"
        f"Lý do: {entry.message or 'không rõ'}\n"
        f"Mã lỗi: {entry.code or 'internal_error'}\n"
        "Cách xử lý: sửa theo lý do trên rồi chép tệp trở lại thư mục theo dõi.\n"
    )


def _by_agency(taken: list[_Taken], default: str) -> Iterable[tuple[str, list[_Taken]]]:
    groups: dict[str, list[_Taken]] = {}
    for took in taken:
        groups.setdefault(took.agency or default, []).append(took)
    return groups.items()


def _batches(taken: list[_Taken], size: int) -> Iterable[list[_Taken]]:
    """Batches in which no two files share a name: each outcome names its file (a
    batch renames the second ``a.pdf`` ``a (2).pdf``, which would be no file here)."""
    pending = list(taken)
    while pending:
        batch: list[_Taken] = []
        names: set[str] = set()
        rest: list[_Taken] = []
        for took in pending:
            name = took.name
            if name in names or len(batch) >= size:
                rest.append(took)
            else:
                names.add(name)
                batch.append(took)
        yield batch
        pending = rest


def start_inotify(root: Path, wake: threading.Event) -> object | None:
    """A watchdog observer that wakes the loop on any change under ``root``; None when
    the platform gives no events (then the loop polls)."""
    try:
        # watchdog starts an inotify thread: only when events are used, not with --poll.
        from watchdog.events import FileSystemEvent, FileSystemEventHandler
        from watchdog.observers import Observer
    except ImportError:
        log.warning("watchdog is not installed: polling")
        return None

    class _Wake(FileSystemEventHandler):
        def on_any_event(self, event: FileSystemEvent) -> None:
            wake.set()

    observer = Observer()
    try:
        observer.schedule(_Wake(), str(root), recursive=True)
        observer.start()
    except OSError as exc:  # inotify watch limit, a filesystem without events
        log.warning("no file events for %s (%s): polling", root, exc)
        return None
    return observer


def stop_inotify(observer: object) -> None:
    observer.stop()  # type: ignore[attr-defined]
    observer.join(timeout=5)  # type: ignore[attr-defined]

