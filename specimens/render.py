"""Draw a ``Specimen`` as a clean A4 page, laid out like the real papers.

Header in two columns (issuing agency and number left, national motto right), centred
bold title, left-aligned body, dateline and signature block on the right. Sizes are in
typographic points and scale with ``dpi``. Fonts are the Debian system fonts
(fonts-noto-core, fonts-dejavu-core), which carry every Vietnamese glyph.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFont

from specimens.documents import Line, Specimen

A4_MM = (210.0, 297.0)
MARGINS_MM = (30.0, 20.0, 15.0, 20.0)  # left, top, right, bottom (Decree 30/2020 layout)
SEAL_INK = (196, 30, 42)
SIGNATURE_INK = (25, 35, 120)

FONT_DIRS: tuple[str, ...] = (
    "/usr/share/fonts/truetype/noto",
    "/usr/share/fonts/opentype/noto",
    "/usr/share/fonts/noto",
    "/usr/share/fonts/truetype/dejavu",
    "/usr/share/fonts/dejavu",
    "/usr/share/fonts/TTF",
)

# family → (Debian package, file per style)
_FONT_FILES: dict[str, tuple[str, dict[str, str]]] = {
    "NotoSerif": ("fonts-noto-core", {"regular": "NotoSerif-Regular.ttf",
                                      "bold": "NotoSerif-Bold.ttf",
                                      "italic": "NotoSerif-Italic.ttf"}),
    "NotoSans": ("fonts-noto-core", {"regular": "NotoSans-Regular.ttf",
                                     "bold": "NotoSans-Bold.ttf",
                                     "italic": "NotoSans-Italic.ttf"}),
    # The regular faces are in -core; the italic and oblique ones only in -extra.
    "DejaVuSerif": ("fonts-dejavu-core fonts-dejavu-extra", {"regular": "DejaVuSerif.ttf",
                                          "bold": "DejaVuSerif-Bold.ttf",
                                          "italic": "DejaVuSerif-Italic.ttf"}),
    "DejaVuSans": ("fonts-dejavu-core fonts-dejavu-extra", {"regular": "DejaVuSans.ttf",
                                         "bold": "DejaVuSans-Bold.ttf",
                                         "italic": "DejaVuSans-Oblique.ttf"}),
}
FONTS: tuple[str, ...] = tuple(_FONT_FILES)
DEFAULT_FONT = "NotoSerif"  # closest to the Times New Roman of real papers


class FontMissingError(RuntimeError):
    """A font family's files are not installed."""


def font_path(family: str, style: str = "regular",
              search_dirs: Sequence[str] = FONT_DIRS) -> Path:
    """The file of ``family`` in ``style``; ``FontMissingError`` names the package to install."""
    if family not in _FONT_FILES:
        raise ValueError(f"unknown font {family!r}; known: {', '.join(FONTS)}")
    package, files = _FONT_FILES[family]
    filename = files[style]
    for directory in search_dirs:
        candidate = Path(directory) / filename
        if candidate.is_file():
            return candidate
    raise FontMissingError(
        f"font file {filename} not found in {', '.join(search_dirs)}; "
        f"install it with: apt-get install {package}")


@lru_cache(maxsize=256)
def _font(family: str, style: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(font_path(family, style)), size_px)


@dataclass(frozen=True)
class _Geometry:
    dpi: int
    width: int
    height: int
    left: int
    top: int
    right: int
    bottom: int

    def px(self, points: float) -> int:
        return round(points * self.dpi / 72)

    @property
    def text_width(self) -> int:
        return self.right - self.left


def page_size(dpi: int) -> tuple[int, int]:
    """A4 in pixels at ``dpi``."""
    return round(A4_MM[0] / 25.4 * dpi), round(A4_MM[1] / 25.4 * dpi)


def _geometry(dpi: int) -> _Geometry:
    width, height = page_size(dpi)
    left, top, right, bottom = (round(mm / 25.4 * dpi) for mm in MARGINS_MM)
    return _Geometry(dpi, width, height, left, top, width - right, height - bottom)


class _Pen:
    """Draws lines of text, shrinking a line that would overflow its column."""

    def __init__(self, image: Image.Image, family: str, geometry: _Geometry) -> None:
        self.draw = ImageDraw.Draw(image)
        self.family = family
        self.geo = geometry

    def fitting_font(self, text: str, style: str, size_pt: float,
                     width: int) -> ImageFont.FreeTypeFont:
        size = self.geo.px(size_pt)
        font = _font(self.family, style, size)
        length = self.draw.textlength(text, font=font)
        if length > width:
            font = _font(self.family, style, max(4, math.floor(size * width / length)))
        return font

    def text(self, line: Line, size_pt: float, y: int, x0: int, x1: int,
             align: str) -> tuple[int, int]:
        """Draw one line between x0 and x1; returns its width and the y of its ink bottom."""
        font = self.fitting_font(line.text, line.style, size_pt, x1 - x0)
        width = round(self.draw.textlength(line.text, font=font))
        x = x0 if align == "left" else (x0 + x1 - width) // 2
        self.draw.text((x, y), line.text, fill=(0, 0, 0), font=font, anchor="la")
        bottom = round(self.draw.textbbox((x, y), line.text, font=font, anchor="la")[3])
        return width, bottom

    def rule(self, x_center: int, y: int, width: int) -> None:
        thickness = max(1, self.geo.dpi // 150)
        self.draw.line([(x_center - width // 2, y), (x_center + width // 2, y)],
                       fill=(0, 0, 0), width=thickness)


def _by_region(specimen: Specimen, region: str) -> list[Line]:
    return [line for line in specimen.layout if line.region == region]


def _draw_header(pen: _Pen, specimen: Specimen) -> int:
    """Two header columns; returns the y below them."""
    geo = pen.geo
    split = geo.left + round(geo.text_width * 0.42)
    left_center, right_center = (geo.left + split) // 2, (split + geo.right) // 2
    pitch = geo.px(12 * 1.35)
    y = y_rule = geo.top
    agency_width = 0
    for line in _by_region(specimen, "agency"):
        agency_width, y_rule = pen.text(line, 12, y, geo.left - geo.px(18), split, "center")
        y += pitch
    # The short rule under the agency is about a third of its name, as on real papers.
    pen.rule(left_center, y_rule + geo.px(4), max(geo.px(40), agency_width // 3))
    y_left = max(y, y_rule + geo.px(10))
    for line in _by_region(specimen, "number"):
        pen.text(line, 13, y_left, geo.left - geo.px(18), split, "center")
        y_left += pitch
    y = y_rule = geo.top
    motto_width = 0
    for line in _by_region(specimen, "motto"):
        motto_width, y_rule = pen.text(line, 12.5, y, split, geo.right + geo.px(12), "center")
        y += pitch
    pen.rule(right_center, y_rule + geo.px(3), motto_width)
    return max(y_left, y) + geo.px(30)


def _draw_signature(pen: _Pen, seed: int, x0: int, y0: int, x1: int, y1: int) -> None:
    """A scribbled signature: cursive loops (a prolate cycloid) and a closing flourish."""
    rng = random.Random(seed)
    thickness = max(2, pen.geo.dpi // 110)
    width, middle = x1 - x0, (y0 + y1) / 2
    loops = rng.randint(3, 6)
    loop_w, loop_h = width / loops * rng.uniform(0.35, 0.6), (y1 - y0) * rng.uniform(0.3, 0.45)
    slant = rng.uniform(0.1, 0.35)
    points = []
    for i in range(loops * 24 + 1):
        t = i / (loops * 24)
        phase = math.tau * loops * t
        lift = loop_h * (1 - 0.5 * t) * math.cos(phase)
        x = x0 + width * 0.85 * t - loop_w * math.sin(phase) + slant * lift
        points.append((x, middle - lift))
    pen.draw.line(points, fill=SIGNATURE_INK, width=thickness, joint="curve")
    flourish = [(x0 + width * (0.05 + 0.95 * t),
                 middle + loop_h * (0.9 - 0.6 * t) - loop_h * 0.5 * math.sin(math.pi * t))
                for t in (i / 30 for i in range(31))]
    pen.draw.line(flourish, fill=SIGNATURE_INK, width=thickness, joint="curve")


def render_page(specimen: Specimen, *, dpi: int = 300, font: str | None = None,
                signature: bool = True) -> Image.Image:
    """The paper as a clean RGB A4 image; ``image.info`` carries ``dpi`` and the place
    and text for a seal (``sohoa_seal``) that ``degrade`` stamps over the signature."""
    family = font or DEFAULT_FONT
    for style in ("regular", "bold", "italic"):
        font_path(family, style)  # fail early, naming the package, if one face is missing
    geo = _geometry(dpi)
    image = Image.new("RGB", (geo.width, geo.height), "white")
    pen = _Pen(image, family, geo)

    y = _draw_header(pen, specimen)
    for i, line in enumerate(_by_region(specimen, "title")):
        size = 15 if i == 0 else 13.5
        pen.text(line, size, y, geo.left, geo.right, "center")
        y += geo.px(size * 1.45)
    for line in _by_region(specimen, "subtitle"):
        pen.text(line, 13, y, geo.left, geo.right, "center")
        y += geo.px(13 * 1.45)
    y += geo.px(12)

    footer = _by_region(specimen, "dateline") + _by_region(specimen, "signer")
    footer_height = geo.px(13 * 1.45) * (len(footer) + 1) + geo.px(70)
    body = _by_region(specimen, "body")
    room = geo.bottom - footer_height - y
    # Long papers get tighter leading first, then a smaller size, as typists do.
    size = 13.0
    while size > 9 and len(body) * geo.px(size * 1.2) > room:
        size -= 0.5
    pitch = min(geo.px(size * 1.45), room // max(1, len(body)))
    for line in body:
        pen.text(line, size, y, geo.left, geo.right, "left")
        y += pitch

    column = (geo.left + round(geo.text_width * 0.45), geo.right)
    y += geo.px(10)
    sign_pitch = geo.px(13 * 1.4)
    for line in _by_region(specimen, "dateline"):
        pen.text(line, 13, y, *column, "center")
        y += sign_pitch
    signer = _by_region(specimen, "signer")
    titles, name = signer[:-1], signer[-1:]
    sign_top = y
    for line in titles:
        pen.text(line, 13, y, *column, "center")
        y += sign_pitch
    gap = geo.px(70)
    center_x = (column[0] + column[1]) // 2
    if signature:
        _draw_signature(pen, specimen.seed, center_x - geo.px(55), y + geo.px(10),
                        center_x + geo.px(45), y + gap - geo.px(12))
    seal_center = (center_x - geo.px(40), y + gap // 2 - geo.px(8))
    y += gap
    for line in name:
        pen.text(line, 13, y, *column, "center")
        y += sign_pitch

    image.info["dpi"] = (dpi, dpi)
    image.info["sohoa_seal"] = {
        "center": seal_center, "radius": round(17.5 / 25.4 * dpi),
        "text": specimen.seal_text, "block": (column[0], sign_top, column[1], y),
    }
    return image


# ---------------------------------------------------------------- the seal


def _star(center: tuple[float, float], outer: float) -> list[tuple[float, float]]:
    inner = outer * 0.382
    points = []
    for i in range(10):
        radius = outer if i % 2 == 0 else inner
        angle = -math.pi / 2 + i * math.pi / 5
        points.append((center[0] + radius * math.cos(angle),
                       center[1] + radius * math.sin(angle)))
    return points


def seal_mask(radius: int, text: str, *, family: str = "NotoSans",
              seed: int = 0) -> Image.Image:
    """Coverage ("L", 0–255) of a round Vietnamese office seal: double ring, the agency
    name running round the ring, a star in the middle, and uneven stamp pressure."""
    size = 2 * radius + 4
    mask = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(mask)
    c = size / 2
    ring = max(2, radius // 28)
    draw.ellipse([c - radius, c - radius, c + radius, c + radius], outline=255, width=ring)
    inner = radius * 0.68
    draw.ellipse([c - inner, c - inner, c + inner, c + inner], outline=255,
                 width=max(1, ring // 2))
    draw.polygon(_star((c, c), radius * 0.3), fill=255)

    text_radius = (radius + inner) / 2
    chars = list(text)
    span = math.tau * 0.94  # a small gap at the bottom, as on real seals
    step = span / max(1, len(chars))
    font_px = max(6, min(round(radius * 0.2), round(step * text_radius * 1.25)))
    font = _font(family, "bold", font_px)
    start = math.pi / 2 + (math.tau - span) / 2 + step / 2  # begins bottom-left, clockwise
    for i, char in enumerate(chars):
        if char == " ":
            continue
        angle = start + i * step
        glyph = Image.new("L", (font_px * 2, font_px * 2), 0)
        ImageDraw.Draw(glyph).text((font_px, font_px), char, fill=255, font=font, anchor="mm")
        # Letters stand on the ring with their tops facing outwards.
        rotated = glyph.rotate(-math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        gx = c + text_radius * math.cos(angle) - font_px
        gy = c + text_radius * math.sin(angle) - font_px
        mask.paste(255, (round(gx), round(gy)), rotated)

    rng = random.Random(seed)
    pressure = Image.new("L", (8, 8))
    pressure.putdata([rng.randint(150, 255) for _ in range(64)])
    pressure = pressure.resize((size, size), Image.Resampling.BICUBIC)
    return Image.composite(pressure, Image.new("L", (size, size), 0), mask)


def draw_seal(image: Image.Image, center: tuple[int, int], radius: int, text: str, *,
              seed: int = 0, ink: tuple[int, int, int] = SEAL_INK) -> Image.Image:
    """A copy of ``image`` (RGB) with a red seal stamped at ``center``; the ink multiplies
    with what is underneath, so the signature and text stay visible through it."""
    base = image.convert("RGB")
    mask = seal_mask(radius, text, seed=seed)
    box = (center[0] - mask.width // 2, center[1] - mask.height // 2)
    tinted = Image.new("RGB", base.size, (255, 255, 255))
    tinted.paste(ink, box, mask)
    stamped = ImageChops.multiply(base, tinted)
    stamped.info = dict(image.info)
    return stamped
