"""Administrative deletion: the only path that removes stored objects.

The application never deletes or overwrites an original or a signed result; removing
a record (a court order, a duplicate digitized by mistake) is an officer's decision
that must leave a trace. Deleting is two steps so that the trace comes first:
``plan_deletion`` says what would go (a ``RecordDeletion``, touching nothing), the
caller writes its audit entry (``application.operations.delete_record`` through
``AuditTrail.record_deleted``), and only then ``carry_out`` removes those objects. If
auditing fails, nothing is deleted.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage import layout
from storage.base import ObjectNotFound, Store
from storage.keying import entries_prefix


@dataclass(frozen=True)
class RecordDeletion:
    """Every object of one record, in the order they are deleted."""

    agency: str
    record_id: str
    store: str  # the store's URL: which archive lost the objects
    keys: tuple[str, ...]


def plan_deletion(store: Store, agency: str, record_id: str) -> RecordDeletion:
    """What deleting the record removes; ``ObjectNotFound`` when it has no objects.

    Files go before the record JSON so that an interrupted deletion still shows the
    record (fixity reports its missing files) and running it again finishes the job.
    """
    prefix = layout.record_prefix(agency, record_id)
    keys = [info.key for info in store.list(prefix)]
    if not keys:
        raise ObjectNotFound(prefix)
    record_dir = layout.versions_prefix(agency, record_id)
    ordered = sorted(keys, key=lambda k: k.startswith(record_dir))  # stable: files first
    # The clerks' keyed values name the citizen too: they go with the record, first.
    entries = [info.key for info in store.list(entries_prefix(record_id))]
    return RecordDeletion(agency, record_id, store.url, tuple(entries + ordered))


def carry_out(store: Store, deletion: RecordDeletion) -> None:
    """Delete the planned objects, in order, once the deletion is on record.

    On an S3 bucket with object lock the objects are hidden by delete markers while
    the locked versions stay until their retention ends.
    """
    for key in deletion.keys:
        store.delete(key)
