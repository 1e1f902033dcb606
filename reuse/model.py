"""The plain data the reuse lookup and release return, and their refusals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from records.errors import CodedError
from records.procedures import Component


class Match(StrEnum):
    EXACT = "exact"  # the paper carries the citizen's ID number
    # The paper carries no ID: same folded name and birth date, and at least one other
    # fact it carries (parents, spouse, place of birth, residence) agrees, none disagrees.
    PROBABLE = "probable"


@dataclass(frozen=True)
class Facts:
    """What the portal knows about the citizen from the national population database,
    to tell a paper without ID from a namesake's. Every field is optional; names and
    places are compared folded (case, diacritics, đ, punctuation and spacing ignored)."""

    father_name: str | None = None
    mother_name: str | None = None
    spouse_name: str | None = None
    spouse_birth_date: str | None = None  # ISO or dd/mm/yyyy
    birth_place: str | None = None
    residence: str | None = None  # permanent residence (nơi thường trú)

    def given(self) -> dict[str, str]:
        """The facts actually given, by name."""
        return {k: v for k, v in vars(self).items() if v is not None and str(v).strip()}


@dataclass(frozen=True)
class ReuseRequest:
    """One question to the archive: who asks (``actor``), about which citizen (an ID
    number, and/or name and birth date, and the ``facts`` to corroborate a paper
    without ID), for which procedure and dossier, on which day.

    A paper must be valid on ``as_of`` (the procedure's day, default ``today``) and on
    ``today`` (default: the real today; tests pass one). An audited lookup and every
    release need ``actor``; a release needs ``dossier_code``."""

    procedure_code: str
    subject_id: str | None = None
    name: str | None = None
    birth_date: str | date | None = None
    facts: Facts = field(default_factory=Facts)
    actor: str | None = None
    dossier_code: str | None = None
    as_of: date | None = None
    today: date | None = None


class WithheldReason(StrEnum):
    """Why a paper that names the citizen (by ID, or without ID by name and birth date)
    and would fill a component is not offered."""

    # The paper carries the citizen's ID on a person whose name or birth date differs
    # from the citizen's (``facts`` names which): an ID written on the wrong line, a
    # misread ID, or the citizen's data given wrongly. Never offered on the ID alone.
    ID_CONFLICT = "id_conflict"
    # A validity rule applies (the component's maximum age, or the type's term) and the
    # paper lacks the issue date (and expiry) needed to apply it.
    UNDATED = "undated"
    NAMESAKE = "namesake"  # the archive shows the name + birth date on another person
    NO_QUERY_FACTS = "no_query_facts"  # the request gives no fact to check the paper with
    NO_PAPER_FACTS = "no_paper_facts"  # the paper carries no fact to check
    NO_COMMON_FACT = "no_common_fact"  # none of the facts the paper carries was given
    FACT_DISAGREES = "fact_disagrees"  # a fact on the paper differs from the citizen's


@dataclass(frozen=True)
class Withheld:
    """A paper that would fill ``components`` if it were the citizen's and usable, not
    offered for ``reason``. The record id goes to the audit log only: it may be a
    namesake's paper."""

    record_id: str
    doc_type: str
    components: tuple[str, ...]
    reason: WithheldReason
    # The facts that disagree: FACT_DISAGREES; ID_CONFLICT ("name", "birth_date").
    facts: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "doc_type": self.doc_type,
            "components": list(self.components),
            "reason": str(self.reason),
            "facts": list(self.facts),
        }


@dataclass(frozen=True)
class Candidate:
    """A record offered for one component: metadata only, never file bytes or text."""

    id: str
    doc_type: str
    title: str | None
    document_number: str | None
    issuer: str | None
    issued_on: str | None
    valid_until: str | None
    agency: str
    match: Match

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "doc_type": self.doc_type,
            "title": self.title,
            "document_number": self.document_number,
            "issuer": self.issuer,
            "issued_on": self.issued_on,
            "valid_until": self.valid_until,
            "agency": self.agency,
            "match": str(self.match),
        }


@dataclass(frozen=True)
class ComponentResult:
    """A dossier component, as the catalog defines it, and the archived results that
    can fill it."""

    component: Component
    candidates: tuple[Candidate, ...] = ()

    @property
    def code(self) -> str:
        return self.component.code

    @property
    def satisfied(self) -> bool:
        return bool(self.candidates)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.component.to_dict(),
            "reusable": self.component.reusable,
            "satisfied": self.satisfied,
            "candidates": [c.to_dict() for c in self.candidates],
        }


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class ReuseResult:
    procedure_code: str
    procedure_name: str
    as_of: date
    subject_id: str | None
    name: str | None
    birth_date: str | None
    components: tuple[ComponentResult, ...]
    # Papers naming the citizen that would fill a component but are not offered: mostly
    # papers without ID (name and birth date only), also ID conflicts and undated ones.
    withheld_probable: tuple[Withheld, ...] = ()

    @property
    def satisfied(self) -> int:
        return sum(1 for c in self.components if c.satisfied)

    @property
    def share_satisfied(self) -> float:
        """Satisfied components over all components of the dossier."""
        return _share(self.satisfied, len(self.components))

    @property
    def required_satisfied(self) -> int:
        return sum(1 for c in self.components if c.component.required and c.satisfied)

    @property
    def required_total(self) -> int:
        return sum(1 for c in self.components if c.component.required)

    @property
    def share_required_satisfied(self) -> float:
        """Satisfied required components over required components."""
        return _share(self.required_satisfied, self.required_total)

    def record_ids(self) -> list[str]:
        """Every offered record id, once, in result order."""
        return list(dict.fromkeys(c.id for comp in self.components for c in comp.candidates))

    def to_dict(self) -> dict[str, Any]:
        return {
            "procedure_code": self.procedure_code,
            "procedure_name": self.procedure_name,
            "as_of": self.as_of.isoformat(),
            "subject": {
                "id_number": self.subject_id,
                "name": self.name,
                "birth_date": self.birth_date,
            },
            "components": [c.to_dict() for c in self.components],
            "satisfied": self.satisfied,
            "total": len(self.components),
            "share_satisfied": self.share_satisfied,
            "required_satisfied": self.required_satisfied,
            "required_total": self.required_total,
            "share_required_satisfied": self.share_required_satisfied,
            "withheld_probable": [w.to_dict() for w in self.withheld_probable],
        }


@dataclass(frozen=True)
class ReleasedDocument:
    record_id: str
    filename: str
    data: bytes = field(repr=False)
    sha256: str

    def to_dict(self) -> dict[str, Any]:
        """Metadata of the release (the bytes go out separately)."""
        return {
            "record_id": self.record_id,
            "filename": self.filename,
            "size": len(self.data),
            "sha256": self.sha256,
        }


@dataclass(frozen=True)
class AskedAbout:
    """Who a lookup or release was about, as its audit entry records it: the citizen's
    ID number, name and birth date (as understood: the ID without spaces, the date ISO;
    or as given when the request was refused before), and the facts given to
    corroborate a paper, by name only (their values are personal data the population
    database already holds)."""

    id_number: str | None
    name: str | None
    birth_date: str | date | None
    facts: tuple[str, ...] = ()

    @classmethod
    def as_given(cls, request: ReuseRequest) -> AskedAbout:
        return cls(request.subject_id, request.name, request.birth_date,
                   tuple(sorted(request.facts.given())))

    def to_dict(self) -> dict[str, Any]:
        return {"id_number": self.id_number, "name": self.name, "birth_date": self.birth_date,
                "facts": list(self.facts)}


@dataclass(frozen=True)
class LookupOutcome:
    """What a lookup did, as its caller records it (``application.audited_reuse``): the
    result, the dossier code as checked, and who was asked about."""

    result: ReuseResult
    dossier_code: str | None
    subject: AskedAbout


@dataclass(frozen=True)
class ReleaseOutcome:
    """What a release did: the document handed over, or the ``refusal``; the day it was
    judged for and who was asked about (described once understood, else as given), and
    for a document, the components it fills and how it matched the citizen."""

    as_of: date
    subject: AskedAbout
    document: ReleasedDocument | None = None
    components: tuple[str, ...] = ()
    match: Match | None = None
    refusal: ReuseError | None = None

    def handed_over(self) -> ReleasedDocument:
        """The document; raises ``ReleaseRefused`` when the release was refused."""
        if self.refusal is not None:
            raise ReleaseRefused(self.refusal.code, self.refusal.message)
        if self.document is None:
            raise ValueError("a release outcome holds a document or a refusal")
        return self.document


class ReuseError(CodedError):
    """A lookup or release that cannot be done; ``code`` is stable, ``message`` is the
    Vietnamese text shown to the officer."""


class ReleaseRefused(ReuseError):
    """A release refused: the document is not handed over."""
