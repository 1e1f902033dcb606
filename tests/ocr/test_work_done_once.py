"""Work a page does not repeat (issue 13, speed): each of these was done twice, or for
readings thrown away, and each shortcut must give what the full work gave."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageChops

import evalset
import ocr
from ocr import engine, pipeline, prepare
from ocr.plan import plan_pages
from tests.support.ocr import counted

MEDIA_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png",
               ".tif": "image/tiff"}



def test_a_reading_is_laid_out_as_text_only_when_asked(page: Image.Image, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading is scored by its words (a turn that lost, the first pass before the
    second look): its text is made once, when asked for, and is the words' layout."""
    layouts = counted(monkeypatch, engine, "words_to_text")
    reading = engine.first_pass(page.convert("L"), tmp_path, dpi=300, languages="vie")
    assert reading.words and not layouts
    text = reading.text
    assert reading.text == text == engine.words_to_text(reading.words)
    assert len(layouts) == 2  # the property's one, then the check's own


def test_a_page_is_read_from_its_file_once(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan's bytes are read once, for decoding and for the archive's pass-through,
    and the decoded image is not copied to outlive the file."""
    truth = evalset.make_page(tmp_path, "clean", seed=2)
    path = tmp_path / truth.file
    reads = counted(monkeypatch, Path, "read_bytes")
    copies = counted(monkeypatch, Image.Image, "copy")
    loaded = pipeline.load_image(path, 0, max_pixels=10**9)
    assert (len(reads), len(copies)) == (1, 0)
    with Image.open(path) as fresh:
        decoded = np.asarray(fresh.convert(loaded.image.mode))
    assert np.array_equal(np.asarray(loaded.image), decoded)


def test_the_speckle_check_runs_once_on_unchanged_pixels(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A colour page (no gray seal search after the check) is judged speckled or not
    once: the check is not repeated on the same pixels."""
    truth = evalset.make_page(tmp_path, "clean", seed=2)
    path = tmp_path / truth.file
    checks = counted(monkeypatch, pipeline, "_speckled")
    loaded = pipeline.load_image(path, 0, max_pixels=10**9)
    assert loaded.image.mode == "RGB"
    cleaned = pipeline.clean(loaded)
    assert cleaned.speckled is not None and len(checks) == 1
    result = ocr.run_page(plan_pages(str(path), MEDIA_TYPES[path.suffix],
                                     out_dir=str(tmp_path))[0])
    assert len(checks) == 2 and result.text


def _plain_dropout(rgb: Image.Image) -> Image.Image:
    """``prepare.dropout_gray`` written plainly with numpy, as its docstring says."""
    balanced = np.asarray(prepare.white_balance(rgb)).astype(np.int16)
    r, g, b = balanced[..., 0], balanced[..., 1], balanced[..., 2]
    red = (r - np.maximum(g, b) > 60) & (r > 120)
    blue = (b - np.maximum(r, g) > 50) & (b > 110)
    gray = np.asarray(prepare.white_balance(rgb).convert("L")).copy()
    gray[red | blue] = 255
    return Image.fromarray(gray, mode="L")


@pytest.mark.parametrize("seed", range(6))
def test_the_colour_dropout_is_its_plain_definition(seed: int) -> None:
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(20, 80, 2))
    pixels = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    if seed % 2:  # tinted paper, which the balance evens out first
        pixels[: height // 2] = np.clip(pixels[: height // 2].astype(int) // 4 + [190, 180, 140],
                                        0, 255).astype(np.uint8)
    rgb = Image.fromarray(pixels, mode="RGB")
    got = prepare.dropout_gray(rgb)
    assert ImageChops.difference(got, _plain_dropout(rgb)).getbbox() is None


def test_the_speckle_check_is_not_carried_past_changed_pixels(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """When a later step changes the pixels the check was made on (loose gray lifted),
    the check is made again on the pixels read: lifting the specks can leave a page
    that is no longer speckled (test half e0087, a dirty drum: the median filter is
    then not run)."""
    truth = evalset.make_page(tmp_path, "clean", seed=2)
    loaded = pipeline.load_image(tmp_path / truth.file, 0, max_pixels=10**9)
    monkeypatch.setattr(pipeline, "_speckled", lambda gray: True)
    monkeypatch.setattr(prepare, "drop_loose_gray", lambda gray, dpi: gray.copy())
    cleaned = pipeline.clean(loaded)
    assert "loose-gray" in cleaned.steps
    assert cleaned.speckled is None


@pytest.mark.parametrize("seed", range(6))
def test_the_cell_grid_is_the_plain_or_of_each_cell(seed: int) -> None:
    """``engine._cells`` (reduced one axis at a time) is the OR over each ``factor`` ×
    ``factor`` cell, the partial cells at the right and bottom edges left out."""
    rng = np.random.default_rng(seed)
    height, width = (int(v) for v in rng.integers(30, 400, 2))
    factor = int(rng.integers(1, 31))
    mask = rng.random((height, width)) < rng.choice([0.001, 0.01, 0.2])
    rows, cols = height // factor, width // factor
    plain = np.array([[mask[r * factor:(r + 1) * factor, c * factor:(c + 1) * factor].any()
                       for c in range(cols)] for r in range(rows)], dtype=bool).reshape(rows, cols)
    got = engine._cells(mask, factor)
    assert got.dtype == bool and np.array_equal(got, plain)


@pytest.mark.parametrize("seed", range(8))
def test_the_percentile_of_a_histogram_is_numpys_bit_for_bit(seed: int) -> None:
    """``prepare.percentile_of_counts`` gives what ``np.percentile`` gives on the pixels
    themselves, to the last bit (the loose-gray step truncates it to a level)."""
    rng = np.random.default_rng(seed)
    size = int(rng.integers(1, 200_000 if seed % 2 else 3_000))
    pixels = [rng.integers(0, 256, size),
              rng.normal(rng.uniform(0, 255), rng.uniform(0.5, 60), size).clip(0, 255),
              rng.choice([0, 17, 200, 255], size), rng.integers(100, 103, size)][seed % 4]
    pixels = pixels.astype(np.uint8)
    counts = np.bincount(pixels, minlength=256)
    for q in (0, 1, 5, 33.3, 50, 75, 90, 95, 99.9, 100):
        got = prepare.percentile_of_counts(counts, q)
        assert type(got) is float and got == float(np.percentile(pixels, q)), q


def _speckled_page(seed: int) -> Image.Image:
    """Paper, dark print, a gray rule and a dirty drum's gray specks."""
    rng = np.random.default_rng(seed)
    page = np.full((500, 700), 228, dtype=np.uint8)
    for row in range(40, 460, 30):
        for left in range(40, 640, 90):
            page[row:row + 12, left:left + int(rng.integers(30, 80))] = rng.integers(10, 35)
    page[470:473, 30:670] = 150  # a gray rule
    specks = rng.random(page.shape) < 0.06
    page[specks & (page > 200)] = rng.integers(120, 170)
    return Image.fromarray(page, mode="L")


@pytest.mark.parametrize("seed", range(4))
def test_the_loose_gray_levels_come_from_the_histogram(
        seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The paper level and the two Otsu splits of ``drop_loose_gray`` are read off the
    page's histogram: the page is not sorted or copied for them (~55 ms at 300 dpi), and
    the result is the one the pixels' own percentile and splits gave."""
    page = _speckled_page(seed)
    pixels = np.asarray(page)
    paper = int(np.percentile(pixels, 90))
    ink = pixels[pixels < paper - prepare.PAPER_MARGIN]
    darker = ink[ink < prepare.otsu_threshold(ink)]
    expected_cores = pixels < prepare.otsu_threshold(darker)

    def no_sorting(*args: object, **kwargs: object) -> None:
        raise AssertionError("the page was sorted for a percentile")

    monkeypatch.setattr(np, "percentile", no_sorting)
    seen: list[np.ndarray] = []
    grown = prepare._grown

    def grown_seen(mask: np.ndarray, reach: int) -> np.ndarray:
        seen.append(mask)  # the cores, grown by a stroke's blur
        return grown(mask, reach)

    monkeypatch.setattr(prepare, "_grown", grown_seen)
    got = prepare.drop_loose_gray(page, 100)
    assert seen and np.array_equal(seen[0], expected_cores)
    assert got is not page  # the specks were lifted
    lifted = np.asarray(got)
    assert (lifted[pixels < 35] == pixels[pixels < 35]).all()  # the print is kept


def _plain_flatten(gray: Image.Image, dpi: int) -> Image.Image:
    bg = prepare.background(gray, dpi).resize(gray.size, Image.Resampling.BILINEAR)
    pixels = np.asarray(gray, dtype=np.float32)
    base = np.maximum(np.asarray(bg, dtype=np.float32), 1.0)
    return Image.fromarray(np.clip(pixels * (255.0 / base), 0, 255).astype(np.uint8), mode="L")


@pytest.mark.parametrize("seed", range(3))
def test_the_flattened_page_is_its_plain_definition(seed: int) -> None:
    """``prepare.flatten`` (its float32 steps written into two arrays) gives the pixels of
    ``clip(pixels · 255 / max(background, 1), 0, 255)``."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(rng.uniform(0, 80), 255, 640)[None, :] * np.ones((480, 1))
    page = (ramp * rng.uniform(0.3, 1.0) + rng.normal(0, 25, (480, 640))).clip(0, 255)
    gray = Image.fromarray(page.astype(np.uint8), mode="L")
    assert prepare.flatten(gray, 150).tobytes() == _plain_flatten(gray, 150).tobytes()


@pytest.mark.parametrize("share", [0.0, 0.001, 0.02, 0.3, 1.0])
def test_a_masks_share_is_its_mean(share: float) -> None:
    rng = np.random.default_rng(7)
    for shape in ((1, 1), (7, 3), (480, 640)):
        mask = rng.random(shape) < share
        assert prepare._share(mask) == mask.mean()
