"""sohoa reuse: fill a dossier from the archive (the "once-only" lookup) and release papers.

Offers:
- ``ReuseService(index, store, procedures=None, verify=None, verify_signature=None,
  accept_development_signatures=False)``: the archive and the deployment's checks,
  built once (``Runtime.reuse`` wraps it in ``application.audited_reuse.AuditedReuse``,
  which writes the audit entries), with
  - ``.lookup(request) -> ReuseResult``: per dossier component, the archived results of
    this citizen that satisfy it (metadata only), the share of components satisfied,
    and the papers withheld with their reason (not corroborated by ``Facts``, ID
    conflict, undated); ``.examine(request) -> LookupOutcome``: the same with what its
    audit entry records (dossier code as checked, who was asked about);
  - ``.release(request, *, record_id, citizen_request, confirmed_probable=False) ->
    ReleaseOutcome``: the signed archival PDF after re-checking everything, or the
    refusal (a ``ReuseError``: ``code``, Vietnamese ``message``);
- ``ReuseRequest(procedure_code, subject_id | name + birth_date, facts, actor,
  dossier_code, as_of, today)``: one question, frozen;
- ``IntactArchive(store)``: a ``verify`` for ``lookup`` that offers a paper only when
  its archival PDF reads back intact (checksum, a PDF), remembered a few minutes;
- ``format_result(result) -> str``: the Vietnamese text the CLI prints;
- ``check_dossier_code(code)``, the input ``Facts``, who an outcome was about
  (``AskedAbout``), the result types ``ReuseResult``,
  ``ComponentResult``, ``Candidate``, ``Match``, ``Withheld``, ``WithheldReason``,
  ``ReleasedDocument`` and the errors ``ReuseError``, ``ReleaseRefused``.

The procedure catalog it works from is ``records.procedures.load_procedures``.
"""

from reuse.format import format_result
from reuse.lookup import check_dossier_code
from reuse.model import (
    AskedAbout,
    Candidate,
    ComponentResult,
    Facts,
    LookupOutcome,
    Match,
    ReleasedDocument,
    ReleaseOutcome,
    ReleaseRefused,
    ReuseError,
    ReuseRequest,
    ReuseResult,
    Withheld,
    WithheldReason,
)
from reuse.release import IntactArchive
from reuse.service import ReuseService

__all__ = [
    "AskedAbout",
    "Candidate",
    "ComponentResult",
    "Facts",
    "IntactArchive",
    "LookupOutcome",
    "Match",
    "ReleaseOutcome",
    "ReleaseRefused",
    "ReleasedDocument",
    "ReuseError",
    "ReuseRequest",
    "ReuseResult",
    "ReuseService",
    "Withheld",
    "WithheldReason",
    "check_dossier_code",
    "format_result",
]
