"""The embedded index: one SQLite file (WAL) with FTS5, no server to run.

Layout:
- ``records``: one narrow row per record, the columns filters and facets read. ``n`` is
  the integer key shared by every table (the FTS rowid); ``id`` is the record id.
- ``documents``: the record JSON without full text, and the searchable texts as written
  (title, issuer, subject names, IDs + document number, full text): for results,
  snippets and exact-spelling ranking.
- ``subjects``: one row per subject, indexed for ``records_for_subject`` (ID number,
  and folded name + birth date).
- ``fts_folded``: FTS5 over the same texts folded with ``search.fold``; contentless,
  because its content is always ``fold`` of ``documents``' (which is how rows are
  deleted).
- ``vocab_keys``: folded words under their one-deletion keys, for fuzzy matching.

Every match comes from ``fts_folded``, ranked by bm25. When some query words carry
diacritics, the top ``RESCORE_WINDOW`` hits are re-ranked so that records spelling them
exactly come first. (An exact FTS index matched with OR was measured at 150-200 ms a
query on only 20k records: common words like "nguyễn" are in most records.)
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from records import Record
from search.base import SearchHit, SearchQuery, SearchResult
from search.document import IndexedDoc, indexed_doc, normalize_id
from search.folding import FOLD_VERSION, fold, fold_name, tokens
from search.fuzzy import delete_keys, fuzzy_eligible, vocab_eligible, within_one_edit
from search.query import Clause, parse_text
from search.snippets import excerpt, highlight, phrase_pattern

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
_LAYOUT = f"schema={SCHEMA_VERSION};fold={FOLD_VERSION}"

_FTS_COLUMNS = ("title", "issuer", "names", "ids", "body")
# bm25 column weights, in _FTS_COLUMNS order: a hit on a name or an ID says more about
# what the user wants than the same word somewhere in the body.
_WEIGHTS = "2.0, 1.0, 4.0, 5.0, 1.0"
RESCORE_WINDOW = 200
_CHUNK = 1000
_FACETS = ("doc_type", "issuer", "status", "agency")
MAX_LIMIT = 1000

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    n INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    agency TEXT NOT NULL,
    shared INTEGER NOT NULL,
    doc_type TEXT,
    issuer TEXT,
    status TEXT NOT NULL,
    issued_on TEXT,
    valid_until TEXT,
    created_at TEXT,
    document_number TEXT
);
CREATE INDEX IF NOT EXISTS records_type
    ON records (doc_type, agency, status, issued_on, issuer, shared);
CREATE INDEX IF NOT EXISTS records_agency
    ON records (agency, shared, doc_type, status, issued_on, issuer);
CREATE INDEX IF NOT EXISTS records_issued ON records (issued_on);
CREATE TABLE IF NOT EXISTS subjects (
    record_n INTEGER NOT NULL,
    id_number TEXT,
    name_folded TEXT,
    birth_date TEXT,
    role TEXT
);
CREATE INDEX IF NOT EXISTS subjects_id ON subjects (id_number);
CREATE INDEX IF NOT EXISTS subjects_name ON subjects (name_folded, birth_date);
CREATE INDEX IF NOT EXISTS subjects_record ON subjects (record_n);
CREATE TABLE IF NOT EXISTS documents (
    n INTEGER PRIMARY KEY, json TEXT NOT NULL, {", ".join(_FTS_COLUMNS)}
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_folded USING fts5(
    {", ".join(_FTS_COLUMNS)}, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS vocab_keys (
    key TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY (key, term)
) WITHOUT ROWID;
"""
_SCHEMA_STATEMENTS = [s.strip() for s in _SCHEMA.split(";") if s.strip()]
_TABLES = ("meta", "records", "documents", "subjects", "fts_folded", "vocab_keys")


class IndexLayoutError(RuntimeError):
    """The file was built by another version of the index layout or of ``fold``."""


def path_from_url(url: str) -> Path:
    """``sqlite:///relative/path`` or ``sqlite:////absolute/path`` (SQLAlchemy style)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or len(url) == len(prefix):
        raise ValueError(f"not a sqlite index URL (want sqlite:///path/to/file): {url}")
    return Path(url[len(prefix) :])


def _quote(phrase_tokens: Sequence[str]) -> str:
    """An FTS5 string: whatever the user typed is data, never query syntax."""
    return '"' + " ".join(phrase_tokens).replace('"', '""') + '"'


def _chunks(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _placeholders(count: int) -> str:
    return ", ".join("?" * count)


def _folded_values(values: Sequence[str]) -> list[str]:
    return [fold(v) for v in values]


class SqliteIndex:
    """``search.base.Index`` on one SQLite file. Safe to share between threads: each
    thread reads through its own connection; writes are serialized by a lock here and by
    SQLite's own lock across processes."""

    def __init__(self, url: str, *, busy_timeout_ms: int = 30_000) -> None:
        self.url = url
        self.path = path_from_url(url)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        conn = self._conn()
        conn.execute("PRAGMA journal_mode = WAL")
        with self._writing(check_layout=False):
            self._stale = self._create_schema(conn) != _LAYOUT

    @staticmethod
    def _create_schema(conn: sqlite3.Connection) -> str:
        """Create what is missing; returns the layout the file was built with."""
        for statement in _SCHEMA_STATEMENTS:
            conn.execute(statement)
        row = conn.execute("SELECT value FROM meta WHERE key = 'layout'").fetchone()
        if row is None:
            conn.execute("INSERT INTO meta (key, value) VALUES ('layout', ?)", (_LAYOUT,))
            return _LAYOUT
        return str(row[0])

    # -- connections -------------------------------------------------------------------

    def _conn(self) -> sqlite3.Connection:
        if self._closed:
            raise RuntimeError(f"index is closed: {self.url}")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # Only this thread uses it; check_same_thread=False lets close() end it.
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                timeout=self._busy_timeout_ms / 1000,
                check_same_thread=False,
            )
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA cache_size = -65536")
            conn.execute("PRAGMA mmap_size = 1073741824")
            conn.execute("PRAGMA temp_store = MEMORY")
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    def _ready(self) -> sqlite3.Connection:
        if self._stale:
            raise IndexLayoutError(
                f"{self.path} was built by another index version; rebuild it (sohoa reindex)"
            )
        return self._conn()

    @contextmanager
    def _writing(self, *, check_layout: bool = True) -> Iterator[sqlite3.Connection]:
        conn = self._ready() if check_layout else self._conn()
        with self._write_lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def close(self) -> None:
        with self._all_lock:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
        self._closed = True

    # -- writes ------------------------------------------------------------------------

    def upsert(self, record: Record) -> None:
        self.upsert_many([record])

    def upsert_many(self, records: Iterable[Record]) -> int:
        written = 0
        with self._writing() as conn:
            for chunk in _chunks(records, _CHUNK):
                written += self._write_chunk(conn, chunk)
        return written

    def delete(self, record_id: str) -> None:
        with self._writing() as conn:
            row = conn.execute("SELECT n FROM records WHERE id = ?", (record_id,)).fetchone()
            if row is not None:
                self._remove(conn, [row[0]])
                conn.execute("DELETE FROM records WHERE n = ?", (row[0],))
                conn.execute("DELETE FROM documents WHERE n = ?", (row[0],))

    def clear(self) -> None:
        """Drop and recreate every table: instant even on a large index, and the way
        out of an ``IndexLayoutError``."""
        with self._writing(check_layout=False) as conn:
            for table in _TABLES:
                conn.execute(f"DROP TABLE IF EXISTS {table}")
            self._create_schema(conn)
        self._stale = False

    def optimize(self) -> None:
        """Merge the FTS segments and refresh planner statistics; run after a reindex."""
        with self._writing() as conn:
            conn.execute("INSERT INTO fts_folded (fts_folded) VALUES ('optimize')")
            conn.execute("ANALYZE")

    def _remove(self, conn: sqlite3.Connection, ns: Sequence[int]) -> None:
        """Take rows out of the FTS index and subjects; the records and documents rows
        are the caller's to replace or delete."""
        marks = _placeholders(len(ns))
        cols = ", ".join(_FTS_COLUMNS)
        old = conn.execute(f"SELECT n, {cols} FROM documents WHERE n IN ({marks})", ns)
        conn.executemany(
            f"INSERT INTO fts_folded (fts_folded, rowid, {cols}) "
            f"VALUES ('delete', ?, {_placeholders(len(_FTS_COLUMNS))})",
            [(row[0], *_folded_values(row[1:])) for row in old.fetchall()],
        )
        conn.execute(f"DELETE FROM subjects WHERE record_n IN ({marks})", ns)

    def _write_chunk(self, conn: sqlite3.Connection, chunk: list[Record]) -> int:
        by_id = {r.id: r for r in chunk}  # the last version of a record in a batch wins
        ids = list(by_id)
        existing = dict(
            conn.execute(
                f"SELECT id, n FROM records WHERE id IN ({_placeholders(len(ids))})", ids
            ).fetchall()
        )
        if existing:
            self._remove(conn, list(existing.values()))
        next_n = conn.execute("SELECT coalesce(max(n), 0) + 1 FROM records").fetchone()[0]
        rows: list[tuple[Any, ...]] = []
        documents: list[tuple[Any, ...]] = []
        folded: list[tuple[Any, ...]] = []
        subjects: list[tuple[Any, ...]] = []
        for record_id, record in by_id.items():
            n = existing.get(record_id)
            if n is None:
                n, next_n = next_n, next_n + 1
            doc = indexed_doc(record)
            rows.append(_record_row(n, record))
            texts = (doc.title, doc.issuer, doc.names, doc.ids, doc.body)
            documents.append((n, _json_text(doc), *texts))
            folded.append((n, *_folded_values(texts)))
            subjects.extend(
                (n, s.id_number, s.name_folded, s.birth_date, s.role) for s in doc.subjects
            )
        conn.executemany(
            "INSERT OR REPLACE INTO records (n, id, agency, shared, doc_type, issuer, status,"
            " issued_on, valid_until, created_at, document_number)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        cols = ", ".join(_FTS_COLUMNS)
        values = _placeholders(len(_FTS_COLUMNS) + 1)
        conn.executemany(
            f"INSERT OR REPLACE INTO documents (n, json, {cols}) VALUES (?, {values})", documents
        )
        conn.executemany(f"INSERT INTO fts_folded (rowid, {cols}) VALUES ({values})", folded)
        conn.executemany(
            "INSERT INTO subjects (record_n, id_number, name_folded, birth_date, role)"
            " VALUES (?, ?, ?, ?, ?)",
            subjects,
        )
        self._add_vocabulary(conn, {t for row in folded for text in row[1:] for t in tokens(text)})
        return len(by_id)

    def _add_vocabulary(self, conn: sqlite3.Connection, words: set[str]) -> None:
        candidates = sorted(w for w in words if vocab_eligible(w))
        known: set[str] = set()
        for start in range(0, len(candidates), 500):
            part = candidates[start : start + 500]
            known.update(
                row[0]
                for row in conn.execute(
                    "SELECT key FROM vocab_keys WHERE key = term AND key IN "
                    f"({_placeholders(len(part))})",
                    part,
                )
            )
        conn.executemany(
            "INSERT OR IGNORE INTO vocab_keys (key, term) VALUES (?, ?)",
            [(key, w) for w in candidates if w not in known for key in delete_keys(w)],
        )

    # -- reads -------------------------------------------------------------------------

    def get(self, record_id: str) -> dict[str, Any] | None:
        row = self._ready().execute(
            "SELECT d.json FROM records r JOIN documents d ON d.n = r.n WHERE r.id = ?",
            (record_id,),
        )
        found = row.fetchone()
        return json.loads(found[0]) if found else None

    def count(self) -> int:
        return int(self._ready().execute("SELECT count(*) FROM records").fetchone()[0])

    def records_for_subject(
        self,
        *,
        id_number: str | None = None,
        name: str | None = None,
        birth_date: str | None = None,
        doc_types: list[str] | None = None,
    ) -> list[dict[str, Any]]:
        """Records naming this subject: by ID number, or by folded name + birth date.

        A name + birth date match skips subjects whose own ID differs from the
        ``id_number`` asked for: same name and birthday, different person. Newest first.
        """
        wanted_id = normalize_id(id_number)
        folded_name = fold_name(name) if name else ""
        if wanted_id is None and not (folded_name and birth_date):
            raise ValueError("records_for_subject needs id_number, or name and birth_date")
        selects: list[str] = []
        params: list[Any] = []
        if wanted_id is not None:
            selects.append("SELECT record_n FROM subjects WHERE id_number = ?")
            params.append(wanted_id)
        if folded_name and birth_date:
            by_name = "SELECT record_n FROM subjects WHERE name_folded = ? AND birth_date = ?"
            params += [folded_name, birth_date]
            if wanted_id is not None:
                by_name += " AND (id_number IS NULL OR id_number = ?)"
                params.append(wanted_id)
            selects.append(by_name)
        sql = (
            "SELECT d.json FROM records r JOIN documents d ON d.n = r.n"
            f" WHERE r.n IN ({' UNION '.join(selects)})"
        )
        if doc_types is not None:
            sql += f" AND r.doc_type IN ({_placeholders(len(doc_types))})"
            params += doc_types
        sql += " ORDER BY r.issued_on DESC, r.n DESC"
        return [json.loads(row[0]) for row in self._ready().execute(sql, params)]

    def search(self, query: SearchQuery) -> SearchResult:
        if not 0 <= query.limit <= MAX_LIMIT or query.offset < 0:
            raise ValueError(f"limit must be 0..{MAX_LIMIT} and offset >= 0")
        conn = self._ready()
        where, params = _filters(query)
        if not query.text.strip():
            return self._browse(conn, query, where, params)
        clauses = parse_text(query.text)
        if not clauses:
            return SearchResult(total=0, hits=[], facets={f: {} for f in _FACETS})
        expansions = self._expansions(conn, clauses) if query.fuzzy else {}
        folded_match = " AND ".join(_folded_expression(c, expansions) for c in clauses)
        facets, total = _facet_counts(
            conn,
            "fts_folded JOIN records r ON r.n = fts_folded.rowid",
            ["fts_folded MATCH ?", *where],
            [folded_match, *params],
        )
        plain_match = " AND ".join(_folded_expression(c, {}) for c in clauses)
        ranked = _ranked(
            conn, folded_match, plain_match if expansions else "", where, params, query, clauses
        )
        phrases = [c.folded_tokens for c in clauses]
        phrases += [[w] for words in expansions.values() for w in words]
        documents = _documents(conn, [n for n, _ in ranked])
        hits = [
            SearchHit(
                id=data["id"],
                score=score,
                record=data,
                snippet=_snippet(documents[n][1:], phrases),
            )
            for n, score in ranked
            for data in [json.loads(documents[n][0])]
        ]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _browse(
        self, conn: sqlite3.Connection, query: SearchQuery, where: list[str], params: list[Any]
    ) -> SearchResult:
        """Filters only: newest papers first, no scores, no snippets."""
        facets, total = _facet_counts(conn, "records r", where, params)
        rows = conn.execute(
            f"SELECT d.json FROM records r JOIN documents d ON d.n = r.n {_where_sql(where)}"
            " ORDER BY r.issued_on DESC, r.n DESC LIMIT ? OFFSET ?",
            [*params, query.limit, query.offset],
        ).fetchall()
        hits = [
            SearchHit(id=data["id"], score=0.0, record=data)
            for data in (json.loads(row[0]) for row in rows)
        ]
        return SearchResult(total=total, hits=hits, facets=facets)

    def _expansions(self, conn: sqlite3.Connection, clauses: list[Clause]) -> dict[str, list[str]]:
        """Indexed words within one edit of each single query word that is long enough."""
        found: dict[str, list[str]] = {}
        for clause in clauses:
            if clause.phrase or not clause.single_word:
                continue
            word = clause.folded_tokens[0]
            if not fuzzy_eligible(word):
                continue
            keys = sorted(delete_keys(word))
            candidates = conn.execute(
                f"SELECT DISTINCT term FROM vocab_keys WHERE key IN ({_placeholders(len(keys))})",
                keys,
            )
            found[word] = sorted(t for (t,) in candidates if t != word and within_one_edit(word, t))
        return found


def _json_text(doc: IndexedDoc) -> str:
    return json.dumps(doc.json, ensure_ascii=False, separators=(",", ":"))


def _record_row(n: int, record: Record) -> tuple[Any, ...]:
    return (
        n,
        record.id,
        record.agency,
        int(record.shared),
        record.doc_type,
        record.issuer,
        str(record.status),
        record.issued_on,
        record.valid_until,
        record.created_at,
        record.document_number,
    )


def _ranked(
    conn: sqlite3.Connection,
    folded_match: str,
    plain_match: str,
    where: list[str],
    params: list[Any],
    query: SearchQuery,
    clauses: list[Clause],
) -> list[tuple[int, float]]:
    """The page of hits as (n, score), best first.

    bm25 alone cannot promise the order users expect: the rare OCR slip a fuzzy
    expansion finds outweighs a common correct word, and it knows nothing of diacritics.
    So hits are ordered by tiers: matched without fuzzy expansion first; then, within
    the top ``RESCORE_WINDOW``, by how many words typed with diacritics occur exactly as
    typed; then by bm25. The score says the same as one number: tier points plus
    relevance squashed into [0, 1). The window does not depend on the page asked for,
    so pages never overlap.
    """
    marked = [c for c in clauses if c.marked]
    ctes = [
        f"f AS (SELECT rowid AS n, -bm25(fts_folded, {_WEIGHTS}) AS rel"
        " FROM fts_folded WHERE fts_folded MATCH ?)"
    ]
    cte_params: list[Any] = [folded_match]
    plain, join = "1", ""
    if plain_match:
        ctes.append("p AS (SELECT rowid AS n FROM fts_folded WHERE fts_folded MATCH ?)")
        cte_params.append(plain_match)
        plain, join = "(p.n IS NOT NULL)", " LEFT JOIN p ON p.n = f.n"
    rescore = bool(marked) and query.offset < RESCORE_WINDOW
    end = query.offset + query.limit
    limit, offset = (max(end, RESCORE_WINDOW), 0) if rescore else (query.limit, query.offset)
    sql = (
        f"WITH {', '.join(ctes)} SELECT f.n, {plain} AS plain, f.rel"
        f" FROM f JOIN records r ON r.n = f.n{join} {_where_sql(where)}"
        " ORDER BY plain DESC, f.rel DESC, f.n LIMIT ? OFFSET ?"
    )
    rows = conn.execute(sql, [*cte_params, *params, limit, offset]).fetchall()
    tier = len(marked) + 1  # a plain match outranks any count of exact words
    if not rescore:
        return [(n, p * tier + rel / (1.0 + rel)) for n, p, rel in rows]
    window = rows[:RESCORE_WINDOW]
    texts = _documents(conn, [n for n, _, _ in window])
    patterns = [phrase_pattern([c.exact_tokens]) for c in marked]
    scored = [
        (n, p * tier + _exact_count(texts[n][1:], patterns) + rel / (1.0 + rel))
        for n, p, rel in window
    ]
    scored.sort(key=lambda item: -item[1])
    scored += [(n, p * tier + rel / (1.0 + rel)) for n, p, rel in rows[RESCORE_WINDOW:]]
    return scored[query.offset : end]


def _exact_count(texts: Sequence[str], patterns: list[re.Pattern[str] | None]) -> int:
    """How many of the words typed with diacritics occur exactly so (case aside)."""
    written = "\n".join(texts).lower()
    return sum(1 for p in patterns if p is not None and p.search(written))


def _documents(conn: sqlite3.Connection, ns: list[int]) -> dict[int, tuple[str, ...]]:
    """n -> (json, title, issuer, names, ids, body)."""
    if not ns:
        return {}
    cols = ", ".join(_FTS_COLUMNS)
    rows = conn.execute(
        f"SELECT n, json, {cols} FROM documents WHERE n IN ({_placeholders(len(ns))})", ns
    )
    return {row[0]: tuple(v or "" for v in row[1:]) for row in rows}


def _snippet(texts: Sequence[str], phrases: list[list[str]]) -> str | None:
    """From the first of full text, names, IDs and title that holds a match, else the
    opening of the full text."""
    title, _, names, ids, body = texts
    marked = (highlight(text, phrases) for text in (body, names, ids, title) if text)
    return next((s for s in marked if s), None) or excerpt(body or title)


def _folded_expression(clause: Clause, expansions: dict[str, list[str]]) -> str:
    quoted = _quote(clause.folded_tokens)
    variants = expansions.get(clause.folded_tokens[0], []) if clause.single_word else []
    if not variants:
        return quoted
    return "(" + " OR ".join([quoted, *(_quote([v]) for v in variants)]) + ")"


def _filters(query: SearchQuery) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``records r`` for the query's filters."""
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("doc_type", query.doc_type),
        ("issuer", query.issuer),
        ("agency", query.agency),
        ("status", query.status),
    ):
        if value is not None:
            where.append(f"r.{column} = ?")
            params.append(value)
    if query.agencies is not None:
        allowed = f"r.agency IN ({_placeholders(len(query.agencies))})"
        if query.include_shared:
            allowed = f"({allowed} OR r.shared = 1)" if query.agencies else "r.shared = 1"
        elif not query.agencies:
            allowed = "0"
        where.append(allowed)
        params += query.agencies
    if query.issued_from is not None:
        where.append("r.issued_on >= ?")
        params.append(query.issued_from)
    if query.issued_to is not None:
        where.append("r.issued_on <= ?")
        params.append(query.issued_to)
    subject_id = normalize_id(query.subject_id)
    if subject_id is not None:
        where.append("r.n IN (SELECT record_n FROM subjects WHERE id_number = ?)")
        params.append(subject_id)
    return where, params


def _where_sql(where: list[str]) -> str:
    return "WHERE " + " AND ".join(where) if where else ""


def _facet_counts(
    conn: sqlite3.Connection, source: str, where: list[str], params: list[Any]
) -> tuple[dict[str, dict[str, int]], int]:
    """Counts per value of each facet, and the total: the matches are gathered once,
    then counted per facet inside SQLite."""
    columns = ", ".join(f"r.{name}" for name in _FACETS)
    per_facet = " UNION ALL ".join(
        f"SELECT '{name}', {name}, count(*) FROM m GROUP BY {name}" for name in _FACETS
    )
    sql = f"WITH m AS MATERIALIZED (SELECT {columns} FROM {source} {_where_sql(where)}) {per_facet}"
    facets: dict[str, dict[str, int]] = {name: {} for name in _FACETS}
    for name, value, count in conn.execute(sql, params):
        if value is not None:
            facets[name][value] = count
    total = sum(facets[_FACETS[-1]].values())  # agency is never NULL
    ordered = {
        name: dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
        for name, counts in facets.items()
    }
    return ordered, total
