"""Print cut by light lines across the page (a worn cartridge: low ink) has its strokes
closed along the rows before it is read; specks, clean print and a photocopy's noise are
left alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr import pipeline, prepare
from ocr.plan import plan_pages


def _print(cut_every: int = 0) -> np.ndarray:
    """Rows of upright strokes (3 px wide, 20 px tall, a text line's worth each), cut by a
    one-pixel light row every ``cut_every`` rows (0: not cut), never a stroke's first or
    last row."""
    pixels = np.full((600, 800), 250, dtype=np.uint8)
    for top in range(40, 560, 40):
        for left in range(20, 780, 8):
            pixels[top:top + 20, left:left + 3] = 40
    if cut_every:
        pixels[3::cut_every] = 250
    # A scanner's noise: the levels spread as on a page (Otsu's split falls between them).
    noise = np.random.default_rng(3).normal(0.0, 4.0, pixels.shape)
    return np.clip(pixels + noise, 0, 255).astype(np.uint8)


def test_light_lines_across_the_print_are_found_and_closed() -> None:
    cut = _print(cut_every=10)
    assert prepare.broken_strokes(Image.fromarray(cut))
    assert not prepare.broken_strokes(Image.fromarray(_print()))
    closed = np.asarray(prepare.close_strokes(Image.fromarray(cut)))
    # Every stroke whole again, and no wider or taller than printed.
    assert np.array_equal(closed < 128, _print() < 128)


def test_lines_down_a_page_scanned_turned_are_found_too() -> None:
    assert prepare.broken_strokes(Image.fromarray(np.ascontiguousarray(_print(10).T)))


def test_specks_over_print_are_not_light_lines() -> None:
    """Light specks scattered over the strokes (a photocopy's, a fax's) cut a stroke here
    and there, never a whole row of them."""
    pixels = _print()
    rng = np.random.default_rng(7)
    ys, xs = rng.integers(0, 600, 6000), rng.integers(0, 800, 6000)
    pixels[ys, xs] = 245
    assert not prepare.broken_strokes(Image.fromarray(pixels))


def _cleaned(path: Path) -> pipeline.Cleaned:
    loaded = pipeline.load_image(path, 0, max_pixels=50_000_000)
    return pipeline.clean(loaded)


def test_a_low_ink_page_is_closed_and_a_photocopy_is_not(tmp_path: Path) -> None:
    """Fresh draw 5623's e0004 (low ink) and e0044 (a photocopy, its loose gray lifted:
    specks cut strokes in rows with little ink; before the measure counted only rows
    across a text line it took this page for low ink, and closing it read worse)."""
    low = make_document(tmp_path, "e0004", doc_seed(5623, 4), "low_ink", "death_extract",
                        "dev")
    assert "strokes-closed" in _cleaned(tmp_path / low.file).steps
    copy = make_document(tmp_path, "e0044", doc_seed(5623, 44), "photocopy",
                         "marital_status_certificate", "dev")
    assert "strokes-closed" not in _cleaned(tmp_path / copy.file).steps


def test_a_low_ink_page_reads_with_its_strokes_closed(tmp_path: Path) -> None:
    """Fresh draw 5623's e0004 (a 200-dpi gray death extract, low ink): its broken
    letters read as others ("TÍMH", "Tây", "Thên"; 68 errors, CER 8.2 %); closed,
    22 errors."""
    truth = make_document(tmp_path, "e0004", doc_seed(5623, 4), "low_ink", "death_extract",
                          "dev")
    path = tmp_path / truth.file
    assert path.suffix == ".tif"
    result = ocr.run_page(plan_pages(str(path), "image/tiff", out_dir=str(tmp_path))[0])
    assert cer(truth.pages[0], result.text) <= 0.04
