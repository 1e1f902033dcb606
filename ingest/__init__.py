"""Receiving files and driving each document through the pipeline.

Offers:
- ``discover(paths)``: the input files under the paths given, with manifest values;
- ``Admission``: one batch's admission of files (type, size, names, repeats), used by
  every driver and by HTTP uploads;
- ``run_batch(files, runtime, ...)``: digitize a batch in-process, one ``FileOutcome``
  per file;
- the pipeline stages (``receive``, ``plan``, ``finish``) for other drivers (Celery).

Its names are loaded on first use: an OCR worker imports ``ingest.pipeline`` (to compose
a document) without the batch driver and admission, which bring the runtime, the
signer, the index and the store clients (``ingest.preload``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ingest.admission import Admission, InputFile, discover
    from ingest.batch import new_batch_id, run_batch
    from ingest.errors import IngestError
    from ingest.outcome import FileOutcome, OutcomeStatus
    from ingest.pipeline import Received, finish, plan, receive

# Where each name lives (``__getattr__`` imports it from there on first use).
_LAZY = {
    **dict.fromkeys(("Admission", "InputFile", "discover"), "admission"),
    **dict.fromkeys(("new_batch_id", "run_batch"), "batch"),
    "IngestError": "errors",
    **dict.fromkeys(("FileOutcome", "OutcomeStatus"), "outcome"),
    **dict.fromkeys(("Received", "finish", "plan", "receive"), "pipeline"),
}

__all__ = [
    "Admission",
    "FileOutcome",
    "IngestError",
    "InputFile",
    "OutcomeStatus",
    "Received",
    "discover",
    "finish",
    "new_batch_id",
    "plan",
    "receive",
    "run_batch",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'ingest' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ingest.{module}"), name)
