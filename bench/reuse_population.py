"""A synthetic population with realistic histories of results, for the reuse benchmark.

Every person holds a CCCD. Their papers are what an archive of a district would hold:
most have a birth certificate (issued before 2016, so without any ID number on it), many
a land-use certificate, some a marriage certificate shared with their spouse, marital
status certificates and criminal-record certificates of various ages (many past their
6 months), a few household business registrations, construction permits with a
12-month term, and death extracts they declared. Papers issued before 2016 carry no ID
(matched by name + birth date, corroborated by other facts). A few records are not
ready or not signed. Holders carry the role extraction gives them (the result type's
``default_role``), and papers of a type with a term carry the ``valid_until`` extraction
derives from it, so that the benchmark reads papers as real ones are read.

People have parents, a place of birth, a residence (a third of them moved once: papers
issued before the move print the old address) and, for about half, a spouse. Papers
carry what the real ones print, as extraction leaves it in ``fields`` (the names in
``records/catalogs/result_types.json``): parents' names and place of birth on birth
certificates (and on some criminal-record certificates), the residence on marital
status, criminal-record, household-business, construction and land-use papers, the
spouse as the other subject of a marriage certificate; each field is missed by
extraction 10 % of the time. ``Person.facts()`` is what the portal knows of the citizen
from the population database (each fact missing 10 % of the time there).

The generator knows who each paper belongs to (``Population.owners``): the oracle the
benchmark checks every offer against.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from records import Files, Record, SignatureInfo, Source, Status, Subject, record_id_for
from records.result_types import add_months, load_result_types
from reuse import Facts
from specimens.idnumbers import make_cccd
from specimens.pools import (
    FAMILY_NAMES,
    FEMALE_GIVEN,
    FEMALE_MIDDLE,
    MALE_GIVEN,
    MALE_MIDDLE,
    STREETS,
)
from specimens.pools import PROVINCES as ADMIN

AS_OF = date(2025, 6, 15)
ID_ON_PAPERS_SINCE = date(2016, 1, 1)
AGENCY = "ubnd-quan-bench"
PROVINCES = ("001", "031", "079", "048", "092")
RESULT_TYPES = load_result_types()
# The holder's role as extraction writes it (result_types.json ``default_role``). A death
# extract's default role is the deceased; the people here are alive and asked for one
# (a relative's): on the paper they are "người yêu cầu", a role extraction also writes.
ROLE = {
    code: result_type.default_role
    for code, result_type in RESULT_TYPES.items()
    if result_type.default_role
} | {"death_extract": "người yêu cầu"}


FIELD_MISSED = 0.10  # extraction leaves a printed field empty
FACT_UNKNOWN = 0.10  # the population database lacks a fact


@dataclass(frozen=True)
class Person:
    index: int
    name: str
    birth_date: date
    sex: str
    id_number: str
    father_name: str | None  # None: father unknown (not printed on the birth certificate)
    mother_name: str
    birth_place: str
    residence: str
    old_residence: str | None = None  # where they lived before ``moved_on``
    moved_on: date | None = None
    known: frozenset[str] = frozenset()  # the facts the population database holds

    def residence_on(self, day: date) -> str:
        if self.old_residence is not None and self.moved_on is not None and day < self.moved_on:
            return self.old_residence
        return self.residence

    def facts(self, spouse: Person | None) -> Facts:
        """What the portal knows of this citizen (and of their spouse) today."""
        values = {
            "father_name": self.father_name,
            "mother_name": self.mother_name,
            "birth_place": self.birth_place,
            "residence": self.residence,
            "spouse_name": spouse.name if spouse else None,
            "spouse_birth_date": spouse.birth_date.isoformat() if spouse else None,
        }
        return Facts(**{k: v for k, v in values.items() if k in self.known})


@dataclass
class Population:
    people: list[Person]
    records: list[Record] = field(default_factory=list)
    owners: dict[str, set[int]] = field(default_factory=dict)  # record id -> people on it
    spouse_of: dict[int, int] = field(default_factory=dict)  # both ways

    def spouse(self, person: Person) -> Person | None:
        other = self.spouse_of.get(person.index)
        return self.people[other] if other is not None else None


def _weighted_family(rng: random.Random) -> str:
    names, weights = zip(*FAMILY_NAMES, strict=True)
    return rng.choices(names, weights=weights)[0]


def _full_name(rng: random.Random, sex: str, family: str | None = None) -> str:
    middle, given = (MALE_MIDDLE, MALE_GIVEN) if sex == "nam" else (FEMALE_MIDDLE, FEMALE_GIVEN)
    return f"{family or _weighted_family(rng)} {rng.choice(middle)} {rng.choice(given)}"


def _place(rng: random.Random) -> tuple[str, str, str]:
    province = rng.choice(ADMIN)
    district = rng.choice(province.districts)
    ward = rng.choice(district.wards)
    return (
        f"{ward[0]} {ward[1]}",
        f"{district.kind} {district.name}",
        f"{province.kind} {province.name}",
    )


def _address(rng: random.Random) -> str:
    ward, district, province = _place(rng)
    return f"Số {rng.randint(1, 300)} {rng.choice(STREETS)}, {ward}, {district}, {province}"


def make_person(rng: random.Random, index: int) -> Person:
    sex = rng.choice(("nam", "nữ"))
    family = _weighted_family(rng)
    middle, given = (MALE_MIDDLE, MALE_GIVEN) if sex == "nam" else (FEMALE_MIDDLE, FEMALE_GIVEN)
    name = f"{family} {rng.choice(middle)} {rng.choice(given)}"
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(365 * 55))
    moved = rng.random() < 0.33
    return Person(
        index,
        name,
        born,
        sex,
        make_cccd(rng, rng.choice(PROVINCES), born, sex),
        father_name=_full_name(rng, "nam", family) if rng.random() > 0.05 else None,
        mother_name=_full_name(rng, "nữ"),
        birth_place=", ".join(_place(rng)[1:]),
        residence=_address(rng),
        old_residence=_address(rng) if moved else None,
        moved_on=AS_OF - timedelta(days=rng.randrange(1, 365 * 20)) if moved else None,
        known=frozenset(
            f
            for f in (
                "father_name",
                "mother_name",
                "birth_place",
                "residence",
                "spouse_name",
                "spouse_birth_date",
            )
            if rng.random() > FACT_UNKNOWN
        ),
    )


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
        printed: dict[str, str | None] | None = None,
    ) -> None:
        """Add one paper; ``holders`` are (person, role) pairs named on it, ``printed``
        the fields it prints (extraction misses some)."""
        serial = len(self.population.records)
        if valid_until is None:
            # As extraction leaves it: the term of the type, counted from the issue date.
            valid_until = RESULT_TYPES[doc_type].valid_until(issued)
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
                fields={
                    k: v
                    for k, v in (printed or {}).items()
                    if v is not None and self.rng.random() > FIELD_MISSED
                },
                signature=SignatureInfo(level="PAdES-B-LT" if signed else None),
                files=Files(archival_pdf=f"{AGENCY}/records/{record_id}/archival.pdf"),
            )
        )
        self.population.owners[record_id] = {p.index for p, _ in holders}


def _upper(name: str | None) -> str | None:
    """Names as papers print them (upper case); folding makes it irrelevant."""
    return name.upper() if name else None


def _history(writer: _Writer, person: Person, spouse: Person | None, marry: bool) -> None:
    rng = writer.rng
    if rng.random() < 0.9:
        writer.paper(
            "birth_certificate",
            [(person, ROLE["birth_certificate"])],
            person.birth_date + timedelta(days=rng.randrange(5, 60)),
            printed={
                "father_name": _upper(person.father_name),
                "mother_name": _upper(person.mother_name),
                "birth_place": person.birth_place,
            },
        )
    if spouse is not None and marry:
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

    def residence(issued: date) -> dict[str, str | None]:
        return {"residence": person.residence_on(issued)}

    for _ in range(rng.choices((0, 1, 2), weights=(70, 22, 8))[0]):
        issued = _months_ago(rng, 0, 30)
        writer.paper(
            "marital_status_certificate",
            [(person, ROLE["marital_status_certificate"])],
            issued,
            printed=residence(issued),
        )
    if rng.random() < 0.18:
        issued = _months_ago(rng, 0, 30)
        parents = (
            {"father_name": _upper(person.father_name), "mother_name": _upper(person.mother_name)}
            if rng.random() < 0.5
            else {}
        )
        writer.paper(
            "criminal_record_certificate",
            [(person, ROLE["criminal_record_certificate"])],
            issued,
            printed={**residence(issued), "birth_place": person.birth_place, **parents},
        )
    if rng.random() < 0.08:
        issued = _months_ago(rng, 1, 120)
        writer.paper(
            "household_business_registration",
            [(person, ROLE["household_business_registration"])],
            issued,
            printed=residence(issued),
        )
    if rng.random() < 0.10:
        issued = _months_ago(rng, 0, 36)
        writer.paper(
            "construction_permit",
            [(person, ROLE["construction_permit"])],
            issued,
            add_months(issued, 12),
            printed=residence(issued),
        )
    if rng.random() < 0.45:
        issued = _months_ago(rng, 1, 360)
        writer.paper(
            "land_use_certificate",
            [(person, ROLE["land_use_certificate"])],
            issued,
            printed=residence(issued),
        )
    if rng.random() < 0.06:
        # The residence printed is the deceased's, not the requester's.
        writer.paper(
            "death_extract",
            [(person, ROLE["death_extract"])],
            _months_ago(rng, 0, 240),
            printed={"residence": _address(rng)},
        )


def generate(people: int, seed: int = 7, namesakes: float = 0.01) -> Population:
    """``people`` persons and their papers, reproducible from ``seed``; a share
    ``namesakes`` of them share name and birth date with someone else."""
    rng = random.Random(seed)
    persons = [make_person(rng, i) for i in range(people)]
    # Namesakes: same full name and birth date, another person (another CCCD). Rare in
    # life, but a city archive holds some, and they are what the matching rules guard.
    for i in rng.sample(range(people), int(people * namesakes)):
        twin = persons[rng.randrange(people)]
        # Same name and birth date, everything else their own (parents, address...).
        persons[i] = replace(persons[i], name=twin.name, birth_date=twin.birth_date, sex=twin.sex)
    population = Population(persons)
    writer = _Writer(rng, population, tag=str(seed))
    # Marriages as the law of the period of these papers registers them: a man and a woman.
    men = [p.index for p in persons if p.sex == "nam"]
    women = [p.index for p in persons if p.sex != "nam"]
    rng.shuffle(men)
    rng.shuffle(women)
    for a, b in zip(men, women, strict=False):
        if rng.random() < 0.55:
            population.spouse_of[a] = b
            population.spouse_of[b] = a
    for person in population.people:
        spouse = population.spouse(person)
        # One marriage certificate per couple, written with the first spouse's history.
        marry = spouse is not None and person.index < spouse.index
        _history(writer, person, spouse, marry)
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
