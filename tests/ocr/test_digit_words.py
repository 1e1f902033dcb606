"""A weakly read long number is read again alone with digits only (``engine.digits_read_again``)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr import engine, tessapi
from ocr.base import Word

TSV = engine.tessapi.TSV_HEADER


def _tsv(*words: tuple[str, float]) -> str:
    rows = [f"5\t1\t1\t1\t1\t{i + 1}\t2\t2\t100\t20\t{conf}\t{text}\n"
            for i, (text, conf) in enumerate(words)]
    return TSV + "".join(rows)


def _word(text: str, confidence: float) -> Word:
    return Word(text=text, confidence=confidence, bbox=(100, 200, 400, 236), line=(1, 1, 1))


class FakeTesseract:
    """Stands for ``engine.tesseract``: records its calls, answers ``answer``."""

    def __init__(self) -> None:
        self.answer = TSV
        self.calls: list[dict[str, object]] = []

    def __call__(self, image: Image.Image, base: Path, **kwargs: object) -> tuple[str, None]:
        self.calls.append(kwargs)
        return self.answer, None


@pytest.fixture
def reread(monkeypatch: pytest.MonkeyPatch) -> FakeTesseract:
    fake = FakeTesseract()
    monkeypatch.setattr(engine, "tesseract", fake)
    return fake


def _run(fake: FakeTesseract, answer: str, words: list[Word]) -> list[Word]:
    fake.answer = answer
    return engine.digits_read_again(Image.new("L", (1000, 1000), 255), words, Path("/tmp"),
                                    dpi=300, languages="vie")


def test_an_agreeing_digits_only_reading_gives_its_confidence(
        reread: FakeTesseract) -> None:
    """The construction permits' ID read at 62 and again, digits only, at 93: two
    readings agree, and the word keeps the better confidence and its text."""
    words = [_word("048082257720", 62.0)]
    out = _run(reread, _tsv(("048082257720", 93.0)), words)
    assert [(w.text, w.confidence) for w in out] == [("048082257720", 93.0)]
    call = reread.calls[0]
    assert call["whitelist"] == engine.DIGITS and call["psm"] == engine.DIGIT_WORD_PSM
    assert call["want_pdf"] is False


def test_a_disagreeing_reading_marks_the_word(reread: FakeTesseract) -> None:
    """Dev e0071: "040069210586" read at 69 for 040069310566; the second reading spells
    other digits, so the word's confidence drops below what extraction keeps a number at,
    its text unchanged."""
    words = [_word("040069210586", 68.8)]
    out = _run(reread, _tsv(("040069310666", 65.8)), words)
    assert [(w.text, w.confidence) for w in out] == [("040069210586", engine.DIGITS_DISAGREE)]
    # Nothing read, or the number split in two, is no agreement either.
    assert _run(reread, TSV, words)[0].confidence == engine.DIGITS_DISAGREE
    split = _tsv(("040069", 90.0), ("210586", 90.0))
    assert _run(reread, split, words)[0].confidence == engine.DIGITS_DISAGREE


def test_only_weak_long_numbers_are_read_again(reread: FakeTesseract) -> None:
    """Confident numbers, short numbers, dates and words are left alone (no CPU spent)."""
    words = [_word("048082257720", 91.0), _word("12345678", 40.0), _word("12/05/2020", 40.0),
             _word("Nguyễn", 30.0), _word("0400692105861", 40.0)]
    out = _run(reread, _tsv(("0", 1.0)), words)
    assert out is words and not reread.calls


@pytest.mark.skipif(not tessapi.available(), reason="libtesseract not usable")
def test_a_whitelist_reading_does_not_carry_over(page: Image.Image) -> None:
    """The whitelist is set on every reading of the reused engine: a digits-only reading
    gives digits only, and the next reading reads letters again as before it."""
    top = page.convert("L").crop((0, 0, page.width, page.height // 4))
    before = tessapi.read(top, languages="vie", dpi=300, psm=3, pdf_base=None)
    digits = tessapi.read(top, languages="vie", dpi=300, psm=3, pdf_base=None,
                          whitelist=engine.DIGITS)
    assert all(c.isdigit() for w in engine.parse_tsv(digits.tsv) for c in w.text)
    after = tessapi.read(top, languages="vie", dpi=300, psm=3, pdf_base=None)
    assert after.tsv == before.tsv


def test_the_check_leaves_the_page_text_as_read(reread: FakeTesseract) -> None:
    """A number alone in its column, read at 60, is noise the page text leaves out (no
    word of its piece reaches 70); the second reading's 93 changes its confidence in the
    words, not the text, and a disagreement's mark drops no line from it either."""
    label = [Word("Số", 95.0, (100, 200, 160, 236), (1, 1, 1)),
             Word("định", 95.0, (170, 200, 260, 236), (1, 1, 1))]
    number = Word("048082257720", 60.0, (1400, 200, 1700, 236), (1, 1, 1))
    reading = engine.Recognition(words=[*label, number], text_pdf=None)
    reread.answer = _tsv(("048082257720", 93.0))
    checked = engine.digits_checked(Image.new("L", (2000, 1000), 255), reading, Path("/tmp"),
                                    dpi=300, languages="vie")
    assert checked.words[-1].confidence == 93.0
    assert checked.text == reading.text == engine.words_to_text([*label, number])
    assert "048082257720" not in checked.text
    # Nothing to change: the same reading.
    confident = engine.Recognition(words=label, text_pdf=None)
    assert engine.digits_checked(Image.new("L", (2000, 1000), 255), confident, Path("/tmp"),
                                 dpi=300, languages="vie") is confident
