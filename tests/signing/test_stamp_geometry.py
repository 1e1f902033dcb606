"""The visible stamp sits at the top left of page 1 as readers display it, reading upright,
whatever the page's /Rotate, inherited or oversized CropBox, or offset MediaBox.

Checked twice: the widget /Rect against the page geometry, and poppler's rendering of
the visible area (``pdftoppm -cropbox`` applies /Rotate and the CropBox as readers do).
"""

from __future__ import annotations

import io
import math
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageChops

import signing
from tests.support.pki import make_pdfa

AGENCY = "UBND Xã Thử"
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Geometry:
    """How to bend page 1 of a plain US-letter PDF, and what a reader then shows."""

    apply: Callable[[pikepdf.Pdf], None]
    visible: Box
    rotate: int


def _page_entry(key: str, value: object) -> Callable[[pikepdf.Pdf], None]:
    def apply(pdf: pikepdf.Pdf) -> None:
        pdf.pages[0].obj[key] = value

    return apply


def _tree_entry(key: str, value: object) -> Callable[[pikepdf.Pdf], None]:
    """Set ``key`` on the /Pages node only, so page 1 merely inherits it."""

    def apply(pdf: pikepdf.Pdf) -> None:
        pdf.Root.Pages[key] = value

    return apply


def _both(*steps: Callable[[pikepdf.Pdf], None]) -> Callable[[pikepdf.Pdf], None]:
    def apply(pdf: pikepdf.Pdf) -> None:
        for step in steps:
            step(pdf)

    return apply


LETTER: Box = (0, 0, 612, 792)
GEOMETRIES = {
    "rotate-0": Geometry(lambda pdf: None, LETTER, 0),
    "rotate-90": Geometry(_page_entry("/Rotate", 90), LETTER, 90),
    "rotate-180": Geometry(_page_entry("/Rotate", 180), LETTER, 180),
    "rotate-270": Geometry(_page_entry("/Rotate", 270), LETTER, 270),
    "rotate-minus-90-inherited": Geometry(_tree_entry("/Rotate", -90), LETTER, 270),
    "cropbox-inherited": Geometry(_tree_entry("/CropBox", [0, 0, 612, 500]), (0, 0, 612, 500), 0),
    "cropbox-beyond-mediabox": Geometry(_page_entry("/CropBox", [0, 0, 612, 2000]), LETTER, 0),
    "mediabox-offset": Geometry(
        _page_entry("/MediaBox", [-300, -421, 312, 371]), (-300, -421, 312, 371), 0
    ),
    "rotate-90-inherited-cropbox-offset-mediabox": Geometry(
        _both(
            _page_entry("/MediaBox", [-300, -421, 312, 371]),
            _tree_entry("/CropBox", [-250, -400, 250, 300]),
            _page_entry("/Rotate", 90),
        ),
        (-250, -400, 250, 300),
        90,
    ),
}


def _bent_pdf(geometry: Geometry) -> bytes:
    with pikepdf.open(io.BytesIO(make_pdfa(pages=1))) as pdf:
        geometry.apply(pdf)
        out = io.BytesIO()
        pdf.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def dev_signer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[signing.Signer]:
    ident = signing.ensure_dev_identity(tmp_path_factory.mktemp("dev"), AGENCY)
    with signing.load_signer(signing.SigningSettings(agency_name=AGENCY), ident) as signer:
        yield signer


def _stamp_rects(data: bytes) -> list[Box]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        widgets = [a for a in pdf.pages[0].get("/Annots", []) if a.get("/FT") == "/Sig"]
        rects = [tuple(float(v) for v in w.Rect) for w in widgets]
    return [(min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])) for r in rects]


def _display_size(visible: Box, rotate: int) -> tuple[float, float]:
    width, height = visible[2] - visible[0], visible[3] - visible[1]
    return (height, width) if rotate in (90, 270) else (width, height)


def _displayed(rect: Box, visible: Box, rotate: int) -> Box:
    """``rect`` in displayed coordinates (origin bottom left, y up): the visible box
    turned ``rotate`` degrees clockwise about its centre."""
    cx, cy = (visible[0] + visible[2]) / 2, (visible[1] + visible[3]) / 2
    display_w, display_h = _display_size(visible, rotate)
    cos, sin = round(math.cos(math.radians(rotate))), round(math.sin(math.radians(rotate)))
    xs, ys = [], []
    for x, y in ((rect[0], rect[1]), (rect[2], rect[3])):
        dx, dy = x - cx, y - cy
        xs.append(dx * cos + dy * sin + display_w / 2)
        ys.append(-dx * sin + dy * cos + display_h / 2)
    return (min(xs), min(ys), max(xs), max(ys))


def _in_top_left(rect: Box, width: float, height: float) -> bool:
    """Inside the top-left quadrant, touching the corner's tenth of the page (y up)."""
    in_quadrant = rect[0] >= 0 and rect[2] <= width / 2 and height / 2 <= rect[1] < rect[3]
    return in_quadrant and rect[3] <= height and rect[0] <= 0.1 * width and rect[3] >= 0.9 * height


@pytest.mark.parametrize("case", GEOMETRIES)
def test_stamp_rect_is_top_left_of_displayed_page(case: str, dev_signer: signing.Signer) -> None:
    geometry = GEOMETRIES[case]
    signed = dev_signer.sign(_bent_pdf(geometry))
    [rect] = _stamp_rects(signed.data)
    vis = geometry.visible
    assert vis[0] <= rect[0] and rect[2] <= vis[2] and vis[1] <= rect[1] and rect[3] <= vis[3], (
        f"stamp {rect} outside the visible box {vis}"
    )
    display = _displayed(rect, vis, geometry.rotate)
    assert _in_top_left(display, *_display_size(vis, geometry.rotate)), (
        f"stamp {display} as displayed"
    )
    assert display[2] - display[0] > display[3] - display[1], "stamp is not wider than tall"


def test_second_stamp_goes_below_the_first_on_a_rotated_page(
    dev_signer: signing.Signer,
) -> None:
    geometry = GEOMETRIES["rotate-90"]
    once = dev_signer.sign(_bent_pdf(geometry)).data
    first, second = _stamp_rects(dev_signer.sign(once).data)
    shown_first = _displayed(first, geometry.visible, 90)
    shown_second = _displayed(second, geometry.visible, 90)
    assert shown_second[3] <= shown_first[1], "the new stamp must sit below the earlier one"
    assert shown_second[0] == pytest.approx(shown_first[0])


def _render(data: bytes, directory: Path, name: str) -> Image.Image:
    # -cropbox: show what a reader shows (the CropBox, turned by /Rotate), not the media.
    # At 72 dpi one pixel is one point.
    prefix = directory / name
    subprocess.run(
        ["pdftoppm", "-cropbox", "-r", "72", "-gray", "-png", "-singlefile", "-", str(prefix)],
        input=data,
        check=True,
        timeout=60,
    )
    return Image.open(prefix.with_suffix(".png")).convert("L")


def _ink_extent(image: Image.Image) -> Box | None:
    """Bounding box (left, top, right, bottom) of the dark pixels of ``image``."""
    bbox = image.point(lambda v: 255 if v < 128 else 0).getbbox()
    return None if bbox is None else tuple(float(v) for v in bbox)  # type: ignore[return-value]


@pytest.mark.parametrize("case", GEOMETRIES)
def test_rendered_stamp_is_top_left_and_upright(
    case: str, tmp_path: Path, dev_signer: signing.Signer
) -> None:
    bent = _bent_pdf(GEOMETRIES[case])
    before = _render(bent, tmp_path, "before")
    after = _render(dev_signer.sign(bent).data, tmp_path, "after")
    stamp_ink = ImageChops.difference(before, after).point(lambda v: 255 if v > 64 else 0)
    bbox = stamp_ink.getbbox()
    assert bbox is not None, "no stamp drawn in the visible area"
    left, top, right, bottom = bbox
    width, height = after.size
    # Image rows grow downwards: flip to the y-up convention of _in_top_left.
    assert _in_top_left((left, height - bottom, right, height - top), width, height), (
        f"stamp ink at {bbox} of {after.size}"
    )
    assert right - left > 3 * (bottom - top), "the stamp frame stands on its side"
    # Inside the frame: line 1 ("Ký bởi: <agency>") is shorter than line 2 (the time),
    # and both start at the left margin. Upside down, the short line would end up at the
    # bottom, pushed to the right.
    inner = after.crop((left + 3, top + 3, right - 3, bottom - 3))
    mid = inner.height // 2
    upper, lower = (
        _ink_extent(inner.crop((0, 0, inner.width, mid))),
        _ink_extent(inner.crop((0, mid, inner.width, inner.height))),
    )
    assert upper is not None and lower is not None, "stamp has no two lines of text"
    assert upper[2] < lower[2] - 20, "first line is not the shorter one: text not upright"
    assert abs(upper[0] - lower[0]) < 10, "lines do not share a left margin: text not upright"
