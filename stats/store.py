"""The statistics store: one SQLite file of per-record facts and daily counters.

Figures are never computed by reading object storage on a request. Instead:

- ``facts``: one narrow row per record (agency, day received, type, pages, status,
  signed, review, times), written wherever the index is written (``stats.CountingIndex``
  wraps the index ``Runtime`` opens), so it follows every ingest, review, deletion and
  reindex;
- ``record_days`` and ``review_days``: counters per agency, day (Vietnam time) and
  result type, kept by SQLite triggers on ``facts``: an insert adds the row's part, a
  delete takes it away, an update does both, so counters stay exact however often a
  record is re-indexed;
- ``reuse_days``: counters per agency and day of the reuse lookups and releases,
  added when their audit entries are journaled (``AuditJournal(on_written=…)``);
- ``issued``: the results each office says it issued per month (``sohoa stats import``).

A year's monthly figures then read a few thousand counter rows plus, for the medians,
one ordered index walk per month, whatever the number of records or audit entries
(``bench/stats_bench.py``). Everything here is derived: ``sohoa stats rebuild`` refills
it from the records in storage and the audit chain, except ``issued``, which only the
offices know and which a rebuild keeps.
"""

from __future__ import annotations

import functools
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from records import Record, Status
from records.procedures import Procedure, load_procedures
from records.vntime import VN_TZ
from search.sqlite import SqliteFile
from stats.model import (
    Backlog,
    BatchRun,
    MonthFigures,
    Period,
    StatsReport,
    month_end,
    vn_day,
)

SCHEMA_VERSION = 1
# A pause longer than this between two records of an agency ends a batch run.
BATCH_GAP = timedelta(minutes=15)
RECENT_BATCHES = 10
# How far back "recent batches" look from the end of the period, and at most how many
# records they read.
BATCH_WINDOW = timedelta(days=30)
BATCH_ROWS = 50_000

_RECORD_COUNTERS = ("records", "signed", "pages", "ready", "ready_unreviewed")
_REUSE_COUNTERS = (
    "lookups", "lookups_served", "required_total", "required_served", "requested_again",
    "releases",
)

_TABLES = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS facts (
    id TEXT PRIMARY KEY,
    agency TEXT NOT NULL,
    day TEXT NOT NULL,
    month TEXT NOT NULL,
    doc_type TEXT NOT NULL,
    pages INTEGER NOT NULL,
    status TEXT NOT NULL,
    signed INTEGER NOT NULL,
    needed_review INTEGER NOT NULL,
    approved_day TEXT,
    started_at TEXT NOT NULL,
    processed_at TEXT NOT NULL,
    ready_seconds INTEGER
);
CREATE INDEX IF NOT EXISTS facts_ready ON facts (agency, month, ready_seconds, day)
    WHERE ready_seconds IS NOT NULL;
CREATE INDEX IF NOT EXISTS facts_ready_all ON facts (month, ready_seconds, day)
    WHERE ready_seconds IS NOT NULL;
CREATE INDEX IF NOT EXISTS facts_waiting ON facts (agency, started_at)
    WHERE status = 'needs_review';
CREATE INDEX IF NOT EXISTS facts_waiting_all ON facts (started_at)
    WHERE status = 'needs_review';
CREATE INDEX IF NOT EXISTS facts_started
    ON facts (agency, started_at, processed_at, pages);
CREATE INDEX IF NOT EXISTS facts_started_all
    ON facts (started_at, agency, processed_at, pages);
CREATE TABLE IF NOT EXISTS record_days (
    agency TEXT NOT NULL, day TEXT NOT NULL, doc_type TEXT NOT NULL,
    {", ".join(f"{c} INTEGER NOT NULL" for c in _RECORD_COUNTERS)},
    PRIMARY KEY (agency, day, doc_type)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS record_days_day ON record_days (day);
CREATE TABLE IF NOT EXISTS review_days (
    agency TEXT NOT NULL, day TEXT NOT NULL,
    entered INTEGER NOT NULL, approved INTEGER NOT NULL,
    PRIMARY KEY (agency, day)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS reuse_days (
    agency TEXT NOT NULL, day TEXT NOT NULL,
    {", ".join(f"{c} INTEGER NOT NULL" for c in _REUSE_COUNTERS)},
    PRIMARY KEY (agency, day)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS reuse_days_day ON reuse_days (day);
CREATE TABLE IF NOT EXISTS issued (
    agency TEXT NOT NULL, month TEXT NOT NULL, issued INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (agency, month)
) WITHOUT ROWID
"""


def _count_statements(row: str, sign: int) -> str:
    """What one ``facts`` row (``NEW`` or ``OLD``) adds to (sign 1) or takes from
    (sign -1) the counters."""
    s = sign
    ready = f"({row}.status = 'ready')"
    values = (
        f"{s}, {s} * {row}.signed, {s} * {row}.pages, {s} * {ready},"
        f" {s} * ({ready} AND NOT {row}.needed_review)"
    )
    added = ", ".join(f"{c} = {c} + excluded.{c}" for c in _RECORD_COUNTERS)
    return f"""
    INSERT INTO record_days (agency, day, doc_type, {", ".join(_RECORD_COUNTERS)})
        VALUES ({row}.agency, {row}.day, {row}.doc_type, {values})
        ON CONFLICT DO UPDATE SET {added};
    INSERT INTO review_days (agency, day, entered, approved)
        VALUES ({row}.agency, {row}.day, {s} * {row}.needed_review, 0)
        ON CONFLICT DO UPDATE SET entered = entered + excluded.entered;
    INSERT INTO review_days (agency, day, entered, approved)
        SELECT {row}.agency, {row}.approved_day, 0, {s} WHERE {row}.approved_day IS NOT NULL
        ON CONFLICT DO UPDATE SET approved = approved + excluded.approved;"""


_TRIGGERS = [
    f"CREATE TRIGGER IF NOT EXISTS facts_added AFTER INSERT ON facts BEGIN"
    f"{_count_statements('NEW', 1)} END",
    f"CREATE TRIGGER IF NOT EXISTS facts_removed AFTER DELETE ON facts BEGIN"
    f"{_count_statements('OLD', -1)} END",
    f"CREATE TRIGGER IF NOT EXISTS facts_changed AFTER UPDATE ON facts BEGIN"
    f"{_count_statements('OLD', -1)}{_count_statements('NEW', 1)} END",
]
_FACT_COLUMNS = (
    "id", "agency", "day", "month", "doc_type", "pages", "status", "signed", "needed_review",
    "approved_day", "started_at", "processed_at", "ready_seconds",
)
_UPSERT_FACT = (
    f"INSERT INTO facts ({', '.join(_FACT_COLUMNS)})"
    f" VALUES ({', '.join('?' * len(_FACT_COLUMNS))})"
    f" ON CONFLICT (id) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in _FACT_COLUMNS[1:])
)
_ADD_REUSE = (
    f"INSERT INTO reuse_days (agency, day, {', '.join(_REUSE_COUNTERS)})"
    f" VALUES (?, ?, {', '.join('?' * len(_REUSE_COUNTERS))}) ON CONFLICT DO UPDATE SET "
    + ", ".join(f"{c} = {c} + excluded.{c}" for c in _REUSE_COUNTERS)
)


class AuditEvent(Protocol):
    """An audit draft or chained entry: what the reuse counters read."""

    @property
    def action(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def at(self) -> str: ...
    @property
    def details(self) -> dict[str, Any]: ...


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def record_fact(record: Record) -> tuple[Any, ...] | None:
    """The ``facts`` row of ``record``; None for a failed one (not a digitized result).

    Received: the first pipeline stage (sohoa knows no earlier scan time); processed:
    the last stage; ready: the approval when it was reviewed, else the end of
    processing."""
    if record.status is Status.FAILED:
        return None
    started = record.stages[0].at if record.stages else record.created_at
    processed = record.stages[-1].at if record.stages else record.created_at
    day = vn_day(started) or vn_day(record.created_at) or "0000-00-00"
    approved_at = record.review.approved_at
    needed_review = record.status is Status.NEEDS_REVIEW or approved_at is not None
    ready_seconds: int | None = None
    if record.status is Status.READY:
        ready_at = approved_at or processed
        ready_seconds = max(0, round((_instant(ready_at) - _instant(started)).total_seconds()))
    return (
        record.id, record.agency, day, day[:7], record.doc_type or "",
        int(record.source.pages or len(record.ocr.pages) or 0), str(record.status),
        int(bool(record.signature.level)), int(needed_review), vn_day(approved_at),
        # In UTC: compared as text (ordered, batch runs).
        _instant(started).astimezone(UTC).isoformat(),
        _instant(processed).astimezone(UTC).isoformat(), ready_seconds,
    )


def actor_agency(actor: str, default: str) -> str:
    """The agency an audit actor speaks for: API actors are ``role:agency:token_id``
    (``api.tokens.Principal.actor``); anything else (a CLI ``--actor``) is the
    deployment's own agency."""
    parts = actor.split(":")
    return ":".join(parts[1:-1]) if len(parts) >= 3 else default


# What one audit entry adds to an agency's reuse counters on one day: (agency, day,
# the counters in ``_REUSE_COUNTERS`` order).
ReuseDelta = tuple[str, str, tuple[int, int, int, int, int, int]]
_RELEASE = (0, 0, 0, 0, 0, 1)


def reuse_delta(
    event: AuditEvent, procedures: Mapping[str, Procedure], default_agency: str
) -> ReuseDelta | None:
    """The reuse counters an audit entry moves, or None for any other entry.

    A lookup's required components come from the procedure catalog (for a procedure
    the catalog no longer knows: every component the entry lists). A required
    component counts as *requested again although held* when the lookup offered
    nothing for it while it withheld a paper that would fill it (docs/stats.md)."""
    action = event.action
    if action != "reuse.lookup" and action != "reuse.release":
        return None
    day = _day_of(event.at)
    if day is None:
        return None
    agency = actor_agency(event.actor, default_agency)
    if action == "reuse.release":
        return agency, day, _RELEASE
    details = event.details
    offered: dict[str, Any] = details.get("offered") or {}
    procedure = procedures.get(str(details.get("procedure_code")))
    required = _required(procedure) if procedure is not None else tuple(offered)
    held: set[str] = set()
    for paper in details.get("withheld") or ():
        held.update(paper.get("components") or ())
    served = sum(1 for code in required if offered.get(code))
    again = sum(1 for code in required if not offered.get(code) and code in held)
    return agency, day, (1, int(served > 0), len(required), served, again, 0)


@functools.lru_cache(maxsize=256)
def _required(procedure: Procedure) -> tuple[str, ...]:
    return tuple(c.code for c in procedure.components if c.required)


@functools.lru_cache(maxsize=4096)
def _day_at(minute: str, offset: str) -> str | None:
    return vn_day(f"{minute}{offset}")


def _day_of(at: str) -> str | None:
    """``vn_day`` of an audit time, remembered per minute and offset: a rebuild reads
    millions of entries, and the day of an instant depends on nothing finer."""
    if len(at) > 22 and at[-6] in "+-" and at[-3] == ":":
        return _day_at(at[:16], at[-6:])
    return vn_day(at)


def _in(column: str, values: Sequence[str] | None) -> tuple[str, list[Any]]:
    """`` AND column IN (…)`` for an agency scope; nothing for every agency."""
    if values is None:
        return "", []
    return f" AND {column} IN ({', '.join('?' * len(values))})", list(values)


class StatsStore:
    """The statistics SQLite file. Safe to share between threads (one connection per
    thread, writes serialized); several processes may write it (SQLite's lock)."""

    def __init__(
        self,
        path: Path,
        *,
        procedures: Mapping[str, Procedure] | None = None,
        default_agency: str = "",
        busy_timeout_ms: int = 30_000,
    ) -> None:
        self.path = path
        self.default_agency = default_agency
        self._procedures = procedures
        self._file = SqliteFile(path, busy_timeout_ms=busy_timeout_ms)
        with self._writing() as conn:
            for statement in [s for s in _TABLES.split(";") if s.strip()] + _TRIGGERS:
                conn.execute(statement)
            conn.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )

    @property
    def procedures(self) -> Mapping[str, Procedure]:
        if self._procedures is None:

            self._procedures = load_procedures()
        return self._procedures

    def _conn(self) -> sqlite3.Connection:
        return self._file.connection()

    def _writing(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._file.transaction()

    def close(self) -> None:
        self._file.close()

    # -- records -----------------------------------------------------------------------

    def put_records(self, records: Iterable[Record]) -> None:
        """Add or replace the facts of ``records`` (a failed record removes its own), in
        one transaction, streamed."""
        failed: list[tuple[str]] = []

        def rows() -> Iterator[tuple[Any, ...]]:
            for record in records:
                row = record_fact(record)
                if row is None:
                    failed.append((record.id,))
                else:
                    yield row

        with self._writing() as conn:
            conn.executemany(_UPSERT_FACT, rows())
            conn.executemany("DELETE FROM facts WHERE id = ?", failed)

    def put_fact_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Facts rows as ``record_fact`` makes them, in bulk (benchmarks, rebuilds)."""
        with self._writing() as conn:
            conn.executemany(_UPSERT_FACT, rows)

    def delete_record(self, record_id: str) -> None:
        with self._writing() as conn:
            conn.execute("DELETE FROM facts WHERE id = ?", (record_id,))

    def clear_records(self) -> None:
        """Forget every record's facts (before a rebuild from storage)."""
        with self._writing() as conn:
            for table in ("facts", "record_days", "review_days"):
                conn.execute(f"DELETE FROM {table}")

    # -- audit -------------------------------------------------------------------------

    def add_events(self, events: Iterable[AuditEvent]) -> int:
        """Count the reuse lookups and releases among ``events``; returns how many."""
        totals: dict[tuple[str, str], list[int]] = {}
        counted = 0
        procedures, default = self.procedures, self.default_agency
        for event in events:
            delta = reuse_delta(event, procedures, default)
            if delta is None:
                continue
            counted += 1
            agency, day, values = delta
            sums = totals.get((agency, day))
            if sums is None:
                totals[(agency, day)] = list(values)
            else:
                for i, value in enumerate(values):
                    sums[i] += value
        if totals:
            with self._writing() as conn:
                conn.executemany(
                    _ADD_REUSE,
                    [(a, d, *c) for (a, d), c in totals.items()],
                )
        return counted

    def clear_events(self) -> None:
        with self._writing() as conn:
            conn.execute("DELETE FROM reuse_days")

    # -- issued ------------------------------------------------------------------------

    def set_issued(self, rows: Iterable[tuple[str, str, int]]) -> int:
        """(agency, month ``YYYY-MM``, results issued): replaces what was there."""
        now = datetime.now(UTC).replace(microsecond=0).isoformat()
        values = [(agency, month, count, now) for agency, month, count in rows]
        with self._writing() as conn:
            conn.executemany(
                "INSERT INTO issued (agency, month, issued, updated_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT DO UPDATE SET issued = excluded.issued,"
                " updated_at = excluded.updated_at",
                values,
            )
        return len(values)

    # -- figures -----------------------------------------------------------------------

    def agencies(self) -> list[str]:
        conn = self._conn()
        found = {
            row[0]
            for table in ("record_days", "reuse_days", "issued")
            for row in conn.execute(f"SELECT DISTINCT agency FROM {table}")
        }
        return sorted(found)

    def totals_by_agency(self) -> dict[str, dict[str, int]]:
        """All-time counters per agency, and the review backlog now (for /metrics)."""
        conn = self._conn()
        out: dict[str, dict[str, int]] = {}
        queries = (
            (_RECORD_COUNTERS, "record_days"),
            (_REUSE_COUNTERS, "reuse_days"),
            (("backlog",), "review_days"),
        )
        for names, table in queries:
            sums = ", ".join(f"sum({n})" for n in names) if table != "review_days" else (
                "sum(entered) - sum(approved)"
            )
            for agency, *values in conn.execute(
                f"SELECT agency, {sums} FROM {table} GROUP BY agency"
            ):
                out.setdefault(agency, {}).update(zip(names, values, strict=True))
        return out

    def report(
        self, period: Period, agencies: Sequence[str] | None, *, now: datetime | None = None
    ) -> StatsReport:
        """The figures of ``agencies`` (None: all) over ``period``, month by month."""
        conn = self._conn()
        start, end = period.start.isoformat(), period.end.isoformat()
        months = period.months()
        rows = {m: _MonthSums() for m in months}

        where, params = _in("agency", agencies)
        sums = ", ".join(f"sum({c})" for c in _RECORD_COUNTERS)
        for month, doc_type, *values in conn.execute(
            f"SELECT substr(day, 1, 7), doc_type, {sums}"
            f" FROM record_days WHERE day BETWEEN ? AND ?{where} GROUP BY 1, 2",
            [start, end, *params],
        ):
            row = rows[month]
            records, signed, pages, ready, unreviewed = values
            row.by_type[doc_type] += records
            row.counts.update(digitized=records, signed=signed, pages=pages, ready=ready,
                              ready_without_review=unreviewed)

        for month, *values in conn.execute(
            f"SELECT substr(day, 1, 7), {', '.join(f'sum({c})' for c in _REUSE_COUNTERS)}"
            f" FROM reuse_days WHERE day BETWEEN ? AND ?{where} GROUP BY 1",
            [start, end, *params],
        ):
            rows[month].counts.update(dict(zip(_REUSE_COUNTERS, values, strict=True)))

        for month, issued in conn.execute(
            f"SELECT month, sum(issued) FROM issued WHERE month BETWEEN ? AND ?{where}"
            " GROUP BY 1",
            [months[0], months[-1], *params],
        ):
            if period.covers_month(month):
                rows[month].issued = issued

        self._backlog_series(conn, period, agencies, rows)
        for month in months:
            rows[month].median_ready_seconds = self._median_ready(
                conn, period, month, agencies, rows[month].counts["ready"]
            )
        figures = tuple(rows[m].figures(m) for m in months)
        return StatsReport(
            agencies=None if agencies is None else tuple(agencies),
            period=period,
            months=figures,
            total=_total(figures, single_month=len(months) == 1),
            backlog=self._backlog_now(conn, agencies, now or datetime.now(UTC)),
            batches=tuple(self._batches(conn, period, agencies)),
        )

    def _backlog_series(
        self, conn: sqlite3.Connection, period: Period, agencies: Sequence[str] | None,
        rows: dict[str, _MonthSums],
    ) -> None:
        """Records waiting at the end of each month (or of the period): every record
        that entered review up to then, less every approval up to then."""
        where, params = _in("agency", agencies)
        cumulative = 0
        months = iter(period.months())
        month = next(months, None)
        for day, entered, approved in conn.execute(
            f"SELECT day, sum(entered), sum(approved) FROM review_days"
            f" WHERE day <= ?{where} GROUP BY day ORDER BY day",
            [period.end.isoformat(), *params],
        ):
            while month is not None and day > min(month_end(month), period.end).isoformat():
                rows[month].backlog_end = cumulative
                month = next(months, None)
            cumulative += entered - approved
        while month is not None:
            rows[month].backlog_end = cumulative
            month = next(months, None)

    def _median_ready(
        self, conn: sqlite3.Connection, period: Period, month: str,
        agencies: Sequence[str] | None, ready: int,
    ) -> float | None:
        """The exact median of the month's ready records' times to ready: one walk of
        an index ordered by that time (two values for an even count)."""
        if not ready:
            return None
        first = max(period.start, date.fromisoformat(f"{month}-01")).isoformat()
        last = min(period.end, month_end(month)).isoformat()
        where, params = _in("agency", agencies)
        index = "facts_ready" if agencies is not None and len(agencies) == 1 else "facts_ready_all"
        sql = (
            f"SELECT ready_seconds FROM facts INDEXED BY {index} WHERE month = ?{where}"
            " AND ready_seconds IS NOT NULL AND day BETWEEN ? AND ?"
            " ORDER BY ready_seconds LIMIT ? OFFSET ?"
        )
        values = [v for (v,) in conn.execute(
            sql, [month, *params, first, last, 2 - ready % 2, (ready - 1) // 2]
        )]
        return sum(values) / len(values) if values else None

    def _backlog_now(
        self, conn: sqlite3.Connection, agencies: Sequence[str] | None, now: datetime
    ) -> Backlog:
        where, params = _in("agency", agencies)
        index = (
            "facts_waiting" if agencies is not None and len(agencies) == 1 else "facts_waiting_all"
        )
        base = f"FROM facts INDEXED BY {index} WHERE status = 'needs_review'{where}"
        count = int(conn.execute(f"SELECT count(*) {base}", params).fetchone()[0])
        if not count:
            return Backlog(0, None, None)

        def started(offset: int, limit: int) -> list[datetime]:
            sql = f"SELECT started_at {base} ORDER BY started_at LIMIT ? OFFSET ?"
            return [_instant(v) for (v,) in conn.execute(sql, [*params, limit, offset])]

        def days(moment: datetime) -> float:
            return (now - moment).total_seconds() / 86400

        middle = started((count - 1) // 2, 2 - count % 2)
        return Backlog(count, days(started(0, 1)[0]), sum(days(m) for m in middle) / len(middle))

    def _batches(
        self, conn: sqlite3.Connection, period: Period, agencies: Sequence[str] | None
    ) -> list[BatchRun]:
        """The ``RECENT_BATCHES`` latest runs before the end of the period: an agency's
        records received with no pause over ``BATCH_GAP`` between them.

        Records are read newest first, only until the answer is settled: once that many
        runs are closed (a longer pause seen before their first record), a run still
        open whose earliest record is older than the last of them cannot be among the
        latest (it can only start earlier), nor can any run not reached yet."""
        where, params = _in("agency", agencies)
        until = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), VN_TZ)
        since = until - BATCH_WINDOW
        rows = conn.execute(
            f"SELECT agency, started_at, processed_at, pages FROM facts"
            f" WHERE started_at >= ? AND started_at < ?{where}"
            " ORDER BY started_at DESC LIMIT ?",
            [since.astimezone(UTC).isoformat(), until.astimezone(UTC).isoformat(), *params,
             BATCH_ROWS],
        )
        open_runs: dict[str, _Run] = {}
        closed: list[_Run] = []
        while chunk := rows.fetchmany(1000):
            for agency, started, processed, pages in chunk:
                moment = _instant(started)
                run = open_runs.get(agency)
                if run is not None and run.first - moment <= BATCH_GAP:
                    run.add(moment, started, processed, pages)
                    continue
                if run is not None:
                    closed.append(run)
                open_runs[agency] = _Run(agency, moment, started, processed, 1, pages)
            if len(closed) >= RECENT_BATCHES:
                closed.sort(key=lambda r: r.first, reverse=True)
                last = closed[RECENT_BATCHES - 1].first
                if all(r.first < last for r in open_runs.values()):
                    break
        found = sorted([*closed, *open_runs.values()], key=lambda r: r.first, reverse=True)
        return [r.batch() for r in found[:RECENT_BATCHES]]


@dataclass
class _Run:
    """A batch run while it is being read, newest record first."""

    agency: str
    first: datetime
    started_at: str
    finished_at: str
    records: int
    pages: int

    def add(self, moment: datetime, started: str, processed: str, pages: int) -> None:
        self.first, self.started_at = moment, started
        self.finished_at = max(self.finished_at, processed)
        self.records += 1
        self.pages += pages

    def batch(self) -> BatchRun:
        return BatchRun(self.agency, self.started_at, self.finished_at, self.records,
                        self.pages)


@dataclass
class _MonthSums:
    """One month's figures while ``report`` adds them up (``MonthFigures`` is frozen):
    ``counts`` by the name of the ``MonthFigures`` field they become."""

    counts: Counter[str] = field(default_factory=Counter)
    by_type: Counter[str] = field(default_factory=Counter)
    issued: int | None = None
    backlog_end: int | None = None
    median_ready_seconds: float | None = None

    def figures(self, month: str) -> MonthFigures:
        c = self.counts
        return MonthFigures(
            month=month,
            digitized=c["digitized"], signed=c["signed"], pages=c["pages"],
            by_type=dict(sorted(self.by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
            issued=self.issued,
            ready=c["ready"], ready_without_review=c["ready_without_review"],
            backlog_end=self.backlog_end, median_ready_seconds=self.median_ready_seconds,
            lookups=c["lookups"], lookups_served=c["lookups_served"],
            required_total=c["required_total"], required_served=c["required_served"],
            releases=c["releases"], requested_again=c["requested_again"],
        )


def _total(months: Sequence[MonthFigures], *, single_month: bool) -> MonthFigures:
    """The period's sums. Its backlog is the last month's; its median only for a
    single month (a median of months is not the median of the records, see
    docs/stats.md); its issued count only when every month has one."""
    by_type: Counter[str] = Counter()
    sums: Counter[str] = Counter()
    summed = ("digitized", "signed", "pages", "ready", "ready_without_review", *_REUSE_COUNTERS)
    for m in months:
        by_type.update(m.by_type)
        for name in summed:
            sums[name] += getattr(m, name)
    issued = [m.issued for m in months]
    return MonthFigures(
        month="total",
        by_type=dict(sorted(by_type.items(), key=lambda kv: (-kv[1], kv[0]))),
        issued=sum(i for i in issued if i is not None) if None not in issued else None,
        backlog_end=months[-1].backlog_end if months else None,
        median_ready_seconds=months[0].median_ready_seconds if single_month else None,
        **{name: sums[name] for name in summed},
    )
