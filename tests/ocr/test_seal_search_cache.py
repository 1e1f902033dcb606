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


@pytest.mark.parametrize("size, dpi", [((2480, 3508), 300), ((1654, 2339), 200),
                                       ((1240, 1754), 150)])
def test_warmed_spectra_are_those_an_a4_page_uses(size: tuple[int, int], dpi: int) -> None:
    """``warm_seal_search`` (run in the workers' server) makes the spectra an A4 page's
    search asks for, at any of the usual resolutions: the page makes none of its own."""
    prepare._ring_spectra.cache_clear()
    prepare.warm_seal_search()
    made = prepare._ring_spectra.cache_info().misses
    prepare._coarse_ring(Image.new("L", size, 255), dpi)
    assert prepare._ring_spectra.cache_info().misses == made == 1


def test_the_workers_server_warms_the_seal_search() -> None:
    import subprocess
    import sys

    probe = ("import ingest.preload; from ocr import prepare; "
             "print(prepare._ring_spectra.cache_info().currsize)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=300, check=True)
    assert done.stdout.strip().splitlines()[-1] == "1"
