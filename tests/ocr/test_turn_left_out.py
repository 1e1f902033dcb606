"""A page that every turn line shape planned reads lying on its side is read at the
turns it left out: an upright photographed certificate is not kept turned."""

from __future__ import annotations

from pathlib import Path

import pytest

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr import engine, pipeline
from ocr.plan import plan_pages


def _read(path: Path) -> ocr.PageResult:
    return ocr.run_page(plan_pages(str(path), "image/jpeg", out_dir=str(path.parent))[0])


def test_an_upright_photo_line_shape_takes_for_turned_ends_upright(tmp_path: Path) -> None:
    """Fresh draw 8629's e0010 (a photographed criminal-record certificate, upright):
    line shape is sure the lines run down the page and plans only the quarter turns;
    both read the page on its side. It was kept turned (CER 32 %, bare tesseract 13 %)."""
    truth = make_document(tmp_path, "e0010", doc_seed(8629, 10), "photo",
                          "criminal_record_certificate", "dev")
    result = _read(tmp_path / truth.file)
    assert result.rotated == 0
    assert cer(truth.pages[0], result.text) <= 0.12


def test_a_page_read_upright_at_a_planned_turn_is_not_read_at_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The turns left out are read only when no planned turn read the page upright."""
    import evalset

    truth = evalset.make_page(tmp_path, "clean", seed=2)
    readings: list[int] = []
    real = engine.first_pass

    def counting(*args: object, **kwargs: object) -> engine.Recognition:
        readings.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "first_pass", counting)
    monkeypatch.setattr(pipeline, "orientation_plan", lambda _found: [0, 180])
    path = tmp_path / truth.file
    assert path.suffix == ".png"
    result = ocr.run_page(plan_pages(str(path), "image/png", out_dir=str(tmp_path))[0])
    assert result.rotated == 0
    assert len(readings) == 1
