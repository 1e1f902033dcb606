"""The index as ``Runtime`` hands it out, keeping the statistics' record facts in step.

Every write of a record goes through the index after storage (ingest's commit, review,
deletion, reindex and repair): wrapping it here is the one place that sees them all,
so no writer has to remember the statistics. The statistics are derived data: a
failure to count is logged, never the write's failure (``sohoa stats rebuild`` recounts).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator

from records import Record
from search.base import Index, SearchQuery, SearchResult
from search.document import IndexedRecord
from stats.store import StatsStore

log = logging.getLogger(__name__)


def _counted(update: Callable[[], None]) -> None:
    try:
        update()
    except sqlite3.Error:
        log.exception("statistics not updated (run sohoa stats rebuild)")


class CountingIndex:
    """``search.base.Index`` over ``inner``; writes also update ``stats``."""

    def __init__(self, inner: Index, stats: StatsStore) -> None:
        self.inner = inner
        self.stats = stats
        self.url = inner.url
        self.in_process = inner.in_process

    def upsert(self, record: Record) -> None:
        self.inner.upsert(record)
        _counted(lambda: self.stats.put_records([record]))

    def upsert_many(self, records: Iterable[Record]) -> int:
        batch = list(records)
        written = self.inner.upsert_many(batch)
        _counted(lambda: self.stats.put_records(batch))
        return written

    def delete(self, record_id: str) -> None:
        self.inner.delete(record_id)
        _counted(lambda: self.stats.delete_record(record_id))

    def clear(self) -> None:
        self.inner.clear()
        _counted(self.stats.clear_records)

    def get(self, record_id: str) -> IndexedRecord | None:
        return self.inner.get(record_id)

    def count(self) -> int:
        return self.inner.count()

    def versions(self, agency: str | None = None) -> Iterator[tuple[str, int]]:
        return self.inner.versions(agency)

    def search(self, query: SearchQuery) -> SearchResult:
        return self.inner.search(query)

    def records_for_subject(
        self,
        *,
        id_number: str | None = None,
        name: str | None = None,
        birth_date: str | None = None,
        doc_types: list[str] | None = None,
    ) -> list[IndexedRecord]:
        return self.inner.records_for_subject(
            id_number=id_number, name=name, birth_date=birth_date, doc_types=doc_types
        )

    def optimize(self) -> None:
        self.inner.optimize()

    def close(self) -> None:
        self.inner.close()
        self.stats.close()
