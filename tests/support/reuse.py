"""Builders for reuse and audit tests: records as the pipeline would leave them, an index
and a store they live in, and a small real PDF standing in for the signed archival copy."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import date
from itertools import count
from typing import Any

import pikepdf

from application.audited import AuditTrail
from application.audited_reuse import AuditedReuse
from records import Files, Record, SignatureInfo, Source, Status, Subject, record_id_for
from records.result_types import add_months, load_result_types
from reuse import ReleasedDocument, ReuseRequest, ReuseResult, ReuseService
from search import Index
from storage import Store, archival_key, save_record

AGENCY = "ubnd-phuong-test"
_serial = count(1)

# The role extraction gives the holder of each type: its default_role (the catalog's,
# so that tests build papers as real ones are read, never a role only tests write); a
# marriage certificate has none, its people are read in their sections as chồng/vợ.
DEFAULT_ROLES: dict[str, str] = {
    code: result_type.default_role
    for code, result_type in load_result_types().items()
    if result_type.default_role
} | {"marriage_certificate": "chồng"}


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: str
    id_number: str | None = None

    def subject(self, role: str | None, *, with_id: bool = True) -> Subject:
        return Subject(
            name=self.name,
            birth_date=self.birth_date,
            id_number=self.id_number if with_id else None,
            role=role,
        )


def months_before(day: date, months: int) -> date:
    return add_months(day, -months)


def make_record(
    doc_type: str,
    people: list[Person] | Person,
    *,
    issued_on: date | str | None,
    valid_until: date | str | None = None,
    status: Status = Status.READY,
    signed: bool = True,
    with_id: bool = True,
    role: str | None = None,
    agency: str = AGENCY,
    seed: str | None = None,
    fields: dict[str, Any] | None = None,
    others: list[Subject] | None = None,
) -> Record:
    """A record of ``doc_type`` naming ``people`` (all in ``role``, by default the type's
    main role) and then ``others`` (e.g. the spouse), with ``fields`` as extraction
    would leave them, and a unique deterministic id."""
    people = people if isinstance(people, list) else [people]
    serial = seed or str(next(_serial))
    sha = hashlib.sha256(f"{doc_type}:{serial}".encode()).hexdigest()
    record_id = record_id_for(agency, sha)
    subject_role = role or DEFAULT_ROLES[doc_type]
    return Record(
        id=record_id,
        agency=agency,
        source=Source(filename=f"{serial}.tif", sha256=sha, media_type="image/tiff", size=1),
        status=status,
        doc_type=doc_type,
        title=doc_type.replace("_", " ").capitalize(),
        document_number=f"{serial}/TEST",
        issuer="UBND phường Thử Nghiệm",
        issued_on=str(issued_on) if issued_on is not None else None,
        valid_until=str(valid_until) if valid_until is not None else None,
        subjects=[*(p.subject(subject_role, with_id=with_id) for p in people), *(others or [])],
        fields=dict(fields or {}),
        text="nội dung đầy đủ không được trả về",
        signature=SignatureInfo(level="PAdES-B-LT", signer="Test CA")
        if signed
        else SignatureInfo(),
        files=Files(archival_pdf=archival_key(agency, record_id)),
    )


def small_pdf(label: str) -> bytes:
    """A real one-page PDF whose bytes differ per label."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = label
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


@dataclass
class Archive:
    """An index and a store holding records, as the pipeline would leave them."""

    index: Index
    store: Store
    pdfs: dict[str, bytes] = field(default_factory=dict)

    def add(self, *records: Record) -> list[Record]:
        for record in records:
            save_record(self.store, record)
            if record.files.archival_pdf:
                data = small_pdf(record.id)
                self.store.put(record.files.archival_pdf, data, content_type="application/pdf")
                self.pdfs[record.id] = data
        self.index.upsert_many(records)
        return list(records)


def offered_ids(result: Any) -> set[str]:
    return {c.id for comp in result.components for c in comp.candidates}


# The keywords that configure a ``ReuseService``; ``audit_log`` is the audit trail's
# sink (``application.audited_reuse``); every other keyword is the request's.
_SERVICE_FIELDS = frozenset(
    {"store", "procedures", "verify", "verify_signature", "accept_development_signatures"}
)


def _split(kwargs: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any], Any]:
    audit_log = kwargs.pop("audit_log", None)
    service = {k: v for k, v in kwargs.items() if k in _SERVICE_FIELDS}
    request = {k: v for k, v in kwargs.items() if k not in _SERVICE_FIELDS}
    if request.get("facts", True) is None:
        del request["facts"]
    return service, request, audit_log


def lookup(index: Index, **kwargs: Any) -> ReuseResult:
    """``ReuseService(index, …).lookup(ReuseRequest(…))``, the keywords (the old
    ``reuse.lookup``'s) split between the service and the request; audited on
    ``audit_log`` (as ``Runtime.reuse`` is on the journal) when one is given."""
    service, request, audit_log = _split(kwargs)
    reuse = ReuseService(index, **service)
    if audit_log is None:
        return reuse.lookup(ReuseRequest(**request))
    return AuditedReuse(reuse, AuditTrail(audit_log)).lookup(ReuseRequest(**request))


def release(
    index: Index,
    store: Store,
    *,
    record_id: str,
    citizen_request: bool,
    confirmed_probable: bool = False,
    **kwargs: Any,
) -> ReleasedDocument:
    """``ReuseService(index, store, …)``'s release, audited on ``audit_log`` (required),
    as ``lookup``."""
    service, request, audit_log = _split(kwargs)
    return AuditedReuse(ReuseService(index, store, **service), AuditTrail(audit_log)).release(
        ReuseRequest(**request), record_id=record_id, citizen_request=citizen_request,
        confirmed_probable=confirmed_probable,
    )
