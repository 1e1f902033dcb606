"""The JSON API under ``/api/v1``: thin HTTP translation over ``api.service``."""

from __future__ import annotations

import asyncio
import functools
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, StrictBool

from api import portal, service
from api.access import Action
from api.auth import allowed_to
from api.batches import BatchState
from api.dates import PersonDate
from api.errors import ApiError
from api.inputs import PlainText, visible_filename
from api.state import AppState, state_dependency
from api.tokens import Principal
from audit import AuditAnchor
from ingest import new_batch_id
from search import SearchQuery


class ErrorDetail(BaseModel):
    code: str
    message: str
    message_vi: str | None = None
    details: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    error: ErrorDetail


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: {"model": ErrorBody} for s in (401, 403, *statuses)}


State = Annotated[AppState, Depends(state_dependency)]
Reader = Annotated[Principal, Depends(allowed_to(Action.READ))]
Uploader = Annotated[Principal, Depends(allowed_to(Action.UPLOAD))]
Reviewer = Annotated[Principal, Depends(allowed_to(Action.REVIEW))]
Verifier = Annotated[Principal, Depends(allowed_to(Action.VERIFY))]
Portal = Annotated[Principal, Depends(allowed_to(Action.REUSE))]
Auditor = Annotated[Principal, Depends(allowed_to(Action.AUDIT))]
RecordId = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]

router = APIRouter(prefix="/api/v1")


def batch_body(batch: BatchState) -> dict[str, Any]:
    body = batch.to_dict()
    body["status_url"] = f"/api/v1/batches/{batch.id}"
    return body


@router.post(
    "/documents",
    status_code=202,
    tags=["documents"],
    summary="Upload one or many scans; digitized in the background",
    responses=_errors(400, 413, 422),
)
async def upload_documents(
    request: Request,
    state: State,
    principal: Uploader,
    file: Annotated[list[UploadFile], File(description="PDF, TIFF, JPEG or PNG files")],
    split: Annotated[bool, Form(
        description="Each multi-page PDF is a stack of papers scanned at once: split it "
        "into one record per paper (by separator sheets, else by the national header and "
        "the result type; an unsure boundary sends the paper to review). Splitting "
        "happens before the answer, about a third of a second per page.")] = False,
) -> JSONResponse:
    parts = [service.Part(service.safe_filename(visible_filename(f.filename)), f.file)
             for f in file]
    batch = await run_in_threadpool(
        functools.partial(service.receive_upload, split=split),
        state, principal, parts, new_batch_id(),
    )
    return JSONResponse(batch_body(batch), status_code=202,
                        headers={"Location": f"/api/v1/batches/{batch.id}"})


@router.get("/batches/{batch_id}", tags=["documents"], responses=_errors(404))
def get_batch(batch_id: str, state: State, principal: Reader) -> dict[str, Any]:
    return batch_body(service.batch_progress(state, principal, batch_id))


@router.get("/records/{record_id}", tags=["records"], responses=_errors(404))
def get_record(
    record_id: str,
    state: State,
    principal: Reader,
    version: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
) -> dict[str, Any]:
    return service.record_json(state, principal, record_id, version)


# What a stored file may do once a browser has it: nothing. ``sandbox`` gives the
# document an opaque origin with scripts, forms and plugins off, so an original's
# JavaScript (a PDF's, an SVG's, an HTML-looking file's) never runs as this site.
SANDBOXED = "sandbox; default-src 'none'; frame-ancestors 'none'"
# The archival PDF is shown in the record screen's frame by the browser's PDF viewer,
# which a sandbox (or an ``object-src`` of 'none', which ``default-src`` implies) would
# block; it was cleaned of active content before it was signed (``ocr.sanitize``), and
# only this site's own pages may frame it.
ARCHIVAL_PDF = "frame-ancestors 'self'"


def _file_response(body: service.FileBody, *, attachment: bool = False,
                   policy: str = SANDBOXED) -> Response:

    kind = "attachment" if attachment else "inline"
    disposition = f"{kind}; filename*=UTF-8''{quote(body.filename)}"
    return Response(
        body.data,
        media_type=body.media_type,
        # nosniff: a stored file is served as the type recorded for it, never as
        # whatever a browser might guess from its bytes (an "original" that looks
        # like HTML must not run as a page of this site).
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store",
                 "X-Content-Type-Options": "nosniff", "Content-Security-Policy": policy},
    )


@router.get(
    "/records/{record_id}/original",
    tags=["records"],
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **_errors(404)},
)
def get_original(record_id: str, state: State, principal: Reader) -> Response:
    # Downloaded, never shown in a page of this origin: the original is the citizen's
    # file as received, scripts and attachments included.
    return _file_response(service.record_file(state, principal, record_id, "original"),
                          attachment=True)


@router.get(
    "/records/{record_id}/archival.pdf",
    tags=["records"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **_errors(404)},
)
def get_archival_pdf(record_id: str, state: State, principal: Reader) -> Response:
    return _file_response(service.record_file(state, principal, record_id, "archival.pdf"),
                          policy=ARCHIVAL_PDF)


@router.get(
    "/records/{record_id}/text",
    tags=["records"],
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}}, **_errors(404)},
)
def get_text(record_id: str, state: State, principal: Reader) -> Response:
    return _file_response(service.record_file(state, principal, record_id, "text"))


@router.get(
    "/records/{record_id}/page1.png",
    tags=["records"],
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}, **_errors(404, 422)},
)
def get_page_image(record_id: str, state: State, principal: Reader) -> Response:
    data = service.page_image(state, principal, record_id)
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=60"})


@router.get("/records/{record_id}/signature", tags=["records"], responses=_errors(404, 422))
def get_signature_status(record_id: str, state: State, principal: Reader) -> dict[str, Any]:
    """Verify the stored archival PDF's signatures now."""
    return service.verify_record(state, principal, record_id).to_dict()


@router.get("/search", tags=["search"], responses=_errors(422))
def search(
    state: State,
    principal: Reader,
    q: Annotated[str, Query(max_length=500)] = "",
    type: Annotated[str | None, Query(max_length=100)] = None,
    issuer: Annotated[str | None, Query(max_length=300)] = None,
    subject: Annotated[str | None, Query(max_length=20, description="ID number")] = None,
    name: Annotated[str | None, Query(max_length=200,
                                      description="a person's full name: their papers")] = None,
    status: Literal["ready", "needs_review", "failed"] | None = None,
    from_: Annotated[PersonDate | None, Query(alias="from")] = None,
    to: PersonDate | None = None,
    fuzzy: bool = False,
    box: Annotated[str | None, Query(max_length=100,
                                     description="archive box label, exactly")] = None,
    agency: Annotated[str | None, Query(max_length=100, description="admins only")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:

    query = SearchQuery(
        text=q, doc_type=type, issuer=issuer, agency=agency, subject_id=subject,
        subject_name=name, status=status, box=box,
        issued_from=from_.isoformat() if from_ else None,
        issued_to=to.isoformat() if to else None,
        fuzzy=fuzzy, limit=limit, offset=offset,
    )
    result = service.search(state, principal, query)
    return {
        "total": result.total,
        "limit": limit,
        "offset": offset,
        "hits": [
            {"id": h.id, "score": h.score, "snippet": h.snippet, "record": h.record}
            for h in result.hits
        ],
        "facets": result.facets,
    }


@router.get("/review", tags=["review"], responses=_errors())
def review_queue(
    state: State,
    principal: Reviewer,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
) -> dict[str, Any]:
    total, items = service.review_queue(state, principal, limit, offset)
    return {"total": total, "items": items}


class CorrectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # Field names, invisible characters and per-field lengths are checked by
    # ``extract.review`` (422 ``invalid_correction``), the one check the screen and
    # ``sohoa review --set`` share; here only what bounds the request itself.
    set: dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=10_000)]
              | None] = Field(
        default_factory=dict,
        description='Field paths to new values, e.g. {"subjects[0].id_number": "001…"}',
        max_length=50,
    )
    # Only a JSON true approves: "yes", "true" or 1 are refused, not taken as consent.
    approve: StrictBool = False


@router.post("/records/{record_id}/corrections", tags=["review"], responses=_errors(400, 404, 422))
def post_corrections(
    record_id: str, body: CorrectionIn, state: State, principal: Reviewer
) -> dict[str, Any]:
    new = service.correct(state, principal, record_id, body.set, body.approve)
    return new.to_dict()


@router.get("/reuse/lookup", tags=["reuse"], responses=_errors(400, 404, 422))
async def reuse_lookup(
    state: State,
    principal: Portal,
    procedure: Annotated[PlainText, Query(min_length=1, max_length=100)],
    subject: Annotated[PlainText | None, Query(max_length=20, description="ID number")] = None,
    name: Annotated[PlainText | None, Query(max_length=200)] = None,
    birth_date: PersonDate | None = None,
    as_of: PersonDate | None = None,
    dossier_code: Annotated[PlainText | None, Query(max_length=100)] = None,
    father_name: Annotated[PlainText | None, Query(max_length=200)] = None,
    mother_name: Annotated[PlainText | None, Query(max_length=200)] = None,
    spouse_name: Annotated[PlainText | None, Query(max_length=200)] = None,
    spouse_birth_date: PersonDate | None = None,
    birth_place: Annotated[PlainText | None, Query(max_length=300)] = None,
    residence: Annotated[PlainText | None, Query(max_length=300)] = None,
) -> JSONResponse:
    """Facts from the population database (parents, spouse, place of birth, residence)
    let a paper without ID be offered: one printed on it must agree and none differ."""
    facts = {
        "father_name": father_name, "mother_name": mother_name, "spouse_name": spouse_name,
        "spouse_birth_date": spouse_birth_date.isoformat() if spouse_birth_date else None,
        "birth_place": birth_place, "residence": residence,
    }

    def answer() -> dict[str, Any]:
        # Returns once its audit entry is durable in the journal: then the answer leaves.
        return portal.lookup(
            state, principal, procedure=procedure, subject_id=subject, name=name,
            birth_date=birth_date, as_of=as_of, dossier_code=dossier_code, facts=facts,
        )

    # On a local index the whole answer (lookup and journal commit) takes about a
    # millisecond: running it right here beats a hop to the thread pool, whose GIL
    # handoffs under load cost far more (bench/README_api.md). The one yield first lets
    # a saturated loop take in the other connections' requests between two answers;
    # without it, one worker at saturation answered 1-2 % of requests ~1 s late.
    # The lookup reads the offered papers' PDFs once in a while (``IntactArchive``): on
    # the loop only from local disk, never over the network to an S3 server.
    if state.index.in_process and state.store.url.startswith("file:"):
        await asyncio.sleep(0)
        return JSONResponse(answer())
    return JSONResponse(await run_in_threadpool(answer))


class ReleaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    record_id: RecordId
    dossier_code: Annotated[PlainText, Field(min_length=1, max_length=100)]
    procedure: Annotated[PlainText, Field(min_length=1, max_length=100)]
    subject: Annotated[PlainText | None, Field(max_length=20, description="ID number")] = None
    name: Annotated[PlainText | None, Field(max_length=200)] = None
    birth_date: PersonDate | None = None
    father_name: Annotated[PlainText | None, Field(max_length=200)] = None
    mother_name: Annotated[PlainText | None, Field(max_length=200)] = None
    spouse_name: Annotated[PlainText | None, Field(max_length=200)] = None
    spouse_birth_date: PersonDate | None = None
    birth_place: Annotated[PlainText | None, Field(max_length=300)] = None
    residence: Annotated[PlainText | None, Field(max_length=300)] = None
    # Consent and confirmation are JSON booleans only: "true", "yes" or 1 are refused
    # (422), never read as the citizen's request.
    confirmed_probable: Annotated[
        StrictBool,
        Field(description="the officer checked a no-ID paper's number, issuer and date"),
    ] = False
    citizen_request: StrictBool


@router.post(
    "/reuse/release",
    tags=["reuse"],
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}, **_errors(400, 404, 409, 422)},
)
def reuse_release(body: ReleaseIn, state: State, principal: Portal) -> Response:
    released = portal.release(state, principal, body.model_dump())

    return Response(
        released.data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{quote(released.filename)}",
            "X-Sohoa-Record-Id": released.record_id,
            "X-Sohoa-Sha256": released.sha256,
            "Cache-Control": "no-store",
        },
    )


@router.post("/verify", tags=["verify"], responses=_errors(413, 415, 422))
async def verify(
    state: State,
    principal: Verifier,
    file: Annotated[UploadFile, File(description="A PDF to check")],
) -> dict[str, Any]:
    limit = state.limits.max_file_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:

        raise ApiError(413, "file_too_large", f"At most {limit} bytes.",
                       f"Tệp vượt quá dung lượng cho phép ({limit} byte).")
    report = await run_in_threadpool(service.verify_bytes, state, data)
    return report.to_dict()


@router.get("/audit", tags=["audit"], responses=_errors())
def audit_entries(
    state: State,
    principal: Auditor,
    since: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    entries = []
    for entry in state.audit.entries(since=since):
        entries.append(entry.to_dict())
        if len(entries) >= limit:
            break
    return {"entries": entries, "next": entries[-1]["seq"] + 1 if entries else since}


@router.get("/audit/verify", tags=["audit"], responses=_errors())
def audit_verify(
    state: State,
    principal: Auditor,
    anchor: Annotated[str | None, Query(
        pattern=r"^\d+:[0-9a-f]{64}$",
        description="SEQ:HASH kept elsewhere from an earlier check: a chain that no longer "
        "holds it, or holds another entry there, fails",
    )] = None,
) -> dict[str, Any]:

    kept = AuditAnchor.parse(anchor) if anchor else None
    result: dict[str, Any] = state.audit.verify(kept).to_dict()
    return result
