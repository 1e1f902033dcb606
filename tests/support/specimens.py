"""Helpers for the specimens tests: ink measurement and a real tesseract call."""

from __future__ import annotations

import io
import os
import re
import subprocess
import unicodedata

import numpy as np
from PIL import Image


def ink_share(image: Image.Image) -> float:
    """Share of pixels darker than mid-gray."""
    return float((np.asarray(image.convert("L")) < 128).mean())


def red_pixels(image: Image.Image) -> int:
    """Pixels that are clearly seal red."""
    pixels = np.asarray(image.convert("RGB")).astype(int)
    red, green, blue = pixels[..., 0], pixels[..., 1], pixels[..., 2]
    return int(((red > 150) & (green < 120) & (blue < 120)).sum())


def tesseract_text(image: Image.Image, languages: str = "vie") -> str:
    """OCR one page with the real tesseract CLI, single-threaded as the house rules ask."""
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=image.info.get("dpi", (300, 300)))
    done = subprocess.run(
        ["tesseract", "-", "-", "-l", languages],
        input=buffer.getvalue(), capture_output=True, check=True, timeout=120,
        env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    return re.sub(r"\s+", " ", done.stdout.decode("utf-8"))


def without_marks(text: str) -> str:
    """Text with Vietnamese diacritics removed (đ → d), for lenient comparisons."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))
