"""A synthetic population with realistic histories of results, for the reuse benchmark.

Every person holds a CCCD. Their papers are what an archive of a district would hold:
most have a birth certificate (issued before 2016, so without any ID number on it), many
a land-use certificate, some a marriage certificate shared with their spouse, marital
status certificates and criminal-record certificates of various ages (many past their
6 months), a few household business registrations, construction permits with a
12-month term, and death extracts they declared. Papers issued before 2016 carry no ID
(matched by name + birth date only). A few records are not ready or not signed.

The generator knows who each paper belongs to (``Population.owner``): the oracle the
benchmark checks every offer against.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from records import Files, Record, SignatureInfo, Source, Status, Subject, record_id_for
from records.result_types import add_months
from specimens.idnumbers import make_cccd
from specimens.pools import (
    FAMILY_NAMES,
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    MALE_GIVEN,
    MALE_MIDDLE,
)

AS_OF = date(2025, 6, 15)
ID_ON_PAPERS_SINCE = date(2016, 1, 1)
AGENCY = "ubnd-quan-bench"
PROVINCES = ("001", "031", "079", "048", "092")
ROLE = {
    "birth_certificate": "người được khai sinh",
    "marital_status_certificate": "người được cấp",
    "criminal_record_certificate": "người được cấp",
    "household_business_registration": "chủ hộ",
    "construction_permit": "người được cấp",
    "death_extract": "người yêu cầu",
    "land_use_certificate": "người được cấp",
}


@dataclass(frozen=True)
class Person:
    index: int
    name: str
    birth_date: date
    sex: str
    id_number: str


@dataclass
class Population:
    people: list[Person]
    records: list[Record] = field(default_factory=list)
    owners: dict[str, set[int]] = field(default_factory=dict)  # record id -> people on it


def _weighted_family(rng: random.Random) -> str:
    names, weights = zip(*FAMILY_NAMES, strict=True)
    return rng.choices(names, weights=weights)[0]


def make_person(rng: random.Random, index: int) -> Person:
    sex = rng.choice(("nam", "nữ"))
    middle, given = (MALE_MIDDLE, MALE_GIVEN) if sex == "nam" else (FEMALE_MIDDLE, FEMALE_GIVEN)
    name = f"{_weighted_family(rng)} {rng.choice(middle)} {rng.choice(given)}"
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    return Person(index, name, born, sex, make_cccd(rng, rng.choice(PROVINCES), born, sex))


def _months_ago(rng: random.Random, low: int, high: int) -> date:
    return add_months(AS_OF, -rng.randint(low, high)) - timedelta(days=rng.randrange(28))


class _Writer:
    def __init__(self, rng: random.Random, population: Population, tag: str) -> None:
        self.rng = rng
        self.population = population
        self.tag = tag

    def paper(
        self,
        doc_type: str,
        holders: list[tuple[Person, str]],
        issued: date,
        valid_until: date | None = None,
    ) -> None:
        """Add one paper; ``holders`` are (person, role) pairs named on it."""
        serial = len(self.population.records)
        sha = hashlib.sha256(f"bench:{self.tag}:{serial}".encode()).hexdigest()
        record_id = record_id_for(AGENCY, sha)
        with_id = issued >= ID_ON_PAPERS_SINCE
        roll = self.rng.random()
        status = Status.READY
        if roll < 0.03:
            status = Status.NEEDS_REVIEW
        elif roll < 0.05:
            status = Status.FAILED
        signed = status is Status.READY and self.rng.random() > 0.02
        self.population.records.append(
            Record(
                id=record_id,
                agency=AGENCY,
                source=Source(f"{serial}.tif", sha, "image/tiff", 1),
                status=status,
                doc_type=doc_type,
                title=doc_type,
                document_number=f"{serial}/{issued.year}",
                issuer="UBND quận Bench",
                issued_on=issued.isoformat(),
                valid_until=valid_until.isoformat() if valid_until else None,
                subjects=[
                    Subject(
                        name=p.name,
                        birth_date=p.birth_date.isoformat(),
                        id_number=p.id_number if with_id else None,
                        role=role,
                        sex=p.sex,
                    )
                    for p, role in holders
                ],
                signature=SignatureInfo(level="PAdES-B-LT" if signed else None),
                files=Files(archival_pdf=f"{AGENCY}/records/{record_id}/archival.pdf"),
            )
        )
        self.population.owners[record_id] = {p.index for p, _ in holders}


def _history(writer: _Writer, person: Person, spouse: Person | None) -> None:
    rng = writer.rng
    if rng.random() < 0.9:
        writer.paper(
            "birth_certificate",
            [(person, ROLE["birth_certificate"])],
            person.birth_date + timedelta(days=rng.randrange(5, 60)),
        )
    if spouse is not None:
        issued = max(person.birth_date, spouse.birth_date).replace(day=1) + timedelta(
            days=365 * rng.randint(20, 30)
        )
        writer.paper(
            "marriage_certificate",
            [
                (person, "chồng" if person.sex == "nam" else "vợ"),
                (spouse, "chồng" if spouse.sex == "nam" else "vợ"),
            ],
            min(issued, AS_OF - timedelta(days=30)),
        )
    for _ in range(rng.choices((0, 1, 2), weights=(70, 22, 8))[0]):
        writer.paper(
            "marital_status_certificate",
            [(person, ROLE["marital_status_certificate"])],
            _months_ago(rng, 0, 30),
        )
    if rng.random() < 0.18:
        writer.paper(
            "criminal_record_certificate",
            [(person, ROLE["criminal_record_certificate"])],
            _months_ago(rng, 0, 30),
        )
    if rng.random() < 0.08:
        writer.paper(
            "household_business_registration",
            [(person, ROLE["household_business_registration"])],
            _months_ago(rng, 1, 120),
        )
    if rng.random() < 0.10:
        issued = _months_ago(rng, 0, 36)
        writer.paper(
            "construction_permit",
            [(person, ROLE["construction_permit"])],
            issued,
            add_months(issued, 12),
        )
    if rng.random() < 0.45:
        writer.paper(
            "land_use_certificate",
            [(person, ROLE["land_use_certificate"])],
            _months_ago(rng, 1, 360),
        )
    if rng.random() < 0.06:
        writer.paper("death_extract", [(person, ROLE["death_extract"])], _months_ago(rng, 0, 240))


def generate(people: int, seed: int = 7, namesakes: float = 0.01) -> Population:
    """``people`` persons and their papers, reproducible from ``seed``; a share
    ``namesakes`` of them share name and birth date with someone else."""
    rng = random.Random(seed)
    persons = [make_person(rng, i) for i in range(people)]
    # Namesakes: same full name and birth date, another person (another CCCD). Rare in
    # life, but a city archive holds some, and they are what the matching rules guard.
    for i in rng.sample(range(people), int(people * namesakes)):
        twin = persons[rng.randrange(people)]
        persons[i] = Person(i, twin.name, twin.birth_date, twin.sex, persons[i].id_number)
    population = Population(persons)
    writer = _Writer(rng, population, tag=str(seed))
    partners = list(range(people))
    rng.shuffle(partners)
    spouse_of: dict[int, int] = {}
    for a, b in zip(partners[0::2], partners[1::2], strict=False):
        if rng.random() < 0.55:
            spouse_of[a] = b
    for person in population.people:
        spouse = spouse_of.get(person.index)
        _history(writer, person, population.people[spouse] if spouse is not None else None)
    return population


def iter_people_for(records: int, seed: int = 7) -> Iterator[Population]:
    """Populations of about ``records`` records in all, in chunks (bounded memory)."""
    chunk_people = 20_000
    made, chunk = 0, 0
    while made < records:
        population = generate(chunk_people, seed=seed + chunk)
        population.records = population.records[: records - made]
        made += len(population.records)
        chunk += 1
        yield population
