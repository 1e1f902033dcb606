"""Operations over a running archive, shared by the CLI, the API and the workers:
review (list, correct, approve), fixity and rebuilding the index.

Each writes to storage first (the system of record), then updates the index.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from application.audited import AuditTrail
from application.runtime import Runtime
from extract.review import approve as approve_record
from extract.review import correct
from records import Record, Status
from records.result_types import cached_result_types
from search import IndexedRecord, SearchQuery
from signing import verify_pdf
from storage import ObjectNotFound, Store, fixity, iter_latest_records, load_record, save_record
from storage.admin import RecordDeletion, carry_out, plan_deletion
from storage.layout import split_record_key

REINDEX_CHUNK = 500

log = logging.getLogger("sohoa.ingest")


def find_record(runtime: Runtime, record_id: str) -> Record:
    """The latest version of a record, located through the index (which knows its
    agency) and read from storage. ``KeyError`` when unknown."""

    indexed = runtime.index.get(record_id)
    if indexed is None:
        raise KeyError(record_id)
    try:
        return load_record(runtime.store, indexed["agency"], record_id)
    except ObjectNotFound as exc:
        raise KeyError(record_id) from exc


class QueuedRecord(IndexedRecord):
    """A record waiting for an officer, as indexed, with its review's reasons beside it
    (``sohoa review --json`` prints one a line)."""

    reasons: list[str]


def review_queue(runtime: Runtime, *, agency: str | None = None,
                 limit: int = 1000) -> list[QueuedRecord]:
    """Records waiting for an officer, with their reasons."""

    result = runtime.index.search(
        SearchQuery(status=str(Status.NEEDS_REVIEW), agency=agency, limit=limit)
    )
    return [
        {**hit.record, "reasons": (hit.record.get("review") or {}).get("reasons", [])}
        for hit in result.hits
    ]


def review_revision(
    runtime: Runtime, record: Record, changes: dict[str, str], *, approve: bool, actor: str
) -> Record | None:
    """The new version a review makes of ``record`` (None when it changes nothing):
    corrections and approval in one version, the history kept on the record, values
    checked against this deployment's result-type catalog. Raises
    ``extract.review.ReviewError`` for a value an officer could not have meant."""

    if changes:
        result_types = cached_result_types(runtime.settings.result_types_path)
        return correct(record, changes, by=actor, approve=approve, result_types=result_types)
    if approve:
        return approve_record(record, by=actor)
    return None


def publish_revision(runtime: Runtime, record: Record) -> None:
    """A new version into storage (which commits it), then into the index."""

    save_record(runtime.store, record)
    runtime.index.upsert(record)


def publish_review(
    runtime: Runtime, record: Record, changes: dict[str, str], *, approve: bool, actor: str
) -> Record | None:
    """Correct and/or approve ``record`` (``review_revision``), publish the new version
    and write its audit entry: the one place a review is recorded, whoever made it (the
    API, the screen or ``sohoa review --set``). None when it changes nothing."""
    revised = review_revision(runtime, record, changes, approve=approve, actor=actor)
    if revised is None:
        return None
    publish_revision(runtime, revised)
    runtime.trail().record_corrected(actor, revised.id, revised.version, changes,
                                     approved=approve)
    return revised


def apply_review(
    runtime: Runtime, record_id: str, changes: dict[str, str], *, approve: bool, actor: str
) -> Record:
    """Correct and/or approve a record by id: a new version in storage, then the index,
    audited (``publish_review``)."""
    record = find_record(runtime, record_id)
    revised = publish_review(runtime, record, changes, approve=approve, actor=actor)
    return record if revised is None else revised


def check_fixity(
    runtime: Runtime,
    *,
    agency: str | None = None,
    on_problem: Callable[[fixity.FixityFinding], None] | None = None,
) -> fixity.FixitySummary:
    """Re-read every object and check every archival PDF's signature; ``on_problem``
    hears of each problem as it is found."""

    roots = runtime.trust_roots()

    def signature_ok(data: bytes) -> bool:
        return verify_pdf(data, trust_roots=roots).valid

    summary = fixity.FixitySummary()
    for finding in fixity.check(runtime.store, verify_pdf=signature_ok, agency=agency):
        summary.add(finding)
        if not finding.ok and on_problem is not None:
            on_problem(finding)
    return summary


def fixity_report(summary: fixity.FixitySummary) -> dict[str, Any]:
    """A fixity run as JSON (``sohoa fixity --json``'s summary, the Celery task's result):
    the summary's counts, ``objects`` read, and each problem's kind, key and detail."""
    report = summary.to_dict()
    report["objects"] = summary.checked
    report["problems"] = [
        {"kind": p.status, "key": p.key, "detail": p.detail} for p in summary.problems
    ]
    return report


def run_fixity(runtime: Runtime, *, agency: str | None = None) -> dict[str, Any]:
    """``check_fixity``'s report as JSON (``fixity_report``), for the Celery task."""
    return fixity_report(check_fixity(runtime, agency=agency))


@dataclass
class IndexRepair:
    """What a reindex or an index repair found and did."""

    checked: int = 0  # records read from storage
    written: int = 0  # upserts made
    added: int = 0  # in storage, missing from the index
    updated: int = 0  # indexed at another version than the stored latest
    removed: int = 0  # indexed, but no longer in storage
    unreadable: list[str] = field(default_factory=list)  # record keys that failed to load

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def reindex(runtime: Runtime, *, agency: str | None = None) -> IndexRepair:
    """Rebuild the index from storage alone, streaming in chunks (memory stays flat).

    The whole index is dropped and reloaded; for one agency, only that agency's entries
    are rewritten (and its entries without a record removed): the others stay. A
    record that cannot be read is reported and skipped, never the end of the rebuild.
    """
    if agency is not None:
        return repair_index(runtime, agency=agency, rewrite=True)
    runtime.index.clear()
    repair = IndexRepair()
    repair.written = sum(_upsert_chunks(runtime, _stored_records(runtime, repair, None)))
    repair.added = repair.written
    runtime.index.optimize()
    return repair


def repair_index(runtime: Runtime, *, agency: str | None = None,
                 rewrite: bool = False) -> IndexRepair:
    """Bring the index in line with storage without dropping it, so search and reuse
    stay up meanwhile: add what is missing, update what is stale, remove what storage
    no longer holds (``rewrite`` rewrites every record, as after an indexing change).

    Heals what a process that died between writing storage and the index left behind
    (a correction not indexed, a deletion half done) without a full reindex. Safe to
    run while ingesting: the index's versions are read before storage is listed, so a
    record committed meanwhile is at worst written twice, never rolled back. A record
    that cannot be read keeps its index entry as it is (and is reported).
    """
    indexed = dict(runtime.index.versions(agency))
    repair = IndexRepair()

    def to_write() -> Iterator[Record]:
        for record in _stored_records(runtime, repair, agency, keep=indexed):
            version = indexed.pop(record.id, None)
            if version is None:
                repair.added += 1
            elif version != record.version:
                repair.updated += 1
            elif not rewrite:
                continue
            yield record

    repair.written = sum(_upsert_chunks(runtime, to_write()))
    for record_id in indexed:  # what storage no longer holds
        runtime.index.delete(record_id)
        repair.removed += 1
    if repair.added or repair.updated or repair.removed:
        log.warning("index repaired: added %d, updated %d, removed %d",
                    repair.added, repair.updated, repair.removed)
    return repair


def _stored_records(runtime: Runtime, repair: IndexRepair, agency: str | None,
                    keep: dict[str, int] | None = None) -> Iterator[Record]:
    """The latest records in storage, counted in ``repair``; an unreadable one is
    logged and listed there (and dropped from ``keep``, so its entry is not removed)."""

    def unreadable(key: str, exc: Exception) -> None:
        log.error("record %s cannot be read, left out of the index: %s", key, exc)
        repair.unreadable.append(key)
        split = split_record_key(key)
        if keep is not None and split is not None:
            keep.pop(split[1], None)

    for record in iter_latest_records(runtime.store, agency, on_error=unreadable):
        repair.checked += 1
        yield record


def _upsert_chunks(runtime: Runtime, records: Iterable[Record]) -> Iterator[int]:
    chunk: list[Record] = []
    for record in records:
        chunk.append(record)
        if len(chunk) >= REINDEX_CHUNK:
            yield runtime.index.upsert_many(chunk)
            chunk.clear()
    if chunk:
        yield runtime.index.upsert_many(chunk)


def delete_record(runtime: Runtime, record_id: str, *, actor: str,
                  reason: str) -> RecordDeletion:
    """The audited admin deletion: the audit entry is durable before anything goes,
    then the objects, then the index entry. ``KeyError`` when the record is unknown."""

    record = find_record(runtime, record_id)
    deletion = delete_stored(runtime.store, runtime.trail(), record.agency, record_id,
                             actor=actor, reason=reason)
    runtime.index.delete(record_id)
    return deletion


def delete_stored(store: Store, trail: AuditTrail, agency: str, record_id: str, *,
                  actor: str, reason: str) -> RecordDeletion:
    """Every stored object of a record, gone once its audit entry is durable: if the
    entry cannot be written, nothing is deleted. ``ObjectNotFound`` when the record
    has no objects; ``ValueError`` without an actor or a reason."""

    if not actor.strip() or not reason.strip():
        raise ValueError("deleting a record needs an actor and a reason")
    deletion = plan_deletion(store, agency, record_id)
    trail.record_deleted(actor, reason, deletion)
    carry_out(store, deletion)
    return deletion
