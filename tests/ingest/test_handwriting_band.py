"""The label column read again only where the missing labels are (``label_band``)."""

from __future__ import annotations

from ingest.handwriting import NUMBER_STRIP, label_band
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
