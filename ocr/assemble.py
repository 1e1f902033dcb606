"""Merging one-page PDFs into the archival PDF/A-2b, with pikepdf alone.

This is OCRmyPDF's "speculative PDF/A" path without Ghostscript: our pages are built
to be PDF/A already (device colour images under an sRGB output intent, tesseract's
embedded GlyphLessFont, no transparency), so the document only needs the formal
parts — XMP with pdfaid part 2 / conformance B, an sRGB OutputIntent with its ICC
profile, a document ID — which ``pikepdf.pdfa.save`` adds and then validates on the
bytes it wrote. Pages copied from a PDF that already had text may bring fonts or
features PDF/A forbids; then the document is saved as plain PDF and says so. Active
content those pages bring (scripts, launch and submit actions, attached files) is
removed first, whatever the PDF/A outcome (``ocr.sanitize``), and noted.
"""

from __future__ import annotations

import gc
import io
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import pikepdf
from pikepdf import Name

from ocr.base import PageResult
from ocr.sanitize import defang

PRODUCER = "sohoa ocr"


@dataclass
class Archival:
    pdf: bytes
    pdfa: bool
    notes: list[str] = field(default_factory=list)


def _merge(pages: list[PageResult], stack: ExitStack) -> pikepdf.Pdf:
    merged = pikepdf.new()
    for result in pages:
        # The source stays open until the merged document is written: pikepdf copies
        # foreign stream data lazily.
        source = stack.enter_context(pikepdf.open(result.pdf_path))
        merged.pages.extend(source.pages)
    return merged


def _describe(merged: pikepdf.Pdf, title: str | None, language: str) -> None:
    merged.Root.Lang = pikepdf.String(language)
    merged.Root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
    with merged.open_metadata(set_pikepdf_as_editor=False) as meta:
        if title:
            meta["dc:title"] = title
        meta["dc:language"] = [language]
        meta["pdf:Producer"] = PRODUCER
        meta["xmp:CreatorTool"] = PRODUCER
    if title:
        merged.docinfo[Name.Title] = title


# PDF/A-2 is built on ISO 32000-1, i.e. PDF 1.7: the header says so, and the catalog
# carries no /Version of its own. The header must already be 1.7, not lower: pyHanko's
# incremental signing needs PDF 1.7 for PAdES and, finding a lower header, would add a
# catalog /Version that disagrees with it (it also used to write /2.0 for ECDSA keys,
# see signing.signer).
PDF_VERSION = "1.7"


def _save_plain(merged: pikepdf.Pdf) -> bytes:
    buffer = io.BytesIO()
    merged.save(buffer, compress_streams=True, min_version=PDF_VERSION,
                object_stream_mode=pikepdf.ObjectStreamMode.generate)
    return buffer.getvalue()


@contextmanager
def _collector_held_off() -> Iterator[None]:
    """No cyclic garbage collection inside the block.

    pikepdf's PDF/A check records any warning raised while it walks a content stream as
    a finding, including a ResourceWarning from an unrelated object that the cyclic
    collector happens to finalise at that moment: other code's leftovers would fail this
    document's PDF/A. With the collector held off while the document is written and
    checked, no such finaliser runs then (the garbage is collected afterwards, as
    usual). A full collection before the check kept them out too, but walked every
    object the process had made since the workers' server froze its own: 2–7 ms a
    document in a worker, ~18 ms in a process that never froze
    (``bench/ingest_stages.py``)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def build_archival(pages: list[PageResult], *, title: str | None,
                   language: str = "vi") -> Archival:
    # pikepdf.pdfa loads its validation engine (about 0.3 s, more under load): only the
    # processes that build archival PDFs pay it, not every importer of ``ocr``.
    from pikepdf.pdfa import PdfaError, save

    with ExitStack() as stack:
        merged = stack.enter_context(_merge(pages, stack))
        removed = defang(merged)
        _describe(merged, title, language)
        buffer = io.BytesIO()
        try:
            with _collector_held_off():
                save(merged, buffer, "2b", output_intent="sRGB", force_version=PDF_VERSION)
        except PdfaError as exc:
            reasons = "; ".join(str(f) for f in exc.report.findings[:5]) if exc.report else ""
            return Archival(pdf=_save_plain(merged), pdfa=False,
                            notes=[*removed, f"not PDF/A-2b: {reasons or exc}"])
        return Archival(pdf=buffer.getvalue(), pdfa=True, notes=removed)


def assemble_pdf(pages: list[PageResult], *, title: str | None, language: str = "vi") -> bytes:
    """The archival PDF of ``pages`` in order: PDF/A-2b whenever the pages allow it."""
    return build_archival(pages, title=title, language=language).pdf
