"""A photocopy whose top is densely speckled: the header the layout skipped is read
again once the specks are lifted, and that reading kept where it reads more text."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr import engine
from ocr.plan import plan_pages


def test_a_noisy_top_photocopy_keeps_its_national_motto(tmp_path: Path) -> None:
    """Fresh draw 8629's e0024 (a marriage certificate photocopied with a noisy top):
    the first pass skips the header under the specks and the second look read it as
    noise; read once the specks are lifted, the motto is there."""
    truth = make_document(tmp_path, "e0024", doc_seed(8629, 24), "photocopy_noisy_top",
                          "marriage_certificate", "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), "application/pdf", out_dir=str(tmp_path))[0])
    header = engine._fold(" ".join(result.text.splitlines()[:6]))
    assert "HOA XA HOI" in header
    assert cer(truth.pages[0], result.text) <= 0.2


def test_only_a_densely_speckled_patch_is_despeckled() -> None:
    """The measure: sparse specks (a page the median filter serves) and clean print are
    not dense; a photocopier's noisy top is."""
    rng = np.random.default_rng(3)
    page = Image.new("L", (1600, 400), 255)
    draw = ImageDraw.Draw(page)
    for k in range(12):
        draw.rectangle((60 + 120 * k, 100, 150 + 120 * k, 130), fill=0)  # words
    clean = np.asarray(page).copy()
    sparse, dense = clean.copy(), clean.copy()
    sparse[rng.random(clean.shape) < 0.004] = 0
    dense[rng.random(clean.shape) < 0.3] = 0
    box = (0, 0, 1600, 400)
    assert not engine.densely_speckled(Image.fromarray(clean, mode="L"), box)
    assert not engine.densely_speckled(Image.fromarray(sparse, mode="L"), box)
    assert engine.densely_speckled(Image.fromarray(dense, mode="L"), box)
