"""What an index keeps of a record: the searchable texts and the JSON without full text."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from records import Record
from records.folding import fold_name, nfc


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


_SCALARS = frozenset({str, int, float, bool, type(None)})


_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}


def _field_names(cls: type) -> tuple[str, ...] | None:
    if cls not in _FIELD_NAMES:
        is_dataclass = dataclasses.is_dataclass(cls)
        _FIELD_NAMES[cls] = tuple(f.name for f in dataclasses.fields(cls)) if is_dataclass else None
    return _FIELD_NAMES[cls]


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` without its deep copies of leaf values, which made it most
    of the cost of a reindex. Records hold only JSON values, so nothing is shared."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    names = _field_names(kind)
    if names is not None:
        return {name: _plain(getattr(value, name)) for name in names}
    if isinstance(value, tuple):
        return tuple(_plain(v) for v in value)
    return value


def record_json(record: Record) -> dict[str, Any]:
    """The record's JSON (as ``Record.to_dict``) without its full text, which lives only
    in the text index."""
    data: dict[str, Any] = _plain(record)
    data["status"] = str(record.status)
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
    # Box and folder labels are looked up as typed, like numbers ("hộp H-12").
    location = record.location
    ids += [str(v) for v in (location.store, location.shelf, location.box, location.folder) if v]
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
