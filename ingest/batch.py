"""The in-process batch driver: OCR pages on a process pool, finish documents here.

Pages of all documents are spread over one worker process per core (one tesseract
thread each, which on this hardware beats tesseract's own OpenMP threads several
times over). The driver process assembles, signs, stores and indexes each document as
soon as its last page is back, so signing and storage overlap with OCR. A bounded
window of pages in flight keeps memory flat on a backlog of any size.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from application.preflight import check_for_ingest
from application.runtime import Runtime
from ingest.admission import Admission, InputFile, discover, failure, reading_failure
from ingest.errors import ALREADY_STORED, IngestError
from ingest.lifeline import tethered_pool
from ingest.outcome import FileOutcome
from ingest.pipeline import Received, commit_once, compose, plan
from ingest.warmup import warm
from ingest.workfolder import WorkFolder, discard
from ocr import PageJob, PageResult, run_page
from ocr.pipeline import engine_name
from signing import Signer

__all__ = ["InputFile", "Scheduler", "WorkerPool", "discover", "new_batch_id", "run_batch"]

log = logging.getLogger("sohoa.ingest")

ProgressCallback = Callable[[FileOutcome], None]


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def run_batch(
    files: Iterable[InputFile],
    runtime: Runtime,
    *,
    agency: str | None = None,
    on_outcome: ProgressCallback | None = None,
    executor: Executor | WorkerPool | None = None,
) -> list[FileOutcome]:
    """Digitize files; one bad file fails alone and the batch goes on.

    Three parts: the checks before any work (``application.preflight``), admission of each
    file (``ingest.admission``: refused, skipped or let in), and the ``Scheduler`` that
    runs the admitted documents' pages and commits each document.

    ``executor``: by default a process pool made for this batch; a ``WorkerPool`` the
    caller keeps across batches saves its start-up (``sohoa watch``: about 0.7 s a
    batch) and is renewed like the batch's own when a worker dies.
    """
    # The batch's own pool is made first: its forkserver then prepares the workers
    # (``ingest.preload``) while this process checks and admits.
    own = WorkerPool(max(1, runtime.settings.workers)) if executor is None else None
    try:
        # Before any OCR: tesseract and its languages, store, index and key are the
        # batch's problem, not each file's (a ``records.errors.SohoaError`` from
        # ``application.preflight``).
        check_for_ingest(runtime)
        return _run_admitted(files, runtime, agency, on_outcome, own or executor,
                             release=own is not None)
    finally:
        if own is not None:
            own.shutdown()


def _run_admitted(files: Iterable[InputFile], runtime: Runtime, agency: str | None,
                  on_outcome: ProgressCallback | None,
                  executor: Executor | WorkerPool | None, *,
                  release: bool = False) -> list[FileOutcome]:
    outcomes: list[FileOutcome] = []

    def emit(outcome: FileOutcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    with WorkFolder() as work:
        admission = Admission(runtime, agency or runtime.settings.agency, work)
        scheduler = Scheduler(runtime, runtime.signer(), emit, executor, release=release)
        try:
            for item in files:
                admitted = admission.admit(item)
                if isinstance(admitted, FileOutcome):
                    emit(admitted)
                else:
                    scheduler.add(admitted)
            scheduler.finish()
        finally:
            scheduler.shutdown()
    return outcomes


@dataclass
class _Pending:
    """A document whose pages are being read."""

    received: Received
    expected: int
    results: dict[int, PageResult] = field(default_factory=dict)
    error: IngestError | None = None  # the first page failure: the document's outcome


def page_failure(index: int, exc: BaseException) -> IngestError:
    """Why a page failed, as the failure of its document."""
    if isinstance(exc, IngestError):
        return exc
    return IngestError("ocr_failed", f"trang {index + 1}: {exc}")


class Scheduler:
    """The admitted documents' pages on a process pool, then each document finished.

    Worker processes OCR the pages and compose each document (archival PDF, fields)
    as soon as its last page is back; this process only signs, stores and indexes, so
    it never competes with the OCR for a core for long. A window of at most
    ``3 × workers`` pages in flight keeps memory flat on a backlog of any size.

    The window counts pages, not compositions: a slot opens when a page comes back,
    not when its document is committed, so the next pages are queued ahead of the
    compositions still to come. The pool runs jobs in the order they were sent; when
    the window waited for whole documents, the batch's last pages were sent late and
    queued behind the compositions of the documents before them, and the last page,
    which one worker then reads alone while the other idles, started later
    (``bench/README_ocr.md``, "idle cores at a batch's start and end"). A composition
    still waits behind at most a window of pages, as before.
    """

    def __init__(self, runtime: Runtime, signer: Signer, emit: ProgressCallback,
                 executor: Executor | WorkerPool | None = None, *,
                 release: bool = False) -> None:
        settings = runtime.settings
        self.runtime = runtime
        self.signer = signer
        self.emit = emit
        self.workers = _Workers(max(1, settings.workers), executor)
        self.window = max(2, settings.workers * 3)
        # Each future in flight with what to do once it is done.
        self.in_flight: dict[Future[Any], Callable[[Future[Any]], None]] = {}
        self.pages_in_flight = 0  # the futures of ``in_flight`` that read a page
        self._engine: str | None = None
        # ``release``: the pool is this batch's own (``run_batch``), let go as soon as
        # its last job is back (``_release_if_idle``); ``closing``: every file admitted.
        self.release = release
        self.closing = False

    def add(self, received: Received) -> None:
        """Queue a document's pages (waiting while the window is full)."""
        settings = self.runtime.settings
        try:
            jobs = plan(received, languages=settings.languages, max_pixels=settings.max_pixels)
        except Exception as exc:  # a file that cannot be paged fails alone
            self._done(received, reading_failure(received.source.filename, exc))
            return
        pending = _Pending(received=received, expected=len(jobs))
        for job in jobs:
            while self.pages_in_flight >= self.window:
                self._handle_finished()
            future = self.workers.submit(run_page, job)
            self.pages_in_flight += 1
            self.in_flight[future] = functools.partial(self._page_done, pending, job)

    def drain(self, block_until_below: int) -> None:
        """Handle finished futures until fewer than ``block_until_below`` are in flight."""
        while len(self.in_flight) > block_until_below:
            self._handle_finished()

    def _handle_finished(self) -> None:
        """Wait for at least one future in flight, and handle each finished one."""
        done, _ = wait(list(self.in_flight), return_when=FIRST_COMPLETED)
        for future in done:
            self.in_flight.pop(future)(future)

    @property
    def engine(self) -> str:
        """Tesseract's version for the records, asked (a ``tesseract --version`` run) when
        the first document is composed, while the workers read pages: before the first
        page is sent, this process's start is one of the two a batch's first page waits
        for (``bench/ingest_timeline.py``), and the run cost 15–80 ms of its wall there."""
        if self._engine is None:
            self._engine = engine_name()
        return self._engine

    def finish(self) -> None:
        """Every file is admitted: finish what is in flight."""
        self.closing = True
        self.drain(0)

    def shutdown(self) -> None:
        self.workers.shutdown()

    def _release_if_idle(self) -> None:
        """The batch's own workers told to exit once nothing more can be sent to them
        (every file admitted, no job in flight), before the last document is committed:
        their exit (~40 ms of the kernel freeing each one's models and pages) then runs
        beside that commit's signing and ``fsync``s instead of after it, at the end of
        the batch when both cores are otherwise idle. ``run_batch`` still waits for
        them at its end."""
        if self.release and self.closing and not self.in_flight:
            self.workers.release()

    def _page_done(self, pending: _Pending, job: PageJob, future: Future[Any]) -> None:
        self.pages_in_flight -= 1
        try:
            pending.results[job.index] = self.workers.result(future, run_page, job)
        except Exception as exc:
            log.warning("page %d of %s failed: %s", job.index + 1,
                        pending.received.source.filename, exc)
            pending.error = pending.error or page_failure(job.index, exc)
            pending.results[job.index] = _placeholder(job.index)
        if len(pending.results) == pending.expected:
            self._all_pages_done(pending)

    def _all_pages_done(self, pending: _Pending) -> None:
        received = pending.received
        if pending.error is not None:
            self._done(received, failure(received.source.filename, pending.error))
            return
        pages = [pending.results[i] for i in sorted(pending.results)]
        settings = self.runtime.settings
        task = functools.partial(compose, received, pages, engine=self.engine,
                                 languages=settings.languages,
                                 result_types=settings.result_types_path,
                                 handwriting=settings.handwriting,
                                 line_model=settings.line_model)
        future = self.workers.submit(task)
        self.in_flight[future] = functools.partial(self._composed_done, received, len(pages),
                                                   task)

    def _composed_done(self, received: Received, pages: int, task: Callable[[], Any],
                       future: Future[Any]) -> None:
        name = received.source.filename
        runtime = self.runtime
        try:
            composed = self.workers.result(future, task)
            self._release_if_idle()
            record = commit_once(received, composed, store=runtime.store, index=runtime.index,
                                 signer=self.signer,
                                 lock=runtime.record_lock(received.record_id))
        except Exception as exc:
            self._done(received, failure(name, exc, pages))
        else:
            self._done(received, FileOutcome.skipped(name, ALREADY_STORED) if record is None
                       else FileOutcome.ingested(name, record, pages))

    def _done(self, received: Received, outcome: FileOutcome) -> None:
        """The document's outcome; its work folder is no longer needed."""
        discard(received.work)
        self.emit(outcome)


# Imported by the pool's forkserver before it forks a worker (``ingest.lifeline``).
PRELOAD = ("ingest.preload",)


def _pool(size: int) -> ProcessPoolExecutor:
    """Worker processes that die with this one (``ingest.lifeline``), forked with their
    modules imported and the official-unit indexes built (``ingest.preload``); the
    initializer builds the indexes where the forkserver could not (about 0.6 s each),
    so not inside the first paper's extraction either way."""
    return tethered_pool(size, initializer=warm, preload=PRELOAD)


class WorkerPool:
    """A process pool (``tethered_pool``, warmed) that is replaced when a worker dies;
    made by a batch for itself, or kept by a caller across batches."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.pool = _pool(size)

    def renew(self) -> None:
        try:
            self.pool.submit(int).result()
            return  # already replaced since this future's pool broke
        except BrokenProcessPool:
            pass
        self.pool.shutdown(wait=False, cancel_futures=False)
        self.pool = _pool(self.size)

    def release(self) -> None:
        """Let the workers exit when they have nothing left, without waiting for them
        (``shutdown`` later waits). Nothing may be submitted after this."""
        self.pool.shutdown(wait=False)

    def shutdown(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class _Workers:
    """The process pool, made robust to a worker dying (a page that crashes tesseract
    or exhausts memory): the pool is replaced, and each job that was in it is run
    again alone, so only the job that kills its process fails. A plain ``Executor``
    given by the caller cannot be replaced: its jobs fail instead."""

    def __init__(self, size: int, executor: Executor | WorkerPool | None) -> None:
        self.size = size
        self.own = executor is None
        self.keeper = WorkerPool(size) if executor is None else (
            executor if isinstance(executor, WorkerPool) else None)
        self.fixed = executor if isinstance(executor, Executor) else None

    @property
    def pool(self) -> Executor:
        if self.keeper is not None:
            return self.keeper.pool
        assert self.fixed is not None
        return self.fixed

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future[Any]:
        try:
            return self.pool.submit(fn, *args)
        except BrokenProcessPool:
            self._renew()
            return self.pool.submit(fn, *args)

    def result(self, future: Future[Any], fn: Callable[..., Any], *args: Any) -> Any:
        try:
            return future.result()
        except BrokenProcessPool:
            log.warning("a worker process died; running %s again on its own", _name(fn, args))
            self._renew()
            with _pool(1) as alone:
                try:
                    return alone.submit(fn, *args).result()
                except BrokenProcessPool as exc:
                    raise IngestError(
                        "worker_crashed",
                        "Tiến trình xử lý bị dừng đột ngột khi xử lý tệp này "
                        "(tệp hỏng hoặc quá lớn).",
                    ) from exc

    def release(self) -> None:
        """``WorkerPool.release`` of the pool kept (a caller's plain executor is not
        this batch's to let go)."""
        if self.keeper is not None:
            self.keeper.release()

    def _renew(self) -> None:
        if self.keeper is None:
            raise IngestError("worker_crashed", "Tiến trình xử lý bị dừng đột ngột.")
        self.keeper.renew()

    def shutdown(self) -> None:
        if self.own and self.keeper is not None:
            self.keeper.shutdown()


def _name(fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    if args and isinstance(args[0], PageJob):
        return f"page {args[0].index + 1} of {args[0].source_path}"
    return getattr(fn, "__name__", "a task")


def _placeholder(index: int) -> PageResult:
    return PageResult(
        number=index + 1, text="", words=[], width_px=0, height_px=0, dpi=None,
        dpi_assumed=False, rotated=0, deskew=0.0, mean_confidence=None, blank=True,
        had_text=False, pdf_path="",  # never assembled: its document fails
    )

