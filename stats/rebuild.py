"""Refill the statistics from the system of record: the records in storage and the
audit chain (the counters are derived data, like the index)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from records import Record
from stats.store import AuditEvent, StatsStore


def rebuild(
    store: StatsStore, records: Iterable[Record], events: Iterable[AuditEvent]
) -> tuple[int, int]:
    """Forget the record facts and reuse counters, then count ``records`` and
    ``events`` again; returns how many of each were counted. The offices' issued
    counts are kept: only they know them. Run it while nothing is being digitized or
    looked up (an entry journaled meanwhile may be counted twice or not at all)."""
    store.clear_records()
    store.clear_events()
    counted = 0

    def counting() -> Iterator[Record]:
        nonlocal counted
        for record in records:
            counted += 1
            yield record

    store.put_records(counting())
    return counted, store.add_events(events)
