"""The second look's sheet is not read with tesseract's inverted retries because of a
noisy top's specks: the patch read again despeckled does not count in the decision
(its dense specks darken millimetre squares like a band), the other crops do."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import engine, tessapi
from ocr.base import Word

DPI = 300
NOISE = (100, 60, 1300, 260)  # a noisy top's patch
TEXT = (100, 700, 1300, 900)  # a patch of plain print (here paper)


def _page(*, bar: bool = False) -> Image.Image:
    """A page whose NOISE box is dense specks (each pixel black with probability 0.6:
    a millimetre square averages darker than a band's threshold, and a 3×3 median
    lifts about a tenth of its pixels), and whose TEXT box holds a solid bar if asked."""
    page = Image.new("L", (1400, 1000), 255)
    rng = np.random.default_rng(3)
    w, h = NOISE[2] - NOISE[0], NOISE[3] - NOISE[1]
    specks = np.where(rng.random((h, w)) < 0.6, 0, 255).astype(np.uint8)
    page.paste(Image.fromarray(specks, mode="L"), NOISE[:2])
    if bar:
        ImageDraw.Draw(page).rectangle((150, 750, 1250, 850), fill=0)
    return page


def _asked(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The ``invert`` of each reading asked of tesseract (a fake stands for it)."""
    asked: list[bool] = []

    def read(image: Image.Image, **kwargs: object) -> tessapi.Output:
        asked.append(bool(kwargs["invert"]))
        return tessapi.Output(tsv=tessapi.TSV_HEADER, pdf=None)

    monkeypatch.setattr(tessapi, "available", lambda: True)
    monkeypatch.setattr(tessapi, "read", read)
    return asked


def test_the_noise_alone_looks_like_a_band() -> None:
    page = _page()
    assert engine.noisy_header_patch(page, NOISE)
    assert engine.may_hold_reversed_text(page.crop(NOISE), DPI)


def test_a_noisy_patch_read_again_despeckled_does_not_ask_for_inverted_retries(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked = _asked(monkeypatch)
    engine.read_crops(_page(), [NOISE, TEXT], tmp_path, dpi=DPI, languages="vie",
                      despeckled_too=[True, False])
    # The same sheet, its noise not known to be read again: judged whole, as before.
    engine.read_crops(_page(), [NOISE, TEXT], tmp_path, dpi=DPI, languages="vie")
    assert asked == [False, True]


def test_a_band_in_another_crop_still_asks_for_them(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    asked = _asked(monkeypatch)
    engine.read_crops(_page(bar=True), [NOISE, TEXT], tmp_path, dpi=DPI, languages="vie",
                      despeckled_too=[True, False])
    assert asked == [True]


def test_the_second_look_marks_the_noisy_top_it_reads_again(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``second_look`` passes the noisy patch as read again despeckled: the sheet is read
    once without inverted retries, then the patch despeckled."""
    asked = _asked(monkeypatch)
    monkeypatch.setattr(engine, "unread_ink", lambda *a, **k: [NOISE])
    words = [Word(text="trang", confidence=95.0, bbox=(100, 950, 220, 990), line=(1, 1, 1))]
    engine.second_look(_page(), words, tmp_path, dpi=DPI, languages="vie")
    assert asked[0] is False
    assert len(asked) == 2  # the sheet, then the despeckled patch
