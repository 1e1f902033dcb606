"""What an index keeps of a record: the searchable texts and the JSON without full text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from records import Record
from search.folding import fold_name, nfc


@dataclass(frozen=True)
class SubjectRow:
    id_number: str | None
    name_folded: str | None
    birth_date: str | None
    role: str | None


@dataclass(frozen=True)
class IndexedDoc:
    """A record flattened for indexing. Texts are NFC; folding is the backend's job."""

    id: str
    json: dict[str, Any]
    title: str
    issuer: str
    names: str
    ids: str  # subject ID numbers and the document number, space-separated
    body: str
    subjects: tuple[SubjectRow, ...]


def record_json(record: Record) -> dict[str, Any]:
    """The record's JSON without its full text (the text lives only in the text index)."""
    data = record.to_dict()
    data.pop("text", None)
    return data


def normalize_id(value: str | None) -> str | None:
    """ID numbers compared as typed, minus surrounding and inner spaces."""
    if value is None:
        return None
    cleaned = "".join(value.split())
    return cleaned or None


def indexed_doc(record: Record) -> IndexedDoc:
    subjects = tuple(
        SubjectRow(
            id_number=normalize_id(s.id_number),
            name_folded=fold_name(s.name) if s.name else None,
            birth_date=s.birth_date or None,
            role=s.role,
        )
        for s in record.subjects
    )
    ids = [s.id_number for s in subjects if s.id_number]
    if record.document_number:
        ids.append(record.document_number)
    return IndexedDoc(
        id=record.id,
        json=record_json(record),
        title=nfc(record.title or ""),
        issuer=nfc(record.issuer or ""),
        names=nfc(" ; ".join(s.name for s in record.subjects if s.name)),
        ids=nfc(" ".join(ids)),
        body=nfc(record.text or ""),
        subjects=subjects,
    )
