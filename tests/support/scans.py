"""Cheap real inputs for tests that need many files digitized: PDFs that carry their
own text layer, so the pipeline runs whole (PDF/A, fields, signature, store, index)
without a tesseract call per page."""

from __future__ import annotations

from pathlib import Path

import pikepdf


def text_pdf(path: Path, text: str, pages: int = 1) -> Path:
    """A born-digital PDF of ``pages`` A4 pages, each carrying ``text`` (ASCII) as
    Helvetica text: distinct texts make distinct files (distinct SHA-256)."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    for number in range(1, pages + 1):
        content = f"BT /F1 14 Tf 72 720 Td ({text} - trang {number}) Tj ET".encode()
        page = pikepdf.Dictionary(
            Type=pikepdf.Name.Page, MediaBox=[0, 0, 595, 842],
            Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
            Contents=pdf.make_stream(content),
        )
        pdf.pages.append(pikepdf.Page(page))
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(path)
    return path
