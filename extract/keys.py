"""What a record's extracted values are called, how its stated term is kept, and which
values answer a review reason.

The light part of ``extract.analyze``: the batch manifest's columns
(``extract.manifest``) and the review's corrections (``extract.review``) need these,
and so does the ``sohoa`` command that reads a manifest and labels review reasons; the
readers behind ``analyze`` (fields, checks, tables, names, official units) run only in
the OCR workers, which load them once in their server (``ingest.preload``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from extract.ids import ID_PROBLEMS
from records.model import ReviewReason
from records.result_types import ResultType

TOP_LEVEL = ("doc_type", "title", "document_number", "issuer", "issued_on", "valid_until")
# Manifest columns that describe the (first) subject.
SUBJECT_KEYS = ("name", "id_number", "birth_date", "sex", "role")

# Where a record keeps the validity term its paper states (months, or an ISO end date), so
# that correcting the issue date later recomputes the paper's own term, not the default.
STATED_TERM = "stated_term"


def stored_term(term: date | int | None) -> int | str | None:
    """The stated term as JSON keeps it in ``record.fields``."""
    return term.isoformat() if isinstance(term, date) else term


def stated_term(fields: dict[str, Any]) -> date | int | None:
    """The stated term kept in ``fields`` (as extraction stored it, or as an officer typed it)."""
    term = fields.get(STATED_TERM)
    if isinstance(term, int) or term is None:
        return term
    text = str(term).strip()
    return int(text) if text.isdigit() else date.fromisoformat(text)


def valid_until(
    result_type: ResultType | None, issued_on: str | None, term: date | int | None
) -> str | None:
    if result_type is None or issued_on is None:
        return None
    until = result_type.valid_until(date.fromisoformat(issued_on), term)
    return until.isoformat() if until else None


# Reasons about whether a person's ID agrees with their birth year and sex. They point at
# the person, but only the values the ID is checked against answer them: a corrected name
# says nothing about a dropped ID.
ID_EVIDENCE = ("id_number", "birth_date", "sex")


def resolves(path: str, reason: str) -> bool:
    """Whether a value set at ``path`` answers ``reason`` (a ``ReviewReason``, or its
    stored text): same place, or inside it."""
    parsed = ReviewReason.parse(reason)
    where = parsed.path
    if where is None:
        return False
    if parsed.code in ID_PROBLEMS:
        return path in {f"{where}.{attr}" for attr in ID_EVIDENCE}
    return path == where or path.startswith(where + ".")
