"""Embedded (SQLite) index benchmark: build, size, reuse lookups and search latency.

    .venv/bin/python bench/search_bench.py                     # 100k records, quick
    .venv/bin/python bench/search_bench.py --records 1000000   # the 1M target

Prints each figure beside its target; the reference is a primary-key ``get`` measured in
the same run (the floor any lookup through the index pays).
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from functools import partial
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.search_data import AGENCIES, DOC_TYPES, Person, generate
from records import Record
from search import SearchQuery, fold
from search.sqlite import SqliteIndex

SAMPLE = 5000


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[k]


def timed(calls: list[Callable[[], Any]]) -> list[float]:
    """Milliseconds per call, after a short warm-up on the first few."""
    for call in calls[:20]:
        call()
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def sampled(stream: Iterator[tuple[Record, Person]], keep: list[Person]) -> Iterator[Record]:
    """Pass records through, keeping a reservoir of their subjects to look up later."""
    rng = random.Random(1)
    for i, (record, person) in enumerate(stream):
        if len(keep) < SAMPLE:
            keep.append(person)
        elif (j := rng.randrange(i + 1)) < SAMPLE:
            keep[j] = person
        yield record


def size_on_disk(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def slip(word: str) -> str:
    return word[:-2] + "x" + word[-1:] if len(word) >= 4 else word


def search_mix(people: list[Person], rng: random.Random) -> dict[str, list[SearchQuery]]:
    agencies = AGENCIES[:3]
    mix: dict[str, list[SearchQuery]] = {
        k: []
        for k in (
            "folded name",
            "exact name",
            "ID number",
            "name + filters",
            "phrase",
            "fuzzy",
            "filters only",
        )
    }
    for p in rng.sample(people, 60):
        family, middle, given = p.name.split(" ", 2)
        mix["folded name"].append(SearchQuery(text=fold(p.name)))
        mix["exact name"].append(SearchQuery(text=p.name))
        mix["ID number"].append(SearchQuery(text=p.id_number or p.birth_date))
        mix["name + filters"].append(
            SearchQuery(
                text=f"{given} {family}",
                doc_type=rng.choice(list(DOC_TYPES)),
                agencies=agencies,
                issued_from="2010-01-01",
            )
        )
        mix["phrase"].append(SearchQuery(text=f'"{middle} {given}"'))
        mix["fuzzy"].append(SearchQuery(text=f"{fold(family)} {slip(fold(given))}", fuzzy=True))
        mix["filters only"].append(
            SearchQuery(
                doc_type=rng.choice(list(DOC_TYPES)),
                agencies=[rng.choice(AGENCIES)],
                issued_from="2015-01-01",
                issued_to="2020-12-31",
            )
        )
    return mix


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument(
        "--chunk",
        type=int,
        default=100_000,
        help="records per upsert_many call (one transaction each)",
    )
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--dir", type=Path, default=None, help="where to build (default: tmp)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="query the index already in --dir (built by an earlier run with the same"
        " --records) instead of building it again",
    )
    args = parser.parse_args()

    workdir = args.dir or Path(tempfile.mkdtemp(prefix="sohoa-search-bench-"))
    path = workdir / "index.sqlite3"
    reuse = args.reuse and path.exists()
    if not reuse:
        for old in workdir.glob("index.sqlite3*"):
            old.unlink()
    index = SqliteIndex(f"sqlite:///{path}")
    people: list[Person] = []
    records = sampled(generate(args.records), people)

    start = time.perf_counter()
    if reuse:
        for _ in records:  # only to sample the same people to look up
            pass
    while not reuse and index.upsert_many(islice(records, args.chunk)):
        print(
            f"  indexed {index.count():,} records, {time.perf_counter() - start:.0f} s", flush=True
        )
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    if not reuse:
        index.optimize()
    optimize_s = time.perf_counter() - start
    conn = index._conn()  # the benchmark may look behind the API
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = size_on_disk(path)

    gen_start = time.perf_counter()
    for _ in islice(generate(20_000, seed=99), 20_000):
        pass
    gen_per_record = (time.perf_counter() - gen_start) / 20_000

    rng = random.Random(3)
    lookups: list[Callable[[], Any]] = []
    for _ in range(args.lookups):
        p = rng.choice(people)
        roll = rng.random()
        if roll < 0.5 and p.id_number:
            lookups.append(partial(index.records_for_subject, id_number=p.id_number))
        elif roll < 0.85:
            lookups.append(
                partial(index.records_for_subject, name=fold(p.name), birth_date=p.birth_date)
            )
        else:
            lookups.append(partial(index.records_for_subject, id_number="099999000000"))
    subject_ms = timed(lookups)
    found = [len(call()) for call in lookups[:200]]
    ids = [f"{rng.randrange(args.records):024x}" for _ in range(args.lookups)]
    get_ms = timed([partial(index.get, i) for i in ids])

    mix = search_mix(people, rng)
    per_kind: dict[str, list[float]] = {}
    for kind, queries in mix.items():
        per_kind[kind] = timed([partial(index.search, q) for q in queries])
    all_search = [ms for values in per_kind.values() for ms in values]
    samples = {kind: [index.search(q) for q in qs[:10]] for kind, qs in mix.items()}
    totals = {
        kind: statistics.median(r.total for r in results) for kind, results in samples.items()
    }
    capped = {kind: sum(r.total_is_estimate for r in results) for kind, results in samples.items()}
    index.close()

    n = args.records
    rows = [
        ("records", f"{n:,}", ""),
        ("build (generate + index)", f"{build_s:.1f} s ({n / build_s:,.0f} rec/s)", ""),
        ("  of which generating records", f"≈{gen_per_record * n:.1f} s", ""),
        ("optimize (FTS merge + ANALYZE)", f"{optimize_s:.1f} s", ""),
        ("index size on disk", f"{size / 2**20:,.0f} MiB ({size / n:,.0f} B/record)", ""),
        ("records_for_subject p50", f"{percentile(subject_ms, 50):.2f} ms", ""),
        (
            "records_for_subject p99",
            f"{percentile(subject_ms, 99):.2f} ms",
            "≤ 10 ms (whole reuse lookup)",
        ),
        ("  records found per lookup (median)", f"{statistics.median(found):.0f}", ""),
        ("reference: get() by id p99", f"{percentile(get_ms, 99):.2f} ms", ""),
        ("search p50 (all kinds)", f"{percentile(all_search, 50):.1f} ms", ""),
        ("search p95 (all kinds)", f"{percentile(all_search, 95):.1f} ms", "≤ 100 ms"),
    ]
    rows += [
        (
            f"  {kind} p50 / p95",
            f"{percentile(v, 50):.1f} / {percentile(v, 95):.1f} ms"
            f"  (median total {totals[kind]:,.0f}, {capped[kind]}/10 capped)",
            "",
        )
        for kind, v in per_kind.items()
    ]
    width = max(len(r[0]) for r in rows)
    print(f"\n{'metric':<{width}}  {'measured':<52}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<52}  {target}")
    if args.dir:
        print(f"\nindex kept at {path}")
    else:
        shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
