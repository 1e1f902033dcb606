"""The guard's decision to read the plain page: made from the page's text bands, not
only from its mean confidence (a page whose top half a step ruined reads well below)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from ocr import engine, pipeline
from ocr.base import Word


class PlainRead(Exception):
    """Raised where the guard would read the plain page."""


def _page(confidences: list[float]) -> list[Word]:
    """One line a band, 100 px apart, six five-letter words each at the band's confidence."""
    return [Word("chữ" + "a" * 2, conf, (100 + 200 * k, 100 * n, 280 + 200 * k, 100 * n + 40),
                 (n, 1, 1))
            for n, conf in enumerate(confidences) for k in range(6)]


def _guard(words: list[Word], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Whether ``guarded`` reads the plain page for a prepared reading of ``words``."""

    def plain_input(*_args: object) -> Image.Image:
        raise PlainRead

    monkeypatch.setattr(pipeline, "plain_input", plain_input)
    prepared = pipeline.Prepared(ocr_input=Image.new("L", (1600, 1200), 255), rotated=0,
                                 deskew=0.0, blank=False, changed=False, steps=("median",))
    reading = engine.Recognition(words=words, text_pdf=None)
    loaded = pipeline.Loaded(image=prepared.ocr_input, dpi=300, dpi_assumed=False, jpeg=None)
    try:
        pipeline.guarded(loaded, prepared, reading, "vie", tmp_path)
    except PlainRead:
        return True
    return False


def test_a_page_read_well_but_for_a_share_of_its_bands_is_read_plain_too(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Page mean 86.1, over GUARD_CONFIDENCE: 3 of 10 bands unsure.
    words = _page([98.0] * 7 + [58.0, 59.0, 58.0])
    assert (engine.mean_confidence(words) or 0.0) >= pipeline.GUARD_CONFIDENCE
    assert _guard(words, tmp_path, monkeypatch)


def test_a_clean_page_with_an_unsure_signature_is_not_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # One band in ten unsure (a signature read as specks): no plain reading, no cost.
    assert not _guard(_page([95.0] * 9 + [30.0]), tmp_path, monkeypatch)
