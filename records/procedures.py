"""The catalog of administrative procedures: what each one asks the citizen to bring.

The catalog lives in ``records/catalogs/procedures.json``. For every procedure (by its
national code from the Cơ sở dữ liệu quốc gia về thủ tục hành chính) it lists the
components of the dossier (thành phần hồ sơ), and for each component the result types
that satisfy it, an optional freshness rule (``max_age_months`` counted from the
paper's ``issued_on``) and optionally the roles the person must hold on the paper
(a birth certificate satisfies "giấy khai sinh của người yêu cầu" only when the person
is the one born, not a parent named on it). Those roles are checked on load against the
roles extraction writes on each accepted result type (its ``default_role`` and its
section ``roles``): a component asking for a role no paper of that type ever carries
would never be filled, silently.

An agency extends the catalog without code by pointing ``SOHOA_PROCEDURES`` at its own
file (read at the edge and passed here as ``path``): its procedures are added to the
shipped ones, replacing any with the same code; ``"extends": false`` at the top of the
file replaces the shipped catalog instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from records.result_types import CatalogError, ResultType, load_result_types

DEFAULT_CATALOG = Path(__file__).parent / "catalogs" / "procedures.json"

# National procedure codes: a level digit, a dot and six digits (1.000894).
PROCEDURE_CODE_RE = re.compile(r"^\d\.\d{6}$")
COMPONENT_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")


@dataclass(frozen=True)
class Component:
    """One component of a dossier (thành phần hồ sơ)."""

    code: str
    name: str
    required: bool
    result_types: tuple[str, ...] = ()
    max_age_months: int | None = None
    subject_roles: tuple[str, ...] | None = None  # None: any role on the paper
    note: str | None = None
    # The accepted result types as the catalog they were checked against defines them
    # (how long each stays valid). A type named by a bare code has no entry.
    type_details: dict[str, ResultType] = field(default_factory=dict, compare=False, hash=False)

    @property
    def reusable(self) -> bool:
        """Whether an archived result can stand in for this component at all."""
        return bool(self.result_types)

    def result_type(self, code: str) -> ResultType | None:
        """The accepted result type ``code``, or None when only its code is known."""
        return self.type_details.get(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "required": self.required,
            "result_types": list(self.result_types),
            "max_age_months": self.max_age_months,
            "subject_roles": None if self.subject_roles is None else list(self.subject_roles),
            "note": self.note,
        }


@dataclass(frozen=True)
class Procedure:
    code: str
    name: str
    components: tuple[Component, ...]
    domain: str | None = None  # lĩnh vực, e.g. "Hộ tịch"

    def result_types(self) -> list[str]:
        """Every result type some component accepts, in catalog order, once each."""
        return list(dict.fromkeys(t for c in self.components for t in c.result_types))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "domain": self.domain,
            "components": [c.to_dict() for c in self.components],
        }


def _text(where: str, raw: dict[str, Any], key: str, *, optional: bool = False) -> str | None:
    value = raw.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise CatalogError(f"{where}: '{key}' must be a non-empty string")
    return value.strip()


def _strings(where: str, value: Any, key: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise CatalogError(f"{where}: '{key}' must be a list of non-empty strings")
    return tuple(v.strip() for v in value)


# The result types components may name: by code, with their definition when known
# (None: a code given bare, whose roles and validity are unknown here).
KnownTypes = Mapping[str, ResultType | None]


def roles_written(result_type: ResultType) -> frozenset[str]:
    """The roles extraction can give a person on a paper of this type."""
    return frozenset(r for r in (result_type.default_role, *result_type.roles.values()) if r)


def _check_roles(
    where: str, roles: tuple[str, ...] | None, result_types: tuple[str, ...], known: KnownTypes
) -> None:
    """Refuse ``subject_roles`` that no paper of an accepted type can carry."""
    if roles is None:
        return
    for code in result_types:
        result_type = known.get(code)
        if result_type is None:
            continue
        written = roles_written(result_type)
        if not written.intersection(roles):
            raise CatalogError(
                f"{where}: subject_roles {list(roles)} include no role extraction writes on "
                f"{code} ({sorted(written) or 'none: use null'})"
            )


def _component(where: str, raw: Any, known_types: KnownTypes) -> Component:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: a component must be an object")
    code = _text(where, raw, "code")
    assert code is not None
    if not COMPONENT_CODE_RE.match(code):
        raise CatalogError(f"{where}: component code {code!r} must be 1-32 letters, digits, _ . -")
    where = f"{where} ({code})"
    name = _text(where, raw, "name")
    required = raw.get("required")
    if not isinstance(required, bool):
        raise CatalogError(f"{where}: 'required' must be true or false")
    result_types = _strings(where, raw.get("result_types", []), "result_types")
    unknown = [t for t in result_types if t not in known_types]
    if unknown:
        raise CatalogError(
            f"{where}: unknown result type(s) {unknown}; known: {sorted(known_types)}"
        )
    max_age = raw.get("max_age_months")
    if max_age is not None and (
        isinstance(max_age, bool) or not isinstance(max_age, int) or max_age <= 0
    ):
        raise CatalogError(f"{where}: 'max_age_months' must be a positive integer or null")
    if max_age is not None and not result_types:
        raise CatalogError(f"{where}: 'max_age_months' makes no sense without result_types")
    roles_raw = raw.get("subject_roles")
    roles = None if roles_raw is None else _strings(where, roles_raw, "subject_roles")
    if roles is not None and not roles:
        raise CatalogError(f"{where}: 'subject_roles' must be null (any role) or non-empty")
    _check_roles(where, roles, result_types, known_types)
    assert name is not None
    details = {t: d for t in result_types if (d := known_types.get(t)) is not None}
    return Component(
        code=code,
        name=name,
        required=required,
        result_types=result_types,
        max_age_months=max_age,
        subject_roles=roles,
        note=_text(where, raw, "note", optional=True),
        type_details=details,
    )


def _procedure(where: str, raw: Any, known_types: KnownTypes) -> Procedure:
    if not isinstance(raw, dict):
        raise CatalogError(f"{where}: a procedure must be an object")
    code = _text(where, raw, "code")
    assert code is not None
    if not PROCEDURE_CODE_RE.match(code):
        raise CatalogError(f"{where}: procedure code {code!r} is not a national code like 1.000894")
    where = f"{where} ({code})"
    name = _text(where, raw, "name")
    assert name is not None
    components_raw = raw.get("components")
    if not isinstance(components_raw, list) or not components_raw:
        raise CatalogError(f"{where}: 'components' must be a non-empty list")
    components = tuple(
        _component(f"{where}.components[{i}]", c, known_types) for i, c in enumerate(components_raw)
    )
    seen: set[str] = set()
    for component in components:
        if component.code in seen:
            raise CatalogError(f"{where}: component {component.code} defined twice")
        seen.add(component.code)
    return Procedure(
        code=code,
        name=name,
        components=components,
        domain=_text(where, raw, "domain", optional=True),
    )


def _type_catalog(result_types: Mapping[str, ResultType] | Iterable[str] | None) -> KnownTypes:
    """The result types components may name. A mapping (``load_result_types``) gives
    their definitions; bare codes get those of the shipped catalog when it has them."""
    shipped = load_result_types()
    if result_types is None:
        return dict(shipped)
    if isinstance(result_types, Mapping):
        return dict(result_types)
    return {code: shipped.get(code) for code in result_types}


def parse_procedures(
    data: Any,
    known_types: Mapping[str, ResultType | None] | Iterable[str],
    *,
    source: str = "catalog",
) -> dict[str, Procedure]:
    """Build procedures from the catalog's JSON form (``{"procedures": [...]}``).
    ``known_types``: the result-type codes components may name, or a mapping from code
    to its definition (or None), which also checks the components' roles."""
    entries = data.get("procedures") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise CatalogError(f"{source}: the catalog must be an object holding a list 'procedures'")
    known: KnownTypes = (
        known_types if isinstance(known_types, Mapping) else dict.fromkeys(known_types, None)
    )
    catalog: dict[str, Procedure] = {}
    for i, raw in enumerate(entries):
        procedure = _procedure(f"{source}: procedures[{i}]", raw, known)
        if procedure.code in catalog:
            raise CatalogError(f"{source}: procedure {procedure.code} defined twice")
        catalog[procedure.code] = procedure
    return catalog


def _read(source: Path) -> Any:
    try:
        return json.loads(source.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise CatalogError(f"cannot read procedures from {source}: {exc}") from exc


def load_procedures(
    path: str | Path | None = None,
    *,
    result_types: Mapping[str, ResultType] | Iterable[str] | None = None,
) -> dict[str, Procedure]:
    """The shipped catalog, extended (or replaced) by the agency file at ``path``.

    ``result_types`` are the result types components may name; by default those of the
    shipped result-type catalog (pass the agency's, as ``load_result_types`` returns
    it, when it extends that one too: then its roles and validity rules apply).
    """
    known = _type_catalog(result_types)
    catalog = parse_procedures(_read(DEFAULT_CATALOG), known, source=str(DEFAULT_CATALOG))
    if not path:
        return catalog
    source = Path(path)
    data = _read(source)
    agency = parse_procedures(data, known, source=str(source))
    extends = data.get("extends", True)
    if not isinstance(extends, bool):
        raise CatalogError(f"{source}: 'extends' must be true or false")
    return {**catalog, **agency} if extends else agency
