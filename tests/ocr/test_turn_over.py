"""Which way up, on one axis: readings half a turn apart rank by the characters read with
confidence (the box-shape gate only tells axes apart), and a weak median-filtered page's
way up is checked on the page without the filter."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr import engine, pipeline
from ocr.base import Word
from ocr.plan import plan_pages
from tests.ocr.turnfakes import fake_reading


def _words(n: int, *, wide: int, confidence: float) -> list[Word]:
    """``n`` words, the first ``wide`` of them wider than tall."""
    return [Word(text="chữ", confidence=confidence,
                 bbox=(0, 30 * i, 60, 30 * i + 20) if i < wide else (0, 30 * i, 20, 30 * i + 60),
                 line=(1, 1, i)) for i in range(n)]


def _fake_reading(monkeypatch: pytest.MonkeyPatch,
                  by_key: dict[tuple[int, bool], list[Word]]) -> list[tuple[int, bool]]:
    """``first_pass`` answering the words of (turn, median-filtered); returns what was read."""
    return fake_reading(monkeypatch, by_key, lambda turn, median: (turn, median))


def test_the_upside_down_reading_does_not_win_on_box_shape(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw 7331's bled e0041: upright, 65 % of the longer words wider than tall at mean
    confidence 90 (under UPRIGHT_WORDS: score 0); upside down, 75 % at 34."""
    upright = _words(100, wide=65, confidence=90.0)
    # Mostly unsure, a few words read over 60: it scores, the upright reading does not.
    turned = _words(85, wide=64, confidence=30.0) + _words(15, wide=11, confidence=65.0)
    _fake_reading(monkeypatch, {(0, False): upright, (180, False): turned})
    assert pipeline._score(upright) == 0 < pipeline._score(turned)
    best = pipeline._read_turns([0, 180], None, Image.new("L", (8, 8), 255), 0.0, (), 200,
                                "vie", tmp_path)
    assert best is not None and best[0].rotated == 0
    # Upside down tried first: the same answer.
    best = pipeline._read_turns([180, 0], None, Image.new("L", (8, 8), 255), 0.0, (), 200,
                                "vie", tmp_path)
    assert best is not None and best[0].rotated == 0


def test_a_quarter_turn_still_ranks_by_box_shape(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reading lying on its side, however confident, does not beat an upright one."""
    _fake_reading(monkeypatch, {(0, False): _words(50, wide=50, confidence=70.0),
                                (90, False): _words(50, wide=0, confidence=95.0)})
    best = pipeline._read_turns([90, 0], None, Image.new("L", (8, 8), 255), 0.0, (), 200,
                                "vie", tmp_path)
    assert best is not None and best[0].rotated == 0


def _way_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, upright_unfiltered: float,
            turned_unfiltered: float) -> tuple[int, list[tuple[int, bool]]]:
    read = _fake_reading(monkeypatch, {
        (180, True): _words(7, wide=7, confidence=60.0),
        (0, True): _words(6, wide=1, confidence=55.0),
        (0, False): _words(36, wide=20, confidence=upright_unfiltered),
        (180, False): _words(40, wide=32, confidence=turned_unfiltered)})
    steps = ("flatten", "median")
    kept = pipeline._prepared_at(Image.new("L", (8, 8), 255), 180, 0.0, steps)
    best = (kept, engine.first_pass(kept.ocr_input, tmp_path, dpi=200, languages="vie"))
    read.clear()
    got = pipeline._way_up_unfiltered(best, Image.new("L", (8, 8), 255), 0.0, steps, 200,
                                      "vie", tmp_path)
    assert got[0].steps == steps  # the reading kept is still the filtered one
    return got[0].rotated, read


def test_a_weak_filtered_page_is_turned_over_where_the_unfiltered_page_reads_clearly_better(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Draw 4157's photocopy e0015: filtered, 7 words upside down beat 6 upright; the
    unfiltered page reads upright (mean 57), not upside down (9)."""
    turn, read = _way_up(tmp_path, monkeypatch, 57.0, 9.0)
    assert turn == 0
    assert read == [(180, False), (0, False), (0, True)]


def test_a_close_call_on_the_unfiltered_page_keeps_the_chosen_turn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    turn, _ = _way_up(tmp_path, monkeypatch, 60.0, 58.0)
    assert turn == 180


def _read(tmp_path: Path, draw: int, index: int, degradation: str, doc_type: str,
          media_type: str) -> tuple[int, float]:
    truth = make_document(tmp_path, f"e{index:04d}", doc_seed(draw, index), degradation,
                          doc_type, "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), media_type, out_dir=str(tmp_path))[0])
    return result.rotated, cer(truth.pages[0], result.text)


@pytest.mark.slow
def test_a_bled_page_is_read_upright(tmp_path: Path) -> None:
    """Fresh draw 7331's e0041 (200-dpi gray death extract, ink bleed, upright): kept at
    180° (CER 86 %)."""
    rotated, error = _read(tmp_path, 7331, 41, "ink_bleed", "death_extract", "image/png")
    assert rotated == 0
    assert error <= 0.10


@pytest.mark.slow
def test_a_noisy_photocopy_is_read_upright(tmp_path: Path) -> None:
    """Fresh draw 4157's e0015 (200-dpi gray photocopy in a PDF, upright): kept at 180°
    (CER 97.9 %; bare tesseract reads nothing of it)."""
    rotated, _ = _read(tmp_path, 4157, 15, "photocopy", "marriage_certificate",
                       "application/pdf")
    assert rotated == 0
