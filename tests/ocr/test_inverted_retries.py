"""Tesseract's inverted re-reading of unsure lines only where reversed print can be.

Tesseract 5.3 reads each line it is unsure of again, inverted, in case it is light
print on a dark band. ``engine.tesseract`` keeps that where the image has a dark band
a line could be reversed out of (``engine.may_hold_reversed_text``) and skips it
elsewhere: on faint or noisy pages it was most lines read twice for nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import engine, tessapi
from tests.support.ocr import FONT_BOLD, read_document, render_page, save_image

REVERSED = "GIẤY CHỨNG NHẬN ĐĂNG KÝ"


def _with_reversed_bar(page: Image.Image, dpi: int = 300) -> Image.Image:
    """``page`` with a black bar across its lower part, REVERSED set in white on it."""
    page = page.convert("L")
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT_BOLD, round(14 / 72 * dpi))
    top = round(page.height * 0.8)
    draw.rectangle((dpi // 2, top, page.width - dpi // 2, top + round(0.35 * dpi)), fill=0)
    draw.text((dpi, top + round(0.07 * dpi)), REVERSED, font=font, fill=255)
    return page


def _bar_only(dpi: int = 300) -> Image.Image:
    """The bar alone, on a strip of paper: quick to read."""
    return _with_reversed_bar(Image.new("L", (round(7 * dpi), round(2.5 * dpi)), 255), dpi)\
        .crop((0, round(1.8 * dpi), round(7 * dpi), round(2.5 * dpi)))


def _words(tsv: str) -> list[str]:
    return [w.text for w in engine.parse_tsv(tsv)]


def test_a_dark_band_is_where_reversed_print_may_be(page: Image.Image) -> None:
    assert engine.may_hold_reversed_text(_with_reversed_bar(page), 300)
    assert engine.may_hold_reversed_text(_bar_only(), 300)
    # Black print on paper, even bold, has no millimetre squares half ink side by side.
    assert not engine.may_hold_reversed_text(page, 300)
    bold = render_page(["GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT"], font_path=FONT_BOLD,
                       size_pt=20.0)
    assert not engine.may_hold_reversed_text(bold, 300)
    # Too small to hold a band at all.
    assert not engine.may_hold_reversed_text(Image.new("L", (40, 40), 0), 300)


@pytest.mark.skipif(not tessapi.available(), reason="libtesseract not usable")
def test_a_reading_without_inverted_retries_skips_them_and_the_next_keeps_them() -> None:
    """``invert=False`` reaches tesseract (the reversed bar is then unread), and the
    loaded instance goes back to tesseract's default for the next reading."""
    bar = _bar_only()
    without = tessapi.read(bar, languages="vie", dpi=300, psm=6, pdf_base=None, invert=False)
    assert "GIẤY" not in _words(without.tsv)
    again = tessapi.read(bar, languages="vie", dpi=300, psm=6, pdf_base=None)
    assert " ".join(_words(again.tsv)) == REVERSED


@pytest.mark.skipif(not tessapi.available(), reason="libtesseract not usable")
def test_the_command_skips_the_same_retries(tmp_path: Path) -> None:
    """The command (the fallback when the library cannot be used) reads as the library
    does with and without the retries."""
    bar = _bar_only()
    for invert in (True, False):
        command_tsv, _ = engine.tesseract_command(bar, tmp_path / f"cmd{invert}", dpi=300,
                                                  languages="vie", psm=6, want_pdf=False,
                                                  invert=invert)
        loaded = tessapi.read(bar, languages="vie", dpi=300, psm=6, pdf_base=None,
                              invert=invert)
        assert loaded.tsv == command_tsv


def test_engine_reads_a_plain_page_without_inverted_retries(
        page: Image.Image, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []

    def spy(image: Image.Image, **kwargs: object) -> tessapi.Output:
        asked.append(bool(kwargs["invert"]))
        return tessapi.Output(tsv=tessapi.TSV_HEADER, pdf=None)

    monkeypatch.setattr(tessapi, "available", lambda: True)
    monkeypatch.setattr(tessapi, "read", spy)
    engine.tesseract(page, tmp_path / "plain", dpi=300, languages="vie", psm=3,
                     want_pdf=False)
    engine.tesseract(_with_reversed_bar(page), tmp_path / "bar", dpi=300, languages="vie",
                     psm=3, want_pdf=False)
    assert asked == [False, True]


@pytest.mark.slow
def test_a_page_with_a_reversed_title_bar_still_reads_it(page: Image.Image,
                                                         tmp_path: Path) -> None:
    """The whole page path (preparation, readings, guard) still reads the bar: its
    band survives into the images tesseract is given."""
    path = save_image(_with_reversed_bar(page), tmp_path / "bar.png")
    assert REVERSED in read_document(str(path), "image/png").text
