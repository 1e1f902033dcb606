"""Page preparation steps on pages whose every pixel the test knows."""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ocr import prepare

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _page_with_specks() -> tuple[Image.Image, np.ndarray, np.ndarray]:
    """A 200-dpi page: black text, a gray table rule, and a stripe of gray specks down
    the page (a dirty drum). Returns the page, the specks' mask and the rule's mask."""
    page = Image.new("L", (1600, 2200), 255)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(FONT, 40)
    for row in range(12):
        draw.text((150, 200 + 140 * row), "Nơi cư trú: Số 34 Võ Thị Sáu, xã Tiên Lộc",
                  font=font, fill=10)
    draw.line((120, 150, 1450, 150), fill=150, width=3)  # a gray rule, far from any letter
    pixels = np.array(page)
    rng = np.random.default_rng(5)
    specks = np.zeros_like(pixels, dtype=bool)
    ys = rng.integers(0, 2200, 60000)
    xs = rng.integers(1000, 1100, 60000)  # the stripe, past the end of every text line
    specks[ys, xs] = True
    specks[ys, np.minimum(xs + 1, 1599)] = True
    specks &= pixels == 255
    pixels[specks] = rng.integers(100, 200, int(specks.sum()))
    rule = np.zeros_like(specks)
    rule[149:152, 120:1450] = True
    return Image.fromarray(pixels), specks, rule


def test_specks_away_from_print_become_paper_and_print_and_rules_stay() -> None:
    page, specks, rule = _page_with_specks()
    before = np.asarray(page)
    after = np.asarray(prepare.drop_loose_gray(page, 200))
    assert (after[specks] == 255).mean() > 0.95  # the stripe is gone
    text = before < 60
    assert (after[text] == before[text]).all()  # every stroke as it was
    assert (after[rule] == before[rule]).mean() > 0.95  # the rule is not cut into dashes


def test_a_dense_stripe_of_specks_is_no_rule() -> None:
    """A dirty drum's densest stretch: specks merged into a gray stripe as wide as a
    word, running down the page far longer than half an inch. It is not a table's rule
    (a rule is thin): it becomes paper, the thin rule stays."""
    page, _, rule = _page_with_specks()
    pixels = np.array(page)
    rng = np.random.default_rng(7)
    stripe = np.zeros_like(pixels, dtype=bool)
    stripe[300:2100, 1200:1260] = True
    pixels[stripe] = rng.integers(100, 190, int(stripe.sum()))
    after = np.asarray(prepare.drop_loose_gray(Image.fromarray(pixels), 200))
    assert (after[stripe] == 255).mean() > 0.95
    assert (after[rule] == pixels[rule]).mean() > 0.95


def test_a_clean_page_is_left_as_it_is() -> None:
    page = Image.new("L", (1600, 2200), 255)
    ImageDraw.Draw(page).text((150, 200), "Giấy chứng nhận kết hôn", fill=0,
                              font=ImageFont.truetype(FONT, 40))
    assert prepare.drop_loose_gray(page, 200) is page
