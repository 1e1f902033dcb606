"""A fax whose print came out as specks (a halftoned, low-ink original sent at 150 ppi) is
read as the density of its specks; clean bilevel pages and faxes whose print held are
left as they are."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import ocr
from evalset.generate import make_page
from evalset.handfonts import default_cache
from evalset.handwriting import make_form
from evalset.score import cer
from ocr import pipeline, prepare
from ocr.plan import plan_pages
from tests.support.handforms import needs_hand_fonts


def _cleaned(path: Path) -> pipeline.Cleaned:
    loaded = pipeline.load_image(path, 0, max_pixels=50_000_000)
    return pipeline.clean(loaded)


def _page(dots: bool) -> Image.Image:
    """Rows of upright strokes (2 px wide, 12 px tall at 150 dpi), whole or as dots (every
    other pixel of every other row: the halftone a low-ink fax makes of a stroke)."""
    pixels = np.full((450, 600), 255, dtype=np.uint8)
    for top in range(20, 430, 24):
        for left in range(10, 590, 6):
            pixels[top:top + 12, left:left + 2] = 0
    if dots:
        pixels[1::2] = 255
        pixels[:, 1::2] = 255
    return Image.fromarray(pixels)


def test_the_share_of_ink_in_specks_is_measured() -> None:
    assert prepare.speck_ink_share(_page(dots=False), 150) == 0.0
    # All but the dots of strokes the measured window cuts (no ring around them there).
    assert prepare.speck_ink_share(_page(dots=True), 150) > 0.95
    # The same page scanned at 300 dpi: the same measure.
    big = _page(dots=True).resize((1200, 900), Image.Resampling.NEAREST)
    assert prepare.speck_ink_share(big, 300) > 0.95
    assert not prepare.print_in_specks(_page(dots=False), 150)


def test_a_fax_of_specks_is_read_as_density_and_clean_pages_are_not(tmp_path: Path) -> None:
    """Generated fax 121 (print broken to specks: 0.084 of its ink in specks); fax 106
    (its print held: 0.015) and the clean 300-dpi bilevel page 205 (0.026; measured
    on a copy brought down to 150 dpi, where its thin gaps closed into specks, 0.038)
    are left alone."""
    specks = make_page(tmp_path, "fax", seed=121)
    cleaned = _cleaned(tmp_path / specks.file)
    assert "specks-joined" in cleaned.steps
    assert cleaned.speckled is False  # no median filter: it clears the letters' dots
    held = make_page(tmp_path, "fax", seed=106)
    clean = make_page(tmp_path, "bilevel", seed=205)
    for truth in (held, clean):
        assert "specks-joined" not in _cleaned(tmp_path / truth.file).steps


def test_a_fax_of_specks_reads(tmp_path: Path) -> None:
    """Generated fax 121, a 150-dpi TIFF: read as it came (median-filtered, then the
    guard's plain reading band by band), 695 errors of 938 characters (CER 74 %); as
    the density of its specks, 347 (37 %)."""
    truth = make_page(tmp_path, "fax", seed=121)
    path = tmp_path / truth.file
    assert path.suffix == ".tif"
    result = ocr.run_page(plan_pages(str(path), "image/tiff", out_dir=str(tmp_path))[0])
    assert cer(truth.pages[0], result.text) <= 0.5


def test_a_bilevel_page_finer_than_a_fax_is_never_read_as_specks() -> None:
    """A printed form's dotted lines are rows of specks to the measure (two handwriting
    forms of the test half, 300-dpi bilevel scans, measured 0.051 and 0.071); a page
    scanned finer than a fax's resolution is no fax, whatever it measures."""
    big = _page(dots=True).resize((1200, 900), Image.Resampling.NEAREST)
    assert prepare.speck_ink_share(big, 300) > prepare.SPECK_INK_SHARE
    assert not prepare.print_in_specks(big, 300)
    assert prepare.print_in_specks(_page(dots=True), 150)


def _form(dots: bool) -> Image.Image:
    """A form at 150 dpi: on each line a label (upright strokes, whole or as dots, as in
    ``_page``) and, on its baseline, a printed dotted line to write on (2 × 2-pixel dots
    every 6 pixels: a 12-point period's)."""
    pixels = np.asarray(_page(dots)).copy()
    for top in range(20, 430, 24):
        pixels[top:top + 12, 300:] = 255
        for left in range(300, 590, 6):
            pixels[top + 10:top + 12, left:left + 2] = 0
    return Image.fromarray(pixels)


def test_a_forms_dotted_lines_are_not_print_in_specks() -> None:
    """The dots of a form's blanks are specks, but they are a line's, with paper above
    and below: a faxed form whose print held is not read as specks (the marriage dev
    faxes m0018 and m0058, the birth dev fax h0050 measured 0.057 / 0.048 / 0.071 of
    their ink in specks with the dots, 0.035 / 0.027 / 0.037 without)."""
    form = _form(dots=False)
    assert prepare.speck_ink_share(form, 150) < 0.01
    assert not prepare.print_in_specks(form, 150)
    # The same form at 200 dpi (a faxed PDF rendered at the pipeline's 200 dpi).
    finer = form.resize((800, 600), Image.Resampling.NEAREST)
    assert not prepare.print_in_specks(finer, 200)
    # A fax whose print broke into specks still is, dotted lines or not.
    assert prepare.print_in_specks(_form(dots=True), 150)


def test_the_density_of_a_fax_that_kept_few_dots_reads_as_dark_print() -> None:
    """Strokes that kept a quarter of their dots (every other pixel of every other row)
    were a pale gray (level 144) as their plain density; stretched by the page's own
    strong strokes (``DENSITY_FULL_PERCENTILE``) they are full ink, the paper stays
    paper."""
    page = _page(dots=True)
    density = np.asarray(prepare.specks_to_density(page, 150))
    strokes = np.asarray(_page(dots=False)) == 0
    # The strokes' cores (the rows and columns that are stroke on both sides).
    cores = strokes & np.roll(strokes, 1, axis=0) & np.roll(strokes, -1, axis=0)
    assert np.median(density[cores]) < 60
    assert np.median(density[~_grown(strokes, 4)]) == 255


def _grown(mask: np.ndarray, pixels: int) -> np.ndarray:
    grown = mask.copy()
    for _ in range(pixels):
        grown |= np.roll(grown, 1, 0) | np.roll(grown, -1, 0)
        grown |= np.roll(grown, 1, 1) | np.roll(grown, -1, 1)
    return grown


@needs_hand_fonts
@pytest.mark.parametrize(("degradation", "seed", "specks"), [
    # A 300-dpi bilevel scan of a marriage form: its dotted lines and handwriting measure
    # 0.049 of its ink in specks, nearly the threshold; finer than a fax, never specks.
    ("bilevel", 20901, False),
    # A 150-dpi fax of a marriage form whose print held (its handwriting thin, its dotted
    # lines whole): 0.043.
    ("fax", 20905, False),
    # The same form faxed with its print broken into specks: 0.074.
    ("fax", 20907, True),
])
def test_only_a_form_whose_print_broke_is_read_as_specks(
        tmp_path: Path, degradation: str, seed: int, specks: bool) -> None:
    """A form's dotted lines must not send a page whose print held down the speck path
    (its handwriting read from the density lost fields: bench/README_ocr.md)."""
    truth = make_form(tmp_path, f"m{seed}", seed, degradation, "dev", default_cache(),
                      kind="marriage")
    assert ("specks-joined" in _cleaned(tmp_path / truth.file).steps) is specks
