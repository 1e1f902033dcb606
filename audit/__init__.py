"""sohoa audit: the append-only, hash-chained audit log kept in object storage.

Offers:
- ``AuditLog(store)``: ``append(action, actor, **details) -> AuditEntry``,
  ``entries(since=None)``, ``head()``, ``verify(anchor=None) -> AuditVerification``;
- ``AuditEntry``, ``AuditAnchor``, ``AuditVerification``, ``AuditError``.

Every lookup and release of a reusable record, and every access to a record's content
through the API, is logged here: who, for which dossier and procedure, about whom, and
what was returned.
"""

from audit.log import AuditAnchor, AuditEntry, AuditError, AuditLog, AuditVerification

__all__ = ["AuditAnchor", "AuditEntry", "AuditError", "AuditLog", "AuditVerification"]
