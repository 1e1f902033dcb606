from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np
import pytest
from PIL import Image

from specimens import (
    FONTS,
    Specimen,
    degradation_profile,
    degrade,
    degraded_pages,
    generate,
    render_page,
)
from specimens.degrade import DEGRADE_KEYS
from tests.support.specimens import ink_share, red_pixels, tesseract_text, without_marks


def _ink_rows(image: Image.Image) -> np.ndarray:
    return (np.asarray(image.convert("L")) < 128).mean(axis=1)


def _ink_columns(image: Image.Image) -> np.ndarray:
    return (np.asarray(image.convert("L")) < 128).mean(axis=0)


def test_turn_is_clockwise_and_swaps_the_sides(page_100dpi: Image.Image) -> None:
    turned = degrade(page_100dpi, seed=1, turn=90)
    assert turned.size == (page_100dpi.height, page_100dpi.width)
    columns = _ink_columns(turned)
    strip = turned.width // 8
    # The header (top of the sheet) lands on the right when turned clockwise.
    assert columns[-strip:].sum() > 5 * columns[:strip].sum()
    upside_down = degrade(page_100dpi, seed=1, turn=180)
    rows = _ink_rows(upside_down)
    assert rows[-strip:].sum() > 5 * rows[:strip].sum()
    with pytest.raises(ValueError):
        degrade(page_100dpi, seed=1, turn=45)


@pytest.mark.parametrize(("mode", "pil_mode"), [("color", "RGB"), ("gray", "L"),
                                                ("bilevel", "1")])
def test_output_modes_keep_the_dpi(page_100dpi: Image.Image, mode: str,
                                   pil_mode: str) -> None:
    out = degrade(page_100dpi, seed=2, mode=mode, skew=1.5, blur=0.6, noise=0.002,
                  jpeg_quality=70, yellow=True, seal=True)
    assert out.mode == pil_mode
    assert out.size == page_100dpi.size
    assert out.info["dpi"] == (100, 100)


def test_seal_lands_on_the_signature_block(page_100dpi: Image.Image) -> None:
    out = degrade(page_100dpi, seed=3, seal=True)
    block: tuple[int, int, int, int] = page_100dpi.info["sohoa_seal"]["block"]
    x0, y0, x1, y1 = block
    assert red_pixels(out.crop((x0 - 60, y0 - 60, x1, y1 + 60))) > 0.9 * red_pixels(out) > 300


def test_yellowed_paper_is_cream_not_white(page_100dpi: Image.Image) -> None:
    out = degrade(page_100dpi, seed=4, yellow=True)
    r, g, b = np.asarray(out)[5, 5].tolist()
    assert r > b + 20 and g > b


def test_noise_share_is_what_was_asked(page_100dpi: Image.Image) -> None:
    clean = np.asarray(page_100dpi.convert("L"))
    noisy = np.asarray(degrade(page_100dpi, seed=5, noise=0.01, mode="gray"))
    changed = (clean != noisy).mean()
    assert 0.003 < changed < 0.01


def test_same_seed_same_damage(page_100dpi: Image.Image) -> None:
    args: dict[str, Any] = {"skew": -1.2, "blur": 0.8, "noise": 0.003, "yellow": True, "seal": True}
    first = degrade(page_100dpi, seed=9, **args)
    assert first.tobytes() == degrade(page_100dpi, seed=9, **args).tobytes()
    assert first.tobytes() != degrade(page_100dpi, seed=10, **args).tobytes()


def test_profiles_are_a_realistic_mix() -> None:
    profiles = [degradation_profile(seed) for seed in range(600)]
    assert profiles[0] == degradation_profile(0)
    turned = sum(p["turn"] != 0 for p in profiles) / len(profiles)
    assert 0.08 < turned < 0.25
    assert {p["turn"] for p in profiles} == {0, 90, 180, 270}
    assert all(abs(p["skew"]) <= 3 for p in profiles)
    assert {p["dpi"] for p in profiles} == {200, 300}
    assert Counter(p["mode"] for p in profiles).keys() == {"color", "gray", "bilevel"}
    assert {p["font"] for p in profiles} == set(FONTS)
    for p in profiles:
        assert set(DEGRADE_KEYS) <= p.keys()
        if p["mode"] == "bilevel":
            assert p["jpeg_quality"] is None and p["format"] != "jpeg"
        if p["format"] == "jpeg":
            assert p["jpeg_quality"] is not None
        if p["back_page"]:
            assert p["format"] in ("tiff", "pdf")
    assert any(p["blur"] for p in profiles) and any(p["noise"] for p in profiles)
    assert any(p["yellow"] for p in profiles) and any(p["seal"] for p in profiles)
    assert any(p["back_page"] for p in profiles)
    assert any(not p["dpi_metadata"] for p in profiles)


def test_back_side_is_nearly_blank_and_damaged_alike(marriage: Specimen) -> None:
    profile = {**degradation_profile(1), "dpi": 200, "turn": 90, "mode": "gray",
               "back_page": True}
    front, back = degraded_pages(marriage, profile, seed=1)
    assert back.size == front.size and back.mode == front.mode == "L"
    assert back.info["dpi"] == (200, 200)
    assert ink_share(back) < 0.001 < 0.01 < ink_share(front)
    assert red_pixels(back.convert("RGB")) == 0


@pytest.mark.slow
def test_tesseract_still_reads_a_damaged_bilevel_page() -> None:
    spec = generate("household_business_registration", 21)
    page = render_page(spec, dpi=200, font="NotoSans")
    scan = degrade(page, seed=21, skew=1.5, blur=0.5, noise=0.002, seal=True,
                   mode="bilevel")
    text = tesseract_text(scan)
    assert spec.fields["household_business_code"] in text
    assert spec.title in text
    # A bilevel 200 dpi scan may lose a tone mark (NGUYỄN → NGUYÊN), as real ones do.
    name = spec.subjects[0]["name"] or ""
    assert without_marks(name) in without_marks(text)
