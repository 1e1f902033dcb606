"""Ink bleed: the print's stroke width measured, the halo lifted, the lifted reading taken
band by band where it reads clearly more (``prepare.strokes``, ``pipeline.halo_read``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

import ocr
from evalset.generate import doc_seed, make_document, plan
from evalset.score import cer
from ocr import prepare
from ocr.plan import plan_pages

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 200


def _page() -> Image.Image:
    """A 200-dpi page of 12 pt body text (black on white)."""
    page = Image.new("L", (1600, 1200), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 33)
    for row in range(8):
        draw.text((120, 100 + 120 * row), "Nơi cư trú: Số 34 Võ Thị Sáu, xã Tiên Lộc",
                  font=font, fill=15)
    return page


def _bled(page: Image.Image) -> Image.Image:
    """The same page with each stroke grown a gray halo (ink spread into the paper)."""
    spread = page.filter(ImageFilter.MinFilter(5)).filter(ImageFilter.GaussianBlur(1))
    grown = np.asarray(spread, dtype=np.float64)
    # Grayer the farther from the stroke, as ink soaks into paper.
    halo = np.where(grown < 200, 80 + 0.4 * grown, 255).astype(np.uint8)
    return Image.fromarray(np.minimum(np.asarray(page), halo), mode="L")


def test_body_type_is_not_bled_and_a_halo_is() -> None:
    clean = prepare.strokes(_page(), DPI)
    bled = prepare.strokes(_bled(_page()), DPI)
    assert clean is not None and bled is not None
    assert not clean.bled and clean.width_mm < 0.6
    assert bled.bled and bled.width_mm > prepare.BLED_STROKE_MM
    # The print's core is darker than the halo, the split between print and paper lighter.
    assert 15 <= bled.core < 110 < bled.split


def test_lifting_the_halo_gives_back_the_strokes() -> None:
    page, bled = _page(), _bled(_page())
    found = prepare.strokes(bled, DPI)
    assert found is not None
    lifted = np.asarray(prepare.lift_halo(bled, found)) < 128
    original = np.asarray(page) < 128
    assert (np.asarray(bled) < 128).sum() > 2 * original.sum()  # the halo, before
    # No pixel of the halo is left, and the print's core is kept (its antialiased
    # edge, lighter than the core, goes with the halo).
    assert not (lifted & ~original).any()
    assert lifted.sum() > 0.8 * original.sum()


def test_a_blank_page_has_no_strokes() -> None:
    assert prepare.strokes(Image.new("L", (400, 400), 255), DPI) is None


@pytest.mark.slow
def test_an_ink_bleed_page_is_read_with_its_halo_lifted(tmp_path: Path) -> None:
    """Fresh draw 6421's e0018 (200-dpi gray, ink bleed, a PDF; made with the
    generator): read as it is, letters run together all over the body (CER 11.7 %);
    the bands read with the halo lifted give them back."""
    _profile, degradation, doc_type = plan(6421, 18, "hard")
    truth = make_document(tmp_path, "e0018", doc_seed(6421, 18), degradation, doc_type, "dev")
    path = tmp_path / truth.file
    media = "application/pdf" if path.suffix == ".pdf" else "image/png"
    result = ocr.run_page(plan_pages(str(path), media, out_dir=str(tmp_path))[0])
    assert cer(truth.pages[0], result.text) < 0.05
    assert any("halo lifted" in note for note in result.notes)


@pytest.mark.slow
def test_an_ink_bleed_page_is_not_median_filtered_and_read_upright(tmp_path: Path) -> None:
    """Fresh draw 7331's e0041 (a death extract, 200-dpi gray, ink bleed; made with the
    generator): its halos' ragged edges made it "speckled", the median filter joined
    its letters, the upright reading's word boxes grew taller than wide and the page
    was read at 180° (CER 86 %)."""
    _profile, degradation, doc_type = plan(7331, 41, "both")
    truth = make_document(tmp_path, "e0041", doc_seed(7331, 41), degradation, doc_type, "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), "image/png", out_dir=str(tmp_path))[0])
    assert result.rotated == 0
    assert cer(truth.pages[0], result.text) < 0.08
