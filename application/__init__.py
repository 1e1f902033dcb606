"""The application as a whole: its configuration, the objects built from it, the checks
before any work and the operations on the archive that are not ingest.

Offers:
- ``Settings`` (``application.settings``): configuration, read from the environment at
  the edge (CLI, app factory, worker) and passed down;
- ``Runtime`` (``application.runtime``): the composition root: store, index, signer,
  audit journal, statistics and the reuse service, built once from ``Settings``;
- ``application.preflight``: tesseract and its languages, the store, the index, the
  broker and the key checked before any file is read;
- ``application.operations``: review (corrections and approval), fixity, delete,
  reindex and index repair;
- ``application.audited``: ``AuditTrail`` (``Runtime.trail``), the one writer of audit
  entries, one method per action; ``application.audited_reuse``: ``AuditedReuse``
  (``Runtime.reuse``), the reuse lookup and release with their audit entries.
"""

from application.runtime import Runtime
from application.settings import Settings

__all__ = ["Runtime", "Settings"]
