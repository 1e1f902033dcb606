"""Measuring a signed page: does the stamp cover any ink or word of the page it signs?

Independent of ``signing.placement``: poppler renders the page before and after
signing as a reader shows it (``-cropbox``: CropBox and /Rotate applied), ink is
judged on the unsigned render with its own, simpler rule, and the stamp's place is
read back from the signed file (the widget /Rect, turned into displayed coordinates).
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from signing.frame import PageFrame, normalized_rotation, visible_box

# A multiple of 72: the strip added above a page is whole points, so the page keeps
# its pixel phase in both renders and only the stamp differs.
DPI = 144
SCALE = DPI / 72
# Ink for this check: clearly darker than the paper (production uses a wider margin).
INK_CONTRAST = 64
Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class StampCheck:
    rect: Rect  # the stamp in displayed points of the signed page (y up)
    ink_pixels_under: int  # ink pixels of the unsigned page inside the stamp
    words_under: int  # word boxes the stamp intersects
    drawn_outside: int  # pixels the signature changed outside its own rect
    drawn_inside: int  # dark pixels inside the rect on the signed page (the stamp itself)
    widened: float  # points added above the page


def render(data: bytes) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        prefix = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-cropbox", "-r", str(DPI), "-f", "1", "-l", "1", "-gray",
                        "-singlefile", "-", str(prefix)], input=data, check=True, timeout=120)
        with Image.open(prefix.with_suffix(".pgm")) as image:
            return np.asarray(image.convert("L")).astype(np.int16)


def display_frame(data: bytes) -> tuple[PageFrame, list[Rect]]:
    """Page 1's frame and its signature widgets' rects (user space)."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        frame = PageFrame(visible_box([float(v) for v in page.mediabox],
                                      [float(v) for v in page.cropbox]),
                          normalized_rotation(page.obj.get("/Rotate", 0)))
        rects = []
        for annot in page.obj.get("/Annots", []):
            if annot.get("/FT") == "/Sig" or (
                    "/Parent" in annot and annot.Parent.get("/FT") == "/Sig"):
                a, b, c, d = (float(v) for v in annot.Rect)
                rects.append((min(a, c), min(b, d), max(a, c), max(b, d)))
    return frame, rects


def words_in_points(words: Sequence[tuple[int, int, int, int]], image_size: tuple[int, int],
                    page_size: tuple[float, float]) -> list[Rect]:
    """OCR boxes (pixels, top-down, of an upright image of the page) in display points."""
    sx, sy = page_size[0] / image_size[0], page_size[1] / image_size[1]
    return [(x0 * sx, page_size[1] - y1 * sy, x1 * sx, page_size[1] - y0 * sy)
            for x0, y0, x1, y1 in words]


def check(unsigned: bytes, signed: bytes, words: Sequence[Rect] = ()) -> StampCheck:
    """Measure the newest stamp of ``signed`` against the page ``unsigned``."""
    before_frame, _ = display_frame(unsigned)
    frame, rects = display_frame(signed)
    assert rects, "no signature widget on page 1"
    rect = frame.to_display(rects[-1])
    height = before_frame.display_size[1]
    widened = frame.display_size[1] - height
    before, signed_page = render(unsigned), render(signed)
    full_h = frame.display_size[1]
    stamp_area = signed_page[int((full_h - rect[3]) * SCALE) + 1: int((full_h - rect[1]) * SCALE),
                             int(rect[0] * SCALE) + 1: int(rect[2] * SCALE)]
    paper = np.percentile(before, 95)
    ink = before < paper - INK_CONTRAST
    x0, x1 = int(np.floor(rect[0] * SCALE)), int(np.ceil(rect[2] * SCALE))
    top = int(np.floor((height - rect[3]) * SCALE))
    bottom = int(np.ceil((height - rect[1]) * SCALE))
    inside = ink[max(top, 0): max(bottom, 0), max(x0, 0): max(x1, 0)]
    words_under = sum(1 for w in words if w[0] < rect[2] and rect[0] < w[2]
                      and w[1] < rect[3] and rect[1] < w[3])
    # Displayed y up from the bottom: the page keeps its place, a strip grows on top.
    # Pixel rounding of the two renders may differ by a row: take the best alignment.
    offset = round(widened * SCALE)
    drawn_outside = min(
        _changed_outside(before, signed_page, shift, (x0, top, x1, bottom))
        for shift in (offset - 1, offset, offset + 1)
        if shift >= 0 and shift + before.shape[0] <= signed_page.shape[0])
    return StampCheck(rect=rect, ink_pixels_under=int(inside.sum()), words_under=words_under,
                      drawn_outside=drawn_outside,
                      drawn_inside=int((stamp_area < 128).sum()), widened=round(widened, 1))


def _changed_outside(before: np.ndarray, after: np.ndarray, shift: int,
                     rect_px: tuple[int, int, int, int], margin: int = 2) -> int:
    """Pixels of the page that differ between the renders, outside the stamp's rect,
    with ``after`` taken ``shift`` rows down (the strip added on top)."""
    width = min(before.shape[1], after.shape[1])
    aligned = after[shift: shift + before.shape[0], :width]
    changed = np.abs(aligned - before[:, :width]) > 64
    x0, top, x1, bottom = rect_px
    changed[max(top - margin, 0): max(bottom + margin, 0), max(x0 - margin, 0): x1 + margin] = False
    return int(changed.sum())
