from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from specimens import FONTS, FontMissingError, Specimen, draw_seal, generate, render_page
from specimens.render import font_path
from tests.support.specimens import ink_share, red_pixels, tesseract_text


@pytest.mark.parametrize(("dpi", "size"), [(300, (2480, 3508)), (200, (1654, 2339)),
                                           (150, (1240, 1754))])
def test_page_is_a4_at_the_requested_dpi(marriage: Specimen, dpi: int,
                                         size: tuple[int, int]) -> None:
    image = render_page(marriage, dpi=dpi)
    assert image.size == size
    assert image.mode == "RGB"
    assert image.info["dpi"] == (dpi, dpi)


@pytest.mark.parametrize("font", FONTS)
def test_every_font_renders_a_page_of_text(marriage: Specimen, font: str) -> None:
    image = render_page(marriage, dpi=100, font=font, signature=False)
    assert 0.01 < ink_share(image) < 0.2
    # Nothing but the signature is coloured: the text itself is black on white.
    assert red_pixels(image) == 0


def test_long_papers_stay_on_the_page() -> None:
    longest = max((generate(t, s) for t in ("land_use_certificate", "birth_certificate")
                   for s in range(30)), key=lambda spec: len(spec.lines))
    image = render_page(longest, dpi=100)
    block = image.info["sohoa_seal"]["block"]
    assert block[3] < image.height - 20 * 100 / 25.4 + 2  # above the bottom margin


def test_missing_fonts_name_the_debian_package(tmp_path: Path) -> None:
    with pytest.raises(FontMissingError, match="fonts-noto-core"):
        font_path("NotoSerif", "bold", search_dirs=[str(tmp_path)])
    with pytest.raises(FontMissingError, match="fonts-dejavu-core"):
        font_path("DejaVuSans", search_dirs=[str(tmp_path)])
    # The italic and oblique faces come in another package than the regular ones.
    with pytest.raises(FontMissingError, match="fonts-dejavu-extra"):
        font_path("DejaVuSerif", "italic", search_dirs=[str(tmp_path)])
    with pytest.raises(ValueError, match="unknown font"):
        font_path("Arial")


def test_seal_is_red_and_keeps_the_text_underneath(page_100dpi: Image.Image) -> None:
    seal = page_100dpi.info["sohoa_seal"]
    stamped = draw_seal(page_100dpi, seal["center"], seal["radius"], seal["text"])
    assert red_pixels(stamped) > 500 > red_pixels(page_100dpi)
    # Multiplying ink never lightens a pixel: black text stays black under the seal.
    assert ink_share(stamped) >= ink_share(page_100dpi)
    assert stamped.info["dpi"] == page_100dpi.info["dpi"]


def test_tesseract_reads_the_names_with_their_diacritics() -> None:
    spec = next(s for s in (generate("death_extract", seed) for seed in range(50))
                if any(not ch.isascii() for ch in s.subjects[0]["name"] or ""))
    text = tesseract_text(render_page(spec, dpi=300))
    name = spec.subjects[0]["name"]
    assert name is not None
    assert name in text
    assert spec.title in text
