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
- ``fts_keys``: FTS5 over the folded title, issuer, names and IDs only. Its word lists
  are short, so ranking name matches with bm25 (which counts every record holding each
  query word) does not scan the full texts' lists, where form wording makes "dinh",
  "nghia", "thang", "nam" occur in every record.
- ``vocab_keys``: folded words under their one-deletion keys, for fuzzy matching.

Matches come from ``fts_folded`` (the total and facets) and by tiers from both tables
(the hits, see ``_ranked``): cost is bounded by ``TOTAL_CAP`` and one ranking block, not
by how much of the corpus a query matches. When some query words carry diacritics, the
top ``RESCORE_WINDOW`` of a block are re-ranked so that records spelling them exactly
come first. (An exact FTS index matched with OR was measured at 150-200 ms a query on
only 20k records: common words like "nguyễn" are in most records.)
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from records import Record
from records.errors import ExitCode, SohoaError, disk_full_as_storage_full
from records.folding import FOLD_VERSION, fold, fold_name, tokens
from search.base import SearchHit, SearchQuery, SearchResult
from search.document import IndexedDoc, IndexedRecord, as_indexed, indexed_doc, normalize_id
from search.fuzzy import delete_keys, fuzzy_eligible, vocab_eligible, within_one_edit
from search.query import Clause, parse_text
from search.snippets import excerpt, highlight, phrase_pattern

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
_LAYOUT = f"schema={SCHEMA_VERSION};fold={FOLD_VERSION}"

_FTS_COLUMNS = ("title", "issuer", "names", "ids", "body")
_KEY_COLUMNS = _FTS_COLUMNS[:-1]
_PERSON_COLUMNS = ("names", "ids")
# Ranking unit of a tier (see ``_ranked``).
RESCORE_WINDOW = 200
# Matches counted exactly for the total and facets; beyond it they are lower bounds.
TOTAL_CAP = 2_000
# When every query word is form wording (in nearly all of the newest COMMON_SAMPLE
# records), the total counts only the newest COUNT_WINDOW records: see _count_floor.
COUNT_WINDOW = 100_000
COMMON_SAMPLE = 1000
COMMON_SHARE = 0.9
_CHUNK = 1000
_FACETS = ("doc_type", "issuer", "status", "agency")
_FACET_COLUMNS = ", ".join(f"r.{name}" for name in _FACETS)
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
CREATE INDEX IF NOT EXISTS documents_box ON documents (json_extract(json, '$.location.box'));
CREATE VIRTUAL TABLE IF NOT EXISTS fts_folded USING fts5(
    {", ".join(_FTS_COLUMNS)}, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE VIRTUAL TABLE IF NOT EXISTS fts_keys USING fts5(
    {", ".join(_KEY_COLUMNS)}, content = '', tokenize = 'unicode61 remove_diacritics 0'
);
CREATE TABLE IF NOT EXISTS vocab_keys (
    key TEXT NOT NULL, term TEXT NOT NULL, PRIMARY KEY (key, term)
) WITHOUT ROWID;
"""
_SCHEMA_STATEMENTS = [s.strip() for s in _SCHEMA.split(";") if s.strip()]
_TABLES = ("meta", "records", "documents", "subjects", "fts_folded", "fts_keys", "vocab_keys")


class IndexLayoutError(SohoaError, RuntimeError):
    """The file was built by another version of the index layout or of ``fold``."""

    exit_code = ExitCode.USAGE
    summary = "Chỉ mục do phiên bản khác tạo (chạy sohoa reindex)"


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


class SqliteFile:
    """One SQLite file (WAL) shared between threads: each thread reads through its own
    connection; writes are serialized by a lock here and by SQLite's own lock across
    processes. The index keeps its tables in one, the statistics (``stats``) theirs."""

    def __init__(
        self, path: Path, *, busy_timeout_ms: int = 30_000, cache_kib: int = 32768,
        mmap_bytes: int = 0,
    ) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._timeout = busy_timeout_ms / 1000
        self._pragmas = [
            "PRAGMA synchronous = NORMAL",
            f"PRAGMA cache_size = -{int(cache_kib)}",
            f"PRAGMA mmap_size = {int(mmap_bytes)}",
            "PRAGMA temp_store = MEMORY",
        ]
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        self.connection().execute("PRAGMA journal_mode = WAL")

    def connection(self) -> sqlite3.Connection:
        """This thread's connection (autocommit: transactions are ``transaction``'s)."""
        if self._closed:
            raise RuntimeError(f"SQLite file is closed: {self.path}")
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            # Only this thread uses it; check_same_thread=False lets close() end it.
            conn = sqlite3.connect(
                self.path, isolation_level=None, timeout=self._timeout,
                check_same_thread=False,
            )
            for pragma in self._pragmas:
                conn.execute(pragma)
            self._local.conn = conn
            with self._all_lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def transaction(self, conn: sqlite3.Connection | None = None) -> Iterator[sqlite3.Connection]:
        """A write transaction on ``conn`` (default: this thread's), one at a time."""
        conn = conn or self.connection()
        # SQLITE_FULL (at a write or at COMMIT) rolls the transaction back: the file stays
        # as it was, and the caller hears StorageFull rather than a bare OperationalError.
        with self._write_lock, disk_full_as_storage_full(f"SQLite file {self.path}"):
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        with self._all_lock:
            connections, self._all = self._all, []
        for conn in connections:
            conn.close()
        self._closed = True


class SqliteIndex:
    """``search.base.Index`` on one SQLite file. Safe to share between threads: each
    thread reads through its own connection; writes are serialized by a lock here and by
    SQLite's own lock across processes."""

    in_process = True

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = 30_000,
        total_cap: int = TOTAL_CAP,
        count_window: int = COUNT_WINDOW,
    ) -> None:
        self.url = url
        self.total_cap = total_cap
        self.count_window = count_window
        self.path = path_from_url(url)
        self._file = SqliteFile(
            self.path, busy_timeout_ms=busy_timeout_ms, cache_kib=65536, mmap_bytes=1 << 30
        )
        conn = self._conn()
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
        return self._file.connection()

    def _ready(self) -> sqlite3.Connection:
        if self._stale:
            raise IndexLayoutError(
                f"{self.path} was built by another index version; rebuild it (sohoa reindex)"
            )
        return self._conn()

    @contextmanager
    def _writing(self, *, check_layout: bool = True) -> Iterator[sqlite3.Connection]:
        conn = self._ready() if check_layout else self._conn()
        with self._file.transaction(conn):
            yield conn

    def close(self) -> None:
        self._file.close()

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
            for table in ("fts_folded", "fts_keys"):
                conn.execute(f"INSERT INTO {table} ({table}) VALUES ('optimize')")
            conn.execute("ANALYZE")

    def _remove(self, conn: sqlite3.Connection, ns: Sequence[int]) -> None:
        """Take rows out of the FTS index and subjects; the records and documents rows
        are the caller's to replace or delete."""
        marks = _placeholders(len(ns))
        cols = ", ".join(_FTS_COLUMNS)
        old = conn.execute(f"SELECT n, {cols} FROM documents WHERE n IN ({marks})", ns)
        folded = [(row[0], *_folded_values(row[1:])) for row in old.fetchall()]
        conn.executemany(
            f"INSERT INTO fts_folded (fts_folded, rowid, {cols}) "
            f"VALUES ('delete', ?, {_placeholders(len(_FTS_COLUMNS))})",
            folded,
        )
        conn.executemany(
            f"INSERT INTO fts_keys (fts_keys, rowid, {', '.join(_KEY_COLUMNS)}) "
            f"VALUES ('delete', ?, {_placeholders(len(_KEY_COLUMNS))})",
            [row[: len(_KEY_COLUMNS) + 1] for row in folded],
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
            f"INSERT INTO fts_keys (rowid, {', '.join(_KEY_COLUMNS)})"
            f" VALUES ({_placeholders(len(_KEY_COLUMNS) + 1)})",
            [row[: len(_KEY_COLUMNS) + 1] for row in folded],
        )
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

    def get(self, record_id: str) -> IndexedRecord | None:
        row = self._ready().execute(
            "SELECT d.json FROM records r JOIN documents d ON d.n = r.n WHERE r.id = ?",
            (record_id,),
        )
        found = row.fetchone()
        return as_indexed(json.loads(found[0])) if found else None

    def count(self) -> int:
        return int(self._ready().execute("SELECT count(*) FROM records").fetchone()[0])

    def versions(self, agency: str | None = None) -> Iterator[tuple[str, int]]:
        sql = ("SELECT r.id, json_extract(d.json, '$.version') "
               "FROM records r JOIN documents d ON d.n = r.n")
        rows = (self._ready().execute(f"{sql} WHERE r.agency = ?", (agency,)) if agency
                else self._ready().execute(sql))
        for record_id, version in rows:
            yield str(record_id), int(version)

    def records_for_subject(
        self,
        *,
        id_number: str | None = None,
        name: str | None = None,
        birth_date: str | None = None,
        doc_types: list[str] | None = None,
    ) -> list[IndexedRecord]:
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
        return [as_indexed(json.loads(row[0])) for row in self._ready().execute(sql, params)]

    def search(self, query: SearchQuery) -> SearchResult:
        if not 0 <= query.limit <= MAX_LIMIT or query.offset < 0:
            raise ValueError(f"limit must be 0..{MAX_LIMIT} and offset >= 0")
        conn = self._ready()
        if not query.text.strip():
            return self._browse(conn, query)
        clauses = parse_text(query.text)
        if not clauses:
            return SearchResult(total=0, hits=[], facets={f: {} for f in _FACETS})
        expansions = self._expansions(conn, clauses) if query.fuzzy else {}
        plain = _match_expression(clauses, {})
        fuzzy = _match_expression(clauses, expansions) if expansions else None
        where, params = _filters(query, key="m.n")
        joined = " AND ".join(["r.n = m.n", *where])
        floor = _count_floor(conn, clauses, self.count_window)
        facets, total, estimate = _facet_counts(
            conn,
            f"SELECT r.n IS NOT NULL, {_FACET_COLUMNS} FROM (SELECT rowid AS n FROM fts_folded"
            " WHERE fts_folded MATCH ? AND rowid > ? LIMIT ?) AS m"
            f" LEFT JOIN records r ON {joined}",
            [fuzzy or plain, floor, self.total_cap + 1, *params],
            self.total_cap,
        )
        ranked = _ranked(conn, _tiers(plain, fuzzy), query, clauses)
        if floor:  # the hits may come from older records than those counted
            total, estimate = max(total, query.offset + len(ranked)), True
        phrases = [c.folded_tokens for c in clauses]
        phrases += [[w] for words in expansions.values() for w in words]
        whole = [t for c in clauses for t in c.folded_tokens]
        documents = _documents(conn, [n for n, _ in ranked])
        hits = [
            SearchHit(
                id=data["id"],
                score=score,
                record=data,
                snippet=_snippet(documents[n][1:], phrases, whole),
            )
            for n, score in ranked
            for data in [as_indexed(json.loads(documents[n][0]))]
        ]
        return SearchResult(total=total, hits=hits, facets=facets, total_is_estimate=estimate)

    def _browse(self, conn: sqlite3.Connection, query: SearchQuery) -> SearchResult:
        """Filters only: newest papers first, no scores, no snippets."""
        where, params = _filters(query, key="r.n")
        if query.doc_type or query.agency or query.agencies:
            # Without range statistics SQLite takes a date range for the most selective
            # condition and walks every record in it; an equality index is narrower.
            where = [w.replace("r.issued_on", "+r.issued_on") for w in where]
        facets, total, estimate = _facet_counts(
            conn,
            f"SELECT 1, {_FACET_COLUMNS} FROM records r {_where_sql(where)} LIMIT ?",
            [*params, self.total_cap + 1],
            self.total_cap,
        )
        # Newest first by the narrow records rows alone; only the page's JSON is read.
        ns = [
            row[0]
            for row in conn.execute(
                f"SELECT r.n FROM records r {_where_sql(where)}"
                " ORDER BY r.issued_on DESC, r.n DESC LIMIT ? OFFSET ?",
                [*params, query.limit, query.offset],
            )
        ]
        documents = _documents(conn, ns)
        hits = [
            SearchHit(id=data["id"], score=0.0, record=data)
            for data in (as_indexed(json.loads(documents[n][0])) for n in ns)
        ]
        return SearchResult(total=total, hits=hits, facets=facets, total_is_estimate=estimate)

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


@dataclass(frozen=True)
class _Tier:
    """A slice of the matches, disjoint from the tiers before it."""

    table: str  # fts_keys (names, IDs, title, issuer) or fts_folded (all texts)
    expression: str


def _match_expression(clauses: list[Clause], expansions: dict[str, list[str]]) -> str:
    return " AND ".join(_folded_expression(c, expansions) for c in clauses)


def _in_columns(columns: Sequence[str], expression: str) -> str:
    return "{" + " ".join(columns) + "} : (" + expression + ")"


def _tiers(plain: str, fuzzy: str | None) -> list[_Tier]:
    """Best first: every word in the subjects' names and IDs (or document number); in
    those, the title or the issuer; somewhere; then the last two with fuzzy expansions."""
    people = _in_columns(_PERSON_COLUMNS, plain)
    keys = _in_columns(_KEY_COLUMNS, plain)
    tiers = [
        _Tier("fts_keys", people),
        _Tier("fts_keys", f"({plain}) NOT ({people})"),
        _Tier("fts_folded", f"({plain}) NOT ({keys})"),
    ]
    if fuzzy is not None:
        fuzzy_keys = _in_columns(_KEY_COLUMNS, fuzzy)
        tiers += [
            _Tier("fts_folded", f"({fuzzy_keys}) NOT ({plain})"),
            _Tier("fts_folded", f"({fuzzy}) NOT (({plain}) OR ({fuzzy_keys}))"),
        ]
    return tiers


def _count_floor(conn: sqlite3.Connection, clauses: list[Clause], window: int) -> int:
    """The record number above which the total is counted: 0 (all records), unless
    every query word is form wording ("cộng hòa", "định danh", "tháng"), in nearly every
    record. Then matching the words means reading the whole corpus' word lists and
    positions however few records match together, so only the newest ``window``
    records are counted (and the total is flagged as a lower bound)."""
    top = int(conn.execute("SELECT coalesce(max(n), 0) FROM records").fetchone()[0])
    if top <= window:
        return 0
    sample = min(COMMON_SAMPLE, window)
    for word in sorted({t for c in clauses for t in c.folded_tokens}):
        found = conn.execute(
            "SELECT count(*) FROM fts_folded WHERE fts_folded MATCH ? AND rowid > ?",
            (_quote([word]), top - sample),
        ).fetchone()[0]
        if found < COMMON_SHARE * sample:
            return 0
    return top - window


def _matching(table: str, expression: str, query: SearchQuery) -> tuple[str, list[str], list[Any]]:
    """FROM, WHERE conditions and parameters for the filtered matches of ``expression``."""
    where, params = _filters(query, key=f"{table}.rowid")
    source = f"{table} JOIN records r ON r.n = {table}.rowid"
    return source, [f"{table} MATCH ?", *where], [expression, *params]


def _ranked(
    conn: sqlite3.Connection, tiers: list[_Tier], query: SearchQuery, clauses: list[Clause]
) -> list[tuple[int, float]]:
    """The page of hits as (n, score), best first.

    bm25 cannot promise the order users expect: a name that folds like form wording
    ("Đình"/"định danh", "Nghĩa"/"CHỦ NGHĨA") matches nearly every record's full text,
    the rare OCR slip a fuzzy expansion finds outweighs a common correct word, and bm25
    knows nothing of diacritics. Its cost also grows with the corpus: it first counts
    every record holding each query word (25-50 ms a name query at 1M records). So hits
    come by tiers (see ``_tiers``), each cut into blocks of ``RESCORE_WINDOW`` matches,
    newest indexed first: a query matching most of the corpus costs one block, not the
    corpus. In a block, records spelling more of the words typed with diacritics
    exactly as typed come first. The score is tier points plus that count. The order
    does not depend on the page asked for, so pages never overlap.
    """
    patterns = [phrase_pattern([c.exact_tokens]) for c in clauses if c.marked]
    per_tier = len(patterns) + 1  # a better tier outranks any count of exact words
    # Without re-ranking a tier is in plain newest-first order: read just the page.
    size = RESCORE_WINDOW if patterns else max(query.limit, 1)
    skip, need = query.offset, query.limit
    page: list[tuple[int, float]] = []
    for i, tier in enumerate(tiers):
        if need <= 0:
            break
        if skip:
            size = _count_upto(conn, tier, query, skip)
            if size < skip:
                skip -= size
                continue
        points = (len(tiers) - 1 - i) * per_tier
        block_no, within = divmod(skip, size)
        skip = 0
        while need > 0:
            block = _ranked_block(conn, tier, query, block_no * size, size, patterns)
            taken = block[within : within + need]
            page += [(n, points + score) for n, score in taken]
            need -= len(taken)
            within, block_no = 0, block_no + 1
            if len(block) < size:
                break
    return page


def _count_upto(conn: sqlite3.Connection, tier: _Tier, query: SearchQuery, cap: int) -> int:
    source, where, params = _matching(tier.table, tier.expression, query)
    sql = f"SELECT count(*) FROM (SELECT 1 FROM {source} {_where_sql(where)} LIMIT ?)"
    return int(conn.execute(sql, [*params, cap]).fetchone()[0])


def _ranked_block(
    conn: sqlite3.Connection,
    tier: _Tier,
    query: SearchQuery,
    start: int,
    size: int,
    patterns: list[re.Pattern[str] | None],
) -> list[tuple[int, float]]:
    """One block of a tier's matches as (n, score within the tier), best first."""
    source, where, params = _matching(tier.table, tier.expression, query)
    sql = (
        f"SELECT {tier.table}.rowid FROM {source} {_where_sql(where)}"
        f" ORDER BY {tier.table}.rowid DESC LIMIT ? OFFSET ?"
    )
    ns = [row[0] for row in conn.execute(sql, [*params, size, start])]
    if not patterns:
        return [(n, 0.0) for n in ns]
    texts = _documents(conn, ns)
    scored = [(n, float(_exact_count(texts[n][1:], patterns))) for n in ns]
    scored.sort(key=lambda item: -item[1])  # stable: newest first among equals
    return scored


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


def _snippet(texts: Sequence[str], phrases: list[list[str]],
             whole: list[str] | None = None) -> str | None:
    """From the first of full text, names, IDs and title that holds a match, else the
    opening of the full text. Where the words typed stand together in the full text
    (a name: "vu huu thang"), only that is marked, not each word wherever it occurs
    ("tháng" of every date)."""
    title, _, names, ids, body = texts
    if whole and len(whole) > 1 and body and (together := highlight(body, [whole])):
        return together
    marked = (highlight(text, phrases) for text in (body, names, ids, title) if text)
    return next((s for s in marked if s), None) or excerpt(body or title)


def _folded_expression(clause: Clause, expansions: dict[str, list[str]]) -> str:
    quoted = _quote(clause.folded_tokens)
    variants = expansions.get(clause.folded_tokens[0], []) if clause.single_word else []
    if not variants:
        return quoted
    return "(" + " OR ".join([quoted, *(_quote([v]) for v in variants)]) + ")"


def _filters(query: SearchQuery, *, key: str) -> tuple[list[str], list[Any]]:
    """SQL conditions on ``records r`` for the query's filters; ``key`` names the
    record number in the query (the FTS rowid lets a subject filter seek the FTS index
    instead of scanning every match)."""
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
        where.append(f"{key} IN (SELECT record_n FROM subjects WHERE id_number = ?)")
        params.append(subject_id)
    subject_name = fold_name(query.subject_name) if query.subject_name else ""
    if subject_name:
        where.append(f"{key} IN (SELECT record_n FROM subjects WHERE name_folded = ?)")
        params.append(subject_name)
    if query.box is not None:
        # The expression of the ``documents_box`` index, so a box is a seek, not a scan.
        where.append(f"{key} IN (SELECT n FROM documents"
                     " WHERE json_extract(json, '$.location.box') = ?)")
        params.append(query.box)
    return where, params


def _where_sql(where: list[str]) -> str:
    return "WHERE " + " AND ".join(where) if where else ""


def _facet_counts(
    conn: sqlite3.Connection, sql: str, params: list[Any], cap: int
) -> tuple[dict[str, dict[str, int]], int, bool]:
    """Counts per value of each facet, the total, and whether they are lower bounds.

    ``sql`` yields (passes the filters, *facet columns) for at most ``cap`` + 1 matches
    of the text (or records, without text), filtered or not: past ``cap`` only the
    first ``cap`` are counted, as Elasticsearch's ``track_total_hits`` does, so a query
    matching most of the corpus, or a narrow filter on a broad text, costs no more than
    ``cap`` matches.
    """
    rows = conn.execute(sql, params).fetchall()
    estimate = len(rows) > cap
    kept = [row[1:] for row in rows[:cap] if row[0]]
    facets: dict[str, dict[str, int]] = {}
    by_facet: list[tuple[Any, ...]] = list(zip(*kept, strict=True)) or [() for _ in _FACETS]
    for name, values in zip(_FACETS, by_facet, strict=True):
        counts = Counter(v for v in values if v is not None)
        facets[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    return facets, len(kept), estimate
