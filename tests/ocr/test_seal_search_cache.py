"""The seal search keeps its ring kernels' spectra for the page sizes it has seen."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import prepare


def _ringed_page(centre: tuple[int, int], size: tuple[int, int] = (1654, 2339)) -> Image.Image:
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    x, y = centre
    for radius in (140, 139, 138, 137, 136, 135):  # a 36 mm ring at 200 dpi, 6 px wide
        draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=0)
    return page


def _fresh_ring(gray: Image.Image, dpi: int) -> tuple[float, int, int, int, int]:
    prepare._ring_spectra.cache_clear()
    return prepare._coarse_ring(gray, dpi)


def test_a_second_page_of_the_same_size_reuses_the_kernels(
        monkeypatch: pytest.MonkeyPatch) -> None:
    prepare._ring_spectra.cache_clear()
    transforms: list[tuple[int, ...]] = []
    rfft2 = np.fft.rfft2

    def counted(a: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
        transforms.append(a.shape)
        return rfft2(a, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(np.fft, "rfft2", counted)
    first = prepare._coarse_ring(_ringed_page((600, 900)), 200)
    per_first = len(transforms)
    second = prepare._coarse_ring(_ringed_page((1000, 1500)), 200)
    # The first page: its own transform and one per radius; the second: its own only.
    assert per_first > 10
    assert len(transforms) == per_first + 1
    assert first[1:4] != second[1:4]


@pytest.mark.parametrize("size", [(1654, 2339), (2339, 1654)])
def test_kept_kernels_find_what_fresh_ones_find(size: tuple[int, int]) -> None:
    # Same arrays, so the same scores to the last bit, whichever page came before.
    centre = (size[0] // 3, size[1] // 2)
    page = _ringed_page(centre, size)
    fresh = _fresh_ring(page, 200)
    prepare._coarse_ring(_ringed_page((500, 700), size), 200)
    prepare._coarse_ring(_ringed_page((700, 500), (size[1], size[0])), 200)
    assert prepare._coarse_ring(page, 200) == fresh
    coverage, cx, cy, _, _ = fresh
    assert coverage > 0.9 and abs(cx - centre[0]) <= 4 and abs(cy - centre[1]) <= 4
