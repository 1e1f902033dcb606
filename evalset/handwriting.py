"""Old birth-certificate forms filled in by hand: printed labels and dotted lines (after
the pre-2010 template of Decree 158/2005), the values written with handwriting-style fonts
(`evalset.pen`), then degraded as the rest of the evaluation set.

    python -m evalset.handwriting OUT --count N --seed S [--fonts DIR]

Writes OUT/<id>.<ext> and OUT/truth.jsonl (`evalset.Truth` rows, `doc_type`
"birth_certificate"). Per handwritten field, `fields["handwriting"][key]` holds what was
written (`text`), its canonical value (`value`: names in capitals, dates ISO) and the
ink's box in the upright page at the file's dpi (`box`, x0 y0 x1 y1), or null where the
degradation warps the page (`photo`). The issue date is printed in the dateline (dated
by the office's typewriter or stamp), which lets a reading be checked against it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from evalset.content import header, make_issuer, sign_block, sp, title_paras
from evalset.data import HOSPITAL_KINDS, Place, lower_kind, random_date, random_person, random_place
from evalset.degrade import EASY_CLASSES, HARD_CLASSES, PROFILE_OF, degrade, save
from evalset.generate import EXTENSIONS, _cycled, _h, split_of
from evalset.handfonts import PACKAGES, default_cache, missing
from evalset.layout import Block, Header, Page, Para
from evalset.pen import write
from evalset.render import A4_MM, FONT_WEIGHTS, _blend, available_fonts, draw, font, layout, mm, pt
from evalset.truth import Truth, write_truth

# The fields the bench scores, and the ones written by hand besides (a form of six to
# key by hand when nothing reads them).
SCORED = ("name", "birth_date", "birth_place", "number")
FIELDS = (*SCORED, "mother_name", "father_name")
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


@dataclass
class Form:
    page: Page
    slots: list[Slot]  # in the order their dotted lines are laid out
    written: dict[str, str]
    truth: dict[str, str]
    issued_on: dt.date
    subject: dict[str, Any]
    issuer: dict[str, Any]


def build_form(rng: random.Random, dots: dict[str, int]) -> Form:
    """The printed form with dotted lines (`dots[key]` dots each) and what goes on them."""
    on = random_date(rng, EARLIEST, LATEST)
    place = random_place(rng, "legacy")
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

    def dotted(key: str) -> Any:
        return sp(DOT * dots.get(key, 3), "i")

    below = {k: rng.random() < 0.3 for k in ("name", "birth_place")}
    slots: list[Slot] = [Slot("number", "Số:")]
    hdr: Header = header(rng, issuer, None)
    hdr.left.append([sp("Số:"), dotted("number")])
    body: list[Block] = []

    def field(key: str, label: str, space: float = 0.0) -> None:
        slots.append(Slot(key, label))
        if below.get(key):
            body.append(Para([sp(label)], space_before=space))
            body.append(Para([dotted(key)]))
        else:
            body.append(Para([sp(label), dotted(key)], space_before=space))

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
    return Form(page, slots, written, truth, on, subject, issuer.to_dict())


@dataclass(frozen=True)
class Line:
    """Where a dotted line was laid out: start, baseline, the room it gives."""

    x: float
    baseline: float
    width: float


def _dot_lines(lay_ops: list[Any], family: str, size_of: Any) -> list[Line]:
    out = []
    for op in lay_ops:
        if op.text and set(op.text) == {DOT} and op.style == "i":
            out.append(Line(op.x, op.y, size_of(op)))
    return out


def lay_out(seed_rng: random.Random, family: str, build_seed: str) -> tuple[Form, Any, list[Line]]:
    """Lay the form out twice: once with stub dots to find where each dotted line starts,
    then with each line filled to the right margin."""

    body_pt = seed_rng.choice([12.0, 12.5, 13.0, 13.5])
    spacing = seed_rng.uniform(1.45, 1.7)  # room above each line for the handwriting
    margins = (mm(seed_rng.uniform(22, 30)), mm(seed_rng.uniform(12, 18)),
               mm(seed_rng.uniform(14, 20)), mm(15))
    right = mm(A4_MM[0]) - margins[2]
    dots: dict[str, int] = {}
    for _attempt in range(2):
        form = build_form(random.Random(build_seed), dots)
        lay = layout(form.page, family, body_pt, spacing, margins)

        def length(op: Any) -> float:
            return float(font(family, op.style, op.size_px).getlength(op.text))

        lines = _dot_lines(lay.ops, family, length)
        assert len(lines) == len(form.slots), (len(lines), form.slots)
        for slot, ln, op in zip(form.slots, lines, [o for o in lay.ops
                                                    if o.text and set(o.text) == {DOT}],
                                strict=True):
            dot_w = font(family, "i", op.size_px).getlength(DOT)
            room = (mm(38) if slot.key == "number" else right - ln.x) - dot_w
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


def make_form(workdir: Path, doc_id: str, seed: int, degradation: str, split: str,
              cache: Path) -> Truth:
    rng = random.Random(f"{seed}:hand-render")
    fams = available_fonts()
    family = _choose(rng, fams, [FONT_WEIGHTS[f] for f in fams])
    form, lay, lines = lay_out(rng, family, f"{seed}:hand-content")
    rendered = draw(form.page, lay, rng, family)
    canvas = np.array(rendered.image)
    hands = list(PACKAGES)
    hand = rng.choice(hands)  # one clerk filled the form, one hand for all its fields
    ink = (20, 40, 150) if rng.random() < 0.6 else (25, 25, 30)
    body_px = pt(13)
    slant = rng.uniform(-6, 16)
    pen_width = rng.choice((-1, 0, 0, 1))
    hand_truth: dict[str, Any] = {}
    for slot, ln in zip(form.slots, lines, strict=True):
        text = form.written[slot.key]
        size = round(body_px * rng.uniform(1.15, 1.45))
        w = write(text, rng, cache, hand, size, slant + rng.gauss(0, 1.5), pen_width)
        # Too long for its line: the clerk wrote smaller.
        while w.mask.width > ln.width * 0.97 and size > body_px * 0.7:
            size = round(size * 0.9)
            w = write(text, rng, cache, hand, size, slant, pen_width)
        x = int(ln.x + rng.uniform(0, max(0.0, min(mm(8), ln.width - w.mask.width))))
        y = int(ln.baseline - w.baseline - rng.uniform(0, 0.15) * size)
        _blend(canvas, w.mask, (x, y), ink, rng.uniform(0.85, 0.97))
        box = (x, y, x + w.mask.width, y + w.mask.height)
        hand_truth[slot.key] = {"text": text, "value": form.truth[slot.key], "box": box}
    scan = degrade(Image.fromarray(canvas), degradation, random.Random(f"{seed}:degrade"))
    for v in hand_truth.values():
        v["box"] = _box_in_scan(v["box"], scan.dpi, degradation)
    name = f"{doc_id}.{EXTENSIONS[scan.format]}"
    save(scan, Path(workdir) / name)
    jpeg_used = scan.format == "jpeg" or (scan.format == "pdf" and scan.mode != "bilevel")
    klass = {"dpi": scan.dpi, "mode": scan.mode, "degradation": scan.degradation,
             "format": scan.format, "turn": scan.turn, "skew": round(scan.skew, 2),
             "jpeg_quality": (scan.jpeg_quality or 85) if jpeg_used else None,
             "font": family, "hand": hand}
    printed = "\n".join(rendered.lines)
    return Truth(
        id=doc_id, file=name, split=split, profile=PROFILE_OF[degradation], klass=klass,
        class_key=f"{scan.dpi}dpi-{scan.mode}-{scan.degradation}",
        pages=[printed] + [""] * (len(scan.pages) - 1), doc_type="birth_certificate",
        document_number=form.truth["number"], issued_on=form.issued_on.isoformat(),
        valid_until=None, issuer=form.issuer, subjects=[form.subject],
        fields={"birth_place": form.truth["birth_place"],
                "mother_name": form.truth["mother_name"],
                "father_name": form.truth["father_name"], "handwriting": hand_truth},
        seed=seed)


def generate(out: Path, count: int, seed: int, cache: Path | None = None,
             on_document: Any = None, classes: tuple[str, ...] = CYCLE) -> list[Truth]:
    """`count` forms into `out` (replaced as a whole, as `evalset.generate` does); form i
    depends on (seed, i) only, its split on (seed, id) only."""
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
        doc_id = f"h{i:04d}"
        degradation = _cycled(seed, "hand-class", classes, i)
        t0 = time.perf_counter()
        t = make_form(partial, doc_id, _h("evalset-hand", seed, i) % 2**32, degradation,
                      split_of(seed, doc_id), cache)
        truths.append(t)
        if on_document:
            on_document(t, time.perf_counter() - t0)
    write_truth(partial, truths)
    if out.exists():
        shutil.rmtree(out)
    partial.rename(out)
    return truths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evalset.handwriting", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--fonts", type=Path, default=None, help="font cache (evalset.handfonts)")
    args = ap.parse_args(argv)
    n = [0]

    def progress(t: Truth, w: float) -> None:
        n[0] += 1
        print(f"[{n[0]}/{args.count}] {t.file} {t.class_key} {t.klass['hand']} {t.split} "
              f"{w:.2f}s", file=sys.stderr, flush=True)

    truths = generate(args.out, args.count, args.seed, args.fonts, progress)
    print(f"{len(truths)} forms in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
