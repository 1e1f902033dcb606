"""Cross-checks that catch OCR errors before they reach the archive.

Every check yields English reason codes ``problem:where`` for ``review.reasons``. An ID
number that fails its checks is removed from the subject (kept in
``fields["unverified_id_numbers"]``): a wrong ID would hand one citizen's papers to
another, a missing one only costs an officer a look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from extract.fields import Reading, SubjectRead, Value
from extract.ids import id_problems

# Word confidence (tesseract, 0–100) under which a value goes to an officer.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "id_number": 80.0,
    "birth_date": 60.0,
    "name": 20.0,
    "document_number": 55.0,
    "issued_on": 55.0,
    "issuer": 30.0,
}


# Without corroboration (a CCCD agreeing with the birth year), an ID or a birth date
# read with less confidence than this is not kept: a wrong one is worse than none.
UNCORROBORATED_MIN: dict[str, float] = {"id_number": 85.0, "birth_date": 85.0}
# Even corroborated, a value read this badly is not kept.
CORROBORATED_MIN = 40.0


@dataclass
class CheckResult:
    reasons: list[str]
    unverified_ids: list[str]
    unverified_birth_dates: list[str]


def _corroborated(subject: SubjectRead) -> bool:
    """The CCCD encodes the birth year (and sex) that were read separately: both agree."""
    if subject.id_number is None or subject.birth_date is None:
        return False
    return len(subject.id_number.value) == 12 and not check_subject_id(subject, "-")


def _too_unsure(value: Value | None, kind: str, corroborated: bool) -> bool:
    if value is None or value.confidence is None:
        return False
    floor = CORROBORATED_MIN if corroborated else UNCORROBORATED_MIN[kind]
    return value.confidence < floor


def _iso(value: Value | None) -> date | None:
    return date.fromisoformat(value.value) if value else None


def check_subject_id(subject: SubjectRead, where: str) -> list[str]:
    """Reasons why the subject's ID cannot be trusted (empty when it can or is absent)."""
    if subject.id_number is None:
        return []
    birth = _iso(subject.birth_date)
    sex = subject.sex.value if subject.sex else None
    return [
        f"{p}:{where}"
        for p in id_problems(subject.id_number.value, birth.year if birth else None, sex)
    ]


def check_dates(reading: Reading, today: date) -> list[str]:
    """Dates exist and are ordered: birth ≤ issue ≤ today, death between birth and issue."""
    reasons = [f"invalid_date:{where}" for where in reading.invalid_dates]
    issued = _iso(reading.issued_on)
    if issued and issued > today:
        reasons.append("date_in_future:issued_on")
    for index, subject in enumerate(reading.subjects):
        birth = _iso(subject.birth_date)
        if birth is None:
            continue
        if birth > today:
            reasons.append(f"date_in_future:subjects[{index}].birth_date")
        if issued and birth > issued:
            reasons.append(f"date_order:subjects[{index}].birth_date")
    death = reading.fields.get("death_date")
    if death and issued and _iso(death) and date.fromisoformat(death.value) > issued:
        reasons.append("date_order:fields.death_date")
    return reasons


_NUMBER_YEAR = re.compile(r"^\d+/(\d{4})/")


def header_agreement(reading: Reading) -> tuple[set[str], list[str]]:
    """Which header values confirm each other, and the reasons when they contradict.

    Numbers follow number/year/symbol (Decree 30/2020), so the year in the number must
    be the issue year; a registration date printed in the body must be the dateline's.
    Agreement between two separately read values is stronger evidence than tesseract's
    word confidence, which is often low for values read right.
    """
    confirmed: set[str] = set()
    issued = reading.issued_on.value if reading.issued_on else None
    number = reading.document_number.value if reading.document_number else ""
    match = _NUMBER_YEAR.match(number)
    if match and issued:
        if match.group(1) != issued[:4]:
            return confirmed, ["number_year_mismatch:document_number"]
        confirmed |= {"document_number", "issued_on"}
    registered = reading.fields.get("registered_on")
    if registered and issued and registered.value == issued:
        confirmed.add("issued_on")
    return confirmed, []


def low_confidence(
    reading: Reading, thresholds: dict[str, float], confirmed: set[str] | None = None
) -> list[str]:
    """``low_confidence:<path>`` for every value read below its threshold (and not confirmed)."""
    values: list[tuple[str, str, Value | None]] = [
        (kind, kind, getattr(reading, kind))
        for kind in ("document_number", "issued_on", "issuer")
        if kind not in (confirmed or set())
    ]
    for index, subject in enumerate(reading.subjects):
        for attr in ("name", "id_number", "birth_date"):
            values.append((attr, f"subjects[{index}].{attr}", getattr(subject, attr)))
    reasons = []
    for kind, path, value in values:
        threshold = thresholds.get(kind)
        if value and value.confidence is not None and threshold and value.confidence < threshold:
            reasons.append(f"low_confidence:{path}")
    return reasons


def cross_check(
    reading: Reading, today: date, thresholds: dict[str, float] | None = None
) -> CheckResult:
    """Run every check; drop IDs that fail theirs from the subjects (mutates ``reading``)."""
    limits = DEFAULT_THRESHOLDS if thresholds is None else thresholds
    reasons = check_dates(reading, today)
    result = CheckResult(reasons=reasons, unverified_ids=[], unverified_birth_dates=[])
    for index, subject in enumerate(reading.subjects):
        where = f"subjects[{index}]"
        problems = check_subject_id(subject, where)
        corroborated = _corroborated(subject)
        if subject.id_number is not None and (
            problems or _too_unsure(subject.id_number, "id_number", corroborated)
        ):
            result.unverified_ids.append(subject.id_number.raw or subject.id_number.value)
            subject.id_number = None
            reasons += problems or [f"unverified:{where}.id_number"]
        if _too_unsure(subject.birth_date, "birth_date", corroborated) and subject.birth_date:
            result.unverified_birth_dates.append(subject.birth_date.value)
            subject.birth_date = None
            reasons.append(f"unverified:{where}.birth_date")
    confirmed, contradictions = header_agreement(reading)
    reasons += contradictions
    reasons += low_confidence(reading, limits, confirmed)
    return result
