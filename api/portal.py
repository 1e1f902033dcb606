"""The citizen portal's calls: reuse lookup and release, over ``reuse``.

Both look across all agencies (a citizen's papers may have been digitized anywhere)
and both are audited by the runtime's ``application.audited_reuse.AuditedReuse`` with
the portal token as actor.

The lookup is the portal's hot path, run on the event loop with no thread hop: its
audit entry is drafted and made durable in the local audit journal (one SQLite commit,
about half a millisecond) before the lookup returns, so before the route answers; the
journal ships it into the hash chain in storage in the background (see
``audit.journal``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from api.errors import ApiError
from api.state import AppState
from api.tokens import Principal
from reuse import Facts, ReleasedDocument, ReuseError, ReuseRequest


def _reuse_error(exc: ReuseError) -> ApiError:
    status = 404 if exc.code in ("unknown_procedure", "unknown_record") else 422
    if exc.code in ("not_subject", "not_reusable", "no_archival_pdf", "archive_damaged",
                    "id_conflict", "undated", "signature_invalid"):
        status = 409
    return ApiError(status, exc.code, exc.code.replace("_", " "), exc.message)


def lookup(
    state: AppState,
    principal: Principal,
    *,
    procedure: str,
    subject_id: str | None,
    name: str | None,
    birth_date: date | None,
    as_of: date | None,
    dossier_code: str | None = None,
    facts: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The lookup's JSON, returned once its audit entry is durable. ``facts``: the
    keyword arguments of ``reuse.Facts``."""
    request = ReuseRequest(
        procedure_code=procedure,
        subject_id=subject_id,
        name=name,
        birth_date=birth_date,
        facts=Facts(**(facts or {})),
        actor=principal.actor,
        dossier_code=dossier_code,
        as_of=as_of,
    )
    try:
        result = state.runtime.reuse().lookup(request)
    except ReuseError as exc:
        raise _reuse_error(exc) from exc
    out: dict[str, Any] = result.to_dict()
    return out


FACT_FIELDS = (
    "father_name", "mother_name", "spouse_name", "spouse_birth_date", "birth_place", "residence",
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def release(state: AppState, principal: Principal, body: dict[str, Any]) -> ReleasedDocument:
    request = ReuseRequest(
        procedure_code=body["procedure"],
        subject_id=body.get("subject"),
        name=body.get("name"),
        birth_date=body.get("birth_date"),
        facts=Facts(**{k: _text(body.get(k)) for k in FACT_FIELDS}),
        actor=principal.actor,
        dossier_code=body["dossier_code"],
    )
    try:
        return state.runtime.reuse().release(
            request,
            record_id=body["record_id"],
            citizen_request=body["citizen_request"],
            confirmed_probable=bool(body.get("confirmed_probable")),
        )
    except ReuseError as exc:
        raise _reuse_error(exc) from exc
