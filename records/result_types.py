"""The catalog of result types: which kinds of paper sohoa knows, as data.

The catalog lives in ``records/catalogs/result_types.json``. An agency extends or
replaces it without code by pointing ``SOHOA_RESULT_TYPES`` at its own file (read at
the edge and passed here as ``path``). Each entry says how to recognise the paper
(title phrases and weighted keywords, compared on folded text: lower case, no
diacritics, đ → d), which fields it carries (with the labels that introduce them on the
paper) and how long it stays valid.
"""

from __future__ import annotations

import calendar
import functools
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from records.errors import ExitCode, SohoaError
from records.folding import fold_phrase

DEFAULT_CATALOG = Path(__file__).parent / "catalogs" / "result_types.json"

VALIDITY_RULES = ("none", "months_from_issue", "stated_term")
FIELD_KINDS = ("text", "name", "date", "code", "number", "id")


class CatalogError(SohoaError, ValueError):
    """The catalog file is malformed; the message names the entry and the problem."""

    exit_code = ExitCode.USAGE
    summary = "Danh mục không hợp lệ (SOHOA_RESULT_TYPES / SOHOA_PROCEDURES)"


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months, clamped to the end of a shorter month (31 Aug + 6 → 28 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class FieldSpec:
    """A type-specific field: its key in ``record.fields``, the labels before it, its kind."""

    name: str
    labels: tuple[str, ...]
    kind: str = "text"


@dataclass(frozen=True)
class Fallback:
    """A field that stands in for a missing value, unless the page mentions ``unless``
    (folded): a household business first registered on one day and changed since is not
    dated by its first registration when the change's own date went unread."""

    field: str
    unless: str | None = None


@dataclass(frozen=True)
class Validity:
    rule: str = "none"
    months: int | None = None  # for months_from_issue; the fallback for stated_term


@dataclass(frozen=True)
class ResultType:
    code: str
    name: str
    titles: tuple[str, ...]
    keywords: dict[str, float] = field(default_factory=dict)
    fields: tuple[FieldSpec, ...] = ()
    roles: dict[str, str] = field(default_factory=dict)  # folded section marker → role
    default_role: str | None = None
    validity: Validity = field(default_factory=Validity)
    # Fields that give the issue date when the dateline cannot be read (registration date),
    # in order; each may be void on a page that mentions a phrase (its ``unless``).
    issued_on_fallback: tuple[Fallback, ...] = ()
    # Fields that hold the paper's own number when its header prints none (a land-use
    # certificate's register entry, a household business code).
    number_fallback: tuple[str, ...] = ()
    # The official template numbers the paper number[/year]/symbol ("…/STP-LLTP",
    # "…/GPXD"), never digits alone: a number read as digits alone lost its symbol.
    # Not for papers numbered by a register's serial (birth, marriage, death records,
    # status confirmations may print "Số: 54"), nor for codes (household businesses).
    number_symbol: bool = False
    # The symbols its papers' numbers end in ("KS", "STP-LLTP"): the abbreviation of the
    # paper's own name. A symbol read as one of these was read right, whatever the word's
    # confidence, since the title typed the paper independently of the header's number.
    number_symbols: tuple[str, ...] = ()
    # The format a regulation sets for a number field's value (field name → pattern the
    # whole value matches): a land-use certificate's register entry is "CH", "CS" or "CT"
    # and five figures (Thông tư 23/2014/TT-BTNMT, art. 18). A value read in another
    # format lost or gained a figure or a letter, and is held for an officer.
    number_formats: dict[str, re.Pattern[str]] = field(default_factory=dict)

    def valid_until(self, issued_on: date, stated_term: date | int | None = None) -> date | None:
        """Last day the paper is valid, or ``None`` when it does not expire.

        ``stated_term`` is what the paper itself says: an end date, or a number of
        months from issue. It only counts for types whose rule is ``stated_term``.
        """
        rule = self.validity
        if rule.rule == "months_from_issue" and rule.months is not None:
            return add_months(issued_on, rule.months)
        if rule.rule == "stated_term":
            if isinstance(stated_term, date):
                return stated_term
            months = stated_term if isinstance(stated_term, int) else rule.months
            return add_months(issued_on, months) if months is not None else None
        return None


def _validity(code: str, raw: Any) -> Validity:
    if raw is None or raw == "none":
        return Validity()
    if isinstance(raw, str):
        raw = {"rule": raw}
    if not isinstance(raw, dict):
        raise CatalogError(f"{code}: validity must be a string or an object")
    rule = raw.get("rule")
    if rule is None and "months_from_issue" in raw:
        rule, raw = "months_from_issue", {"months": raw["months_from_issue"]}
    if rule not in VALIDITY_RULES:
        raise CatalogError(f"{code}: unknown validity rule {rule!r}; use one of {VALIDITY_RULES}")
    months = raw.get("months")
    if months is not None and (not isinstance(months, int) or months <= 0):
        raise CatalogError(f"{code}: validity months must be a positive integer")
    if rule == "months_from_issue" and months is None:
        raise CatalogError(f"{code}: months_from_issue needs 'months'")
    return Validity(rule=rule, months=months)


def _fallback(code: str, raw: Any) -> Fallback:
    if isinstance(raw, str):
        return Fallback(raw)
    if not isinstance(raw, dict) or not isinstance(raw.get("field"), str):
        raise CatalogError(f"{code}: a fallback is a field name or {{'field': …, 'unless': …}}")
    unless = raw.get("unless")
    if unless is not None and not isinstance(unless, str):
        raise CatalogError(f"{code}: fallback {raw['field']}: 'unless' must be a phrase")
    return Fallback(raw["field"], fold_phrase(unless) if unless else None)


def _flag(code: str, key: str, raw: Any) -> bool:
    if raw is None:
        return False
    if not isinstance(raw, bool):
        raise CatalogError(f"{code}: '{key}' must be true or false")
    return raw


def _names(code: str, key: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(n, str) for n in raw):
        raise CatalogError(f"{code}: '{key}' must be a list of field names")
    return tuple(raw)


def _symbols(code: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(
        isinstance(s, str) and re.fullmatch(r"[A-ZĐ]+(?:-[A-ZĐ]+)*", s) for s in raw
    ):
        raise CatalogError(
            f"{code}: 'number_symbols' must be a list of symbols in capitals (\"KS\", \"STP-LLTP\")"
        )
    return tuple(raw)


def _formats(code: str, fields: tuple[FieldSpec, ...], raw: Any) -> dict[str, re.Pattern[str]]:
    if raw is None:
        return {}
    names = {f.name for f in fields}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and k in names and isinstance(v, str) for k, v in raw.items()
    ):
        raise CatalogError(f"{code}: 'number_formats' maps a field of the type to a pattern")
    try:
        return {name: re.compile(pattern) for name, pattern in raw.items()}
    except re.error as exc:
        raise CatalogError(f"{code}: 'number_formats': {exc}") from exc


def _field_spec(code: str, raw: Any) -> FieldSpec:
    if isinstance(raw, str):
        return FieldSpec(name=raw, labels=())
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        raise CatalogError(f"{code}: each field needs a 'name'")
    kind = raw.get("kind", "text")
    if kind not in FIELD_KINDS:
        raise CatalogError(f"{code}: field {raw['name']}: unknown kind {kind!r}")
    labels = tuple(fold_phrase(label) for label in raw.get("labels", []))
    return FieldSpec(name=raw["name"], labels=labels, kind=kind)


def _result_type(raw: Any) -> ResultType:
    if not isinstance(raw, dict) or not isinstance(raw.get("code"), str):
        raise CatalogError("every result type needs a 'code'")
    code = raw["code"]
    if not isinstance(raw.get("name"), str) or not raw.get("titles"):
        raise CatalogError(f"{code}: needs 'name' and at least one title in 'titles'")
    fields = tuple(_field_spec(code, f) for f in raw.get("fields") or [])
    return ResultType(
        code=code,
        name=raw["name"],
        titles=tuple(fold_phrase(t) for t in raw["titles"]),
        keywords={fold_phrase(k): float(w) for k, w in (raw.get("keywords") or {}).items()},
        fields=fields,
        roles={fold_phrase(marker): role for marker, role in (raw.get("roles") or {}).items()},
        default_role=raw.get("default_role"),
        validity=_validity(code, raw.get("validity")),
        issued_on_fallback=tuple(_fallback(code, f) for f in raw.get("issued_on_fallback") or ()),
        number_fallback=_names(code, "number_fallback", raw.get("number_fallback")),
        number_symbol=_flag(code, "number_symbol", raw.get("number_symbol")),
        number_symbols=_symbols(code, raw.get("number_symbols")),
        number_formats=_formats(code, fields, raw.get("number_formats")),
    )


def parse_result_types(data: Any) -> dict[str, ResultType]:
    """Build the catalog from its JSON form (``{"result_types": [...]}`` or a bare list)."""
    entries = data.get("result_types") if isinstance(data, dict) else data
    if not isinstance(entries, list):
        raise CatalogError("the catalog must hold a list 'result_types'")
    catalog: dict[str, ResultType] = {}
    for raw in entries:
        result_type = _result_type(raw)
        if result_type.code in catalog:
            raise CatalogError(f"{result_type.code}: defined twice")
        catalog[result_type.code] = result_type
    return catalog


@functools.lru_cache(maxsize=8)
def cached_result_types(path: str | None = None) -> dict[str, ResultType]:
    """``load_result_types`` read once per process and path (worker processes classify
    thousands of documents against the same catalog). Treat the result as read-only."""
    return load_result_types(path)


def load_result_types(path: str | Path | None = None) -> dict[str, ResultType]:
    """The catalog from ``path``, or the one shipped with sohoa."""
    source = Path(path) if path else DEFAULT_CATALOG
    try:
        data = json.loads(source.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"cannot read result types from {source}: {exc}") from exc
    return parse_result_types(data)
