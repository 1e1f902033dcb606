"""A second reading of single lines of a page: where a field's label sits, read again alone.

The page reading (``pipeline.run_page``) reads the whole page once, prepared as a page
(colour dropped, speckle filtered, bands chosen between the prepared and the plain
reading) in tesseract's page layout. A header under speckle or a faint dateline can lose
a paper's number or its date there while the line's label was still read. Extraction
then asks for the line where the label sits (``LineRequest``: its box in the first
reading's geometry) to be read again, differently: the plain gray of the scan (no
page-wide preparation), cut to the line, enlarged to a height tesseract reads well, as
one line (``--psm 7``). Not restricted to the field's characters: tesseract gives a
whitelisted letter with a diacritic confidence 0. What comes back are words in the
page's pixels, as the first reading's are:
extraction reads them with its own parsers and checks and decides what they are worth.

The worker that OCR'd the page does not keep it (it would weigh megabytes between
processes): ``upright_page`` rebuilds it from the file with the page's turn, deskew and
render resolution (``PageGeometry``), so that the boxes of the first reading fall on the
same pixels.
"""

from __future__ import annotations

import enum
import math
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from ocr.base import PageResult, Word
from ocr.engine import parse_tsv, tesseract
from ocr.pipeline import load_image
from ocr.plan import is_pdf
from ocr.prepare import MIN_SKEW, as_gray, otsu_threshold, straighten, turn


@dataclass(frozen=True)
class PageGeometry:
    """How a page's words lie on its scan: what ``upright_page`` needs to rebuild it."""

    number: int  # 1-based page (or TIFF frame, or PDF page)
    dpi: int | None
    rotated: int  # clockwise quarter turns applied, in degrees
    deskew: float
    width: int  # of the upright page the words' boxes are in
    height: int
    read: bool = True  # OCR'd (not a blank page, nor a PDF page that carried its text)

    @classmethod
    def of(cls, page: PageResult) -> PageGeometry:
        return cls(number=page.number, dpi=page.dpi, rotated=page.rotated, deskew=page.deskew,
                   width=page.width_px, height=page.height_px,
                   read=not (page.had_text or page.blank or not page.words))


def _plain_gray(source: Path, media_type: str, geometry: PageGeometry,
                max_pixels: int | None) -> Image.Image:
    """Page ``geometry.number`` of ``source`` in plain gray, as the scan has it."""
    if is_pdf(media_type):
        with tempfile.TemporaryDirectory(prefix="sohoa-reread-") as tmp:
            out = Path(tmp) / "page"
            subprocess.run(["pdftoppm", "-r", str(geometry.dpi), "-f", str(geometry.number),
                            "-l", str(geometry.number), "-singlefile", "-gray", str(source),
                            str(out)], capture_output=True, timeout=600, check=True)
            with Image.open(out.with_suffix(".pgm")) as im:
                gray = as_gray(im)
                gray.load()
            return gray
    limit = max_pixels or geometry.width * geometry.height + 1
    return as_gray(load_image(source, geometry.number - 1, max_pixels=limit).image)


@dataclass(frozen=True)
class TurnedPage:
    """A page in plain gray turned upright, straightened only where a part is cut out of it:
    straightening the whole page cost 40–95 ms of CPU (a 200–300 dpi A4) for a line or
    two of it."""

    turned: Image.Image
    deskew: float

    @property
    def size(self) -> tuple[int, int]:
        return self.turned.size

    def crop(self, box: tuple[int, int, int, int]) -> Image.Image:
        """``box`` of the page straightened (``prepare.straighten``), the same pixels:
        the part of the turned page the box's pixels come from, rotated about the page's
        centre."""
        if abs(self.deskew) < MIN_SKEW:
            return self.turned.crop(box)
        width, height = self.turned.size
        # A pixel moves at most the angle (radians) times its distance from the centre.
        reach = math.ceil(abs(math.radians(self.deskew)) * math.hypot(width, height) / 2) + 2
        left, top = max(0, box[0] - reach), max(0, box[1] - reach)
        part = self.turned.crop((left, top, min(width, box[2] + reach),
                                 min(height, box[3] + reach)))
        part = part.rotate(self.deskew, resample=Image.Resampling.BILINEAR,
                           center=(width / 2 - left, height / 2 - top), fillcolor=255)
        return part.crop((box[0] - left, box[1] - top, box[2] - left, box[3] - top))


def turned_page(source: Path, media_type: str, geometry: PageGeometry,
                max_pixels: int | None = None) -> TurnedPage | None:
    """Page ``geometry.number`` of ``source`` in plain gray turned as the OCR read it (its
    parts straightened on demand); None for a page not OCR'd, or one that does not come
    out in the geometry of its words (better no second reading than one of the wrong
    pixels)."""
    if not geometry.read:
        return None
    turned = turn(_plain_gray(source, media_type, geometry, max_pixels), geometry.rotated)
    if turned.size != (geometry.width, geometry.height):
        return None
    return TurnedPage(turned, geometry.deskew)


def upright_page(source: Path, media_type: str, geometry: PageGeometry,
                 max_pixels: int | None = None) -> Image.Image | None:
    """The whole page of ``turned_page``, straightened."""
    page = turned_page(source, media_type, geometry, max_pixels)
    return None if page is None else straighten(page.turned, page.deskew)


class Preparation(enum.Enum):
    """How a line's crop is prepared before it is read again. The first reading prepared
    the page as a page; each of these is another look at the line alone, so two of them
    agreeing is two readings of the same ink made differently (``extract.reread`` votes).

    - ``PLAIN``: the scan's gray as it is (enlarged);
    - ``LOCAL``: black and white by each pixel's neighbourhood (``local_binary``): a
      line under a shadow, a stain or uneven toner, where one level for the page fails;
    - ``SHARP``: an unsharp mask: a blurred or bled line's strokes separated again;
    - ``BOLD``: the ink thickened by a pixel (a minimum filter): faint, broken print;
    - ``MODEL``: the plain gray read by another engine, the line model the caller
      gives (``read_lines``'s ``line_model``: asterocr's, ``extract.reread.line_model``),
      not tesseract: its agreement is the one least tied to tesseract's own slips.
    """

    PLAIN = "plain"
    LOCAL = "local"
    SHARP = "sharp"
    BOLD = "bold"
    MODEL = "model"


@dataclass(frozen=True)
class LineRequest:
    """One line to read again: its box on the upright page (first reading's pixels)."""

    page: int  # 0-based, as extraction numbers pages
    box: tuple[int, int, int, int]  # x0, y0, x1, y1
    preparation: Preparation = Preparation.PLAIN


@dataclass(frozen=True)
class LineReading:
    """The words of one requested line, in the page's pixels; empty when nothing read."""

    request: LineRequest
    words: tuple[Word, ...]


# The line is enlarged (never reduced) until its box is this tall: tesseract's LSTM reads
# lines best with capitals some 30-40 pixels tall, and a 150-200 dpi scan's header line is
# half that.
LINE_HEIGHT_PX = 64
MAX_SCALE = 3.0
# Paper kept round the line's box, of its height: a glyph the first reading's box cut.
MARGIN = 0.25
LINE_PSM = 7  # one line of text
# Tesseract's raw line, no layout analysis at all: where the single-line mode's layout
# found no text (a blurred header line it reads right raw: "Số: 886/GPXD", fresh draw
# 7919's e0009). Second, because it reads worse where both read something.
RAW_LINE_PSM = 13
# A line model other than tesseract: the words it reads in an image of one line, each as
# (text, confidence 0-100, x0, x1) in the image's pixels.
LineModel = Callable[[Image.Image], list[tuple[str, float, int, int]]]


def _line_rows(crop: Image.Image, top: int, bottom: int) -> tuple[int, int] | None:
    """The rows of ``crop`` the line's own ink spans: the run of inked rows (dark under the
    crop's Otsu level) that holds most of the box's middle row band. The first reading's
    word boxes can be a line and a half tall (a label's box reaching into the line above),
    and a single-line reading of a crop holding another line's ink reads neither."""
    pixels = np.asarray(crop)
    if pixels.size == 0:
        return None
    level = otsu_threshold(pixels)
    inked = (pixels < level).mean(axis=1) > ROW_INK
    runs: list[tuple[int, int]] = []
    start = None
    for y, on in enumerate(inked):
        if on and start is None:
            start = y
        elif not on and start is not None:
            runs.append((start, y))
            start = None
    if start is not None:
        runs.append((start, len(inked)))
    middle = (top + bottom) / 2
    runs = [r for r in runs if r[1] - r[0] >= MIN_LINE_ROWS]
    if not runs:
        return None
    return min(runs, key=lambda r: 0 if r[0] <= middle < r[1]
               else min(abs(r[0] - middle), abs(r[1] - middle)))


# A row is inked when this share of it is darker than the crop's Otsu level; runs of
# fewer rows are specks or a rule, not a line of print.
ROW_INK = 0.01
MIN_LINE_ROWS = 6


@dataclass(frozen=True)
class LineCrop:
    """A requested line cut from the page and enlarged: ``image`` is ``box`` of the page
    (its pixels) times ``scale``."""

    image: Image.Image
    box: tuple[int, int, int, int]
    scale: float


def line_crop(page: TurnedPage, box: tuple[int, int, int, int]) -> LineCrop | None:
    """The line in ``box`` (first reading's pixels) cut to its own rows with a margin and
    enlarged to a height tesseract reads well; None for an empty box."""
    x0, y0, x1, y1 = box
    width, height = page.size
    margin = round(MARGIN * (y1 - y0))
    cut = (max(0, x0 - margin), max(0, y0 - margin), min(width, x1 + margin),
           min(height, y1 + margin))
    if cut[2] <= cut[0] or cut[3] <= cut[1]:
        return None
    crop = page.crop(cut)
    rows = _line_rows(crop, y0 - cut[1], y1 - cut[1])
    if rows is not None:
        top, bottom = rows
        pad = round(MARGIN * (bottom - top))
        inner = (0, max(0, top - pad), crop.width, min(crop.height, bottom + pad))
        crop = crop.crop(inner)
        cut = (cut[0], cut[1] + inner[1], cut[2], cut[1] + inner[3])
        y0, y1 = top, bottom
    scale = min(MAX_SCALE, max(1.0, LINE_HEIGHT_PX / max(1, y1 - y0)))
    if scale > 1.0:
        crop = crop.resize((round(crop.width * scale), round(crop.height * scale)),
                           Image.Resampling.LANCZOS)
    return LineCrop(crop, cut, scale)


# ``LOCAL``: a pixel is ink when darker than its neighbourhood's mean by this share of
# the neighbourhood's spread below the paper (Sauvola's rule, k and R as he gives them
# for 8-bit scans), the neighbourhood a square of the enlarged line's height.
LOCAL_K = 0.2
LOCAL_R = 128.0
# ``SHARP``: radius (pixels of the enlarged line) and strength of the unsharp mask.
SHARP_RADIUS = 2
SHARP_PERCENT = 160
# ``BOLD``: the minimum filter's size (pixels of the enlarged line).
BOLD_SIZE = 3


def local_binary(gray: Image.Image, window: int) -> Image.Image:
    """``gray`` in black and white by Sauvola's local threshold over a ``window`` square
    (integral images: one pass whatever the window)."""
    pixels = np.asarray(gray, dtype=np.float64)
    half = max(1, window // 2)
    padded = np.pad(pixels, half + 1, mode="edge")
    total = padded.cumsum(0).cumsum(1)
    squares = (padded**2).cumsum(0).cumsum(1)
    h, w = pixels.shape
    side = 2 * half + 1

    def box_sum(table: np.ndarray) -> np.ndarray:
        return (table[side:side + h, side:side + w] - table[:h, side:side + w]
                - table[side:side + h, :w] + table[:h, :w])

    count = side * side
    mean = box_sum(total) / count
    spread = np.sqrt(np.maximum(0.0, box_sum(squares) / count - mean**2))
    level = mean * (1.0 + LOCAL_K * (spread / LOCAL_R - 1.0))
    return Image.fromarray(np.where(pixels <= level, 0, 255).astype(np.uint8))


def prepared(crop: LineCrop, preparation: Preparation) -> Image.Image:
    """``crop``'s image as ``preparation`` says (see ``Preparation``)."""
    image = crop.image
    if preparation is Preparation.LOCAL:
        return local_binary(image, max(15, image.height))
    if preparation is Preparation.SHARP:
        return image.filter(ImageFilter.UnsharpMask(SHARP_RADIUS, SHARP_PERCENT, 0))
    if preparation is Preparation.BOLD:
        return image.filter(ImageFilter.MinFilter(BOLD_SIZE))
    return image


def recognized(crop: LineCrop, request: LineRequest, workdir: Path, *, dpi: int,
               languages: str, line_model: LineModel | None = None) -> LineReading:
    """``crop`` prepared as ``request`` asks, read as one line (the raw line where the
    line mode finds nothing), its words put back in the page's pixels; ``MODEL`` read by
    ``line_model`` (nothing without one)."""
    box, scale = crop.box, crop.scale
    if request.preparation is Preparation.MODEL:
        if line_model is None:
            return LineReading(request, ())
        # The model reads the line as a whole: its words span the crop's rows.
        height = crop.image.height
        return LineReading(request, tuple(
            Word(text=text, confidence=confidence,
                 bbox=(box[0] + round(x0 / scale), box[1], box[0] + round(x1 / scale),
                       box[1] + round(height / scale)), line=(1, 1, 1))
            for text, confidence, x0, x1 in line_model(crop.image) if text.strip()))
    image = prepared(crop, request.preparation)
    found: list[Word] = []
    for psm in (LINE_PSM, RAW_LINE_PSM):
        tsv, _ = tesseract(image, workdir / "reread", dpi=round(dpi * scale),
                           languages=languages, psm=psm, want_pdf=False)
        found = [w for w in parse_tsv(tsv) if w.text.strip()]
        if found:
            break
    words = tuple(
        Word(text=w.text, confidence=w.confidence,
             bbox=(box[0] + round(w.bbox[0] / scale), box[1] + round(w.bbox[1] / scale),
                   box[0] + round(w.bbox[2] / scale), box[1] + round(w.bbox[3] / scale)),
             line=w.line)
        for w in found)
    return LineReading(request, words)


def read_line(page: TurnedPage, request: LineRequest, workdir: Path, *, dpi: int,
              languages: str) -> LineReading:
    """``request``'s line of ``page`` read alone (see the module)."""
    crop = line_crop(page, request.box)
    if crop is None:
        return LineReading(request, ())
    return recognized(crop, request, workdir, dpi=dpi, languages=languages)


# The last page rebuilt, by file (path, size, modification time) and geometry: the second
# reading asks for a page's lines in rounds (``extract.reread``: the plain reading first,
# the other preparations only for what it left in doubt), and rebuilding a page costs
# 13-45 ms for an image, 100-150 ms for a PDF page's render. One page: a few megabytes.
_last: list[tuple[tuple[str, int, int, PageGeometry, int | None], TurnedPage | None]] = []


def _rebuilt(source: Path, media_type: str, geometry: PageGeometry,
             max_pixels: int | None) -> TurnedPage | None:
    """``turned_page``, the last one kept (see ``_last``)."""
    stat = source.stat()
    key = (str(source.resolve()), stat.st_size, stat.st_mtime_ns, geometry, max_pixels)
    if _last and _last[0][0] == key:
        return _last[0][1]
    page = turned_page(source, media_type, geometry, max_pixels)
    _last[:] = [(key, page)]
    return page


def read_lines(source: Path, media_type: str, geometries: list[PageGeometry],
               requests: list[LineRequest], *, languages: str,
               max_pixels: int | None = None,
               line_model: LineModel | None = None) -> list[LineReading]:
    """Each of ``requests`` read again on its page of ``source`` (``read_line``), in order;
    a page that cannot be rebuilt in its words' geometry reads nothing (empty readings).
    Each page is decoded once, however many of its lines are asked for (and kept for the
    next call on the same file: ``_rebuilt``); each line is cut once, however many
    preparations of it are asked for. ``line_model``: the reader of ``MODEL`` requests."""
    out: dict[int, LineReading] = {}
    if line_model is None:
        # The line model's round without a model (``SOHOA_LINE_MODEL=off``, the default,
        # or the extra not installed): nothing to read, so no page rebuilt, no line cut.
        out = {i: LineReading(r, ()) for i, r in enumerate(requests)
               if r.preparation is Preparation.MODEL}
    with tempfile.TemporaryDirectory(prefix="sohoa-reread-") as tmp:
        for number in sorted({r.page for i, r in enumerate(requests) if i not in out}):
            geometry = geometries[number] if number < len(geometries) else None
            page = (_rebuilt(source, media_type, geometry, max_pixels)
                    if geometry is not None else None)
            crops: dict[tuple[int, int, int, int], LineCrop | None] = {}
            for index, request in enumerate(requests):
                if request.page != number or index in out:
                    continue
                if page is None or geometry is None:
                    out[index] = LineReading(request, ())
                    continue
                # One cut per box, however many preparations of it are asked for.
                if request.box not in crops:
                    crops[request.box] = line_crop(page, request.box)
                crop = crops[request.box]
                out[index] = (LineReading(request, ()) if crop is None else recognized(
                    crop, request, Path(tmp), dpi=geometry.dpi or 300, languages=languages,
                    line_model=line_model))
    return [out[i] for i in range(len(requests))]
