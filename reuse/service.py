"""The reuse service: lookup and release over one archive, as every caller uses them.

What stays the same for every question (the index, the store, the audit log, the
procedure catalog and the deployment's checks) is held here, built once (the CLI and
the HTTP service get it from ``Runtime.reuse``); what changes (who asks, about whom,
for which procedure, dossier and day) is one ``ReuseRequest``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from audit import AuditSink
from records.procedures import Procedure
from reuse.lookup import (
    Conditions,
    SubjectQuery,
    Verify,
    check_dossier_code,
    conditions_for,
    evaluate,
    find_procedure,
    subject_query,
)
from reuse.model import ReleasedDocument, ReuseError, ReuseRequest, ReuseResult
from reuse.release import checked_release, refuse
from search import Index
from storage import Store


@dataclass(frozen=True)
class ReuseService:
    """Lookup and release over one archive.

    ``audit_log``: where each lookup, release and refusal is written (a lookup without
    one is not logged; a release needs one). ``procedures``: the catalog (default: the
    shipped one). ``verify``: a last, possibly costly check of each offered record (e.g.
    ``IntactArchive``). ``verify_signature``: checks a released PDF's bytes before they
    leave (e.g. ``signing.verify_pdf(data, trust_roots=…).valid``), refused as
    ``signature_invalid``. ``accept_development_signatures``: count papers signed with
    a development-only identity as signed; only for a deployment that signs with it."""

    index: Index
    store: Store | None = None
    audit_log: AuditSink | None = None
    procedures: Mapping[str, Procedure] | None = None
    verify: Verify | None = None
    verify_signature: Callable[[bytes], bool] | None = None
    accept_development_signatures: bool = False

    def _conditions(self, request: ReuseRequest) -> Conditions:
        return conditions_for(request.as_of, request.today, self.accept_development_signatures)

    def _who(self, request: ReuseRequest) -> SubjectQuery:
        return subject_query(request.subject_id, request.name, request.birth_date, request.facts)

    def lookup(self, request: ReuseRequest, *, audit_log: AuditSink | None = None) -> ReuseResult:
        """The archived results of this citizen that can fill each component of the
        dossier (metadata only).

        ``facts`` (parents, spouse, place of birth, residence, as the population
        database knows them) are what a paper without ID is checked against: without
        them, such papers are only reported in ``withheld_probable``. The lookup is
        logged on ``audit_log`` (default: the service's; the portal passes one that
        only drafts the entry): who asked, for which dossier and procedure, about whom,
        which records were offered and which withheld; ``request.actor`` is then
        required."""
        sink = audit_log if audit_log is not None else self.audit_log
        if sink is not None and not request.actor:
            raise ValueError("an audited lookup needs the actor")
        who = self._who(request)
        procedure = find_procedure(self.procedures, request.procedure_code)
        dossier = (
            check_dossier_code(request.dossier_code) if request.dossier_code is not None else None
        )
        result, _ = evaluate(self.index, who, procedure, self._conditions(request), self.verify)
        if sink is not None and request.actor:
            sink.append(
                "reuse.lookup",
                request.actor,
                dossier_code=dossier,
                procedure_code=procedure.code,
                as_of=result.as_of,
                subject=who.describe(),
                offered={c.code: [x.id for x in c.candidates] for c in result.components},
                withheld=[
                    # The components it would fill: a required one left unserved is a
                    # paper the citizen is asked for again although the archive holds it.
                    {"record_id": w.record_id, "reason": str(w.reason),
                     "components": list(w.components)}
                    for w in result.withheld_probable
                ],
                satisfied=result.satisfied,
                total=len(result.components),
            )
        return result

    def release(
        self,
        request: ReuseRequest,
        *,
        record_id: str,
        citizen_request: bool,
        confirmed_probable: bool = False,
    ) -> ReleasedDocument:
        """The signed archival PDF of ``record_id`` for dossier ``request.dossier_code``.

        Raises ``ReleaseRefused`` (``code`` and Vietnamese ``message``) unless the
        citizen explicitly asked for it, the dossier code is well formed, and a fresh
        lookup for this citizen, procedure and date offers this record. A paper matched
        only by name and birth date (``probable``) must be corroborated by ``facts``, as
        in the lookup, and also needs ``confirmed_probable``: the officer has checked
        its number, issuer and date with the citizen. Every release and refusal is
        written to the audit log before the caller sees it."""
        actor = request.actor
        if not actor:
            raise ValueError("a release needs the actor")
        if self.audit_log is None or self.store is None:
            raise ValueError("a release needs the store and the audit log")
        checks = self._conditions(request)
        context: dict[str, Any] = {
            "dossier_code": request.dossier_code,
            "procedure_code": request.procedure_code,
            "record_id": record_id,
            "as_of": checks.as_of,
            "subject": {
                "id_number": request.subject_id,
                "name": request.name,
                "birth_date": request.birth_date,
                "facts": sorted(request.facts.given()),
            },
            "citizen_request": citizen_request,
            "confirmed_probable": confirmed_probable,
        }
        try:
            if citizen_request is not True:
                raise ReuseError(
                    "no_citizen_request",
                    "Chưa có yêu cầu rõ ràng của công dân về việc sử dụng lại giấy tờ đã số "
                    "hóa; không cung cấp.",
                )
            check_dossier_code(request.dossier_code or "")
            who = self._who(request)
            context["subject"] = who.describe()
            procedure = find_procedure(self.procedures, request.procedure_code)
            document, components, match = checked_release(
                self.index, self.store, record_id, who, procedure, checks, self.verify,
                confirmed_probable, self.verify_signature,
            )
        except ReuseError as error:
            raise refuse(self.audit_log, actor, error, context) from None
        self.audit_log.append(
            "reuse.release",
            actor,
            **context,
            components=components,
            match=match,
            sha256=document.sha256,
            size=len(document.data),
        )
        return document
