"""Every official unit written the ways papers write it, and whether the matcher finds it.

A self-consistency check of ``extract.places`` (issue 14): a unit's full name read
perfectly — in its official form, upper case as on an issuer block, over lines as a
header prints it, with the abbreviations the matcher accepts, or as an address of a birth
place — must resolve to that unit, unique, and never to another. Whatever fails here
fails on a clean page, so it is the matcher's fault and not the OCR's.

Used by ``bench/places_selfcheck.py`` (all units, per cause) and the tests (a seeded
sample, and all of them in a slow test).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from extract.places import Unit, _official, index_for, key_of, match_issuer

# The days a unit of each list is looked up on: the legacy table's final state (every
# legacy unit stands then), and a day after the reorganisation.
LEGACY_DAY = date(2025, 6, 30)
NEW_DAY = date(2025, 8, 1)

# Type words an official chain's parts open with, longest first.
_TYPES = ("thành phố", "thị xã", "thị trấn", "đặc khu", "phường", "xã", "quận", "huyện", "tỉnh")
# Abbreviations the matcher reads ("TP.", "TX.", "TT."); "P."/"Q." only before a number.
_SHORT = {"thành phố": "TP.", "thị xã": "TX.", "thị trấn": "TT."}
_NUMBER_SHORT = {"phường": "P.", "quận": "Q."}
_LETTER = {
    "phường": "P.",
    "xã": "X.",
    "quận": "Q.",
    "huyện": "H.",
    "thành phố": "TP.",
    "thị xã": "TX.",
    "thị trấn": "TT.",
}

COMMITTEE = "Ủy ban nhân dân"


@dataclass(frozen=True)
class Form:
    """One written form of a unit: what is matched, and how (``issuer`` or ``address``)."""

    unit: Unit
    style: str  # official, upper, block, short, address, address_upper
    text: str
    on: date


@dataclass(frozen=True)
class Failure:
    form: Form
    outcome: str  # unmatched, ambiguous, other_unit, changed
    got: str | None
    cause: str


def units(era: str) -> list[Unit]:
    """The units of a list (``legacy`` also holds the historical ones), each once."""
    seen: dict[tuple[str, str, str | None, date | None], Unit] = {}
    for found in index_for(era).by_key.values():
        for unit in found:
            if unit.valid_from and unit.valid_until and unit.valid_from > unit.valid_until:
                continue  # a copy the historical file made of a unit that never stood so
            seen.setdefault((unit.era, unit.level, unit.code, unit.valid_until), unit)
    return sorted(seen.values(), key=lambda u: (u.era, u.level, u.code or "", u.name))


def _day(unit: Unit) -> date:
    if unit.era == "2025":
        return NEW_DAY
    if unit.valid_until is not None:
        return unit.valid_until
    return LEGACY_DAY


def _parts(unit: Unit) -> list[tuple[str, str]]:
    """The unit's chain as (type word, name): [("phường", "Máy Chai"), ("quận", …), …]."""
    chain = _official(COMMITTEE, unit).removeprefix(COMMITTEE + " ").split(", ")
    out = []
    for part in chain:
        kind = next(t for t in _TYPES if part.lower().startswith(t + " "))
        out.append((kind, part[len(kind) + 1 :]))
    return out


def _joined(parts: Iterable[tuple[str, str]]) -> str:
    return ", ".join(f"{kind} {name}" for kind, name in parts)


def forms(unit: Unit) -> Iterator[Form]:
    """The unit's full name as papers write it (see the module's docstring)."""
    on = _day(unit)
    parts = _parts(unit)
    yield Form(unit, "official", f"{COMMITTEE} {_joined(parts)}", on)
    yield Form(unit, "upper", f"{COMMITTEE} {_joined(parts)}".upper(), on)
    # A header block: the higher units on lines above, the committee's line last.
    lines = [f"{k} {n}".upper() for k, n in reversed(parts[1:])]
    lines.append(f"{COMMITTEE} {parts[0][0]} {parts[0][1]}".upper())
    yield Form(unit, "block", "\n".join(lines), on)
    short = [
        (_NUMBER_SHORT[k] if k in _NUMBER_SHORT and n.isdigit() else _SHORT.get(k, k), n)
        for k, n in parts
    ]
    if short != parts:
        text = ", ".join(f"{k}{n}" if k.endswith(".") else f"{k} {n}" for k, n in short)
        yield Form(unit, "short", f"UBND {text}", on)
    # Every type but the province's by its letter and a dot, as addresses write them
    # ("P. Máy Chai, Q. Ngô Quyền, TP. Hải Phòng", "X. Gia Lâm, H. Nho Quan, T. Ninh Bình").
    letters = [(_LETTER.get(k, k), n) for k, n in parts[:-1]] + parts[-1:]
    if letters != parts:
        text = ", ".join(f"{k} {n}" for k, n in letters)
        yield Form(unit, "letters", f"UBND {text}", on)
    if len(parts) > 1:
        # The parents by their names alone: "phường Máy Chai, Ngô Quyền, Hải Phòng".
        text = ", ".join([f"{parts[0][0]} {parts[0][1]}"] + [n for _, n in parts[1:]])
        yield Form(unit, "bare_parents", f"{COMMITTEE} {text}", on)
    if unit.level == "province":
        # "ỦY BAN NHÂN DÂN ĐẮK LẮK": a province after the committee without its type word.
        yield Form(unit, "bare", f"{COMMITTEE} {parts[0][1]}".upper(), on)
    if unit.level == "ward":
        # A birth place as a form writes it, checked by ``handcheck.check_place``.
        address = _joined(parts)
        yield Form(unit, "address", address[:1].upper() + address[1:], on)
        yield Form(unit, "address_upper", address.upper(), on)


def _same(a: Unit, b: Unit) -> bool:
    return (a.era, a.level, a.code, a.name, a.valid_until) == (
        b.era,
        b.level,
        b.code,
        b.name,
        b.valid_until,
    )


_MOTTO_WORDS = {"độc", "lập", "tự", "do", "hạnh", "phúc", "cộng", "hòa", "hội", "chủ", "nghĩa"}


def _twins(unit: Unit) -> list[Unit]:
    """Other units under the same parents whose names fold alike ("Trà Don", "Trà Dơn")."""
    era = "2025" if unit.era == "2025" else "legacy"
    same = index_for(era).by_key.get((unit.level, unit.key), [])
    return [
        u
        for u in same
        if u.name != unit.name
        and (u.district_key, u.province_key) == (unit.district_key, unit.province_key)
    ]


def cause_of(unit: Unit) -> str:
    """Why a unit may be hard to match, from the unit alone (for counting failures)."""
    if unit.valid_from and unit.valid_until and unit.valid_from > unit.valid_until:
        return "never_stood"  # an artefact of the historical file: excluded from the check
    if _twins(unit):
        return "fold_alike"
    parts = _parts(unit)
    type_words = {key_of(w) for t in _TYPES for w in t.split()}
    if any(key_of(w) in type_words for _, n in parts for w in n.split()):
        return "type_word_in_name"
    names = [n.lower() for _, n in parts]
    if len(set(names)) < len(names):
        return "same_name_as_parent"
    if any(w.lower() in _MOTTO_WORDS for w in parts[0][1].split()):
        return "motto_word_in_name"
    return "other"


def check(form: Form) -> Failure | None:
    """``None`` when the form resolves to its own unit, else how it failed."""
    if form.style.startswith("address"):
        from extract.handcheck import check_place

        expected = _joined(_parts(form.unit))
        expected = expected[:1].upper() + expected[1:]
        checked = check_place(form.text, form.on)
        if checked.value == expected:
            return None
        outcome = {"place_ambiguous": "ambiguous", "place_unmatched": "unmatched"}.get(
            checked.problem or "", "changed" if checked.value else (checked.problem or "refused")
        )
        return Failure(form, outcome, checked.value, cause_of(form.unit))
    match = match_issuer(form.text, form.on)
    if match.unit is not None and _same(match.unit, form.unit):
        return None
    if match.unit is not None:
        outcome = "other_unit"
    else:
        outcome = "ambiguous" if match.reason == "issuer_ambiguous" else "unmatched"
    return Failure(form, outcome, match.official, cause_of(form.unit))


def all_forms(sample: int = 0, seed: int = 0) -> list[Form]:
    """Every form of every unit of both lists, or a seeded sample of ``sample`` units."""
    pool = units("legacy") + units("2025")
    if sample:
        pool = random.Random(seed).sample(pool, sample)
    return [f for unit in pool for f in forms(unit)]


def failures(found: Iterable[Form]) -> list[Failure]:
    return [f for f in (check(form) for form in found) if f is not None]


def tally(failed: Iterable[Failure]) -> Counter[tuple[str, str, str]]:
    """Failures counted per (cause, outcome, style)."""
    return Counter((f.cause, f.outcome, f.form.style) for f in failed)
