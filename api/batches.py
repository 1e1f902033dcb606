"""Upload batches: their progress while they run, and their report once done.

``BatchTracker`` is the protocol the API talks to; ``MemoryBatches`` keeps progress
in this process (enough for one API process; a Redis-backed tracker can replace it
for several replicas). ``BatchRunner`` digitizes accepted uploads one batch at a time
on a background thread, so a burst of uploads queues instead of starting one process
pool each, and writes the final report to ``{agency}/batches/{batch_id}.json``.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from ingest.settings import Settings
from records import utc_now

log = logging.getLogger("sohoa.api.batches")

BatchStatus = Literal["queued", "running", "done", "failed"]
FileStatus = Literal["pending", "ingested", "skipped", "failed", "rejected"]


@dataclass
class FileProgress:
    filename: str
    accepted: bool
    status: FileStatus
    size: int = 0
    media_type: str | None = None
    code: str | None = None
    message: str | None = None
    record_id: str | None = None
    record_status: str | None = None
    pages: int = 0


@dataclass
class BatchState:
    id: str
    agency: str
    actor: str
    files: list[FileProgress]
    status: BatchStatus = "queued"
    created_at: str = field(default_factory=utc_now)
    finished_at: str | None = None

    def counts(self) -> dict[str, int]:
        out = {"total": len(self.files), "done": 0}
        for f in self.files:
            out[f.status] = out.get(f.status, 0) + 1
            if f.status != "pending":
                out["done"] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["counts"] = self.counts()
        return data


def report_key(agency: str, batch_id: str) -> str:
    return f"{agency}/batches/{batch_id}.json"


class BatchTracker(Protocol):
    def add(self, batch: BatchState) -> None: ...

    def set_status(self, batch_id: str, status: BatchStatus) -> None: ...

    def file_done(self, batch_id: str, outcome: dict[str, Any]) -> None:
        """Record one file's outcome (``Outcome.to_dict()`` shape, plus ``filename``)."""
        ...

    def get(self, batch_id: str) -> BatchState | None: ...


class MemoryBatches:
    """In-process tracker; remembers the latest ``keep`` batches."""

    def __init__(self, keep: int = 1000) -> None:
        self._batches: OrderedDict[str, BatchState] = OrderedDict()
        self._lock = threading.Lock()
        self._keep = keep

    def add(self, batch: BatchState) -> None:
        with self._lock:
            self._batches[batch.id] = batch
            while len(self._batches) > self._keep:
                self._batches.popitem(last=False)

    def set_status(self, batch_id: str, status: BatchStatus) -> None:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is not None:
                batch.status = status
                if status in ("done", "failed"):
                    batch.finished_at = utc_now()

    def file_done(self, batch_id: str, outcome: dict[str, Any]) -> None:
        with self._lock:
            batch = self._batches.get(batch_id)
            if batch is not None:
                apply_outcome(batch, outcome)

    def get(self, batch_id: str) -> BatchState | None:
        with self._lock:
            batch = self._batches.get(batch_id)
            # A copy: the caller serializes it while the runner keeps updating.
            return BatchState(**{**batch.__dict__, "files": list(map(_copy, batch.files))}) \
                if batch is not None else None


def _copy(f: FileProgress) -> FileProgress:
    return FileProgress(**f.__dict__)


def apply_outcome(batch: BatchState, outcome: dict[str, Any]) -> None:
    """Fill the first pending file of that name with the outcome."""
    name = outcome["filename"]
    for f in batch.files:
        if f.status == "pending" and f.filename == name:
            _fill(f, outcome)
            return
    log.warning("batch %s: outcome for unknown file %r", batch.id, name)


def _fill(f: FileProgress, outcome: dict[str, Any]) -> None:
    f.status = outcome["status"]
    f.code = outcome.get("code")
    reason = outcome.get("reason")
    if reason and f.code and reason.startswith(f"{f.code}: "):
        reason = reason[len(f.code) + 2 :]
    f.message = reason
    f.record_id = outcome.get("id")
    f.record_status = outcome.get("record_status")
    f.pages = int(outcome.get("pages") or 0)


def outcome_summary(outcome: Any) -> dict[str, Any]:
    """The fields of an ``ingest.Outcome`` a batch report keeps (not the record's text)."""
    record = outcome.record
    return {
        "filename": outcome.filename,
        "status": outcome.status,
        "code": outcome.code,
        "reason": outcome.reason,
        "id": record.id if record is not None else None,
        "record_status": str(record.status) if record is not None else None,
        "pages": outcome.pages,
    }


OutcomeListener = Callable[[dict[str, Any]], None]


class BatchRunner:
    """Runs accepted batches one after another on a background thread."""

    def __init__(
        self,
        settings: Settings,
        tracker: BatchTracker,
        *,
        on_file: OutcomeListener | None = None,
        on_batch: Callable[[BatchState], None] | None = None,
    ) -> None:
        self._settings = settings
        self._tracker = tracker
        self._on_file = on_file
        self._on_batch = on_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sohoa-batch")

    def submit(self, batch: BatchState, folder: Path, inputs: list[Path]) -> None:
        self._tracker.add(batch)
        self._executor.submit(self._run, batch.id, batch.agency, folder, inputs)

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)

    def _run(self, batch_id: str, agency: str, folder: Path, inputs: list[Path]) -> None:
        from ingest import InputFile, run_batch
        from ingest.runtime import Runtime

        self._tracker.set_status(batch_id, "running")
        status: BatchStatus = "done"
        runtime = None
        try:
            runtime = Runtime.open(self._settings)

            def on_outcome(outcome: Any) -> None:
                summary = outcome_summary(outcome)
                self._tracker.file_done(batch_id, summary)
                if self._on_file is not None:
                    self._on_file(summary)

            run_batch(
                [InputFile(p) for p in inputs], runtime, agency=agency, on_outcome=on_outcome
            )
        except Exception:
            log.exception("batch %s crashed", batch_id)
            status = "failed"
        finally:
            shutil.rmtree(folder, ignore_errors=True)
            self._fail_pending(batch_id)
            self._tracker.set_status(batch_id, status)
            self._save_report(runtime, batch_id, agency)
            if runtime is not None:
                runtime.close()

    def _fail_pending(self, batch_id: str) -> None:
        batch = self._tracker.get(batch_id)
        for f in batch.files if batch is not None else []:
            if f.status == "pending":
                self._tracker.file_done(
                    batch_id,
                    {
                        "filename": f.filename,
                        "status": "failed",
                        "code": "internal_error",
                        "reason": "internal_error: Lỗi hệ thống khi xử lý tệp.",
                    },
                )

    def _save_report(self, runtime: Any, batch_id: str, agency: str) -> None:
        batch = self._tracker.get(batch_id)
        if batch is None:
            return
        if self._on_batch is not None:
            self._on_batch(batch)
        if runtime is None:
            return
        try:
            runtime.store.put(
                report_key(agency, batch_id),
                json.dumps(batch.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"),
                content_type="application/json",
            )
        except Exception:
            log.exception("could not store the report of batch %s", batch_id)


def load_report(store: Any, agency: str, batch_id: str) -> BatchState | None:
    """A finished batch's report from the store (any replica, after a restart)."""
    from storage.base import ObjectNotFound

    try:
        data = json.loads(store.get(report_key(agency, batch_id)))
    except ObjectNotFound:
        return None
    data.pop("counts", None)
    data["files"] = [FileProgress(**f) for f in data.get("files") or []]
    return BatchState(**data)
