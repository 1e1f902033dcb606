"""Statistics benchmark: a year's monthly figures at 1M records and 10M audit entries.

    .venv/bin/python bench/stats_bench.py                          # 1M records, 10M entries
    .venv/bin/python bench/stats_bench.py --records 100000 --events 1000000

Builds a statistics store synthetically through the same write paths the service uses
(``StatsStore.put_fact_rows``: the facts rows ``record_fact`` makes, counters kept by
the triggers; ``StatsStore.add_events``: audit entries counted as the journal hands
them over), over 14 months and 20 agencies, then times ``StatsStore.report`` for the
last twelve months: for every agency (an admin's view) and for one agency (an
officer's), cold (first query after opening the file) and warm (median of 5). Target:
≤ 1 s. The reference beside it, measured in the same run, is what the counters spare:
one ``GROUP BY`` month over the facts rows themselves (the per-record scan a store
without counters would do for the digitized counts alone).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stats import Period, StatsStore
from stats.model import vn_day

START = datetime(2025, 1, 1, tzinfo=UTC)
SPAN_DAYS = 425  # 14 months
TYPES = ("birth_certificate", "marriage_certificate", "death_extract",
         "land_use_certificate", "marital_status_certificate", "construction_permit")
PROCEDURE = "1.000894"
TARGET_SECONDS = 1.0


@dataclass(frozen=True)
class Event:
    action: str
    actor: str
    at: str
    details: dict[str, Any]


def fact_rows(count: int, agencies: list[str], rng: random.Random) -> Iterator[tuple[Any, ...]]:
    for n in range(count):
        started = START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))
        processed = started + timedelta(seconds=rng.randrange(20, 400))
        roll = rng.random()
        status, needed_review, approved = "ready", 0, None
        ready_at: datetime | None = processed
        if roll < 0.05:
            status, ready_at = "needs_review", None
            needed_review = 1
        elif roll < 0.12:
            needed_review = 1
            approved = processed + timedelta(seconds=rng.randrange(600, 20 * 86400))
            ready_at = approved
        day = vn_day(started.isoformat()) or ""
        yield (
            f"r{n:08d}", agencies[n % len(agencies)], day, day[:7], TYPES[n % len(TYPES)],
            rng.randrange(1, 6), status, int(status == "ready"), needed_review,
            vn_day(approved.isoformat()) if approved else None, started.isoformat(),
            processed.isoformat(),
            None if ready_at is None else round((ready_at - started).total_seconds()),
        )


def events(count: int, agencies: list[str], rng: random.Random) -> Iterator[Event]:
    """Lookups (60 % serving the one reusable paper, some of the others with a withheld
    paper), releases and other entries the counters skip, at random instants. Built
    from small pools: generating 10M distinct objects would cost more than counting."""
    instants = [(START + timedelta(seconds=rng.randrange(SPAN_DAYS * 86400))).isoformat()
                for _ in range(100_000)]
    actors = [f"portal:{agency}:t{i}" for agency in agencies for i in range(3)]
    withheld = [{"record_id": "y", "reason": "namesake", "components": ["XN_TTHN"]}]
    lookups = [
        {"procedure_code": PROCEDURE, "withheld": held,
         "offered": {"TK_KH": [], "XN_TTHN": ["x"] if served else [], "GT_NT": []}}
        for served, held in ((True, []), (True, []), (True, []), (False, []),
                             (False, withheld))
    ]
    release = {"record_id": "x"}
    for n in range(count):
        at, actor = instants[n % len(instants)], actors[rng.randrange(len(actors))]
        kind = n % 10
        if kind == 0:
            yield Event("reuse.release", actor, at, release)
        elif kind == 1:
            yield Event("record.read", actor, at, release)
        else:
            yield Event("reuse.lookup", actor, at, lookups[n % 5])


def timed(run: Any) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--dir", type=Path, help="keep the store here (default: a temp dir)")
    args = parser.parse_args()
    rng = random.Random(20)
    agencies = [f"ubnd-{i:02d}" for i in range(args.agencies)]
    folder = args.dir or Path(tempfile.mkdtemp(prefix="sohoa-stats-bench-"))
    path = folder / "stats.sqlite3"
    store = StatsStore(path)
    build = timed(lambda: store.put_fact_rows(fact_rows(args.records, agencies, rng)))
    print(f"facts: {args.records:,} records in {build:.1f} s "
          f"({args.records / build:,.0f}/s, counters by trigger)")
    chunk = 1_000_000
    counted = 0

    def feed() -> None:
        nonlocal counted
        for start in range(0, args.events, chunk):
            counted += store.add_events(events(min(chunk, args.events - start), agencies, rng))

    build = timed(feed)
    print(f"audit: {args.events:,} entries ({counted:,} reuse events) in {build:.1f} s "
          f"({args.events / build:,.0f}/s)")
    store.close()
    size = path.stat().st_size / 2**20
    print(f"store: {size:.0f} MiB")

    period = Period(date(2025, 3, 1), date(2026, 2, 28))
    for label, scope in (("all agencies", None), ("one agency", [agencies[3]])):
        fresh = StatsStore(path)
        cold = timed(lambda s=fresh, a=scope: s.report(period, a))  # type: ignore[misc]
        warm = statistics.median(
            timed(lambda s=fresh, a=scope: s.report(period, a))  # type: ignore[misc]
            for _ in range(5)
        )
        conn = fresh._conn()
        where = "" if scope is None else " AND agency = ?"
        reference = timed(lambda c=conn, w=where, a=scope: c.execute(  # type: ignore[misc]
            f"SELECT month, count(*), sum(pages) FROM facts WHERE day BETWEEN ? AND ?{w}"
            " GROUP BY month", ["2025-03-01", "2026-02-28", *(a or [])]).fetchall())
        met = "yes" if max(cold, warm) <= TARGET_SECONDS else "NO"
        print(f"12 monthly figures, {label}: cold {cold:.3f} s, warm {warm:.3f} s "
              f"(target ≤ {TARGET_SECONDS:.0f} s: {met}); reference GROUP BY over the "
              f"facts rows: {reference:.3f} s")
        fresh.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
