"""sohoa search: the index of records, with Vietnamese-aware full-text search.

Offers:
- ``open_index(url) -> Index``: ``sqlite:///path/to/index.sqlite3`` (embedded, the
  default) or ``http(s)://host:9200[/indexname]`` (Elasticsearch);
- ``Index`` (the contract, see ``search.base``), ``SearchQuery``, ``SearchHit``,
  ``SearchResult``, and ``IndexedRecord``: the record JSON an index returns;
- ``fold(text)``: lowercase, strip Vietnamese diacritics and map đ/Đ to d, and
  ``fold_name(name)``: the folded, single-spaced form used for identity lookups.
"""

from records.folding import fold, fold_name
from search.base import Index, SearchHit, SearchQuery, SearchResult
from search.document import IndexedRecord


def open_index(url: str) -> Index:
    """The index behind ``url``; the scheme picks the backend."""
    if url.startswith("sqlite:"):
        from search.sqlite import SqliteIndex  # a backend's client loads when chosen

        return SqliteIndex(url)
    if url.startswith(("http://", "https://")):
        from search.elastic import ElasticIndex  # the Elasticsearch client: only at scale

        return ElasticIndex(url)
    raise ValueError(f"unsupported index URL (want sqlite:///… or http(s)://…): {url}")


__all__ = [
    "Index",
    "IndexedRecord",
    "SearchHit",
    "SearchQuery",
    "SearchResult",
    "fold",
    "fold_name",
    "open_index",
]
