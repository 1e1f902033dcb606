"""From OCR output to a record's structure: ``analyze`` then ``apply``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from extract.checks import DEFAULT_THRESHOLDS, cross_check
from extract.classify import classify
from extract.fields import Reading, SubjectRead, Value, read_fields
from extract.lines import Line, lines_from_text, lines_from_words
from ocr.base import Word
from records.model import Record, Status, Subject
from records.result_types import ResultType, load_result_types

# Manifest columns that describe the paper itself; every other column lands in fields.
TOP_LEVEL = ("doc_type", "title", "document_number", "issuer", "issued_on", "valid_until")
# Manifest columns that describe the (first) subject.
SUBJECT_KEYS = ("name", "id_number", "birth_date", "sex", "role")


@dataclass
class Extraction:
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    title: str | None = None
    document_number: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    valid_until: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    given: list[str] = field(default_factory=list)
    review_reasons: list[str] = field(default_factory=list)
    confidence: dict[str, float] = field(default_factory=dict)  # path → lowest word confidence


def _lines(pages_text: list[str], words: list[list[Word]] | None) -> list[Line]:
    if words and any(words):
        return lines_from_words(words)
    return lines_from_text(pages_text)


def _subject(read: SubjectRead) -> Subject:
    return Subject(
        name=read.name.value if read.name else None,
        id_number=read.id_number.value if read.id_number else None,
        birth_date=read.birth_date.value if read.birth_date else None,
        role=read.role,
        sex=read.sex.value if read.sex else None,
    )


def _confidences(reading: Reading) -> dict[str, float]:
    out: dict[str, float] = {}
    for path, value in (
        ("document_number", reading.document_number),
        ("issuer", reading.issuer),
        ("issued_on", reading.issued_on),
    ):
        if value and value.confidence is not None:
            out[path] = value.confidence
    for index, subject in enumerate(reading.subjects):
        for attr in ("name", "id_number", "birth_date", "sex"):
            value = getattr(subject, attr)
            if value and value.confidence is not None:
                out[f"subjects[{index}].{attr}"] = value.confidence
    for name, value in reading.fields.items():
        if value.confidence is not None:
            out[f"fields.{name}"] = value.confidence
    return out


def _valid_until(
    result_type: ResultType | None, issued_on: str | None, stated_term: date | int | None
) -> str | None:
    if result_type is None or issued_on is None:
        return None
    until = result_type.valid_until(date.fromisoformat(issued_on), stated_term)
    return until.isoformat() if until else None


def resolves(path: str, reason: str) -> bool:
    """Whether a value set at ``path`` answers ``reason`` (same place, or inside it)."""
    where = reason.partition(":")[2]
    return bool(where) and (path == where or path.startswith(where + "."))


def _apply_given(extraction: Extraction, given: dict[str, str]) -> None:
    """Manifest values win over what was read; they are listed in ``given``."""
    for key, value in given.items():
        if value in ("", None):
            continue
        if key in TOP_LEVEL:
            setattr(extraction, key, value)
            path = key
        elif key in SUBJECT_KEYS:
            if not extraction.subjects:
                extraction.subjects.append(Subject())
            setattr(extraction.subjects[0], key, value)
            path = f"subjects[0].{key}"
        else:
            extraction.fields[key] = value
            path = f"fields.{key}"
        extraction.given.append(path)
        # An officer's value needs no review for having been misread.
        extraction.review_reasons = [r for r in extraction.review_reasons if not resolves(path, r)]
        extraction.confidence[path] = 100.0
    if "doc_type" in given:
        extraction.doc_type_confidence = 1.0
        extraction.review_reasons = [r for r in extraction.review_reasons if r != "doc_type_unsure"]


def _missing(extraction: Extraction) -> list[str]:
    reasons = []
    if extraction.doc_type is None:
        reasons.append("doc_type_unsure")
    for name in ("document_number", "issued_on"):
        if getattr(extraction, name) is None:
            reasons.append(f"missing:{name}")
    if not any(s.name for s in extraction.subjects):
        reasons.append("missing:subjects")
    return reasons


def analyze(
    pages_text: list[str],
    words: list[list[Word]] | None,
    *,
    given: dict[str, str] | None = None,
    result_types: dict[str, ResultType] | None = None,
    today: date | None = None,
    thresholds: dict[str, float] | None = None,
) -> Extraction:
    """Classify a paper and read its fields from OCR text (and words, when known).

    ``given`` holds values an officer supplied (the batch manifest); they win over what
    was read. Nothing is guessed: a value that could not be read, or failed a check,
    is ``None`` and the reason is in ``review_reasons``.
    """
    catalog = result_types if result_types is not None else load_result_types()
    given = dict(given or {})
    lines = _lines(pages_text, words)
    classification = classify(lines, catalog)
    doc_type = given.get("doc_type") or classification.doc_type
    result_type = catalog.get(doc_type) if doc_type else None
    reading = read_fields(lines, result_type, classification.title_lines)
    checked = cross_check(reading, today or date.today(), thresholds or DEFAULT_THRESHOLDS)
    fields: dict[str, Any] = {name: v.value for name, v in reading.fields.items()}
    if checked.unverified_ids:
        fields["unverified_id_numbers"] = checked.unverified_ids
    if checked.unverified_birth_dates:
        fields["unverified_birth_dates"] = checked.unverified_birth_dates
    extraction = Extraction(
        doc_type=classification.doc_type,
        doc_type_confidence=classification.confidence,
        title=classification.title,
        document_number=reading.document_number.value if reading.document_number else None,
        issuer=reading.issuer.value if reading.issuer else None,
        issued_on=reading.issued_on.value if reading.issued_on else None,
        subjects=[_subject(s) for s in reading.subjects],
        fields=fields,
        review_reasons=checked.reasons,
        confidence=_confidences(reading),
    )
    extraction.review_reasons = _missing(extraction) + extraction.review_reasons
    _apply_given(extraction, given)
    if extraction.valid_until is None:
        final_type = catalog.get(extraction.doc_type or "")
        extraction.valid_until = _valid_until(final_type, extraction.issued_on, reading.stated_term)
    extraction.review_reasons = list(dict.fromkeys(extraction.review_reasons))
    return extraction


def apply(record: Record, extraction: Extraction) -> None:
    """Copy an extraction onto a record; reasons to review make it ``needs_review``."""
    record.doc_type = extraction.doc_type
    record.doc_type_confidence = extraction.doc_type_confidence
    record.title = extraction.title
    record.document_number = extraction.document_number
    record.issuer = extraction.issuer
    record.issued_on = extraction.issued_on
    record.valid_until = extraction.valid_until
    record.subjects = [Subject(**vars(s)) for s in extraction.subjects]
    record.fields = {**record.fields, **extraction.fields}
    record.given = list(extraction.given)
    record.review.reasons = list(extraction.review_reasons)
    if extraction.review_reasons and record.status == Status.READY:
        record.status = Status.NEEDS_REVIEW
    record.note(
        "extract",
        doc_type=extraction.doc_type,
        doc_type_confidence=extraction.doc_type_confidence,
        reasons=list(extraction.review_reasons),
        confidence=dict(extraction.confidence),
    )


__all__ = ["Extraction", "Value", "analyze", "apply"]
