"""Draw a `Page` on an A4 canvas at 300 dpi, with seal and pen signature.

Layout is written for `evalset` (not shared with `specimens`): two-column header centred in
its columns, labelled fields wrapped to the body width with hanging indents, tab-stop
field rows, ruled tables, and a right-column signature block. The ground-truth lines come
from the same layout pass that positions the glyphs.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from evalset.layout import Header, Page, Para, SignBlock, Span, Style, Table

DPI = 300
A4_MM = (210.0, 297.0)
FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"),
             Path("/usr/share/fonts/truetype/liberation"),
             Path("/usr/share/fonts/truetype/freefont"))

# Families with complete Vietnamese coverage shipped by Debian packages, none of them
# the Noto/DejaVu families `specimens` uses. Liberation Serif (a Times New Roman clone)
# is weighted most: it is what real papers are typed in.
FONT_FILES: dict[str, dict[Style, str]] = {
    "LiberationSerif": {"r": "LiberationSerif-Regular.ttf", "b": "LiberationSerif-Bold.ttf",
                        "i": "LiberationSerif-Italic.ttf", "bi": "LiberationSerif-BoldItalic.ttf"},
    "LiberationSans": {"r": "LiberationSans-Regular.ttf", "b": "LiberationSans-Bold.ttf",
                       "i": "LiberationSans-Italic.ttf", "bi": "LiberationSans-BoldItalic.ttf"},
    "FreeSerif": {"r": "FreeSerif.ttf", "b": "FreeSerifBold.ttf", "i": "FreeSerifItalic.ttf",
                  "bi": "FreeSerifBoldItalic.ttf"},
    "FreeSans": {"r": "FreeSans.ttf", "b": "FreeSansBold.ttf", "i": "FreeSansOblique.ttf",
                 "bi": "FreeSansBoldOblique.ttf"},
}
FONT_WEIGHTS: dict[str, int] = {"LiberationSerif": 5, "FreeSerif": 2, "LiberationSans": 2,
                                "FreeSans": 1}


def mm(v: float) -> int:
    return round(v * DPI / 25.4)


def pt(v: float) -> int:
    return round(v * DPI / 72)


@functools.cache
def font_path(family: str, style: Style) -> str:
    name = FONT_FILES[family][style]
    for d in FONT_DIRS:
        if (d / name).exists():
            return str(d / name)
    raise FileNotFoundError(
        f"font {name} not found; install fonts-liberation2 and fonts-freefont-ttf")


@functools.cache
def font(family: str, style: Style, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(font_path(family, style), size_px)


def available_fonts() -> list[str]:
    out = []
    for fam in FONT_FILES:
        try:
            font_path(fam, "r")
            out.append(fam)
        except FileNotFoundError:
            continue
    return out


Word = tuple[Span, ...]


@dataclass
class TextOp:
    x: float
    y: float  # baseline
    text: str
    style: Style
    size_px: int


@dataclass
class Layout:
    ops: list[TextOp]
    rules: list[tuple[float, float, float, float, int]]  # x0, y0, x1, y1, width
    lines: list[str]  # ground truth
    bottom: float
    sign_center: tuple[float, float]  # centre of the signature gap
    sign_top: float  # top of the signature block titles


class _Layouter:
    def __init__(self, family: str, body_pt: float, spacing: float, margins: tuple[int, ...]):
        self.family = family
        self.body_pt = body_pt
        self.spacing = spacing
        self.left, self.top, self.right, self.bottom_margin = margins
        self.width = mm(A4_MM[0]) - self.left - self.right
        self.ops: list[TextOp] = []
        self.rules: list[tuple[float, float, float, float, int]] = []
        self.lines: list[str] = []
        self.y = float(self.top)
        self.sign_center = (0.0, 0.0)
        self.sign_top = 0.0

    def size_px(self, delta: float) -> int:
        return pt(self.body_pt + delta)

    def line_h(self, size_px: int) -> float:
        return size_px * self.spacing

    def measure(self, spans: list[Span], size_px: int) -> float:
        return sum(font(self.family, s.style, size_px).getlength(s.text) for s in spans)

    def put(self, spans: list[Span], x: float, baseline: float, size_px: int) -> None:
        for s in spans:
            if s.text:
                self.ops.append(TextOp(x, baseline, s.text, s.style, size_px))
            x += font(self.family, s.style, size_px).getlength(s.text)

    def fit_size(self, lines: list[list[Span]], width: float, size_px: int) -> int:
        # Long agency names are set smaller rather than wrapped, as typists do.
        while size_px > pt(9) and max(self.measure(sp, size_px) for sp in lines) > width:
            size_px -= 2
        return size_px

    def header(self, h: Header) -> None:
        split = self.left + self.width * 0.42
        cols = ((self.left - mm(8), split, h.left, h.left_rule_after, h.left_size, 0.0),
                (split, self.left + self.width + mm(5), h.right, h.right_rule_after, h.right_size,
                 h.right_raise_mm))
        bottoms = []
        for x0, x1, lines, rule_after, delta, raise_mm in cols:
            # Keep a clear gutter between agency and motto, as on the real forms.
            size_px = self.fit_size(lines, x1 - x0 - mm(8), self.size_px(delta))
            y = self.y - mm(raise_mm)
            for i, spans in enumerate(lines):
                y += self.line_h(size_px) * (1.0 if i == 0 else 0.92)
                w = self.measure(spans, size_px)
                cx = (x0 + x1) / 2
                self.put(spans, cx - w / 2, y, size_px)
                if i == rule_after:
                    rw = w if x0 > self.left else w * 0.4
                    self.rules.append((cx - rw / 2, y + size_px * 0.3, cx + rw / 2,
                                       y + size_px * 0.3, 3))
                    if rule_after < len(lines) - 1:
                        y += size_px * 0.35
            bottoms.append(y)
        self.lines += ["".join(s.text for s in sp) for sp in h.left]
        self.lines += ["".join(s.text for s in sp) for sp in h.right]
        self.y = max(bottoms) + self.line_h(self.size_px(0)) * 0.3

    def words(self, spans: list[Span]) -> list[Word]:
        """Split spans into words; a word may change style mid-way ("HẰNG" bold glued to
        the "," after it), so a word is a tuple of styled pieces."""
        out: list[Word] = []
        glue = False  # the previous span ended inside a word
        for s in spans:
            parts = s.text.split(" ")
            for i, w in enumerate(parts):
                if not w:
                    continue
                if i == 0 and glue and out:
                    out[-1] = (*out[-1], Span(w, s.style))
                else:
                    out.append((Span(w, s.style),))
            glue = bool(s.text) and not s.text.endswith(" ")
        return out

    def word_len(self, word: Word, size_px: int) -> float:
        return sum(font(self.family, p.style, size_px).getlength(p.text) for p in word)

    def wrap(self, spans: list[Span], first_w: float, rest_w: float, size_px: int
             ) -> list[list[Word]]:
        lines: list[list[Word]] = [[]]
        width = 0.0
        space = font(self.family, "r", size_px).getlength(" ")
        for w in self.words(spans):
            ww = self.word_len(w, size_px)
            limit = first_w if len(lines) == 1 else rest_w
            if lines[-1] and width + space + ww > limit:
                lines.append([])
                width = 0.0
            width += (space if lines[-1] else 0) + ww
            lines[-1].append(w)
        return [ln for ln in lines if ln]

    @staticmethod
    def line_text(words: list[Word]) -> str:
        return " ".join("".join(p.text for p in w) for w in words)

    def line_spans(self, words: list[Word]) -> list[Span]:
        """Merge a wrapped line's words back into runs of one style, spaces included."""
        out: list[Span] = []
        for i, w in enumerate(words):
            for k, piece in enumerate(w):
                text = (" " if i and k == 0 else "") + piece.text
                if out and out[-1].style == piece.style:
                    out[-1] = Span(out[-1].text + text, piece.style)
                else:
                    out.append(Span(text, piece.style))
        return out

    def para(self, p: Para) -> None:
        size_px = self.size_px(p.size)
        self.y += self.line_h(size_px) * p.space_before
        if p.columns:
            step = self.width / len(p.columns)
            widths = [self.measure(c, size_px) for c in p.columns]
            fits = all(w < step - mm(3) for w in widths)
            x = float(self.left)
            self.y += self.line_h(size_px)
            for i, col in enumerate(p.columns):
                if fits:
                    x = self.left + i * step
                self.put(col, x, self.y, size_px)
                x += widths[i] + mm(6)
            self.lines.append(" ".join("".join(s.text for s in c).strip() for c in p.columns))
            return
        indent, hang = mm(p.indent_mm), mm(p.hang_mm)
        wrapped = self.wrap(p.spans, self.width - indent, self.width - hang, size_px)
        for i, words in enumerate(wrapped):
            self.y += self.line_h(size_px)
            spans = self.line_spans(words)
            w = self.measure(spans, size_px)
            if p.align == "center":
                x = self.left + (self.width - w) / 2
            elif p.align == "right":
                x = self.left + self.width - w
            else:
                x = self.left + (indent if i == 0 else hang)
            self.put(spans, x, self.y, size_px)
            self.lines.append(self.line_text(words))

    def table(self, t: Table) -> None:
        size_px = self.size_px(-0.5)
        pad = mm(1.8)
        self.y += self.line_h(size_px) * t.space_before
        x_edges = [float(self.left)]
        for f in t.widths:
            x_edges.append(x_edges[-1] + f * self.width)
        top = self.y
        self.rules.append((x_edges[0], top, x_edges[-1], top, 3))
        for r, row in enumerate(t.rows):
            cells = [self.wrap(c, x_edges[k + 1] - x_edges[k] - 2 * pad,
                               x_edges[k + 1] - x_edges[k] - 2 * pad, size_px)
                     for k, c in enumerate(row)]
            n = max(1, *(len(c) for c in cells))
            for k, cell in enumerate(cells):
                y = self.y + pad * 0.5
                for words in cell:
                    y += self.line_h(size_px)
                    spans = self.line_spans(words)
                    x = x_edges[k] + pad
                    if r < t.header_rows:
                        x = (x_edges[k] + x_edges[k + 1] - self.measure(spans, size_px)) / 2
                    self.put(spans, x, y, size_px)
            self.y += n * self.line_h(size_px) + pad * 1.6
            self.rules.append((x_edges[0], self.y, x_edges[-1], self.y, 3 if r < t.header_rows
                               else 2))
            self.lines.append(" ".join(self.line_text(self.words(c)) for c in row))
        for x in x_edges:
            self.rules.append((x, top, x, self.y, 2))

    def sign(self, s: SignBlock) -> None:
        size_px = self.size_px(0)
        cx = self.left + self.width * 0.71
        self.y += self.line_h(size_px) * s.space_before
        if s.dateline:
            self.y += self.line_h(size_px)
            w = self.measure(s.dateline, size_px)
            x = min(cx - w / 2, self.left + self.width - w)
            self.put(s.dateline, x, self.y, size_px)
            self.lines.append("".join(x.text for x in s.dateline))
        self.sign_top = self.y
        for t in s.titles:
            self.y += self.line_h(size_px) * 0.95
            w = self.measure(t, size_px)
            self.put(t, cx - w / 2, self.y, size_px)
            self.lines.append("".join(x.text for x in t))
        if s.note:
            self.y += self.line_h(size_px)
            w = self.measure(s.note, size_px - 4)
            self.put(s.note, cx - w / 2, self.y, size_px - 4)
            self.lines.append("".join(x.text for x in s.note))
        gap = mm(24)
        self.sign_center = (cx, self.y + gap / 2 + size_px * 0.3)
        self.y += gap
        name = [Span(s.name, "b")]
        w = self.measure(name, size_px)
        self.put(name, cx - w / 2, self.y, size_px)
        self.lines.append(s.name)


def layout(page: Page, family: str, body_pt: float, spacing: float,
           margins: tuple[int, ...]) -> Layout:
    lay = _Layouter(family, body_pt, spacing, margins)
    for b in page.blocks:
        if isinstance(b, Header):
            lay.header(b)
        elif isinstance(b, Para):
            lay.para(b)
        elif isinstance(b, Table):
            lay.table(b)
        else:
            lay.sign(b)
    return Layout(lay.ops, lay.rules, lay.lines, lay.y, lay.sign_center, lay.sign_top)


def fit_layout(page: Page, family: str, rng: random.Random) -> Layout:
    """Lay out with a drawn body size and spacing, shrinking until the page fits A4."""
    body_pt = rng.choice([12.0, 12.5, 13.0, 13.0, 13.5, 14.0])
    spacing = rng.uniform(1.3, 1.55)
    margins = (mm(rng.uniform(25, 32)), mm(rng.uniform(12, 20)), mm(rng.uniform(14, 20)),
               mm(15))
    limit = mm(A4_MM[1]) - margins[3]
    while True:
        lay = layout(page, family, body_pt, spacing, margins)
        if lay.bottom <= limit or body_pt <= 10.5:
            return lay
        if spacing > 1.25:
            spacing -= 0.05
        else:
            body_pt -= 0.5


# ----------------------------------------------------------------------------- seal, pen


def _star(cx: float, cy: float, r: float) -> list[tuple[float, float]]:
    pts = []
    for k in range(10):
        a = -math.pi / 2 + k * math.pi / 5
        rr = r if k % 2 == 0 else r * 0.4
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    return pts


def seal_image(ring: str, center: list[str], rng: random.Random) -> Image.Image:
    """A round red seal: two rings, the agency name around, a star in the middle. Returned
    as an 'L' mask of ink coverage (0..255) to be blended in red."""
    r = mm(rng.uniform(18, 21))
    size = 2 * r + 20
    im = Image.new("L", (size, size), 0)
    d = ImageDraw.Draw(im)
    c = size / 2
    d.ellipse((c - r, c - r, c + r, c + r), outline=255, width=mm(0.7))
    ri = r * 0.7
    d.ellipse((c - ri, c - ri, c + ri, c + ri), outline=255, width=mm(0.3))
    d.polygon(_star(c, c - (ri * 0.12 if center else 0), ri * 0.32), fill=255)
    # Text around: fill about 330 degrees of the circumference, starting lower left.
    text = ring + " * "
    tr = (r + ri) / 2
    fpx = mm(3.2)
    f = ImageFont.truetype(font_path("LiberationSans", "b"), fpx)
    total = sum(f.getlength(ch) for ch in text) * 1.08
    fpx = max(18, int(fpx * min(1.3, 2 * math.pi * tr * 0.95 / total)))
    f = ImageFont.truetype(font_path("LiberationSans", "b"), fpx)
    adv = [f.getlength(ch) * 1.08 for ch in text]
    span = sum(adv) / tr
    angle = -math.pi / 2 - span / 2
    for ch, a in zip(text, adv, strict=True):
        mid = angle + a / 2 / tr
        angle += a / tr
        if ch == " ":
            continue
        g = Image.new("L", (fpx * 2, fpx * 2), 0)
        ImageDraw.Draw(g).text((fpx, fpx), ch, font=f, fill=255, anchor="mm")
        g = g.rotate(-math.degrees(mid) - 90, resample=Image.Resampling.BICUBIC)
        x = c + tr * math.cos(mid) - fpx
        y = c + tr * math.sin(mid) - fpx
        im.paste(255, (int(x), int(y)), g)
    if center:
        cf = ImageFont.truetype(font_path("LiberationSans", "b"), mm(2.6))
        y = c + ri * 0.35
        for line in center:
            d.text((c, y), line, font=cf, fill=255, anchor="mm")
            y += mm(3.2)
    # Uneven stamping: ink coverage varies smoothly and the edge is slightly soft.
    nrng = np.random.default_rng(rng.randrange(2**32))
    noise = nrng.random((size // 40 + 2, size // 40 + 2)).astype(np.float32)
    low = np.asarray(Image.fromarray((noise * 255).astype(np.uint8)).resize(
        (size, size), Image.Resampling.BICUBIC), dtype=np.float32) / 255
    cover = np.clip(0.55 + 0.6 * low, 0, 1)
    arr = np.asarray(im.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32) * cover
    return Image.fromarray(arr.astype(np.uint8)).rotate(rng.uniform(-25, 25),
                                                        resample=Image.Resampling.BICUBIC)


def signature_image(rng: random.Random) -> Image.Image:
    """Pen strokes: a few chained cubic Béziers with a flourish, as an 'L' coverage mask."""
    w, h = mm(50), mm(20)
    im = Image.new("L", (w, h), 0)
    d = ImageDraw.Draw(im)
    strokes = rng.randrange(2, 5)
    x = float(mm(4))
    for _s in range(strokes):
        pts = [(x, h * rng.uniform(0.3, 0.8))]
        for _k in range(rng.randrange(2, 5)):
            p0 = pts[-1]
            p3 = (min(w - mm(3), p0[0] + rng.uniform(mm(3), mm(12))), h * rng.uniform(0.15, 0.9))
            p1 = (p0[0] + rng.uniform(-mm(4), mm(8)), h * rng.uniform(0.0, 1.0))
            p2 = (p3[0] + rng.uniform(-mm(8), mm(4)), h * rng.uniform(0.0, 1.0))
            for t in np.linspace(0, 1, 24)[1:]:
                u = 1 - t
                pts.append((u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0]
                            + t**3 * p3[0],
                            u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1]
                            + t**3 * p3[1]))
        d.line(pts, fill=255, width=rng.randrange(3, 6), joint="curve")
        x = pts[-1][0] + rng.uniform(-mm(8), mm(2))
    # The final underline flourish most signatures end with.
    y = h * rng.uniform(0.65, 0.9)
    d.line([(mm(2), y), (w * rng.uniform(0.6, 0.95), y - rng.uniform(0, mm(4)))], fill=255,
           width=rng.randrange(2, 5))
    return im.filter(ImageFilter.GaussianBlur(0.8))


def _blend(canvas: np.ndarray, mask: Image.Image, xy: tuple[int, int],
           colour: tuple[int, int, int], strength: float) -> None:
    """Multiply ink onto paper (dark text stays dark under the seal, as with real ink)."""
    m = np.asarray(mask, dtype=np.float32) / 255 * strength
    x, y = xy
    h, w = m.shape
    H, W = canvas.shape[:2]
    x0, y0, x1, y1 = max(0, x), max(0, y), min(W, x + w), min(H, y + h)
    if x0 >= x1 or y0 >= y1:
        return
    m = m[y0 - y:y1 - y, x0 - x:x1 - x, None]
    region = canvas[y0:y1, x0:x1].astype(np.float32)
    ink = np.array(colour, dtype=np.float32) / 255
    canvas[y0:y1, x0:x1] = (region * (1 - m + m * ink)).astype(np.uint8)


@dataclass
class Rendered:
    image: Image.Image  # RGB, 300 dpi, A4
    lines: list[str]
    font: str


def render(page: Page, rng: random.Random, family: str) -> Rendered:
    return draw(page, fit_layout(page, family, rng), rng, family)


def draw(page: Page, lay: Layout, rng: random.Random, family: str) -> Rendered:
    """Print a laid-out page, then sign and seal it (the handwritten forms lay out their
    own dotted lines, then share this)."""
    W, H = mm(A4_MM[0]), mm(A4_MM[1])
    im = Image.new("RGB", (W, H), (255, 255, 255))
    d = ImageDraw.Draw(im)
    ink = rng.randrange(0, 40)
    for op in lay.ops:
        d.text((op.x, op.y), op.text, font=font(family, op.style, op.size_px),
               fill=(ink, ink, ink), anchor="ls")
    for x0, y0, x1, y1, w in lay.rules:
        d.line((x0, y0, x1, y1), fill=(ink, ink, ink), width=w)
    canvas = np.array(im)
    cx, cy = lay.sign_center
    pen = (20, 40, 150) if rng.random() < 0.6 else (25, 25, 30)
    sig = signature_image(rng)
    _blend(canvas, sig, (int(cx - sig.width / 2 + rng.uniform(-mm(8), mm(8))),
                         int(cy - sig.height / 2)), pen, 0.95)
    seal = seal_image(page.seal_ring, page.seal_center, rng)
    # The seal sits on the left third of the signature, over part of the titles.
    sx = cx - mm(rng.uniform(16, 26))
    sy = cy + mm(rng.uniform(-2, 4))
    _blend(canvas, seal, (int(sx - seal.width / 2), int(sy - seal.height / 2)),
           (215, 35, 45), rng.uniform(0.75, 0.92))
    return Rendered(Image.fromarray(canvas), lay.lines, family)
