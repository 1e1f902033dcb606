"""Reuse lookup benchmark: latency over a large index, and effectiveness over a population.

    .venv/bin/python bench/reuse_bench.py                      # 100k records, 10k people
    .venv/bin/python bench/reuse_bench.py --records 1000000    # the 1M latency target

Latency: synthetic records written straight into the SQLite index (no OCR); p50/p99 of
``ReuseService.lookup`` (ID + name + birth date, the portal's case, and ID only) beside the
reference measured in the same run: the bare index query
``records_for_subject(id_number=...)`` that any lookup pays at least once.

Effectiveness: a simulated population and intakes across the catalog's procedures (the
portal gives ID, name, birth date and the facts the population database holds); the
share of required components served from the archive against the theoretical maximum,
and every offer checked against the generator's ground truth (wrong person, invalid on
the day). The maximum counts the valid papers the archive holds for that person that can
be attributed to them without risk: those carrying their ID, and those without ID that
carry a fact the portal knows which agrees, and none which differs. A paper without ID
and without such a fact is counted apart ("held, not attributable"): serving it would
be a guess.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import reuse
from bench.reuse_population import AS_OF, Person, Population, generate, iter_people_for
from records import Record, Status
from records.procedures import Component, Procedure, load_procedures
from records.result_types import add_months
from reuse import Facts, Match
from search import Index, open_index

CATALOG = load_procedures()


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _timed(calls: list[Callable[[], object]]) -> list[float]:
    """Milliseconds per call."""
    out = []
    for call in calls:
        start = time.perf_counter()
        call()
        out.append((time.perf_counter() - start) * 1000)
    return out


def _row(label: str, ms: list[float], target: str = "") -> str:
    p50, p99 = _percentile(ms, 0.50), _percentile(ms, 0.99)
    rate = 1000 / statistics.fmean(ms)
    return f"  {label:<44} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  {rate:8.0f}/s  {target}"


def latency(records: int, lookups: int, workdir: Path) -> None:
    index = open_index(f"sqlite:///{workdir / 'latency.sqlite3'}")
    rng = random.Random(11)
    sample: list[tuple[str, str, str, Facts]] = []
    start = time.perf_counter()
    written = 0
    for population in iter_people_for(records):
        written += index.upsert_many(population.records)
        picks = rng.sample(population.people, min(len(population.people), lookups))
        sample += [
            (p.id_number, p.name, p.birth_date.isoformat(), p.facts(population.spouse(p)))
            for p in picks
        ]
    build = time.perf_counter() - start
    print(
        f"latency: {written:,} records indexed in {build:.1f}s ({written / build:,.0f} records/s)"
    )
    sample = rng.sample(sample, min(len(sample), lookups))
    codes = sorted(CATALOG)
    plan = [(who, rng.choice(codes)) for who in sample]

    service = reuse.ReuseService(index, procedures=CATALOG)

    def full(who: tuple[str, str, str, Facts], code: str) -> Callable[[], object]:
        return lambda: service.lookup(
            reuse.ReuseRequest(
                procedure_code=code,
                subject_id=who[0],
                name=who[1],
                birth_date=who[2],
                facts=who[3],
                as_of=AS_OF,
                today=AS_OF,  # the population is dated as of AS_OF
            )
        )

    def by_id(who: tuple[str, str, str, Facts], code: str) -> Callable[[], object]:
        return lambda: service.lookup(
            reuse.ReuseRequest(procedure_code=code, subject_id=who[0], as_of=AS_OF, today=AS_OF)
        )

    def reference(who: tuple[str, str, str, Facts], code: str) -> Callable[[], object]:
        return lambda: index.records_for_subject(id_number=who[0])

    def typed(who: tuple[str, str, str, Facts], code: str) -> Callable[[], object]:
        types = CATALOG[code].result_types()
        return lambda: index.records_for_subject(id_number=who[0], doc_types=types)

    _timed([full(w, c) for w, c in plan[:200]])  # warm the page cache
    print(_row("reference: records_for_subject(id)", _timed([reference(w, c) for w, c in plan])))
    print(_row("  same with doc_types= (not used)", _timed([typed(w, c) for w, c in plan])))
    print(
        _row(
            "reuse.lookup(ID only)", _timed([by_id(w, c) for w, c in plan]), "(target p99 <= 10 ms)"
        )
    )
    print(
        _row(
            "reuse.lookup(ID + name + birth date + facts)",
            _timed([full(w, c) for w, c in plan]),
            "(target p99 <= 10 ms)",
        )
    )
    index.close()


def _valid(record: Record, component: Component) -> bool:
    """The oracle: the rules restated on the generator's own objects."""
    issued = date.fromisoformat(str(record.issued_on))
    if record.status is not Status.READY or not record.signature.level or issued > AS_OF:
        return False
    if record.valid_until and date.fromisoformat(record.valid_until) < AS_OF:
        return False
    age_ok = (
        component.max_age_months is None or add_months(issued, component.max_age_months) >= AS_OF
    )
    return age_ok and record.doc_type in component.result_types


def _holds(record: Record, person_id: int, population: Population, component: Component) -> bool:
    person = population.people[person_id]
    roles = {
        s.role
        for s in record.subjects
        if s.name == person.name and s.birth_date == person.birth_date.isoformat()
    }
    return component.subject_roles is None or bool(roles & set(component.subject_roles))


def _attributable(record: Record, person: Person, facts: Facts) -> bool:
    """The oracle's own statement of "attributable without risk": the paper carries the
    person's ID, or carries no ID and a fact the portal knows agrees and none differs."""
    if any(s.id_number == person.id_number for s in record.subjects):
        return True
    if record.subject_ids():
        return False
    carried = {} if record.doc_type == "death_extract" else dict(record.fields)
    others = [s for s in record.subjects if s.name != person.name]
    if record.doc_type == "marriage_certificate" and len(others) == 1:
        carried |= {"spouse_name": others[0].name, "spouse_birth_date": others[0].birth_date}
    given = facts.given()
    common = [k for k in carried if k in given]
    return bool(common) and all(str(carried[k]).casefold() == given[k].casefold() for k in common)


@dataclass
class Tally:
    required: int = 0
    required_reusable: int = 0
    required_max: int = 0
    required_served: int = 0
    reusable: int = 0
    reusable_max: int = 0
    reusable_served: int = 0
    required_held: int = 0  # valid papers held, attributable or not
    reusable_held: int = 0
    offers: int = 0
    probable_offers: int = 0
    wrong_exact: int = 0
    wrong_probable: int = 0
    invalid: int = 0
    withheld: Counter[str] = field(default_factory=Counter)
    intakes_withheld: int = 0


def _score(
    tally: Tally,
    result: reuse.ReuseResult,
    procedure: Procedure,
    who: int,
    population: Population,
    papers: list[Record],
    by_id: dict[str, Record],
    facts: Facts,
) -> None:
    tally.withheld.update(str(w.reason) for w in result.withheld_probable)
    tally.intakes_withheld += bool(result.withheld_probable)
    person = population.people[who]
    for component, got in zip(procedure.components, result.components, strict=True):
        held = [
            r
            for r in papers
            if component.reusable and _valid(r, component) and _holds(r, who, population, component)
        ]
        possible = any(_attributable(r, person, facts) for r in held)
        served = any(who in population.owners[c.id] for c in got.candidates)
        tally.required += component.required
        if component.reusable:
            tally.reusable += 1
            tally.reusable_max += possible
            tally.reusable_held += bool(held)
            tally.reusable_served += served
            if component.required:
                tally.required_reusable += 1
                tally.required_max += possible
                tally.required_held += bool(held)
                tally.required_served += served
        for candidate in got.candidates:
            tally.offers += 1
            tally.probable_offers += candidate.match is Match.PROBABLE
            if who not in population.owners[candidate.id]:
                if candidate.match is Match.EXACT:
                    tally.wrong_exact += 1
                else:
                    tally.wrong_probable += 1
            if not _valid(by_id[candidate.id], component):
                tally.invalid += 1


def effectiveness(people: int, intakes: int, workdir: Path) -> None:
    population = generate(people, seed=3)
    index: Index = open_index(f"sqlite:///{workdir / 'population.sqlite3'}")
    index.upsert_many(population.records)
    by_id = {r.id: r for r in population.records}
    papers: dict[int, list[Record]] = {}
    for record in population.records:
        for owner in population.owners[record.id]:
            papers.setdefault(owner, []).append(record)
    rng = random.Random(5)
    codes = sorted(CATALOG)
    tally = Tally()
    service = reuse.ReuseService(index, procedures=CATALOG)
    for _ in range(intakes):
        who = rng.randrange(people)
        person = population.people[who]
        facts = person.facts(population.spouse(person))
        code = rng.choice(codes)
        result = service.lookup(
            reuse.ReuseRequest(
                procedure_code=code,
                subject_id=person.id_number,
                name=person.name,
                birth_date=person.birth_date.isoformat(),
                facts=facts,
                as_of=AS_OF,
                today=AS_OF,  # the population is dated as of AS_OF
            )
        )
        _score(tally, result, CATALOG[code], who, population, papers.get(who, []), by_id, facts)
    index.close()

    def share(a: int, b: int) -> str:
        return f"{a:6d}/{b:<6d} = {a / b:6.1%}" if b else "n/a"

    t = tally
    rows = [
        ("required components served from the archive", share(t.required_served, t.required)),
        ("theoretical maximum (attributable valid papers)", share(t.required_max, t.required)),
        ("required reusable components served", share(t.required_served, t.required_reusable)),
        ("... against the theoretical maximum", share(t.required_served, t.required_max)),
        ("all reusable components served vs maximum", share(t.reusable_served, t.reusable_max)),
        ("required: a valid paper held, attributable or not", share(t.required_held, t.required)),
        ("all reusable: served vs any valid paper held", share(t.reusable_served, t.reusable_held)),
        ("offers (of which probable)", f"{t.offers:,} ({t.probable_offers:,})"),
        ("intakes with papers withheld", f"{t.intakes_withheld}"),
        ("withheld papers by reason", ", ".join(f"{k} {v}" for k, v in sorted(t.withheld.items()))),
        ("wrong-person offers, exact match", f"{t.wrong_exact}   (must be 0)"),
        ("wrong-person offers, probable match", f"{t.wrong_probable}   (must be 0)"),
        ("expired / invalid offers", f"{t.invalid}   (must be 0)"),
    ]
    print(
        f"effectiveness: {people:,} people, {len(population.records):,} records, "
        f"{intakes:,} intakes over {len(codes)} procedures"
    )
    for label, value in rows:
        print(f"  {label:<48} {value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--intakes", type=int, default=2_000)
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-effectiveness", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reuse-bench-") as tmp:
        if not args.skip_latency:
            latency(args.records, args.lookups, Path(tmp))
        if not args.skip_effectiveness:
            effectiveness(args.people, args.intakes, Path(tmp))


if __name__ == "__main__":
    main()
