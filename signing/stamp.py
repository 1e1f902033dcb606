"""The visible signature stamp (Circular 01/2023/TT-VPCP): page 1, top left, Vietnamese.

pyHanko draws it; we only choose the font, the text, the box and whether a QR code
joins it. The font is embedded (subset) so the stamp renders the same everywhere
and the PDF/A copy keeps every font embedded.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from fontTools import subset
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory
from pyhanko.pdf_utils.generic import ArrayObject, FloatObject
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle, QRPosition, QRStampStyle, TextStampStyle

from .errors import SigningConfigError

# Vietnam has kept UTC+7 without daylight saving since 1975.
VN_TZ = timezone(timedelta(hours=7))

FONT_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf", "fonts-noto-core"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "fonts-dejavu-core"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "ttf-dejavu"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "dejavu-sans-fonts"),
)

STAMP_TEXT = "Ký bởi: %(agency)s\nThời gian ký: %(signed_vn)s"
STAMP_WIDTH = 250.0
STAMP_HEIGHT = 44.0
QR_STAMP_HEIGHT = 64.0
STAMP_MARGIN = 18.0
FONT_SIZE = 8
# Latin, Latin-1, Latin Extended A/B (ơ, ư), combining marks, Latin Extended
# Additional (the Vietnamese tone letters), general punctuation.
_STAMP_RANGES = ((0x20, 0x7E), (0xA0, 0x24F), (0x300, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F))


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


def vietnam_time(moment: datetime) -> str:
    """``dd/mm/yyyy HH:MM:SS +07:00``, the form officers read on paper."""
    local = moment.astimezone(VN_TZ)
    return local.strftime("%d/%m/%Y %H:%M:%S") + " +07:00"


def qr_target(verify_url: str, record_id: str | None) -> str:
    """The URL the QR code encodes: the verify page for this record."""
    if record_id is None:
        return verify_url
    if "{record_id}" in verify_url:
        return verify_url.replace("{record_id}", record_id)
    return f"{verify_url.rstrip('/')}/{record_id}"


def stamp_font(source: Path, extra_text: str) -> bytes:
    """``source`` cut down to the glyphs a stamp can use, layout tables dropped.

    pyHanko subsets the font again for every PDF; starting from a few hundred
    glyphs instead of a full Noto font makes that step cheap. Stamp text is NFC
    (precomposed Vietnamese letters), so no mark positioning is needed.
    """
    unicodes = {cp for lo, hi in _STAMP_RANGES for cp in range(lo, hi + 1)}
    unicodes |= {ord(ch) for ch in unicodedata.normalize("NFC", extra_text)}
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
class StampPlan:
    style: TextStampStyle
    width: float
    height: float
    with_qr: bool


def stamp_plan(font: bytes, with_qr: bool) -> StampPlan:
    """Stamp style built once per batch; ``font`` should come from :func:`stamp_font`."""
    text_style = TextBoxStyle(
        font=_FontInMemory(font_file="", font_size=FONT_SIZE, font_bytes=font))
    # No background: pyHanko's default art would add a soft-masked graphics state,
    # which PDF/A validators flag needlessly.
    if with_qr:
        style: TextStampStyle = QRStampStyle(
            stamp_text=STAMP_TEXT,
            text_box_style=text_style,
            border_width=1,
            background=None,
            qr_position=QRPosition.LEFT_OF_TEXT,
        )
        return StampPlan(style, STAMP_WIDTH, QR_STAMP_HEIGHT, True)
    style = TextStampStyle(
        stamp_text=STAMP_TEXT, text_box_style=text_style, border_width=1, background=None
    )
    return StampPlan(style, STAMP_WIDTH, STAMP_HEIGHT, False)


Rect = tuple[float, float, float, float]

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


def _normalized(box: Sequence[float]) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def visible_box(media_box: Sequence[float], crop_box: Sequence[float] | None) -> Rect:
    """What a reader shows: the CropBox clipped to the MediaBox (ISO 32000-1, 14.11.2)."""
    media = _normalized(media_box)
    if crop_box is None:
        return media
    crop = _normalized(crop_box)
    clipped = (
        max(media[0], crop[0]),
        max(media[1], crop[1]),
        min(media[2], crop[2]),
        min(media[3], crop[3]),
    )
    # A CropBox entirely off the MediaBox is broken; readers then fall back to the media.
    return clipped if clipped[0] < clipped[2] and clipped[1] < clipped[3] else media


def normalized_rotation(rotate: object) -> int:
    """/Rotate as 0, 90, 180 or 270; values that are not multiples of 90 count as 0."""
    try:
        degrees = int(str(rotate)) % 360
    except ValueError:
        return 0
    return degrees if degrees % 90 == 0 else 0


@dataclass(frozen=True)
class PageFrame:
    """A page as a reader displays it: its visible box (user space) turned clockwise by
    ``rotate``. Display coordinates start at the displayed bottom left, y pointing up."""

    box: Rect
    rotate: int = 0

    @property
    def display_size(self) -> tuple[float, float]:
        width, height = self.box[2] - self.box[0], self.box[3] - self.box[1]
        return (height, width) if self.rotate in (90, 270) else (width, height)

    def _point_to_display(self, x: float, y: float) -> tuple[float, float]:
        left, bottom, right, top = self.box
        return {
            0: (x - left, y - bottom),
            90: (y - bottom, right - x),
            180: (right - x, top - y),
            270: (top - y, x - left),
        }[self.rotate]

    def _point_from_display(self, x: float, y: float) -> tuple[float, float]:
        left, bottom, right, top = self.box
        return {
            0: (left + x, bottom + y),
            90: (right - y, bottom + x),
            180: (right - x, top - y),
            270: (left + y, top - x),
        }[self.rotate]

    def to_display(self, rect: Rect) -> Rect:
        return _normalized(
            self._point_to_display(rect[0], rect[1]) + self._point_to_display(rect[2], rect[3])
        )

    def from_display(self, rect: Rect) -> Rect:
        return _normalized(
            self._point_from_display(rect[0], rect[1]) + self._point_from_display(rect[2], rect[3])
        )


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def top_left_box(
    box: Sequence[float], width: float, height: float, avoid: Sequence[Rect] = ()
) -> Rect:
    """Rect (x1, y1, x2, y2) in the top-left corner of ``box``, in the same unrotated
    coordinates.

    A stamp already there (a PDF signed again) pushes the new one down below it,
    so every signer stays legible.
    """
    x0, y0, x1, y1 = _normalized(box)
    w = min(width, x1 - x0 - 2 * STAMP_MARGIN)
    rect = (x0 + STAMP_MARGIN, y1 - STAMP_MARGIN - height, x0 + STAMP_MARGIN + w, y1 - STAMP_MARGIN)
    while any(_overlaps(rect, other) for other in avoid) and rect[1] - height > y0:
        lowest = min(other[1] for other in avoid if _overlaps(rect, other))
        rect = (rect[0], lowest - 4 - height, rect[2], lowest - 4)
    return rect


def displayed_top_left(
    frame: PageFrame, width: float, height: float, avoid: Sequence[Rect] = ()
) -> Rect:
    """User-space rect of a ``width`` x ``height`` stamp shown at the top left of
    ``frame`` as a reader displays it; ``avoid`` (user space) are earlier stamps."""
    display_w, display_h = frame.display_size
    rect = top_left_box(
        (0, 0, display_w, display_h), width, height, [frame.to_display(r) for r in avoid]
    )
    return frame.from_display(rect)
