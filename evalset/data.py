"""Pools of people, places and numbers for the evaluation set.

Everything here is written for `evalset` alone (nothing is shared with `specimens`), so
that the evaluation pages do not inherit the name lists, places or number formats our
OCR and extraction were tuned on.  Places come from the official list of administrative
units shipped with the `vietnamadminunits` package (read with sqlite3 directly: its
parser imports geopy, which we do not want in a test dependency chain).
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib.resources
import random
import sqlite3
from dataclasses import dataclass, replace
from typing import Literal

from evalset import history

# Family names weighted roughly by frequency (Nguyễn ~ 38 %), so that the set does not
# over-represent rare names, but still contains many less common ones.
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9), ("Phạm", 7), ("Hoàng", 5), ("Huỳnh", 3),
    ("Phan", 4), ("Vũ", 4), ("Võ", 3), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 2),
    ("Ngô", 2), ("Dương", 2), ("Lý", 1), ("Đinh", 1), ("Đoàn", 1), ("Trịnh", 1),
    ("Lương", 1), ("Tạ", 1), ("Quách", 1), ("Mai", 1), ("Cao", 1), ("Lâm", 1),
    ("Kiều", 1), ("Triệu", 1), ("Ông", 1), ("Thái", 1), ("Khúc", 1), ("Từ", 1),
    ("Châu", 1), ("Tô", 1), ("Hà", 1), ("Lục", 1), ("Âu", 1), ("Nghiêm", 1), ("Ứng", 1),
)
MIDDLE_MALE = (
    "Văn", "Hữu", "Đức", "Minh", "Quang", "Công", "Thành", "Xuân", "Bá", "Trọng",
    "Ngọc", "Tuấn", "Hoàng", "Đình", "Mạnh", "Thế", "Quốc", "Duy", "Anh", "Gia",
)
MIDDLE_FEMALE = (
    "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Minh", "Phương", "Bảo", "Khánh",
    "Hồng", "Diệu", "Mỹ", "Thùy", "Quỳnh", "Kim", "Hải", "Tuyết", "Như", "Ánh",
)
GIVEN_MALE = (
    "An", "Bình", "Cường", "Dũng", "Đạt", "Hiếu", "Hùng", "Huy", "Khải", "Khoa",
    "Lâm", "Lộc", "Long", "Nghĩa", "Phúc", "Quân", "Quyết", "Sơn", "Tài", "Thắng",
    "Thịnh", "Toàn", "Trung", "Tùng", "Vinh", "Vũ", "Việt", "Hưng", "Kiên", "Lực",
    "Nhật", "Phát", "Sỹ", "Tiến", "Tuyển", "Ước", "Đông", "Khôi", "Hoàng", "Thuận",
)
GIVEN_FEMALE = (
    "Anh", "Chi", "Dung", "Giang", "Hà", "Hạnh", "Hằng", "Hiền", "Hoa", "Huyền",
    "Hương", "Lan", "Liên", "Linh", "Loan", "Mai", "My", "Nga", "Ngân", "Nhung",
    "Oanh", "Phượng", "Quyên", "Thảo", "Thơ", "Thủy", "Trang", "Tuyết", "Uyên", "Vân",
    "Xuân", "Yến", "Ngọc", "Diệp", "Ly", "Trâm", "Khuê", "Nguyệt", "Mỹ", "Huệ",
)
# Kinh dominate (~85 %) but the forms print the ethnicity, so the rare ones matter too.
ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("Kinh", 85), ("Tày", 2), ("Thái", 2), ("Mường", 2), ("Khmer", 2), ("Hoa", 1),
    ("Nùng", 1), ("H'Mông", 1), ("Dao", 1), ("Gia Rai", 1), ("Ê Đê", 1), ("Ba Na", 1),
    ("Sán Dìu", 1), ("Chăm", 1),
)
HOSPITAL_KINDS = (
    "Bệnh viện đa khoa {p}", "Bệnh viện Sản - Nhi {p}", "Trung tâm Y tế {d}",
    "Trạm Y tế {w}", "Bệnh viện Phụ sản {p}",
)
STREETS = (
    "Lê Lợi", "Trần Hưng Đạo", "Nguyễn Trãi", "Hai Bà Trưng", "Quang Trung", "Lý Thường Kiệt",
    "Phan Đình Phùng", "Điện Biên Phủ", "Hùng Vương", "Lê Duẩn", "Nguyễn Huệ", "Bà Triệu",
    "Trần Phú", "Võ Thị Sáu", "Ngô Quyền", "Phạm Ngũ Lão", "Hoàng Diệu", "Chu Văn An",
)
SHOP_NAMES = (
    "Minh Anh", "Phúc Lộc", "Hương Giang", "Thành Đạt", "An Khang", "Hoàng Long",
    "Bảo Ngọc", "Tân Phát", "Kim Ngân", "Đức Thịnh", "Hồng Nhung", "Việt Hưng",
)
# Kind of shop (in the business name) and the trade registered for it.
SHOP_TRADES: tuple[tuple[str, str], ...] = (
    ("TẠP HÓA", "Bán lẻ hàng tạp hóa"), ("QUÁN ĂN", "Dịch vụ ăn uống"),
    ("SỬA XE", "Sửa chữa xe máy"), ("THỜI TRANG", "Bán lẻ quần áo, giày dép"),
    ("NHÀ THUỐC", "Bán lẻ thuốc tân dược"), ("VĂN PHÒNG PHẨM", "Kinh doanh văn phòng phẩm"),
    ("TÓC", "Cắt tóc, gội đầu"), ("VẬT LIỆU XÂY DỰNG", "Bán buôn vật liệu xây dựng"),
    ("PHOTOCOPY", "Dịch vụ photocopy, in ấn"), ("ĐIỆN THOẠI", "Bán lẻ điện thoại di động"),
)


@dataclass(frozen=True)
class Person:
    """A made-up person with the attributes the papers print."""

    family: str
    middle: str
    given: str
    sex: str  # "nam" | "nữ"
    birth_date: dt.date
    ethnicity: str
    birth_province_code: str  # 2-digit code of the province of birth

    @property
    def name(self) -> str:
        return f"{self.family} {self.middle} {self.given}"

    @property
    def upper(self) -> str:
        return self.name.upper()


# The lowest unit a paper prints of a place: its ward (an address), or only the province.
Level = Literal["ward", "district", "province"]


@dataclass(frozen=True)
class Place:
    """One administrative unit (a ward/commune) with its parents, as of one era."""

    era: str  # "legacy" (before 2025-07-01) | "2025"
    province: str  # "Thành phố Hà Nội"
    province_short: str  # "Hà Nội"
    province_code: str
    district: str | None  # "Quận Hoàn Kiếm"; None in the 2025 era
    district_short: str | None
    district_code: str | None
    ward: str  # "Phường Tràng Tiền"
    ward_short: str
    ward_code: str
    # Named as it stood before a change the list already shows (Thừa Thiên Huế before
    # 2025): a unit the legacy list no longer holds in that form (see `unit_era`).
    former: bool = False

    @property
    def unit_era(self) -> str:
        """The era of the unit as the paper names it, in the terms of sohoa's issuer field
        (docs/extract.md, `issuer_era`): "historical" for a unit since abolished or renamed
        before the legacy list's state (mid-2025) — "tỉnh Thừa Thiên Huế" ceased on
        1/1/2025 (Nghị quyết 175/2024/QH15), as quận 2 did on 1/1/2021 — else the list's
        era ("legacy" or "2025").  `era` itself stays the list the place was drawn from."""
        return "historical" if self.former else self.era

    def address(self, lower: bool = True) -> str:
        """'Phường Tràng Tiền, quận Hoàn Kiếm, thành phố Hà Nội' (unit words lower-case
        after the first, as the forms write them)."""
        parts = [self.ward, *([self.district] if self.district else []), self.province]
        if lower:
            parts = [parts[0]] + [_lower_kind(p) for p in parts[1:]]
        return ", ".join(parts)

    def as_of(self, on: dt.date, level: Level = "ward") -> Place | None:
        """This unit as a paper dated `on` names it, or None if it did not stand then.

        `level` is the lowest unit the paper prints: "ward", "district" or "province" (a
        birth place that names only the province).  A 2025 unit stands from the reform
        on; a legacy one before it, from the day `history` knows it stood, with the
        province's former name before a rename.  After the reform a legacy province is
        printed as the 2025 province it became part of (no legacy ward or district
        stands then)."""
        if self.era == "2025":
            return self if on >= history.REFORM else None
        if on >= history.REFORM:
            if level != "province":
                return None
            return _province_2025(history.PROVINCE_2025[self.province_code])
        if not history.stood(history.province_since(self.province_code), on):
            return None
        if level != "province" and not (
                self.district_code is None
                or history.stood(history.district_since(self.district_code), on)):
            return None
        if level == "ward" and not history.stood(history.ward_since(self.ward_code), on):
            return None
        name, short = history.province_name_on(self.province_code, self.province,
                                               self.province_short, on)
        if (name, short) == (self.province, self.province_short):
            return self
        return replace(self, province=name, province_short=short, former=True)


def _lower_kind(unit: str) -> str:
    for kind in ("Thành phố", "Thị xã", "Thị trấn", "Tỉnh", "Quận", "Huyện", "Phường", "Xã",
                 "Đặc khu"):
        if unit.startswith(kind + " "):
            return kind.lower() + unit[len(kind):]
    return unit


def lower_kind(unit: str) -> str:
    """'Quận Hoàn Kiếm' -> 'quận Hoàn Kiếm' (used inside running text)."""
    return _lower_kind(unit)


_KIND_FIXES = {"Thành Phố ": "Thành phố ", "Thị Xã ": "Thị xã ", "Thị Trấn ": "Thị trấn "}


def _fix_kind(value: str | None) -> str | None:
    """A few rows spell the unit kind in title case ('Thị Xã Buôn Hồ'); forms do not."""
    if value:
        for wrong, right in _KIND_FIXES.items():
            if value.startswith(wrong):
                return right + value[len(wrong):]
    return value


@functools.cache
def _db_rows(era: str) -> tuple[tuple[str | None, ...], ...]:
    path = importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"
    with importlib.resources.as_file(path) as file:
        con = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            if era == "legacy":
                sql = (
                    "SELECT province, provinceShort, provinceCode, district, districtShort,"
                    " districtCode, ward, wardShort, wardCode FROM admin_units_legacy"
                    " WHERE ward IS NOT NULL AND wardType IS NOT NULL ORDER BY wardCode"
                )
            else:
                sql = (
                    "SELECT province, provinceShort, provinceCode, NULL, NULL, NULL, ward,"
                    " wardShort, wardCode FROM admin_units WHERE wardType IN ('Phường', 'Xã')"
                    " ORDER BY wardCode"
                )
            return tuple(tuple(_fix_kind(x) for x in r) for r in con.execute(sql))
        finally:
            con.close()


def _row_place(era: str, r: tuple[str | None, ...]) -> Place:
    return Place(era, str(r[0]), str(r[1]), str(r[2]), r[3], r[4], r[5], str(r[6]),
                 str(r[7]), str(r[8]))


@functools.cache
def _province_2025(code: str) -> Place:
    """A 2025 province as a Place naming the province only (its first ward stands in)."""
    return next(_row_place("2025", r) for r in _db_rows("2025") if r[2] == code)


# Draws before giving up on the rejection loop and choosing among the standing units.
_MAX_DRAWS = 200


def random_place(rng: random.Random, era: str, *, province_code: str | None = None,
                 on: dt.date | None = None, level: Level = "ward") -> Place:
    """A uniformly drawn ward of `era` (optionally within one province) that stood on
    `on` (see `Place.as_of`; `level`: the lowest unit the paper prints), named as then.

    A unit that did not stand is drawn again, so a paper whose first draw stood consumes
    the generator exactly as when no date was checked (the same bytes as before)."""
    rows = _db_rows(era)
    if province_code is not None:
        rows = tuple(r for r in rows if r[2] == province_code) or rows
    for _ in range(_MAX_DRAWS):
        place = _row_place(era, rng.choice(rows))
        dated = place if on is None else place.as_of(on, level)
        if dated is not None:
            return dated
    assert on is not None
    standing = [p for p in (_row_place(era, r).as_of(on, level) for r in rows) if p]
    if not standing:
        raise ValueError(f"no {era} unit stood on {on} (province {province_code})")
    return rng.choice(standing)


def weighted(rng: random.Random, pool: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pool], weights=[w for _, w in pool])[0]


def random_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange(max(1, (end - start).days + 1)))


def random_person(rng: random.Random, *, sex: str | None = None, born_from: dt.date,
                  born_to: dt.date, family: str | None = None,
                  province_code: str | None = None) -> Person:
    sex = sex or rng.choice(("nam", "nữ"))
    male = sex == "nam"
    return Person(
        family=family or weighted(rng, FAMILY_NAMES),
        middle=rng.choice(MIDDLE_MALE if male else MIDDLE_FEMALE),
        given=rng.choice(GIVEN_MALE if male else GIVEN_FEMALE),
        sex=sex,
        birth_date=random_date(rng, born_from, born_to),
        ethnicity=weighted(rng, ETHNICITIES),
        birth_province_code=province_code or rng.choice(_legacy_province_codes()),
    )


@functools.cache
def _legacy_province_codes() -> tuple[str, ...]:
    return tuple(sorted({str(r[2]) for r in _db_rows("legacy")}))


def cccd(rng: random.Random, person: Person) -> str:
    """12-digit citizen ID: 3-digit province code, century+sex digit, 2-digit birth year,
    6 random digits (Thông tư 07/2016/TT-BCA)."""
    century = (person.birth_date.year // 100) - 19  # 1900s -> 0, 2000s -> 1
    digit = century * 2 + (0 if person.sex == "nam" else 1)
    tail = "".join(str(rng.randrange(10)) for _ in range(6))
    return f"0{person.birth_province_code}{digit}{person.birth_date.year % 100:02d}{tail}"


def cmnd(rng: random.Random) -> str:
    """9-digit identity card number of the pre-2016 kind."""
    return str(rng.randrange(1, 4)) + "".join(str(rng.randrange(10)) for _ in range(8))


def id_for(rng: random.Random, person: Person, on: dt.date) -> tuple[str, str]:
    """(label kind, number) of the ID a paper issued `on` would print for an adult:
    CCCD after 2016, otherwise (and sometimes after) a 9-digit CMND."""
    if on.year >= 2021 or (on.year >= 2016 and rng.random() < 0.6):
        return "CCCD", cccd(rng, person)
    return "CMND", cmnd(rng)


_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _three(n: int, full: bool) -> str:
    """Vietnamese words for 0 <= n < 1000; `full` when a higher group precedes."""
    h, t, u = n // 100, (n // 10) % 10, n % 10
    words: list[str] = []
    if full or h:
        words += [_DIGITS[h], "trăm"]
    if t == 0:
        if u and (full or h):
            words.append("linh")
    elif t == 1:
        words.append("mười")
    else:
        words += [_DIGITS[t], "mươi"]
    if u:
        if u == 1 and t >= 2:
            words.append("mốt")
        elif u == 5 and t >= 1:
            words.append("lăm")
        elif u == 4 and t >= 2:
            words.append("tư")
        else:
            words.append(_DIGITS[u])
    return " ".join(words)


def number_words(n: int) -> str:
    """1 -> 'một', 2026 -> 'hai nghìn không trăm hai mươi sáu', 100000000 -> 'một trăm triệu'."""
    if n == 0:
        return "không"
    groups: list[int] = []
    while n:
        groups.append(n % 1000)
        n //= 1000
    units = ("", "nghìn", "triệu", "tỷ")
    out: list[str] = []
    for i in range(len(groups) - 1, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        out.append(_three(g, full=i < len(groups) - 1))
        if units[i]:
            out.append(units[i])
    return " ".join(out)


MONTH_WORDS = ("", "Một", "Hai", "Ba", "Tư", "Năm", "Sáu", "Bảy", "Tám", "Chín", "Mười",
               "Mười một", "Mười hai")


def date_words(d: dt.date) -> str:
    """The birth certificate's 'ghi bằng chữ':
    'Ngày năm, tháng một, năm hai nghìn không trăm hai mươi sáu'."""
    return (f"Ngày {number_words(d.day)}, tháng {MONTH_WORDS[d.month].lower()}, "
            f"năm {number_words(d.year)}")


def money_words(n: int) -> str:
    return number_words(n).capitalize() + " đồng"


def dotted(n: int) -> str:
    """100000000 -> '100.000.000' (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")
