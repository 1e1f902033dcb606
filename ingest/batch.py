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
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import ALREADY_STORED, DUPLICATE_IN_BATCH, IngestError
from ingest.pipeline import (
    Outcome,
    Received,
    commit_once,
    committed_record,
    compose,
    plan,
    receive,
    skipped,
)
from ingest.preflight import check_for_ingest
from ingest.runtime import Runtime
from ocr import PageJob, PageResult, run_page
from ocr.pipeline import engine_name

log = logging.getLogger("sohoa.ingest")

SUPPORTED_SUFFIXES = {".pdf", ".tif", ".tiff", ".jpg", ".jpeg", ".png"}


@dataclass
class InputFile:
    path: Path
    given: dict[str, str] = field(default_factory=dict)


def discover(paths: Iterable[Path]) -> Iterator[InputFile]:
    """Files named, and files under folders named (recursively, sorted).

    Inside folders, only files whose names look like scans are taken (the type is
    still checked from the bytes); a file named explicitly is always tried. A
    ``manifest.csv`` in a folder gives known values for the files beside it.
    """
    for path in paths:
        if path.is_dir():
            manifests: dict[Path, dict[str, dict[str, str]]] = {}
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.suffix.lower() not in SUPPORTED_SUFFIXES:
                    continue
                manifest = manifests.setdefault(file.parent, _manifest_for(file.parent))
                yield InputFile(file, manifest.get(file.name, {}))
        else:
            yield InputFile(path, _manifest_for(path.parent).get(path.name, {}))


def _manifest_for(folder: Path) -> dict[str, dict[str, str]]:
    candidate = folder / "manifest.csv"
    if not candidate.is_file():
        return {}
    from extract.manifest import load_manifest

    return load_manifest(candidate)


@dataclass
class _Pending:
    received: Received
    results: dict[int, PageResult] = field(default_factory=dict)
    expected: int = 0
    error: str | None = None
    code: str | None = None


ProgressCallback = Callable[[Outcome], None]


def new_batch_id() -> str:
    return uuid.uuid4().hex[:16]


def run_batch(
    files: Iterable[InputFile],
    runtime: Runtime,
    *,
    agency: str | None = None,
    on_outcome: ProgressCallback | None = None,
    executor: Executor | None = None,
) -> list[Outcome]:
    """Digitize files; one bad file fails alone and the batch goes on.

    Worker processes OCR the pages and compose each document (archival PDF, fields);
    this process only signs, stores and indexes, so it never competes with the OCR
    for a core for long.
    """
    settings = runtime.settings
    agency = agency or settings.agency
    # Before any OCR: tesseract and its languages, store, index and key are the batch's
    # problem, not each file's (a ``records.errors.SohoaError`` from ``ingest.preflight``).
    check_for_ingest(runtime)
    signer = runtime.signer()
    outcomes: list[Outcome] = []
    workers = _Workers(max(1, settings.workers), executor)
    window = max(2, settings.workers * 3)
    # Each future in flight with what to do once it is done.
    in_flight: dict[Future[Any], Callable[[Future[Any]], None]] = {}
    engine = engine_name()

    def emit(outcome: Outcome) -> None:
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)

    def failed(name: str, exc: BaseException, pages: int = 0) -> Outcome:
        if isinstance(exc, IngestError):
            return Outcome(name, "failed", reason=exc.reason, code=exc.code, pages=pages)
        log.error("digitizing %s failed", name, exc_info=exc)
        return Outcome(name, "failed", reason=f"internal_error: {exc}", code="internal_error")

    def page_done(pending: _Pending, job: PageJob) -> Callable[[Future[Any]], None]:
        index = job.index

        def done(future: Future[Any]) -> None:
            try:
                pending.results[index] = workers.result(future, run_page, job)
            except Exception as exc:
                log.warning("page %d of %s failed: %s", index + 1, pending.received.path, exc)
                if pending.error is None:
                    if isinstance(exc, IngestError):
                        pending.error, pending.code = exc.reason, exc.code
                    else:
                        pending.error = f"ocr_failed: trang {index + 1}: {exc}"
                        pending.code = "ocr_failed"
                pending.results[index] = _placeholder(index)
            if len(pending.results) == pending.expected:
                all_pages_done(pending)

        return done

    def all_pages_done(pending: _Pending) -> None:
        name = pending.received.source.filename
        if pending.error is not None:
            emit(Outcome(name, "failed", reason=pending.error, code=pending.code))
            return
        pages = [pending.results[i] for i in sorted(pending.results)]
        task = functools.partial(compose, pending.received, pages, engine=engine,
                                 languages=settings.languages,
                                 result_types=settings.result_types_path)
        in_flight[workers.submit(task)] = composed_done(pending.received, len(pages), task)

    def composed_done(
        received: Received, pages: int, task: Callable[[], Any]
    ) -> Callable[[Future[Any]], None]:
        def done(future: Future[Any]) -> None:
            name = received.source.filename
            try:
                composed = workers.result(future, task)
                record = commit_once(received, composed, store=runtime.store,
                                     index=runtime.index, signer=signer,
                                     lock=runtime.record_lock(received.record_id))
            except Exception as exc:
                emit(failed(name, exc, pages))
            else:
                emit(skipped(name, ALREADY_STORED) if record is None
                     else Outcome(name, "ingested", record=record, pages=pages))

        return done

    def drain(block_until_below: int) -> None:
        while len(in_flight) > block_until_below:
            done, _ = wait(list(in_flight), return_when=FIRST_COMPLETED)
            for future in done:
                in_flight.pop(future)(future)

    batch_ids: set[str] = set()  # the records this batch digitizes
    try:
        for item in files:
            name = item.path.name
            try:
                received = receive(
                    item.path,
                    agency=agency,
                    max_bytes=settings.max_upload_bytes,
                    given=item.given,
                )
                if committed_record(runtime.store, runtime.index, received.agency,
                                    received.record_id):
                    emit(skipped(name, ALREADY_STORED))
                    continue
                if received.record_id in batch_ids:
                    emit(skipped(name, DUPLICATE_IN_BATCH))
                    continue
                batch_ids.add(received.record_id)
                jobs = plan(received, languages=settings.languages, max_pixels=settings.max_pixels)
            except IngestError as exc:
                emit(Outcome(name, "failed", reason=exc.reason, code=exc.code))
                continue
            except OSError as exc:
                emit(Outcome(name, "failed", reason=f"unreadable: {exc}", code="unreadable"))
                continue
            except Exception as exc:  # a bug or an input nobody foresaw: this file only
                emit(failed(name, exc))
                continue
            pending = _Pending(received=received, expected=len(jobs))
            for job in jobs:
                drain(window - 1)
                in_flight[workers.submit(run_page, job)] = page_done(pending, job)
        drain(0)
    finally:
        workers.shutdown()
    return outcomes



def _pool(size: int) -> ProcessPoolExecutor:
    """Worker processes that build the official-unit indexes when they start (about
    0.6 s each), not inside the first paper's extraction."""
    from extract.places import warm

    return ProcessPoolExecutor(max_workers=size, initializer=warm)

class _Workers:
    """The process pool, made robust to a worker dying (a page that crashes tesseract
    or exhausts memory): the pool is replaced, and each job that was in it is run
    again alone, so only the job that kills its process fails."""

    def __init__(self, size: int, executor: Executor | None) -> None:
        self.size = size
        self.own = executor is None
        self.pool: Executor = executor or _pool(size)

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
            with ProcessPoolExecutor(max_workers=1) as alone:
                try:
                    return alone.submit(fn, *args).result()
                except BrokenProcessPool as exc:
                    raise IngestError(
                        "worker_crashed",
                        "Tiến trình xử lý bị dừng đột ngột khi xử lý tệp này "
                        "(tệp hỏng hoặc quá lớn).",
                    ) from exc

    def _renew(self) -> None:
        if not self.own:
            raise IngestError("worker_crashed", "Tiến trình xử lý bị dừng đột ngột.")
        try:
            self.pool.submit(int).result()
            return  # already replaced since this future's pool broke
        except BrokenProcessPool:
            pass
        self.pool.shutdown(wait=False, cancel_futures=False)
        self.pool = _pool(self.size)

    def shutdown(self) -> None:
        if self.own:
            self.pool.shutdown(wait=True, cancel_futures=True)


def _name(fn: Callable[..., Any], args: tuple[Any, ...]) -> str:
    if args and isinstance(args[0], PageJob):
        return f"page {args[0].index + 1} of {args[0].source_path}"
    return getattr(fn, "__name__", "a task")


def _placeholder(index: int) -> PageResult:
    return PageResult(
        number=index + 1, text="", words=[], width_px=0, height_px=0, dpi=None,
        dpi_assumed=False, rotated=0, deskew=0.0, mean_confidence=None, blank=True,
        had_text=False, pdf_page=b"",
    )

