"""The Elasticsearch index, for deployments that outgrow one SQLite file.

Needs no plugin: Vietnamese folding uses the built-in ``asciifolding`` filter plus a
``mapping`` char filter for đ/Đ (which is a letter of its own, not d with a mark).
Every text field is indexed twice: as written (``field``, lowercased, diacritics kept)
and folded (``field.folded``). Matches come from the folded fields; words typed with
diacritics add a boost from the exact fields, so exact spellings rank first.

``build_mapping`` and ``build_query`` are pure functions, tested without a server.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from elasticsearch import BadRequestError, Elasticsearch, NotFoundError, helpers

from records import Record
from records.folding import fold_name
from search.base import SearchHit, SearchQuery, SearchResult
from search.document import IndexedRecord, as_indexed, indexed_doc, normalize_id
from search.query import Clause, parse_text

DEFAULT_INDEX = "sohoa-records"
MAX_LIMIT = 1000
# Hits counted exactly (Elasticsearch's own default); past it ``total`` is a lower bound
# and ``total_is_estimate`` is set. Facet counts stay exact: aggregations see every hit.
TOTAL_CAP = 10_000
SNIPPET_CHARS = 180
_EXACT_BOOST = 3.0
# Names and IDs say more than the body (SQLite ranks those fields first as tiers instead).
_FIELD_WEIGHTS = {"title": 2, "issuer": 1, "names": 4, "ids": 5, "body": 1}
_FACET_FIELDS = {
    "doc_type": "doc_type",
    "issuer": "issuer.keyword",
    "status": "status",
    "agency": "agency",
}
_DATE = {
    "type": "date",
    "format": "strict_date_optional_time||yyyy-MM||yyyy",
    "ignore_malformed": True,
}
_KEYWORD = {"type": "keyword"}


def _text_field(**extra_fields: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "text",
        "analyzer": "vi_exact",
        "fields": {"folded": {"type": "text", "analyzer": "vi_folded"}, **extra_fields},
    }


def build_mapping() -> dict[str, Any]:
    """Index settings and mappings, as ``indices.create(**build_mapping())`` takes them."""
    return {
        "settings": {
            "analysis": {
                "char_filter": {
                    "vi_d": {
                        "type": "mapping",
                        "mappings": ["đ => d", "Đ => D", "Ð => D", "ð => d"],
                    }
                },
                "analyzer": {
                    "vi_exact": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "filter": ["lowercase"],
                    },
                    "vi_folded": {
                        "type": "custom",
                        "tokenizer": "standard",
                        "char_filter": ["vi_d"],
                        "filter": ["lowercase", "asciifolding"],
                    },
                },
            }
        },
        "mappings": {
            "dynamic": False,
            "properties": {
                "id": _KEYWORD,
                "agency": _KEYWORD,
                "shared": {"type": "boolean"},
                "doc_type": _KEYWORD,
                "status": _KEYWORD,
                "document_number": _KEYWORD,
                "box": _KEYWORD,
                "issued_on": _DATE,
                "valid_until": _DATE,
                "created_at": _DATE,
                "title": _text_field(),
                "issuer": _text_field(keyword={"type": "keyword", "ignore_above": 512}),
                "names": _text_field(),
                "ids": _text_field(),
                "body": _text_field(),
                "subjects": {
                    "type": "nested",
                    "properties": {
                        "id_number": _KEYWORD,
                        "name_folded": _KEYWORD,
                        "birth_date": _KEYWORD,
                        "role": _KEYWORD,
                    },
                },
                # The record as stored, returned as is; not searchable (``fields`` holds
                # free-form keys that must not grow the mapping).
                "record": {"type": "object", "enabled": False},
            },
        },
    }


def build_document(record: Record) -> dict[str, Any]:
    """The Elasticsearch document for a record."""
    doc = indexed_doc(record)
    return {
        "id": record.id,
        "agency": record.agency,
        "shared": record.shared,
        "doc_type": record.doc_type,
        "status": str(record.status),
        "document_number": record.document_number,
        "box": record.location.box,
        "issued_on": record.issued_on,
        "valid_until": record.valid_until,
        "created_at": record.created_at,
        "title": doc.title,
        "issuer": doc.issuer,
        "names": doc.names,
        "ids": doc.ids,
        "body": doc.body,
        "subjects": [
            {
                "id_number": s.id_number,
                "name_folded": s.name_folded,
                "birth_date": s.birth_date,
                "role": s.role,
            }
            for s in doc.subjects
        ],
        "record": doc.json,
    }


def _fields(suffix: str) -> list[str]:
    return [f"{name}{suffix}^{weight}" for name, weight in _FIELD_WEIGHTS.items()]


def _clause_query(clause: Clause, *, exact: bool, fuzzy: bool) -> dict[str, Any]:
    """One word or phrase, matched in any text field."""
    query: dict[str, Any] = {
        "query": clause.text,
        "fields": _fields("" if exact else ".folded"),
    }
    if clause.phrase or not clause.single_word:
        query["type"] = "phrase"
    else:
        query["operator"] = "and"
        if fuzzy and not exact:
            query["fuzziness"] = "AUTO"
    if exact:
        query["boost"] = _EXACT_BOOST
    return {"multi_match": query}


def _filters(q: SearchQuery) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    for field, value in (
        ("doc_type", q.doc_type),
        ("issuer.keyword", q.issuer),
        ("agency", q.agency),
        ("status", q.status),
        ("box", q.box),
    ):
        if value is not None:
            filters.append({"term": {field: value}})
    if q.agencies is not None:
        allowed: list[dict[str, Any]] = []
        if q.agencies:
            allowed.append({"terms": {"agency": q.agencies}})
        if q.include_shared:
            allowed.append({"term": {"shared": True}})
        filters.append(
            {"bool": {"should": allowed, "minimum_should_match": 1}}
            if allowed
            else {"match_none": {}}
        )
    if q.issued_from is not None or q.issued_to is not None:
        bounds = {"gte": q.issued_from, "lte": q.issued_to}
        filters.append({"range": {"issued_on": {k: v for k, v in bounds.items() if v}}})
    subject_id = normalize_id(q.subject_id)
    if subject_id is not None:
        filters.append(
            {"nested": {"path": "subjects", "query": {"term": {"subjects.id_number": subject_id}}}}
        )
    subject_name = fold_name(q.subject_name) if q.subject_name else ""
    if subject_name:
        filters.append({"nested": {"path": "subjects", "query": {
            "term": {"subjects.name_folded": subject_name}}}})
    return filters


def build_query(q: SearchQuery) -> dict[str, Any]:
    """The search request body for ``q``: query, facets, highlight, paging, sort."""
    filters = _filters(q)
    newest_first = {"issued_on": {"order": "desc", "missing": "_last"}}
    body: dict[str, Any] = {
        "from": q.offset,
        "size": q.limit,
        "track_total_hits": TOTAL_CAP,
        "_source": ["record"],
        "aggs": {
            name: {"terms": {"field": field, "size": 100}} for name, field in _FACET_FIELDS.items()
        },
    }
    if not q.text.strip():
        body["query"] = {"bool": {"filter": filters}}
        body["sort"] = [newest_first, {"id": "desc"}]
        return body
    clauses = parse_text(q.text)
    if not clauses:
        body["query"] = {"match_none": {}}
        return body
    body["query"] = {
        "bool": {
            "must": [_clause_query(c, exact=False, fuzzy=q.fuzzy) for c in clauses],
            "should": [_clause_query(c, exact=True, fuzzy=False) for c in clauses if c.marked],
            "filter": filters,
        }
    }
    body["sort"] = ["_score", newest_first, {"id": "desc"}]
    body["highlight"] = {
        "pre_tags": ["<mark>"],
        "post_tags": ["</mark>"],
        "encoder": "html",
        "require_field_match": False,
        "fields": {
            f"{name}.folded": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1}
            for name in ("body", "names", "title")
        },
    }
    return body


def build_subject_query(
    *,
    id_number: str | None,
    name: str | None,
    birth_date: str | None,
    doc_types: list[str] | None,
) -> dict[str, Any]:
    """The request body behind ``records_for_subject`` (same rules as SQLite's)."""
    wanted_id = normalize_id(id_number)
    folded_name = fold_name(name) if name else ""
    if wanted_id is None and not (folded_name and birth_date):
        raise ValueError("records_for_subject needs id_number, or name and birth_date")
    ways: list[dict[str, Any]] = []
    if wanted_id is not None:
        ways.append({"term": {"subjects.id_number": wanted_id}})
    if folded_name and birth_date:
        same_person: list[dict[str, Any]] = [
            {"term": {"subjects.name_folded": folded_name}},
            {"term": {"subjects.birth_date": birth_date}},
        ]
        if wanted_id is not None:
            same_person.append(
                {
                    "bool": {
                        "should": [
                            {"bool": {"must_not": {"exists": {"field": "subjects.id_number"}}}},
                            {"term": {"subjects.id_number": wanted_id}},
                        ],
                        "minimum_should_match": 1,
                    }
                }
            )
        ways.append({"bool": {"filter": same_person}})
    filters: list[dict[str, Any]] = [
        {
            "nested": {
                "path": "subjects",
                "query": {"bool": {"should": ways, "minimum_should_match": 1}},
            }
        }
    ]
    if doc_types is not None:
        filters.append({"terms": {"doc_type": doc_types}})
    return {
        "query": {"bool": {"filter": filters}},
        "size": MAX_LIMIT,
        "_source": ["record"],
        "sort": [{"issued_on": {"order": "desc", "missing": "_last"}}, {"id": "desc"}],
    }


def parse_url(url: str) -> tuple[str, str]:
    """``http(s)://[user:pass@]host:9200[/indexname]`` -> (server URL, index name)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"not an Elasticsearch URL: {url}")
    name = parts.path.strip("/") or DEFAULT_INDEX
    if "/" in name:
        raise ValueError(f"index name must be one path segment: {url}")
    return urlunsplit((parts.scheme, parts.netloc, "", "", "")), name


def _facets(aggregations: dict[str, Any]) -> dict[str, dict[str, int]]:
    return {
        name: {
            str(b["key"]): int(b["doc_count"])
            for b in aggregations.get(name, {}).get("buckets", [])
        }
        for name in _FACET_FIELDS
    }


def parse_response(response: dict[str, Any]) -> SearchResult:
    """The ``SearchResult`` for a search response to a ``build_query`` body."""
    hits = [
        SearchHit(
            id=str(hit["_id"]),
            score=float(hit.get("_score") or 0.0),
            record=as_indexed(dict(hit["_source"]["record"])),
            snippet=_snippet(hit),
        )
        for hit in response["hits"]["hits"]
    ]
    total = response["hits"]["total"]
    return SearchResult(
        total=int(total["value"]),
        hits=hits,
        facets=_facets(response.get("aggregations") or {}),
        total_is_estimate=total.get("relation") == "gte",
    )


def _snippet(hit: dict[str, Any]) -> str | None:
    highlights = hit.get("highlight") or {}
    for name in ("body", "names", "title"):
        fragments = highlights.get(f"{name}.folded")
        if fragments:
            return str(fragments[0])
    return None


class ElasticIndex:
    """``search.base.Index`` on one Elasticsearch index (created on first use)."""

    in_process = False

    def __init__(self, url: str, *, request_timeout: float = 30.0) -> None:
        self.url = url
        server, self.name = parse_url(url)
        self._client = Elasticsearch(server, request_timeout=request_timeout)
        self._ensure_index()

    def _ensure_index(self) -> None:
        if self._client.indices.exists(index=self.name):
            # Fields added since the index was made (``box``): adding one is allowed on
            # a live index; records indexed before get it at the next reindex.
            self._client.indices.put_mapping(index=self.name, properties={"box": _KEYWORD})
            return
        try:
            self._client.indices.create(index=self.name, **build_mapping())
        except BadRequestError as exc:
            # Another process created it first: that is the outcome we wanted.
            if exc.error != "resource_already_exists_exception":
                raise

    def upsert(self, record: Record) -> None:
        # "wait_for", not True: the call still returns once the record is searchable,
        # but rides the index's next periodic refresh instead of forcing one per
        # document, which many workers indexing at once would turn into the bottleneck.
        self._client.index(
            index=self.name, id=record.id, document=build_document(record), refresh="wait_for"
        )

    def upsert_many(self, records: Iterable[Record]) -> int:
        def actions() -> Iterator[dict[str, Any]]:
            for record in records:
                yield {"_index": self.name, "_id": record.id, "_source": build_document(record)}

        written, _ = helpers.bulk(self._client, actions(), chunk_size=500, stats_only=True)
        self._client.indices.refresh(index=self.name)
        return int(written)

    def get(self, record_id: str) -> IndexedRecord | None:
        try:
            found = self._client.get(index=self.name, id=record_id, source_includes=["record"])
        except NotFoundError:
            return None
        return as_indexed(dict(found["_source"]["record"]))

    def delete(self, record_id: str) -> None:
        try:
            self._client.delete(index=self.name, id=record_id, refresh="wait_for")
        except NotFoundError:
            return

    def clear(self) -> None:
        """Drop and recreate the index, so a reindex also picks up mapping changes."""
        self.drop()
        self._ensure_index()

    def drop(self) -> None:
        self._client.indices.delete(index=self.name, ignore_unavailable=True)

    def count(self) -> int:
        return int(self._client.count(index=self.name)["count"])

    def versions(self, agency: str | None = None) -> Iterator[tuple[str, int]]:
        query = {"term": {"agency": agency}} if agency else {"match_all": {}}
        body = {"query": query, "_source": ["record.version"]}
        for hit in helpers.scan(self._client, index=self.name, query=body, size=1000):
            yield str(hit["_id"]), int(hit["_source"]["record"]["version"])

    def optimize(self) -> None:
        """After a bulk load: make everything searchable and merge segments."""
        self._client.indices.refresh(index=self.name)
        self._client.indices.forcemerge(index=self.name, max_num_segments=1)

    def search(self, query: SearchQuery) -> SearchResult:
        if not 0 <= query.limit <= MAX_LIMIT or query.offset < 0:
            raise ValueError(f"limit must be 0..{MAX_LIMIT} and offset >= 0")
        response = self._client.search(index=self.name, body=build_query(query))
        return parse_response(response.body)

    def records_for_subject(
        self,
        *,
        id_number: str | None = None,
        name: str | None = None,
        birth_date: str | None = None,
        doc_types: list[str] | None = None,
    ) -> list[IndexedRecord]:
        body = build_subject_query(
            id_number=id_number, name=name, birth_date=birth_date, doc_types=doc_types
        )
        response = self._client.search(index=self.name, body=body)
        return [as_indexed(dict(hit["_source"]["record"])) for hit in response["hits"]["hits"]]

    def close(self) -> None:
        self._client.close()
