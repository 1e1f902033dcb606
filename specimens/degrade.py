"""Make a clean page look scanned: yellowed paper, a red seal, skew, a page turned on the
glass, blur, speckle, JPEG artefacts, and gray or bilevel output.

``degrade`` applies the steps in the order they happen physically (paper and ink first,
then the scanner); ``degradation_profile`` draws a realistic mix for one page.
"""

from __future__ import annotations

import io
import random
from typing import Any

import numpy as np
from PIL import Image, ImageFilter

from specimens.documents import Specimen
from specimens.render import FONTS, draw_seal, render_page

MODES = ("color", "gray", "bilevel")
TURNS = (0, 90, 180, 270)
# degrade() keyword arguments a profile carries; the rest (dpi, font, format,
# dpi_metadata) is for rendering and writing.
DEGRADE_KEYS = ("skew", "turn", "blur", "noise", "jpeg_quality", "yellow", "seal", "mode")

_TRANSPOSE = {  # clockwise turn of the sheet on the scanner → PIL transpose
    90: Image.Transpose.ROTATE_270,
    180: Image.Transpose.ROTATE_180,
    270: Image.Transpose.ROTATE_90,
}


def _yellowed(image: Image.Image, rng: np.random.Generator) -> Image.Image:
    """Aged paper: a cream tint with slow, blotchy variation; ink stays dark."""
    pixels = np.asarray(image.convert("RGB"), dtype=np.float32)
    h, w = pixels.shape[:2]
    blotches = Image.fromarray(rng.uniform(-12, 6, (9, 7)).astype(np.float32), mode="F")
    variation = np.asarray(blotches.resize((w, h), Image.Resampling.BICUBIC))
    tone = np.array([246, 236, 204], dtype=np.float32) / 255
    out = pixels * tone + variation[..., None] * (pixels / 255)
    return Image.fromarray(np.clip(out, 0, 255).astype(np.uint8), "RGB")


def _speckled(image: Image.Image, share: float, rng: np.random.Generator) -> Image.Image:
    """Salt-and-pepper noise on ``share`` of the pixels, half black, half white."""
    pixels = np.array(image)
    hit = rng.random(pixels.shape[:2]) < share
    white = rng.random(pixels.shape[:2]) < 0.5
    pixels[hit & white] = 255
    pixels[hit & ~white] = 0
    return Image.fromarray(pixels, image.mode)


def _jpeg_roundtrip(image: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    decoded = Image.open(buffer)
    decoded.load()
    return decoded


def _bilevel(image: Image.Image) -> Image.Image:
    # A fixed threshold like a cheap scanner's: the red seal (luma ~90) turns black,
    # yellowed paper (luma ~230) white.
    return image.convert("L").point(lambda v: 255 if v > 165 else 0).convert("1", dither=None)


def degrade(image: Image.Image, *, seed: int, skew: float = 0.0, turn: int = 0,
            blur: float = 0.0, noise: float = 0.0, jpeg_quality: int | None = None,
            yellow: bool = False, seal: bool = False, mode: str = "color") -> Image.Image:
    """A scanned-looking copy of a page rendered by ``render_page``.

    ``skew``: degrees counter-clockwise (±3 is realistic); ``turn``: how far the sheet
    was turned clockwise on the glass (0/90/180/270; an OCR must rotate back by
    ``360 - turn``); ``blur``: Gaussian radius in pixels; ``noise``: share of pixels
    flipped to black/white; ``jpeg_quality``: JPEG round trip (ignored for bilevel);
    ``seal``: stamp the issuer's seal over the signature; ``mode``: color/gray/bilevel.
    The result keeps ``info["dpi"]``.
    """
    if turn not in TURNS:
        raise ValueError(f"turn must be one of {TURNS}, got {turn}")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    dpi = image.info.get("dpi")
    seal_info = image.info.get("sohoa_seal")
    rng = np.random.default_rng(seed)
    page = image.convert("RGB")
    if yellow:
        page = _yellowed(page, rng)
    if seal:
        default_center = (round(page.width * 0.66), round(page.height * 0.8))
        center = seal_info["center"] if seal_info else default_center
        radius = seal_info["radius"] if seal_info else round(page.width * 0.083)
        text = seal_info["text"] if seal_info else "ỦY BAN NHÂN DÂN * VIỆT NAM *"
        page = draw_seal(page, center, radius, text, seed=seed)
    if skew:
        paper = page.getpixel((2, 2))
        page = page.rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=paper)
    if turn:
        page = page.transpose(_TRANSPOSE[turn])
    if blur > 0:
        page = page.filter(ImageFilter.GaussianBlur(blur))
    if mode == "bilevel":
        page = _bilevel(page)
    elif mode == "gray":
        page = page.convert("L")
    if noise > 0:
        page = _speckled(page.convert("L") if mode == "bilevel" else page, noise, rng)
        if mode == "bilevel":
            page = page.convert("1", dither=None)
    if jpeg_quality is not None and mode != "bilevel":
        page = _jpeg_roundtrip(page, jpeg_quality)
    if dpi:
        page.info["dpi"] = dpi
    return page


def degradation_profile(seed: int) -> dict[str, Any]:
    """A realistic mix of scan conditions for one page, drawn from ``seed``.

    Keys: the ``degrade`` arguments (see ``DEGRADE_KEYS``) plus ``dpi`` (200/300),
    ``font`` (one of ``FONTS``), ``format`` (png/jpeg/tiff/pdf, fitting the mode) and
    ``dpi_metadata`` (False for a few files, as some scanners omit it).
    """
    rng = random.Random(seed)
    mode = rng.choices(MODES, weights=(4, 3, 3))[0]
    jpeg_quality = rng.randint(55, 90) if mode != "bilevel" and rng.random() < 0.5 else None
    if mode == "bilevel":
        fmt = rng.choice(("tiff", "tiff", "pdf", "png"))
    elif jpeg_quality is not None:
        fmt = rng.choice(("jpeg", "jpeg", "pdf"))
    else:
        fmt = rng.choice(("png", "tiff", "pdf"))
    return {
        "skew": round(max(-3.0, min(3.0, rng.gauss(0, 1.2))), 2),
        "turn": rng.choice((90, 180, 270)) if rng.random() < 0.15 else 0,
        "blur": round(rng.uniform(0.4, 1.3), 2) if rng.random() < 0.3 else 0.0,
        "noise": round(rng.uniform(0.0005, 0.004), 4) if rng.random() < 0.3 else 0.0,
        "jpeg_quality": jpeg_quality,
        "yellow": mode != "bilevel" and rng.random() < 0.3,
        "seal": rng.random() < 0.75,
        "mode": mode,
        "dpi": 300 if rng.random() < 0.7 else 200,
        "font": rng.choice(FONTS),
        "format": fmt,
        "dpi_metadata": rng.random() > 0.05,
        # Duplex scanners also capture the blank back of the sheet.
        "back_page": fmt in ("tiff", "pdf") and rng.random() < 0.15,
    }


def back_side(front: Image.Image, *, seed: int, **damage: Any) -> Image.Image:
    """The blank back of a sheet: the front's text showing through faintly, mirrored,
    then the same scan damage (no seal)."""
    mirrored = front.convert("L").transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    faint = mirrored.point(lambda v: 255 - (255 - v) // 14).convert("RGB")
    faint.info = {"dpi": front.info.get("dpi")} if front.info.get("dpi") else {}
    return degrade(faint, seed=seed + 1, **{**damage, "seal": False})


def degraded_pages(specimen: Specimen, profile: dict[str, Any], seed: int) -> list[Image.Image]:
    """Render ``specimen`` at the profile's dpi and font and degrade it: one page, or two
    when the profile scans the back side too."""
    clean = render_page(specimen, dpi=profile["dpi"], font=profile["font"])
    damage = {key: profile[key] for key in DEGRADE_KEYS}
    pages = [degrade(clean, seed=seed, **damage)]
    if profile.get("back_page"):
        pages.append(back_side(clean, seed=seed, **damage))
    return pages


def degraded_page(specimen: Specimen, profile: dict[str, Any], seed: int) -> Image.Image:
    """The front page of ``degraded_pages``."""
    return degraded_pages(specimen, {**profile, "back_page": False}, seed)[0]
