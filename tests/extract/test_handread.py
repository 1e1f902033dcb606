"""The crop as the line model gets it (``extract.handread``): what is measured on it."""

from __future__ import annotations

import numpy as np
from PIL import Image

from extract.handread import without_print_above


def _crop(rows: list[tuple[int, int]], height: int = 60, width: int = 200) -> Image.Image:
    """Paper (230) with dark bands (40) over the given rows, in the middle columns."""
    gray = np.full((height, width), 230, dtype=np.uint8)
    for y0, y1 in rows:
        gray[y0:y1, 20:180] = 40
    return Image.fromarray(gray)


def test_the_print_of_the_line_above_cut_by_the_crops_top_is_whitened() -> None:
    # The line above's print in rows 0-9, paper, the writing in rows 18-50.
    crop = _crop([(0, 10), (18, 50)])
    out = np.asarray(without_print_above(crop))
    assert (out[:10] == 230).all()
    assert (out[18:50, 20:180] == 40).all()


def test_writing_that_reaches_the_top_edge_is_left_whole() -> None:
    # No paper under the top ink before 0.4 of the height: it is the writing's.
    whole = _crop([(0, 50)])
    assert np.array_equal(np.asarray(without_print_above(whole)), np.asarray(whole))
    # A stroke's light spot (one row of paper) is not the gap above a line of writing.
    spotted = _crop([(0, 6), (7, 50)])
    assert np.array_equal(np.asarray(without_print_above(spotted)), np.asarray(spotted))
    # Nothing at the top edge: nothing to whiten.
    below = _crop([(12, 50)])
    assert without_print_above(below) is below


def test_the_line_model_gets_the_crop_without_the_print_above() -> None:
    from extract.handread import LineReader

    with_print = LineReader.tensor(_crop([(0, 10), (18, 50)]))
    without = LineReader.tensor(_crop([(18, 50)]))
    assert np.array_equal(with_print, without)
