"""The visible signature stamp (Circular 01/2023/TT-VPCP): page 1, top left, Vietnamese.

pyHanko draws it; we only choose the font, the text, the box and whether a QR code
joins it. The font is embedded (subset) so the stamp renders the same everywhere
and the PDF/A copy keeps every font embedded.
"""

from __future__ import annotations

import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from fontTools import subset
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.stamp import QRPosition, QRStampStyle, TextStampStyle

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
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    with tempfile.SpooledTemporaryFile() as out:
        subset.save_font(font, out, options)
        out.seek(0)
        return out.read()


@dataclass(frozen=True)
class StampPlan:
    style: TextStampStyle
    width: float
    height: float
    with_qr: bool
    font_file: Path


def stamp_plan(font: Path, with_qr: bool) -> StampPlan:
    """Stamp style built once per batch; ``font`` should come from :func:`stamp_font`."""
    text_style = TextBoxStyle(font=GlyphAccumulatorFactory(str(font), font_size=FONT_SIZE))
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
        return StampPlan(style, STAMP_WIDTH, QR_STAMP_HEIGHT, True, font)
    style = TextStampStyle(
        stamp_text=STAMP_TEXT, text_box_style=text_style, border_width=1, background=None
    )
    return StampPlan(style, STAMP_WIDTH, STAMP_HEIGHT, False, font)


Rect = tuple[float, float, float, float]


def _overlaps(a: Rect, b: Rect) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def top_left_box(
    media_box: Sequence[float], width: float, height: float, avoid: Sequence[Rect] = ()
) -> Rect:
    """Rect (x1, y1, x2, y2) in the top-left corner of the page's visible box.

    A stamp already there (a PDF signed again) pushes the new one down below it,
    so every signer stays legible.
    """
    x0, y0, x1, y1 = (float(v) for v in media_box)
    left, top, bottom = min(x0, x1), max(y0, y1), min(y0, y1)
    w = min(width, abs(x1 - x0) - 2 * STAMP_MARGIN)
    box = (
        left + STAMP_MARGIN,
        top - STAMP_MARGIN - height,
        left + STAMP_MARGIN + w,
        top - STAMP_MARGIN,
    )
    while any(_overlaps(box, other) for other in avoid) and box[1] - height > bottom:
        lowest = min(other[1] for other in avoid if _overlaps(box, other))
        box = (box[0], lowest - 4 - height, box[2], lowest - 4)
    return box
