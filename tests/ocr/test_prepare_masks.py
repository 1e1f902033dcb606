"""The mask operations of page preparation against plain, obviously right versions:
they were rewritten for speed and must give the same pixels."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageFilter

from ocr import prepare


def _flood_regions(cells: np.ndarray) -> list[tuple[int, int, int, int, int]]:
    """8-connected patches by a cell-by-cell flood fill, largest first, ties in row order."""
    seen = np.zeros_like(cells)
    found = []
    height, width = cells.shape
    for y, x in zip(*np.nonzero(cells), strict=True):
        if seen[y, x]:
            continue
        stack, members = [(y, x)], []
        seen[y, x] = True
        while stack:
            cy, cx = stack.pop()
            members.append((cy, cx))
            for ny in range(max(0, cy - 1), min(height, cy + 2)):
                for nx in range(max(0, cx - 1), min(width, cx + 2)):
                    if cells[ny, nx] and not seen[ny, nx]:
                        seen[ny, nx] = True
                        stack.append((ny, nx))
        ys, xs = [m[0] for m in members], [m[1] for m in members]
        found.append((min(xs), min(ys), max(xs) + 1, max(ys) + 1, len(members)))
    return sorted(found, key=lambda r: -r[4])


@pytest.mark.parametrize("seed", range(40))
def test_regions_are_the_connected_patches(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(1, 30, 2))
    cells = rng.random((height, width)) < rng.random()
    regions = prepare.regions_of(cells)
    assert [r[:5] for r in regions] == _flood_regions(cells)
    covered = np.zeros_like(cells)
    for x0, y0, x1, y1, count, own in regions:
        assert own.sum() == count
        assert not (covered[y0:y1, x0:x1] & own).any()
        covered[y0:y1, x0:x1] |= own
    assert np.array_equal(covered, cells)


@pytest.mark.parametrize("seed", range(20))
def test_runs_and_growth_match_their_definitions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(1, 40, 2))
    mask = rng.random((height, width)) < rng.random()
    length = int(rng.integers(2, 12))
    reach = int(rng.integers(1, 4))
    for axis in (0, 1):
        lines = np.moveaxis(mask, axis, 0)
        expected = np.zeros_like(lines)
        for start in range(lines.shape[0] - length + 1):
            full = lines[start:start + length].all(axis=0)
            expected[start:start + length] |= full
        assert np.array_equal(prepare._in_runs(mask, length, axis),
                              np.moveaxis(expected, 0, axis))
    grown = np.zeros_like(mask)
    for y, x in zip(*np.nonzero(mask), strict=True):
        grown[max(0, y - reach):y + reach + 1, max(0, x - reach):x + reach + 1] = True
    assert np.array_equal(prepare._grown(mask, reach), grown)


@pytest.mark.parametrize("seed", range(10))
def test_median3_is_pils_median_filter(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(1, 60, 2))
    image = Image.fromarray(rng.integers(0, 256, (height, width), dtype=np.uint8), mode="L")
    assert np.array_equal(np.asarray(prepare.median3(image)),
                          np.asarray(image.filter(ImageFilter.MedianFilter(3))))
