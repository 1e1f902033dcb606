"""Where the visible stamp goes: blank space at the top left of page 1, found on the page.

Circular 01/2023/TT-VPCP puts the digitizer's signature at the top left of page 1, which
on Vietnamese results is exactly where the issuing authority's name is printed. The
stamp must never cover the paper it certifies, so the space is read from the page
itself: the ink of page 1 as a reader displays it and, when OCR ran, its word boxes.

Two steps, so that the costly one runs with the OCR (in a worker process) and the
signer only does arithmetic:

- :func:`page_marks` renders page 1 (poppler, what a reader shows: CropBox, /Rotate,
  annotations) and returns :class:`PageMarks`, the occupied boxes of the page's top
  part in display points, grown by a clearance. A plain, picklable value.
- :func:`place` chooses, for the stamp sizes the signer offers (largest first), the
  first that fits in free space: in the top-left region, else anywhere in the top
  band, else in a blank strip added above the page (the scan itself is untouched).

Display coordinates: points, origin at the displayed bottom left, y up (as
``frame.PageFrame``).
"""

from __future__ import annotations

import io
import math
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pikepdf
from PIL import Image

from .errors import SigningError
from .frame import PageFrame, normalized_rotation, visible_box

Rect = tuple[float, float, float, float]

# The stamp stays this far from the edges of the page: printers do not reach the edge,
# and scans often have a dark border there.
EDGE_MARGIN = 9.0
# Gap kept between the stamp and any ink or word, in points (also absorbs the
# difference between our rendering and a reader's anti-aliasing).
CLEARANCE = 3.0
# Where the stamp may go, as fractions of the displayed page: the top-left region
# (Circular 01/2023), and the top band across the whole width as the fallback.
TOP_LEFT_WIDTH = 0.55
TOP_DEPTH = 0.25
# Grid of the search, in points: a cell is occupied if anything in it is.
CELL = 2.0
# Rendering for the ink: two pixels per point, so thin strokes stay dark enough.
RENDER_DPI = 144
# A pixel is ink when it is this much darker than the paper (0-255 gray). The paper is
# the bright level of the rendered top of the page (95th percentile), so tinted or
# yellowed paper is not ink; never below PAPER_FLOOR, so that a top that is dark all
# over (a scanner lid, a table under a photographed page) is all ink, not all paper.
INK_CONTRAST = 40
PAPER_FLOOR = 200

Where = Literal["top-left", "top-band", "margin-strip"]


@dataclass(frozen=True)
class PageMarks:
    """What page 1 carries near its top, as a reader displays it.

    ``boxes`` are occupied areas (ink, OCR words, earlier stamps) grown by
    ``CLEARANCE``, in display points; only the top ``TOP_DEPTH`` of the page is
    described, which is all :func:`place` looks at.
    """

    width: float
    height: float
    boxes: tuple[Rect, ...] = ()


@dataclass(frozen=True)
class Placement:
    """Where the stamp goes: ``rect`` in display points of the page as it will be
    (``widen`` points taller when a blank strip is added at the displayed top), and
    which of the offered sizes (index into them) fits."""

    rect: Rect
    size_index: int
    where: Where
    widen: float = 0.0


def _grow(rect: Rect, by: float) -> Rect:
    return (rect[0] - by, rect[1] - by, rect[2] + by, rect[3] + by)


def ink_mask(gray: np.ndarray) -> np.ndarray:
    """Pixels noticeably darker than the paper."""
    paper = max(float(np.percentile(gray, 95)), PAPER_FLOOR)
    return np.asarray(gray < paper - INK_CONTRAST)


def _cells(mask: np.ndarray, px_per_cell: float) -> np.ndarray:
    """``mask`` (image rows top down) max-pooled into cells: a cell is set if any of
    its pixels is."""
    rows = math.ceil(mask.shape[0] / px_per_cell)
    cols = math.ceil(mask.shape[1] / px_per_cell)
    out = np.zeros((rows, cols), dtype=bool)
    ys, xs = np.nonzero(mask)
    out[(ys / px_per_cell).astype(int), (xs / px_per_cell).astype(int)] = True
    return out


def _dilate(grid: np.ndarray, cells: int) -> np.ndarray:
    """``grid`` grown by ``cells`` in every direction, diagonals included (a square)."""
    out = grid.copy()
    for _ in range(cells):
        rows = out.copy()
        rows[1:, :] |= out[:-1, :]
        rows[:-1, :] |= out[1:, :]
        out = rows.copy()
        out[:, 1:] |= rows[:, :-1]
        out[:, :-1] |= rows[:, 1:]
    return out


def _boxes_from_grid(grid: np.ndarray, cell: float, height: float) -> list[Rect]:
    """Occupied cells (row 0 at the displayed top) as rectangles, y up: runs of each
    row, merged with the identical run of the rows below."""
    open_runs: dict[tuple[int, int], int] = {}  # (start, end) column run -> first row
    boxes: list[Rect] = []

    def close(run: tuple[int, int], first: int, last: int) -> None:
        boxes.append((run[0] * cell, height - (last + 1) * cell,
                      run[1] * cell, height - first * cell))

    for r in range(grid.shape[0]):
        row = np.concatenate(([False], grid[r], [False]))
        edges = np.flatnonzero(row[1:] != row[:-1])
        runs = set(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))
        for run in list(open_runs):
            if run not in runs:
                close(run, open_runs.pop(run), r - 1)
        for run in runs:
            open_runs.setdefault(run, r)
    for run, first in open_runs.items():
        close(run, first, grid.shape[0] - 1)
    return boxes


def stamp_depth(height: float) -> float:
    """How far down from the top the marks must describe, in points."""
    return height * TOP_DEPTH + CLEARANCE + CELL


def marks_from_gray(gray: np.ndarray, width: float, height: float,
                    words: Sequence[Rect] = ()) -> PageMarks:
    """:class:`PageMarks` of a rendering ``gray`` (rows top down) of a page shown
    ``width`` x ``height`` points, or of its top part, plus ``words`` (display points)."""
    px_per_pt = gray.shape[1] / width
    depth_px = math.ceil(stamp_depth(height) * px_per_pt)
    grid = _cells(ink_mask(gray[:depth_px]), CELL * px_per_pt)
    grid = _dilate(grid, math.ceil(CLEARANCE / CELL))
    boxes = _boxes_from_grid(grid, CELL, height)
    floor = height * (1 - TOP_DEPTH) - CLEARANCE - CELL
    boxes += [_grow(w, CLEARANCE) for w in words if w[3] >= floor]
    return PageMarks(width=width, height=height, boxes=tuple(boxes))


def display_size(pdf: bytes) -> tuple[float, float]:
    """Page 1's size as a reader shows it (CropBox within MediaBox, turned by /Rotate)."""
    try:
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            page = doc.pages[0]
            frame = PageFrame(visible_box([float(v) for v in page.mediabox],
                                          [float(v) for v in page.cropbox]),
                              normalized_rotation(page.obj.get("/Rotate", 0)))
    except (pikepdf.PdfError, IndexError) as exc:
        raise SigningError(f"cannot read page 1 to place the stamp: {exc}") from exc
    return frame.display_size


def render_first_page(pdf: bytes, dpi: int = RENDER_DPI,
                      depth: float | None = None) -> np.ndarray:
    """Page 1 as a reader shows it (CropBox, /Rotate, annotations), 8-bit gray; only
    its top ``depth`` points when given (rendering the rest would be wasted)."""
    crop = [] if depth is None else ["-x", "0", "-y", "0", "-W", "100000",
                                     "-H", str(math.ceil(depth * dpi / 72))]
    with tempfile.TemporaryDirectory(prefix="sohoa-stamp-") as tmp:
        prefix = Path(tmp) / "page"
        done = subprocess.run(
            ["pdftoppm", "-cropbox", "-r", str(dpi), "-f", "1", "-l", "1", "-gray", *crop,
             "-singlefile", "-", str(prefix)],
            input=pdf, capture_output=True, timeout=120, check=False,
        )
        out = prefix.with_suffix(".pgm")
        if done.returncode != 0 or not out.is_file():
            raise SigningError(f"cannot render page 1 to place the stamp: "
                               f"{done.stderr.decode(errors='replace').strip()}")
        with Image.open(out) as image:
            return np.asarray(image.convert("L"))


def page_marks(pdf: bytes, words: Sequence[tuple[int, int, int, int]] = (),
               image_size: tuple[int, int] | None = None) -> PageMarks:
    """The marks of page 1 of ``pdf``, with its OCR ``words`` when there are any: boxes
    (left, top, right, bottom) in pixels of an upright image of the displayed page
    that is ``image_size`` (width, height) pixels, as OCR engines report them."""
    width, height = display_size(pdf)
    gray = render_first_page(pdf, depth=stamp_depth(height))
    return marks_from_gray(gray, width, height, word_boxes(words, image_size, width, height))


def word_boxes(words: Sequence[tuple[int, int, int, int]], image_size: tuple[int, int] | None,
               width: float, height: float) -> list[Rect]:
    """OCR word boxes (left, top, right, bottom in pixels of an upright ``image_size``
    image of the displayed page) in display points of a ``width`` x ``height`` page."""
    if not words or not image_size or not all(image_size):
        return []
    sx, sy = width / image_size[0], height / image_size[1]
    return [(x0 * sx, height - y1 * sy, x1 * sx, height - y0 * sy) for x0, y0, x1, y1 in words]


def _grid(marks: PageMarks, avoid: Sequence[Rect]) -> np.ndarray:
    """Occupancy of the page's top ``TOP_DEPTH`` in cells, row 0 at the displayed top;
    the edge margin counts as occupied."""
    rows = math.ceil(marks.height * TOP_DEPTH / CELL)
    cols = math.floor(marks.width / CELL)
    grid = np.zeros((rows, cols), dtype=bool)
    for x0, y0, x1, y1 in [*marks.boxes, *(_grow(a, CLEARANCE) for a in avoid)]:
        r0 = max(0, math.floor((marks.height - y1) / CELL))
        r1 = min(rows, math.ceil((marks.height - y0) / CELL))
        c0, c1 = max(0, math.floor(x0 / CELL)), min(cols, math.ceil(x1 / CELL))
        if r0 < r1 and c0 < c1:
            grid[r0:r1, c0:c1] = True
    edge = math.ceil(EDGE_MARGIN / CELL)
    grid[:edge, :] = True
    grid[:, :edge] = True
    grid[:, cols - edge:] = True
    return grid


def _best_spot(grid: np.ndarray, rows: int, cols: int, max_col: int) -> tuple[int, int] | None:
    """Top-left cell of a free ``rows`` x ``cols`` block whose right edge stays within
    ``max_col``, nearest the top-left corner; None when there is none."""
    if rows > grid.shape[0] or cols > min(max_col, grid.shape[1]):
        return None
    sums = np.zeros((grid.shape[0] + 1, grid.shape[1] + 1), dtype=np.int32)
    sums[1:, 1:] = grid.astype(np.int32).cumsum(0).cumsum(1)
    used = (sums[rows:, cols:] - sums[:-rows, cols:] - sums[rows:, :-cols]
            + sums[:-rows, :-cols])
    free = used[:, : max_col - cols + 1] == 0
    if not free.any():
        return None
    r, c = np.nonzero(free)
    best = int(np.argmin(r + c))
    return int(r[best]), int(c[best])


def place(marks: PageMarks, sizes: Sequence[tuple[float, float]],
          avoid: Sequence[Rect] = ()) -> Placement:
    """The stamp's place on the page ``marks`` describes, for stamp ``sizes`` (width,
    height in points, largest first); ``avoid`` are earlier stamps (display points).

    The largest size that fits in free space of the top-left region wins; else the
    largest that fits anywhere in the top band; else the largest size goes in a
    blank strip added above the page.
    """
    if not sizes:
        raise ValueError("no stamp size offered")
    grid = _grid(marks, avoid)
    regions: tuple[tuple[Where, int], ...] = (
        ("top-left", math.floor(marks.width * TOP_LEFT_WIDTH / CELL)),
        ("top-band", grid.shape[1]),
    )
    for where, max_col in regions:
        for index, (width, height) in enumerate(sizes):
            spot = _best_spot(grid, math.ceil(height / CELL), math.ceil(width / CELL), max_col)
            if spot is not None:
                top = marks.height - spot[0] * CELL
                left = spot[1] * CELL
                return Placement((left, top - height, left + width, top), index, where)
    room = marks.width - 2 * EDGE_MARGIN
    index = next((i for i, (w, _) in enumerate(sizes) if w <= room), len(sizes) - 1)
    width, height = sizes[index]
    widen = float(math.ceil(height + 2 * EDGE_MARGIN))
    top = marks.height + widen - EDGE_MARGIN
    return Placement((EDGE_MARGIN, top - height, EDGE_MARGIN + width, top), index,
                     "margin-strip", widen)
