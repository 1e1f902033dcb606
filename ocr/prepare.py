"""Page preparation: ink dropout, blank detection, orientation and skew, on plain images.

Everything here works on a downscaled bilevel copy with numpy, so the decisions cost
tens of milliseconds per page; only the final rotation touches the full-size image.

Orientation is decided in two steps. Which axis the text lines run along comes from
projection profiles (text lines make the profile across them sharply periodic), found
together with the skew angle. Upright versus upside down then comes from the shape of
the lines: Latin script, and Vietnamese even more with its marks above vowels, carries
more ink above the x-height band than below the baseline. When that signal is weak
the caller settles it by OCR confidence on a crop (see ``ocr.pipeline``).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageFilter

# The analysis copy is reduced to about this resolution: enough to resolve the
# x-height of 9–10 pt type, small enough that profiles cost nothing.
ANALYSIS_DPI = 100
MAX_SKEW = 5.0
# Below this, rotating the full image would only blur it.
MIN_SKEW = 0.15
BLANK_INK_FRACTION = 0.0006
# |asymmetry| below this leaves upright/upside-down undecided.
UPDOWN_MARGIN = 0.12
CONFIDENT_AXIS_RATIO = 1.5


@dataclass(frozen=True)
class Analysis:
    blank: bool
    quarter_turn: bool  # lines run vertically: the page lies on its side
    deskew: float  # degrees counter-clockwise that straighten the lines
    upside_down: bool | None  # None: the line-shape signal is too weak to decide
    asymmetry: float
    axis_ratio: float = 1.0  # profile sharpness along the chosen axis / the other axis


def as_gray(image: Image.Image) -> Image.Image:
    """``image`` in gray: itself when it is gray already (Pillow's same-mode ``convert``
    copies the whole page, a few milliseconds each time, for pixels only read)."""
    return image if image.mode == "L" else image.convert("L")


def dropout_gray(image: Image.Image) -> Image.Image:
    """Gray OCR input with coloured ink (red seals, red/blue signatures) turned to paper.

    Black print under a seal stays dark because every channel is low there; only
    pixels that are both bright in one channel and strongly saturated towards red or
    blue are dropped. Dark navy or dark red print is kept (its brightest channel stays
    low). The paper's own tint (yellowed paper, a phone photo's warm light) is first
    balanced out, measured from the page, so that it is never taken for coloured ink.

    Gray and bilevel scans are returned as gray, untouched: they have lost the colour
    that tells a seal from print, and a fixed lightness cut (everything lighter than
    some level turned to paper) erases thin, blurred or light print along with the
    seal. Seals on those are found by their shape instead (``drop_gray_seal``,
    ``drop_black_seal``).
    """
    if image.mode in ("1", "L"):
        return as_gray(image)
    # Mode RGB already (``ocr.pipeline`` normalises): a same-mode convert copied 35 MB.
    rgb = white_balance(image if image.mode == "RGB" else image.convert("RGB"))
    r, g, b = rgb.split()
    # Pillow's saturating channel arithmetic keeps this in C: a few ms per band.
    # Both tests as 0/255 masks, joined by the darker (the AND of such masks: what
    # multiplying them gives, at a third of the cost).
    red = ImageChops.darker(
        ImageChops.subtract(r, ImageChops.lighter(g, b)).point(_above(60)),
        r.point(_above(120)),
    )
    blue = ImageChops.darker(
        ImageChops.subtract(b, ImageChops.lighter(r, g)).point(_above(50)),
        b.point(_above(110)),
    )
    gray = rgb.convert("L")
    gray.paste(255, mask=ImageChops.lighter(red, blue))
    return gray


def _above(level: int) -> list[int]:
    """A point() lookup table: 255 above ``level``, else 0."""
    return [255 if v > level else 0 for v in range(256)]


# A paper tint weaker than this (levels between the brightest and dimmest channel of
# the paper) is left alone: balancing it would only cost time.
TINT_LEVELS = 12


def white_balance(rgb: Image.Image) -> Image.Image:
    """``rgb`` with its paper made neutral: each channel scaled so that the paper's
    level (a high percentile of a small copy, where paper dominates) becomes white."""
    small = np.asarray(rgb.reduce(max(1, min(rgb.size) // 400)))
    paper = np.percentile(small.reshape(-1, 3), 90, axis=0)
    if paper.max() - paper.min() < TINT_LEVELS or paper.min() < 64:
        # Neutral already, or no paper to speak of (a dark photo): nothing to balance.
        return rgb
    tables: list[int] = []
    for level in paper:
        scale = 255.0 / max(float(level), 1.0)
        tables += [min(255, round(v * scale)) for v in range(256)]
    return rgb.point(tables)


def has_coloured_ink(image: Image.Image) -> bool:
    return image.mode not in ("1", "L")


def _median_of_three(a: np.ndarray, b: np.ndarray, c: np.ndarray,
                     out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise median of three arrays; ``out``: ``a`` or a scratch array of its
    shape and type, overwritten (one temporary fewer)."""
    low = np.minimum(a, b)
    high = np.maximum(a, b, out=out)
    return np.maximum(low, np.minimum(high, c, out=high), out=low)


def median3(image: Image.Image) -> Image.Image:
    """The 3×3 median filter, pixel for pixel what PIL's ``MedianFilter(3)`` gives
    (edges repeated), a fifth of its time on a full page: each column of three is
    sorted once, then the median of nine is the median of the rows' lowest maximum,
    middle median and highest minimum."""
    if image.mode != "L":
        return image.filter(ImageFilter.MedianFilter(3))
    padded = np.pad(np.asarray(image), 1, mode="edge")
    up, middle, down = padded[:-2], padded[1:-1], padded[2:]
    # The same minima and maxima as written plainly, each into an array no longer
    # needed (``out=``): half the page-sized temporaries, ~40 % less time.
    low2, high2 = np.minimum(up, middle), np.maximum(up, middle)
    low, high = np.minimum(low2, down), np.maximum(high2, down)
    mid = np.maximum(low2, np.minimum(high2, down, out=high2), out=low2)
    lows = np.maximum(low[:, :-2], low[:, 1:-1])
    np.maximum(lows, low[:, 2:], out=lows)
    highs = np.minimum(high[:, :-2], high[:, 1:-1])
    np.minimum(highs, high[:, 2:], out=highs)
    mids = _median_of_three(mid[:, :-2], mid[:, 1:-1], mid[:, 2:])
    return Image.fromarray(_median_of_three(lows, mids, highs, out=lows), mode="L")


# A fax whose print came out as scattered specks (a halftoned, low-ink original sent at
# 150 ppi): each letter is a cluster of dots a pixel or two across, and neither tesseract
# nor the 3×3 median (which takes the dots for noise and clears whole words) reads it.
# Such a page is told by the share of its ink that lies in specks: blobs that fit in a
# square of SPECK_SIDE_150 pixels at 150 dpi with no ink on the ring around them. Judged
# on bilevel pages only (a gray scan keeps its print's density in its levels), on the
# central ninth of the page (where the text is; a tenth of the cost). Measured on 76
# bilevel pages (the held-out set's 17, fresh draw 9719's 13, generated faxes 101–142 and
# bilevel scans 201–210 of ``evalset.make_page``): clean bilevel scans and faxes whose
# print held 0.005–0.031 of their ink in specks (a period, the dot of an i, a cut
# serif), two faxes with thin, patchy print 0.042, faxes with print broken to specks
# 0.062–0.44 (dev e0093: 0.091).
SPECK_SIDE_150 = 3
SPECK_INK_SHARE = 0.05
SPECK_PIXELS = 1_000_000  # a 300-dpi A4 page's central ninth
# A printed dotted line ("Họ và tên: ........", a form's blanks) is a row of specks to
# the measure: forms faxed at 150 dpi whose print held measured over the threshold
# (handwriting dev h0050 0.071, marriage dev m0018 0.057; m0058 0.048). Its
# ink is left out of the measure, specks and whole dots alike (``_on_dotted_lines``): a
# run of DOTTED_RUN_150 pixels at 150 dpi (6 mm, five or six dots of a 12-point period)
# with ink in every DOTTED_GAP_150 columns, paper in every twice as many, and
# DOTTED_CLEAR_150 rows of paper above and below. Without it: h0050 0.037, m0018 0.035,
# m0058 0.027; the speck faxes unchanged or nearly (54 generated faxes: none crossed the
# threshold either way; the lowest speck fax 0.062 as before).
DOTTED_RUN_150 = 36
DOTTED_GAP_150 = 9
DOTTED_CLEAR_150 = 2


def _run_any(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Whether any of ``length`` consecutive pixels from each one along ``axis`` (down or
    right) is set; the array shrinks by ``length - 1`` along that axis. ORs of the array
    with itself shifted 1, 2, 4 … pixels (a window of 36 pixels in 6 of them): cheaper
    than sums of integers at full resolution."""
    out, span = mask, 1
    while span < length:
        step = min(span, length - span)
        size = out.shape[axis] - step
        out = out[:size] | out[step:] if axis == 0 else out[:, :size] | out[:, step:]
        span += step
    return out.copy() if out is mask else out


def speck_ink_share(gray: Image.Image, dpi: int) -> float:
    """The share of the ink of the page's central ninth that lies in specks: blobs that
    fit in a square of ``SPECK_SIDE_150`` pixels at 150 dpi with no ink on the ring of
    pixels around that square. Shifted ORs of booleans at the page's resolution (a
    copy brought down to 150 dpi joins a 300-dpi scan's thin gaps into specks): a few
    milliseconds."""
    w, h = gray.size
    # The central ninth, no more than a 300-dpi page's (its middle, past that): the
    # cost stays a few milliseconds at 600 dpi.
    shrink = max(1.0, (w * h / 9 / SPECK_PIXELS) ** 0.5)
    cw, ch = round(w / 3 / shrink), round(h / 3 / shrink)
    left, top = (w - cw) // 2, (h - ch) // 2
    ink = np.asarray(gray.crop((left, top, left + cw, top + ch))) < 128
    total = int(ink.sum())
    side = max(2, round(SPECK_SIDE_150 * dpi / 150))
    if total == 0 or min(ink.shape) <= side + 2:
        return 0.0
    # For the square whose top-left pixel is (y + 1, x + 1): ink inside, and ink on each
    # side of its ring (the rows above and below, the columns left and right).
    across = _run_any(ink, side + 2, axis=1)  # rows y and y + side + 1, x .. x + side + 1
    down = _run_any(ink, side, axis=0)  # columns x and x + side + 1, y + 1 .. y + side
    rows, cols = ink.shape[0] - side - 1, ink.shape[1] - side - 1
    inside = _run_any(down, side, axis=1)[1:1 + rows, 1:1 + cols]
    ring = (across[:rows, :cols] | across[side + 1:side + 1 + rows, :cols]
            | down[1:1 + rows, :cols] | down[1:1 + rows, side + 1:side + 1 + cols])
    alone = inside & ~ring
    # A pixel is in a speck when a square found alone covers it: the squares' corners
    # spread over the ``side`` pixels down and right of them.
    corners = np.zeros((ink.shape[0] + side - 1, ink.shape[1] + side - 1), dtype=bool)
    corners[side:side + rows, side:side + cols] = alone
    covered = _run_any(_run_any(corners, side, axis=0), side, axis=1)
    specks = covered & ink
    dotted = _on_dotted_lines(ink, dpi, side)
    kept = int((ink & ~dotted).sum())
    return float((specks & ~dotted).sum()) / kept if kept else 0.0


def _on_dotted_lines(ink: np.ndarray, dpi: int, side: int) -> np.ndarray:
    """The ink that lies on a printed dotted line ("Họ và tên: ........"): in a band of
    rows two pixels higher than a speck, over ``DOTTED_RUN_150`` pixels, ink in every
    ``DOTTED_GAP_150`` columns and paper in every twice as many (dots, not a rule), with
    paper on the ``DOTTED_CLEAR_150`` rows right above and right below the band. A fax's
    broken print has the rest of its letters right above or below any such band (its
    strokes are taller than a dot)."""
    scale = dpi / 150
    band = side + 2  # a dot and a pixel of wobble above and below it
    clear = max(1, round(DOTTED_CLEAR_150 * scale))
    run = max(band, round(DOTTED_RUN_150 * scale))
    gap = max(2, round(DOTTED_GAP_150 * scale))
    height, width = ink.shape
    rows = height - band - 2 * clear + 1
    cols = width - run + 1
    if rows <= 0 or cols <= 0 or run < 2 * gap:
        return np.zeros_like(ink)
    # Windows of ``run`` columns by ``band`` rows, indexed by the top-left pixel of the
    # band; each condition holds along the whole run.
    inked = _run_any(ink, band, axis=0)[clear:clear + rows]  # a column of the band has ink
    no_ink = ~_run_any(inked, gap, axis=1)
    solid = ~_run_any(~inked, 2 * gap, axis=1)
    dots = ~(_run_any(no_ink, run - gap + 1, axis=1)[:, :cols]
             | _run_any(solid, run - 2 * gap + 1, axis=1))
    thick = _run_any(ink, clear, axis=0)
    near = thick[:rows] | thick[clear + band:clear + band + rows]
    found = dots & ~_run_any(near, run, axis=1)
    if not found.any():
        return np.zeros_like(ink)
    # Spread each window found over its run and band (from its top-left pixel), on the
    # few rows where one was found.
    tops = np.flatnonzero(found.any(axis=1))
    starts = np.zeros((len(tops), width + run - 1), dtype=bool)
    starts[:, run - 1:run - 1 + cols] = found[tops]
    spans = _run_any(starts, run, axis=1)
    dotted = np.zeros_like(ink)
    for k in range(band):
        dotted[tops + clear + k] |= spans
    return dotted & ink


# Fax resolutions (ITU-T T.4: 204 × 98 standard, 204 × 196 fine). A bilevel page scanned
# finer is no fax: a printed form's dotted lines are rows of specks to the measure above
# (handwriting forms at 300 dpi, the test half's h0027 and h0060: 0.051 and 0.071 of their
# ink, over the threshold; read as density, two handwritten fields of eight were lost and
# misread), while every speck fax measured was sent at 150 dpi.
FAX_DPI_MAX = 204


def print_in_specks(gray: Image.Image, dpi: int) -> bool:
    """Whether the page is a fax whose print is broken into specks (``SPECK_INK_SHARE``),
    at a fax's resolution (``FAX_DPI_MAX``)."""
    return dpi <= FAX_DPI_MAX and speck_ink_share(gray, dpi) >= SPECK_INK_SHARE


# The density that reads as ink: a stroke that kept a third of its dots (density 0.33)
# darkens to 0.51 of full ink, so the letter's broken parts join its whole ones where a
# plain blur would leave them paper-gray; dots alone on the paper stay light. On 18
# speck faxes (bench/README_ocr.md): no gamma 8,952 errors, 0.6 8,319, 0.5 8,872, 0.4 8,570;
# a mean over 0.8 / 1.25 pixel of 150 dpi 9,452 / 9,229 against 8,952 at 1; a 2×
# upscale 11,403; the density thresholded (at 170, 200, Otsu) 2,500–2,700 on 4 pages
# where the gray read 2,399.
DENSITY_GAMMA = 0.6
# The density is first stretched so that its strong strokes read as full ink: divided by
# the DENSITY_FULL_PERCENTILE of the page's inked density (over DENSITY_INKED), whatever
# share of its dots the fax kept. Tesseract's line recogniser reads the gray image, and
# the density of a page that kept a fifth of its dots was a pale gray print it reads
# worse than dark print. First readings of 22 speck faxes (fresh draw 20000–20036 and
# dev e0093): 10,588 errors unstretched; the 97th / 90th / 80th / 70th percentile
# 10,511 / 10,437 / 10,148 / 10,645. Read by ``run_page``: 10,713 → 10,263; on the 16
# speck faxes of fresh draws 20100–20129 and 20500 7,115 → 7,009 (8 better, 8 worse: a
# small gain); test half e0073 489 → 474 (bench/README_ocr.md).
DENSITY_FULL_PERCENTILE = 80
DENSITY_INKED = 0.05


def specks_to_density(gray: Image.Image, dpi: int) -> Image.Image:
    """The page as the density of its ink: a Gaussian mean over 1/150 inch (the size of
    a fax's dot; a letter's stroke is two or three of them), stretched so that the
    page's strong strokes are full ink (``DENSITY_FULL_PERCENTILE``) and darkened by
    ``DENSITY_GAMMA``. Gray for tesseract, which sets its own threshold on it."""
    density = 1.0 - np.asarray(gray.filter(ImageFilter.GaussianBlur(dpi / 150)),
                               dtype=np.float32) / 255.0
    # Every second pixel each way: the percentile of a quarter of the page, ~4× cheaper.
    sample = density[::2, ::2]
    inked = sample[sample > DENSITY_INKED]
    if inked.size:
        full = float(np.percentile(inked, DENSITY_FULL_PERCENTILE))
        density = np.minimum(density / max(full, DENSITY_INKED), 1.0)
    return Image.fromarray(
        np.clip(255.0 * (1.0 - density ** DENSITY_GAMMA) + 0.5, 0, 255).astype(np.uint8),
        mode="L")


# A worn cartridge or drum prints with light lines running across the page (the print's
# rows): every stroke they cross is cut by a one-pixel gap, and tesseract reads the broken
# letters as others ("TỈNH" as "TÍMH", "Tày" as "Tây"). Such a line is a row of the page
# where the one-pixel gaps in the ink are a large share of the ink just above it
# (``BROKEN_ROW_GAPS``), among rows crossing a line of text (``BROKEN_ROW_INK`` pixels of
# ink in the sample, every second pixel: ~2 mm of strokes at 200 dpi). Specks (a
# photocopy's after its loose gray is lifted, a fax's) cut strokes too, but in rows with
# little ink: on the dev half and fresh draws 3847 and 5623, pages without such lines have
# at most 0.42 % of those rows broken (a photo), low-ink pages 1.9–17.9 %.
BROKEN_ROW_GAPS = 0.3
BROKEN_ROW_INK = 40
BROKEN_ROWS = 0.01


def _broken_share(pixels: np.ndarray, split: int) -> float:
    """The share of the inked rows of ``pixels`` crossed by a one-pixel light line that
    cuts the strokes under it (``BROKEN_ROW_GAPS``)."""
    ink = pixels < split
    gaps = ~ink[1:-1] & ink[:-2] & ink[2:]
    above = ink[:-2].sum(axis=1)
    inked = above >= BROKEN_ROW_INK
    broken = inked & (gaps.sum(axis=1) >= BROKEN_ROW_GAPS * above)
    return float(broken.sum()) / max(int(inked.sum()), 1)


def broken_strokes(gray: Image.Image) -> bool:
    """Whether light lines cut the print across the page, along its rows or (a page
    scanned turned) its columns. Measured on the middle third of the page, every second
    pixel along the lines (a gap is one pixel across them): a few milliseconds."""
    pixels = np.asarray(gray)
    h, w = pixels.shape
    split = otsu_threshold(pixels[::4, ::4])
    rows = pixels[h // 3: 2 * h // 3, ::2]
    columns = pixels[::2, w // 3: 2 * w // 3].T
    return max(_broken_share(rows, split), _broken_share(columns, split)) >= BROKEN_ROWS


def close_strokes(image: Image.Image) -> Image.Image:
    """The page with one-pixel light rows inside strokes filled (a vertical closing: the
    darker of each pixel's column of three, then the lighter): a stroke cut by a light
    line is whole again, its edges where they were."""
    pixels = np.pad(np.asarray(image), ((1, 1), (0, 0)), mode="edge")
    darkest = np.minimum(np.minimum(pixels[:-2], pixels[1:-1]), pixels[2:])
    darkest = np.pad(darkest, ((1, 1), (0, 0)), mode="edge")
    return Image.fromarray(np.maximum(np.maximum(darkest[:-2], darkest[1:-1]), darkest[2:]),
                           mode="L")


def analysis_copy(gray: Image.Image, dpi: int) -> np.ndarray:
    """A boolean ink mask at about ANALYSIS_DPI, with isolated specks removed."""
    # Small pages (receipts, crops) keep more resolution: line shapes need a few
    # pixels of x-height to be told apart.
    factor = max(1, min(round(dpi / ANALYSIS_DPI), max(gray.size) // 1000))
    small = gray.reduce(factor) if factor > 1 else gray
    pixels = np.asarray(median3(small), dtype=np.uint8)
    return pixels < otsu_threshold(pixels)


@dataclass(frozen=True)
class Levels:
    """What a page's gray copy measures, on which preparation decides (no fixed levels).

    ``paper`` and ``ink`` are the medians of the two classes an Otsu split of a
    ~100 dpi copy makes; ``unevenness`` is how much the paper's own lightness varies
    across the page (shadows, a phone photo's light falling off, a fold): the spread
    between the 5th and 95th percentile of the local background, in gray levels.
    """

    paper: float
    ink: float
    threshold: int
    unevenness: float

    @property
    def contrast(self) -> float:
        return self.paper - self.ink


# The local background is estimated at about this resolution: a few cells per text
# line, so that the brightest cell around any point is paper between the lines.
BACKGROUND_DPI = 20
BACKGROUND_WINDOW = 5  # cells: 1/4 inch at 20 dpi, more than a line of 14 pt type


def background(gray: Image.Image, dpi: int) -> Image.Image:
    """The paper's local lightness, small (about BACKGROUND_DPI): the brightest cell in
    a window, smoothed. Print is darker than the paper around it, so it drops out."""
    factor = max(1, round(dpi / BACKGROUND_DPI))
    small = gray.reduce(factor) if factor > 1 else gray
    return small.filter(ImageFilter.MaxFilter(BACKGROUND_WINDOW)).filter(
        ImageFilter.GaussianBlur(2))


def measure(gray: Image.Image, dpi: int, page_background: Image.Image | None = None) -> Levels:
    """The page's ``Levels``; ``page_background``: ``background(gray, dpi)`` when the
    caller has it already."""
    factor = max(1, min(round(dpi / ANALYSIS_DPI), max(gray.size) // 1000))
    small = np.asarray(gray.reduce(factor) if factor > 1 else gray, dtype=np.uint8)
    threshold = otsu_threshold(small)
    dark, light = small[small < threshold], small[small >= threshold]
    ink = float(np.median(dark)) if dark.size else 0.0
    paper = float(np.median(light)) if light.size else 255.0
    if page_background is None:
        page_background = background(gray, dpi)
    inner = _inner(np.asarray(page_background, dtype=np.uint8))
    spread = float(np.percentile(inner, 95) - np.percentile(inner, 5)) if inner.size else 0.0
    return Levels(paper=paper, ink=ink, threshold=threshold, unevenness=spread)


# A photographed page (or a scan with the lid open) shows what lies around the paper:
# a table, a dark scanner lid. That area misleads orientation and skew and reads as
# noise; it is painted paper in the OCR copy (the archive keeps the whole image).
PAGE_MIN_SHARE = 0.3  # smaller than this share of the image: not a page found
PAGE_MAX_SHARE = 0.93  # larger: the paper fills the image, nothing to paint
PAGE_EDGE_CELLS = 3  # cells of BACKGROUND_DPI: about 4 mm


def outside_page(gray: Image.Image, dpi: int,
                 page_background: Image.Image | None = None) -> np.ndarray | None:
    """A small mask (BACKGROUND_DPI) of what lies outside the paper, or None.

    The paper is the largest bright patch of the page's local background (print removed
    by the max filter); each row of it is filled from its first to its last cell, so a
    tilted or perspective-warped sheet is covered whole. ``page_background``:
    ``background(gray, dpi)`` when the caller has it already.
    """
    if page_background is None:
        page_background = background(gray, dpi)
    bg = np.asarray(page_background, dtype=np.uint8)
    if bg.size == 0:
        return None
    bright = bg >= otsu_threshold(bg)
    if bright.mean() > PAGE_MAX_SHARE or bright.mean() < PAGE_MIN_SHARE:
        return None
    regions = regions_of(bright)
    if not regions:
        return None
    x0, y0, x1, y1, _count, members = regions[0]
    # A sheet lying on something shows it on three or four sides; a shadow or a fold
    # darkens one side of a sheet that reaches the image's edges elsewhere, and what it
    # darkens is print, not background.
    height, width = bright.shape
    framed = sum((x0 > 0, y0 > 0, x1 < width, y1 < height))
    if framed < 3:
        return None
    page = np.zeros_like(bright)
    for row in range(y0, y1):
        cols = np.nonzero(members[row - y0])[0]
        if cols.size:
            page[row, x0 + cols.min(): x0 + cols.max() + 1] = True
    share = float(page.mean())
    if not PAGE_MIN_SHARE <= share <= PAGE_MAX_SHARE:
        return None
    # The sheet's own edge (its shadow, the cut) is a long straight dark line that
    # orientation would take for the text's axis: painted too, a few millimetres in;
    # official papers keep 15–30 mm margins.
    for _ in range(PAGE_EDGE_CELLS):
        inner = page.copy()
        inner[1:] &= page[:-1]
        inner[:-1] &= page[1:]
        inner[:, 1:] &= page[:, :-1]
        inner[:, :-1] &= page[:, 1:]
        page = inner
    return ~page


def paint_outside(gray: Image.Image, outside: np.ndarray) -> Image.Image:
    """``gray`` with the area outside the paper set to the paper's median lightness."""
    small = Image.fromarray((outside * 255).astype(np.uint8), mode="L")
    mask = small.resize(gray.size, Image.Resampling.NEAREST)
    pixels = np.asarray(gray)
    inside = ~np.asarray(mask, dtype=bool)
    paper = int(np.percentile(pixels[inside], 75)) if inside.any() else 255
    out = gray.copy()
    out.paste(paper, mask=mask)
    return out


def regions_of(cells: np.ndarray) -> list[tuple[int, int, int, int, int, np.ndarray]]:
    """Connected patches (8-neighbours) of a small boolean grid, largest first (ties in
    the order their first cell comes row by row): (x0, y0, x1, y1, cells, the patch's
    own mask within its box).

    Built from the grid's horizontal runs, joined where runs of neighbouring rows touch
    (diagonally too): a page's background patch holds tens of thousands of cells, which
    a cell-by-cell flood fill in Python took a tenth of a second for.
    """
    height, width = cells.shape
    padded = np.zeros((height, width + 2), dtype=np.int8)
    padded[:, 1:-1] = cells
    change = np.diff(padded, axis=1)
    run_y, run_x0 = np.nonzero(change == 1)
    _, run_x1 = np.nonzero(change == -1)  # past the run's last cell, same order
    count = len(run_y)
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    row_starts = np.searchsorted(run_y, np.arange(height + 1)).tolist()
    x0s, x1s = run_x0.tolist(), run_x1.tolist()
    for y in range(1, height):
        i, i_end = row_starts[y - 1], row_starts[y]
        j, j_end = row_starts[y], row_starts[y + 1]
        while i < i_end and j < j_end:
            # Touching, diagonals included: one run starts no later than the other ends.
            if x0s[i] <= x1s[j] and x0s[j] <= x1s[i]:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            if x1s[i] <= x1s[j]:
                i += 1
            else:
                j += 1
    members: dict[int, list[int]] = {}
    for i in range(count):
        members.setdefault(root(i), []).append(i)
    found = []
    for runs in members.values():  # keyed by each patch's first run: row-by-row order
        ys = run_y[runs]
        left, right = run_x0[runs], run_x1[runs]
        x0, y0, x1, y1 = int(left.min()), int(ys.min()), int(right.max()), int(ys.max()) + 1
        own = np.zeros((y1 - y0, x1 - x0), dtype=bool)
        for y, a, b in zip(ys.tolist(), left.tolist(), right.tolist(), strict=True):
            own[y - y0, a - x0:b - x0] = True
        found.append((x0, y0, x1, y1, int((right - left).sum()), own))
    return sorted(found, key=lambda r: -r[4])


# Background spread (gray levels) above which the page is flattened before OCR:
# tesseract binarizes with one global threshold, which on a page that is much darker
# at one edge turns that edge black or its print white.
UNEVEN_LEVELS = 40


def flatten(gray: Image.Image, dpi: int) -> Image.Image:
    """``gray`` divided by its local background: paper becomes white everywhere, and
    print keeps its contrast to the paper around it."""
    bg = background(gray, dpi).resize(gray.size, Image.Resampling.BILINEAR)
    # The same float32 operations as ``clip(pixels * (255 / max(bg, 1)), 0, 255)``, each
    # written into one of two page-sized arrays instead of a new one (five fewer
    # allocations and passes over a 35 MB array at 300 dpi).
    scale = np.array(bg, dtype=np.float32)
    np.maximum(scale, 1.0, out=scale)
    np.divide(np.float32(255.0), scale, out=scale)
    pixels = np.array(gray, dtype=np.float32)
    np.multiply(pixels, scale, out=pixels)
    np.clip(pixels, 0, 255, out=pixels)
    return Image.fromarray(pixels.astype(np.uint8), mode="L")


# Gray below the paper level by more than this is ink or dirt, not paper grain.
PAPER_MARGIN = 30
# Loose gray (see ``drop_loose_gray``) must cover this share of the page to be dropped.
LOOSE_GRAY_SHARE = 0.02
# A rule is thinner than this fraction of an inch across (1 mm): a table's gray rule is
# a few pixels wide even blurred.
RULE_THICKNESS = 25


def drop_loose_gray(gray: Image.Image, dpi: int) -> Image.Image:
    """``gray`` with the gray ink that lies away from every dark stroke painted paper;
    ``gray`` itself when there is little of it.

    A photocopier's dirty drum lays stripes of gray specks down the page; tesseract's
    layout takes them for columns and reads the page in pieces (CER 80 % on such a page
    that a person reads at a glance). The print is darker than the specks: the split
    between paper and anything darker (Otsu on the non-paper pixels), then the split
    within the darker side, gives the darkness of the strokes' cores *on this page*.
    Gray pixels farther than a stroke's blur (about 1/100 inch) from any core are
    specks, not the edges of letters, and become paper — unless they lie on a long
    straight run (a table's gray rule). Only done when such loose gray covers
    ``LOOSE_GRAY_SHARE`` of the page or more.
    """
    # The levels below are read off the page's histogram (Pillow counts an 8-bit page in
    # ~3 ms): the same values as ``np.percentile`` of the pixels and ``otsu_threshold`` of
    # the ink and of its darker side picked out of them, which sorted and copied the page
    # (~55 ms at 300 dpi).
    counts = np.asarray(gray.histogram()[:256], dtype=np.int64)
    paper = int(percentile_of_counts(counts, 90))
    ink = counts.copy()
    ink[max(0, paper - PAPER_MARGIN):] = 0
    if not ink.any():
        return gray
    darker = ink.copy()
    darker[otsu_threshold_of_counts(ink):] = 0
    if not darker.any():
        return gray
    pixels = np.asarray(gray)
    cores = pixels < otsu_threshold_of_counts(darker)
    marked = pixels < paper - PAPER_MARGIN
    # Each test below only removes pixels from the loose gray: as soon as too few are
    # left the page is kept, without the costlier tests (most speckled pages stop here).
    loose = ~cores & marked
    if _share(loose) < LOOSE_GRAY_SHARE:
        return gray
    loose &= ~_grown(cores, max(1, round(dpi / 100)))
    if _share(loose) < LOOSE_GRAY_SHARE:
        return gray
    # A table's gray rules are far from any letter too; broken into dashes they turned
    # a table into scattered blocks for tesseract. They are long straight runs (half
    # an inch and more), which specks never line up into.
    rule = max(2, round(dpi / 2))
    down, across = _in_runs(marked, rule, axis=0), _in_runs(marked, rule, axis=1)
    if down.any() or across.any():
        # A rule is thin: a dirty drum's densest stretch of specks also makes long
        # runs of marked pixels down the page, but it is as wide as a word, and kept
        # as a "rule" it cut the signature block off the text (dev e0079). The width is
        # measured on what is clearly darker than paper (the specks are dark dots): a
        # photographed page's shade, barely darker than its paper, is no rule either,
        # but painting its edges paper made the gray lettering in it break up.
        thick = max(2, round(dpi / RULE_THICKNESS))
        dark = pixels < paper - 2 * PAPER_MARGIN
        down &= ~_in_runs(dark, thick, axis=1) | across
        across &= ~_in_runs(dark, thick, axis=0) | down
    loose &= ~(down | across)
    if _share(loose) < LOOSE_GRAY_SHARE:
        return gray
    return Image.fromarray(np.where(loose, paper, pixels).astype(np.uint8), mode="L")


def _share(mask: np.ndarray) -> float:
    """``mask.mean()`` to the last bit (a count over the size, in float64), without
    numpy's mean converting a page of booleans to float64 first (~8 ms at 300 dpi)."""
    return float(np.count_nonzero(mask) / mask.size)


def _grown(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` grown by ``reach`` pixels in every direction (a square window): what a
    max filter of side 2·reach+1 gives, done as shifted ORs along each axis (a tenth of
    the time of PIL's rank filter at full page size)."""
    down = mask.copy()
    for k in range(1, reach + 1):
        down[k:] |= mask[:-k]
        down[:-k] |= mask[k:]
    out = down.copy()
    for k in range(1, reach + 1):
        out[:, k:] |= down[:, :-k]
        out[:, :-k] |= down[:, k:]
    return out


def _in_runs(mask: np.ndarray, length: int, axis: int) -> np.ndarray:
    """Pixels of ``mask`` inside a straight run of at least ``length`` set pixels along
    ``axis`` (0: vertical, 1: horizontal).

    Windows grow by doubling (a window of 2s set pixels is two overlapping windows of
    s): about 2·log2(length) boolean operations over the page instead of cumulative
    sums, a fifth of the time.
    """
    m = np.moveaxis(mask, axis, 0)
    n = m.shape[0]
    if n < length:
        return np.zeros_like(mask)
    # In row order whichever the axis: along rows of a transposed view each step
    # strides the page, twice the time.
    full = np.ascontiguousarray(m)  # full[i]: m[i : i + size] all set
    size = 1
    while size < length:
        step = min(size, length - size)
        valid = n - size - step + 1
        full = full[:valid] & full[step:step + valid]
        size += step
    covered = np.zeros(m.shape, dtype=m.dtype)  # covered[r]: a run starts in (r - size, r]
    covered[:len(full)] = full
    size = 1
    while size < length:
        step = min(size, length - size)
        grown = covered.copy()
        grown[step:] |= covered[:-step]
        covered = grown
        size += step
    return np.moveaxis(covered, 0, axis)


def otsu_threshold(pixels: np.ndarray) -> int:
    return otsu_threshold_of_counts(np.bincount(pixels.ravel(), minlength=256))


def otsu_threshold_of_counts(counts: np.ndarray) -> int:
    """``otsu_threshold`` of the pixels whose 256 gray levels' counts are ``counts``."""
    hist = counts.astype(np.float64)
    total = hist.sum()
    levels = np.arange(256)
    weight = np.cumsum(hist)
    mean = np.cumsum(hist * levels)
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mean[-1] * weight / total - mean) ** 2 / (weight * (total - weight))
    between = np.nan_to_num(between)
    threshold = int(np.argmax(between))
    # A page of paper only (no ink) has no meaningful split: keep clearly dark pixels.
    return min(max(threshold, 40), 200)


def percentile_of_counts(counts: np.ndarray, q: float) -> float:
    """``np.percentile(pixels, q)`` (its default, linear method), bit for bit, of the
    pixels whose gray levels' counts are ``counts`` (at least one pixel): the two order
    statistics around the virtual index ``(n - 1)·q/100`` found in the cumulative counts,
    and numpy's own interpolation between them (``a + (b - a)·g`` below half,
    ``b - (b - a)·(1 - g)`` from half up, in float64 as numpy does)."""
    cumulative = np.cumsum(counts)
    n = int(cumulative[-1])
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:  # numpy takes the largest value there
        return float(np.searchsorted(cumulative, n - 1, side="right"))
    below = math.floor(virtual)
    gamma = virtual - below
    a, b = (int(np.searchsorted(cumulative, k, side="right")) for k in (below, below + 1))
    diff = float(b - a)
    if gamma >= 0.5:
        return b - diff * (1 - gamma)
    return a + diff * gamma


def _inner(mask: np.ndarray) -> np.ndarray:
    """The mask without a 4% border, where scanner edges and punch holes live."""
    h, w = mask.shape
    my, mx = max(1, h // 25), max(1, w // 25)
    return mask[my : h - my, mx : w - mx]


def _profile_score(ys: np.ndarray, xs: np.ndarray, angle: float, size: int) -> float:
    """Sharpness of the row profile after rotating the points by ``angle`` (CCW)."""
    a = np.deg2rad(angle)
    proj = ys * np.cos(a) - xs * np.sin(a)
    hist = np.bincount((proj - proj.min()).astype(np.int64), minlength=size)
    return float(np.sum(np.diff(hist.astype(np.float64)) ** 2))


def _best_angle(ys: np.ndarray, xs: np.ndarray, size: int) -> tuple[float, float]:
    coarse = np.arange(-MAX_SKEW, MAX_SKEW + 1e-9, 0.5)
    scores = [_profile_score(ys, xs, a, size) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    fine_scores = [_profile_score(ys, xs, a, size) for a in fine]
    i = int(np.argmax(fine_scores))
    return float(fine[i]), float(fine_scores[i])


def _sample(ys: np.ndarray, xs: np.ndarray, limit: int = 60_000) -> tuple[np.ndarray, np.ndarray]:
    """At most ``limit`` ink points, drawn at random (a fixed seed keeps runs repeatable).

    A regular stride would not do: over raster-ordered points it keeps every n-th
    column of solid areas and fakes a periodic column profile.
    """
    if ys.size <= limit:
        return ys, xs
    keep = np.random.default_rng(0).choice(ys.size, size=limit, replace=False)
    return ys[keep], xs[keep]


def line_asymmetry(mask: np.ndarray) -> float:
    """(ink above the x-height band − ink below the baseline) / both, over all lines.

    Positive for upright Latin/Vietnamese text, negative when upside down.
    """
    rows = mask.sum(axis=1).astype(np.float64)
    if rows.max() <= 0:
        return 0.0
    in_line = rows > 0.02 * rows.max()
    above = below = 0.0
    y, n = 0, rows.size
    while y < n:
        if not in_line[y]:
            y += 1
            continue
        start = y
        while y < n and in_line[y]:
            y += 1
        band = rows[start:y]
        if band.size < 4:
            continue
        core = np.nonzero(band >= 0.5 * band.max())[0]
        top, bottom = int(core[0]), int(core[-1])
        above += float(band[:top].sum())
        below += float(band[bottom + 1 :].sum())
    total = above + below
    return 0.0 if total == 0 else (above - below) / total


def rotate_mask(mask: np.ndarray, angle: float) -> np.ndarray:
    """The mask rotated ``angle`` degrees counter-clockwise (small copy only)."""
    img = Image.fromarray((mask * 255).astype(np.uint8), mode="L")
    turned = img.rotate(angle, resample=Image.Resampling.NEAREST, expand=True, fillcolor=0)
    return np.asarray(turned) > 127


def analyse(mask: np.ndarray) -> Analysis:
    """Blankness, axis, skew and up/down of a page from its small ink mask."""
    inner = _inner(mask)
    if inner.size == 0 or inner.mean() < BLANK_INK_FRACTION:
        return Analysis(blank=True, quarter_turn=False, deskew=0.0, upside_down=False,
                        asymmetry=0.0, axis_ratio=1.0)
    ys, xs = np.nonzero(inner)
    ys, xs = _sample(ys.astype(np.float64), xs.astype(np.float64))
    h, w = inner.shape
    size = int(np.hypot(h, w)) + 2
    angle_h, score_h = _best_angle(ys, xs, size)
    # The same search in the frame of the page turned 90° CCW (rows = −x, columns = y):
    # lines that run top to bottom become rows there.
    angle_v, score_v = _best_angle(-xs, ys, size)
    quarter_turn = score_v > score_h
    skew = angle_v if quarter_turn else angle_h
    # Straighten and, for a page on its side, lay the lines horizontal (90° CCW);
    # whether that leaves it upside down is decided by the line shape like any page.
    upright_mask = rotate_mask(inner, skew + (90.0 if quarter_turn else 0.0))
    asym = line_asymmetry(upright_mask)
    upside_down: bool | None = None
    if abs(asym) >= UPDOWN_MARGIN:
        upside_down = asym < 0
    ratio = max(score_h, score_v) / max(min(score_h, score_v), 1e-9)
    return Analysis(blank=False, quarter_turn=quarter_turn, deskew=skew,
                    upside_down=upside_down, asymmetry=asym, axis_ratio=ratio)


def clockwise_turn(analysis: Analysis, upside_down: bool) -> int:
    """Degrees clockwise (0/90/180/270) that make the page upright."""
    # Rotating 90° CCW is a 270° clockwise turn.
    base = 270 if analysis.quarter_turn else 0
    return (base + (180 if upside_down else 0)) % 360


_TRANSPOSE = {
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def turn(image: Image.Image, clockwise: int) -> Image.Image:
    """Exact quarter turns (no resampling)."""
    return image if clockwise == 0 else image.transpose(_TRANSPOSE[clockwise])


def straighten(image: Image.Image, deskew: float) -> Image.Image:
    """Rotate by ``deskew`` degrees CCW around the centre, same size, paper-coloured fill.

    Bilevel images are rotated in gray and thresholded back so strokes stay smooth.
    """
    if abs(deskew) < MIN_SKEW:
        return image
    bilevel = image.mode == "1"
    work = image.convert("L") if bilevel else image
    fill: int | tuple[int, ...] = 255 if work.mode == "L" else (255,) * len(work.getbands())
    out = work.rotate(deskew, resample=Image.Resampling.BILINEAR, expand=False, fillcolor=fill)
    if bilevel:
        return out.point(lambda v: 255 if v > 127 else 0).convert("1")
    return out


# ---------------------------------------------------------------- seals on bilevel scans

# Vietnamese office seals (con dấu) are 30–50 mm across: a thick outer ring, the
# agency's name running round inside it, an inner ring and a star.
SEAL_RADIUS_MM = (12.0, 26.0)
SEAL_SEARCH_DPI = 50
# Share of a circle that must be ink (at the search resolution, ink thickened by one
# pixel) for it to be a seal ring; dense text reaches about 0.8, a ring about 1.0.
SEAL_RING_COVERAGE = 0.92
# The agency's name runs between the outer ring and the inner ring at about 0.68 R.
SEAL_INNER_FRACTION = 0.6
# An inner ring lies at about 0.7 R of the outer one; a concentric ring this much wider,
# this complete, is the outer ring.
SEAL_OUTER_RATIO = 1.6
SEAL_OUTER_COVERAGE = 0.75


# A circle's score is the share of its kernel's pixels on ink, k/n with n a few
# hundred pixels at the search resolution: two circles that differ at all differ by
# at least 1/(n1·n2), ~1e-5. The FFTs' rounding moves a score by ~1e-16, and not
# always the same way — numpy's vector loops round differently with where the arrays
# lie in memory — so scores closer than this are the same score.
RING_SCORE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class SealRing:
    cx: int
    cy: int
    radius: int  # of the outer ring's centre line, in pixels of the page
    outer: int  # outer edge of the outer ring


def _fast_length(n: int) -> int:
    """The smallest 2^a·3^b·5^c ≥ n: FFTs of such sizes are several times faster."""
    best = 1 << max(0, (n - 1).bit_length())
    p3 = 1
    while p3 < best:
        p35 = p3
        while p35 < best:
            p2 = p35
            while p2 < n:
                p2 *= 2
            best = min(best, p2)
            p35 *= 5
        p3 *= 3
    return best


def _ring_kernel(radius: int, size: int) -> np.ndarray:
    yy, xx = np.mgrid[-size : size + 1, -size : size + 1]
    ring = (np.abs(np.hypot(yy, xx) - radius) <= 0.75).astype(np.float64)
    return ring / ring.sum()


# Pages of one size share their search grid: A4 at 50 dpi is 720×540 (upright) or
# 540×720 (landscape), 47 MB of ring spectra each.
RING_SPECTRA_KEPT = 2


@functools.lru_cache(maxsize=RING_SPECTRA_KEPT)
def _ring_spectra(shape: tuple[int, int], rmin: int, rmax: int) -> tuple[np.ndarray, ...]:
    """The spectra of the ring kernels ``_coarse_ring`` correlates a page with, one per
    radius from ``rmin`` to ``rmax`` in steps of 2 (the thickened ring is 3 pixels wide,
    so none is missed), each padded to ``shape``.

    They depend on the grid's size only, and were half the search's FFTs (~0.04 s a
    page): kept for the last sizes seen, the same arrays as computed afresh."""
    spectra = []
    for radius in range(rmin, rmax + 1, 2):
        kernel = np.zeros(shape)
        ring = _ring_kernel(radius, rmax + 1)
        kernel[: ring.shape[0], : ring.shape[1]] = ring
        spectrum = np.fft.rfft2(kernel)
        spectrum.flags.writeable = False
        spectra.append(spectrum)
    return tuple(spectra)


def _search_grid(height: int, width: int, dpi: float) -> tuple[tuple[int, int], int, int]:
    """(FFT shape, smallest and largest radius) of the seal search on a ``height`` ×
    ``width`` copy of a page at ``dpi`` (the search's own resolution)."""
    scale = dpi / 25.4
    rmin, rmax = int(SEAL_RADIUS_MM[0] * scale), int(SEAL_RADIUS_MM[1] * scale) + 1
    return (_fast_length(height + 2 * rmax + 3), _fast_length(width + 2 * rmax + 3)), rmin, rmax


# The page most scans are: A4 portrait (210 × 297 mm).
A4_MM = (210.0, 297.0)


def warm_seal_search(page_mm: tuple[float, float] = A4_MM) -> None:
    """Make the ring spectra of a portrait page of ``page_mm`` ahead of the first page:
    in the workers' server (``ingest.preload``) they are made once for every worker it
    forks, instead of once in each worker on its first page (~0.06 s each, on the
    batch's first pages). The same arrays as made on a page: the seal search is one
    size whatever the scan's resolution (A4 at 150, 200 or 300 dpi: 414 × 585)."""
    dpi = 6 * SEAL_SEARCH_DPI  # 300 dpi, reduced by 6 as ``_coarse_ring`` does
    width, height = (math.ceil(round(mm / 25.4 * dpi) / 6) for mm in page_mm)
    _ring_spectra(*_search_grid(height, width, SEAL_SEARCH_DPI))


def _coarse_ring(gray: Image.Image, dpi: int) -> tuple[float, int, int, int, int]:
    """(coverage, cx, cy, radius, factor) of the most complete circle, in page pixels.

    Correlates the thickened ink of a ~50 dpi copy with thin ring kernels (one FFT of
    the page, one product per radius): about 0.1 s a page.
    """
    factor = max(1, round(dpi / SEAL_SEARCH_DPI))
    small = gray.reduce(factor) if factor > 1 else gray
    ink = np.asarray(small.filter(ImageFilter.MinFilter(3))) < 160
    h, w = ink.shape
    shape, rmin, rmax = _search_grid(h, w, dpi / factor)
    spectrum = np.fft.rfft2(ink.astype(np.float64), s=shape)
    best = (0.0, 0, 0, 0)
    for radius, ring_spectrum in zip(range(rmin, rmax + 1, 2), _ring_spectra(shape, rmin, rmax),
                                     strict=True):
        score = np.fft.irfft2(spectrum * ring_spectrum, s=shape)
        score = score[rmax + 1 : rmax + 1 + h, rmax + 1 : rmax + 1 + w]
        top = float(score.max())
        # Ties (several circles all on ink, e.g. 1.0 at two radii) go to the smaller
        # ring and, within a radius, to the first centre in reading order: the
        # refinement in ``find_seal_ring`` looks outwards from the ring found for an
        # outer ring round it, so the smallest complete circle leaves the larger one
        # to be found there, never the reverse.
        if top > best[0] + RING_SCORE_TOLERANCE:
            i = int(np.flatnonzero(score >= top - RING_SCORE_TOLERANCE)[0])
            y, x = divmod(i, w)
            best = (top, x, y, radius)
    coverage, x, y, radius = best
    half = factor // 2
    return coverage, x * factor + half, y * factor + half, radius * factor, factor


_ANGLES = np.linspace(0.0, 2.0 * np.pi, 360, endpoint=False)


def _circle_coverage(ink: np.ndarray, cx: np.ndarray, cy: np.ndarray,
                     radius: np.ndarray) -> np.ndarray:
    """Share of each circle (broadcast arrays of centres and radii) lying on ink."""
    xs = np.rint(cx[..., None] + radius[..., None] * np.cos(_ANGLES)).astype(np.int64)
    ys = np.rint(cy[..., None] + radius[..., None] * np.sin(_ANGLES)).astype(np.int64)
    xs = np.clip(xs, 0, ink.shape[1] - 1)
    ys = np.clip(ys, 0, ink.shape[0] - 1)
    return ink[ys, xs].mean(axis=-1)


def find_seal_ring(gray: Image.Image, dpi: int) -> SealRing | None:
    """The outer ring of a seal printed black (a bilevel scan), or None."""
    coverage, cx, cy, radius, factor = _coarse_ring(gray, dpi)
    if coverage < SEAL_RING_COVERAGE:
        return None
    ink = np.asarray(gray) < 128
    # The coarse centre is good to a search pixel: settle it on the full-size ink.
    shifts = np.arange(-factor, factor + 1, 2)
    grow = np.arange(-2 * factor, 2 * factor + 1)
    dx, dy, dr = np.meshgrid(shifts, shifts, grow, indexing="ij")
    scores = _circle_coverage(ink, cx + dx, cy + dy, radius + dr)
    i = np.unravel_index(int(np.argmax(scores)), scores.shape)
    cx, cy, radius = int(cx + dx[i]), int(cy + dy[i]), int(radius + dr[i])
    # The most complete circle can be the seal's inner ring (the outer one printed
    # thinner or fainter): an outer ring round the same centre, if there is one, is it.
    wider = np.arange(int(radius * 1.15), int(radius * SEAL_OUTER_RATIO) + 1)
    if wider.size:
        found = _circle_coverage(ink, np.full(wider.shape, cx), np.full(wider.shape, cy),
                                 wider)
        if found.max() >= SEAL_OUTER_COVERAGE:
            radius = int(wider[int(np.argmax(found))])
    radii = np.arange(radius - 3 * factor, radius + 3 * factor + 1)
    on_ring = radii[_circle_coverage(ink, np.full(radii.shape, cx),
                                     np.full(radii.shape, cy), radii) > 0.5]
    outer = int(on_ring.max()) if on_ring.size else radius + factor
    return SealRing(cx=cx, cy=cy, radius=radius, outer=outer)


def erase_seal(gray: Image.Image, ring: SealRing, *, paper: int = 255) -> Image.Image:
    """The OCR copy with the seal's outer ring and the lettering round it turned to paper.

    The band from the inner ring outwards is what makes tesseract take the signature
    block for a picture; the dateline, title and signer's name around it then read as
    text again. Print crossing the band loses that slice (the archive keeps it all).
    """
    margin = 4
    outer = ring.outer + margin
    inner = SEAL_INNER_FRACTION * ring.radius
    pixels = np.array(gray)
    h, w = pixels.shape
    y0, y1 = max(0, ring.cy - outer), min(h, ring.cy + outer + 1)
    x0, x1 = max(0, ring.cx - outer), min(w, ring.cx + outer + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    distance = np.hypot(yy - ring.cy, xx - ring.cx)
    window = pixels[y0:y1, x0:x1]
    window[(distance >= inner) & (distance <= outer)] = paper
    return Image.fromarray(pixels, mode="L")


def drop_black_seal(gray: Image.Image, dpi: int) -> Image.Image:
    """``gray`` with a black-printed seal's ring erased, or unchanged when none is found."""
    ring = find_seal_ring(gray, dpi)
    return gray if ring is None else erase_seal(gray, ring)


# A seal printed on a gray scan at least this share of the page's contrast lighter than
# the print is lifted by lightness inside its disc; a darker one only by its ring band.
SEAL_LIGHTER_SHARE = 0.25


def drop_gray_seal(gray: Image.Image, dpi: int, levels: Levels) -> Image.Image:
    """``gray`` with a seal found by its ring (on the page's own Otsu split) made paper.

    A gray scan keeps the red seal's lightness: its ink is lighter than the print. The
    seal's level is measured on its ring, and inside the seal's disc everything lighter
    than halfway between print and seal turns to paper; print under the seal, darker,
    stays. Only inside the disc: elsewhere light print is print.
    """
    # Faint ink counts here: a seal often prints lighter than Otsu's split of the page.
    faint = (levels.threshold + levels.paper) / 2
    split = [0 if v < faint else 255 for v in range(256)]
    ring = find_seal_ring(gray.point(split), dpi)
    if ring is None:
        return gray
    pixels = np.array(gray)
    radii = np.arange(ring.radius - 1, ring.radius + 2)
    on_ring = _circle_samples(pixels, ring.cx, ring.cy, radii)
    seal = float(np.median(on_ring[on_ring < faint])) if (on_ring < faint).any() else levels.ink
    if seal - levels.ink < SEAL_LIGHTER_SHARE * levels.contrast:
        # As dark as the print (a blurred scan makes print as light as the seal):
        # lightness cannot tell them apart, and left alone the ring makes tesseract take
        # the signature block for a picture. Erase the ring band as on bilevel scans.
        return erase_seal(gray, ring, paper=round(levels.paper))
    cut = (seal + levels.ink) / 2
    outer = ring.outer + 4
    h, w = pixels.shape
    y0, y1 = max(0, ring.cy - outer), min(h, ring.cy + outer + 1)
    x0, x1 = max(0, ring.cx - outer), min(w, ring.cx + outer + 1)
    yy, xx = np.mgrid[y0:y1, x0:x1]
    window = pixels[y0:y1, x0:x1]
    # To the paper's own level, not white: a white disc on gray paper has an edge that
    # cuts the print crossing it.
    window[(np.hypot(yy - ring.cy, xx - ring.cx) <= outer) & (window > cut)] = round(
        levels.paper)
    return Image.fromarray(pixels, mode="L")


def _circle_samples(pixels: np.ndarray, cx: int, cy: int, radii: np.ndarray) -> np.ndarray:
    xs = np.rint(cx + radii[:, None] * np.cos(_ANGLES)).astype(np.int64)
    ys = np.rint(cy + radii[:, None] * np.sin(_ANGLES)).astype(np.int64)
    xs = np.clip(xs, 0, pixels.shape[1] - 1)
    ys = np.clip(ys, 0, pixels.shape[0] - 1)
    return pixels[ys, xs].ravel()
