"""The label column read again only where the missing labels are (``label_band``)."""

from __future__ import annotations

import pytest
from PIL import Image

from ingest.handwriting import NUMBER_STRIP, label_band
from ocr import PageResult
from ocr.base import Word

HEIGHT = 2200


def _label(top: int) -> list[Word]:
    return [Word("Nơi", 96, (200, top, 260, top + 30), (1, 1, 1))]


def test_a_missing_label_is_looked_for_between_its_neighbours() -> None:
    found = {"name": _label(700), "birth_place": _label(860)}
    top, bottom = label_band(["birth_date"], found, HEIGHT)
    # Between the name's label and the birth place's, a line of slack each side.
    assert 700 - 50 <= top <= 730 and 860 <= bottom <= 860 + 50


def test_without_neighbours_the_band_is_the_label_column() -> None:
    top, bottom = label_band(["birth_place"], {}, HEIGHT)
    assert (top, bottom) == (0, HEIGHT // 2)


def test_the_number_is_looked_for_in_the_header() -> None:
    top, bottom = label_band(["number"], {"name": _label(700)}, HEIGHT)
    assert (top, bottom) == (0, int(HEIGHT * NUMBER_STRIP))
    # With a body label missing too, both bands.
    top, bottom = label_band(["number", "birth_date"], {"name": _label(700)}, HEIGHT)
    assert top == 0 and bottom == HEIGHT // 2


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
    page = _page()
    words = hw.label_words(image, page, "vie", ["birth_date"])
    assert len(strips) == 2
    assert set(strips[1].getdata()) <= {0, 255}
    assert strips[1].getpixel((150, 720 - hw.label_band(["birth_date"], {}, HEIGHT)[0])) == 255
    assert any(w.text == "Ngày," for w in words)
    # "Số:" alone still missing: not read a second time (it never was found so).
    strips.clear()
    hw.label_words(Image.new("L", (1600, HEIGHT), 255), page, "vie", ["number"])
    assert len(strips) == 1


def _page() -> PageResult:
    return PageResult(number=1, text="x", words=[Word("x", 96, (1000, 100, 1010, 110),
                                                      (1, 1, 1))],
                      width_px=1600, height_px=HEIGHT, dpi=200, dpi_assumed=False, rotated=0,
                      deskew=0.0, mean_confidence=96.0, blank=False, had_text=False,
                      pdf_path="")
