"""Receiving files and driving each document through the pipeline.

Offers:
- ``discover(paths)``: the input files under the paths given, with manifest values;
- ``Admission``: one batch's admission of files (type, size, names, repeats), used by
  every driver and by HTTP uploads;
- ``run_batch(files, runtime, ...)``: digitize a batch in-process, one ``FileOutcome``
  per file;
- the pipeline stages (``receive``, ``plan``, ``finish``) for other drivers (Celery).
"""

from ingest.admission import Admission, InputFile, discover
from ingest.batch import new_batch_id, run_batch
from ingest.errors import IngestError
from ingest.outcome import FileOutcome, OutcomeStatus
from ingest.pipeline import Received, finish, plan, receive

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
