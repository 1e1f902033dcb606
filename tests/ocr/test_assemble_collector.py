"""The archival PDF's PDF/A check runs with the garbage collector held off, and without a
full collection first (``ocr.assemble``): a finaliser that warns (another object's
leftover, collected at that moment) must not become a PDF/A finding, and walking every
object the worker made since its server froze its own cost 2–7 ms a document."""

from __future__ import annotations

import gc
import io
import zlib
from pathlib import Path
from typing import Any

import pikepdf
import pytest

from ocr import build_archival
from ocr.base import PageResult


def _image_page(path: Path) -> PageResult:
    """A one-page PDF showing a small gray image (no text: nothing PDF/A forbids)."""
    pdf = pikepdf.new()
    width, height = 40, 20
    image = pikepdf.Stream(pdf, zlib.compress(bytes(range(200, 240)) * height))
    image.Type, image.Subtype = pikepdf.Name.XObject, pikepdf.Name.Image
    image.Width, image.Height = width, height
    image.ColorSpace, image.BitsPerComponent = pikepdf.Name.DeviceGray, 8
    image.Filter = pikepdf.Name.FlateDecode
    page = pdf.add_blank_page(page_size=(200, 100))
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(Im0=image))
    page.Contents = pikepdf.Stream(pdf, b"q 200 0 0 100 0 0 cm /Im0 Do Q")
    buffer = io.BytesIO()
    pdf.save(buffer)
    path.write_bytes(buffer.getvalue())
    return PageResult(number=1, text="", words=[], width_px=width, height_px=height, dpi=72,
                      dpi_assumed=False, rotated=0, deskew=0.0, mean_confidence=None,
                      blank=False, had_text=False, pdf_path=str(path))


def test_no_full_collection_and_the_collector_off_while_the_pdfa_is_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pikepdf.pdfa

    page = _image_page(tmp_path / "p.pdf")
    collections: list[Any] = []
    real_collect, real_save = gc.collect, pikepdf.pdfa.save
    enabled_in_save: list[bool] = []

    def counting_collect(*args: Any) -> int:
        collections.append(args)
        return real_collect(*args)

    def watched_save(*args: Any, **kwargs: Any) -> Any:
        enabled_in_save.append(gc.isenabled())
        return real_save(*args, **kwargs)

    monkeypatch.setattr(gc, "collect", counting_collect)
    monkeypatch.setattr(pikepdf.pdfa, "save", watched_save)
    built = build_archival([page], title="t")
    assert built.pdfa, built.notes
    assert collections == []
    assert enabled_in_save == [False]
    assert gc.isenabled()


def test_the_collector_stays_off_when_it_was(tmp_path: Path) -> None:
    page = _image_page(tmp_path / "p.pdf")
    gc.disable()
    try:
        build_archival([page], title="t")
        assert not gc.isenabled()
    finally:
        gc.enable()
