"""The pipeline on Celery workers, with Redis as broker and batch ledger.

Granularity: one task per document on the ``ocr`` queue. A document's pages are
OCR'd in the worker that holds it (one tesseract thread per worker process, so N
processes keep N cores busy), then the same task finishes it (PDF/A, fields,
signature, storage, index): finishing is a few percent of a document's time, and
keeping it in the task spares shipping page images through the broker.

Exactly once, with late acknowledgement:
- the record id is derived from the source SHA-256 and the agency, so every stage
  writes the same keys; storage commits a record by writing its JSON last and
  discards an unfinished attempt's leftovers before trying again;
- a task is acknowledged only after it returns; a worker process killed mid-task
  (SIGKILL) leaves its message unacknowledged and the broker hands it out again: at
  once when only the pool child died, after the visibility timeout (two minutes by
  default) when the whole worker did; while a task runs it renews its claim
  (``ingest.heartbeat``), so a long document is not handed out a second time;
- the batch ledger records one outcome per file name (a Redis hash), so a task that
  runs twice counts once.

The original is staged in the object store (``_staging/<agency>/<sha256>``) so that
workers on any machine can read it; the staging object is removed once the record
is committed.
"""

from __future__ import annotations

import importlib
import io
import json
import logging
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import redis
from celery import Celery
from celery.signals import worker_init, worker_process_init

from application.operations import repair_index, run_fixity
from application.preflight import check_for_ingest
from application.runtime import Runtime
from application.settings import Settings
from ingest.admission import Admission, InputFile, failure
from ingest.errors import ALREADY_STORED, IngestError
from ingest.heartbeat import claim_kept, restore_options
from ingest.lifeline import die_with_parent
from ingest.outcome import FileOutcome, OutcomeStatus
from ingest.pipeline import Received, committed_record, finish, plan, receive
from ingest.workfolder import WorkFolder, discard
from ocr import run_page
from ocr.pipeline import engine_name
from records import record_id_for
from storage import Store

log = logging.getLogger("sohoa.distributed")

OCR_QUEUE = "ocr"
DEFAULT_QUEUE = "default"
MAX_ATTEMPTS = 3
LEDGER_TTL_SECONDS = 30 * 24 * 3600


def staging_key(agency: str, sha256: str) -> str:
    return f"_staging/{agency}/{sha256}"


@dataclass(frozen=True)
class TaskSpec:
    """One file of a batch as the ledger lists it and a ``sohoa.digitize`` task takes it.

    A file decided before queueing (refused, already stored) has only its name; a
    queued one has the staged original's agency and SHA-256 and the manifest's values.
    """

    filename: str
    agency: str | None = None
    sha256: str | None = None
    given: dict[str, str] = field(default_factory=dict)

    @property
    def queued(self) -> bool:
        return self.agency is not None and self.sha256 is not None

    @property
    def staged_key(self) -> str:
        assert self.agency is not None and self.sha256 is not None, "not queued"
        return staging_key(self.agency, self.sha256)

    def to_json(self) -> dict[str, Any]:
        """The one JSON form (a Celery argument, a ledger entry); the keys tasks queued
        before this type existed also carry, so either reads the other's."""
        if not self.queued:
            return {"filename": self.filename}
        return {"filename": self.filename, "agency": self.agency, "sha256": self.sha256,
                "given": dict(self.given), "queued": True}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TaskSpec:
        return cls(filename=data["filename"], agency=data.get("agency"),
                   sha256=data.get("sha256"), given=dict(data.get("given") or {}))


def make_celery(settings: Settings) -> Celery:
    if not settings.broker_url:
        raise ValueError("SOHOA_BROKER_URL is not set")
    app = Celery("sohoa", broker=settings.broker_url, backend=settings.broker_url)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=DEFAULT_QUEUE,
        task_routes={"sohoa.digitize": {"queue": OCR_QUEUE}},
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        # An unacknowledged task of a worker that vanished whole is handed out again
        # after this long; a running task renews its claim (``ingest.heartbeat``), so
        # the timeout need not exceed the longest document's processing time.
        broker_transport_options=restore_options(settings.broker_visibility_timeout),
        beat_schedule={
            "fixity": {
                "task": "sohoa.fixity",
                "schedule": settings.fixity_interval_seconds,
                "options": {"queue": DEFAULT_QUEUE},
            },
            "repair-index": {
                "task": "sohoa.repair_index",
                "schedule": settings.index_repair_interval_seconds,
                "options": {"queue": DEFAULT_QUEUE},
            },
        },
    )
    _register_tasks(app, settings)
    worker_process_init.connect(_tether_to_worker, weak=False, dispatch_uid="sohoa-lifeline")
    worker_init.connect(_prepare_pool_parent, weak=False, dispatch_uid="sohoa-preload")
    return app


def _prepare_pool_parent(**_: Any) -> None:
    """In ``sohoa worker``, before it forks its pool: what the embedded driver's
    forkserver does (``ingest.preload``): the unit indexes built once for every child,
    and the imported modules frozen out of the collector's scans, which ``ocr.assemble``
    runs before each PDF/A check (about 80 ms a document otherwise)."""
    importlib.import_module("ingest.preload")


def _tether_to_worker(**_: Any) -> None:
    """A pool child of ``sohoa worker`` ends with it (``ingest.lifeline``), so a killed
    worker leaves no process holding a task that the broker hands out again."""
    die_with_parent(os.getppid(), deathsig=False)


# --- the batch ledger (Redis) ------------------------------------------------------


@dataclass
class BatchProgress:
    batch_id: str
    total: int
    done: int
    failed: int
    skipped: int
    pages: int
    started_at: float
    updated_at: float

    @property
    def pending(self) -> int:
        return max(0, self.total - self.done - self.failed - self.skipped)

    @property
    def pages_per_minute(self) -> float:
        elapsed = max(self.updated_at - self.started_at, 1e-6)
        return self.pages / elapsed * 60

    @property
    def eta_seconds(self) -> float | None:
        finished = self.done + self.failed + self.skipped
        if not finished or not self.pending:
            return None if self.pending else 0.0
        return (self.updated_at - self.started_at) / finished * self.pending

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "total": self.total,
            "done": self.done,
            "failed": self.failed,
            "skipped": self.skipped,
            "pending": self.pending,
            "pages": self.pages,
            "pages_per_minute": round(self.pages_per_minute, 1),
            "eta_seconds": None if self.eta_seconds is None else round(self.eta_seconds),
        }


class Ledger:
    """Per-batch state in Redis: what was submitted, and one outcome per file."""

    def __init__(self, redis_url: str) -> None:
        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)

    def _key(self, batch_id: str, part: str) -> str:
        return f"sohoa:batch:{batch_id}:{part}"

    def start(self, batch_id: str, files: list[TaskSpec]) -> None:
        pipe = self.redis.pipeline()
        meta = self._key(batch_id, "meta")
        pipe.hsetnx(meta, "started_at", time.time())
        pipe.hset(meta, "total", len(files))
        for spec in files:
            pipe.hset(self._key(batch_id, "files"), spec.filename, json.dumps(spec.to_json()))
        for part in ("meta", "files"):
            pipe.expire(self._key(batch_id, part), LEDGER_TTL_SECONDS)
        pipe.execute()

    def record(self, batch_id: str, outcome: FileOutcome) -> None:
        """Store a file's outcome; a repeated delivery overwrites the same entry."""
        key = self._key(batch_id, "outcomes")
        pipe = self.redis.pipeline()
        entry = {"outcome": outcome.to_json(), "pages": outcome.pages}
        pipe.hset(key, outcome.filename, json.dumps(entry, ensure_ascii=False))
        pipe.hset(self._key(batch_id, "meta"), "updated_at", time.time())
        pipe.expire(key, LEDGER_TTL_SECONDS)
        pipe.execute()

    def forget(self, batch_id: str, filename: str) -> None:
        self.redis.hdel(self._key(batch_id, "outcomes"), filename)

    def submitted(self, batch_id: str) -> dict[str, dict[str, Any]]:
        """The batch's files as stored (``TaskSpec.to_json``), by name."""
        raw: dict[str, str] = self.redis.hgetall(self._key(batch_id, "files"))  # type: ignore[assignment]
        return {k: json.loads(v) for k, v in raw.items()}

    def task_specs(self, batch_id: str) -> dict[str, TaskSpec]:
        return {k: TaskSpec.from_json(v) for k, v in self.submitted(batch_id).items()}

    def outcomes(self, batch_id: str) -> dict[str, dict[str, Any]]:
        """The entries as stored, ``{"outcome": FileOutcome.to_json(), "pages": n}``."""
        raw: dict[str, str] = self.redis.hgetall(self._key(batch_id, "outcomes"))  # type: ignore[assignment]
        return {k: json.loads(v) for k, v in raw.items()}

    def file_outcomes(self, batch_id: str) -> dict[str, FileOutcome]:
        return {name: FileOutcome.from_json(name, entry.get("outcome") or {},
                                            int(entry.get("pages") or 0))
                for name, entry in self.outcomes(batch_id).items()}

    def progress(self, batch_id: str) -> BatchProgress | None:
        meta: dict[str, str] = self.redis.hgetall(self._key(batch_id, "meta"))  # type: ignore[assignment]
        if not meta:
            return None
        counts = dict.fromkeys(OutcomeStatus, 0)
        pages = 0
        for entry in self.outcomes(batch_id).values():
            counts[FileOutcome.status_of_json(entry.get("outcome") or {})] += 1
            pages += int(entry.get("pages") or 0)
        started = float(meta.get("started_at", time.time()))
        return BatchProgress(
            batch_id=batch_id,
            total=int(meta.get("total", 0)),
            done=counts[OutcomeStatus.INGESTED],
            failed=counts[OutcomeStatus.FAILED],
            skipped=counts[OutcomeStatus.SKIPPED],
            pages=pages,
            started_at=started,
            updated_at=float(meta.get("updated_at", started)),
        )


# --- the tasks ---------------------------------------------------------------------


class _WorkerState:
    """What a worker process builds once and reuses across tasks (one signer per
    process, as the signing issue asks for a batch)."""

    runtime: Runtime | None = None
    ledger: Ledger | None = None


def _register_tasks(app: Celery, settings: Settings) -> None:
    state = _WorkerState()

    def runtime() -> Runtime:
        if state.runtime is None:
            state.runtime = Runtime.open(settings)
        return state.runtime

    def ledger() -> Ledger:
        if state.ledger is None:
            assert settings.broker_url
            state.ledger = Ledger(settings.broker_url)
        return state.ledger

    @app.task(name="sohoa.digitize", bind=True, max_retries=MAX_ATTEMPTS - 1)
    def digitize(self: Any, batch_id: str, spec_json: dict[str, Any]) -> None:
        spec = TaskSpec.from_json(spec_json)  # Celery's JSON serializer: typed from here
        rt = runtime()
        try:
            with claim_kept(ledger().redis, app.conf.broker_transport_options,
                            self.request.id, settings.broker_visibility_timeout):
                outcome = digitize_staged(rt, spec)
        except IngestError as exc:  # the file itself is bad: retrying cannot help
            outcome = failure(spec.filename, exc)
            # Nor can `sohoa retry`: the staged original would only wait for ever.
            _discard_staged(rt.store, spec)
        except Exception as exc:
            attempt = self.request.retries + 1
            log.warning("digitizing %s failed (attempt %d of %d): %s",
                        spec.filename, attempt, MAX_ATTEMPTS, exc)
            if attempt < MAX_ATTEMPTS:
                # Celery re-raises ``exc`` itself once retries are exhausted, so the last
                # attempt is decided here: the ledger must get an outcome either way.
                raise self.retry(exc=exc, countdown=min(2 ** self.request.retries, 30)) from exc
            outcome = FileOutcome.failed(spec.filename, "failed_after_retries",
                                         f"{MAX_ATTEMPTS} lần thử đều lỗi: {exc}")
        ledger().record(batch_id, outcome)

    @app.task(name="sohoa.fixity")
    def fixity() -> dict[str, Any]:

        return run_fixity(runtime())

    @app.task(name="sohoa.repair_index")
    def repair() -> dict[str, Any]:

        return repair_index(runtime()).to_dict()


def digitize_staged(runtime: Runtime, spec: TaskSpec | dict[str, Any]) -> FileOutcome:
    """Digitize one staged original (its spec typed, or as the task received it);
    idempotent.

    A delivery may come after an earlier one committed the record (the worker died
    before acknowledging), even after it removed the staged original: the committed
    record is checked first, by the id the content gives.
    """
    if not isinstance(spec, TaskSpec):
        spec = TaskSpec.from_json(spec)
    agency, sha = spec.agency, spec.sha256
    assert agency is not None and sha is not None, "only queued files become tasks"
    store = runtime.store
    record = committed_record(store, runtime.index, agency, record_id_for(agency, sha))
    if record is not None:
        _discard_staged(store, spec)
        return FileOutcome.ingested(spec.filename, record, record.source.pages or 0)
    with WorkFolder() as work:
        received: Received = receive(
            io.BytesIO(store.get(spec.staged_key)), work=work.new_document(), agency=agency,
            max_bytes=runtime.settings.max_upload_bytes, filename=spec.filename,
            given=spec.given,
        )
        jobs = plan(received, languages=runtime.settings.languages,
                    max_pixels=runtime.settings.max_pixels)
        pages = [run_page(job) for job in jobs]
        record = finish(received, pages, store=store, index=runtime.index,
                        signer=runtime.signer(), lock=runtime.record_lock(received.record_id),
                        engine=engine_name(), languages=runtime.settings.languages,
                        result_types=runtime.settings.result_types_path,
                        handwriting=runtime.settings.handwriting,
                        line_model=runtime.settings.line_model)
    _discard_staged(store, spec)
    if record is None:  # the same document, committed meanwhile by another task
        return FileOutcome.skipped(spec.filename, ALREADY_STORED)
    return FileOutcome.ingested(spec.filename, record, len(pages))


def _discard_staged(store: Store, spec: TaskSpec) -> None:
    if store.head(spec.staged_key) is not None:
        store.delete(spec.staged_key)


# --- the submitting side -----------------------------------------------------------


def submit_batch(
    files: Iterable[InputFile], runtime: Runtime, app: Celery, *, batch_id: str, agency: str
) -> list[FileOutcome]:
    """Stage and enqueue a batch; returns the outcomes decided before enqueueing
    (bad files, files already stored), which are written to the ledger too."""
    # The workers check OCR and key when they start; staging needs store and index.
    check_for_ingest(runtime, ocr_here=False)
    ledger = Ledger(runtime.settings.broker_url or "")
    early: list[FileOutcome] = []
    specs: list[TaskSpec] = []
    # The ledger keeps one outcome per name: admission names two files named alike in
    # different folders "a.pdf" and "a (2).pdf", or the batch would wait for ever.
    with WorkFolder() as work:
        admission = Admission(runtime, agency, work)
        for item in files:
            admitted = admission.admit(item)
            if isinstance(admitted, FileOutcome):
                early.append(admitted)
                specs.append(TaskSpec(admitted.filename))
                continue
            spec = TaskSpec(admitted.source.filename, agency=admitted.agency,
                            sha256=admitted.source.sha256, given=dict(item.given))
            # The copy admission hashed, so the staged bytes are those the task's id
            # (agency and checksum) names.
            runtime.store.put(spec.staged_key, admitted.path.read_bytes(),
                              content_type=admitted.source.media_type)
            discard(admitted.work)
            specs.append(spec)
    ledger.start(batch_id, specs)
    for outcome in early:
        ledger.record(batch_id, outcome)
    for spec in specs:
        if spec.queued:
            app.send_task("sohoa.digitize", args=[batch_id, spec.to_json()], queue=OCR_QUEUE)
    return early


def retry_failed(runtime: Runtime, app: Celery, batch_id: str) -> int:
    """Re-queue the batch's failed documents whose originals are still staged."""
    ledger = Ledger(runtime.settings.broker_url or "")
    submitted = ledger.task_specs(batch_id)
    count = 0
    for name, outcome in ledger.file_outcomes(batch_id).items():
        spec = submitted.get(name)
        if outcome.status is not OutcomeStatus.FAILED or spec is None or not spec.queued:
            continue
        if runtime.store.head(spec.staged_key) is None:
            continue
        ledger.forget(batch_id, name)
        app.send_task("sohoa.digitize", args=[batch_id, spec.to_json()], queue=OCR_QUEUE)
        count += 1
    return count


def follow(ledger: Ledger, batch_id: str, *, poll_seconds: float = 0.5,
           timeout: float | None = None) -> Iterator[FileOutcome]:
    """Yield each file's outcome as it lands, until the batch is complete."""
    seen: set[str] = set()
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        for name, outcome in ledger.file_outcomes(batch_id).items():
            if name not in seen:
                seen.add(name)
                yield outcome
        progress = ledger.progress(batch_id)
        if progress is not None and progress.pending == 0 and len(seen) >= progress.total:
            return
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"batch {batch_id} not complete after {timeout} s")
        time.sleep(poll_seconds)
