"""Extraction on real tesseract output of rendered, lightly degraded specimens."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from extract import analyze
from specimens import degrade, generate, render_page
from tests.support.extract import tesseract_words


@pytest.mark.slow
@pytest.mark.parametrize(
    "doc_type, seed", [("marriage_certificate", 21), ("household_business_registration", 22)]
)
def test_fields_from_real_tesseract(tmp_path: Path, doc_type: str, seed: int) -> None:
    paper = generate(doc_type, seed)
    image = degrade(
        render_page(paper, dpi=300), seed=seed, skew=0.6, noise=0.001, seal=True, mode="gray"
    )
    path = tmp_path / "page.png"
    image.save(path)
    words = tesseract_words(str(path))
    got = analyze([" ".join(w.text for w in words)], [words], today=date(2025, 6, 1))
    assert got.doc_type == doc_type
    assert got.document_number == paper.document_number
    assert got.issued_on == paper.issued_on
    want_ids = [s["id_number"] for s in paper.subjects]
    got_ids = [s.id_number for s in got.subjects]
    # Never a wrong ID: each is either right or left out (and then flagged).
    assert all(i is None or i in want_ids for i in got_ids)
    assert sum(i is not None for i in got_ids) >= 1
    assert got.subjects[0].birth_date in (paper.subjects[0]["birth_date"], None)
