"""A page read with no confidence anywhere keeps its text (issue 13, the 150-dpi fax)."""

from __future__ import annotations

from ocr import engine
from ocr.base import Word

LINES = ["GIẤY KHAI SINH", "Họ, chữ đệm, tên: NGUYỄN VĂN AN", "Ngày, tháng, năm sinh: 05/01/2026"]


def _page(confidences: list[float]) -> list[Word]:
    """Words of LINES laid out as tesseract gives them, each line with one confidence."""
    words = []
    for number, (text, confidence) in enumerate(zip(LINES, confidences, strict=True), start=1):
        x = 200
        for token in text.split():
            width = 24 * len(token)
            words.append(Word(text=token, confidence=confidence,
                              bbox=(x, 100 * number, x + width, 100 * number + 40),
                              line=(1, 1, number)))
            x += width + 20
    return words


def test_uniformly_weak_page_keeps_every_line() -> None:
    # Each line's confidence is below the noise line level: on a page with good lines
    # they would be dropped as seal or signature remnants.
    confidences = [38.0, 31.0, 35.0]
    assert all(c < engine.NOISE_LINE_CONFIDENCE for c in confidences)
    assert engine.words_to_text(_page(confidences)).splitlines() == LINES


def test_weak_line_on_a_well_read_page_is_still_dropped() -> None:
    # The remnant holds 26 of the page's 67 characters: the others read well enough for
    # the page to stay over WEAK_PAGE_CONFIDENCE.
    page = _page([95.0, 31.0, 96.0])
    assert engine.character_confidence(page) >= engine.WEAK_PAGE_CONFIDENCE
    text = engine.words_to_text(page)
    assert text.splitlines() == [LINES[0], LINES[2]]


def test_a_page_read_under_seventy_keeps_its_low_lines() -> None:
    # A speck fax read at 60-63 over its characters lost whole lines of text as noise
    # while the weak-page level was the noise line's own (55): fresh fax draw 28002,
    # "2. Giới tính: Nam" gone.
    confidences = [72.0, 50.0, 62.0]
    page = _page(confidences)
    assert engine.NOISE_LINE_CONFIDENCE < engine.character_confidence(page) \
        < engine.WEAK_PAGE_CONFIDENCE
    assert engine.words_to_text(page).splitlines() == LINES


def test_character_confidence_weighs_words_by_their_length() -> None:
    page = [Word(text="NGUYỄN", confidence=90.0, bbox=(0, 0, 60, 20), line=(1, 1, 1)),
            Word(text="'", confidence=0.0, bbox=(70, 0, 72, 20), line=(1, 1, 1))]
    assert engine.character_confidence(page) == 90.0 * 6 / 7
    assert engine.character_confidence([]) == 100.0
