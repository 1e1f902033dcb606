"""Audited administrative deletion: the only path that removes stored objects.

The application never deletes or overwrites an original or a signed result; removing
a record (a court order, a duplicate digitized by mistake) is an officer's decision
that must leave a trace. The audit entry is written first: if auditing fails, nothing
is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from records.model import utc_now
from storage import layout
from storage.base import ObjectNotFound, Store
from storage.keying import entries_prefix

AuditSink = Callable[[dict[str, Any]], None]


def delete_record(
    store: Store,
    agency: str,
    record_id: str,
    *,
    actor: str,
    reason: str,
    audit: AuditSink,
) -> list[str]:
    """Delete every object of a record after calling ``audit(entry)``; returns the keys.

    Files go before the record JSON so that an interrupted deletion still shows the
    record (fixity reports its missing files) and running it again finishes the job.
    On an S3 bucket with object lock the objects are hidden by delete markers while
    the locked versions stay until their retention ends.
    """
    if not actor.strip() or not reason.strip():
        raise ValueError("deleting a record needs an actor and a reason")
    prefix = layout.record_prefix(agency, record_id)
    keys = [info.key for info in store.list(prefix)]
    if not keys:
        raise ObjectNotFound(prefix)
    record_dir = layout.versions_prefix(agency, record_id)
    ordered = sorted(keys, key=lambda k: k.startswith(record_dir))  # stable: files first
    # The clerks' keyed values name the citizen too: they go with the record, first.
    ordered = [info.key for info in store.list(entries_prefix(record_id))] + ordered
    audit(
        {
            "action": "storage.delete_record",
            "at": utc_now(),
            "actor": actor,
            "reason": reason,
            "agency": agency,
            "record_id": record_id,
            "store": store.url,
            "keys": ordered,
        }
    )
    for key in ordered:
        store.delete(key)
    return ordered
