"""The top of a page the OCR keeps for the stamp's placement (``ocr.base.PageView``):
the same pixels as the page shown upright and straight, and marks from it that agree
with a render of the archival PDF, so signing no longer renders page 1 again."""

from __future__ import annotations

import io
import math
import tempfile
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image, ImageDraw

from ingest.pipeline import viewed_marks
from ocr import PageJob, PageResult, build_archival, pdfpage, prepare, run_page
from ocr.base import VIEW_DPI, VIEW_SHARE, PageView
from ocr.pipeline import top_view
from signing import placement


def _scan(width: int = 1240, height: int = 1754) -> Image.Image:
    """A 150-dpi A4 page: a dark block top-left, a line of 'text' top-right, a block low."""
    image = Image.new("L", (width, height), 236)
    draw = ImageDraw.Draw(image)
    draw.rectangle((90, 80, 520, 200), fill=20)
    draw.rectangle((760, 120, 1150, 150), fill=40)
    draw.rectangle((100, 1300, 1100, 1400), fill=30)
    return image


@pytest.mark.parametrize(("turn", "deskew"), [(0, 0.0), (0, 2.3), (90, -1.7), (180, 0.0)])
def test_view_is_the_top_of_the_page_turned_and_straightened(turn: int, deskew: float) -> None:
    image = _scan()
    view = top_view(image, 120, turn, deskew)  # below VIEW_DPI: kept at its resolution
    shown = prepare.straighten(prepare.turn(image, turn), deskew)
    rows = math.ceil(shown.height * VIEW_SHARE)
    expected = shown.crop((0, 0, shown.width, rows))
    got = np.frombuffer(view.gray, dtype=np.uint8).reshape(view.height, view.width)
    assert (view.width, view.height) == expected.size
    assert np.array_equal(got, np.asarray(expected))


def test_view_is_reduced_to_the_view_resolution() -> None:
    image = _scan(2480, 3508)  # 300 dpi
    view = top_view(image, 300, 0, 0.0)
    assert view.width == round(2480 * VIEW_DPI / 300)
    assert abs(view.dpi - VIEW_DPI) < 0.5


def _archival(image: Image.Image, dpi: int, turn: int, deskew: float,
              view: PageView | None) -> tuple[bytes, PageResult]:
    with tempfile.TemporaryDirectory() as out_dir:
        one_page = Path(out_dir) / "page-00001.pdf"
        one_page.write_bytes(pdfpage.image_page(image, dpi, None, turn=turn, deskew=deskew))
        page = PageResult(number=1, text="", words=[], width_px=0, height_px=0, dpi=dpi,
                          dpi_assumed=False, rotated=turn, deskew=deskew,
                          mean_confidence=None, blank=True, had_text=False,
                          pdf_path=str(one_page), view=view)
        return build_archival([page], title="view").pdf, page


@pytest.mark.parametrize(("turn", "deskew"), [(0, 0.0), (0, 2.0), (270, 0.0)])
def test_marks_from_the_view_place_the_stamp_as_a_render_does(turn: int, deskew: float) -> None:
    # The stored scan is the page turned back: the archival page shows it upright.
    upright = _scan()
    stored = prepare.turn(upright, (360 - turn) % 360)
    pdf, page = _archival(stored, 150, turn, deskew, top_view(stored, 150, turn, deskew))
    from_view = viewed_marks(pdf, page.view, [], (0, 0))
    rendered = placement.page_marks(pdf)
    assert from_view is not None
    assert (from_view.width, from_view.height) == (rendered.width, rendered.height)
    sizes = [(126.0, 32.0), (100.0, 26.0)]
    chosen, reference = placement.place(from_view, sizes), placement.place(rendered, sizes)
    # The same place, give or take one cell where the two resamplings differ at an edge.
    assert (chosen.where, chosen.size_index) == (reference.where, reference.size_index)
    assert all(abs(a - b) <= placement.CELL
               for a, b in zip(chosen.rect, reference.rect, strict=True))
    # And none of the page's ink (a render of the archival PDF) under it.
    gray = placement.render_first_page(pdf)
    scale = gray.shape[1] / rendered.width
    x0, y0, x1, y1 = chosen.rect
    rows = slice(math.floor((rendered.height - y1) * scale),
                 math.ceil((rendered.height - y0) * scale))
    cols = slice(math.floor(x0 * scale), math.ceil(x1 * scale))
    assert gray[rows, cols].size
    assert not placement.ink_mask(gray)[rows, cols].any()


def test_a_view_that_does_not_fit_the_page_is_not_used() -> None:
    image = _scan()
    pdf, _ = _archival(image, 150, 0, 0.0, None)
    assert viewed_marks(pdf, None, [], (0, 0)) is None
    # A view of another page (the page was cropped after): page 1 is rendered instead.
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        doc.pages[0].obj.CropBox = pikepdf.Array([0, 0, 300, 400])
        out = io.BytesIO()
        doc.save(out)
    assert viewed_marks(out.getvalue(), top_view(image, 150, 0, 0.0), [], (0, 0)) is None


def test_only_page_one_keeps_its_view(tmp_path: Path) -> None:
    # Two blank sheets (nothing to read: fast); only page 1 carries the stamp.
    path = tmp_path / "two.tif"
    sheets = [Image.new("L", (850, 1100), 250) for _ in range(2)]
    sheets[0].save(path, save_all=True, append_images=sheets[1:], dpi=(100, 100))
    first, second = (run_page(PageJob(str(path), "image/tiff", i, out_dir=str(tmp_path)))
                     for i in range(2))
    assert first.view is not None and (first.view.width, first.view.height) == (850, 330)
    assert second.view is None
