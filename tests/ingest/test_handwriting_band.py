"""The label column read again only where the missing labels are (``label_band``)."""

from __future__ import annotations

import itertools

import pytest
from PIL import Image

from extract.handregions import REACH, FormKind
from ingest.handwriting import MARRIAGE_ORDER, NUMBER_STRIP, STRIP_BOTTOM, label_band
from ocr import PageResult
from ocr.base import Word

HEIGHT = 2200
SIZE = (1600, HEIGHT)


def _label(top: int) -> list[Word]:
    return [Word("Nơi", 96, (200, top, 260, top + 30), (1, 1, 1))]


def test_a_missing_label_is_looked_for_between_its_neighbours() -> None:
    found = {"name": _label(700), "birth_place": _label(860)}
    top, bottom = label_band(["birth_date"], found, SIZE)
    # Between the name's label and the birth place's, a line of slack each side.
    assert 700 - 50 <= top <= 730 and 860 <= bottom <= 860 + 50


def test_without_neighbours_the_band_is_the_label_column() -> None:
    top, bottom = label_band(["birth_place"], {}, SIZE)
    assert (top, bottom) == (0, HEIGHT // 2)


def test_the_number_is_looked_for_in_the_header() -> None:
    top, bottom = label_band(["number"], {"name": _label(700)}, SIZE)
    assert (top, bottom) == (0, int(HEIGHT * NUMBER_STRIP))
    # With a body label missing too, both bands: the date's no further under the name
    # than the form puts it.
    top, bottom = label_band(["number", "birth_date"], {"name": _label(700)}, SIZE)
    assert top == 0 and bottom == 730 + int(REACH["name", "birth_date"] * 30)


def test_labels_still_missing_are_read_again_at_the_strokes_core(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Ink bleed: tesseract loses labels next to the handwriting in the gray halos of the
    print; the label column is read a second time in black and white, darker than the
    halos."""
    import ingest.handwriting as hw

    strips: list[Image.Image] = []

    def read(strip: Image.Image, top: int, dpi: int | None, languages: str) -> list[Word]:
        strips.append(strip)
        # The second reading finds the date label.
        return [] if len(strips) == 1 else [
            Word(t, 96, (100 + 60 * i, top + 10, 150 + 60 * i, top + 40), (1, 1, 1))
            for i, t in enumerate(("Ngày,", "tháng,", "năm", "sinh:"))]

    monkeypatch.setattr(hw, "_read_strip", read)
    image = Image.new("L", (1600, HEIGHT), 255)
    image.paste(140, (100, 700, 400, 740))  # a halo's gray: paper in the second reading
    image.paste(40, (100, 740, 400, 760))  # a stroke's core: ink
    # The holder's name label read by the OCR, above the lost date label.
    name = [Word(t, 96, (100 + 70 * i, 620, 160 + 70 * i, 650), (2, 1, 1))
            for i, t in enumerate(("Họ,", "chữ", "đệm,", "tên:"))]
    page = _page(name)
    words = hw.label_words(image, page, "vie", ["birth_date"])
    assert len(strips) == 2
    assert set(strips[1].getdata()) <= {0, 255}
    top = hw.label_band(["birth_date"], {"name": name}, SIZE)[0]
    assert strips[1].getpixel((150, 720 - top)) == 255
    assert any(w.text == "Ngày," for w in words)
    # "Số:" alone still missing: not read a second time (it never was found so).
    strips.clear()
    hw.label_words(Image.new("L", (1600, HEIGHT), 255), page, "vie", ["number"])
    assert len(strips) == 1


def test_a_page_whose_labels_are_all_lost_reads_its_label_column_once(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """No label found by the OCR nor by the label column's reading: not read again in
    black and white (a whole column's reading is 0.4–0.6 s on a 200 dpi page)."""
    import ingest.handwriting as hw

    calls: list[int] = []

    def read(strip: Image.Image, top: int, dpi: int | None, languages: str) -> list[Word]:
        calls.append(top)
        return []

    monkeypatch.setattr(hw, "_read_strip", read)
    image = Image.new("L", (1600, HEIGHT), 255)
    for form, wanted in ((FormKind.BIRTH, ["name", "birth_date"]),
                         (FormKind.MARRIAGE, list(MARRIAGE_ORDER))):
        calls.clear()
        hw.label_words(image, _page(), "vie", wanted, form)
        assert len(calls) == 1


def test_a_label_with_no_found_label_above_is_looked_for_within_the_forms_reach() -> None:
    """The husband's labels lost on a photocopy's noisy top: the band starts no higher
    than the form puts them above the wife's name, not at the page's top (tesseract's
    time goes with the noise it reads)."""
    h = 30
    wife = [Word(t, 96, (200 + 60 * i, 1000, 250 + 60 * i, 1000 + h), (1, 1, 1))
            for i, t in enumerate(("Họ", "và", "tên", "vợ:"))]
    size = (1654, 2339)
    top, bottom = label_band(["husband_name", "husband_birth_date"], {"wife_name": wife}, size,
                             FormKind.MARRIAGE)
    reach = REACH[("husband_name", "husband_birth_date")] + \
        REACH[("husband_birth_date", "wife_name")]
    assert top == 1000 - int(reach * h)
    assert top > 0 and bottom <= 1000 + int(size[1] * 0.02)


def test_a_label_with_no_found_label_below_is_looked_for_within_the_forms_reach() -> None:
    """Below the last found label, the band ends where the form can put the missing one,
    not at ``STRIP_BOTTOM`` (75 % of the marriage form's height)."""
    h = 30
    husband = [Word(t, 96, (200 + 60 * i, 500, 250 + 60 * i, 500 + h), (1, 1, 1))
               for i, t in enumerate(("Họ", "và", "tên", "chồng:"))]
    size = (1654, 2339)
    top, bottom = label_band(["husband_birth_date"], {"husband_name": husband}, size,
                             FormKind.MARRIAGE)
    assert top < 500 + h
    assert bottom == 500 + h + int(REACH[("husband_name", "husband_birth_date")] * h)
    assert bottom < size[1] * STRIP_BOTTOM[FormKind.MARRIAGE]
    # The number, four steps down the form: the steps' reaches summed, within the limit.
    _, bottom = label_band(["number"], {"husband_name": husband}, size, FormKind.MARRIAGE)
    steps = sum(REACH[step] for step in itertools.pairwise(MARRIAGE_ORDER))
    assert bottom == min(int(size[1] * STRIP_BOTTOM[FormKind.MARRIAGE]), 500 + h + int(steps * h))


def _page(words: list[Word] | None = None) -> PageResult:
    return PageResult(number=1, text="x", words=[Word("x", 96, (1000, 100, 1010, 110),
                                                      (1, 1, 1)), *(words or [])],
                      width_px=1600, height_px=HEIGHT, dpi=200, dpi_assumed=False, rotated=0,
                      deskew=0.0, mean_confidence=96.0, blank=False, had_text=False,
                      pdf_path="")


def test_a_field_with_no_label_found_is_placed_from_its_found_neighbours() -> None:
    from ingest.handwriting import PLACED_OVER, PLACED_UNDER, SHARES, placed_box

    # Both neighbours found: from the label before to the label after.
    found = {"name": _label(700), "birth_place": _label(860)}
    x0, top, x1, bottom = placed_box("birth_date", found, SIZE)
    assert top == 700 and bottom == 860 + int(PLACED_OVER * 30)
    # From the label column (the value may go under its label) to the field's usual end.
    assert x0 <= 200 - 30 and x1 > SHARES[FormKind.BIRTH]["birth_date"][2] * SIZE[0]
    # One side alone: no further than the form puts it, and the line under its label.
    _, top, _, bottom = placed_box("birth_date", {"name": _label(700)}, SIZE)
    assert top == 700
    assert bottom == 730 + int((REACH["name", "birth_date"] + PLACED_UNDER) * 30)
    _, top, _, bottom = placed_box("birth_date", {"birth_place": _label(860)}, SIZE)
    assert top == 860 - int((REACH["birth_date", "birth_place"] + 1) * 30)
    assert bottom == 860 + int(PLACED_OVER * 30)
    # A marriage form's number under the wife's date, several steps from the husband's.
    marriage = placed_box("number", {"husband_name": _label(400)}, SIZE, FormKind.MARRIAGE)
    steps = sum(REACH[a, b] for a, b in itertools.pairwise(MARRIAGE_ORDER))
    assert marriage[3] == 430 + int((steps + PLACED_UNDER) * 30)


def test_with_no_label_found_a_field_is_at_its_usual_share_of_the_page() -> None:
    from ingest.handwriting import SHARES, placed_box

    for form, shares in SHARES.items():
        for key, (x0, y0, x1, y1) in shares.items():
            box = placed_box(key, {}, SIZE, form)
            assert box == (int(x0 * SIZE[0]), int(y0 * HEIGHT), int(x1 * SIZE[0]),
                           int(y1 * HEIGHT))
    # The birth form's number is in the header, above every label: never placed from them.
    header = placed_box("number", {"name": _label(700)}, SIZE)
    assert header == placed_box("number", {}, SIZE)
