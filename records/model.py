"""The record: everything sohoa knows about one digitized paper.

A record is plain data. Its JSON form (``Record.to_dict``) is what storage keeps as
the system of record and what the CLI and API print; every index is rebuilt from it.
Unknown values are ``None``, never guessed. Dates are ISO 8601 strings
(``YYYY-MM-DD`` for calendar dates, full timestamps with offset for instants).
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SCHEMA_VERSION = 1


class Status(StrEnum):
    READY = "ready"
    NEEDS_REVIEW = "needs_review"
    FAILED = "failed"


def utc_now() -> str:
    """The current instant as ISO 8601 with offset, second precision."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def record_id_for(agency: str, source_sha256: str) -> str:
    """Deterministic record id: the same file digitized for the same agency is one record.

    Deriving the id from content makes every stage idempotent (a retried or duplicated
    task writes the same objects) and lets ingest skip a file already stored.
    """
    digest = hashlib.sha256(f"{agency}\n{source_sha256}".encode()).hexdigest()
    return digest[:24]


# ``given`` keys that carry a part's place in its stack from the splitter to the record
# (``StackRef.to_given`` / ``from_given``): plain strings, so they travel wherever given
# values do (the Celery task's ``TaskSpec`` too).
STACK_GIVEN = ("stack.filename", "stack.sha256", "stack.pages", "stack.boundary",
               "stack.unsure")


@dataclass
class StackRef:
    """The multi-page scan (a stack of papers) a record was split from: its file, its
    content hash and the pages of the stack (1-based, inclusive) this paper is.

    ``boundary`` says how the paper's start was found: ``sheet`` (a separator sheet),
    ``header`` (the national header at the top of its first page), ``type`` (its title
    names another result type than the page before), ``start`` (the
    stack's first page). ``unsure`` lists stack pages where a paper may have started but
    the splitter could not tell; the record then waits for review."""

    filename: str
    sha256: str
    first_page: int
    last_page: int
    boundary: str = "start"
    unsure: list[int] = field(default_factory=list)

    def to_given(self) -> dict[str, str]:
        return {
            "stack.filename": self.filename,
            "stack.sha256": self.sha256,
            "stack.pages": f"{self.first_page}-{self.last_page}",
            "stack.boundary": self.boundary,
            "stack.unsure": ",".join(map(str, self.unsure)),
        }

    @classmethod
    def from_given(cls, given: dict[str, str]) -> StackRef | None:
        if "stack.sha256" not in given:
            return None
        first, _, last = given["stack.pages"].partition("-")
        unsure = given.get("stack.unsure") or ""
        return cls(filename=given["stack.filename"], sha256=given["stack.sha256"],
                   first_page=int(first), last_page=int(last or first),
                   boundary=given.get("stack.boundary") or "start",
                   unsure=[int(p) for p in unsure.split(",") if p])


@dataclass
class Source:
    filename: str
    sha256: str
    media_type: str
    size: int
    pages: int | None = None
    part_of: StackRef | None = None  # when split from a stack: which stack, which pages


@dataclass
class Subject:
    """A person or business a paper is about."""

    name: str | None = None
    id_number: str | None = None
    birth_date: str | None = None
    role: str | None = None
    sex: str | None = None


@dataclass
class OcrPage:
    number: int
    mean_confidence: float | None = None
    rotated: int = 0
    deskew: float = 0.0
    dpi: int | None = None
    dpi_assumed: bool = False
    blank: bool = False
    had_text: bool = False
    words: int = 0


@dataclass
class OcrInfo:
    engine: str | None = None
    languages: str | None = None
    mean_confidence: float | None = None
    pages: list[OcrPage] = field(default_factory=list)


@dataclass
class SignatureInfo:
    level: str | None = None
    signer: str | None = None
    signed_at: str | None = None
    field_name: str | None = None
    development_only: bool = False
    prior_signatures: int = 0


@dataclass
class Files:
    """Object-store keys of the record's files."""

    original: str | None = None
    archival_pdf: str | None = None
    text: str | None = None


# Manifest columns (and ``sohoa watch`` subfolder keys) → ``ArchiveLocation`` attributes.
LOCATION_COLUMNS = {
    "archive_store": "store",
    "archive_shelf": "shelf",
    "archive_box": "box",
    "archive_file": "folder",
    "archive_sheets": "sheets",
}


@dataclass
class ArchiveLocation:
    """Where the paper itself is kept once scanned, as the archive labels it: kho
    (``store``), giá (``shelf``), hộp (``box``), cặp or hồ sơ (``folder``), and how many
    sheets (số tờ) it has. Given by officers (manifest, watched subfolders), never read
    by OCR; labels are kept as written."""

    store: str | None = None
    shelf: str | None = None
    box: str | None = None
    folder: str | None = None
    sheets: int | None = None

    def label(self) -> str:
        """``Kho K1 · Hộp H-12 · …`` for people; empty when nothing is known."""
        parts = (("Kho", self.store), ("Giá", self.shelf), ("Hộp", self.box),
                 ("Cặp", self.folder), ("Số tờ", self.sheets))
        return " · ".join(f"{name} {value}" for name, value in parts if value is not None)


@dataclass
class Correction:
    field: str
    old: Any
    new: Any
    by: str
    at: str


class ReviewReason(str):
    """Why a record waits for an officer: a ``code`` (``low_confidence``) and, when the
    reason is about one value, that value's ``path`` (``subjects[0].id_number``).

    A ``str`` whose text is its JSON form, ``code:path`` (or ``code`` alone), as records
    have always stored reasons and scripts read them: made from its parts by
    ``ReviewReason(code, path)``, read back from the text by ``parse`` only, so no code
    splits a reason's text itself.
    """

    code: str
    path: str | None

    def __new__(cls, code: str, path: str | None = None) -> ReviewReason:
        if not code or ":" in code:
            raise ValueError(f"a review reason code has no ':' and is not empty: {code!r}")
        self = super().__new__(cls, f"{code}:{path}" if path else code)
        self.code = code
        self.path = path or None
        return self

    def __getnewargs__(self) -> tuple[str, str | None]:  # type: ignore[override]
        # Records are pickled to and from worker processes: rebuild from the parts.
        return (self.code, self.path)

    @classmethod
    def parse(cls, text: str) -> ReviewReason:
        """The reason stored as ``text`` (``code:path`` or ``code``)."""
        if isinstance(text, ReviewReason):
            return text
        code, _, path = text.partition(":")
        return cls(code, path or None)


@dataclass
class Doubts:
    """What extraction's cross-checks set aside for an officer, kept apart from the
    paper's values (``fields``): an ID number or birth date that was read but failed its
    checks (removed from the subject), and the differing readings of a name printed in
    more than one place (path such as ``subjects[0].name`` → the readings), and the
    official units an unmatched or ambiguous issuer could be.

    Records written before this place existed kept these under the same keys in
    ``fields``; ``Record.from_dict`` moves them here."""

    unverified_id_numbers: list[str] = field(default_factory=list)
    unverified_birth_dates: list[str] = field(default_factory=list)
    name_readings: dict[str, list[str]] = field(default_factory=dict)
    issuer_candidates: list[str] = field(default_factory=list)


DOUBT_KEYS = ("unverified_id_numbers", "unverified_birth_dates", "name_readings",
              "issuer_candidates")


@dataclass
class Review:
    reasons: list[ReviewReason] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)
    approved_by: str | None = None
    approved_at: str | None = None


@dataclass(frozen=True)
class FieldRegion:
    """Where a value is written on the paper: the box (x0, y0, x1, y1, pixels) of field
    ``path`` on page ``page`` of the upright page as the OCR read it, whose size
    (width, height) is ``page_size``. The archival PDF shows that same upright page, so
    a screen cuts the field's image from any rendering of it by proportion (the keying
    screen shows it beside the input). ``estimated``: the field's label was not found,
    so the box was placed from the form's layout (its found neighbours' places, or the
    field's usual share of the page) and is wider than the value: the screen says the
    crop is approximate. Records written before the flag read as not estimated."""

    path: str
    page: int
    box: tuple[int, int, int, int]
    page_size: tuple[int, int]
    estimated: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "page": self.page, "box": list(self.box),
                "page_size": list(self.page_size), "estimated": self.estimated}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldRegion:
        x0, y0, x1, y1 = (int(v) for v in data["box"])
        width, height = (int(v) for v in data["page_size"])
        return cls(str(data["path"]), int(data["page"]), (x0, y0, x1, y1), (width, height),
                   bool(data.get("estimated", False)))


@dataclass
class StageEvent:
    """What one pipeline stage did, in order: the record's own processing history."""

    stage: str
    at: str
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Record:
    id: str
    agency: str
    source: Source
    status: Status = Status.READY
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    title: str | None = None
    document_number: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    valid_until: str | None = None
    subjects: list[Subject] = field(default_factory=list)
    fields: dict[str, Any] = field(default_factory=dict)
    doubts: Doubts = field(default_factory=Doubts)
    given: list[str] = field(default_factory=list)
    text: str = ""
    ocr: OcrInfo = field(default_factory=OcrInfo)
    signature: SignatureInfo = field(default_factory=SignatureInfo)
    files: Files = field(default_factory=Files)
    review: Review = field(default_factory=Review)
    location: ArchiveLocation = field(default_factory=ArchiveLocation)
    shared: bool = False
    version: int = 1
    created_at: str = field(default_factory=utc_now)
    updated_at: str | None = None
    stages: list[StageEvent] = field(default_factory=list)
    error: str | None = None
    regions: list[FieldRegion] = field(default_factory=list)  # values written by hand
    schema: int = SCHEMA_VERSION

    def note(self, stage: str, **detail: Any) -> None:
        """Record that a pipeline stage ran and what it decided."""
        self.stages.append(StageEvent(stage=stage, at=utc_now(), detail=detail))

    def subject_ids(self) -> list[str]:
        return [s.id_number for s in self.subjects if s.id_number]

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["status"] = str(self.status)
        data["regions"] = [r.to_dict() for r in self.regions]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Record:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        source = dict(data["source"])
        if source.get("part_of"):
            source["part_of"] = StackRef(**source["part_of"])
        values["source"] = Source(**source)
        values["status"] = Status(data.get("status", Status.READY))
        values["subjects"] = [Subject(**s) for s in data.get("subjects") or []]
        ocr = dict(data.get("ocr") or {})
        ocr["pages"] = [OcrPage(**p) for p in ocr.get("pages") or []]
        values["ocr"] = OcrInfo(**ocr)
        values["signature"] = SignatureInfo(**(data.get("signature") or {}))
        values["files"] = Files(**(data.get("files") or {}))
        values["location"] = ArchiveLocation(**(data.get("location") or {}))
        fields = dict(data.get("fields") or {})
        doubts = dict(data.get("doubts") or {})
        for key in DOUBT_KEYS:  # where records written before ``doubts`` kept them
            if key in fields:
                doubts.setdefault(key, fields.pop(key))
        values["fields"] = fields
        values["doubts"] = Doubts(**doubts)
        review = dict(data.get("review") or {})
        review["corrections"] = [Correction(**c) for c in review.get("corrections") or []]
        review["reasons"] = [ReviewReason.parse(r) for r in review.get("reasons") or []]
        values["review"] = Review(**review)
        values["stages"] = [StageEvent(**e) for e in data.get("stages") or []]
        values["regions"] = [FieldRegion.from_dict(r) for r in data.get("regions") or []]
        return cls(**values)
