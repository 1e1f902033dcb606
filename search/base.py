"""The index contract every search backend fulfils.

The index is derived data: everything in it comes from records in storage, and
``sohoa reindex`` can always rebuild it from there.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from records import Record
from search.document import IndexedRecord


@dataclass
class SearchQuery:
    text: str = ""
    doc_type: str | None = None
    issuer: str | None = None
    agency: str | None = None
    agencies: list[str] | None = None  # restrict to these agencies (access control) ...
    include_shared: bool = True  # ... plus records marked shared
    subject_id: str | None = None
    # A person asked for by full name (any diacritics): records naming them, not every
    # paper whose text holds one of the name's words ("Thắng" / "tháng").
    subject_name: str | None = None
    box: str | None = None  # the archive box (hộp) the paper is kept in, as labelled
    status: str | None = None
    issued_from: str | None = None
    issued_to: str | None = None
    fuzzy: bool = False
    limit: int = 10
    offset: int = 0


@dataclass
class SearchHit:
    id: str
    score: float
    record: IndexedRecord  # the record's JSON without its full text
    snippet: str | None = None  # highlighted with <mark>…</mark>


@dataclass
class SearchResult:
    total: int
    hits: list[SearchHit]
    facets: dict[str, dict[str, int]] = field(default_factory=dict)
    # True when the query matched more records than the backend counts exactly
    # (SQLite ``TOTAL_CAP``, Elasticsearch ``track_total_hits``): ``total`` and, on
    # SQLite, the facet counts are then lower bounds.
    total_is_estimate: bool = False


@runtime_checkable
class Index(Protocol):
    url: str
    # True when a query reads local files in this process (SQLite: a lookup takes a
    # fraction of a millisecond, cheap enough to run on an event loop); False when it
    # waits on the network (Elasticsearch), which must not block a loop.
    in_process: bool

    def upsert(self, record: Record) -> None:
        """Add or replace a record (by id)."""
        ...

    def upsert_many(self, records: Iterable[Record]) -> int:
        """Bulk add/replace; returns how many were written."""
        ...

    def get(self, record_id: str) -> IndexedRecord | None:
        """The indexed record JSON, or None."""
        ...

    def delete(self, record_id: str) -> None: ...

    def clear(self) -> None:
        """Drop every record (before a rebuild)."""
        ...

    def count(self) -> int: ...

    def versions(self, agency: str | None = None) -> Iterator[tuple[str, int]]:
        """Every indexed record's id and version (of ``agency``, or all), in no
        particular order: what a repair compares against storage."""
        ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def records_for_subject(
        self,
        *,
        id_number: str | None = None,
        name: str | None = None,
        birth_date: str | None = None,
        doc_types: list[str] | None = None,
    ) -> list[IndexedRecord]:
        """Records naming this subject, by ID number, or by folded name + birth date."""
        ...

    def optimize(self) -> None:
        """Compact after a bulk load (``sohoa reindex`` calls it)."""
        ...

    def close(self) -> None: ...
