"""sohoa audit: the append-only, hash-chained audit log kept in object storage.

Offers:
- ``AuditLog(store)``: ``append(action, actor, **details) -> AuditEntry`` (returns once
  durable), ``submit(...) -> Future[AuditEntry]`` (the same, to await), ``entries(since=None)``,
  ``head()``, ``verify(anchor=None) -> AuditVerification``; concurrent appends share one
  durable write (group commit: one segment object per write);
- ``format_verification(check) -> str``: what ``sohoa audit verify`` prints;
- ``AuditEntry``, ``AuditAnchor``, ``AuditVerification``, ``AuditError``.

Every lookup and release of a reusable record, and every access to a record's content
through the API, is logged here: who, for which dossier and procedure, about whom, and
what was returned.
"""

from audit.log import (
    AuditAnchor,
    AuditEntry,
    AuditError,
    AuditLog,
    AuditVerification,
    format_verification,
)

__all__ = [
    "AuditAnchor",
    "AuditEntry",
    "AuditError",
    "AuditLog",
    "AuditVerification",
    "format_verification",
]
