"""What each of the eight result papers says, after the official templates.

Each builder returns the page blocks (what is printed, in reading order) and the
ground-truth values (what an extractor should find). Wording varies between two or three
phrasings per type, the way forms differ between agencies and template generations.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from evalset.data import (
    HOSPITAL_KINDS,
    SHOP_NAMES,
    SHOP_TRADES,
    STREETS,
    Level,
    Person,
    Place,
    date_words,
    dotted,
    id_for,
    lower_kind,
    money_words,
    number_words,
    random_date,
    random_person,
    random_place,
)
from evalset.history import REFORM
from evalset.layout import Block, Header, Page, Para, SignBlock, Span, Table

TODAY = dt.date(2026, 11, 30)  # the latest issue date the set uses (fixed: reproducible)


@dataclass
class Issuer:
    lines: list[str]
    official: str
    level: str
    ward_code: str | None
    district_code: str | None
    province_code: str
    era: str
    seal_ring: str
    seal_center: list[str]
    dateline_place: str
    sign_titles: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines, "official": self.official, "level": self.level,
            "ward_code": self.ward_code, "district_code": self.district_code,
            "province_code": self.province_code, "era": self.era,
        }


@dataclass
class Doc:
    doc_type: str
    page: Page
    document_number: str | None
    issued_on: dt.date
    valid_until: dt.date | None
    issuer: Issuer
    subjects: list[dict[str, Any]]
    fields: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- helpers


def up(s: str) -> str:
    return s.upper()


def fmt_date(rng: random.Random, d: dt.date, pad: bool = True) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if pad else f"{d.day}/{d.month}/{d.year}"


def long_date(d: dt.date, pad: bool = True) -> str:
    # Official practice pads day 1-9 and months 1-2 ("ngày 05 tháng 01 năm 2026").
    day = f"{d.day:02d}" if pad else str(d.day)
    month = f"{d.month:02d}" if pad and d.month < 3 else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def sp(text: str, style: str = "r") -> Span:
    return Span(text, style)  # type: ignore[arg-type]


def field_para(label: str, value: str, value_style: str = "r", **kw: Any) -> Para:
    return Para([sp(label), sp(value, value_style)], hang_mm=kw.pop("hang_mm", 0.0), **kw)


def motto(rng: random.Random) -> list[list[Span]]:
    return [[sp("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "b")],
            [sp("Độc lập - Tự do - Hạnh phúc", "b")]]


def street_address(rng: random.Random, place: Place) -> str:
    # After a street or hamlet the ward is written lower-case too ("Thôn 2, xã Hàm Thắng").
    rest = lower_kind(place.address())
    kind = rng.random()
    if kind < 0.45:
        return f"Số {rng.randrange(1, 300)} {rng.choice(STREETS)}, {rest}"
    if kind < 0.75:
        return f"Thôn {rng.randrange(1, 12)}, {rest}"
    return f"Tổ {rng.randrange(1, 40)}, {rest}"


# ----------------------------------------------------------------------------- issuers


def make_issuer(rng: random.Random, kind: str, place: Place) -> Issuer:
    """Header lines, official name, seal text and signer titles of an issuing agency.

    kind: "ward" (UBND xã/phường), "district" (UBND quận/huyện), "tckh" (its finance and
    planning office), "stp" (Sở Tư pháp), "land" (the province's land department).
    """
    legacy = place.era == "legacy"
    prov_up = up(place.province)
    prov_short_up = up(place.province_short)
    ward_up = up(place.ward)
    codes = dict(ward_code=place.ward_code, district_code=place.district_code,
                 province_code=place.province_code)
    dateline_choices = [place.province_short]
    if kind == "ward":
        dateline_choices += [place.ward_short]
        if place.district_short:
            dateline_choices += [place.district_short]
        v = rng.randrange(4)
        if v == 0:
            lines = [f"ỦY BAN NHÂN DÂN {ward_up}"]
        elif v == 1:
            lines = ["ỦY BAN NHÂN DÂN", ward_up]
        elif v == 2 and legacy and place.district:
            lines = [f"UBND {up(place.district)}", f"UBND {ward_up}"]
        else:
            lines = [prov_up, *([up(place.district)] if legacy and place.district else []),
                     f"UBND {ward_up}"]
        official = f"Ủy ban nhân dân {lower_kind(place.ward)}" + (
            f", {lower_kind(place.district)}" if legacy and place.district else ""
        ) + f", {lower_kind(place.province)}"
        ring = f"ỦY BAN NHÂN DÂN {ward_up} * " + (
            up(place.district) if legacy and place.district else prov_up)
        center: list[str] = []
        titles = rng.choice([["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
                             ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
                             ["CHỦ TỊCH"]])
        return Issuer(lines, official, "ward", ward_code=codes["ward_code"],
                      district_code=codes["district_code"] if legacy else None,
                      province_code=place.province_code, era=place.unit_era, seal_ring=ring,
                      seal_center=center, dateline_place=rng.choice(dateline_choices),
                      sign_titles=titles)
    if kind in ("district", "tckh"):
        assert place.district is not None
        dist_up = up(place.district)
        dateline_choices += [place.district_short or place.province_short]
        if kind == "district":
            lines = rng.choice([[f"ỦY BAN NHÂN DÂN {dist_up}"], ["ỦY BAN NHÂN DÂN", dist_up],
                                [f"UBND {prov_up}", f"UBND {dist_up}"]])
            official = (f"Ủy ban nhân dân {lower_kind(place.district)}, "
                        f"{lower_kind(place.province)}")
            ring = f"ỦY BAN NHÂN DÂN {dist_up} * {prov_up}"
            titles = rng.choice([["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"],
                                 ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]])
        else:
            lines = rng.choice([[f"UBND {dist_up}", "PHÒNG TÀI CHÍNH - KẾ HOẠCH"],
                                [f"ỦY BAN NHÂN DÂN {dist_up}", "PHÒNG TÀI CHÍNH - KẾ HOẠCH"]])
            official = (f"Phòng Tài chính - Kế hoạch {lower_kind(place.district)}, "
                        f"{lower_kind(place.province)}")
            ring = f"PHÒNG TÀI CHÍNH - KẾ HOẠCH * {dist_up}"
            titles = rng.choice([["TRƯỞNG PHÒNG"], ["KT. TRƯỞNG PHÒNG", "PHÓ TRƯỞNG PHÒNG"]])
        return Issuer(lines, official, "district", ward_code=None,
                      district_code=place.district_code, province_code=place.province_code,
                      era=place.unit_era, seal_ring=ring, seal_center=[],
                      dateline_place=rng.choice(dateline_choices), sign_titles=titles)
    if kind == "stp":
        lines = rng.choice([[f"UBND {prov_up}", "SỞ TƯ PHÁP"],
                            [f"ỦY BAN NHÂN DÂN {prov_up}", "SỞ TƯ PHÁP"]])
        official = f"Sở Tư pháp {lower_kind(place.province)}"
        ring = f"SỞ TƯ PHÁP * {prov_up}"
        titles = rng.choice([["GIÁM ĐỐC"], ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]])
        return Issuer(lines, official, "province", None, None, place.province_code, place.unit_era,
                      ring, ["SỞ TƯ PHÁP"], place.province_short, titles)
    # The land department: before the reform the Department of Natural Resources and
    # Environment, after it the merged Department of Agriculture and Environment.
    dept = "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG" if legacy else "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG"
    lines = rng.choice([[f"UBND {prov_up}", dept], [f"ỦY BAN NHÂN DÂN {prov_short_up}", dept]])
    official = ("Sở Tài nguyên và Môi trường" if legacy else "Sở Nông nghiệp và Môi trường") + (
        f" {lower_kind(place.province)}")
    titles = rng.choice([["GIÁM ĐỐC"], ["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC"]])
    return Issuer(lines, official, "province", None, None, place.province_code, place.unit_era,
                  f"{dept} * {prov_up}", [], place.province_short, titles)


def header(rng: random.Random, issuer: Issuer, number_line: str | None) -> Header:
    left = [[sp(line, "b" if i == len(issuer.lines) - 1 or rng.random() < 0.5 else "r")]
            for i, line in enumerate(issuer.lines)]
    rule = len(left) - 1
    if number_line:
        left.append([sp(number_line)])
    return Header(left=left, right=motto(rng), left_rule_after=rule, right_rule_after=1,
                  right_raise_mm=rng.choice([0.0, 0.0, 1.5, 3.0]),
                  left_size=rng.choice([-1.0, 0.0]), right_size=rng.choice([-1.0, 0.0]))


def sign_block(rng: random.Random, issuer: Issuer, issued_on: dt.date, signer: str,
               dateline: bool = True, titles: list[str] | None = None) -> SignBlock:
    date_spans = [sp(f"{issuer.dateline_place}, {long_date(issued_on, rng.random() < 0.8)}",
                     "i")] if dateline else None
    note = [sp("(Ký, ghi rõ họ tên, đóng dấu)", "i")] if rng.random() < 0.3 else None
    return SignBlock(dateline=date_spans,
                     titles=[[sp(t, "b")] for t in (titles or issuer.sign_titles)],
                     name=signer, note=note)


def subject(person: Person, role: str, id_number: str | None, capitals: bool = True,
            birth_known: bool = True) -> dict[str, Any]:
    return {"name": person.upper if capitals else person.name, "id_number": id_number,
            "birth_date": person.birth_date.isoformat() if birth_known else None,
            "role": role, "sex": person.sex}


def title_paras(*titles: str, size: float = 2.0) -> list[Block]:
    return [Para([sp(t, "b")], align="center", size=size, space_before=0.8 if i == 0 else 0)
            for i, t in enumerate(titles)]


def id_line(kind: str, number: str) -> str:
    return {"CCCD": "Căn cước công dân số", "CMND": "Chứng minh nhân dân số"}[kind] + f" {number}"


def id_label(kind: str) -> str:
    return {"CCCD": "Số CCCD:", "CMND": "Số CMND:"}[kind]


# ----------------------------------------------------------------------------- papers


def _issue_date(rng: random.Random) -> dt.date:
    # Mostly recent papers (what archives scan now), a tail of older ones; about a third
    # after the 2025 reform so that both generations of place names appear.
    r = rng.random()
    if r < 0.35:
        return random_date(rng, REFORM, TODAY)
    if r < 0.8:
        return random_date(rng, dt.date(2016, 1, 1), REFORM - dt.timedelta(days=1))
    return random_date(rng, dt.date(2005, 1, 1), dt.date(2015, 12, 31))


def _place(rng: random.Random, on: dt.date, level: Level = "ward") -> Place:
    # The units standing on the paper's date, named as then (evalset.history); `level`:
    # the lowest of them the paper prints (the Sở Tư pháp's paper names its province only).
    return random_place(rng, "legacy" if on < REFORM else "2025", on=on, level=level)


def _signer(rng: random.Random) -> Person:
    return random_person(rng, born_from=dt.date(1965, 1, 1), born_to=dt.date(1988, 1, 1))


def _signer_name(rng: random.Random, p: Person) -> str:
    # Real signature blocks print the name in bold mixed case; a few agencies use capitals.
    return p.upper if rng.random() < 0.15 else p.name


def birth_certificate(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "ward", place)
    child = random_person(rng, born_from=on - dt.timedelta(days=55), born_to=on,
                          province_code=place.province_code)
    if child.birth_date > on:
        child = random_person(rng, born_from=on - dt.timedelta(days=30), born_to=on)
    father = random_person(rng, sex="nam", born_from=dt.date(on.year - 40, 1, 1),
                           born_to=dt.date(on.year - 21, 1, 1), family=child.family)
    mother = random_person(rng, sex="nữ", born_from=dt.date(on.year - 38, 1, 1),
                           born_to=dt.date(on.year - 19, 1, 1))
    number = rng.choice([f"{rng.randrange(1, 400)}/KS", f"{rng.randrange(1, 400)}",
                         f"{rng.randrange(1, 400)}/{on.year}/KS"])
    book = f"{rng.randrange(1, 4):02d}/{on.year}"
    pid = id_for(rng, child, on)[1] if on.year >= 2016 else None
    if pid:
        pid = "0" + place.province_code + pid[3:]  # born here: province of registration
    hospital = rng.choice(HOSPITAL_KINDS).format(
        p=place.province_short, d=place.district_short or place.province_short, w=place.ward_short)
    birth_place = f"{hospital}, {lower_kind(place.province)}"
    residence = street_address(rng, place)
    v = rng.randrange(3)
    f_date = fmt_date(rng, child.birth_date)
    body: list[Block] = []
    body.append(field_para("Họ, chữ đệm, tên: ", child.upper, "b", space_before=0.6))
    if v == 0:
        body.append(field_para("Ngày, tháng, năm sinh: ", f"{f_date}"))
        body.append(field_para("ghi bằng chữ: ", date_words(child.birth_date), indent_mm=10))
    else:
        body.append(field_para("Ngày sinh: " if v == 2 else "Ngày, tháng, năm sinh: ",
                               f"{f_date}; ghi bằng chữ: {date_words(child.birth_date)}",
                               hang_mm=10))
    nat = "Việt Nam"
    body.append(Para([], columns=[[sp("Giới tính: "), sp(child.sex.capitalize())],
                                  [sp("Dân tộc: "), sp(child.ethnicity)],
                                  [sp("Quốc tịch: "), sp(nat)]]))
    body.append(field_para("Nơi sinh: ", birth_place, hang_mm=10))
    hometown = random_place(rng, place.era, on=on).address()
    body.append(field_para("Quê quán: ", hometown, hang_mm=10))
    if pid:
        body.append(field_para("Số định danh cá nhân: ", pid))
    for who, p in (("mẹ", mother), ("cha", father)):
        label = rng.choice([f"Họ, chữ đệm, tên người {who}: ", f"Họ và tên {who}: "])
        body.append(field_para(label, p.upper, "b", space_before=0.3))
        body.append(Para([], columns=[[sp("Năm sinh: "), sp(str(p.birth_date.year))],
                                      [sp("Dân tộc: "), sp(p.ethnicity)],
                                      [sp("Quốc tịch: "), sp(nat)]]))
        body.append(field_para("Nơi cư trú: ", residence, hang_mm=10))
    declarant = rng.choice([father, mother])
    kind, num = id_for(rng, declarant, on)
    body.append(field_para("Họ, chữ đệm, tên người đi khai sinh: ", declarant.upper,
                           space_before=0.3, hang_mm=10))
    body.append(field_para("Giấy tờ tùy thân: ", id_line(kind, num), hang_mm=10))
    body.append(field_para("Nơi đăng ký khai sinh: ", issuer.official, hang_mm=10))
    body.append(field_para("Ngày, tháng, năm đăng ký: ", fmt_date(rng, on)))
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    titles = rng.choice([None, ["NGƯỜI KÝ GIẤY KHAI SINH"]])
    page = Page(
        [header(rng, issuer, f"Số: {number}"),
         *title_paras("GIẤY KHAI SINH", size=3.0),
         *([Para([sp(f"Quyển số: {book}")], align="center")] if rng.random() < 0.4 else []),
         *body, sign_block(rng, issuer, on, sname, dateline=rng.random() < 0.7, titles=titles)],
        seal_ring=issuer.seal_ring, seal_center=issuer.seal_center)
    fields = {"father_name": father.upper, "mother_name": mother.upper,
              "birth_place": birth_place, "residence": residence,
              "registration_place": issuer.official, "ethnicity": child.ethnicity,
              "nationality": nat, "declarant_name": declarant.upper,
              "signer_name": sname, "signer_title": " ".join(titles or issuer.sign_titles),
              "registered_on": on.isoformat()}
    return Doc("birth_certificate", page, number, on, None, issuer,
               [subject(child, "người được khai sinh", pid)], fields)


def _adult(rng: random.Random, on: dt.date, sex: str | None = None, lo: int = 20,
           hi: int = 60) -> Person:
    return random_person(rng, sex=sex, born_from=dt.date(on.year - hi, 1, 1),
                         born_to=dt.date(on.year - lo, 1, 1))


def marriage_certificate(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "ward", place)
    husband = _adult(rng, on, "nam", 21, 45)
    wife = _adult(rng, on, "nữ", 19, 42)
    ids = [id_for(rng, p, on) for p in (husband, wife)]
    homes = [street_address(rng, place),
             street_address(rng, random_place(rng, place.era, on=on))]
    number = rng.choice([f"{rng.randrange(1, 200)}/KH", str(rng.randrange(1, 200)),
                         f"{rng.randrange(1, 200)}/{on.year}/KH"])
    body: list[Block] = []
    if rng.random() < 0.5:
        # The current template: a three-column ruled table, husband and wife side by side.
        rows = [[[sp("Thông tin", "b")], [sp("Chồng", "b")], [sp("Vợ", "b")]]]
        rows.append([[sp("Họ, chữ đệm, tên")], [sp(husband.upper, "b")], [sp(wife.upper, "b")]])
        rows.append([[sp("Ngày, tháng, năm sinh")], [sp(fmt_date(rng, husband.birth_date))],
                     [sp(fmt_date(rng, wife.birth_date))]])
        rows.append([[sp("Dân tộc")], [sp(husband.ethnicity)], [sp(wife.ethnicity)]])
        rows.append([[sp("Quốc tịch")], [sp("Việt Nam")], [sp("Việt Nam")]])
        rows.append([[sp("Nơi cư trú")], [sp(homes[0])], [sp(homes[1])]])
        rows.append([[sp("Giấy tờ tùy thân")], [sp(id_line(*ids[0]))], [sp(id_line(*ids[1]))]])
        body.append(Table(rows, [0.28, 0.36, 0.36], space_before=0.6, header_rows=1))
    else:
        for who, p, (k, n), home in (("chồng", husband, ids[0], homes[0]),
                                     ("vợ", wife, ids[1], homes[1])):
            body.append(field_para(f"Họ, chữ đệm, tên {who}: ", p.upper, "b", space_before=0.5))
            body.append(field_para("Ngày, tháng, năm sinh: ", fmt_date(rng, p.birth_date)))
            body.append(Para([], columns=[[sp("Dân tộc: "), sp(p.ethnicity)],
                                          [sp("Quốc tịch: "), sp("Việt Nam")]]))
            body.append(field_para("Nơi cư trú: ", home, hang_mm=10))
            body.append(field_para("Giấy tờ tùy thân: ", id_line(k, n), hang_mm=10))
    body.append(field_para("Nơi đăng ký: ", issuer.official, space_before=0.5, hang_mm=10))
    body.append(field_para("Ngày, tháng, năm đăng ký: ", fmt_date(rng, on)))
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    page = Page([header(rng, issuer, f"Số: {number}"),
                 *title_paras("GIẤY CHỨNG NHẬN KẾT HÔN", size=3.0), *body,
                 sign_block(rng, issuer, on, sname, dateline=rng.random() < 0.5)],
                issuer.seal_ring, issuer.seal_center)
    return Doc("marriage_certificate", page, number, on, None, issuer,
               [subject(husband, "chồng", ids[0][1]), subject(wife, "vợ", ids[1][1])],
               {"husband_name": husband.upper, "wife_name": wife.upper,
                "registration_place": issuer.official, "signer_name": sname,
                "husband_residence": homes[0], "wife_residence": homes[1],
                "registered_on": on.isoformat()})


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    day = min(d.day, [31, 29 if (d.year + y) % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31,
                      30, 31][m])
    return dt.date(d.year + y, m + 1, day)


def marital_status_certificate(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "ward", place)
    p = _adult(rng, on, None, 20, 55)
    kind, num = id_for(rng, p, on)
    home = street_address(rng, place)
    number = rng.choice([f"{rng.randrange(1, 900)}/XNTTHN", f"{rng.randrange(1, 900)}/UBND-TP",
                         str(rng.randrange(1, 900))])
    since = random_date(rng, _add_months(p.birth_date, 18 * 12), on)  # (safe on 29 Feb)
    status = rng.choice(["Chưa đăng ký kết hôn với ai.",
                         "Đã đăng ký kết hôn, nhưng đã ly hôn theo Bản án số "
                         f"{rng.randrange(10, 300)}/{since.year}/HNGĐ-ST.",
                         "Hiện tại chưa đăng ký kết hôn với ai."])
    purpose = rng.choice(["Làm thủ tục đăng ký kết hôn.", "Bổ sung hồ sơ vay vốn ngân hàng.",
                          "Làm thủ tục mua bán nhà đất.", "Bổ sung hồ sơ xin việc."])
    requester = p if rng.random() < 0.7 else _adult(rng, on, None, 20, 70)
    pron = "ông" if requester.sex == "nam" else "bà"
    intro = rng.choice([f"Xét đề nghị của ông/bà: {requester.upper}, ",
                        f"Xét đề nghị của {pron} {requester.upper} "])
    body: list[Block] = [
        Para([sp(intro + "về việc cấp Giấy xác nhận tình trạng hôn nhân cho người có tên "
                 "dưới đây,")], space_before=0.6, indent_mm=10),
        Para([sp(f"{issuer.official.replace('Ủy ban nhân dân', 'Ủy ban nhân dân')}", "r"),
              sp(" xác nhận:")], indent_mm=10) if rng.random() < 0.3 else
        Para([sp("XÁC NHẬN:", "b")], align="center", space_before=0.3),
        field_para("Họ, chữ đệm, tên: ", p.upper, "b"),
        field_para("Ngày, tháng, năm sinh: " if rng.random() < 0.6 else "Ngày sinh: ",
                   fmt_date(rng, p.birth_date)),
        Para([], columns=[[sp("Giới tính: "), sp(p.sex.capitalize())],
                          [sp("Dân tộc: "), sp(p.ethnicity)], [sp("Quốc tịch: "), sp("Việt Nam")]]),
        field_para("Giấy tờ tùy thân: ", id_line(kind, num), hang_mm=10),
        field_para("Nơi cư trú: ", home, hang_mm=10),
        field_para("Trong thời gian cư trú tại ",
                   f"{issuer.official.replace('Ủy ban nhân dân ', '')}"
                   f" từ ngày {fmt_date(rng, since)} đến ngày {fmt_date(rng, on)}", hang_mm=0),
        field_para("Tình trạng hôn nhân: ", status),
        field_para("Giấy này được cấp để: ", purpose),
        Para([sp("Giấy này có giá trị sử dụng trong thời hạn 6 tháng, kể từ ngày cấp.", "i")]),
    ]
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    page = Page([header(rng, issuer, f"Số: {number}"),
                 *title_paras("GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"), *body,
                 sign_block(rng, issuer, on, sname)], issuer.seal_ring, issuer.seal_center)
    return Doc("marital_status_certificate", page, number, on, _add_months(on, 6), issuer,
               [subject(p, "người được xác nhận", num)],
               {"requester_name": requester.upper, "marital_status": status,
                "purpose": purpose, "residence": home, "signer_name": sname})


def criminal_record_certificate(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on, "province")
    issuer = make_issuer(rng, "stp", place)
    p = _adult(rng, on, None, 18, 65)
    kind, num = id_for(rng, p, on)
    home = street_address(rng, random_place(rng, place.era, province_code=place.province_code,
                                               on=on))
    # The province as it stood on the paper's date (after the reform: the 2025 province).
    birth_place = random_place(rng, "legacy", on=on, level="province").province
    father = random_person(rng, sex="nam", born_from=dt.date(p.birth_date.year - 40, 1, 1),
                           born_to=dt.date(p.birth_date.year - 20, 1, 1), family=p.family)
    mother = random_person(rng, sex="nữ", born_from=dt.date(p.birth_date.year - 38, 1, 1),
                           born_to=dt.date(p.birth_date.year - 18, 1, 1))
    number = rng.choice([f"{rng.randrange(100, 9999)}/STP-LLTP", f"{rng.randrange(100, 9999)}/LLTP",
                         f"{rng.randrange(100, 9999)}/STP"])
    ground = [
        Para([sp("Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;", "i")], indent_mm=10,
             space_before=0.5),
        Para([sp(f"Theo yêu cầu của: {p.upper if rng.random() < 0.5 else p.name}", "i")],
             indent_mm=10),
    ]
    body: list[Block] = [
        *ground,
        Para([sp("XÁC NHẬN:", "b")], align="center", space_before=0.3),
        field_para("1. Họ và tên: ", p.upper, "b"),
        field_para("2. Giới tính: ", p.sex.capitalize()),
        field_para("3. Ngày, tháng, năm sinh: ", fmt_date(rng, p.birth_date)),
        field_para("4. Nơi sinh: ", birth_place),
        field_para("5. Quốc tịch: ", "Việt Nam"),
        field_para("6. Dân tộc: ", p.ethnicity),
        field_para("7. Nơi cư trú: ", home, hang_mm=10),
        field_para(f"8. {id_label(kind)} ", f"{num}   Ngày cấp: "
                   f"{fmt_date(rng, random_date(rng, dt.date(on.year - 6, 1, 1), on))}"),
        field_para("9. Họ và tên cha: ", father.name),
        field_para("10. Họ và tên mẹ: ", mother.name),
        field_para("Án tích: ", rng.choice(["Không có án tích.", "Không có án tích"]),
                   "b", space_before=0.3),
        field_para("Tình trạng thông tin về cấm đảm nhiệm chức vụ, thành lập, quản lý doanh "
                   "nghiệp, hợp tác xã: ", "Không bị cấm đảm nhiệm chức vụ, thành lập, quản lý "
                   "doanh nghiệp, hợp tác xã.") if rng.random() < 0.6 else
        field_para("Cấm đảm nhiệm chức vụ: ", "Không bị cấm."),
    ]
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    page = Page([header(rng, issuer, f"Số: {number}"),
                 *title_paras("PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1"), *body,
                 sign_block(rng, issuer, on, sname)], issuer.seal_ring, issuer.seal_center)
    return Doc("criminal_record_certificate", page, number, on, _add_months(on, 6), issuer,
               [subject(p, "người được cấp phiếu", num)],
               {"father_name": father.name, "mother_name": mother.name, "birth_place": birth_place,
                "residence": home, "criminal_record": "Không có án tích", "signer_name": sname})


def household_business_registration(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "tckh" if place.era == "legacy" and rng.random() < 0.6 else (
        "district" if place.era == "legacy" else "ward"), place)
    owner = _adult(rng, on, None, 22, 60)
    kind, num = id_for(rng, owner, on)
    code = f"{place.province_code}{rng.choice('ABCDEH')}{rng.randrange(10**7, 10**8)}"
    kind_name, trade = rng.choice(SHOP_TRADES)
    shop = f"HỘ KINH DOANH {kind_name} {up(rng.choice(SHOP_NAMES))}"
    addr = street_address(rng, place)
    capital = rng.choice([30, 50, 80, 100, 150, 200, 300, 500]) * 1_000_000
    first = random_date(rng, dt.date(on.year - 8, 1, 1), on) if rng.random() < 0.3 else on
    home = street_address(rng, place)
    phone = "0" + rng.choice("389") + "".join(str(rng.randrange(10)) for _ in range(8))
    reg = [Para([sp(f"Đăng ký lần đầu: {long_date(first)}", "i")], align="center")]
    if first != on:
        reg.append(Para([sp(f"Đăng ký thay đổi lần thứ {rng.randrange(1, 4)}: {long_date(on)}",
                            "i")], align="center"))
    owner_rows: list[Block]
    if rng.random() < 0.5:
        owner_rows = [Table([
            [[sp("Họ và tên")], [sp(owner.upper, "b")]],
            [[sp("Giới tính")], [sp(owner.sex.capitalize())]],
            [[sp("Sinh ngày")], [sp(fmt_date(rng, owner.birth_date))]],
            [[sp("Dân tộc")], [sp(owner.ethnicity)]],
            [[sp("Quốc tịch")], [sp("Việt Nam")]],
            [[sp("Loại giấy tờ pháp lý")], [sp(id_line(kind, num))]],
            [[sp("Nơi thường trú")], [sp(home)]],
        ], [0.32, 0.68])]
    else:
        owner_rows = [
            field_para("Họ và tên: ", owner.upper, "b"),
            Para([], columns=[[sp("Giới tính: "), sp(owner.sex.capitalize())],
                              [sp("Sinh ngày: "), sp(fmt_date(rng, owner.birth_date))]]),
            Para([], columns=[[sp("Dân tộc: "), sp(owner.ethnicity)],
                              [sp("Quốc tịch: "), sp("Việt Nam")]]),
            field_para(f"{id_label(kind)} ", num),
            field_para("Nơi đăng ký hộ khẩu thường trú: ", home, hang_mm=10),
        ]
    body: list[Block] = [
        *reg,
        field_para("1. Tên hộ kinh doanh: ", shop, "b", space_before=0.5, hang_mm=10),
        field_para("2. Địa điểm kinh doanh: ", addr, hang_mm=10),
        field_para("Điện thoại: ", phone),
        field_para("3. Ngành, nghề kinh doanh: ", trade),
        field_para("4. Vốn kinh doanh: ", f"{dotted(capital)} đồng"),
        Para([sp(f"(Bằng chữ: {money_words(capital)})", "i")]),
        Para([sp("5. Chủ hộ kinh doanh" + rng.choice([":", " (đại diện hộ kinh doanh):"]))],
             space_before=0.2),
        *owner_rows,
    ]
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    page = Page([header(rng, issuer, None if rng.random() < 0.3 else f"Số: {code}"),
                 *title_paras("GIẤY CHỨNG NHẬN", "ĐĂNG KÝ HỘ KINH DOANH", size=2.0),
                 *([Para([sp(f"Mã số hộ kinh doanh: {code}", "b")], align="center")]), *body,
                 sign_block(rng, issuer, on, sname, dateline=rng.random() < 0.5)],
                issuer.seal_ring, issuer.seal_center)
    return Doc("household_business_registration", page, code, on, None, issuer,
               [subject(owner, "chủ hộ", num)],
               {"business_name": shop, "business_address": addr, "trade": trade,
                "capital_vnd": capital, "first_registered_on": first.isoformat(),
                "owner_residence": home, "signer_name": sname})


def construction_permit(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "district" if place.era == "legacy" else "ward", place)
    owner = _adult(rng, on, None, 25, 70)
    kind, num = id_for(rng, owner, on)
    number = f"{rng.randrange(10, 3000)}/GPXD"
    parcel, sheet = rng.randrange(1, 900), rng.randrange(1, 80)
    site = street_address(rng, place)
    area = rng.randrange(400, 1500) / 10
    floors = rng.randrange(2, 6)
    floor_area = round(area * floors * rng.uniform(0.9, 1.0), 1)
    height = round(3.4 * floors + rng.uniform(0.5, 2.5), 1)
    def comma(x: float) -> str:
        return f"{x:.1f}".replace(".", ",")
    pron = "Ông" if owner.sex == "nam" else "Bà"
    gcn = f"{rng.choice(['BĐ', 'CH', 'CS', 'DA'])} {rng.randrange(100000, 999999)}"
    body: list[Block] = [
        Para([sp("(Sử dụng cho nhà ở riêng lẻ)", "i")], align="center"),
        field_para("1. Cấp cho: ", f"{pron} {owner.upper}", space_before=0.5),
        field_para("Địa chỉ: ", street_address(rng, place), hang_mm=10, indent_mm=5),
        field_para(f"{id_label(kind)} ", num, indent_mm=5),
        Para([sp("2. Được phép xây dựng công trình: "), sp("Nhà ở riêng lẻ", "b")]),
        field_para("- Theo thiết kế: ", rng.choice(["Nhà ở gia đình", "Nhà ở riêng lẻ "
                                                    f"{floors} tầng"]), indent_mm=5),
        field_para("- Vị trí xây dựng: ", f"Thửa đất số {parcel}, tờ bản đồ số {sheet}, {site}",
                   indent_mm=5, hang_mm=10),
        field_para("- Cốt nền xây dựng công trình: ", f"+{comma(rng.uniform(0.2, 0.8))} m",
                   indent_mm=5),
        field_para("- Mật độ xây dựng: ", f"{rng.randrange(60, 100)}%", indent_mm=5),
        field_para("- Diện tích xây dựng tầng 1 (tầng trệt): ", f"{comma(area)} m²", indent_mm=5),
        field_para("- Tổng diện tích sàn: ", f"{comma(floor_area)} m²", indent_mm=5),
        field_para("- Chiều cao công trình: ", f"{comma(height)} m; số tầng: {floors} tầng",
                   indent_mm=5),
        field_para("3. Giấy tờ về quyền sử dụng đất: ",
                   f"Giấy chứng nhận quyền sử dụng đất số {gcn}", hang_mm=10),
        Para([sp("4. Giấy phép này có hiệu lực khởi công xây dựng trong thời hạn 12 tháng kể "
                 "từ ngày cấp; quá thời hạn trên thì phải đề nghị gia hạn giấy phép xây dựng.")],
             hang_mm=5),
    ]
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    title = rng.choice([["GIẤY PHÉP XÂY DỰNG"], ["GIẤY PHÉP XÂY DỰNG", f"Số: {number}"]])
    page = Page([header(rng, issuer, f"Số: {number}" if len(title) == 1 else None),
                 *title_paras(*title[:1], size=3.0),
                 *([Para([sp(title[1], "b")], align="center")] if len(title) > 1 else []),
                 *body, sign_block(rng, issuer, on, sname)], issuer.seal_ring, issuer.seal_center)
    return Doc("construction_permit", page, number, on, _add_months(on, 12), issuer,
               [subject(owner, "chủ đầu tư", num, birth_known=False)],
               {"site": f"Thửa đất số {parcel}, tờ bản đồ số {sheet}, {site}", "floors": floors,
                "land_certificate": gcn, "signer_name": sname})


def death_extract(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "ward", place)
    dead = _adult(rng, on, None, 40, 95)
    died = random_date(rng, on - dt.timedelta(days=40), on - dt.timedelta(days=1))
    declarant = random_person(rng, born_from=dt.date(dead.birth_date.year + 18, 1, 1),
                              born_to=dt.date(min(on.year - 18, dead.birth_date.year + 45), 1, 1),
                              family=dead.family if rng.random() < 0.6 else None)
    dk, dnum = id_for(rng, dead, on)
    kk, knum = id_for(rng, declarant, on)
    home = street_address(rng, place)
    copy = rng.choice(["(BẢN CHÍNH)", "(BẢN SAO)", None])
    number = rng.choice([f"{rng.randrange(1, 300)}/TLKT", f"{rng.randrange(1, 300)}/TLKT-BS",
                         str(rng.randrange(1, 300))])
    hour = f"{rng.randrange(0, 24):02d} giờ {rng.randrange(0, 60):02d} phút"
    cause = rng.choice(["Bệnh", "Già yếu", "Tai nạn giao thông", "Bệnh hiểm nghèo"])
    body: list[Block] = [
        field_para("Họ, chữ đệm, tên người chết: ", dead.upper, "b", space_before=0.6),
        field_para("Ngày, tháng, năm sinh: ", fmt_date(rng, dead.birth_date)),
        Para([], columns=[[sp("Giới tính: "), sp(dead.sex.capitalize())],
                          [sp("Dân tộc: "), sp(dead.ethnicity)],
                          [sp("Quốc tịch: "), sp("Việt Nam")]]),
        field_para("Giấy tờ tùy thân: ", id_line(dk, dnum), hang_mm=10),
        field_para("Nơi cư trú cuối cùng: ", home, hang_mm=10),
        field_para("Đã chết vào lúc: ", f"{hour}, ngày {fmt_date(rng, died)}"),
        field_para("Nơi chết: ", rng.choice([home, f"Bệnh viện đa khoa {place.province_short}"]),
                   hang_mm=10),
        field_para("Nguyên nhân chết: ", cause),
        field_para("Giấy báo tử số: ", f"{rng.randrange(1, 999)}/GBT ngày {fmt_date(rng, died)}"),
        field_para("Họ, chữ đệm, tên người đi khai tử: ", declarant.upper, space_before=0.3,
                   hang_mm=10),
        field_para("Giấy tờ tùy thân: ", id_line(kk, knum), hang_mm=10),
        field_para("Nơi đăng ký khai tử: ", issuer.official, hang_mm=10),
        field_para("Ngày, tháng, năm đăng ký: ", fmt_date(rng, on)),
    ]
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    page = Page([header(rng, issuer, f"Số: {number}"),
                 *title_paras("TRÍCH LỤC KHAI TỬ", size=3.0),
                 *([Para([sp(copy, "b")], align="center")] if copy else []), *body,
                 sign_block(rng, issuer, on, sname, dateline=rng.random() < 0.6)],
                issuer.seal_ring, issuer.seal_center)
    return Doc("death_extract", page, number, on, None, issuer,
               [subject(dead, "người chết", dnum), subject(declarant, "người đi khai tử", knum,
                                                           birth_known=False)],
               {"died_on": died.isoformat(), "cause": cause, "last_residence": home,
                "registration_place": issuer.official, "declarant_name": declarant.upper,
                "signer_name": sname})


def land_use_certificate(rng: random.Random) -> Doc:
    on = _issue_date(rng)
    place = _place(rng, on)
    issuer = make_issuer(rng, "district" if place.era == "legacy" and rng.random() < 0.6
                         else "land", place)
    owner = _adult(rng, on, None, 25, 75)
    kind, num = id_for(rng, owner, on)
    spouse = None
    if rng.random() < 0.5:
        spouse = _adult(rng, on, "nữ" if owner.sex == "nam" else "nam", 25, 75)
        skind, snum = id_for(rng, spouse, on)
    home = street_address(rng, place)
    parcel, sheet = rng.randrange(1, 900), rng.randrange(1, 80)
    area = rng.randrange(400, 3000) / 10
    book = f"CS{rng.randrange(100, 99999):05d}"
    serial = f"{rng.choice(['CX', 'DA', 'DE', 'AA'])} {rng.randrange(100000, 999999)}"
    use = rng.choice(["Đất ở tại đô thị", "Đất ở tại nông thôn", "Đất trồng cây lâu năm"])
    term = ("Lâu dài" if use.startswith("Đất ở")
            else f"Đến ngày {fmt_date(rng, _add_months(on, 600))}")

    def person_line(p: Person, k: str, n: str, lead: str) -> Para:
        pron = "Ông" if p.sex == "nam" else "Bà"
        return Para([sp(f"{lead}{pron}: "), sp(p.upper, "b"),
                     sp(f", năm sinh: {p.birth_date.year}, {id_label(k)[:-1]}: {n}")],
                    hang_mm=5)

    owners: list[Block] = [person_line(owner, kind, num, "")]
    if spouse:
        owners.append(person_line(spouse, skind, snum, "và vợ/chồng: "))
    owners.append(field_para("Địa chỉ thường trú: ", home, hang_mm=10))
    parcel_rows = [("a) Thửa đất số:", str(parcel)), ("b) Tờ bản đồ số:", str(sheet)),
                   ("c) Địa chỉ:", street_address(rng, place)),
                   ("d) Diện tích:", f"{str(area).replace('.', ',')} m²"),
                   ("đ) Hình thức sử dụng:", "Sử dụng riêng"),
                   ("e) Mục đích sử dụng:", use), ("g) Thời hạn sử dụng:", term),
                   ("h) Nguồn gốc sử dụng:", rng.choice([
                       "Nhà nước công nhận quyền sử dụng đất như giao đất có thu tiền sử dụng đất",
                       "Nhận chuyển nhượng quyền sử dụng đất"]))]
    parcel_blocks: list[Block]
    if rng.random() < 0.5:
        parcel_blocks = [Table([[[sp(a)], [sp(b)]] for a, b in parcel_rows], [0.34, 0.66])]
    else:
        parcel_blocks = [field_para(a + " ", b, hang_mm=8) for a, b in parcel_rows]
    body: list[Block] = [
        Para([sp("I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
                 "b")], space_before=0.6, hang_mm=5),
        *owners,
        Para([sp("II. Thửa đất, nhà ở và tài sản khác gắn liền với đất", "b")],
             space_before=0.4),
        Para([sp("1. Thửa đất:")]),
        *parcel_blocks,
        field_para("2. Nhà ở: ", "-/-"),
        field_para("Số vào sổ cấp GCN: ", book, space_before=0.3),
    ]
    signer = _signer(rng)
    sname = _signer_name(rng, signer)
    page = Page([header(rng, issuer, None),
                 *title_paras("GIẤY CHỨNG NHẬN", size=3.0),
                 Para([sp("QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở", "b")], align="center"),
                 Para([sp("VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT", "b")], align="center"),
                 Para([sp(serial, "b")], align="center"),
                 *body, sign_block(rng, issuer, on, sname)], issuer.seal_ring,
                issuer.seal_center)
    subjects = [subject(owner, "người sử dụng đất", num, birth_known=False)]
    if spouse:
        subjects.append(subject(spouse, "người sử dụng đất", snum, birth_known=False))
    return Doc("land_use_certificate", page, book, on, None, issuer, subjects,
               {"parcel": parcel, "map_sheet": sheet, "area_m2": area, "land_use": use,
                "serial": serial, "owner_address": home, "signer_name": sname})


BUILDERS: dict[str, Callable[[random.Random], Doc]] = {
    "birth_certificate": birth_certificate,
    "marriage_certificate": marriage_certificate,
    "marital_status_certificate": marital_status_certificate,
    "criminal_record_certificate": criminal_record_certificate,
    "household_business_registration": household_business_registration,
    "construction_permit": construction_permit,
    "death_extract": death_extract,
    "land_use_certificate": land_use_certificate,
}
DOC_TYPES: tuple[str, ...] = tuple(BUILDERS)


def build(rng: random.Random, doc_type: str) -> Doc:
    return BUILDERS[doc_type](rng)


__all__ = ["BUILDERS", "DOC_TYPES", "Doc", "Issuer", "build", "number_words"]
