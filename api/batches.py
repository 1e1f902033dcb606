"""Upload batches: their progress while they run, and their report once done.

``BatchTracker`` is the protocol the API reads progress from, ``Runner`` the one it
hands accepted uploads to. Two pairs:

- embedded (no broker): ``MemoryBatches`` keeps progress in this process and
  ``BatchRunner`` digitizes accepted uploads one batch at a time on a background
  thread, so a burst of uploads queues instead of starting one process pool each;
- distributed (``SOHOA_BROKER_URL`` set): ``CeleryRunner`` stages the uploads in the
  object store and queues them for the Celery workers (``ingest.distributed.
  submit_batch``), and ``LedgerBatches`` reads progress from the Redis batch ledger, so
  every API replica shows the same progress as ``sohoa batch ID``.

Either way the final report is written to ``{agency}/batches/{batch_id}.json``.

Embedded batches are written down before the upload is answered (``BatchJournal``:
``uploads/{batch}/batch.json`` beside the staged files, updated as each file ends).
When ``sohoa serve`` starts, ``BatchRunner.resume`` takes up every batch a killed
server left: its pending files are admitted again (one already stored is skipped by
its SHA-256), a file whose staged copy is gone is marked failed with the reason, and a
folder without a journal (an upload cut off before its answer) is removed.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

from application.runtime import Runtime
from application.settings import Settings
from ingest import run_batch
from ingest.admission import InputFile
from ingest.distributed import LEDGER_TTL_SECONDS, Ledger, make_celery, submit_batch
from ingest.outcome import FileOutcome
from records import utc_now
from records.errors import DependencyError, StorageFull, disk_full_as_storage_full
from signing import SigningConfigError
from storage.base import ObjectExists, ObjectNotFound

log = logging.getLogger("sohoa.api.batches")

# Why the files a batch never reached failed, as its progress shows them.
INTERNAL_ERROR = ("internal_error", "Lỗi hệ thống khi xử lý tệp.")
SIGNING_UNAVAILABLE = (
    "signing_unavailable",
    "Không ký số được (chứng thư số bị thu hồi, sai mật khẩu hoặc thiếu thiết bị ký); "
    "báo quản trị rồi tải lên lại.",
)

DEPENDENCY_UNAVAILABLE = "dependency_unavailable"
UPLOAD_LOST = (
    "upload_lost",
    "Bản tải lên của tệp này không còn sau khi dịch vụ khởi động lại; hãy tải lên lại.",
)
INTERRUPTED = (
    "interrupted",
    "Dịch vụ bị dừng đột ngột nhiều lần khi xử lý lô này; hãy tải lên lại tệp này.",
)
# A batch whose processing was cut off this many times (a file that kills the server?)
# is not taken up again: its pending files fail with ``INTERRUPTED``.
MAX_RESUMES = 3

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
    # What is known of the file before it is read: for a paper split from an uploaded
    # stack, its place in the stack and what its separator sheet says (``ingest.stack``).
    # Kept in the journal so that a batch taken up after a restart still knows it.
    given: dict[str, str] = field(default_factory=dict)


@dataclass
class BatchState:
    id: str
    agency: str
    actor: str
    files: list[FileProgress]
    status: BatchStatus = "queued"
    created_at: str = field(default_factory=utc_now)
    finished_at: str | None = None
    # The ledger's view in distributed mode (``BatchProgress.to_dict()``: pages per
    # minute, ETA); ``None`` for embedded batches.
    progress: dict[str, Any] | None = None

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

    def file_done(self, batch_id: str, outcome: FileOutcome) -> None:
        """Record one file's outcome."""
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

    def file_done(self, batch_id: str, outcome: FileOutcome) -> None:
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


def apply_outcome(batch: BatchState, outcome: FileOutcome) -> None:
    """Fill the first pending file of that name with the outcome."""
    for f in batch.files:
        if f.status == "pending" and f.filename == outcome.filename:
            _fill(f, outcome)
            return
    log.warning("batch %s: outcome for unknown file %r", batch.id, outcome.filename)


def _fill(f: FileProgress, outcome: FileOutcome) -> None:
    """What a batch's progress keeps of an outcome (not the record's text)."""
    record = outcome.record
    f.status = outcome.status.value
    f.code = outcome.code
    f.message = outcome.message
    f.record_id = None if record is None else record.id
    f.record_status = None if record is None else str(record.status)
    f.pages = outcome.pages


OutcomeListener = Callable[[FileOutcome], None]


def input_files(batch: BatchState, inputs: list[Path]) -> list[InputFile]:
    """The staged ``inputs`` as the drivers take them, each with its given values."""
    given = {f.filename: f.given for f in batch.files}
    return [InputFile(p, dict(given.get(p.name) or {})) for p in inputs]


class Runner(Protocol):
    def submit(self, batch: BatchState, folder: Path, inputs: list[Path]) -> None:
        """Take over the accepted files staged under ``folder`` (removed when done)."""
        ...

    def shutdown(self) -> None: ...


JOURNAL_NAME = "batch.json"


class BatchJournal:
    """Accepted upload batches written down in the staging folder, so that a batch
    answered 202 outlives a killed server (see the module's doc)."""

    def __init__(self, upload_dir: Path) -> None:
        self.upload_dir = upload_dir
        self._lock = threading.Lock()

    def path(self, batch_id: str) -> Path:
        return self.upload_dir / batch_id / JOURNAL_NAME

    def write(self, batch: BatchState, resumes: int = 0) -> None:
        """Replace the batch's entry (write, flush to disk, rename: never half a file)."""
        target = self.path(batch.id)
        data = json.dumps({"batch": batch.to_dict(), "resumes": resumes},
                          ensure_ascii=False).encode("utf-8")
        with self._lock, disk_full_as_storage_full(f"upload journal {target}"):
            work = target.with_suffix(".tmp")
            with work.open("wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            work.replace(target)

    def read(self, batch_id: str) -> tuple[BatchState, int] | None:
        try:
            data = json.loads(self.path(batch_id).read_bytes())
            return batch_from_dict(data["batch"]), int(data.get("resumes") or 0)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def folders(self) -> list[Path]:
        return sorted(p for p in self.upload_dir.iterdir() if p.is_dir())

    def remove_inputs(self, batch_id: str) -> None:
        """The staged files go; the journal stays (its report is not stored yet)."""
        for part in (self.upload_dir / batch_id).iterdir():
            if part.is_dir():
                shutil.rmtree(part, ignore_errors=True)

    def remove(self, batch_id: str) -> None:
        shutil.rmtree(self.upload_dir / batch_id, ignore_errors=True)


class BatchRunner:
    """Runs accepted batches one after another on a background thread."""

    def __init__(
        self,
        settings: Settings,
        tracker: BatchTracker,
        *,
        journal: BatchJournal | None = None,
        on_file: OutcomeListener | None = None,
        on_batch: Callable[[BatchState], None] | None = None,
    ) -> None:
        self._settings = settings
        self._tracker = tracker
        self._journal = journal
        self._on_file = on_file
        self._on_batch = on_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sohoa-batch")

    def submit(self, batch: BatchState, folder: Path, inputs: list[Path]) -> None:
        # Written down before the upload is answered: a 202 is a promise.
        if self._journal is not None:
            self._journal.write(batch)
        self._tracker.add(batch)
        self._executor.submit(self._run, batch.id, batch.agency, folder,
                              input_files(batch, inputs))

    def resume(self, store: Any) -> list[str]:
        """Take up the batches a killed server left in the staging folder; the ids of
        those queued again."""
        journal = self._journal
        if journal is None:
            return []
        resumed = []
        for folder in journal.folders():
            entry = journal.read(folder.name)
            if entry is None:  # an upload cut off before it was answered
                log.info("removing the unanswered upload %s", folder.name)
                journal.remove(folder.name)
                continue
            batch, resumes = entry
            if store.head(report_key(batch.agency, batch.id)) is not None:
                journal.remove(batch.id)  # finished; only the clean-up was cut off
                continue
            inputs = self._resumable(folder, batch, resumes)
            batch.status, batch.finished_at = "queued", None
            journal.write(batch, resumes + 1)
            log.warning("batch %s: taken up again after a restart (%d file(s) pending)",
                        batch.id, len(inputs))
            self._tracker.add(batch)
            self._executor.submit(self._run, batch.id, batch.agency, folder,
                                  input_files(batch, inputs))
            resumed.append(batch.id)
        return resumed

    def _resumable(self, folder: Path, batch: BatchState, resumes: int) -> list[Path]:
        """The staged files of ``batch`` still pending; the others marked failed."""
        staged = {p.name: p for p in folder.glob("[0-9]*/*") if p.is_file()}
        inputs = []
        for f in batch.files:
            if f.status != "pending":
                continue
            path = staged.get(f.filename)
            if resumes >= MAX_RESUMES:
                _fill(f, FileOutcome.failed(f.filename, *INTERRUPTED))
            elif path is None:
                _fill(f, FileOutcome.failed(f.filename, *UPLOAD_LOST))
            else:
                inputs.append(path)
        return inputs

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=False)

    def _run(self, batch_id: str, agency: str, folder: Path, inputs: list[InputFile]) -> None:

        self._tracker.set_status(batch_id, "running")
        status: BatchStatus = "done"
        why = INTERNAL_ERROR
        runtime = None
        try:
            runtime = Runtime.open(self._settings)

            def on_outcome(outcome: FileOutcome) -> None:
                self._tracker.file_done(batch_id, outcome)
                self._write_down(batch_id)
                if self._on_file is not None:
                    self._on_file(outcome)

            run_batch(inputs, runtime, agency=agency, on_outcome=on_outcome)
        except SigningConfigError as exc:
            log.error("batch %s not started: the key cannot sign: %s", batch_id, exc)
            status, why = "failed", SIGNING_UNAVAILABLE
        except StorageFull as exc:  # stops the batch: every next file would fail alike
            log.error("batch %s stopped: %s", batch_id, exc)
            status, why = "failed", (exc.code, exc.user_message())
        except DependencyError as exc:  # tesseract, a language, store or index (preflight)
            log.error("batch %s not started: %s", batch_id, exc)
            status, why = "failed", (DEPENDENCY_UNAVAILABLE, exc.user_message())
        except Exception:
            log.exception("batch %s crashed", batch_id)
            status = "failed"
        finally:
            self._fail_pending(batch_id, why)
            self._tracker.set_status(batch_id, status)
            saved = self._save_report(runtime, batch_id, agency)
            # The journal goes once the report is stored, not before: a server killed
            # in between finds the batch again, not a hole.
            if self._journal is None or saved:
                shutil.rmtree(folder, ignore_errors=True)
            else:
                self._write_down(batch_id)
                self._journal.remove_inputs(batch_id)
            if runtime is not None:
                runtime.close()

    def _write_down(self, batch_id: str) -> None:
        batch = self._tracker.get(batch_id)
        if self._journal is None or batch is None:
            return
        entry = self._journal.read(batch_id)
        try:
            self._journal.write(batch, entry[1] if entry else 0)
        except (OSError, StorageFull) as exc:  # known here; the next write catches up
            log.warning("batch %s: journal not updated: %s", batch_id, exc)

    def _fail_pending(self, batch_id: str, why: tuple[str, str]) -> None:
        code, message = why
        batch = self._tracker.get(batch_id)
        for f in batch.files if batch is not None else []:
            if f.status == "pending":
                self._tracker.file_done(batch_id, FileOutcome.failed(f.filename, code, message))

    def _save_report(self, runtime: Any, batch_id: str, agency: str) -> bool:
        """Whether the report is stored."""
        batch = self._tracker.get(batch_id)
        if batch is None:
            return False
        if self._on_batch is not None:
            self._on_batch(batch)
        if runtime is None:
            return False
        return save_report(runtime.store, batch)


def save_report(store: Any, batch: BatchState) -> bool:
    """Store the finished batch's report; an identical report already there is fine.
    Whether a report is stored."""

    try:
        store.put(
            report_key(batch.agency, batch.id),
            json.dumps(batch.to_dict(), ensure_ascii=False, sort_keys=True).encode("utf-8"),
            content_type="application/json",
        )
    except ObjectExists:
        log.info("batch %s: another replica stored a different report first", batch.id)
    except Exception:
        log.exception("could not store the report of batch %s", batch.id)
        return False
    return True


def load_report(store: Any, agency: str, batch_id: str) -> BatchState | None:
    """A finished batch's report from the store (any replica, after a restart)."""

    try:
        return batch_from_dict(json.loads(store.get(report_key(agency, batch_id))))
    except ObjectNotFound:
        return None


# --- distributed: Celery workers, Redis ledger ---------------------------------------


def _descriptor_key(batch_id: str) -> str:
    return f"sohoa:batch:{batch_id}:api"


class LedgerBatches:
    """Progress from the Redis batch ledger, the same one ``sohoa batch ID`` reads.

    What only the API knows (agency, actor, rejected files, creation time) is kept
    beside the ledger as one JSON value; the per-file outcomes come from the ledger,
    written by whichever worker digitized the file. Any replica answers the same.
    """

    def __init__(self, redis_url: str, store: Any = None) -> None:

        self.ledger = Ledger(redis_url)
        self._store = store

    def add(self, batch: BatchState) -> None:

        data = json.dumps(batch.to_dict(), ensure_ascii=False)
        self.ledger.redis.set(_descriptor_key(batch.id), data, ex=LEDGER_TTL_SECONDS)

    def set_status(self, batch_id: str, status: BatchStatus) -> None:
        batch = self._descriptor(batch_id)
        if batch is not None:
            batch.status = status
            self.add(batch)

    def file_done(self, batch_id: str, outcome: FileOutcome) -> None:
        self.ledger.record(batch_id, outcome)

    def _descriptor(self, batch_id: str) -> BatchState | None:
        raw = self.ledger.redis.get(_descriptor_key(batch_id))
        return None if raw is None else batch_from_dict(json.loads(str(raw)))

    def get(self, batch_id: str) -> BatchState | None:
        batch = self._descriptor(batch_id)
        if batch is None:
            return None
        for _, outcome in sorted(self.ledger.file_outcomes(batch_id).items()):
            apply_outcome(batch, outcome)
        progress = self.ledger.progress(batch_id)
        batch.progress = None if progress is None else progress.to_dict()
        accepted = [f for f in batch.files if f.accepted]
        if batch.status != "failed":
            if all(f.status != "pending" for f in accepted):
                batch.status = "done"
            elif any(f.status != "pending" for f in accepted):
                batch.status = "running"
        if batch.status in ("done", "failed") and progress is not None:
            # From the ledger, not the clock: every replica writes the same report.
            batch.finished_at = _iso(progress.updated_at)
            if self._store is not None:
                self._store_report_once(batch)
        return batch

    def _store_report_once(self, batch: BatchState) -> None:
        if self._store.head(report_key(batch.agency, batch.id)) is None:
            save_report(self._store, batch)


def _iso(timestamp: float) -> str:

    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def batch_from_dict(data: dict[str, Any]) -> BatchState:
    data = dict(data)
    data.pop("counts", None)
    data["files"] = [FileProgress(**f) for f in data.get("files") or []]
    return BatchState(**data)


class CeleryRunner:
    """Stages accepted uploads in the object store and queues them on the Celery
    workers, in the request (so the upload is answered only once every replica and
    worker can see the batch). Workers record outcomes in the ledger."""

    def __init__(self, runtime: Any, tracker: LedgerBatches) -> None:

        self._runtime = runtime
        self._tracker = tracker
        self._celery = make_celery(runtime.settings)

    def submit(self, batch: BatchState, folder: Path, inputs: list[Path]) -> None:

        try:
            self._tracker.add(batch)
            submit_batch(input_files(batch, inputs), self._runtime, self._celery,
                         batch_id=batch.id, agency=batch.agency)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def shutdown(self) -> None:
        self._celery.close()
