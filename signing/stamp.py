"""The visible signature stamp (Circular 01/2023/TT-VPCP): page 1, top left, Vietnamese.

pyHanko draws it; we only choose the font, the text, the box and whether a QR code
joins it. The font is embedded (subset) so the stamp renders the same everywhere
and the PDF/A copy keeps every font embedded.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.pens.boundsPen import BoundsPen
from fontTools.ttLib import TTFont
from pyhanko.pdf_utils.content import RawContent
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import ArrayObject, FloatObject
from pyhanko.pdf_utils.layout import (
    AxisAlignment,
    BoxConstraints,
    InnerScaling,
    Margins,
    SimpleBoxLayoutRule,
)
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle, QRPosition, QRStampStyle, TextStampStyle

from .errors import SigningConfigError

FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "fonts-noto-core"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "ttf-dejavu"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "dejavu-sans-fonts"),
)

STAMP_TEXT = "Ký bởi: %(agency)s\nThời gian ký: %(signed_vn)s"
# What the time looks like on the stamp, for measuring it: every digit is drawn as
# wide as the widest one.
TIME_SAMPLE = "00/00/0000 00:00"
# Font sizes offered to the placement, largest first; 6 pt is the legible minimum.
FONT_SIZES = (8, 7, 6)
MIN_FONT_SIZE = 6
# Inner padding, and the QR code's side (quiet zone included), in units of the font
# size: 40 pt (14 mm) at 8 pt, 30 pt (10.6 mm) at 6 pt, which phones still read for a
# verify URL (QR version 4, modules of 0.26 mm). Larger would push the QR stamp out of
# the top margin of most papers (about 50 pt free above the header).
PADDING_EM = 0.5
QR_EM = 5.0
QR_GAP = 2
BORDER_WIDTH = 1


def find_font(candidates: Sequence[tuple[str, str]] = FONT_CANDIDATES) -> Path:
    """First installed TrueType font of ``candidates`` that covers Vietnamese."""
    packaged = Path(__file__).parent / "fonts"
    local = sorted(packaged.glob("*.ttf")) if packaged.is_dir() else []
    for path in [*local, *(Path(p) for p, _ in candidates)]:
        if path.is_file():
            return path
    packages = " or ".join(sorted({pkg for _, pkg in candidates}))
    raise SigningConfigError(
        "no TrueType font with Vietnamese glyphs found for the visible signature; "
        f"install {packages} (e.g. apt-get install fonts-noto-core) or set visible=False"
    )


def qr_target(verify_url: str, record_id: str | None) -> str:
    """The URL the QR code encodes: the verify page for this record."""
    if record_id is None:
        return verify_url
    if "{record_id}" in verify_url:
        return verify_url.replace("{record_id}", record_id)
    return f"{verify_url.rstrip('/')}/{record_id}"


def stamp_characters(extra_text: str) -> set[int]:
    """Every character a stamp can draw: printable ASCII (the time's digits and
    punctuation, a wrapped line's spaces), the labels of ``STAMP_TEXT`` and
    ``extra_text`` (the agency's name), NFC as the stamp writes them."""
    drawn = unicodedata.normalize("NFC", STAMP_TEXT.replace("\n", "") + extra_text)
    return set(range(0x20, 0x7F)) | {ord(ch) for ch in drawn}


def stamp_font(source: Path, extra_text: str) -> bytes:
    """``source`` cut down to the glyphs a stamp can use, layout tables dropped.

    pyHanko parses, subsets and writes this font again for every PDF, at a cost that
    grows with its glyphs: it holds only what a stamp of this agency can draw
    (``stamp_characters``, ~100 glyphs; every Vietnamese letter, ~1000, cost ~7 ms more
    a signature). Stamp text is NFC (precomposed Vietnamese letters), so no mark
    positioning is needed.
    """
    unicodes = stamp_characters(extra_text)
    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = ["*"]
    font = subset.load_font(str(source), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=unicodes)
        subsetter.subset(font)
        out = io.BytesIO()
        subset.save_font(font, out, options)
        return out.getvalue()
    finally:
        font.close()


@dataclass(frozen=True)
class _FontInMemory(GlyphAccumulatorFactory):
    # pyHanko's factory opens the font file for every stamp and never closes it;
    # the stamp font is small and already in memory, so each engine reads a copy.
    font_bytes: bytes = b""

    def create_font_engine(
        self, writer: BasePdfFileWriter, obj_stream: Any = None
    ) -> GlyphAccumulator:
        if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
            obj_stream = writer.prepare_object_stream()
        return GlyphAccumulator(writer=writer, font_handle=io.BytesIO(self.font_bytes),
                                font_size=self.font_size, obj_stream=obj_stream)


@dataclass(frozen=True)
class TextMetrics:
    """What the stamp's text needs, in units of the font size (em)."""

    widths: tuple[float, ...]  # advance width of each line
    ascent: float  # highest glyph top above the baseline
    descent: float  # lowest glyph bottom below the baseline (positive)

    @property
    def width(self) -> float:
        return max(self.widths)

    @property
    def lines(self) -> int:
        return len(self.widths)


def text_metrics(font: bytes, lines: Sequence[str]) -> TextMetrics:
    """Advance widths and glyph extents of ``lines`` (NFC) in ``font``."""
    tt = TTFont(io.BytesIO(font))
    try:
        scale = 1.0 / tt["head"].unitsPerEm
        cmap = tt.getBestCmap()
        glyphs = tt.getGlyphSet()
        hmtx = tt["hmtx"]
        top = bottom = 0.0
        widths = []
        for line in lines:
            names = [cmap.get(ord(ch), ".notdef") for ch in unicodedata.normalize("NFC", line)]
            widths.append(sum(hmtx[n][0] for n in names) * scale)
            for name in set(names):
                pen = BoundsPen(glyphs)
                glyphs[name].draw(pen)
                if pen.bounds is not None:
                    top = max(top, pen.bounds[3] * scale)
                    bottom = min(bottom, pen.bounds[1] * scale)
        return TextMetrics(widths=tuple(widths), ascent=top, descent=-bottom)
    finally:
        tt.close()


def beside_qr(font: bytes, agency: str) -> str:
    """``agency`` with a line break where it makes the "Ký bởi: …" line narrowest.

    Beside the QR code the stamp is as tall as the code anyway, and three lines fit in
    that height: breaking the agency's long name costs no height and a third of the
    width, so the stamp fits in the top margin of more papers.
    """
    words = agency.split()
    if len(words) < 2:
        return agency
    label = STAMP_TEXT.split("%(agency)s")[0]
    splits = [(" ".join(words[:k]), " ".join(words[k:])) for k in range(1, len(words))]
    widths = text_metrics(font, [line for a, b in splits for line in (label + a, b)]).widths
    best = min(range(len(splits)), key=lambda i: max(widths[2 * i], widths[2 * i + 1]))
    return "\n".join(splits[best])


@dataclass(frozen=True)
class StampSize:
    """One size of the stamp: its style and its exact box in points."""

    font_size: int
    leading: int
    width: float
    height: float
    style: TextStampStyle


@dataclass(frozen=True)
class StampPlan:
    """The stamp in every offered size, largest first; built once per batch."""

    sizes: tuple[StampSize, ...]
    with_qr: bool
    # The agency as the stamp writes it: NFC, broken in two beside the QR code.
    agency: str = ""

    @property
    def dimensions(self) -> list[tuple[float, float]]:
        return [(s.width, s.height) for s in self.sizes]


def _widest_digit(font: bytes) -> str:
    tt = TTFont(io.BytesIO(font))
    try:
        cmap, hmtx = tt.getBestCmap(), tt["hmtx"]
        return max("0123456789", key=lambda d: hmtx[cmap[ord(d)]][0])
    finally:
        tt.close()


# The white ground under the text: opaque, so no transparency group or soft mask
# (PDF/A-2 allows transparency, but an opaque fill needs no blending at all).
_WHITE = RawContent(b"1 g 0 0 100 100 re f", box=BoxConstraints(100, 100))
_FILL = SimpleBoxLayoutRule(x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MIN,
                            margins=Margins.uniform(0),
                            inner_content_scaling=InnerScaling.STRETCH_FILL)


def _size(font: bytes, metrics: TextMetrics, font_size: int, with_qr: bool) -> StampSize:
    # The leading keeps the lowest descender of one line clear of the highest mark
    # (Vietnamese stacks two) of the next: lines never touch.
    leading = math.ceil((metrics.ascent + metrics.descent) * font_size + 1)
    pad = math.ceil(PADDING_EM * font_size) + BORDER_WIDTH
    descent = math.ceil(metrics.descent * font_size)
    text_w = math.ceil(metrics.width * font_size + 1)
    text_h = metrics.lines * leading
    text_style = TextBoxStyle(
        font=_FontInMemory(font_file="", font_size=font_size, font_bytes=font),
        font_size=font_size,
        leading=leading,
        box_layout_rule=SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MIN,
            margins=Margins.uniform(0), inner_content_scaling=InnerScaling.NO_SCALING),
    )
    # pyHanko sets the first baseline one leading below the text box's top and the
    # last on its bottom: the last line's descenders hang below it by ``descent``.
    inner = SimpleBoxLayoutRule(
        x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID,
        margins=Margins(left=pad, right=pad, top=pad, bottom=pad + descent),
        inner_content_scaling=InnerScaling.NO_SCALING)
    common: dict[str, Any] = dict(
        stamp_text=STAMP_TEXT, text_box_style=text_style, border_width=BORDER_WIDTH,
        background=_WHITE, background_layout=_FILL, background_opacity=1.0,
        inner_content_layout=inner)
    if with_qr:
        qr = math.ceil(QR_EM * font_size)
        inner_h = max(qr + 2 * QR_GAP, text_h + 2 * descent)
        # The text is centred beside the QR code, its descenders inside the inner box.
        common["inner_content_layout"] = SimpleBoxLayoutRule(
            x_align=AxisAlignment.ALIGN_MIN, y_align=AxisAlignment.ALIGN_MID,
            margins=Margins.uniform(pad), inner_content_scaling=InnerScaling.NO_SCALING)
        style: TextStampStyle = QRStampStyle(
            **common, qr_position=QRPosition.LEFT_OF_TEXT, qr_inner_size=qr, innsep=QR_GAP)
        width = 2 * pad + qr + 2 * QR_GAP + text_w
        height = 2 * pad + inner_h
    else:
        style = TextStampStyle(**common)
        width = 2 * pad + text_w
        height = 2 * pad + descent + text_h
    return StampSize(font_size, leading, math.ceil(width), math.ceil(height), style)


def stamp_plan(font: bytes, agency: str, with_qr: bool) -> StampPlan:
    """The stamp for ``agency`` in every size of ``FONT_SIZES``; ``font`` should come
    from :func:`stamp_font`."""
    agency = unicodedata.normalize("NFC", agency)
    if with_qr:
        agency = beside_qr(font, agency)
    lines = (STAMP_TEXT % {"agency": agency,
                           "signed_vn": TIME_SAMPLE.replace("0", _widest_digit(font))}
             ).split("\n")
    metrics = text_metrics(font, lines)
    return StampPlan(tuple(_size(font, metrics, size, with_qr) for size in FONT_SIZES),
                     with_qr, agency)


# The /Matrix that turns a form's content by the page's /Rotate (counter-clockwise in
# user space), so that the reader's clockwise turn of the page sets it upright again.
_UPRIGHT_MATRIX: dict[int, tuple[float, ...]] = {
    90: (0, 1, -1, 0, 0, 0),
    180: (-1, 0, 0, -1, 0, 0),
    270: (0, -1, 1, 0, 0, 0),
}


@dataclass(frozen=True)
class UprightStampStyle(BaseStampStyle):
    """``inner`` drawn upright on a page that readers show turned by ``rotate`` degrees.

    pyHanko lays a stamp out in the widget's /Rect, which is in the page's unrotated
    user space; on a page shown sideways that makes the text sideways too. This lays
    ``inner`` out in the displayed orientation and gives the appearance a /Matrix that
    undoes the page's turn (as Acrobat does; pyHanko 0.38 has no option for it).
    """

    inner: BaseStampStyle = field(kw_only=True)
    rotate: int = field(kw_only=True)

    def create_stamp(
        self, writer: BasePdfFileWriter, box: BoxConstraints, text_params: dict[str, Any]
    ) -> BaseStamp | None:
        if self.rotate in (90, 270):
            box = BoxConstraints(width=box.height, height=box.width)
        stamp = self.inner.create_stamp(writer, box, text_params)
        if stamp is not None and self.rotate in _UPRIGHT_MATRIX:
            # register() renders the form once and caches its reference; pyHanko's
            # later apply_appearance() reuses that same object, now carrying /Matrix.
            form = stamp.register().get_object()
            form["/Matrix"] = ArrayObject([FloatObject(v) for v in _UPRIGHT_MATRIX[self.rotate]])
        return stamp
