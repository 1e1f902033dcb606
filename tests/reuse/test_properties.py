"""Property: over random populations, the lookup never offers another person's record
(beyond a paper without ID that carries the very same name and birth date, which no data
can tell apart) nor one that is not ready, unsigned, expired or too old."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reuse
from records import Record, Status
from records.procedures import load_procedures
from records.result_types import add_months
from reuse import Match
from search import open_index
from tests.support.reuse import DEFAULT_ROLES, Person, make_record

AS_OF = date(2025, 6, 15)
PROCEDURES = load_procedures()
NAMES = ["Nguyễn Văn An", "Lê Thị Hoa"]
BIRTH_DATES = ["1990-05-01", "1988-12-31"]
DOC_TYPES = sorted(DEFAULT_ROLES)


@dataclass(frozen=True)
class Paper:
    owner: int
    doc_type: str
    months_ago: int
    valid_months: int | None
    with_id: bool
    status: Status
    signed: bool


papers = st.builds(
    Paper,
    owner=st.integers(0, 5),
    doc_type=st.sampled_from(DOC_TYPES),
    months_ago=st.integers(-2, 40),
    valid_months=st.one_of(st.none(), st.integers(1, 24)),
    with_id=st.booleans(),
    status=st.sampled_from(list(Status)),
    signed=st.booleans(),
)
people = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(BIRTH_DATES)), min_size=6, max_size=6
)


def _build(paper: Paper, owner: Person, seed: str) -> Record:
    issued = add_months(AS_OF, -paper.months_ago)
    return make_record(
        paper.doc_type,
        owner,
        issued_on=issued,
        valid_until=add_months(issued, paper.valid_months) if paper.valid_months else None,
        status=paper.status,
        signed=paper.signed,
        with_id=paper.with_id,
        seed=seed,
    )


def _valid_for(record: Record, component_code: str, procedure_code: str) -> bool:
    component = next(c for c in PROCEDURES[procedure_code].components if c.code == component_code)
    issued = date.fromisoformat(str(record.issued_on))
    fresh = (
        component.max_age_months is None or add_months(issued, component.max_age_months) >= AS_OF
    )
    unexpired = record.valid_until is None or date.fromisoformat(record.valid_until) >= AS_OF
    return (
        record.status is Status.READY
        and bool(record.signature.level)
        and issued <= AS_OF
        and unexpired
        and fresh
        and record.doc_type in component.result_types
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(identities=people, drawn=st.lists(papers, max_size=30), by_name=st.booleans())
def test_lookup_never_offers_another_persons_or_an_invalid_record(
    identities: list[tuple[str, str]], drawn: list[Paper], by_name: bool
) -> None:
    population = [Person(n, b, f"0010900{i:05d}") for i, (n, b) in enumerate(identities)]
    owners: dict[str, int] = {}
    records: dict[str, Record] = {}
    for i, paper in enumerate(drawn):
        record = _build(paper, population[paper.owner], seed=f"p{i}")
        owners[record.id] = paper.owner
        records[record.id] = record
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(f"sqlite:///{Path(tmp) / 'index.sqlite3'}")
        try:
            index.upsert_many(records.values())
            for who, person in enumerate(population):
                for code in PROCEDURES:
                    result = reuse.lookup(
                        index,
                        subject_id=None if by_name else person.id_number,
                        name=person.name,
                        birth_date=person.birth_date,
                        procedure_code=code,
                        as_of=AS_OF,
                    )
                    for component in result.components:
                        for candidate in component.candidates:
                            record = records[candidate.id]
                            assert _valid_for(record, component.code, code)
                            if owners[candidate.id] == who:
                                continue
                            # Someone else's paper: only a paper without any ID that
                            # carries this very name and birth date, as a probable match.
                            assert candidate.match is Match.PROBABLE
                            assert not record.subject_ids()
                            owner = population[owners[candidate.id]]
                            assert (owner.name, owner.birth_date) == (
                                person.name,
                                person.birth_date,
                            )
        finally:
            index.close()
