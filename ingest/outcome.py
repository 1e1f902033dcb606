"""What became of one input file, typed, and its one JSON form.

A file is ingested (with its record), skipped (already stored, a repeat in the batch)
or failed (a stable English ``code`` and a Vietnamese ``message``). Every driver makes
``FileOutcome`` values; ``to_json`` is the only place one becomes JSON (a ``--json``
line of ``sohoa ingest``, an entry of the Celery batch ledger) and ``from_json`` the
only place one is read back.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from records import Record


class OutcomeStatus(StrEnum):
    INGESTED = "ingested"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class FileOutcome:
    filename: str
    status: OutcomeStatus
    record: Record | None = None  # exactly when ingested
    code: str | None = None  # exactly when not ingested
    message: str | None = None  # Vietnamese, for the officer
    pages: int = 0

    def __post_init__(self) -> None:
        ingested = self.status is OutcomeStatus.INGESTED
        if ingested != (self.record is not None) or ingested == (self.code is not None):
            raise ValueError(f"{self.status} outcome of {self.filename!r}: record xor code")

    @classmethod
    def ingested(cls, filename: str, record: Record, pages: int) -> FileOutcome:
        return cls(filename, OutcomeStatus.INGESTED, record=record, pages=pages)

    @classmethod
    def skipped(cls, filename: str, why: tuple[str, str]) -> FileOutcome:
        """Not digitized because it need not be (``ingest.errors.ALREADY_STORED``, …)."""
        code, message = why
        return cls(filename, OutcomeStatus.SKIPPED, code=code, message=message)

    @classmethod
    def failed(cls, filename: str, code: str, message: str, pages: int = 0) -> FileOutcome:
        return cls(filename, OutcomeStatus.FAILED, code=code, message=message, pages=pages)

    @property
    def reason(self) -> str | None:
        """``code: message``, as ``--json`` lines and progress have always shown it."""
        return None if self.code is None else f"{self.code}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        """An ingested file is its record's JSON; another a short object naming why."""
        if self.record is not None:
            return self.record.to_dict()
        return {"source": {"filename": self.filename}, "status": self.status.value,
                "reason": self.reason, "code": self.code}

    @classmethod
    def from_json(cls, filename: str, data: dict[str, Any], pages: int = 0) -> FileOutcome:
        """The outcome ``to_json`` gave (``pages`` is kept beside it). Also reads the
        ``{"status", "code", "reason"}`` entries earlier API replicas wrote to the
        ledger, which may still be there (it keeps a batch 30 days)."""
        status = cls.status_of_json(data)
        if status is OutcomeStatus.INGESTED:
            return cls.ingested(filename, Record.from_dict(data), pages)
        code = str(data.get("code") or "internal_error")
        reason = str(data.get("reason") or "")
        return cls(filename, status, code=code, message=reason.removeprefix(f"{code}: "),
                   pages=pages)

    @staticmethod
    def status_of_json(data: dict[str, Any]) -> OutcomeStatus:
        """The status of an outcome's JSON without building its record: progress counts
        every entry of a batch on each poll."""
        if "agency" in data and "id" in data:  # a record: only ingested files carry one
            return OutcomeStatus.INGESTED
        return OutcomeStatus(data.get("status") or "failed")
