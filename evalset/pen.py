"""Handwriting: a line of text written with a handwriting-style font, character by
character, so that no two fields look alike.

Per character: size and rotation jitter, a baseline that wobbles (a slow wave plus
noise), spacing that varies, and a pen pressure that drifts along the line (thicker or
thinner strokes, lighter or darker ink). Per line: a slant (shear) and the pen's base
width. Returned as an 'L' coverage mask (255 = full ink) and the baseline's row in it.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from evalset.handfonts import hand_font


@dataclass(frozen=True)
class Written:
    mask: Image.Image  # 'L', ink coverage
    baseline: int  # row of the baseline within the mask
    width: float  # advance of the whole line before slant, in pixels


def _char_mask(ch: str, font_size: int, cache: Path, family: str, angle: float,
               pen: int) -> tuple[Image.Image, int, float]:
    """One glyph drawn about its baseline origin; (mask, baseline row, advance)."""
    f = hand_font(cache, family, font_size).for_char(ch)
    pad = font_size
    im = Image.new("L", (int(f.getlength(ch)) + 2 * pad, 3 * font_size), 0)
    base = 2 * font_size
    ImageDraw.Draw(im).text((pad, base), ch, font=f, fill=255, anchor="ls")
    if pen > 0:
        im = im.filter(ImageFilter.MaxFilter(2 * pen + 1))
    elif pen < 0:
        # A finer pen: thin by blurring and lowering coverage (MinFilter would break
        # the thin cursive joins).
        im = im.filter(ImageFilter.GaussianBlur(0.6)).point(lambda v: max(0, v * 2 - 255))
    if abs(angle) > 0.1:
        im = im.rotate(angle, resample=Image.Resampling.BICUBIC, center=(pad, base))
    return im, base, f.getlength(ch)


def write(text: str, rng: random.Random, cache: Path, family: str, size_px: int,
          slant_deg: float, pen_width: int) -> Written:
    """Write `text` (NFC) in `family` at about `size_px` pixels per em."""
    pieces: list[tuple[Image.Image, float, float, float]] = []  # mask, x, dy, alpha
    x = 0.0
    wave_len = rng.uniform(3.0, 8.0) * size_px
    wave_amp = rng.uniform(0.02, 0.07) * size_px
    phase = rng.uniform(0, 2 * math.pi)
    drift = rng.uniform(-0.015, 0.015)  # the whole line climbs or sinks a little
    pressure = rng.uniform(-1, 1)
    space = hand_font(cache, family, size_px).for_char(" ").getlength(" ")
    for ch in text:
        if ch == " ":
            x += space * rng.uniform(0.9, 1.6)
            continue
        pressure = max(-1.0, min(1.0, pressure + rng.gauss(0, 0.25)))
        pen = pen_width + (1 if pressure > 0.6 else -1 if pressure < -0.6 else 0)
        size = max(8, round(size_px * rng.uniform(0.9, 1.1)))
        mask, base, adv = _char_mask(ch, size, cache, family, rng.gauss(0, 2.5), max(-1, pen))
        dy = (wave_amp * math.sin(2 * math.pi * x / wave_len + phase) + drift * x
              + rng.gauss(0, 0.03 * size_px))
        pieces.append((mask, x - size, dy - base, rng.uniform(0.78, 1.0)))
        x += adv * rng.uniform(0.92, 1.08)
    width = x
    if not pieces:
        return Written(Image.new("L", (1, 1), 0), 0, 0.0)
    left = min(p[1] for p in pieces)
    top = min(p[2] for p in pieces)
    right = max(p[1] + p[0].width for p in pieces)
    bottom = max(p[2] + p[0].height for p in pieces)
    canvas = np.zeros((int(bottom - top) + 2, int(right - left) + 2), np.float32)
    for mask, px, py, alpha in pieces:
        a = np.asarray(mask, np.float32) * alpha
        y0, x0 = int(py - top), int(px - left)
        region = canvas[y0:y0 + a.shape[0], x0:x0 + a.shape[1]]
        np.maximum(region, a[:region.shape[0], :region.shape[1]], out=region)
    im = Image.fromarray(np.clip(canvas, 0, 255).astype(np.uint8))
    baseline = int(-top)
    # Slant: shear about the baseline (positive leans right, as most hands do).
    k = math.tan(math.radians(slant_deg))
    off = int(abs(k) * im.height) + 2
    sheared = im.transform((im.width + 2 * off, im.height), Image.Transform.AFFINE,
                           (1, k, -k * baseline - off, 0, 1, 0),
                           resample=Image.Resampling.BICUBIC)
    # Trim to the ink, keeping the baseline row known.
    box = sheared.getbbox()
    if box is None:
        return Written(sheared, baseline, width)
    x0, y0, x1, y1 = box
    return Written(sheared.crop((x0, y0, x1, y1)), baseline - y0, width)
