"""Double-entry keying over HTTP: the clerks' form screen (one record's waiting fields
at once, keyboard only), the arbiter's screen, the admin's table of clerks, and the
same under ``/api/v1/keying``. What they do is ``api.keying``'s."""

from __future__ import annotations

import functools
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api import keying
from api.access import Action, require
from api.auth import allowed_to
from api.errors import ApiError
from api.state import AppState, state_dependency
from api.tokens import Principal
from api.web import Caller, render
from storage.keying import load_entries

State = Annotated[AppState, Depends(state_dependency)]
Clerk = Annotated[Principal, Depends(allowed_to(Action.REVIEW))]
Admin = Annotated[Principal, Depends(allowed_to(Action.AUDIT))]
FieldPath = Annotated[str, Query(alias="field", min_length=1, max_length=64)]

api_router = APIRouter(prefix="/api/v1/keying", tags=["keying"])
web_router = APIRouter(include_in_schema=False)
MAX_FORM_FIELDS = 50


# --- JSON --------------------------------------------------------------------------------


@api_router.get("/next")
def next_form(state: State, principal: Clerk,
              after: Annotated[str | None, Query(max_length=64)] = None) -> dict[str, Any]:
    """The next record with fields this user may key, and those fields."""
    record_id = keying.next_record(state, principal, after)
    if record_id is None:
        return {"record_id": None, "fields": []}
    form = keying.open_form(state, principal, record_id)
    return {"record_id": record_id, "version": form.record.version,
            "opened_at": form.opened_at, "fields": [t.to_dict() for t in form.tasks]}


@api_router.get("/records/{record_id}")
def record_fields(record_id: str, state: State, principal: Clerk) -> dict[str, Any]:
    """Every field of the record waiting for keying, with what each waits for."""
    form = keying.open_form(state, principal, record_id)

    states = keying.field_states(keying.task_paths(form.record.review.reasons),
                                 load_entries(state.store, record_id))
    return {"record_id": record_id, "version": form.record.version,
            "opened_at": form.opened_at,
            "fields": [{**t.to_dict(), **states[t.path].to_dict(),
                        "yours": t in form.tasks} for t in keying.tasks_of(form.record)]}


class EntriesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    values: dict[Annotated[str, Field(max_length=64)], Annotated[str, Field(max_length=500)]] = (
        Field(max_length=MAX_FORM_FIELDS, description='{"subjects[0].name": "Nguyễn Văn An"}'))
    opened_at: Annotated[str | None, Field(max_length=40)] = None


@api_router.post("/records/{record_id}/entries")
def post_entries(record_id: str, body: EntriesIn, state: State,
                 principal: Clerk) -> dict[str, Any]:
    return keying.submit(state, principal, record_id, body.values, body.opened_at).to_dict()


@api_router.get("/disputes")
def list_disputes(state: State, principal: Clerk) -> dict[str, Any]:
    """Fields two other people keyed differently: this user may decide them."""
    return {"items": [d.to_dict() for d in keying.disputes(state, principal)]}


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Annotated[str, Field(max_length=64)]
    value: Annotated[str, Field(max_length=500)]


@api_router.post("/records/{record_id}/decisions")
def post_decision(record_id: str, body: DecisionIn, state: State,
                  principal: Clerk) -> dict[str, Any]:
    return keying.decide(state, principal, record_id, body.field, body.value).to_dict()


@api_router.get("/clerks")
def clerks(state: State, principal: Admin) -> dict[str, Any]:
    """Per clerk: fields keyed, forms per hour, disagreement rate."""
    return {"clerks": [c.to_dict() for c in keying.clerk_figures(state, principal)]}


# --- screens -----------------------------------------------------------------------------


@web_router.get("/keying", response_class=HTMLResponse)
def keying_next(request: Request, state: State, me: Caller,
                after: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    require(me, Action.REVIEW)
    record_id = keying.next_record(state, me, after)
    if record_id is None:
        return render(request, "keying_done.html", me)
    return RedirectResponse(f"/keying/{record_id}", status_code=303)


def _form_page(request: Request, state: AppState, me: Principal, record_id: str, *,
               error: str | None = None, typed: dict[str, str] | None = None,
               status: int = 200) -> Response:
    form = keying.open_form(state, me, record_id)
    if not form.tasks:
        return RedirectResponse(f"/keying?after={record_id}", status_code=303)
    return render(request, "keying.html", me, status=status, form=form, error=error,
                  typed=typed or {})


@web_router.get("/keying/{record_id}", response_class=HTMLResponse)
def keying_form(request: Request, record_id: str, state: State, me: Caller) -> Response:
    return _form_page(request, state, me, record_id)


@web_router.post("/keying/{record_id}", response_class=HTMLResponse)
async def keying_submit(request: Request, record_id: str, state: State, me: Caller) -> Response:
    require(me, Action.REVIEW)
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS + 2)
    values = {k: v for k, v in form.items()
              if isinstance(v, str) and k != "opened_at" and len(v) <= 500}
    opened = form.get("opened_at")
    try:
        await run_in_threadpool(keying.submit, state, me, record_id, values,
                                opened if isinstance(opened, str) else None)
    except ApiError as exc:
        if exc.status == 400:  # nothing typed: on to the next form
            return RedirectResponse(f"/keying?after={record_id}", status_code=303)
        if exc.status not in (409, 422):
            raise
        return await run_in_threadpool(functools.partial(
            _form_page, request, state, me, record_id, error=exc.message_vi, typed=values,
            status=exc.status))
    return RedirectResponse(f"/keying?after={record_id}", status_code=303)


@web_router.get("/keying/{record_id}/crop.png", response_class=Response)
def keying_crop(record_id: str, state: State, me: Clerk, path: FieldPath) -> Response:
    """The field's image: for the screen (session) and for API clients (token) alike."""
    return Response(keying.crop_png(state, me, record_id, path), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@web_router.get("/keying-disputes", response_class=HTMLResponse)
def disputes_page(request: Request, state: State, me: Caller) -> HTMLResponse:
    return render(request, "keying_disputes.html", me, items=keying.disputes(state, me))


@web_router.get("/keying/{record_id}/decide", response_class=HTMLResponse)
def decide_page(request: Request, record_id: str, state: State, me: Caller, path: FieldPath,
                error: str | None = None) -> HTMLResponse:
    return render(request, "keying_decide.html", me,
                  item=keying.dispute(state, me, record_id, path), error=error)


@web_router.post("/keying/{record_id}/decide", response_class=HTMLResponse)
async def decide_submit(request: Request, record_id: str, state: State, me: Caller,
                        path: FieldPath) -> Response:
    form = await request.form(max_files=0, max_fields=4)
    value = form.get("value")
    try:
        await run_in_threadpool(keying.decide, state, me, record_id, path,
                                value if isinstance(value, str) else "")
    except ApiError as exc:
        if exc.status not in (400, 422):
            raise
        item = await run_in_threadpool(keying.dispute, state, me, record_id, path)
        return render(request, "keying_decide.html", me, status=exc.status, item=item,
                      error=exc.message_vi)
    return RedirectResponse("/keying-disputes", status_code=303)


@web_router.get("/keying-clerks", response_class=HTMLResponse)
def clerks_page(request: Request, state: State, me: Caller) -> HTMLResponse:
    require(me, Action.AUDIT)
    return render(request, "keying_clerks.html", me, clerks=keying.clerk_figures(state, me))
