"""The reuse service: lookup and release over one archive, as every caller uses them.

What stays the same for every question (the index, the store, the procedure catalog
and the deployment's checks) is held here, built once (the CLI and the HTTP service get
it, audited, from ``Runtime.reuse``); what changes (who asks, about whom, for which
procedure, dossier and day) is one ``ReuseRequest``.

It writes no audit entry: it returns what happened (``LookupOutcome``,
``ReleaseOutcome``) and ``application.audited_reuse`` records it, so every audit entry
is decided and written in the application layer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

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
from reuse.model import (
    AskedAbout,
    LookupOutcome,
    ReleaseOutcome,
    ReuseError,
    ReuseRequest,
    ReuseResult,
)
from reuse.release import checked_release
from search import Index
from storage import Store


@dataclass(frozen=True)
class ReuseService:
    """Lookup and release over one archive.

    ``procedures``: the catalog (default: the shipped one). ``verify``: a last, possibly
    costly check of each offered record (e.g. ``IntactArchive``). ``verify_signature``:
    checks a released PDF's bytes before they leave (e.g. ``signing.verify_pdf(data,
    trust_roots=…).valid``), refused as ``signature_invalid``.
    ``accept_development_signatures``: count papers signed with a development-only
    identity as signed; only for a deployment that signs with it."""

    index: Index
    store: Store | None = None
    procedures: Mapping[str, Procedure] | None = None
    verify: Verify | None = None
    verify_signature: Callable[[bytes], bool] | None = None
    accept_development_signatures: bool = False

    def _conditions(self, request: ReuseRequest) -> Conditions:
        return conditions_for(request.as_of, request.today, self.accept_development_signatures)

    def _who(self, request: ReuseRequest) -> SubjectQuery:
        return subject_query(request.subject_id, request.name, request.birth_date, request.facts)

    def lookup(self, request: ReuseRequest) -> ReuseResult:
        """The archived results of this citizen that can fill each component of the
        dossier (metadata only).

        ``facts`` (parents, spouse, place of birth, residence, as the population
        database knows them) are what a paper without ID is checked against: without
        them, such papers are only reported in ``withheld_probable``."""
        return self.examine(request).result

    def examine(self, request: ReuseRequest) -> LookupOutcome:
        """``lookup``, with what its audit entry records: the dossier code as checked
        and who was asked about."""
        who = self._who(request)
        procedure = find_procedure(self.procedures, request.procedure_code)
        dossier = (
            check_dossier_code(request.dossier_code) if request.dossier_code is not None else None
        )
        result, _ = evaluate(self.index, who, procedure, self._conditions(request), self.verify)
        return LookupOutcome(result=result, dossier_code=dossier, subject=who.describe())

    def release(
        self,
        request: ReuseRequest,
        *,
        record_id: str,
        citizen_request: bool,
        confirmed_probable: bool = False,
    ) -> ReleaseOutcome:
        """The signed archival PDF of ``record_id`` for dossier ``request.dossier_code``,
        or why not (``ReleaseOutcome.refusal``: ``code`` and Vietnamese ``message``).

        Refused unless the citizen explicitly asked for it, the dossier code is well
        formed, and a fresh lookup for this citizen, procedure and date offers this
        record. A paper matched only by name and birth date (``probable``) must be
        corroborated by ``facts``, as in the lookup, and also needs
        ``confirmed_probable``: the officer has checked its number, issuer and date with
        the citizen."""
        if self.store is None:
            raise ValueError("a release needs the store")
        checks = self._conditions(request)
        # As given until understood: a refusal before that still says whom it was about.
        subject = AskedAbout.as_given(request)
        try:
            if citizen_request is not True:
                raise ReuseError(
                    "no_citizen_request",
                    "Chưa có yêu cầu rõ ràng của công dân về việc sử dụng lại giấy tờ đã số "
                    "hóa; không cung cấp.",
                )
            check_dossier_code(request.dossier_code or "")
            who = self._who(request)
            subject = who.describe()
            procedure = find_procedure(self.procedures, request.procedure_code)
            document, components, match = checked_release(
                self.index, self.store, record_id, who, procedure, checks, self.verify,
                confirmed_probable, self.verify_signature,
            )
        except ReuseError as error:
            return ReleaseOutcome(as_of=checks.as_of, subject=subject, refusal=error)
        return ReleaseOutcome(
            as_of=checks.as_of, subject=subject, document=document,
            components=tuple(components), match=match,
        )
