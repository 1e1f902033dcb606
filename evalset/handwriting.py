"""Old civil-status forms filled in by hand: printed labels and dotted lines (after the
pre-2010 templates of Decree 158/2005), the values written with handwriting-style fonts
(`evalset.pen`), then degraded as the rest of the evaluation set.

    python -m evalset.handwriting OUT --count N --seed S [--kind birth|marriage]
        [--layouts sequential,side] [--fonts DIR]

`--kind birth` (the default): the birth certificate (Giấy khai sinh), ids h0000…,
`doc_type` "birth_certificate"; the child's name, birth date and place, the parents'
names and the number ("Số:" under the agency's name) written by hand.
`--kind marriage`: the marriage certificate (Giấy chứng nhận kết hôn), ids m0000…,
`doc_type` "marriage_certificate"; for each spouse "Họ và tên chồng/vợ:", "Ngày, tháng,
năm sinh:", "Nơi thường trú:" (or "Nơi cư trú:") and "Số Giấy CMND:" written by hand
(ethnicity and nationality typed), then "Số: … Quyển số: …" by hand, the spouses'
signatures (a pen stroke, the name written out under it), the dateline and the issuer.
Its subjects are the two spouses (roles "chồng", "vợ"). Each spouse writes in their own
hand: the wife's fields and signature in another font, ink, slant and pen width than the
husband's (`klass["wife_hand"]`); the number and book in the husband's (the form's first
hand, `klass["hand"]`). `--layouts side`: the spouses side by side in the two columns
of a ruled table (Thông tư 04/2020/TT-BTP's template, older printings too;
`klass["layout"]` "side"); the default lays them one under the other, as before the
option, and draws nothing for it.

Writes OUT/<id>.<ext> and OUT/truth.jsonl (`evalset.Truth` rows). Per handwritten field,
`fields["handwriting"][key]` holds what was written (`text`), its canonical value
(`value`: names in capitals, dates ISO) and the ink's box in the upright page at the
file's dpi (`box`, x0 y0 x1 y1), or null where the degradation warps the page (`photo`).
The issue date is printed in the dateline (dated by the office's typewriter or stamp),
which lets a reading be checked against it.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import random
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from evalset.content import header, make_issuer, sign_block, sp, street_address, title_paras
from evalset.data import (
    HOSPITAL_KINDS,
    Place,
    cmnd,
    lower_kind,
    random_date,
    random_person,
    random_place,
)
from evalset.degrade import EASY_CLASSES, HARD_CLASSES, PROFILE_OF, degrade, save
from evalset.generate import EXTENSIONS, _cycled, _h, split_of
from evalset.handfonts import PACKAGES, default_cache, missing
from evalset.layout import Block, Header, Page, Para, Table
from evalset.pen import write
from evalset.render import (
    A4_MM,
    FONT_WEIGHTS,
    _blend,
    available_fonts,
    draw,
    font,
    layout,
    mm,
    pt,
    signature_image,
)
from evalset.truth import Truth, write_truth

# The fields the bench scores, and the ones written by hand besides (a form of six to
# key by hand when nothing reads them).
SCORED = ("name", "birth_date", "birth_place", "number")
FIELDS = (*SCORED, "mother_name", "father_name")
# The marriage certificate's: both spouses' names and birth dates and the number (the
# record's subjects and its number); their residences, ID numbers and the register's
# book are written by hand besides.
MARRIAGE_SCORED = ("husband_name", "husband_birth_date", "wife_name", "wife_birth_date",
                   "number")
MARRIAGE_FIELDS = (*MARRIAGE_SCORED, "husband_residence", "husband_id", "wife_residence",
                   "wife_id", "book", "husband_signature", "wife_signature")
SIGN_NOTE = "(Ký, ghi rõ họ tên)"
# Room left under the spouses' "(Ký, ghi rõ họ tên)" for their signatures and names, in
# line heights before the officer's block.
SPOUSES_SIGN_ROOM = 3.6
KINDS = ("birth", "marriage")
SCORED_OF = {"birth": SCORED, "marriage": MARRIAGE_SCORED}
FIELDS_OF = {"birth": FIELDS, "marriage": MARRIAGE_FIELDS}
DOC_TYPE_OF = {"birth": "birth_certificate", "marriage": "marriage_certificate"}
ID_PREFIX = {"birth": "h", "marriage": "m"}
# Dotted lines of a fixed length (mm): the number's under the agency's name or before the
# book's on its line; the others run to the right margin.
FIXED_DOTS_MM = {"number": 38, "book": 30}
DOT = "."
# Every class of the set; `photo` warps the page, so its boxes are unknown.
CYCLE: tuple[str, ...] = (*EASY_CLASSES, *HARD_CLASSES)
EARLIEST, LATEST = dt.date(1976, 1, 1), dt.date(2009, 12, 31)


@dataclass(frozen=True)
class Slot:
    key: str
    label: str


def _date_text(rng: random.Random, d: dt.date) -> str:
    sep = rng.choice(("/", "/", "/", "-", "."))
    day = f"{d.day:02d}" if rng.random() < 0.6 else str(d.day)
    month = f"{d.month:02d}" if rng.random() < 0.5 else str(d.month)
    return f"{day}{sep}{month}{sep}{d.year}"


def _name_text(rng: random.Random, name: str) -> str:
    # The old forms asked for capitals; many clerks wrote the name as it is spelt.
    return name.upper() if rng.random() < 0.55 else name


def _birth_place(rng: random.Random, place: Place) -> str:
    address = place.address()
    if rng.random() < 0.4:
        kind = rng.choice(HOSPITAL_KINDS)
        hosp = kind.format(p=place.province_short, d=place.district_short or place.province_short,
                           w=place.ward_short)
        return f"{hosp}, {lower_kind(place.province)}"
    return address


@dataclass(frozen=True)
class Cell:
    """A table cell holding a dotted line: its rules (of the body's width from its left)
    and whether the line is under the cell's label (a long value's room)."""

    left: float
    right: float
    below: bool = False


@dataclass
class Form:
    page: Page
    slots: list[Slot]  # in the order their dotted lines are laid out
    written: dict[str, str]
    truth: dict[str, str]
    issued_on: dt.date
    subjects: list[dict[str, Any]]
    issuer: dict[str, Any]
    printed: dict[str, Any]  # the truth's other fields (beside "handwriting")
    # The table cell a dotted line is in: its left and right rules, of the body's width
    # from its left, and whether the line goes under the cell's label (the others run to
    # the right margin or are of a fixed length).
    cells: dict[str, Cell] = dataclasses.field(default_factory=dict)


@dataclass
class _Fields:
    """A form body's handwritten fields as they are laid out: each a label and its dotted
    line (``dots[key]`` dots), the line on the label's own line or, where ``below[key]``,
    on the next one (the clerk's room for a long value)."""

    dots: dict[str, int]
    below: dict[str, bool]
    slots: list[Slot] = dataclasses.field(default_factory=list)
    body: list[Block] = dataclasses.field(default_factory=list)
    cells: dict[str, Cell] = dataclasses.field(default_factory=dict)

    def dotted(self, key: str) -> Any:
        return sp(DOT * self.dots.get(key, 3), "i")

    def add(self, key: str, label: str, space: float = 0.0) -> None:
        self.slots.append(Slot(key, label))
        if self.below.get(key):
            self.body.append(Para([sp(label)], space_before=space))
            self.body.append(Para([self.dotted(key)]))
        else:
            self.body.append(Para([sp(label), self.dotted(key)], space_before=space))


def build_form(rng: random.Random, dots: dict[str, int]) -> Form:
    """The printed form with dotted lines (`dots[key]` dots each) and what goes on them."""
    on = random_date(rng, EARLIEST, LATEST)
    place = random_place(rng, "legacy", on=on)
    issuer = make_issuer(rng, "ward", place)
    child = random_person(rng, born_from=on - dt.timedelta(days=rng.choice((60, 400, 3000))),
                          born_to=on, province_code=place.province_code)
    mother = random_person(rng, sex="nữ", born_from=dt.date(on.year - 40, 1, 1),
                           born_to=dt.date(on.year - 19, 1, 1))
    father = random_person(rng, sex="nam", born_from=dt.date(on.year - 42, 1, 1),
                           born_to=dt.date(on.year - 21, 1, 1), family=child.family)
    number = rng.choice([f"{rng.randrange(1, 400)}", f"{rng.randrange(1, 400)}/KS",
                         f"{rng.randrange(1, 99)}/{on.year}"])
    birth_place = _birth_place(rng, place)
    written = {
        "name": _name_text(rng, child.name), "birth_date": _date_text(rng, child.birth_date),
        "birth_place": birth_place, "number": number,
        "mother_name": _name_text(rng, mother.name), "father_name": _name_text(rng, father.name),
    }
    truth = {"name": child.upper, "birth_date": child.birth_date.isoformat(),
             "birth_place": birth_place, "number": number, "mother_name": mother.upper,
             "father_name": father.upper}

    fields = _Fields(dots, {k: rng.random() < 0.3 for k in ("name", "birth_place")})
    slots, body, field = fields.slots, fields.body, fields.add
    slots.append(Slot("number", "Số:"))
    hdr: Header = header(rng, issuer, None)
    hdr.left.append([sp("Số:"), fields.dotted("number")])

    field("name", "Họ, chữ đệm, tên:", 0.6)
    body.append(Para([], columns=[[sp("Giới tính: "), sp(child.sex.capitalize(), "i")],
                                  [sp("Dân tộc: "), sp(child.ethnicity, "i")],
                                  [sp("Quốc tịch: "), sp("Việt Nam", "i")]]))
    field("birth_date", "Ngày, tháng, năm sinh:")
    field("birth_place", "Nơi sinh:")
    field("mother_name", "Họ, chữ đệm, tên người mẹ:", 0.3)
    field("father_name", "Họ, chữ đệm, tên người cha:", 0.3)
    page = Page([hdr, *title_paras("GIẤY KHAI SINH", size=3.0),
                 Para([sp("(BẢN CHÍNH)", "i")], align="center"), *body,
                 sign_block(rng, issuer, on, random_person(
                     rng, born_from=dt.date(1940, 1, 1), born_to=dt.date(1970, 1, 1)).name)],
                seal_ring=issuer.seal_ring, seal_center=issuer.seal_center)
    subject = {"name": child.upper, "id_number": None, "birth_date": child.birth_date.isoformat(),
               "role": "người được khai sinh", "sex": child.sex}
    return Form(page, slots, written, truth, on, [subject], issuer.to_dict(),
                {k: truth[k] for k in ("birth_place", "mother_name", "father_name")})


# The legal ages of marriage (Law on Marriage and Family 1986 and 2000): men from 20,
# women from 18.
HUSBAND_AGES, WIFE_AGES = (20, 45), (18, 42)


def _spouse(rng: random.Random, on: dt.date, sex: str, ages: tuple[int, int],
            province_code: str | None = None) -> Any:
    youngest, oldest = ages
    return random_person(rng, sex=sex, born_from=dt.date(on.year - oldest, 1, 1),
                         born_to=dt.date(on.year - youngest - 1, on.month, 1),
                         province_code=province_code)


@dataclass
class _Marriage:
    """What a marriage certificate says, whatever its layout: the day, the office, the
    spouses, their homes and ID numbers, the register's number and book, and what was
    written for each (``written``) and its canonical value (``truth``)."""

    on: dt.date
    issuer: Any
    husband: Any
    wife: Any
    homes: list[str]
    ids: list[str]
    written: dict[str, str]
    truth: dict[str, str]


def _marriage_content(rng: random.Random) -> _Marriage:
    on = random_date(rng, EARLIEST, LATEST)
    place = random_place(rng, "legacy", on=on)
    issuer = make_issuer(rng, "ward", place)
    husband = _spouse(rng, on, "nam", HUSBAND_AGES, place.province_code)
    wife = _spouse(rng, on, "nữ", WIFE_AGES)
    number = rng.choice([f"{rng.randrange(1, 200)}", f"{rng.randrange(1, 200)}/KH",
                         f"{rng.randrange(1, 99)}/{on.year}"])
    book = rng.choice([f"{rng.randrange(1, 4):02d}", f"{rng.randrange(1, 4):02d}/{on.year}",
                       str(rng.randrange(1, 4))])
    homes = [_address(rng, place), _address(rng, random_place(rng, "legacy", on=on))]
    ids = [cmnd(rng), cmnd(rng)]
    written: dict[str, str] = {"number": number, "book": book}
    truth: dict[str, str] = {"number": number, "book": book}
    for who, p, home, pid in (("husband", husband, homes[0], ids[0]),
                              ("wife", wife, homes[1], ids[1])):
        written |= {f"{who}_name": _name_text(rng, p.name),
                    f"{who}_birth_date": _date_text(rng, p.birth_date),
                    f"{who}_residence": home, f"{who}_id": pid}
        truth |= {f"{who}_name": p.upper, f"{who}_birth_date": p.birth_date.isoformat(),
                  f"{who}_residence": home, f"{who}_id": pid}
    return _Marriage(on, issuer, husband, wife, homes, ids, written, truth)


def build_marriage_form(rng: random.Random, dots: dict[str, int],
                        layout: str = "sequential") -> Form:
    """The pre-2010 marriage certificate (Decree 158/2005's template): each spouse's
    fields on dotted lines, one spouse under the other (``layout`` "sequential") or side
    by side in the two columns of a ruled table ("side", ``_side_by_side``), then the
    register's number and book, the spouses' signatures and the officer's."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}: one of {', '.join(LAYOUTS)}")
    m = _marriage_content(rng)
    fields = _Fields(dots, {f"{who}_{k}": rng.random() < 0.3 for who in ("husband", "wife")
                            for k in ("name", "residence")}
                     if layout == "sequential" else {})
    slots, body, field, dotted = fields.slots, fields.body, fields.add, fields.dotted
    if layout == "side":
        _side_by_side(rng, m, fields)
    else:
        residence_label = rng.choice(("Nơi thường trú:", "Nơi cư trú:"))
        for who, spouse, p in (("husband", "chồng", m.husband), ("wife", "vợ", m.wife)):
            field(f"{who}_name", f"Họ và tên {spouse}:", 0.6 if who == "husband" else 0.4)
            field(f"{who}_birth_date", "Ngày, tháng, năm sinh:")
            body.append(Para([], columns=[[sp("Dân tộc: "), sp(p.ethnicity, "i")],
                                          [sp("Quốc tịch: "), sp("Việt Nam", "i")]]))
            field(f"{who}_residence", residence_label)
            field(f"{who}_id", "Số Giấy CMND:")
    slots += [Slot("number", "Số:"), Slot("book", "Quyển số:")]
    body.append(Para([sp("Số:"), dotted("number"), sp("   Quyển số:"), dotted("book")],
                     space_before=0.5))
    body.append(Para([], columns=[[sp("Chồng", "b")], [sp("Vợ", "b")]], space_before=0.5))
    body.append(Para([], columns=[[sp(SIGN_NOTE, "i")], [sp(SIGN_NOTE, "i")]]))
    issuer, on, husband, wife, homes, ids = m.issuer, m.on, m.husband, m.wife, m.homes, m.ids
    written, truth = m.written, m.truth
    officer = sign_block(rng, issuer, on, random_person(
        rng, born_from=dt.date(1940, 1, 1), born_to=dt.date(1970, 1, 1)).name)
    page = Page([header(rng, issuer, None), *title_paras("GIẤY CHỨNG NHẬN KẾT HÔN", size=3.0),
                 *body, dataclasses.replace(officer, space_before=SPOUSES_SIGN_ROOM)],
                seal_ring=issuer.seal_ring, seal_center=issuer.seal_center)
    subjects = [{"name": p.upper, "id_number": pid, "birth_date": p.birth_date.isoformat(),
                 "role": role, "sex": p.sex}
                for p, pid, role in ((husband, ids[0], "chồng"), (wife, ids[1], "vợ"))]
    for who, p in (("husband", husband), ("wife", wife)):
        # Signed and the name written out under it, as the note asks.
        written[f"{who}_signature"], truth[f"{who}_signature"] = p.name, p.upper
    return Form(page, slots, written, truth, on, subjects, issuer.to_dict(),
                {"husband_name": husband.upper, "wife_name": wife.upper,
                 "husband_residence": homes[0], "wife_residence": homes[1],
                 "book": truth["book"], "registered_on": on.isoformat()},
                fields.cells)


# The marriage certificate's layouts: the spouses one under the other (Decree 158/2005's
# form as the set has it since issue 21) or side by side in the two columns of one ruled
# table, the template of Thông tư 04/2020/TT-BTP and of many older printings ("Bên
# chồng" / "Bên vợ").
LAYOUTS = ("sequential", "side")
# The side-by-side table's column headers, by era.
SIDE_HEADERS = (("Thông tin người chồng", "Thông tin người vợ"), ("Bên chồng", "Bên vợ"),
                ("Chồng", "Vợ"))
# Its rows: the field (None: typed), each wording a printing used.
SIDE_ROWS: tuple[tuple[str | None, tuple[str, ...]], ...] = (
    ("name", ("Họ, chữ đệm, tên", "Họ và tên")),
    ("birth_date", ("Ngày, tháng, năm sinh",)),
    (None, ("Dân tộc",)),
    (None, ("Quốc tịch",)),
    ("residence", ("Nơi cư trú", "Nơi thường trú")),
    ("id", ("Giấy tờ tùy thân", "Số Giấy CMND")))
# The label column's share of the table when the labels are printed once, left of both
# spouses' columns (the 2020 template); otherwise each spouse's column repeats them.
LABEL_COLUMN = 0.3
CELL_PAD_MM = 2.5  # room kept between a dotted line and its cell's rule
CELL_SMALLEST = 0.4  # of the body's print size: the smallest a clerk writes in a cell


def _side_by_side(rng: random.Random, m: _Marriage, fields: _Fields) -> None:
    """The spouses side by side: a ruled table whose header row names each spouse's
    column, then a row per field. Either a label column left of both spouses' columns
    (each value cell a dotted line alone) or each spouse's column with the label
    repeated before its dotted line (a long value's line then under the label, in the
    cell). Each dotted line ends at its cell's rule (``fields.rights``)."""
    labelled = rng.random() < 0.5
    heads = rng.choice(SIDE_HEADERS)
    colon = "" if labelled else ":"
    wording = [rng.choice(words) for _, words in SIDE_ROWS]
    below = {f"{who}_{k}": not labelled and rng.random() < 0.3
             for who in ("husband", "wife") for k in ("name", "residence")}
    widths = ([LABEL_COLUMN, (1 - LABEL_COLUMN) / 2, (1 - LABEL_COLUMN) / 2] if labelled
              else [0.5, 0.5])
    edges = [sum(widths[:i + 1]) for i in range(len(widths))]
    rows: list[list[list[Any]]] = [[[], [sp(heads[0], "b")], [sp(heads[1], "b")]]
                                   if labelled else [[sp(heads[0], "b")], [sp(heads[1], "b")]]]
    typed = {"Dân tộc": (m.husband.ethnicity, m.wife.ethnicity),
             "Quốc tịch": ("Việt Nam", "Việt Nam")}
    for (key, _), words in zip(SIDE_ROWS, wording, strict=True):
        label = words + colon
        cells: list[list[Any]] = [[sp(label)]] if labelled else []
        for i, who in enumerate(("husband", "wife")):
            # Glued to its label (one word, one line) unless the line goes under it.
            prefix = [] if labelled else [sp(label + (" " if below.get(f"{who}_{key}")
                                                      else ""))]
            if key is None:
                cells.append([*([] if labelled else [sp(label + " ")]),
                              sp(typed[words][i], "i")])
                continue
            slot = f"{who}_{key}"
            fields.slots.append(Slot(slot, label))
            k = i + 1 if labelled else i
            fields.cells[slot] = Cell(edges[k - 1] if k else 0.0, edges[k], below.get(slot, False))
            cells.append([*prefix, fields.dotted(slot)])
        rows.append(cells)
    fields.body.append(Table(rows, widths, space_before=0.8, header_rows=1))


def _address(rng: random.Random, place: Place) -> str:
    # A hamlet or a house number before the ward on about half of them, as clerks wrote.
    return street_address(rng, place) if rng.random() < 0.5 else place.address()


BUILDERS = {"birth": build_form, "marriage": build_marriage_form}


@dataclass(frozen=True)
class Line:
    """Where a dotted line was laid out: start, baseline, the room it gives."""

    x: float
    baseline: float
    width: float


def _is_dots(op: Any) -> bool:
    """A dotted line's text op: dots, after the space that parts it from its label when
    the two are separate words (a table cell's label whose line may wrap under it)."""
    return bool(op.text.strip()) and set(op.text.lstrip(" ")) == {DOT} and op.style == "i"


def _dot_lines(lay_ops: list[Any], family: str, size_of: Any) -> list[Line]:
    out = []
    for op in lay_ops:
        if _is_dots(op):
            lead = op.text[:len(op.text) - len(op.text.lstrip(" "))]
            x = op.x + (size_of(dataclasses.replace(op, text=lead)) if lead else 0.0)
            out.append(Line(x, op.y, size_of(op) - (x - op.x)))
    return out


def lay_out(seed_rng: random.Random, family: str, build_seed: str, kind: str = "birth",
            form_layout: str = "sequential") -> tuple[Form, Any, list[Line]]:
    """Lay the form out twice: once with stub dots to find where each dotted line starts,
    then with each line filled to the right margin (or its table cell's rule; a line
    under its cell's label fills the cell's width, which puts it there)."""

    body_pt = seed_rng.choice([12.0, 12.5, 13.0, 13.5])
    spacing = seed_rng.uniform(1.45, 1.7)  # room above each line for the handwriting
    margins = (mm(seed_rng.uniform(22, 30)), mm(seed_rng.uniform(12, 18)),
               mm(seed_rng.uniform(14, 20)), mm(15))
    right = mm(A4_MM[0]) - margins[2]
    dots: dict[str, int] = {}
    for _attempt in range(2):
        build_rng = random.Random(build_seed)
        form = (build_marriage_form(build_rng, dots, form_layout) if kind == "marriage"
                else BUILDERS[kind](build_rng, dots))
        lay = layout(form.page, family, body_pt, spacing, margins)

        def length(op: Any) -> float:
            return float(font(family, op.style, op.size_px).getlength(op.text))

        lines = _dot_lines(lay.ops, family, length)
        assert len(lines) == len(form.slots), (len(lines), form.slots)
        for slot, ln, op in zip(form.slots, lines, [o for o in lay.ops if _is_dots(o)],
                                strict=True):
            dot_w = font(family, "i", op.size_px).getlength(DOT)
            fixed = FIXED_DOTS_MM.get(slot.key)
            cell = form.cells.get(slot.key)
            body_w = right - margins[0]
            if cell is not None:
                # Short of the cell's rule; under the label, the cell's whole width.
                end = margins[0] + cell.right * body_w - mm(CELL_PAD_MM)
                start = margins[0] + cell.left * body_w + mm(CELL_PAD_MM) if cell.below else ln.x
                room = end - start - dot_w
            else:
                room = (mm(fixed) if fixed is not None else right - ln.x) - dot_w
            dots[slot.key] = max(3, int(room / dot_w))
    return form, lay, lines


def _choose(rng: random.Random, items: list[str], weights: list[int] | None = None) -> str:
    return rng.choices(items, weights=weights)[0]


def _box_in_scan(box: tuple[int, int, int, int], dpi: int, degradation: str
                 ) -> list[int] | None:
    """The ink box in the upright page at the scan's dpi. The OCR turns and deskews
    pages before reading, so only the resolution changes it (within the deskew's error);
    `photo` warps the page and its box is unknown."""
    if degradation == "photo":
        return None
    s = dpi / 300
    return [round(v * s) for v in box]


@dataclass(frozen=True)
class Pen:
    """One writer's hand on the form: the font, its ink, slant and pen width."""

    hand: str
    ink: tuple[int, int, int]
    slant: float
    width: int


def _pen(rng: random.Random, hands: list[str]) -> Pen:
    hand = rng.choice(hands)
    ink = (20, 40, 150) if rng.random() < 0.6 else (25, 25, 30)
    return Pen(hand, ink, rng.uniform(-6, 16), rng.choice((-1, 0, 0, 1)))


# The marriage form's fields each spouse wrote in their own hand (their name, birth date,
# residence and ID, their signature and name under it); the register's number and book
# are the clerk's, in the husband's hand (the form's first).
SPOUSE_OF = {f"wife_{k}": "wife" for k in ("name", "birth_date", "residence", "id",
                                           "signature")}


def _sign_spouses(canvas: np.ndarray, lay: Any, form: Form, rng: random.Random, cache: Path,
                  pens: dict[str, Pen]) -> dict[str, Any]:
    """Each spouse's signature under their "(Ký, ghi rõ họ tên)" and the name written out
    under it, as the note asks: a pen stroke and the name in that spouse's hand
    (``pens``); the truth box holds both."""
    notes = [op for op in lay.ops if op.text == SIGN_NOTE]
    out: dict[str, Any] = {}
    for who, op in zip(("husband", "wife"), notes, strict=True):
        key, pen = f"{who}_signature", pens[who]
        line = op.size_px * 1.5
        sig = signature_image(rng).resize((mm(36), mm(14)))
        sx, sy = int(op.x + rng.uniform(0, mm(10))), int(op.y + 0.2 * line)
        _blend(canvas, sig, (sx, sy), pen.ink, 0.95)
        size = round(op.size_px * rng.uniform(1.1, 1.3))
        w = write(form.written[key], rng, cache, pen.hand, size, pen.slant, pen.width)
        nx, ny = int(op.x + rng.uniform(-mm(3), mm(6))), int(sy + sig.height + 0.1 * line)
        _blend(canvas, w.mask, (nx, ny), pen.ink, rng.uniform(0.85, 0.97))
        box = (min(sx, nx), sy, max(sx + sig.width, nx + w.mask.width), ny + w.mask.height)
        out[key] = {"text": form.written[key], "value": form.truth[key], "box": box}
    return out


def form_layout(seed: int, layouts: Sequence[str]) -> str:
    """The form's layout: the only one asked for, or one of them drawn from a stream of
    its own (the form's other draws, and so a set made with one layout, stay)."""
    if len(layouts) == 1:
        return layouts[0]
    return random.Random(f"{seed}:layout").choice(list(layouts))


def make_form(workdir: Path, doc_id: str, seed: int, degradation: str, split: str,
              cache: Path, kind: str = "birth", layouts: Sequence[str] = ("sequential",)
              ) -> Truth:
    rng = random.Random(f"{seed}:hand-render")
    fams = available_fonts()
    family = _choose(rng, fams, [FONT_WEIGHTS[f] for f in fams])
    chosen = form_layout(seed, layouts)
    form, lay, lines = lay_out(rng, family, f"{seed}:hand-content", kind, chosen)
    rendered = draw(form.page, lay, rng, family)
    canvas = np.array(rendered.image)
    hands = list(PACKAGES)
    # The birth form: one clerk filled it, one hand for all its fields.
    first = _pen(rng, hands)
    pens = {"husband": first}
    if kind == "marriage":
        # Each spouse in their own hand: the wife's another font, drawn from a stream of
        # its own so that the form's other draws (and the birth form's bytes) stay.
        pens["wife"] = _pen(random.Random(f"{seed}:wife-hand"),
                            [h for h in hands if h != first.hand] or hands)
    body_px = pt(13)
    hand_truth: dict[str, Any] = {}
    for slot, ln in zip(form.slots, lines, strict=True):
        text = form.written[slot.key]
        pen = pens[SPOUSE_OF.get(slot.key, "husband")]
        size = round(body_px * rng.uniform(1.15, 1.45))
        w = write(text, rng, cache, pen.hand, size, pen.slant + rng.gauss(0, 1.5), pen.width)
        # Too long for its line: the clerk wrote smaller; in a table's cell, as small as
        # it takes to stay inside its rules (an address in a spouse's column).
        floor = body_px * (CELL_SMALLEST if slot.key in form.cells else 0.7)
        while w.mask.width > ln.width * 0.97 and size > floor:
            size = round(size * 0.9)
            w = write(text, rng, cache, pen.hand, size, pen.slant, pen.width)
        x = int(ln.x + rng.uniform(0, max(0.0, min(mm(8), ln.width - w.mask.width))))
        y = int(ln.baseline - w.baseline - rng.uniform(0, 0.15) * size)
        _blend(canvas, w.mask, (x, y), pen.ink, rng.uniform(0.85, 0.97))
        box = (x, y, x + w.mask.width, y + w.mask.height)
        hand_truth[slot.key] = {"text": text, "value": form.truth[slot.key], "box": box}
    if kind == "marriage":
        hand_truth |= _sign_spouses(canvas, lay, form, rng, cache, pens)
    scan = degrade(Image.fromarray(canvas), degradation, random.Random(f"{seed}:degrade"))
    for v in hand_truth.values():
        v["box"] = _box_in_scan(v["box"], scan.dpi, degradation)
    name = f"{doc_id}.{EXTENSIONS[scan.format]}"
    save(scan, Path(workdir) / name)
    jpeg_used = scan.format == "jpeg" or (scan.format == "pdf" and scan.mode != "bilevel")
    klass = {"dpi": scan.dpi, "mode": scan.mode, "degradation": scan.degradation,
             "format": scan.format, "turn": scan.turn, "skew": round(scan.skew, 2),
             "jpeg_quality": (scan.jpeg_quality or 85) if jpeg_used else None,
             "font": family, "hand": first.hand,
             **({"wife_hand": pens["wife"].hand} if "wife" in pens else {}),
             # Only where it is not the form's first: a set of it alone is as before.
             **({"layout": chosen} if chosen != "sequential" else {})}
    printed = "\n".join(rendered.lines)
    return Truth(
        id=doc_id, file=name, split=split, profile=PROFILE_OF[degradation], klass=klass,
        class_key=f"{scan.dpi}dpi-{scan.mode}-{scan.degradation}",
        pages=[printed] + [""] * (len(scan.pages) - 1), doc_type=DOC_TYPE_OF[kind],
        document_number=form.truth["number"], issued_on=form.issued_on.isoformat(),
        valid_until=None, issuer=form.issuer, subjects=form.subjects,
        fields={**form.printed, "handwriting": hand_truth}, seed=seed)


def generate(out: Path, count: int, seed: int, cache: Path | None = None,
             on_document: Any = None, classes: tuple[str, ...] = CYCLE,
             kind: str = "birth", layouts: Sequence[str] = ("sequential",)) -> list[Truth]:
    """`count` forms of `kind` into `out` (replaced as a whole, as `evalset.generate`
    does); form i depends on (seed, i) only, its split on (seed, id) only. ``layouts``:
    the marriage form's layouts to draw from (``LAYOUTS``; the birth form has one)."""
    if kind not in KINDS:
        raise ValueError(f"unknown form kind {kind!r}: one of {', '.join(KINDS)}")
    bad = [x for x in layouts if x not in (LAYOUTS if kind == "marriage" else LAYOUTS[:1])]
    if bad or not layouts:
        raise ValueError(f"unknown layout for the {kind} form: {', '.join(bad) or 'none'}")
    cache = cache or default_cache()
    if missing(cache):
        raise RuntimeError(f"handwriting fonts missing in {cache}: run python -m "
                           f"evalset.handfonts {cache} (or ./dev.sh setup)")
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    truths = []
    for i in range(count):
        doc_id = f"{ID_PREFIX[kind]}{i:04d}"
        degradation = _cycled(seed, "hand-class", classes, i)
        t0 = time.perf_counter()
        t = make_form(partial, doc_id, _h("evalset-hand", seed, i) % 2**32, degradation,
                      split_of(seed, doc_id), cache, kind, layouts)
        truths.append(t)
        if on_document:
            on_document(t, time.perf_counter() - t0)
    write_truth(partial, truths)
    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)
    return truths


def layout_list(text: str) -> tuple[str, ...]:
    """``--layouts``' value: layouts of ``LAYOUTS``, comma-separated."""
    out = tuple(x.strip() for x in text.split(",") if x.strip())
    bad = [x for x in out if x not in LAYOUTS]
    if bad or not out:
        raise argparse.ArgumentTypeError(f"layouts are among {', '.join(LAYOUTS)}")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evalset.handwriting", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--kind", choices=KINDS, default="birth",
                    help="the form: birth certificate (default) or marriage certificate")
    ap.add_argument("--layouts", type=layout_list, default=("sequential",),
                    help="the marriage form's layouts, comma-separated, one drawn per form: "
                         "sequential (the spouses one under the other, the default: the "
                         "sets made before the option) and side (side by side in a table)")
    ap.add_argument("--fonts", type=Path, default=None, help="font cache (evalset.handfonts)")
    args = ap.parse_args(argv)
    n = [0]

    def progress(t: Truth, w: float) -> None:
        n[0] += 1
        print(f"[{n[0]}/{args.count}] {t.file} {t.class_key} {t.klass['hand']} {t.split} "
              f"{w:.2f}s", file=sys.stderr, flush=True)

    truths = generate(args.out, args.count, args.seed, args.fonts, progress, kind=args.kind,
                      layouts=args.layouts)
    print(f"{len(truths)} forms in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
