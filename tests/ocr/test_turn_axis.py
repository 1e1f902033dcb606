"""A page whose reading at one turn shows its lines running across (many longer words,
nearly all wider than tall) but does not read well is not read at the quarter turns:
only the half turn is still in question. A reading lying on its side settles nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr import pipeline
from ocr.base import Word
from tests.ocr.turnfakes import fake_reading


def _words(n: int, *, wide: bool, confidence: float) -> list[Word]:
    w, h = (60, 20) if wide else (20, 60)
    return [Word(text="chữ", confidence=confidence, bbox=(0, 30 * i, w, 30 * i + h),
                 line=(1, 1, i)) for i in range(n)]


def _fake_turns(monkeypatch: pytest.MonkeyPatch,
                by_turn: dict[int, list[Word]]) -> list[int]:
    """``first_pass`` answering each turn's words; returns the turns read, in order."""
    return fake_reading(monkeypatch, by_turn, lambda turn, _median: turn)


def _best(turns: list[int], tmp_path: Path) -> int:
    best = pipeline._read_turns(turns, None, Image.new("L", (8, 8), 255), 0.0, (), 300,
                                "vie", tmp_path)
    assert best is not None
    return best[0].rotated


def test_an_upright_weak_reading_spares_the_quarter_turns(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A faint page read across at turn 0, weakly (mean confidence 40): the half turn is
    read (the page may be upside down), the quarter turns are not."""
    weak = _words(60, wide=True, confidence=40.0)
    read = _fake_turns(monkeypatch, {0: weak, 180: _words(60, wide=True, confidence=30.0),
                                     90: _words(60, wide=False, confidence=50.0),
                                     270: _words(60, wide=False, confidence=50.0)})
    assert _best([0, 180, 90, 270], tmp_path) == 0
    assert read == [0, 180]


def test_the_half_turn_still_wins_when_it_reads_better(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An upside-down page reads across at turn 0 too, with little confidence: the half
    turn is still read, and kept."""
    read = _fake_turns(monkeypatch, {0: _words(60, wide=True, confidence=62.0),
                                     180: _words(60, wide=True, confidence=96.0),
                                     90: _words(60, wide=False, confidence=50.0),
                                     270: _words(60, wide=False, confidence=50.0)})
    assert _best([0, 90, 180, 270], tmp_path) == 180
    assert read == [0, 180]


def test_a_reading_on_its_side_or_too_short_settles_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Words taller than wide (the page lying on its side), or too few longer words to
    tell, leave every turn to be read, as before."""
    read = _fake_turns(monkeypatch, {0: _words(60, wide=False, confidence=40.0),
                                     180: _words(60, wide=False, confidence=40.0),
                                     90: _words(10, wide=True, confidence=40.0),
                                     270: _words(60, wide=True, confidence=96.0)})
    assert _best([0, 180, 90, 270], tmp_path) == 270
    assert read == [0, 180, 90, 270]
