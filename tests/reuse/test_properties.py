"""Property: over random populations full of namesakes (same name and birth date, other
people), the lookup never offers another person's record, even a paper without ID, nor
one that is not ready, unsigned, expired or too old.

Namesakes are different people: their parents, spouses and residences differ. Papers
carry a random part of their holder's facts (some an address since left), the request
a random part of the citizen's."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from records import Record, Status, Subject
from records.procedures import load_procedures
from records.result_types import add_months
from reuse import Facts, Match
from search import open_index
from tests.support import reuse as support
from tests.support.reuse import DEFAULT_ROLES, Person, make_record

AS_OF = date(2025, 6, 15)
PROCEDURES = load_procedures()
NAMES = ["Nguyễn Văn An", "Lê Thị Hoa", "Trần Văn Bình"]
BIRTH_DATES = ["1990-05-01", "1988-12-31", "1975-07-20"]
DOC_TYPES = sorted(DEFAULT_ROLES)
FACTS = ("father_name", "mother_name", "birth_place", "residence", "spouse")
FIELD_FACTS = ("father_name", "mother_name", "birth_place", "residence")


def facts_of(person: int) -> dict[str, str]:
    """Person ``person``'s own facts: no two people share any of them."""
    return {
        "father_name": f"Trần Văn Cha{person}",
        "mother_name": f"Lê Thị Mẹ{person}",
        "birth_place": f"Xã Số {person}, Hà Nội",
        "residence": f"Số {person} phố Huế, Hà Nội",
        "spouse_name": f"Phạm Thị Vợ{person}",
        "spouse_birth_date": f"1991-01-{person + 1:02d}",
    }


@dataclass(frozen=True)
class Paper:
    owner: int
    doc_type: str
    months_ago: int
    valid_months: int | None
    with_id: bool
    status: Status
    signed: bool
    carries: frozenset[str]
    moved: bool  # the residence printed is one the holder has since left


# Biased towards papers that could be offered, so that offers (and probable ones) are
# frequent enough for the property to bite.
papers = st.builds(
    Paper,
    owner=st.integers(0, 5),
    doc_type=st.sampled_from(DOC_TYPES),
    months_ago=st.integers(-2, 40),
    valid_months=st.one_of(st.none(), st.none(), st.integers(1, 24)),
    with_id=st.sampled_from([False, False, True]),
    status=st.sampled_from([Status.READY, Status.READY, Status.READY, *Status]),
    signed=st.sampled_from([True, True, True, False]),
    carries=st.frozensets(st.sampled_from(FACTS)),
    moved=st.booleans(),
)
people = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(BIRTH_DATES)), min_size=6, max_size=6
)


def _build(paper: Paper, owner: Person, facts: dict[str, str], seed: str) -> Record:
    issued = add_months(AS_OF, -paper.months_ago)
    fields = {f: facts[f] for f in FIELD_FACTS if f in paper.carries}
    if "residence" in fields and paper.moved:
        fields["residence"] = f"Nhà cũ của {facts['residence']}"
    spouse = Subject(name=facts["spouse_name"], birth_date=facts["spouse_birth_date"], role="vợ")
    return make_record(
        paper.doc_type,
        owner,
        issued_on=issued,
        valid_until=add_months(issued, paper.valid_months) if paper.valid_months else None,
        status=paper.status,
        signed=paper.signed,
        with_id=paper.with_id,
        seed=seed,
        fields=fields,
        others=[spouse] if "spouse" in paper.carries else [],
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
@given(
    identities=people,
    drawn=st.lists(papers, min_size=5, max_size=30),
    by_name=st.booleans(),
    known=st.frozensets(st.sampled_from([*FIELD_FACTS, "spouse_name", "spouse_birth_date"])),
    before_ids=st.booleans(),
)
def test_lookup_never_offers_another_persons_or_an_invalid_record(
    identities: list[tuple[str, str]],
    drawn: list[Paper],
    by_name: bool,
    known: frozenset[str],
    before_ids: bool,
) -> None:
    population = [Person(n, b, f"0010900{i:05d}") for i, (n, b) in enumerate(identities)]
    owners: dict[str, int] = {}
    records: dict[str, Record] = {}
    if before_ids:
        # An archive where no paper carries an ID and no birth certificate was scanned:
        # nothing shows that a name and birth date are shared, only the facts on the
        # papers can tell namesakes apart.
        drawn = [
            replace(p, with_id=False, doc_type="land_use_certificate")
            if p.doc_type == "birth_certificate"
            else replace(p, with_id=False)
            for p in drawn
        ]
    for i, paper in enumerate(drawn):
        record = _build(paper, population[paper.owner], facts_of(paper.owner), seed=f"p{i}")
        owners[record.id] = paper.owner
        records[record.id] = record
    with tempfile.TemporaryDirectory() as tmp:
        index = open_index(f"sqlite:///{Path(tmp) / 'index.sqlite3'}")
        try:
            index.upsert_many(records.values())
            for who, person in enumerate(population):
                for code in PROCEDURES:
                    result = support.lookup(
                        index,
                        subject_id=None if by_name else person.id_number,
                        name=person.name,
                        birth_date=person.birth_date,
                        facts=Facts(**{k: v for k, v in facts_of(who).items() if k in known}),
                        procedure_code=code,
                        as_of=AS_OF,
                        today=AS_OF,
                    )
                    for component in result.components:
                        for candidate in component.candidates:
                            record = records[candidate.id]
                            assert _valid_for(record, component.code, code)
                            assert owners[candidate.id] == who, candidate
                            if candidate.match is Match.PROBABLE:
                                assert not record.subject_ids() and known
                    withheld = {w.record_id for w in result.withheld_probable}
                    assert not withheld & set(result.record_ids())
        finally:
            index.close()
