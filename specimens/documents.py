"""Generators of synthetic Vietnamese administrative result papers, with ground truth.

Each generator builds a paper line by line (``Line``: text, layout region, style) and
returns a ``Specimen``: the exact rendered lines plus the values an extractor should
find. All randomness comes from one ``random.Random(seed)``, so a seed always yields the
same paper.
"""

from __future__ import annotations

import calendar
import dataclasses
import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from specimens import pools
from specimens.idnumbers import make_cccd, make_cmnd
from specimens.numbers import date_words, money_words
from specimens.pools import District, Province

REGIONS = ("agency", "number", "motto", "title", "subtitle", "body", "dateline", "signer")
STYLES = ("regular", "bold", "italic")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
BODY_WIDTH = 68  # characters per body line: fits A4 at 13 pt with 30/15 mm margins

NEW_ERA = (date(2016, 1, 1), date(2024, 12, 31))  # 12-digit personal numbers in use
OLD_ERA = (date(1990, 1, 1), date(2015, 12, 31))  # 9-digit CMND era


@dataclass
class Line:
    text: str
    region: str  # one of REGIONS
    style: str = "regular"  # one of STYLES


@dataclass
class Specimen:
    """One synthetic paper and everything true about it.

    ``subjects`` are dicts with keys name/id_number/birth_date/role/sex (the keys of
    ``records.Subject``); sex is "nam" or "nữ"; dates are ISO. ``lines`` is what is
    printed, in reading order (left header, right header, title, body, dateline,
    signature block); ``text`` joins them with newlines.
    """

    doc_type: str
    title: str
    lines: list[str]
    text: str
    document_number: str | None
    issuer: str
    issued_on: str
    valid_until: str | None
    subjects: list[dict[str, str | None]]
    fields: dict[str, Any]
    layout: list[Line]
    seal_text: str
    seed: int
    old: bool

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Specimen:
        known = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        values["layout"] = [Line(**line) for line in data["layout"]]
        return cls(**values)


@dataclass
class _Person:
    name: str  # upper case, as printed
    sex: str
    birth: date
    id_number: str | None
    ethnicity: str
    birth_province: str
    residence: str

    def subject(self, role: str) -> dict[str, str | None]:
        return {"name": self.name, "id_number": self.id_number,
                "birth_date": self.birth.isoformat(), "role": role, "sex": self.sex}


@dataclass
class _Paper:
    """A paper being composed: where it is issued, when, and its lines so far."""

    rng: random.Random
    old: bool
    issued_on: date
    province: Province
    district: District
    ward: tuple[str, str]
    layout: list[Line] = field(default_factory=list)

    def add(self, region: str, text: str, style: str = "regular") -> None:
        self.layout.append(Line(text, region, style))

    def body(self, text: str, style: str = "regular") -> None:
        # Continuation lines are indented like on typed forms; wrapping happens here,
        # not in the renderer, so ``lines`` is exactly what gets printed.
        for line in textwrap.wrap(text, BODY_WIDTH, subsequent_indent="    "):
            self.add("body", line, style)


# ---------------------------------------------------------------- small helpers


def _random_date(rng: random.Random, start: date, end: date) -> date:
    return date.fromordinal(rng.randint(start.toordinal(), end.toordinal()))


def _add_months(day: date, months: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _birth_for_age(rng: random.Random, on: date, min_age: int, max_age: int) -> date:
    latest = on.replace(year=on.year - min_age) if not (on.month == 2 and on.day == 29) \
        else date(on.year - min_age, 2, 28)
    earliest = date(on.year - max_age - 1, on.month, 1) + timedelta(days=1)
    return _random_date(rng, earliest, latest)


def _dmy(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _dateline(rng: random.Random, place: str, day: date) -> str:
    if rng.random() < 0.3:
        return f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{place}, ngày {day.day} tháng {day.month} năm {day.year}"


def _area(value: float) -> str:
    """Vietnamese decimal comma: 120.5 → "120,5"."""
    return f"{value:.1f}".replace(".", ",")


def _money(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _given_names(rng: random.Random, sex: str) -> str:
    if sex == "nam":
        return f"{rng.choice(pools.MALE_MIDDLE)} {rng.choice(pools.MALE_GIVEN)}"
    middle = rng.choice(pools.FEMALE_MIDDLE)
    if rng.random() < 0.2:  # four-word female names like "Nguyễn Thị Thu Hà"
        middle = f"{middle} {rng.choice(pools.FEMALE_MIDDLE[3:])}"
    return f"{middle} {rng.choice(pools.FEMALE_GIVEN)}"


def _full_name(rng: random.Random, sex: str, family: str | None = None) -> str:
    family = family or _weighted(rng, pools.FAMILY_NAMES)
    return f"{family} {_given_names(rng, sex)}"


def _unit(kind: str, name: str) -> str:
    return f"{kind} {name}"


def _address(rng: random.Random, province: Province, district: District | None = None,
             ward: tuple[str, str] | None = None) -> str:
    district = district or rng.choice(province.districts)
    ward = ward or rng.choice(district.wards)
    if ward[0] == "xã":
        head = f"Thôn {rng.randint(1, 12)}"
    else:
        street_kind = "phố" if province.name in ("Hà Nội", "Hải Phòng") else "đường"
        head = f"Số {rng.randint(1, 250)} {street_kind} {rng.choice(pools.STREETS)}"
    return (f"{head}, {_unit(*ward)}, {_unit(district.kind, district.name)}, "
            f"{_unit(province.kind, province.name)}")


def _place_of(paper: _Paper, agency_kind: str) -> str:
    """Where the paper is dated: the province for its departments, else the town."""
    if paper.district.kind == "thành phố" and agency_kind != "department":
        return paper.district.name
    return paper.province.name


def _ward_agency(paper: _Paper) -> str:
    return "UBND " + _unit(*paper.ward).upper()


def _district_agency(paper: _Paper) -> str:
    return "UBND " + _unit(paper.district.kind, paper.district.name).upper()


def _justice_agency(paper: _Paper) -> str:
    return "SỞ TƯ PHÁP " + _unit(paper.province.kind, paper.province.name).upper()


def _seal_text(issuer: str, paper: _Paper) -> str:
    full = issuer.replace("UBND ", "ỦY BAN NHÂN DÂN ", 1)
    province = paper.province.name.upper()
    return f"{full} *" if full.endswith(province) else f"{full} * {province} *"


def _ward_phrase(paper: _Paper) -> str:
    return (f"Ủy ban nhân dân {_unit(*paper.ward)}, "
            f"{_unit(paper.district.kind, paper.district.name)}, "
            f"{_unit(paper.province.kind, paper.province.name)}")


def _number(rng: random.Random, year: int, suffix: str, top: int = 400) -> str:
    return f"{rng.randint(1, top)}/{year}/{suffix}"


def _new_paper(rng: random.Random, old: bool, issued_on: date | None = None) -> _Paper:
    province = rng.choice(pools.PROVINCES)
    district = rng.choice(province.districts)
    ward = rng.choice(district.wards)
    if issued_on is None:
        issued_on = _random_date(rng, *(OLD_ERA if old else NEW_ERA))
    return _Paper(rng, old, issued_on, province, district, ward)


def _person(paper: _Paper, *, sex: str | None = None, min_age: int = 18, max_age: int = 70,
            on: date | None = None, family: str | None = None, with_id: bool = True,
            local: bool = True) -> _Person:
    rng = paper.rng
    sex = sex or rng.choice(pools.SEXES)
    birth = _birth_for_age(rng, on or paper.issued_on, min_age, max_age)
    if rng.random() < 0.75:
        birth_province, code = paper.province.name, paper.province.cccd_code
    else:
        birth_province, code = rng.choice(pools.EXTRA_BIRTH_PROVINCES)
    id_number: str | None = None
    if with_id:
        id_number = (make_cmnd(rng, paper.province.cmnd_prefix) if paper.old
                     else make_cccd(rng, code, birth, sex))
    residence = (_address(rng, paper.province, paper.district, paper.ward) if local
                 else _address(rng, paper.province))
    return _Person(name=_full_name(rng, sex, family).upper(), sex=sex, birth=birth,
                   id_number=id_number, ethnicity=_weighted(rng, pools.ETHNICITIES),
                   birth_province=birth_province, residence=residence)


def _id_phrase(paper: _Paper, person: _Person) -> str:
    kind = "Chứng minh nhân dân" if paper.old else "Căn cước công dân"
    return f"Giấy tờ tùy thân: {kind} số {person.id_number}"


def _sex_label(sex: str) -> str:
    return "Nam" if sex == "nam" else "Nữ"


def _honorific(sex: str) -> str:
    return "Ông" if sex == "nam" else "Bà"


# ---------------------------------------------------------------- header / footer


def _header(paper: _Paper, issuer: str, number: str, title: list[str]) -> None:
    paper.add("agency", issuer, "bold")
    paper.add("number", f"Số: {number}")
    paper.add("motto", MOTTO[0], "bold")
    paper.add("motto", MOTTO[1], "bold")
    for line in title:
        paper.add("title", line, "bold")


def _footer(paper: _Paper, agency_kind: str) -> tuple[list[str], str]:
    """Dateline and signature block; returns the signer's title lines and name."""
    rng = paper.rng
    paper.add("dateline", _dateline(rng, _place_of(paper, agency_kind), paper.issued_on), "italic")
    head, deputy = (("GIÁM ĐỐC", "PHÓ GIÁM ĐỐC") if agency_kind == "department"
                    else ("CHỦ TỊCH", "PHÓ CHỦ TỊCH"))
    titles = [] if agency_kind == "department" else ["TM. ỦY BAN NHÂN DÂN"]
    titles += [f"KT. {head}", deputy] if rng.random() < 0.4 else [head]
    for line in titles:
        paper.add("signer", line, "bold")
    name = _full_name(rng, rng.choice(pools.SEXES))
    paper.add("signer", name, "bold")
    return titles, name


def _finish(paper: _Paper, doc_type: str, seed: int, *, issuer: str, number: str,
            subjects: list[dict[str, str | None]], fields: dict[str, Any],
            agency_kind: str, valid_months: int | None = None) -> Specimen:
    titles, signer = _footer(paper, agency_kind)
    fields = {**fields, "signer_title": titles[-1], "signer_name": signer}
    lines = [line.text for line in paper.layout]
    valid_until = (_add_months(paper.issued_on, valid_months).isoformat()
                   if valid_months else None)
    return Specimen(
        doc_type=doc_type,
        title=" ".join(line.text for line in paper.layout if line.region == "title"),
        lines=lines, text="\n".join(lines), document_number=number, issuer=issuer,
        issued_on=paper.issued_on.isoformat(), valid_until=valid_until,
        subjects=subjects, fields=fields, layout=paper.layout,
        seal_text=_seal_text(issuer, paper), seed=seed, old=paper.old,
    )


def _person_lines(paper: _Paper, person: _Person, *, name_label: str = "Họ, chữ đệm, tên",
                  residence_label: str = "Nơi cư trú") -> None:
    paper.body(f"{name_label}: {person.name}")
    paper.body(f"Ngày, tháng, năm sinh: {_dmy(person.birth)}")
    paper.body(f"Giới tính: {_sex_label(person.sex)}   Dân tộc: {person.ethnicity}   "
               f"Quốc tịch: Việt Nam")
    if person.id_number:
        paper.body(_id_phrase(paper, person))
    paper.body(f"{residence_label}: {person.residence}")


# ---------------------------------------------------------------- the eight papers


def birth_certificate(rng: random.Random, seed: int) -> Specimen:
    old = rng.random() < 0.3
    birth = _random_date(rng, date(1975, 1, 1), date(2014, 10, 31)) if old \
        else _random_date(rng, date(2016, 1, 1), date(2024, 10, 31))
    paper = _new_paper(rng, old, birth + timedelta(days=rng.randint(1, 60)))
    sex = rng.choice(pools.SEXES)
    father_family = _weighted(rng, pools.FAMILY_NAMES)
    has_father = rng.random() > 0.05
    child = _Person(
        name=_full_name(rng, sex, father_family if has_father else None).upper(), sex=sex,
        birth=birth,
        # Old birth certificates carry no number; new ones the child's personal number.
        id_number=None if old else make_cccd(rng, paper.province.cccd_code, birth, sex),
        ethnicity=_weighted(rng, pools.ETHNICITIES), birth_province=paper.province.name,
        residence="",
    )
    mother = _person(paper, sex="nữ", min_age=18, max_age=42, on=birth, with_id=False)
    father = _person(paper, sex="nam", min_age=20, max_age=48, on=birth,
                     family=father_family, with_id=False) if has_father else None
    birth_place = rng.choice((
        f"Bệnh viện Đa khoa {_unit(paper.province.kind, paper.province.name)}",
        f"Trạm Y tế {_unit(*paper.ward)}, {_unit(paper.district.kind, paper.district.name)}",
        f"Bệnh viện Phụ sản {paper.province.name}",
    ))
    issuer = _ward_agency(paper)
    number = _number(rng, paper.issued_on.year, "KS")
    _header(paper, issuer, number, ["GIẤY KHAI SINH"])
    if old:
        paper.add("subtitle", "(BẢN CHÍNH)", "italic")
    paper.body(f"Họ, chữ đệm, tên: {child.name}")
    paper.body(f"Ngày, tháng, năm sinh: {_dmy(birth)}")
    paper.body(f"Ghi bằng chữ: {date_words(birth)}")
    paper.body(f"Giới tính: {_sex_label(sex)}   Dân tộc: {child.ethnicity}   "
               "Quốc tịch: Việt Nam")
    paper.body(f"Nơi sinh: {birth_place}")
    if child.id_number:
        paper.body(f"Số định danh cá nhân: {child.id_number}")
    for label, parent in (("mẹ", mother), ("cha", father)):
        if parent is None:
            paper.body(f"Họ, chữ đệm, tên người {label}:")
            continue
        paper.body(f"Họ, chữ đệm, tên người {label}: {parent.name}")
        paper.body(f"Năm sinh: {parent.birth.year}   Dân tộc: {parent.ethnicity}   "
                   "Quốc tịch: Việt Nam")
        paper.body(f"Nơi cư trú: {parent.residence}")
    paper.body(f"Nơi đăng ký khai sinh: {_ward_phrase(paper)}")
    paper.body(f"Ngày, tháng, năm đăng ký: {_dmy(paper.issued_on)}")
    return _finish(
        paper, "birth_certificate", seed, issuer=issuer, number=number,
        subjects=[child.subject("người được khai sinh")],
        fields={"father_name": father.name if father else None, "mother_name": mother.name,
                "birth_place": birth_place, "ethnicity": child.ethnicity,
                "nationality": "Việt Nam"},
        agency_kind="ubnd")


def marriage_certificate(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.25)
    husband = _person(paper, sex="nam", min_age=20, max_age=45)
    wife = _person(paper, sex="nữ", min_age=18, max_age=42, local=rng.random() < 0.5)
    issuer = _ward_agency(paper)
    number = _number(rng, paper.issued_on.year, "KH", 150)
    _header(paper, issuer, number, ["GIẤY CHỨNG NHẬN KẾT HÔN"])
    _person_lines(paper, husband, name_label="Họ, chữ đệm, tên chồng")
    _person_lines(paper, wife, name_label="Họ, chữ đệm, tên vợ")
    paper.body(f"Nơi đăng ký kết hôn: {_ward_phrase(paper)}")
    paper.body(f"Ngày, tháng, năm đăng ký: {_dmy(paper.issued_on)}")
    return _finish(
        paper, "marriage_certificate", seed, issuer=issuer, number=number,
        subjects=[husband.subject("chồng"), wife.subject("vợ")],
        fields={"registered_on": paper.issued_on.isoformat(),
                "husband_residence": husband.residence, "wife_residence": wife.residence},
        agency_kind="ubnd")


def marital_status_certificate(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.2)
    person = _person(paper, min_age=18, max_age=60)
    partner = _full_name(rng, "nữ" if person.sex == "nam" else "nam").upper()
    status, purpose = rng.choice((
        ("Hiện tại chưa đăng ký kết hôn với ai.",
         f"Làm thủ tục đăng ký kết hôn với {'bà' if person.sex == 'nam' else 'ông'} "
         f"{partner}"),
        ("Hiện tại chưa đăng ký kết hôn với ai.", "Bổ sung hồ sơ vay vốn ngân hàng"),
        (f"Đã ly hôn theo Bản án số {rng.randint(10, 300)}/{paper.issued_on.year - 2}"
         f"/HNGĐ-ST của Tòa án nhân dân {_unit(paper.district.kind, paper.district.name)}; "
         "hiện tại chưa đăng ký kết hôn với ai.", "Làm thủ tục đăng ký kết hôn"),
        (f"Đang có {'vợ là bà' if person.sex == 'nam' else 'chồng là ông'} {partner}.",
         "Làm thủ tục chuyển nhượng quyền sử dụng đất"),
    ))
    issuer = _ward_agency(paper)
    number = _number(rng, paper.issued_on.year, "XNTTHN")
    _header(paper, issuer, number, ["GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"])
    paper.body(f"Xét đề nghị của {_honorific(person.sex).lower()} {person.name} về việc "
               "xác nhận tình trạng hôn nhân,")
    paper.body(f"{issuer.replace('UBND ', 'ỦY BAN NHÂN DÂN ', 1)} XÁC NHẬN:", "bold")
    _person_lines(paper, person)
    paper.body(f"Tình trạng hôn nhân: {status}")
    paper.body(f"Giấy này được cấp để: {purpose}.")
    paper.body("Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.",
               "italic")
    return _finish(
        paper, "marital_status_certificate", seed, issuer=issuer, number=number,
        subjects=[person.subject("người được xác nhận")],
        fields={"marital_status": status, "purpose": purpose, "residence": person.residence},
        agency_kind="ubnd", valid_months=6)


def criminal_record_certificate(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.2)
    person = _person(paper, min_age=18, max_age=70, local=False)
    card = 1 if rng.random() < 0.85 else 2
    issuer = _justice_agency(paper)
    number = _number(rng, paper.issued_on.year, "LLTP", 9000)
    _header(paper, issuer, number, [f"PHIẾU LÝ LỊCH TƯ PHÁP SỐ {card}"])
    paper.body("Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;", "italic")
    paper.body(f"Xét đề nghị của {_honorific(person.sex).lower()} {person.name},", "italic")
    paper.body(f"1. Họ và tên: {person.name}   2. Giới tính: {_sex_label(person.sex)}")
    paper.body(f"3. Ngày, tháng, năm sinh: {_dmy(person.birth)}")
    paper.body(f"4. Nơi sinh: {person.birth_province}")
    paper.body(f"5. Quốc tịch: Việt Nam   6. Dân tộc: {person.ethnicity}")
    paper.body(f"7. Nơi cư trú: {person.residence}")
    kind = "Chứng minh nhân dân" if paper.old else "Căn cước công dân"
    paper.body(f"8. {kind} số: {person.id_number}")
    fields: dict[str, Any] = {"card_number": card, "criminal_record": "Không có án tích",
                              "birth_place": person.birth_province}
    if card == 2:
        father = _full_name(rng, "nam", person.name.split()[0].capitalize()).upper()
        mother = _full_name(rng, "nữ").upper()
        paper.body(f"9. Họ và tên cha: {father}")
        paper.body(f"10. Họ và tên mẹ: {mother}")
        fields |= {"father_name": father, "mother_name": mother}
    paper.body("TÌNH TRẠNG ÁN TÍCH: Không có án tích", "bold")
    paper.body("THÔNG TIN VỀ VIỆC CẤM ĐẢM NHIỆM CHỨC VỤ, THÀNH LẬP, QUẢN LÝ DOANH "
               "NGHIỆP, HỢP TÁC XÃ: Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý "
               "doanh nghiệp, hợp tác xã.")
    return _finish(
        paper, "criminal_record_certificate", seed, issuer=issuer, number=number,
        subjects=[person.subject("người được cấp phiếu")], fields=fields,
        agency_kind="department", valid_months=6)


def household_business_registration(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.15)
    owner = _person(paper, min_age=20, max_age=65, local=False)
    district_letter = "ABCDEFGH"[paper.province.districts.index(paper.district)]
    code = f"{paper.province.business_code}{district_letter}8{rng.randrange(10**6):06d}"
    trade, line_of_business = rng.choice(pools.BUSINESS_TRADES)
    business_name = f"HỘ KINH DOANH {trade} {rng.choice(pools.BUSINESS_BRANDS)}"
    address = _address(rng, paper.province, paper.district)
    capital = rng.randint(5, 200) * 10_000_000
    first_registered = _random_date(rng, paper.issued_on - timedelta(days=3650),
                                    paper.issued_on)
    issuer = _district_agency(paper)
    number = _number(rng, paper.issued_on.year, "ĐKHKD")
    _header(paper, issuer, number, ["GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH"])
    paper.body(f"Mã số hộ kinh doanh: {code}", "bold")
    paper.body(f"Đăng ký lần đầu: ngày {first_registered.day} tháng {first_registered.month}"
               f" năm {first_registered.year}")
    if first_registered != paper.issued_on:
        paper.body(f"Đăng ký thay đổi lần thứ {rng.randint(1, 3)}: ngày "
                   f"{paper.issued_on.day} tháng {paper.issued_on.month} năm "
                   f"{paper.issued_on.year}")
    paper.body(f"1. Tên hộ kinh doanh: {business_name}")
    paper.body(f"2. Địa điểm kinh doanh: {address}")
    paper.body(f"Điện thoại: 09{rng.randrange(10**8):08d}")
    paper.body(f"3. Ngành, nghề kinh doanh: {line_of_business}")
    paper.body(f"4. Vốn kinh doanh: {_money(capital)} đồng ({money_words(capital)})")
    paper.body(f"5. Số lượng lao động: {rng.randint(1, 9)} người")
    paper.body(f"6. Họ và tên đại diện hộ kinh doanh: {owner.name}")
    paper.body(f"Giới tính: {_sex_label(owner.sex)}   Sinh ngày: {_dmy(owner.birth)}   "
               f"Dân tộc: {owner.ethnicity}")
    kind = "Chứng minh nhân dân" if paper.old else "Căn cước công dân"
    paper.body(f"Loại giấy tờ pháp lý của cá nhân: {kind}")
    paper.body(f"Số giấy tờ pháp lý của cá nhân: {owner.id_number}")
    paper.body(f"Địa chỉ thường trú: {owner.residence}")
    return _finish(
        paper, "household_business_registration", seed, issuer=issuer, number=number,
        subjects=[owner.subject("chủ hộ")],
        fields={"household_business_code": code, "business_name": business_name,
                "business_address": address, "business_lines": line_of_business,
                "capital_vnd": capital, "first_registered_on": first_registered.isoformat()},
        agency_kind="ubnd")


def construction_permit(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.15)
    owner = _person(paper, min_age=25, max_age=70, local=False)
    plot, sheet = str(rng.randint(1, 999)), str(rng.randint(1, 80))
    ward = rng.choice(paper.district.wards)
    site = (f"{_unit(*ward)}, {_unit(paper.district.kind, paper.district.name)}, "
            f"{_unit(paper.province.kind, paper.province.name)}")
    floors = rng.randint(1, 5)
    building_area = rng.randint(400, 1500) / 10
    floor_area = round(building_area * (1 + (floors - 1) * rng.uniform(0.85, 1.0)), 1)
    issuer = _district_agency(paper)
    number = _number(rng, paper.issued_on.year, "GPXD")
    _header(paper, issuer, number, ["GIẤY PHÉP XÂY DỰNG"])
    paper.add("subtitle", "(Sử dụng cho nhà ở riêng lẻ)", "italic")
    paper.body(f"1. Cấp cho: {_honorific(owner.sex)} {owner.name}")
    kind = "Chứng minh nhân dân" if paper.old else "Căn cước công dân"
    paper.body(f"{kind} số: {owner.id_number}   Ngày sinh: {_dmy(owner.birth)}")
    paper.body(f"Địa chỉ: {owner.residence}")
    paper.body("2. Được phép xây dựng công trình: Nhà ở riêng lẻ")
    paper.body(f"- Vị trí xây dựng: thửa đất số {plot}, tờ bản đồ số {sheet}, {site}")
    paper.body(f"- Diện tích xây dựng tầng 1: {_area(building_area)} m²")
    paper.body(f"- Tổng diện tích sàn: {_area(floor_area)} m²")
    paper.body(f"- Chiều cao công trình: {_area(3.6 * floors + 0.9)} m; số tầng: {floors}")
    paper.body(f"- Chỉ giới xây dựng: cách chỉ giới đường đỏ {_area(rng.randint(0, 40) / 10)} m")
    paper.body("3. Giấy tờ về đất đai: Giấy chứng nhận quyền sử dụng đất số "
               f"{rng.choice(('CS', 'CH', 'BX'))} {rng.randrange(10**6):06d}")
    paper.body("4. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng "
               "kể từ ngày cấp; quá thời hạn trên thì phải đề nghị gia hạn giấy phép "
               "xây dựng.", "italic")
    return _finish(
        paper, "construction_permit", seed, issuer=issuer, number=number,
        subjects=[owner.subject("chủ đầu tư")],
        fields={"plot_number": plot, "map_sheet": sheet, "construction_site": site,
                "construction_type": "Nhà ở riêng lẻ", "floors": floors,
                "building_area_m2": building_area, "floor_area_m2": floor_area},
        agency_kind="ubnd", valid_months=12)


def death_extract(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.2)
    death = paper.issued_on - timedelta(days=rng.randint(1, 14))
    deceased = _person(paper, min_age=40, max_age=95, on=death,
                       with_id=not paper.old or rng.random() < 0.6)
    declarant = _person(paper, min_age=20, max_age=65)
    cause = rng.choice(pools.CAUSES_OF_DEATH)
    hospital = f"Bệnh viện Đa khoa {_unit(paper.province.kind, paper.province.name)}"
    death_place = rng.choice((f"Tại nhà, {deceased.residence}", hospital))
    issuer = _ward_agency(paper)
    number = _number(rng, paper.issued_on.year, "TLKT", 200)
    _header(paper, issuer, number, ["TRÍCH LỤC KHAI TỬ"])
    _person_lines(paper, deceased, residence_label="Nơi cư trú cuối cùng")
    paper.body(f"Đã chết vào lúc: {rng.randint(0, 23)} giờ {rng.randint(0, 59):02d} phút, "
               f"ngày {_dmy(death)}")
    paper.body(f"Nơi chết: {death_place}")
    paper.body(f"Nguyên nhân chết: {cause}")
    paper.body(f"Họ, chữ đệm, tên người đi khai tử: {declarant.name}")
    paper.body(_id_phrase(paper, declarant))
    paper.body(f"Nơi đăng ký khai tử: {_ward_phrase(paper)}")
    paper.body(f"Ngày, tháng, năm đăng ký: {_dmy(paper.issued_on)}")
    return _finish(
        paper, "death_extract", seed, issuer=issuer, number=number,
        subjects=[deceased.subject("người chết"), declarant.subject("người đi khai tử")],
        fields={"death_date": death.isoformat(), "death_place": death_place,
                "cause_of_death": cause, "declarant_name": declarant.name},
        agency_kind="ubnd")


def land_use_certificate(rng: random.Random, seed: int) -> Specimen:
    paper = _new_paper(rng, rng.random() < 0.3)
    holder = _person(paper, min_age=25, max_age=75, local=False)
    spouse = (_person(paper, sex="nữ" if holder.sex == "nam" else "nam", min_age=23,
                      max_age=75, local=False) if rng.random() < 0.4 else None)
    plot, sheet = str(rng.randint(1, 999)), str(rng.randint(1, 80))
    land_address = _address(rng, paper.province, paper.district)
    area = rng.randint(300, 5000) / 10
    purpose = rng.choice(pools.LAND_PURPOSES)
    term = "Lâu dài" if purpose.startswith("Đất ở") else f"Đến năm {paper.issued_on.year + 50}"
    origin = rng.choice(pools.LAND_ORIGINS)
    serial = f"{rng.choice(('BX', 'CS', 'CH', 'DA'))} {rng.randrange(10**6):06d}"
    register = f"CS{rng.randrange(10**5):05d}"
    issuer = _district_agency(paper)
    number = _number(rng, paper.issued_on.year, "GCN", 3000)
    title = (["GIẤY CHỨNG NHẬN", "QUYỀN SỬ DỤNG ĐẤT"] if paper.old else
             ["GIẤY CHỨNG NHẬN", "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
              "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT"])
    _header(paper, issuer, number, title)
    paper.body("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
               "bold")
    kind = "CMND" if paper.old else "CCCD"
    paper.body(f"{_honorific(holder.sex)}: {holder.name}   Sinh ngày: {_dmy(holder.birth)}")
    paper.body(f"{kind} số: {holder.id_number}")
    if spouse:
        paper.body(f"Và {'vợ' if spouse.sex == 'nữ' else 'chồng'} "
                   f"{_honorific(spouse.sex).lower()}: {spouse.name}   "
                   f"Sinh ngày: {_dmy(spouse.birth)}")
        paper.body(f"{kind} số: {spouse.id_number}")
    paper.body(f"Địa chỉ thường trú: {holder.residence}")
    paper.body("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "bold")
    paper.body(f"a) Thửa đất số: {plot};   b) Tờ bản đồ số: {sheet};")
    paper.body(f"c) Địa chỉ: {land_address}")
    paper.body(f"d) Diện tích: {_area(area)} m²")
    paper.body(f"đ) Hình thức sử dụng: {'Sử dụng chung' if spouse else 'Sử dụng riêng'}")
    paper.body(f"e) Mục đích sử dụng: {purpose}")
    paper.body(f"g) Thời hạn sử dụng: {term}")
    paper.body(f"h) Nguồn gốc sử dụng: {origin}")
    paper.body(f"Số phát hành: {serial}   Số vào sổ cấp GCN: {register}")
    subjects = [holder.subject("người sử dụng đất")]
    if spouse:
        subjects.append(spouse.subject("người sử dụng đất"))
    return _finish(
        paper, "land_use_certificate", seed, issuer=issuer, number=number,
        subjects=subjects,
        fields={"plot_number": plot, "map_sheet": sheet, "land_address": land_address,
                "area_m2": area, "land_use_purpose": purpose, "use_term": term,
                "origin": origin, "certificate_serial": serial, "register_number": register},
        agency_kind="ubnd")


Generator = Callable[[random.Random, int], Specimen]

GENERATORS: dict[str, Generator] = {
    "birth_certificate": birth_certificate,
    "marriage_certificate": marriage_certificate,
    "marital_status_certificate": marital_status_certificate,
    "criminal_record_certificate": criminal_record_certificate,
    "household_business_registration": household_business_registration,
    "construction_permit": construction_permit,
    "death_extract": death_extract,
    "land_use_certificate": land_use_certificate,
}
DOC_TYPES: tuple[str, ...] = tuple(GENERATORS)


def generate(doc_type: str | None, seed: int) -> Specimen:
    """One paper of ``doc_type`` (any type when None), fully determined by ``seed``."""
    if doc_type is None:
        doc_type = random.Random(seed).choice(DOC_TYPES)
    if doc_type not in GENERATORS:
        raise ValueError(f"unknown doc_type {doc_type!r}; known: {', '.join(DOC_TYPES)}")
    # Seeding with the type too keeps same-seed papers of different types unrelated;
    # str seeds are hashed with SHA-512, so this is stable across runs and platforms.
    return GENERATORS[doc_type](random.Random(f"{doc_type}:{seed}"), seed)


def generate_set(n: int, seed: int) -> list[Specimen]:
    """``n`` papers, types round-robin so every type appears once ``n >= 8``."""
    rng = random.Random(seed)
    return [generate(DOC_TYPES[i % len(DOC_TYPES)], rng.randrange(2**31)) for i in range(n)]
