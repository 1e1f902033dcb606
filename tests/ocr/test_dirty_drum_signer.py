"""A dirty drum's dense streak through the signature block is not a table rule: the
block is read, not cut off the page's text."""

from __future__ import annotations

from pathlib import Path

import ocr
from evalset.generate import doc_seed, make_document
from evalset.score import cer
from ocr.plan import plan_pages


def test_the_signature_block_beside_a_dense_streak_is_read(tmp_path: Path) -> None:
    """Dev e0079 (a 200-dpi gray criminal record certificate, dirty drum): the streak
    down the signature block was kept as a gray "rule" by the loose-gray step, and
    tesseract's layout read nothing below it — place and date, title and signer lost
    (86 errors, CER 10 %)."""
    truth = make_document(tmp_path, "e0079", doc_seed(13, 79), "dirty_drum",
                          "criminal_record_certificate", "dev")
    path = tmp_path / truth.file
    result = ocr.run_page(plan_pages(str(path), "image/png", out_dir=str(tmp_path))[0])
    assert "Quảng Ngãi, ngày 02 tháng 02 năm 2026" in result.text
    assert "GIÁM ĐỐC" in result.text
    assert cer(truth.pages[0], result.text) <= 0.05
