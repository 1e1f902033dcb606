"""Admission: which files of a batch are digitized, under which names — decided once.

The in-process driver (``ingest.batch``), the Celery submitter
(``ingest.distributed.submit_batch``) and HTTP uploads (``api.service``) all admit files
here, so a file is refused, skipped or renamed the same way and with the same message
whichever way it came in:

- ``check_content`` (``ingest.sniff``, where ``receive`` calls it too): not empty, not
  too large, a type we take (sniffed from its bytes);
- ``Admission.name``: a name repeated within the batch becomes ``a (2).pdf`` (a batch's
  progress keeps one outcome per name, so two ``a.pdf`` from two folders must differ);
- ``Admission.admit``: the content identified and copied into the document's work
  folder (``receive``), then skipped when the same document is already stored or
  already earlier in the batch;
- ``failure``: any exception met while digitizing a file, as that file's outcome.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from application.runtime import Runtime
from extract.manifest import load_manifest
from ingest.errors import ALREADY_STORED, DUPLICATE_IN_BATCH, NOT_A_SCAN, IngestError
from ingest.outcome import FileOutcome
from ingest.pipeline import Received, committed_record, receive
from ingest.sniff import check_content
from ingest.workfolder import WorkFolder, discard
from records.errors import StorageFull, is_disk_full
from storage.base import StorageUnavailable

__all__ = [
    "Admission",
    "InputFile",
    "check_content",
    "discover",
    "distinct_name",
    "failure",
    "reading_failure",
]

log = logging.getLogger("sohoa.ingest")

MANIFEST_NAME = "manifest.csv"


# Text files that sit beside scans in a folder: skipped with that reason, not failed.
SIDECAR_SUFFIXES = frozenset({".txt", ".md", ".csv", ".json", ".jsonl", ".xml", ".log",
                              ".ini", ".html", ".htm"})


@dataclass
class InputFile:
    path: Path
    given: dict[str, str] = field(default_factory=dict)
    in_folder: bool = False  # found by walking a folder, not named by the person


def discover(paths: Iterable[Path]) -> Iterator[InputFile]:
    """Files named, and files under folders named (recursively, sorted).

    Every file in a folder is taken, whatever its name: the type is sniffed from the
    bytes, so a PDF without extension or a PNG named ``.bmp`` is digitized and a
    ``thumbs.db`` is reported as ``unsupported_type`` rather than silently left out.
    Text files beside the scans (``SIDECAR_SUFFIXES``: ground truth, notes) are skipped
    with that reason; the ``manifest.csv`` of a folder gives known values for the files
    beside it.
    """
    for path in paths:
        if path.is_dir():
            manifests: dict[Path, dict[str, dict[str, str]]] = {}
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if file.name == MANIFEST_NAME:
                    continue
                manifest = manifests.setdefault(file.parent, _manifest_for(file.parent))
                yield InputFile(file, manifest.get(file.name, {}), in_folder=True)
        else:
            yield InputFile(path, _manifest_for(path.parent).get(path.name, {}))


def _manifest_for(folder: Path) -> dict[str, dict[str, str]]:
    candidate = folder / MANIFEST_NAME
    if not candidate.is_file():
        return {}
    return load_manifest(candidate)


def distinct_name(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).ext``, ``stem (3).ext``… if already in ``taken`` (which
    gains the answer): one outcome per name in a batch's progress."""
    candidate, n = name, 1
    while candidate in taken:
        n += 1
        stem, dot, ext = name.rpartition(".")
        candidate = f"{stem} ({n}).{ext}" if dot and stem else f"{name} ({n})"
    taken.add(candidate)
    return candidate


def failure(name: str, exc: BaseException, pages: int = 0) -> FileOutcome:
    """The outcome of a file whose digitizing raised ``exc``: the file's own fault
    (``IngestError``: its code and Vietnamese reason) or a bug, which is logged and
    fails this file alone. A full disk is raised as ``StorageFull``: it stops the batch."""
    if isinstance(exc, IngestError):
        return FileOutcome.failed(name, exc.code, exc.message, pages)
    if is_disk_full(exc):
        # The batch's problem, not the file's: every following file would fail alike.
        if isinstance(exc, StorageFull):
            raise exc
        raise StorageFull(f"while digitizing {name}") from exc
    if isinstance(exc, StorageUnavailable):  # an outage: the file may be sent again
        log.error("digitizing %s failed: %s", name, exc)
        return FileOutcome.failed(name, "storage_unavailable", exc.summary, pages)
    log.error("digitizing %s failed", name, exc_info=exc)
    return FileOutcome.failed(name, "internal_error", str(exc))


def reading_failure(name: str, exc: BaseException) -> FileOutcome:
    """``failure`` while the file itself is being read (identified, paged), where an
    ``OSError`` means the file cannot be read — later it would be our disk's fault."""
    if isinstance(exc, OSError):
        return FileOutcome.failed(name, "unreadable", str(exc))
    return failure(name, exc)


class Admission:
    """One batch's admission: the names given so far and the documents admitted, each
    with its private copy in a folder of the batch's ``work`` folder."""

    def __init__(self, runtime: Runtime, agency: str, work: WorkFolder) -> None:
        self.runtime = runtime
        self.agency = agency
        self.work = work
        self.names: set[str] = set()
        self.record_ids: set[str] = set()

    def name(self, name: str) -> str:
        """The name a file goes by in this batch (distinct from the others')."""
        return distinct_name(name, self.names)

    def admit(self, item: InputFile) -> Received | FileOutcome:
        """The file identified and to be digitized (``Received``), or why it is not (a
        failed or skipped ``FileOutcome``)."""
        name = self.name(item.path.name)
        runtime = self.runtime
        if item.in_folder and item.path.suffix.lower() in SIDECAR_SUFFIXES:
            return FileOutcome.skipped(name, NOT_A_SCAN)
        folder = self.work.new_document()
        try:
            received = receive(item.path, work=folder, agency=self.agency, filename=name,
                               max_bytes=runtime.settings.max_upload_bytes, given=item.given)
            stored = committed_record(runtime.store, runtime.index, received.agency,
                                      received.record_id)
        except Exception as exc:  # this file only, whatever it was
            discard(folder)
            return reading_failure(name, exc)
        if stored is not None or received.record_id in self.record_ids:
            discard(folder)
            return FileOutcome.skipped(name, ALREADY_STORED if stored is not None
                                       else DUPLICATE_IN_BATCH)
        self.record_ids.add(received.record_id)
        return received
