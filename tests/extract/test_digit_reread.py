"""A weakly read CCCD checked by the OCR's digits-only second reading
(``ocr.engine.digits_read_again``): agreement brings the record back, disagreement keeps
the ID for review."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from extract import analyze
from ocr import engine
from ocr.base import Word
from tests.extract.test_analyze import _cccd_paper
from tests.support.extract import words_from_lines


def _read_again(monkeypatch: pytest.MonkeyPatch, words: list[Word], digits: str,
                confidence: float) -> list[Word]:
    """``words`` after the second look at long numbers, whose reading gives ``digits``."""
    tsv = (engine.tessapi.TSV_HEADER
           + f"5\t1\t1\t1\t1\t1\t2\t2\t300\t40\t{confidence}\t{digits}\n")
    monkeypatch.setattr(engine, "tesseract", lambda *args, **kwargs: (tsv, None))
    return engine.digits_read_again(Image.new("L", (3000, 4000), 255), words, Path("/tmp"),
                                    dpi=300, languages="vie")


def test_an_agreeing_second_reading_keeps_the_permits_id(
        monkeypatch: pytest.MonkeyPatch, today: date) -> None:
    # The specimens' construction permits: the holder's right CCCD read as one word at
    # 51–78, sent to review by the serial rule until a second reading confirmed it.
    lines, number = _cccd_paper()
    words = words_from_lines(lines, {number: 62.0})
    text = ["\n".join(lines)]
    assert analyze(text, [words], today=today).subjects[0].id_number is None
    checked = _read_again(monkeypatch, words, number, 91.0)
    got = analyze(text, [checked], today=today)
    assert got.subjects[0].id_number == number
    assert not any("id_number" in reason for reason in got.review_reasons)


def test_a_disagreeing_second_reading_keeps_the_id_for_review(
        monkeypatch: pytest.MonkeyPatch, today: date) -> None:
    # Dev e0071: read "…210586" at 68.8, again "…310666"; even a birth date that agrees
    # with the first six digits does not let it through.
    lines, number = _cccd_paper()
    misread = number[:6] + ("1" if number[6] != "1" else "2") + number[7:]
    shown = [line.replace(number, misread) for line in lines]
    words = words_from_lines(shown, {misread: 80.0})
    checked = _read_again(monkeypatch, words, number, 91.0)
    got = analyze(["\n".join(shown)], [checked], today=today)
    assert got.subjects[0].id_number is None
    assert "unverified:subjects[0].id_number" in got.review_reasons
