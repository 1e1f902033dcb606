"""What an index keeps of a record: the searchable texts and the JSON without full text.

``IndexedRecord`` is that JSON's shape, what every backend returns (``Index.get``,
``Index.records_for_subject``, ``SearchHit.record``) and the reuse checks, the API and
the CLI read. It is a ``TypedDict``, not a dataclass: the JSON is handed out as it is
(the HTTP ``record`` of a hit, ``sohoa search --json``), so typing the dict keeps that
contract byte for byte and costs nothing per hit, while mypy checks every key read.
Its fields mirror ``records.model.Record`` (``tests/search/test_indexed_shape.py``
fails when the two part).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, cast

from records import Record
from records.folding import fold_name, nfc


class StackJson(TypedDict):
    """``records.model.StackRef``."""

    filename: str
    sha256: str
    first_page: int
    last_page: int
    boundary: str
    unsure: list[int]


class SourceJson(TypedDict):
    """``records.model.Source``."""

    filename: str
    sha256: str
    media_type: str
    size: int
    pages: int | None
    part_of: StackJson | None


class SubjectJson(TypedDict):
    """``records.model.Subject``."""

    name: str | None
    id_number: str | None
    birth_date: str | None
    role: str | None
    sex: str | None


class DoubtsJson(TypedDict):
    """``records.model.Doubts``."""

    unverified_id_numbers: list[str]
    unverified_birth_dates: list[str]
    name_readings: dict[str, list[str]]
    issuer_candidates: list[str]


class OcrPageJson(TypedDict):
    """``records.model.OcrPage``."""

    number: int
    mean_confidence: float | None
    rotated: int
    deskew: float
    dpi: int | None
    dpi_assumed: bool
    blank: bool
    had_text: bool
    words: int


class OcrJson(TypedDict):
    """``records.model.OcrInfo``."""

    engine: str | None
    languages: str | None
    mean_confidence: float | None
    pages: list[OcrPageJson]


class SignatureJson(TypedDict):
    """``records.model.SignatureInfo``."""

    level: str | None
    signer: str | None
    signed_at: str | None
    field_name: str | None
    development_only: bool
    prior_signatures: int


class FilesJson(TypedDict):
    """``records.model.Files``: object-store keys."""

    original: str | None
    archival_pdf: str | None
    text: str | None


class CorrectionJson(TypedDict):
    """``records.model.Correction``; ``old``/``new``: the field's values, any JSON."""

    field: str
    old: Any
    new: Any
    by: str
    at: str


class ReviewJson(TypedDict):
    """``records.model.Review``; ``reasons`` as text (``ReviewReason.parse`` reads one)."""

    reasons: list[str]
    corrections: list[CorrectionJson]
    approved_by: str | None
    approved_at: str | None


class LocationJson(TypedDict):
    """``records.model.ArchiveLocation``."""

    store: str | None
    shelf: str | None
    box: str | None
    folder: str | None
    sheets: int | None


class StageJson(TypedDict):
    """``records.model.StageEvent``; ``detail``: what the stage says it decided."""

    stage: str
    at: str
    detail: dict[str, Any]


class RegionJson(TypedDict):
    """``records.model.FieldRegion``: ``box`` x0, y0, x1, y1; ``page_size`` w, h;
    ``estimated``: placed from the form's layout (absent on records indexed before it:
    a found region)."""

    path: str
    page: int
    box: list[int]
    page_size: list[int]
    estimated: NotRequired[bool]


class IndexedRecord(TypedDict):
    """A record as the index keeps and returns it: ``Record.to_dict`` without ``text``,
    ``status`` as its text. ``fields`` holds the values of the record's result type,
    keyed as its catalog entry says (``records/result_types.json``)."""

    id: str
    agency: str
    source: SourceJson
    status: str
    doc_type: str | None
    doc_type_confidence: float | None
    title: str | None
    document_number: str | None
    issuer: str | None
    issued_on: str | None
    valid_until: str | None
    subjects: list[SubjectJson]
    fields: dict[str, Any]
    doubts: DoubtsJson
    given: list[str]
    ocr: OcrJson
    signature: SignatureJson
    files: FilesJson
    review: ReviewJson
    location: LocationJson
    shared: bool
    version: int
    created_at: str
    updated_at: str | None
    stages: list[StageJson]
    error: str | None
    regions: list[RegionJson]
    schema: int


def as_indexed(data: object) -> IndexedRecord:
    """A backend's stored JSON (made by ``record_json``) as its shape: the one place
    the index's JSON is taken for an ``IndexedRecord``."""
    if not isinstance(data, dict) or "id" not in data:
        raise ValueError("an indexed record is a JSON object with an id")
    return cast(IndexedRecord, data)


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
    json: IndexedRecord
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


def record_json(record: Record) -> IndexedRecord:
    """The record's JSON (as ``Record.to_dict``) without its full text, which lives only
    in the text index."""
    data: dict[str, Any] = _plain(record)
    data["status"] = str(record.status)
    data.pop("text", None)
    return cast(IndexedRecord, data)


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
