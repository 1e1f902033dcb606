"""Operations over a running archive, shared by the CLI, the API and the workers:
review (list, correct, approve), fixity and rebuilding the index.

Each writes to storage first (the system of record), then updates the index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ingest.runtime import Runtime
from records import Record, Status

REINDEX_CHUNK = 500


def find_record(runtime: Runtime, record_id: str) -> Record:
    """The latest version of a record, located through the index (which knows its
    agency) and read from storage. ``KeyError`` when unknown."""
    from storage import ObjectNotFound, load_record

    indexed = runtime.index.get(record_id)
    if indexed is None:
        raise KeyError(record_id)
    try:
        return load_record(runtime.store, indexed["agency"], record_id)
    except ObjectNotFound as exc:
        raise KeyError(record_id) from exc


def review_queue(runtime: Runtime, *, agency: str | None = None,
                 limit: int = 1000) -> list[dict[str, Any]]:
    """Records waiting for an officer, with their reasons."""
    from search import SearchQuery

    result = runtime.index.search(
        SearchQuery(status=str(Status.NEEDS_REVIEW), agency=agency, limit=limit)
    )
    return [
        {**hit.record, "reasons": (hit.record.get("review") or {}).get("reasons", [])}
        for hit in result.hits
    ]


def apply_review(
    runtime: Runtime, record_id: str, changes: dict[str, str], *, approve: bool, actor: str
) -> Record:
    """Correct and/or approve a record: a new version in storage, then the index."""
    from extract.review import approve as approve_record
    from extract.review import correct
    from records.result_types import cached_result_types
    from storage import save_record

    record = find_record(runtime, record_id)
    result_types = cached_result_types(runtime.settings.result_types_path)
    if changes:
        # Corrections and approval in one new version, the history kept on the record.
        record = correct(record, changes, by=actor, approve=approve, result_types=result_types)
    elif approve:
        record = approve_record(record, by=actor)
    else:
        return record
    save_record(runtime.store, record)
    runtime.index.upsert(record)
    return record


def run_fixity(
    runtime: Runtime,
    *,
    agency: str | None = None,
    on_problem: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Re-read every object and check every archival PDF's signature."""
    from signing import verify_pdf
    from storage import fixity

    roots = runtime.trust_roots()

    def signature_ok(data: bytes) -> bool:
        return verify_pdf(data, trust_roots=roots).valid

    summary = fixity.FixitySummary()
    for finding in fixity.check(runtime.store, verify_pdf=signature_ok, agency=agency):
        summary.add(finding)
        if not finding.ok and on_problem is not None:
            on_problem(finding.to_dict())
    report = summary.to_dict()
    report["objects"] = summary.checked
    report["problems"] = [
        {"kind": p.status, "key": p.key, "detail": p.detail} for p in summary.problems
    ]
    return report


def reindex(runtime: Runtime, *, agency: str | None = None) -> int:
    """Rebuild the index from storage alone, streaming in chunks (memory stays flat)."""
    from storage import iter_latest_records

    runtime.index.clear()
    total = 0
    chunk: list[Record] = []
    for record in iter_latest_records(runtime.store, agency):
        chunk.append(record)
        if len(chunk) >= REINDEX_CHUNK:
            total += runtime.index.upsert_many(chunk)
            chunk.clear()
    total += runtime.index.upsert_many(chunk)
    runtime.index.optimize()
    return total


def delete_record(runtime: Runtime, record_id: str, *, actor: str, reason: str) -> list[str]:
    """The audited admin deletion: the audit entry is durable before anything goes,
    then the objects, then the index entry."""
    from storage.admin import delete_record as delete_objects

    record = find_record(runtime, record_id)
    log = runtime.audit()

    def audit(entry: dict[str, Any]) -> None:
        details = {k: v for k, v in entry.items() if k not in ("action", "actor")}
        log.append(entry["action"], entry["actor"], **details)

    keys = delete_objects(runtime.store, record.agency, record_id, actor=actor, reason=reason,
                          audit=audit)
    runtime.index.delete(record_id)
    return keys
