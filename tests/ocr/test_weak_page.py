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
    text = engine.words_to_text(_page([92.0, 31.0, 90.0]))
    assert text.splitlines() == [LINES[0], LINES[2]]
