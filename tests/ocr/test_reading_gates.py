"""The gates that spare a page second readings: an upright page read once, the turn a
page is tried at first ordered by tesseract's orientation detection (a turned page
still ends upright, whatever the detection says), the second look not spent on a wide
stretch of noise."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import evalset
import ocr
from evalset.score import cer
from ocr import engine, pipeline, tessapi
from ocr.plan import plan_pages
from tests.support.ocr import counted

MEDIA_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png",
               ".tif": "image/tiff"}


def _read(path: Path) -> ocr.PageResult:
    return ocr.run_page(plan_pages(str(path), MEDIA_TYPES[path.suffix.lower()],
                                   out_dir=str(path.parent))[0])



def test_an_upright_page_is_read_once_and_reads_right(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Line shape settles an upright clean page: one reading, no orientation detection,
    and the reading is right."""
    truth = evalset.make_page(tmp_path, "clean", seed=2)
    readings = counted(monkeypatch, engine, "first_pass")
    detections = counted(monkeypatch, engine, "orientation")
    result = _read(tmp_path / truth.file)
    assert (len(readings), len(detections)) == (1, 0)
    assert result.rotated == 0
    assert cer(truth.pages[0], result.text) <= 0.02


@pytest.mark.parametrize("seed", [1, 3])
def test_the_detection_puts_the_upright_turn_first(tmp_path: Path, seed: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Line shape guessing the wrong turn first (as a fold or a noisy top makes it):
    the orientation detection puts the right one first, so the page is read once, and
    upright."""
    truth = evalset.make_page(tmp_path, "turned", seed=seed)
    upright = (360 - int(truth.klass["turn"])) % 360
    monkeypatch.setattr(pipeline, "orientation_plan",
                        lambda _found: [(upright + 180) % 360, upright])
    readings = counted(monkeypatch, engine, "first_pass")
    result = _read(tmp_path / truth.file)
    assert result.rotated == upright
    assert len(readings) == 1
    assert cer(truth.pages[0], result.text) <= 0.05


@pytest.mark.parametrize("detected", [None, "wrong"])
def test_a_turned_page_ends_upright_without_the_detection_or_against_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, detected: str | None) -> None:
    """The detection only orders the turns: when it cannot tell, or is sure and wrong,
    the wrong first guess reads badly and the next turn is tried, as before."""
    truth = evalset.make_page(tmp_path, "turned", seed=1)
    upright = (360 - int(truth.klass["turn"])) % 360
    wrong = (upright + 180) % 360
    monkeypatch.setattr(pipeline, "orientation_plan", lambda _found: [wrong, upright])
    # A text turned t clockwise is made upright by 360 - t: "detect" the wrong turn.
    answer = None if detected is None else ((360 - wrong) % 360, 30.0)
    monkeypatch.setattr(engine, "orientation", lambda _image, *, dpi: answer)
    readings = counted(monkeypatch, engine, "first_pass")
    result = _read(tmp_path / truth.file)
    assert result.rotated == upright
    assert len(readings) == 2


def test_the_detection_reads_the_turn_of_a_page(tmp_path: Path) -> None:
    if not tessapi.available():
        pytest.skip("orientation detection needs the loaded tesseract library")
    truth = evalset.make_page(tmp_path, "turned", seed=2)  # a PNG, turned 180°
    page = Image.open(tmp_path / truth.file).convert("L")
    found = engine.orientation(page, dpi=300)
    assert found is not None
    assert found[0] == int(truth.klass["turn"]) % 360
    assert found[1] >= pipeline.OSD_CONFIDENCE


def _patch_of_lines(draw: ImageDraw.ImageDraw, x: int, y: int, lines: int) -> None:
    """Lines of dark strokes like words (what a signature block's lines look like to
    the ink search)."""
    for line in range(lines):
        top = y + line * 45
        for word in range(6):
            left = x + word * 90
            draw.rectangle((left, top, left + 70, top + 22), fill=0)


def test_the_second_look_skips_a_wide_stretch_of_noise_not_a_block_of_lines() -> None:
    """A patch the layout skipped below the header as large as a fold's shadow (12 % of
    the page) is not read again; one the size of a signature block (about 2 %) still
    is."""
    dpi = 300
    width, height = 2480, 3508
    page = Image.new("L", (width, height), 255)
    rng = np.random.default_rng(7)
    pixels = np.array(page)
    top, left = 1000, 300  # below the header band (the top fifth)
    noise = rng.random((700, 1500)) < 0.25
    pixels[top:top + 700, left:left + 1500][noise] = 0
    page = Image.fromarray(pixels, mode="L")
    _patch_of_lines(ImageDraw.Draw(page), 900, 2500, 4)
    boxes = engine.unread_ink(page, [], dpi)
    assert len(boxes) == 1
    x0, y0, x1, y1 = boxes[0]
    assert x0 <= 900 and y0 <= 2500 and x1 >= 900 + 5 * 90 + 70 and y1 >= 2500 + 3 * 45 + 22
    assert y1 < top or y0 > top + 700  # nothing of the noise


def test_a_wide_noisy_patch_in_the_header_band_is_still_read() -> None:
    """A noisy photocopy's top holds the header's lines: read again however wide."""
    page = Image.new("L", (2480, 3508), 255)
    pixels = np.array(page)
    noise = np.random.default_rng(7).random((600, 1500)) < 0.25
    pixels[100:700, 300:1800][noise] = 0
    boxes = engine.unread_ink(Image.fromarray(pixels, mode="L"), [], 300)
    assert any(y0 <= 100 and y1 >= 700 for _x0, y0, _x1, y1 in boxes)
