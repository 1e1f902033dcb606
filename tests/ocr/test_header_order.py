"""Reading order of pages made with the generator: the header's two blocks, a column the
layout read as a line, a line's last piece given as a block of its own."""

from __future__ import annotations

from pathlib import Path

import pytest

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr.plan import plan_pages

MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


def _read(tmp_path: Path, seed: int, index: int, degradation: str, doc_type: str
          ) -> tuple[str, str]:
    """The page's truth and its reading (the draw ``seed``'s document ``index``)."""
    truth = make_document(tmp_path, f"e{index:04d}", doc_seed(seed, index), degradation,
                          doc_type, "dev")
    path = tmp_path / truth.file
    job = plan_pages(str(path), MEDIA_TYPES[path.suffix], out_dir=str(tmp_path))[0]
    return truth.pages[0], ocr.run_page(job).text


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line]


@pytest.mark.slow
def test_a_list_read_down_the_margin_does_not_break_the_header(tmp_path: Path) -> None:
    """Fresh draw 3613's e0021 (dirty drum): the list's numbers down the margin read as
    one line ("C2 + ƠI Œ") between the header's lines; the agency's second line was read
    beside "Độc lap", the document's number after the motto (78 errors, 10 read so)."""
    truth, text = _read(tmp_path, 3613, 21, "dirty_drum", "criminal_record_certificate")
    lines = _lines(text)
    assert lines[:2] == ["UBND THÀNH PHỐ HÀ NỘI", "SỞ TƯ PHÁP"]
    assert lines[2].startswith("Số: 4721/")
    assert lines[3:5] == _lines(truth)[3:5]
    assert cer(truth, text) < 0.03


@pytest.mark.slow
def test_the_document_number_is_read_in_the_agencys_block(tmp_path: Path) -> None:
    """Fresh draw 8017's e0042 (300 dpi colour, clean): "Số: 12D38970546" a little
    further under the agency's name than its lines' spacing was read after the motto."""
    truth, text = _read(tmp_path, 8017, 42, "clean", "household_business_registration")
    assert _lines(text)[:5] == _lines(truth)[:5]


@pytest.mark.slow
def test_a_split_misread_motto_is_read_in_its_block(tmp_path: Path) -> None:
    """Fresh draw 8017's e0025 (dirty drum): the layout split the motto's line among the
    agency's two lines and read "ÔNG HÒA …": without a motto found the two blocks were
    read interleaved (121 errors; 33 read in blocks)."""
    truth, text = _read(tmp_path, 8017, 25, "dirty_drum", "death_extract")
    lines = _lines(text)
    assert lines[:3] == _lines(truth)[:3]
    assert lines[4] == "Độc lập - Tự do - Hạnh phúc"
    assert cer(truth, text) < 0.05
