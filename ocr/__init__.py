"""Archival OCR for Vietnamese scans.

Turns a PDF, TIFF, JPEG or PNG into upright, deskewed page images read by tesseract
(``vie``), and an archival PDF/A-2b with an invisible text layer aligned to the words.

Public surface:

- ``plan_pages(path, media_type, *, out_dir, languages, max_pixels) -> list[PageJob]``
  — cheap, in the calling process; raises ``OcrInputError`` for unusable input.
- ``run_page(job) -> PageResult`` — one page, for a worker process; the page's PDF is
  written into the job's ``out_dir`` (the document's work folder) and named by path.
- ``assemble_pdf(pages, *, title, language) -> bytes`` — the PDF/A-2b.
"""

from ocr.assemble import assemble_pdf, build_archival
from ocr.base import OcrInputError, PageJob, PageResult, Word
from ocr.pipeline import run_page
from ocr.plan import plan_pages

__all__ = [
    "OcrInputError",
    "PageJob",
    "PageResult",
    "Word",
    "assemble_pdf",
    "build_archival",
    "plan_pages",
    "run_page",
]
