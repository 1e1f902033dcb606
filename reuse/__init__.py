"""sohoa reuse: fill a dossier from the archive (the "once-only" lookup) and release papers.

Offers:
- ``lookup(index, *, subject_id, name=None, birth_date=None, procedure_code, as_of=None,
  procedures=None, verify=None, audit_log=None, actor=None, dossier_code=None)
  -> ReuseResult``: per dossier component, the archived results of this citizen that
  satisfy it (metadata only), and the share of components satisfied;
- ``release(index, store, *, record_id, dossier_code, procedure_code, subject_id | name +
  birth_date, citizen_request, actor, audit_log, as_of=None, procedures=None,
  verify=None) -> ReleasedDocument``: the signed archival PDF, after re-checking
  everything; raises ``ReleaseRefused`` (``code``, Vietnamese ``message``);
- ``format_result(result) -> str``: the Vietnamese text the CLI prints;
- ``check_dossier_code(code)``, the result types ``ReuseResult``, ``ComponentResult``,
  ``Candidate``, ``Match``, ``ReleasedDocument`` and the errors ``ReuseError``,
  ``ReleaseRefused``.

The procedure catalog it works from is ``records.procedures.load_procedures``.
"""

from reuse.format import format_result
from reuse.lookup import check_dossier_code, lookup
from reuse.model import (
    Candidate,
    ComponentResult,
    Match,
    ReleasedDocument,
    ReleaseRefused,
    ReuseError,
    ReuseResult,
)
from reuse.release import release

__all__ = [
    "Candidate",
    "ComponentResult",
    "Match",
    "ReleaseRefused",
    "ReleasedDocument",
    "ReuseError",
    "ReuseResult",
    "check_dossier_code",
    "format_result",
    "lookup",
    "release",
]
