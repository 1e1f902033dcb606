"""The seal search's choice among circles that score the same does not depend on
the FFTs' last bit (which numpy rounds differently with where arrays lie in memory)."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from ocr import prepare


def _disk_page(size: tuple[int, int] = (1654, 2339)) -> Image.Image:
    # A filled disk (an inked seal, a blot): every circle inside it is all ink, so
    # many radii and many centres reach full coverage.
    page = Image.new("L", size, 255)
    x, y, r = 700, 1200, 190  # 24 mm at 200 dpi
    ImageDraw.Draw(page).ellipse((x - r, y - r, x + r, y + r), fill=0)
    return page


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_rounding_noise_does_not_move_the_ring(monkeypatch: pytest.MonkeyPatch,
                                               seed: int) -> None:
    page = _disk_page()
    exact = prepare._coarse_ring(page, 200)
    assert exact[0] == pytest.approx(1.0)
    rng = np.random.default_rng(seed)
    irfft2 = np.fft.irfft2

    def rounded_otherwise(a: np.ndarray, *args: object, **kwargs: object) -> np.ndarray:
        out = irfft2(a, *args, **kwargs)  # type: ignore[arg-type]
        # A few units in the last place, as a differently aligned loop would give.
        return out * (1.0 + rng.integers(-4, 5, size=out.shape) * 2.0**-52)

    monkeypatch.setattr(np.fft, "irfft2", rounded_otherwise)
    assert prepare._coarse_ring(page, 200)[1:] == exact[1:]


def test_ties_go_to_the_smallest_ring_first_centre() -> None:
    _, cx, cy, radius, factor = prepare._coarse_ring(_disk_page(), 200)
    scale = 200 / factor / 25.4
    assert radius == int(prepare.SEAL_RADIUS_MM[0] * scale) * factor
    # The first centre in reading order from which the smallest circle is all ink.
    assert cy < 1200 - 50 and abs(cx - 700) < 190 - radius
