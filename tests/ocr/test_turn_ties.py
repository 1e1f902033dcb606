"""Turns that no reading shows upright (ink bleed makes every word's box tall): the turn
read with confidence wins, not the first one tried."""

from __future__ import annotations

from pathlib import Path

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr import pipeline
from ocr.base import Word
from ocr.plan import plan_pages


def _tall(text: str, confidence: float, x: int) -> Word:
    # Taller than wide: as ink bleed leaves the boxes of a page's words.
    return Word(text=text, confidence=confidence, bbox=(x, 100, x + 40, 160), line=(1, 1, 1))


def test_when_no_turn_reads_upright_the_confident_reading_ranks_higher() -> None:
    upright = [_tall("THÀNH", 85.0, 100 + 50 * i) for i in range(10)]
    turned = [_tall("ạt", 30.0, 100 + 50 * i) for i in range(10)]
    assert pipeline._score(upright) == pipeline._score(turned) == 0
    assert pipeline._rank(upright) > pipeline._rank(turned)


def test_an_ink_bleed_page_line_shape_takes_upside_down_is_read_upright(
        tmp_path: Path) -> None:
    """Fresh draw 8819's e0033 (a 200-dpi gray criminal-record certificate in a PDF, ink
    bleed, upright): line shape was sure it was upside down, neither turn's words counted
    as upright, and the first tried (180°, mean confidence 27) was kept over the upright
    reading (79): CER 33 % against bare tesseract's 24 % for its class."""
    truth = make_document(tmp_path, "e0033", doc_seed(8819, 33), "ink_bleed",
                          "criminal_record_certificate", "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), "application/pdf", out_dir=str(tmp_path))[0])
    assert result.rotated == 0
    assert cer(truth.pages[0], result.text) <= 0.15
