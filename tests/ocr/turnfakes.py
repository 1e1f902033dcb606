"""A fake page reading for the turn-choice tests: each prepared image remembers the turn
and whether the median filter was among its steps, and ``first_pass`` answers the words
given for that key, so a test says what every turn reads without tesseract."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image

from ocr import engine, pipeline
from ocr.base import Word

K = TypeVar("K", bound=Hashable)


def fake_reading(monkeypatch: pytest.MonkeyPatch, by_key: dict[K, list[Word]],
                 key: Callable[[int, bool], K]) -> list[K]:
    """``first_pass`` answering ``by_key[key(turn, median_filtered)]``; returns the keys
    read, in order."""
    read: list[K] = []
    key_of: dict[int, K] = {}

    def prepared_at(gray: Image.Image, turn: int, deskew: float,
                    steps: tuple[str, ...]) -> pipeline.Prepared:
        image = Image.new("L", (8, 8), 255)
        key_of[id(image)] = key(turn, "median" in steps)
        return pipeline.Prepared(ocr_input=image, rotated=turn, deskew=0.0, blank=False,
                                 changed=bool(turn), steps=steps)

    def first_pass(image: Image.Image, workdir: Path, **_: object) -> engine.Recognition:
        found = key_of[id(image)]
        read.append(found)
        return engine.Recognition(words=by_key[found], text_pdf=None)

    monkeypatch.setattr(pipeline, "_prepared_at", prepared_at)
    monkeypatch.setattr(engine, "first_pass", first_pass)
    return read
