"""A page's PDF is handed back by path in the document's work folder, not as bytes
through the pool's pipe (OCRmyPDF's way)."""

from __future__ import annotations

import pickle
from pathlib import Path

import pikepdf

from ocr import build_archival, plan_pages, run_page
from tests.support.ocr import render_page, save_image


def test_the_page_pdf_is_written_in_the_work_folder_and_only_named(tmp_path: Path) -> None:
    scan = save_image(render_page(dpi=100), tmp_path / "scan.png", dpi=100)
    out_dir = tmp_path / "work"
    out_dir.mkdir()

    (job,) = plan_pages(str(scan), "image/png", out_dir=str(out_dir))
    page = run_page(job)

    written = Path(page.pdf_path)
    assert written == out_dir / "page-00001.pdf" == Path(job.out_path)
    with pikepdf.open(written) as pdf:
        assert len(pdf.pages) == 1
    # The page's PDF stays on disk: what the worker sends back is its text, words and
    # (page 1 only) the top of the page for the stamp, not the PDF.
    sent = pickle.dumps(page)
    assert b"%PDF-" not in sent and written.read_bytes()[-4000:] not in sent
    assert build_archival([page], title="scan").pdfa
