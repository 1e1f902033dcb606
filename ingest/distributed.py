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
  (SIGKILL) leaves its message unacknowledged and the broker hands it out again;
- the batch ledger records one outcome per file name (a Redis hash), so a task that
  runs twice counts once.

The original is staged in the object store (``_staging/<agency>/<sha256>``) so that
workers on any machine can read it; the staging object is removed once the record
is committed.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from celery import Celery

from ingest.admission import Admission, InputFile
from ingest.errors import ALREADY_STORED, IngestError
from ingest.pipeline import (
    Outcome,
    Received,
    committed_record,
    finish,
    plan,
    receive,
    skipped,
)
from ingest.preflight import check_for_ingest
from ingest.runtime import Runtime
from ingest.settings import Settings
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
        # after this long; it must exceed the longest document's processing time.
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout},
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
    return app


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
        import redis

        self.redis = redis.Redis.from_url(redis_url, decode_responses=True)

    def _key(self, batch_id: str, part: str) -> str:
        return f"sohoa:batch:{batch_id}:{part}"

    def start(self, batch_id: str, files: list[dict[str, Any]]) -> None:
        pipe = self.redis.pipeline()
        meta = self._key(batch_id, "meta")
        pipe.hsetnx(meta, "started_at", time.time())
        pipe.hset(meta, "total", len(files))
        for spec in files:
            pipe.hset(self._key(batch_id, "files"), spec["filename"], json.dumps(spec))
        for part in ("meta", "files"):
            pipe.expire(self._key(batch_id, part), LEDGER_TTL_SECONDS)
        pipe.execute()

    def record(self, batch_id: str, filename: str, outcome: dict[str, Any], pages: int) -> None:
        """Store a file's outcome; a repeated delivery overwrites the same entry."""
        key = self._key(batch_id, "outcomes")
        pipe = self.redis.pipeline()
        pipe.hset(key, filename, json.dumps({"outcome": outcome, "pages": pages},
                                            ensure_ascii=False))
        pipe.hset(self._key(batch_id, "meta"), "updated_at", time.time())
        pipe.expire(key, LEDGER_TTL_SECONDS)
        pipe.execute()

    def forget(self, batch_id: str, filename: str) -> None:
        self.redis.hdel(self._key(batch_id, "outcomes"), filename)

    def submitted(self, batch_id: str) -> dict[str, dict[str, Any]]:
        raw: dict[str, str] = self.redis.hgetall(self._key(batch_id, "files"))  # type: ignore[assignment]
        return {k: json.loads(v) for k, v in raw.items()}

    def outcomes(self, batch_id: str) -> dict[str, dict[str, Any]]:
        raw: dict[str, str] = self.redis.hgetall(self._key(batch_id, "outcomes"))  # type: ignore[assignment]
        return {k: json.loads(v) for k, v in raw.items()}

    def progress(self, batch_id: str) -> BatchProgress | None:
        meta: dict[str, str] = self.redis.hgetall(self._key(batch_id, "meta"))  # type: ignore[assignment]
        if not meta:
            return None
        counts = {"ingested": 0, "failed": 0, "skipped": 0}
        pages = 0
        for entry in self.outcomes(batch_id).values():
            status = entry["outcome"].get("status")
            counts["ingested" if status not in counts else status] += 1
            pages += int(entry.get("pages") or 0)
        started = float(meta.get("started_at", time.time()))
        return BatchProgress(
            batch_id=batch_id,
            total=int(meta.get("total", 0)),
            done=counts["ingested"],
            failed=counts["failed"],
            skipped=counts["skipped"],
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
    def digitize(self: Any, batch_id: str, spec: dict[str, Any]) -> None:
        rt = runtime()
        try:
            outcome = digitize_staged(rt, spec)
        except IngestError as exc:  # the file itself is bad: retrying cannot help
            outcome = Outcome(spec["filename"], "failed", reason=exc.reason, code=exc.code)
            # Nor can `sohoa retry`: the staged original would only wait for ever.
            _discard_staged(rt.store, spec["agency"], spec["sha256"])
        except Exception as exc:
            attempt = self.request.retries + 1
            log.warning("digitizing %s failed (attempt %d of %d): %s",
                        spec["filename"], attempt, MAX_ATTEMPTS, exc)
            if attempt < MAX_ATTEMPTS:
                # Celery re-raises ``exc`` itself once retries are exhausted, so the last
                # attempt is decided here: the ledger must get an outcome either way.
                raise self.retry(exc=exc, countdown=min(2 ** self.request.retries, 30)) from exc
            outcome = Outcome(
                spec["filename"], "failed", code="failed_after_retries",
                reason=f"failed_after_retries: {MAX_ATTEMPTS} lần thử đều lỗi: {exc}",
            )
        ledger().record(batch_id, spec["filename"], outcome.to_dict(), outcome.pages)

    @app.task(name="sohoa.fixity")
    def fixity() -> dict[str, Any]:
        from ingest.operations import run_fixity

        return run_fixity(runtime())

    @app.task(name="sohoa.repair_index")
    def repair() -> dict[str, Any]:
        from ingest.operations import repair_index

        return repair_index(runtime()).to_dict()


def digitize_staged(runtime: Runtime, spec: dict[str, Any]) -> Outcome:
    """Digitize one staged original; idempotent.

    A delivery may come after an earlier one committed the record (the worker died
    before acknowledging), even after it removed the staged original: the committed
    record is checked first, by the id the content gives.
    """
    agency, sha = spec["agency"], spec["sha256"]
    store = runtime.store
    record = committed_record(store, runtime.index, agency, record_id_for(agency, sha))
    if record is not None:
        _discard_staged(store, agency, sha)
        return Outcome(spec["filename"], "ingested", record=record,
                       pages=record.source.pages or 0)
    with tempfile.TemporaryDirectory(prefix="sohoa-task-") as tmp:
        path = Path(tmp) / Path(spec["filename"]).name
        path.write_bytes(store.get(staging_key(agency, sha)))
        received: Received = receive(
            path, agency=agency, max_bytes=runtime.settings.max_upload_bytes,
            filename=spec["filename"], given=spec.get("given") or {},
        )
        jobs = plan(received, languages=runtime.settings.languages,
                    max_pixels=runtime.settings.max_pixels)
        pages = [run_page(job) for job in jobs]
        record = finish(received, pages, store=store, index=runtime.index,
                        signer=runtime.signer(), lock=runtime.record_lock(received.record_id),
                        engine=engine_name(), languages=runtime.settings.languages,
                        result_types=runtime.settings.result_types_path)
    _discard_staged(store, agency, sha)
    if record is None:  # the same document, committed meanwhile by another task
        return skipped(spec["filename"], ALREADY_STORED)
    return Outcome(spec["filename"], "ingested", record=record, pages=len(pages))


def _discard_staged(store: Store, agency: str, sha256: str) -> None:
    if store.head(staging_key(agency, sha256)) is not None:
        store.delete(staging_key(agency, sha256))


# --- the submitting side -----------------------------------------------------------


def submit_batch(
    files: Iterable[InputFile], runtime: Runtime, app: Celery, *, batch_id: str, agency: str
) -> list[Outcome]:
    """Stage and enqueue a batch; returns the outcomes decided before enqueueing
    (bad files, files already stored), which are written to the ledger too."""
    # The workers check OCR and key when they start; staging needs store and index.
    check_for_ingest(runtime, ocr_here=False)
    ledger = Ledger(runtime.settings.broker_url or "")
    early: list[Outcome] = []
    specs: list[dict[str, Any]] = []
    # The ledger keeps one outcome per name: admission names two files named alike in
    # different folders "a.pdf" and "a (2).pdf", or the batch would wait for ever.
    admission = Admission(runtime, agency)
    for item in files:
        admitted = admission.admit(item)
        if isinstance(admitted, Outcome):
            early.append(admitted)
            specs.append({"filename": admitted.filename})
            continue
        received = admitted
        runtime.store.put(staging_key(received.agency, received.source.sha256),
                          item.path.read_bytes(),
                          content_type=received.source.media_type)
        specs.append({"filename": received.source.filename, "agency": received.agency,
                      "sha256": received.source.sha256,
                      "given": item.given, "queued": True})
    ledger.start(batch_id, specs)
    for outcome in early:
        ledger.record(batch_id, outcome.filename, outcome.to_dict(), 0)
    for spec in specs:
        if spec.get("queued"):
            app.send_task("sohoa.digitize", args=[batch_id, spec], queue=OCR_QUEUE)
    return early


def retry_failed(runtime: Runtime, app: Celery, batch_id: str) -> int:
    """Re-queue the batch's failed documents whose originals are still staged."""
    ledger = Ledger(runtime.settings.broker_url or "")
    submitted = ledger.submitted(batch_id)
    count = 0
    for name, entry in ledger.outcomes(batch_id).items():
        spec = submitted.get(name) or {}
        if entry["outcome"].get("status") != "failed" or not spec.get("queued"):
            continue
        if runtime.store.head(staging_key(spec["agency"], spec["sha256"])) is None:
            continue
        ledger.forget(batch_id, name)
        app.send_task("sohoa.digitize", args=[batch_id, spec], queue=OCR_QUEUE)
        count += 1
    return count


def follow(ledger: Ledger, batch_id: str, *, poll_seconds: float = 0.5,
           timeout: float | None = None) -> Iterator[dict[str, Any]]:
    """Yield each file's outcome as it lands, until the batch is complete."""
    seen: set[str] = set()
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        for name, entry in ledger.outcomes(batch_id).items():
            if name not in seen:
                seen.add(name)
                yield entry["outcome"]
        progress = ledger.progress(batch_id)
        if progress is not None and progress.pending == 0 and len(seen) >= progress.total:
            return
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"batch {batch_id} not complete after {timeout} s")
        time.sleep(poll_seconds)
