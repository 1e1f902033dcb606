"""A numbered list's numbers that the layout left out of their lines, put back from the
reading of the skipped ink where they count up line by line."""

from __future__ import annotations

import re
from pathlib import Path

import ocr
from evalset.generate import doc_seed, make_document
from ocr import engine
from ocr.base import Word
from ocr.plan import plan_pages

H = 30  # a line's height in pixels (200 dpi)


def _line(y: int, x: int, text: str, key: int, confidence: float = 95.0) -> list[Word]:
    words, at = [], x
    for token in text.split():
        right = at + 18 * len(token)
        words.append(Word(text=token, confidence=confidence, bbox=(at, y, right, y + H),
                          line=(6, 1, key)))
        at += 18 * len(token) + 12
    return words


LIST = ["Họ và tên: TRẦN QUANG HIẾU", "Giới tính: Nam", "Ngày, tháng, năm sinh: 12/11/1994",
        "Nơi sinh: Tỉnh Lạng Sơn", "Quốc tịch: Việt Nam"]


def _page(first_words: tuple[str, ...] = ()) -> list[Word]:
    words: list[Word] = []
    for k, text in enumerate(LIST):
        lead = first_words[k] + " " if first_words else ""
        words += _line(100 + 55 * k, 269 - (12 if lead else 0), lead + text, k + 1)
    return words


def _numbers(texts: list[str]) -> list[Word]:
    """What the skipped patch left of the numbers gives: each with a piece of the
    line's first letter, at 7–41 confidence."""
    return [Word(text=t, confidence=20.0, bbox=(226, 100 + 55 * k, 280, 100 + 55 * k + H),
                 line=(20001, 1, k + 1)) for k, t in enumerate(texts) if t]


def test_numbers_that_count_up_are_put_back_at_their_lines() -> None:
    words = engine.list_numbers(_page(), _numbers(["1.", "2.IỆ", "q.Í", "4.1!", "5.(C"]))
    text = engine.words_to_text(words).splitlines()
    # "q.Í" is no number: the third line's is not guessed.
    assert text == ["1. " + LIST[0], "2. " + LIST[1], LIST[2], "4. " + LIST[3], "5. " + LIST[4]]


def test_the_numbers_dot_read_alone_is_replaced() -> None:
    words = engine.list_numbers(_page(first_words=(".",) * 5),
                                _numbers(["1.]", "2,(", "3,]", "4.", "5,("]))
    assert engine.words_to_text(words).splitlines() == [
        f"{k + 1}. {text}" for k, text in enumerate(LIST)]


def test_numbers_that_do_not_count_up_are_left_out() -> None:
    """Digits read in a column beside lines (a table's values, noise) are no list."""
    page = _page()
    assert engine.list_numbers(page, _numbers(["7.", "3.", "9.", "1.", "4."])) is page
    assert engine.list_numbers(page, _numbers(["1.", "2."])) is page


def test_a_blurred_numbered_list_keeps_its_numbers(tmp_path: Path) -> None:
    """Dev e0056 (a criminal record certificate, blurred, yellowish, skewed; made with
    the generator): the layout left "1." … "9." out of the list's lines; the skipped
    ink's reading has them, as a noise line the page dropped."""
    truth = make_document(tmp_path, "e0056", doc_seed(13, 56), "blur_yellow_skew",
                          "criminal_record_certificate", "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), "application/pdf", out_dir=str(tmp_path))[0])
    numbered = [m.group(1) for line in result.text.splitlines()
                if (m := re.match(r"(\d{1,2})\. \S", line))]
    assert len(numbered) >= 8
    assert numbered == sorted(numbered, key=int)
