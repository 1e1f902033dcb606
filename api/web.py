"""The officers' screens, in Vietnamese, rendered on the server (Jinja2).

They call the same ``api.service`` functions as the JSON API, with the caller taken
from the session cookie set at sign-in. The only script is ``static/upload.js`` (upload
with live progress); everything else is plain HTML forms and links.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup

from api import service
from api.access import ACTION_VI, MATRIX, Action, allowed, require
from api.auth import (
    COOKIE_NAME,
    principal_async,
    principal_of,
    require_same_origin,
    session_principal,
)
from api.errors import ApiError, archive_damaged
from api.labels import (
    FIELD_VI,
    LOCATION_VI,
    NEEDS_REVIEW_HELP,
    ROLE_VI,
    STATUS_VI,
    field_label,
    reason_vi,
    stack_pages_vi,
    verify_note_vi,
)
from api.sessions import SESSION_SECONDS
from api.state import AppState, app_state, state_dependency
from api.tokens import Principal
from records import Record
from records.result_types import cached_result_types
from records.vntime import parse_person_date, vietnam_date, vietnam_time
from search import IndexedRecord, SearchQuery
from search.query import parse_text
from search.snippets import highlight
from signing import VerificationReport
from storage.base import IntegrityError

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))



def _doc_types(request: Request) -> dict[str, str]:
    """The names of this deployment's result types (``SOHOA_RESULT_TYPES``), by code."""

    path = app_state(request).settings.result_types_path
    return {code: t.name for code, t in cached_result_types(path).items()}


def _mark(snippet: str | None) -> Markup:
    """The index's snippet is escaped with ``<mark>`` around hits: keep only those tags."""
    return Markup(re.sub(r"<(?!/?mark>)", "&lt;", snippet or ""))


TEMPLATES.env.filters["mark"] = _mark
# People read Vietnam time, dd/mm/yyyy (HH:MM); the JSON API keeps ISO 8601.
TEMPLATES.env.filters["vn_time"] = vietnam_time
TEMPLATES.env.filters["vn_date"] = vietnam_date
TEMPLATES.env.filters["field_label"] = field_label
TEMPLATES.env.filters["reason_vi"] = reason_vi
TEMPLATES.env.filters["verify_note_vi"] = verify_note_vi
TEMPLATES.env.filters["stack_pages_vi"] = stack_pages_vi
TEMPLATES.env.globals.update(
    ROLE_VI=ROLE_VI, STATUS_VI=STATUS_VI, FIELD_VI=FIELD_VI, Action=Action, allowed=allowed,
    NEEDS_REVIEW_HELP=NEEDS_REVIEW_HELP, LOCATION_VI=LOCATION_VI,
)

router = APIRouter(include_in_schema=False)


class LoginRequired(ApiError):
    def __init__(self) -> None:
        super().__init__(401, "unauthorized", "Sign in first.", "Vui lòng đăng nhập.")


async def web_principal(request: Request) -> Principal:
    principal = await principal_async(request)
    if principal is None:
        raise LoginRequired()
    require_same_origin(request)
    return principal


State = Annotated[AppState, Depends(state_dependency)]
Caller = Annotated[Principal, Depends(web_principal)]


def render(
    request: Request, name: str, principal: Principal | None, status: int = 200, **ctx: Any
) -> HTMLResponse:
    ctx.update(request=request, me=principal, doc_types=_doc_types(request))
    return TEMPLATES.TemplateResponse(request, name, ctx, status_code=status)


def error_page(request: Request, exc: ApiError) -> Response:
    if exc.status == 401:
        target = quote(request.url.path, safe="/")
        return RedirectResponse(f"/login?next={target}", status_code=303)
    principal = session_principal(request)
    return render(request, "error.html", principal, status=exc.status, error=exc)


def _home(principal: Principal) -> str:
    if allowed(principal, Action.READ):
        return "/search"
    return "/help"


def _safe_next(target: str | None) -> str | None:
    # Only local paths: an open redirect would let a link sign a user in somewhere else.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return None


# --- sign-in ------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> Response:
    principal = session_principal(request)
    return RedirectResponse(_home(principal) if principal else "/login", status_code=303)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return render(request, "login.html", None, next=_safe_next(next))


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str | None, Form(max_length=500)] = None,
) -> Response:
    require_same_origin(request)
    token = token.strip()
    principal = principal_of(request, token)
    if principal is None:
        return render(
            request, "login.html", None, status=401, next=_safe_next(next),
            message="Mã truy cập không đúng hoặc đã bị thu hồi.",
        )
    response = RedirectResponse(_safe_next(next) or _home(principal), status_code=303)
    session = app_state(request).sessions.open(token)
    response.set_cookie(
        COOKIE_NAME, session, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", max_age=SESSION_SECONDS, path="/",
    )
    return response


@router.post("/logout")
def logout(request: Request) -> Response:
    require_same_origin(request)
    app_state(request).sessions.close(request.cookies.get(COOKIE_NAME))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path="/")
    return response


@router.get("/help", response_class=HTMLResponse)
def help_page(request: Request, me: Caller) -> HTMLResponse:
    rights = [ACTION_VI[a] for a in Action if a in MATRIX[me.role]]
    return render(request, "help.html", me, rights=rights)


# --- search and records ------------------------------------------------------------------


def _iso(value: str | None) -> str | None:
    """A date an officer typed (dd/mm/yyyy or ISO), as the index keeps it (ISO)."""
    if not value:
        return None
    try:
        return parse_person_date(value).isoformat()
    except ValueError as exc:
        raise ApiError(400, "invalid_date", "Invalid date; expected dd/mm/yyyy or yyyy-mm-dd.",
                       f"Ngày không hợp lệ: {value} (cần dạng dd/mm/yyyy, ví dụ "
                       "04/09/1954).") from exc


def _names_marked(record: IndexedRecord, words: list[list[str]]) -> Markup:
    """The holders' names of a search card, the words searched for marked in them."""

    names = [name for s in record.get("subjects") or [] if (name := s.get("name"))]
    shown = [highlight(n, words) if words else None for n in names]
    return _mark(", ".join(m or str(Markup.escape(n)) for m, n in zip(shown, names,
                                                                     strict=True)))


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    state: State,
    me: Caller,
    q: Annotated[str, Query(max_length=500)] = "",
    name: Annotated[str, Query(max_length=200)] = "",
    type: Annotated[str, Query(max_length=100)] = "",
    issuer: Annotated[str, Query(max_length=300)] = "",
    status: Annotated[str, Query(max_length=20)] = "",
    box: Annotated[str, Query(max_length=100)] = "",
    from_: Annotated[str, Query(alias="from", max_length=10)] = "",
    to: Annotated[str, Query(max_length=10)] = "",
    fuzzy: Annotated[str, Query(max_length=5)] = "",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:

    require(me, Action.READ)
    per_page = 10
    filters = {"q": q, "name": name, "type": type, "issuer": issuer, "status": status,
               "box": box, "from": from_, "to": to, "fuzzy": fuzzy}
    query = SearchQuery(
        text=q, subject_name=name.strip() or None, doc_type=type or None, issuer=issuer or None,
        status=status if status in STATUS_VI else None, box=box.strip() or None,
        issued_from=_iso(from_), issued_to=_iso(to), fuzzy=bool(fuzzy),
        limit=per_page, offset=(page - 1) * per_page,
    )
    result = service.search(state, me, query)
    pages = max(1, -(-result.total // per_page))

    def link(**changes: Any) -> str:
        params = {k: v for k, v in {**filters, "page": page, **changes}.items() if v}
        return "/search?" + urlencode(params)

    words = [c.folded_tokens for c in parse_text(f"{q} {name}")]
    holders = {hit.id: _names_marked(hit.record, words) for hit in result.hits}
    return render(request, "search.html", me, result=result, filters=filters, page=page,
                  pages=pages, link=link, holders=holders)


@router.get("/records/{record_id}", response_class=HTMLResponse)
def record_page(request: Request, record_id: str, state: State, me: Caller) -> HTMLResponse:
    require(me, Action.READ)
    try:
        record = service.record_json(state, me, record_id)
    except IntegrityError as exc:
        return _damaged_record_page(request, state, me, record_id, exc)
    signature: VerificationReport | None = None
    signature_error: str | None = None
    damaged: str | None = None
    if record["files"].get("archival_pdf"):
        try:
            signature = service.verify_record(state, me, record_id)
        except ApiError as exc:
            signature_error = exc.message_vi
        except IntegrityError as exc:
            # The record reads but its PDF is damaged: the screen says so (a note, and
            # no viewer of a file that would not load) instead of failing whole.
            damaged = signature_error = archive_damaged(exc).message_vi
    return render(request, "record.html", me, record=record, signature=signature,
                  signature_error=signature_error, damaged=damaged)


def _damaged_record_page(request: Request, state: AppState, me: Principal, record_id: str,
                        exc: IntegrityError) -> HTMLResponse:
    """The record screen of a record whose stored JSON does not read: the note, over the
    index's copy (made from the record when it was intact), so the officer can tell
    which record it is when reporting it. Shown, so audited as a view."""
    record = service.indexed_visible(state, me, record_id)
    state.trail.record_viewed(me.actor, record_id, record.get("version"), damaged=True)
    note = (f"{archive_damaged(exc).message_vi} Thông tin dưới đây lấy từ chỉ mục tìm "
            "kiếm, có thể không phải phiên bản mới nhất.")
    return render(request, "record.html", me, status=409, record=record, signature=None,
                  signature_error=note, damaged=note)


# --- review ------------------------------------------------------------------------------


@router.get("/review", response_class=HTMLResponse)
def review_list(
    request: Request, state: State, me: Caller,
    page: Annotated[int, Query(ge=1, le=500)] = 1,
) -> HTMLResponse:
    require(me, Action.REVIEW)
    total, items = service.review_queue(state, me, 20, (page - 1) * 20)
    return render(request, "review_list.html", me, total=total, items=items, page=page)


DATE_KEYS = ("issued_on", "valid_until", "birth_date")


def _shown(key: str, value: Any) -> str:
    """A field's value as the review form shows it: dates dd/mm/yyyy, nothing empty."""
    if value is None:
        return ""
    return vietnam_date(value) if key in DATE_KEYS else str(value)


def _review_fields(record: Record) -> list[tuple[str, str, str, bool]]:
    """(path, label, value as shown, is a date) of every correctable field, one row each."""
    rows = [
        (k, FIELD_VI[k], _shown(k, getattr(record, k)), k in DATE_KEYS)
        for k in ("doc_type", "title", "document_number", "issuer", "issued_on", "valid_until")
    ]
    for i, subject in enumerate(record.subjects):
        for k in ("name", "id_number", "birth_date", "sex"):
            rows.append((f"subjects[{i}].{k}", f"Người {i + 1}: {FIELD_VI[k]}",
                         _shown(k, getattr(subject, k)), k in DATE_KEYS))
    return rows


# What the review screen says after a save: fixed texts chosen by code, so a link
# cannot make the screen display words of its author's choosing.
REVIEW_DONE = {"saved": "Đã lưu chỉnh sửa.", "approved": "Đã duyệt hồ sơ."}


@router.get("/review/{record_id}", response_class=HTMLResponse)
def review_record(
    request: Request, record_id: str, state: State, me: Caller, done: str | None = None,
) -> HTMLResponse:
    require(me, Action.REVIEW)
    return _review_page(request, state, me, record_id, message=REVIEW_DONE.get(done or ""))


def _review_page(request: Request, state: AppState, me: Principal, record_id: str, *,
                 message: str | None = None, error: str | None = None,
                 status: int = 200) -> HTMLResponse:
    record = service.view_record(state, me, record_id)
    reasons = [reason_vi(r) for r in record.review.reasons]
    return render(request, "review.html", me, status=status, record=record.to_dict(),
                  rows=_review_fields(record), reasons=reasons, message=message, error=error)


@router.post("/review/{record_id}", response_class=HTMLResponse)
async def review_submit(request: Request, record_id: str, state: State, me: Caller) -> Response:
    require(me, Action.REVIEW)
    form = await request.form(max_files=0, max_fields=200)
    current = await run_in_threadpool(service.view_record, state, me, record_id)
    # Compared with what the form showed (dates as dd/mm/yyyy): an untouched field is
    # no correction.
    known = {path: shown for path, _, shown, _ in _review_fields(current)}
    changes: dict[str, str | None] = {}
    for path, old in known.items():
        new = form.get(path)
        if isinstance(new, str) and new.strip() != old:
            changes[path] = new.strip()
    approve = form.get("approve") == "1"
    try:
        await run_in_threadpool(service.correct, state, me, record_id, changes, approve)
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        return await run_in_threadpool(
            functools.partial(_review_page, request, state, me, record_id,
                              error=exc.message_vi, status=exc.status)
        )
    done = "approved" if approve else "saved"
    return RedirectResponse(f"/review/{record_id}?done={done}", status_code=303)


# --- upload --------------------------------------------------------------------------------


@router.get("/upload", response_class=HTMLResponse)
def upload_page(request: Request, state: State, me: Caller) -> HTMLResponse:
    require(me, Action.UPLOAD)
    return render(request, "upload.html", me, max_bytes=state.limits.max_file_bytes,
                  max_files=state.limits.max_files)
