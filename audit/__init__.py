"""sohoa audit: the append-only, hash-chained audit log kept in object storage.

Offers:
- ``AuditLog(store)``: ``append(action, actor, **details) -> AuditEntry`` (returns once
  durable), ``submit(...) -> Future[AuditEntry]`` (the same, to await), ``entries(since=None)``,
  ``head()``, ``verify(anchor=None) -> AuditVerification``; concurrent appends share one
  durable write (group commit: one segment object per write);
- ``AuditJournal(log, directory)``: ``append(...)`` / ``write(drafts)`` returning once
  the entries are durable in this process's SQLite journal (sub-millisecond), shipped
  into ``log``'s chain within ``ship_seconds``; journals of dead processes are adopted;
  ``flush()``, ``pending()``, and ``entries``/``head``/``verify`` after a flush. What
  the API and the CLI use (``Runtime.audit()``);
- ``format_verification(check) -> str``: what ``sohoa audit verify`` prints;
- ``AuditSink``: the protocol ``application.audited.AuditTrail`` writes through;
- ``AuditEntry``, ``AuditDraft``, ``AuditAnchor``, ``AuditVerification``, ``AuditError``.

Every lookup and release of a reusable record, and every access to a record's content
through the API, is logged here: who, for which dossier and procedure, about whom, and
what was returned.
"""

from audit.errors import AuditError
from audit.journal import AuditJournal
from audit.log import (
    AuditAnchor,
    AuditDraft,
    AuditEntry,
    AuditLog,
    AuditSink,
    AuditVerification,
    format_verification,
)

__all__ = [
    "AuditAnchor",
    "AuditDraft",
    "AuditEntry",
    "AuditError",
    "AuditJournal",
    "AuditLog",
    "AuditSink",
    "AuditVerification",
    "format_verification",
]
