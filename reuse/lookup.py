"""Which archived results can fill a dossier, and the checks every offer must pass.

A record is offered for a component only when all of these hold:
- it names the citizen: the paper carries the citizen's ID number (``exact``), on a
  person whose name and birth date, when the request gives them, do not differ from the
  citizen's (otherwise it is withheld as ``id_conflict``: the ID alone does not make a
  child's birth certificate the father's); or it carries no ID and the citizen's name
  and birth date, and is corroborated (``probable``): at least one other fact the paper
  carries about its holder (parents' names, place of birth, residence, the spouse on a
  marriage certificate) agrees with the facts given for the citizen, and none
  disagrees. Names are compared with their tone marks (``reuse.names``): "Hà" is not
  "Hạ"; a name written without marks is only alike, never more than ``probable``. Name
  and birth date alone are not enough: namesakes exist, and a namesake who never had a
  paper with an ID leaves no other trace. Probable matches are also withheld when the
  archive shows the name and birth date belong to someone else too (under an ID other
  than the citizen's, or as the holder of two different birth certificates). Every
  withheld paper is reported with its reason. A paper naming a different ID is never
  offered;
- the citizen holds one of the component's roles on it (the person born, not a parent);
- it is of a result type the component accepts, ``ready``, signed (``signature.level``)
  by an identity that proves something (not a development-only one, unless the caller
  says the deployment itself signs with it) and passes the caller's ``verify``;
- it is valid on ``as_of`` and on ``today``: issued on or before both, ``valid_until``
  empty or passed on neither; and on ``as_of``, within the component's
  ``max_age_months`` from ``issued_on`` and, when the record states no ``valid_until``,
  within its result type's term. A paper lacking the dates such a rule needs is
  withheld as ``undated``, never taken as valid forever.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any

from records.procedures import Component, Procedure, load_procedures
from records.result_types import add_months
from records.vntime import vietnam_today
from reuse.model import (
    AskedAbout,
    Candidate,
    ComponentResult,
    Facts,
    Match,
    ReuseError,
    ReuseResult,
    Withheld,
    WithheldReason,
)
from reuse.names import NameMatch, compare_names
from search import Index, IndexedRecord, fold_name
from search.document import SubjectJson, normalize_id

Verify = Callable[[IndexedRecord], bool]

# Mã hồ sơ on the national portal: the receiving unit's code (dot-separated groups, as
# in QCVN 102:2016/BTTTT), the receiving date as yymmdd, and a running number.
DOSSIER_CODE_RE = re.compile(r"^([0-9A-Z]{1,6}(?:\.[0-9A-Z]{1,6}){0,5})-(\d{6})-(\d{4,6})$")


@dataclass(frozen=True)
class SubjectQuery:
    """Who the citizen is, as given: an ID number and/or name and birth date, and the
    corroborating facts, folded for comparison (``fact name -> folded value``)."""

    id_number: str | None
    name: str | None
    folded_name: str | None
    birth_date: str | None
    facts: dict[str, str] = field(default_factory=dict)

    def describe(self) -> AskedAbout:
        """Who was asked about, for the audit log."""
        return AskedAbout(self.id_number, self.name, self.birth_date, tuple(sorted(self.facts)))


@dataclass(frozen=True)
class Conditions:
    """The days a paper must be valid on, and which signatures count."""

    as_of: date  # the day of the procedure
    today: date  # a paper expired since ``as_of`` is not handed over now
    accept_development_signatures: bool = False

    @property
    def days(self) -> tuple[date, date]:
        return (self.as_of, self.today)


def conditions_for(
    as_of: date | None, today: date | None, accept_development_signatures: bool
) -> Conditions:
    """``today`` defaults to today in Vietnam (tests pass one), ``as_of`` to ``today``:
    the server's own date, in UTC, would still offer until 07:00 a paper that expired
    at midnight in Vietnam."""
    now = today or vietnam_today()
    return Conditions(as_of or now, now, accept_development_signatures)


def parse_day(value: str | date) -> date:
    """A calendar date typed as ISO (2024-03-15) or as officers write it (15/03/2024)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = value.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ReuseError(
        "bad_date", f"Ngày '{value}' không hợp lệ (dùng dạng 2024-03-15 hoặc 15/03/2024)."
    )


# Facts compared as dates; every other fact (names, places) is compared folded.
DATE_FACTS = frozenset({"spouse_birth_date"})


def fold_fact(fact: str, value: str) -> str:
    return parse_day(value).isoformat() if fact in DATE_FACTS else fold_name(value)


def subject_query(
    subject_id: str | None,
    name: str | None,
    birth_date: str | date | None,
    facts: Facts | None = None,
) -> SubjectQuery:
    id_number = normalize_id(subject_id)
    folded = fold_name(name) if name else None
    born = parse_day(birth_date).isoformat() if birth_date else None
    if id_number is None and not (folded and born):
        raise ReuseError(
            "no_subject",
            "Cần số định danh cá nhân, hoặc họ tên và ngày sinh của công dân.",
        )
    given = {k: fold_fact(k, v) for k, v in (facts or Facts()).given().items()}
    return SubjectQuery(
        id_number=id_number,
        name=name,
        folded_name=folded or None,
        birth_date=born,
        facts={k: v for k, v in given.items() if v},
    )


def check_dossier_code(code: str) -> str:
    """The dossier code (mã hồ sơ) if well formed, e.g. ``H29.01-240315-0001``."""
    match = DOSSIER_CODE_RE.match(code.strip()) if isinstance(code, str) else None
    valid = False
    if match:
        try:
            datetime.strptime(match.group(2), "%y%m%d")
            valid = True
        except ValueError:
            valid = False
    if not valid:
        raise ReuseError(
            "bad_dossier_code",
            f"Mã hồ sơ '{code}' không đúng định dạng "
            "(mã đơn vị-ngày tiếp nhận yymmdd-số thứ tự, ví dụ H29.01-240315-0001).",
        )
    return code.strip()


def find_procedure(procedures: Mapping[str, Procedure] | None, code: str) -> Procedure:
    catalog = procedures if procedures is not None else load_procedures()
    procedure = catalog.get(code)
    if procedure is None:
        raise ReuseError("unknown_procedure", f"Không có thủ tục mã {code} trong danh mục.")
    return procedure


def _iso_day(value: str | None) -> date | None:
    """A record date, or None when absent. Malformed dates raise ValueError."""
    if value is None or value == "":
        return None
    return date.fromisoformat(str(value))  # a stray non-text value fails as ValueError too


def _folded_alike(subject: SubjectJson, who: SubjectQuery) -> bool:
    """Same folded name and birth date: perhaps the citizen, perhaps a namesake. Broad on
    purpose, to see namesakes; whether it is the citizen's name is ``_same_name``'s call."""
    name = subject.get("name")
    return bool(
        who.folded_name
        and who.birth_date
        and name
        and fold_name(name) == who.folded_name
        and subject.get("birth_date") == who.birth_date
    )


def _same_name(subject: SubjectJson, who: SubjectQuery) -> bool:
    """The name on the paper can be the citizen's (same, or alike where marks are missing)."""
    name = subject.get("name")
    if not (isinstance(name, str) and who.name):
        return False
    return compare_names(name, who.name) is not NameMatch.DIFFERENT


# What an ID match is checked against, in the order reported.
IDENTITY_FACTS = ("name", "birth_date")


def _contradicted(subject: SubjectJson, who: SubjectQuery) -> set[str]:
    """What the request says of the citizen that the paper's person with the citizen's
    ID has otherwise. A fact missing on either side contradicts nothing."""
    out: set[str] = set()
    if who.folded_name and subject.get("name") and not _same_name(subject, who):
        out.add("name")
    born = subject.get("birth_date")
    if who.birth_date and born and born != who.birth_date:
        out.add("birth_date")
    return out


@dataclass(frozen=True)
class Matched:
    """How a record names the citizen and the roles they hold on it; for an ID match,
    what the paper says otherwise about the person bearing that ID."""

    match: Match
    roles: frozenset[str | None]
    contradicted: tuple[str, ...] = ()


def match_record(record: IndexedRecord, who: SubjectQuery) -> Matched | None:
    """How ``record`` names the citizen, or None when it does not. An ``EXACT`` match
    may be contradicted, a ``PROBABLE`` one still has to be corroborated: see
    ``withheld_reason``."""
    exact: set[str | None] = set()
    probable: set[str | None] = set()
    contradicted: set[str] = set()
    conflict = False
    for subject in record.get("subjects") or []:
        sid = normalize_id(subject.get("id_number"))
        if who.id_number is not None and sid == who.id_number:
            exact.add(subject.get("role"))
            contradicted |= _contradicted(subject, who)
        elif _folded_alike(subject, who):
            if sid is not None:
                conflict = True
            elif _same_name(subject, who):
                probable.add(subject.get("role"))
    if exact:
        ordered = tuple(f for f in IDENTITY_FACTS if f in contradicted)
        return Matched(Match.EXACT, frozenset(exact), ordered)
    if probable and not conflict:
        return Matched(Match.PROBABLE, frozenset(probable))
    return None


# Whose facts a paper's ``fields`` are, by result type: the roles of its principal. The
# parents' names on a birth certificate are those of the person born, the residence on
# a death extract that of the deceased (not of whoever declared the death).
FIELDS_DESCRIBE: dict[str, frozenset[str]] = {
    "birth_certificate": frozenset({"người được khai sinh"}),
    "criminal_record_certificate": frozenset({"người được cấp phiếu", "người được cấp"}),
    "marital_status_certificate": frozenset({"người được xác nhận", "người được cấp"}),
    "household_business_registration": frozenset({"chủ hộ"}),
    "construction_permit": frozenset({"chủ đầu tư", "người được cấp"}),
    "land_use_certificate": frozenset({"người sử dụng đất", "người được cấp"}),
    "death_extract": frozenset({"người chết"}),
}
# Facts read from ``fields`` (the extraction's field names, result_types.json).
FIELD_FACTS = ("father_name", "mother_name", "birth_place", "residence")
# On a paper naming a couple, the other spouse's subject gives the spouse facts.
PARTNER_ROLE = {"chồng": "vợ", "vợ": "chồng"}


def paper_facts(record: IndexedRecord, roles: frozenset[str | None]) -> dict[str, str]:
    """The facts ``record`` carries about its holder in ``roles``, folded."""
    out: dict[str, str] = {}
    if roles & FIELDS_DESCRIBE.get(str(record.get("doc_type")), frozenset()):
        fields = record.get("fields") or {}
        for fact in FIELD_FACTS:
            value = fields.get(fact)
            if isinstance(value, str) and fold_name(value):
                out[fact] = fold_name(value)
    partners = {PARTNER_ROLE[r] for r in roles if r in PARTNER_ROLE}
    spouses = [s for s in record.get("subjects") or [] if s.get("role") in partners]
    # Two people in the partner role is not a couple: no spouse fact to read.
    if len(spouses) == 1:
        name, born = spouses[0].get("name"), spouses[0].get("birth_date")
        if name and fold_name(name):
            out["spouse_name"] = fold_name(name)
        if born:
            # An unreadable date is a fact the paper does not carry.
            with contextlib.suppress(ReuseError):
                out["spouse_birth_date"] = fold_fact("spouse_birth_date", str(born))
    return out


Why = tuple[WithheldReason, tuple[str, ...]]


def withheld_reason(
    record: IndexedRecord, matched: Matched, who: SubjectQuery, ambiguous: bool
) -> Why | None:
    """Why the way ``record`` names the citizen does not allow offering it (and the
    facts that disagree), or None. An ``EXACT`` match must not be contradicted; a
    ``PROBABLE`` one must be corroborated: a fact it carries agrees and none disagrees."""
    if matched.match is Match.EXACT:
        return (WithheldReason.ID_CONFLICT, matched.contradicted) if matched.contradicted else None
    if ambiguous:
        return WithheldReason.NAMESAKE, ()
    if not who.facts:
        return WithheldReason.NO_QUERY_FACTS, ()
    carried = paper_facts(record, matched.roles)
    if not carried:
        return WithheldReason.NO_PAPER_FACTS, ()
    common = [fact for fact in carried if fact in who.facts]
    if not common:
        return WithheldReason.NO_COMMON_FACT, ()
    differ = tuple(sorted(f for f in common if carried[f] != who.facts[f]))
    return (WithheldReason.FACT_DISAGREES, differ) if differ else None


def signature_accepted(record: IndexedRecord, accept_development: bool) -> bool:
    """Signed, and not only with a development identity: its certificate is made up on
    the spot and proves nothing about who signed (docs/signing.md). A deployment that
    signs with it itself may say so (``accept_development``)."""
    signature = record.get("signature") or {}
    if not signature.get("level"):
        return False
    return accept_development or not signature.get("development_only")


def record_usable(record: IndexedRecord, conditions: Conditions) -> bool:
    """Ready, signed, issued and not expired on both days of ``conditions`` (the checks
    that do not depend on the component)."""
    if record.get("status") != "ready":
        return False
    if not signature_accepted(record, conditions.accept_development_signatures):
        return False
    try:
        issued = _iso_day(record.get("issued_on"))
        valid_until = _iso_day(record.get("valid_until"))
    except ValueError:
        return False
    return all(
        (issued is None or issued <= day) and (valid_until is None or valid_until >= day)
        for day in conditions.days
    )


def fits_component(
    component: Component, record: IndexedRecord, roles: frozenset[str | None]
) -> bool:
    """Of a type the component accepts, naming the citizen in one of its roles."""
    if record.get("doc_type") not in component.result_types:
        return False
    return component.subject_roles is None or bool(roles.intersection(component.subject_roles))


class Dating(Enum):
    VALID = "valid"
    STALE = "stale"  # too old for the component, or past its type's term
    UNDATED = "undated"  # a rule applies and the paper lacks the date it needs


def dating(component: Component, record: IndexedRecord, as_of: date) -> Dating:
    """Whether the paper is recent enough for ``component`` on ``as_of``: within the
    component's maximum age and, when the record states no ``valid_until``, within its
    type's term. Dates are known well formed (``record_usable``)."""
    issued = _iso_day(record.get("issued_on"))
    states_expiry = bool(record.get("valid_until"))
    # A type known only by its code may expire: it needs a date as much as one that does.
    result_type = component.result_type(str(record.get("doc_type")))
    expires = not states_expiry and (result_type is None or result_type.validity.rule != "none")
    if issued is None:
        undated = component.max_age_months is not None or expires
        return Dating.UNDATED if undated else Dating.VALID
    max_age = component.max_age_months
    if max_age is not None and add_months(issued, max_age) < as_of:
        return Dating.STALE
    if not expires or result_type is None:
        return Dating.VALID
    end = result_type.valid_until(issued)
    if end is None:  # a term the paper itself states, not recorded
        return Dating.UNDATED
    return Dating.VALID if end >= as_of else Dating.STALE


@dataclass(frozen=True)
class Assessment:
    """What a record does for a dossier: how it names the citizen, the components it
    fills (or would), and why it is withheld when it is."""

    match: Match
    components: tuple[Component, ...]
    withheld: Why | None = None


def assess(
    record: IndexedRecord,
    who: SubjectQuery,
    components: Sequence[Component],
    conditions: Conditions,
    ambiguous: bool,
) -> Assessment | None:
    """Every check but the caller's ``verify``; None when the record is not the
    citizen's, not usable, or fills none of ``components`` (not even undated)."""
    matched = match_record(record, who)
    if matched is None or not record_usable(record, conditions):
        return None
    fitting = [c for c in components if fits_component(c, record, matched.roles)]
    dated = {c.code: dating(c, record, conditions.as_of) for c in fitting}
    valid = tuple(c for c in fitting if dated[c.code] is Dating.VALID)
    undated = tuple(c for c in fitting if dated[c.code] is Dating.UNDATED)
    if not (valid or undated):
        return None
    why = withheld_reason(record, matched, who, ambiguous)
    if why is None and not valid:
        why = (WithheldReason.UNDATED, ())
    return Assessment(matched.match, valid or undated, why)


def _candidate(record: IndexedRecord, match: Match) -> Candidate:
    return Candidate(
        id=str(record["id"]),
        doc_type=str(record.get("doc_type")),
        title=record.get("title"),
        document_number=record.get("document_number"),
        issuer=record.get("issuer"),
        issued_on=record.get("issued_on"),
        valid_until=record.get("valid_until"),
        agency=str(record.get("agency")),
        match=match,
    )


def _order(candidate: Candidate) -> tuple[int, int, str]:
    """Exact before probable, newest first, then by id so equal papers keep one order."""
    issued = _iso_day(candidate.issued_on)
    newest = -issued.toordinal() if issued is not None else 1
    return (0 if candidate.match is Match.EXACT else 1, newest, candidate.id)


# Papers a person holds one of, in the role that makes them theirs: two different ones
# naming the same name and birth date in that role are two people.
ONE_PER_PERSON = {"birth_certificate": "người được khai sinh"}


def _ambiguous(records: Iterable[IndexedRecord], who: SubjectQuery) -> bool:
    """Whether the archive shows that the citizen's name and birth date belong to more
    than one person: under another ID, or on two different one-per-person papers."""
    unique_papers: set[tuple[Any, ...]] = set()
    for record in records:
        unique_role = ONE_PER_PERSON.get(str(record.get("doc_type")))
        for subject in record.get("subjects") or []:
            if not _folded_alike(subject, who):
                continue
            sid = normalize_id(subject.get("id_number"))
            if sid is not None and sid != who.id_number:
                return True
            if unique_role is not None and subject.get("role") == unique_role:
                # The same paper scanned twice is one paper; a copy or extract with its
                # own number counts as another, which errs on the safe side.
                unique_papers.add(
                    tuple(
                        record.get(k)
                        for k in ("doc_type", "document_number", "issuer", "issued_on")
                    )
                )
    return len(unique_papers) > 1


def _gather(
    index: Index, who: SubjectQuery, doc_types: list[str]
) -> tuple[list[IndexedRecord], bool]:
    """The records that may name the citizen, and whether name + birth date is ambiguous."""
    # The type filter is applied here rather than in the index: one person has few
    # records, and SQLite answers "this person AND these types" by scanning every record
    # of these types (its doc_type index wins over the subject subquery).
    found: dict[str, IndexedRecord] = {}
    by_id = index.records_for_subject(id_number=who.id_number) if who.id_number is not None else []
    ambiguous = False
    by_name: list[IndexedRecord] = []
    if who.name and who.birth_date:
        # Asked without the ID, so that papers naming the same name and birth date under
        # another ID show up and reveal the ambiguity.
        by_name = index.records_for_subject(name=who.name, birth_date=who.birth_date)
        ambiguous = _ambiguous(by_name, who)
    for record in [*by_id, *by_name]:
        if record.get("doc_type") in doc_types:
            found.setdefault(str(record["id"]), record)
    return list(found.values()), ambiguous


def evaluate(
    index: Index,
    who: SubjectQuery,
    procedure: Procedure,
    conditions: Conditions,
    verify: Verify | None = None,
) -> tuple[ReuseResult, bool]:
    """The lookup itself, without logging: every check, fresh from the index; and
    whether the archive shows the citizen's name and birth date on someone else."""
    records, ambiguous = _gather(index, who, procedure.result_types())
    offers: dict[str, list[Candidate]] = {c.code: [] for c in procedure.components}
    withheld: list[Withheld] = []
    for record in records:
        assessed = assess(record, who, procedure.components, conditions, ambiguous)
        if assessed is None:
            continue
        if assessed.withheld is not None:
            withheld.append(
                Withheld(
                    record_id=str(record["id"]),
                    doc_type=str(record.get("doc_type")),
                    components=tuple(c.code for c in assessed.components),
                    reason=assessed.withheld[0],
                    facts=assessed.withheld[1],
                )
            )
            continue
        # The caller's check may be costly (a full signature validation): run it last,
        # once per record.
        if verify is not None and not verify(record):
            continue
        for component in assessed.components:
            offers[component.code].append(_candidate(record, assessed.match))
    components = tuple(
        ComponentResult(c, tuple(sorted(offers[c.code], key=_order)))
        for c in procedure.components
    )
    result = ReuseResult(
        procedure_code=procedure.code,
        procedure_name=procedure.name,
        as_of=conditions.as_of,
        subject_id=who.id_number,
        name=who.name,
        birth_date=who.birth_date,
        components=components,
        withheld_probable=tuple(sorted(withheld, key=lambda w: (w.doc_type, w.record_id))),
    )
    return result, ambiguous
