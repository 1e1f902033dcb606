"""The citizen portal's calls: reuse lookup and release, over ``reuse``.

Both look across all agencies (a citizen's papers may have been digitized anywhere)
and both are audited by ``reuse`` itself with the portal token as actor.

The lookup is the portal's hot path, run on the event loop with no thread hop: the
route drafts its audit entry and makes it durable in the local audit journal (one
SQLite commit, about half a millisecond) before answering; the journal ships it into
the hash chain in storage in the background (see ``audit.journal``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from api.errors import ApiError
from api.state import AppState
from api.tokens import Principal
from audit import AuditDraft


def _reuse_error(exc: Any) -> ApiError:
    status = 404 if exc.code in ("unknown_procedure", "unknown_record") else 422
    if exc.code in ("not_subject", "not_reusable", "no_archival_pdf", "archive_damaged",
                    "id_conflict", "undated", "signature_invalid"):
        status = 409
    return ApiError(status, exc.code, exc.code.replace("_", " "), exc.message)


class DeferredAudit:
    """Handed to ``reuse`` as its audit log: each ``append`` only drafts the entry, and
    the caller makes the drafts durable (``AuditJournal.write``) before answering.
    ``reuse`` ignores what ``append`` returns, so nothing is lost by not writing there."""

    def __init__(self) -> None:
        self.drafts: list[AuditDraft] = []

    def append(self, action: str, actor: str, **details: Any) -> None:
        self.drafts.append(AuditDraft.new(action, actor, details))


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
    audit_log: Any = None,
    facts: dict[str, str | None] | None = None,
) -> dict[str, Any]:
    """The lookup's JSON; audited on ``audit_log`` (default: the app's log, waited for
    here; a ``DeferredAudit`` leaves the writing to the caller). ``facts``: the keyword
    arguments of ``reuse.Facts``."""
    from reuse import Facts, ReuseError
    from reuse import lookup as reuse_lookup

    try:
        result = reuse_lookup(
            state.index,
            subject_id=subject_id,
            name=name,
            birth_date=birth_date,
            facts=Facts(**(facts or {})),
            procedure_code=procedure,
            as_of=as_of,
            procedures=state.runtime.procedures(),
            # Papers signed with a development identity prove nothing, except to a
            # deployment that signs with one itself (the embedded demo).
            accept_development_signatures=state.runtime.uses_dev_identity,
            # A paper whose archival PDF fails its checksum is not offered: the release
            # would refuse it.
            verify=state.intact_archive,
            audit_log=audit_log or state.audit,
            actor=principal.actor,
            dossier_code=dossier_code,
        )
    except ReuseError as exc:
        raise _reuse_error(exc) from exc
    out: dict[str, Any] = result.to_dict()
    return out


FACT_FIELDS = (
    "father_name", "mother_name", "spouse_name", "spouse_birth_date", "birth_place", "residence",
)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def release(state: AppState, principal: Principal, body: dict[str, Any]) -> Any:
    from reuse import Facts, ReuseError
    from reuse import release as reuse_release
    from signing import verify_pdf

    try:
        return reuse_release(
            state.index,
            state.store,
            record_id=body["record_id"],
            dossier_code=body["dossier_code"],
            procedure_code=body["procedure"],
            subject_id=body.get("subject"),
            name=body.get("name"),
            birth_date=body.get("birth_date"),
            citizen_request=body["citizen_request"],
            actor=principal.actor,
            audit_log=state.audit,
            # The bytes handed to the portal must verify, not only the metadata say so.
            verify_signature=lambda data: verify_pdf(data, trust_roots=state.trust_roots).valid,
            procedures=state.runtime.procedures(),
            # Papers signed with a development identity prove nothing, except to a
            # deployment that signs with one itself (the embedded demo).
            accept_development_signatures=state.runtime.uses_dev_identity,
            facts=Facts(**{k: _text(body.get(k)) for k in FACT_FIELDS}),
            confirmed_probable=bool(body.get("confirmed_probable")),
        )
    except ReuseError as exc:
        raise _reuse_error(exc) from exc
