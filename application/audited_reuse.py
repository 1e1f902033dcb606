"""The reuse lookup and release as every caller uses them: ``reuse.ReuseService`` decides,
this records it.

Why here and not in ``reuse``: an audit entry is the application's decision (which
action, which details, written where), and ``application.audited`` is the one place
that makes it. ``reuse`` returns what happened (``LookupOutcome``, ``ReleaseOutcome``),
which also keeps it free of any writer: an audit sink handed down into ``reuse`` would
have left it writing entries whose shape it chose. Every entry is durable before the
caller sees the answer: the portal's lookup answers once its entry is committed to this
host's journal (one SQLite commit), and nothing is released when the log cannot be
written.
"""

from __future__ import annotations

from dataclasses import dataclass

from application.audited import AuditTrail
from reuse import ReleasedDocument, ReuseRequest, ReuseResult, ReuseService


@dataclass(frozen=True)
class AuditedReuse:
    """``service``'s lookup and release, each written to ``trail`` (built once by
    ``Runtime.reuse``)."""

    service: ReuseService
    trail: AuditTrail

    def lookup(self, request: ReuseRequest) -> ReuseResult:
        """``ReuseService.lookup``, audited as ``reuse.lookup`` with ``request.actor``
        (required) before it returns."""
        if not request.actor:
            raise ValueError("an audited lookup needs the actor")
        outcome = self.service.examine(request)
        self.trail.reuse_looked_up(request.actor, outcome)
        return outcome.result

    def release(
        self,
        request: ReuseRequest,
        *,
        record_id: str,
        citizen_request: bool,
        confirmed_probable: bool = False,
    ) -> ReleasedDocument:
        """``ReuseService.release``'s document; raises ``ReleaseRefused`` (``code`` and
        Vietnamese ``message``) when refused. The release or refusal is in the audit
        log before either."""
        if not request.actor:
            raise ValueError("a release needs the actor")
        outcome = self.service.release(
            request, record_id=record_id, citizen_request=citizen_request,
            confirmed_probable=confirmed_probable,
        )
        self.trail.reuse_released(
            request.actor, request, record_id, outcome,
            citizen_request=citizen_request, confirmed_probable=confirmed_probable,
        )
        return outcome.handed_over()
