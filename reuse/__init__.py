"""sohoa reuse: fill a dossier from the archive (the "once-only" lookup) and release papers.

Offers:
- ``lookup(index, *, subject_id, name=None, birth_date=None, facts=None, procedure_code,
  as_of=None, procedures=None, verify=None, audit_log=None, actor=None,
  dossier_code=None, today=None, accept_development_signatures=False) -> ReuseResult``:
  per dossier component, the archived results of this citizen that satisfy it (metadata
  only), the share of components satisfied, and the papers withheld with their reason
  (not corroborated by ``Facts``, ID conflict, undated);
- ``release(index, store, *, record_id, dossier_code, procedure_code, subject_id | name +
  birth_date, facts=None, citizen_request, actor, audit_log, as_of=None,
  procedures=None, verify=None, confirmed_probable=False, today=None,
  accept_development_signatures=False) -> ReleasedDocument``: the signed archival PDF,
  after re-checking everything; raises ``ReleaseRefused`` (``code``, Vietnamese
  ``message``);
- ``IntactArchive(store)``: a ``verify`` for ``lookup`` that offers a paper only when
  its archival PDF reads back intact (checksum, a PDF), remembered a few minutes;
- ``format_result(result) -> str``: the Vietnamese text the CLI prints;
- ``check_dossier_code(code)``, the input ``Facts``, the result types ``ReuseResult``,
  ``ComponentResult``, ``Candidate``, ``Match``, ``Withheld``, ``WithheldReason``,
  ``ReleasedDocument`` and the errors ``ReuseError``, ``ReleaseRefused``.

The procedure catalog it works from is ``records.procedures.load_procedures``.
"""

from reuse.format import format_result
from reuse.lookup import check_dossier_code, lookup
from reuse.model import (
    Candidate,
    ComponentResult,
    Facts,
    Match,
    ReleasedDocument,
    ReleaseRefused,
    ReuseError,
    ReuseResult,
    Withheld,
    WithheldReason,
)
from reuse.release import IntactArchive, release

__all__ = [
    "Candidate",
    "ComponentResult",
    "Facts",
    "IntactArchive",
    "Match",
    "ReleaseRefused",
    "ReleasedDocument",
    "ReuseError",
    "ReuseResult",
    "Withheld",
    "WithheldReason",
    "check_dossier_code",
    "format_result",
    "lookup",
    "release",
]
