"""Write pages as the files scanners produce, and whole batches with ground truth.

Formats: PNG and JPEG (one page), TIFF (multi-page; bilevel pages CCITT Group 4,
others Deflate) and image-only PDF (img2pdf when installed, Pillow otherwise). The dpi
is written in every format unless ``dpi_metadata=False``: then raster files carry no
resolution and PDF pages are sized as if 72 dpi (one pixel per point).
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PIL import Image

from specimens.degrade import degradation_profile, degraded_pages
from specimens.documents import Specimen, generate_set
from specimens.render import render_page

FORMATS = ("png", "jpeg", "tiff", "pdf")
EXTENSIONS = {"png": ".png", "jpeg": ".jpg", "tiff": ".tif", "pdf": ".pdf"}
GROUND_TRUTH = "ground_truth.jsonl"

try:  # optional: img2pdf embeds JPEG and CCITT data as they are, without re-encoding
    import img2pdf
except ImportError:  # pragma: no cover - depends on the environment
    img2pdf = None


def _format_of(path: Path, fmt: str | None) -> str:
    if fmt is not None:
        fmt = fmt.lower()
        fmt = "jpeg" if fmt == "jpg" else "tiff" if fmt == "tif" else fmt
    else:
        suffix = path.suffix.lower().lstrip(".")
        fmt = {"jpg": "jpeg", "tif": "tiff"}.get(suffix, suffix)
    if fmt not in FORMATS:
        raise ValueError(f"unsupported format {fmt!r}; use one of {', '.join(FORMATS)}")
    return fmt


def _page_dpi(image: Image.Image, dpi: int | None) -> int | None:
    if dpi is not None:
        return dpi
    found = image.info.get("dpi")
    return round(found[0]) if found else None


def _pdf_page_bytes(image: Image.Image, dpi: int | None, jpeg_quality: int) -> bytes:
    """One page encoded the way a scanner's PDF would hold it."""
    buffer = io.BytesIO()
    options: dict[str, Any] = {"dpi": (dpi, dpi)} if dpi else {}
    if image.mode == "1":
        image.save(buffer, "TIFF", compression="group4", **options)
    elif image.mode in ("L", "RGB"):
        image.save(buffer, "JPEG", quality=jpeg_quality, **options)
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=jpeg_quality, **options)
    return buffer.getvalue()


def _save_pdf(pages: list[Image.Image], path: Path, dpis: list[int | None],
              jpeg_quality: int) -> None:
    if img2pdf is not None:
        # Without a known dpi img2pdf would assume 96; 72 keeps one pixel per point,
        # the same as the Pillow path.
        chunks = [_pdf_page_bytes(p, d, jpeg_quality) for p, d in zip(pages, dpis, strict=True)]
        if all(dpis):
            path.write_bytes(img2pdf.convert(chunks))
        else:
            layout = img2pdf.get_fixed_dpi_layout_fun((72, 72))
            path.write_bytes(img2pdf.convert(chunks, layout_fun=layout))
        return
    resolution = float(dpis[0] or 72)
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:], resolution=resolution)


def save(images: Image.Image | Sequence[Image.Image], path: str | Path,
         fmt: str | None = None, *, dpi: int | None = None, dpi_metadata: bool = True,
         jpeg_quality: int = 90) -> Path:
    """Write one or more pages to ``path``; ``fmt`` defaults to the file extension.

    ``dpi`` defaults to each page's ``info["dpi"]``. PNG and JPEG take one page only.
    """
    path = Path(path)
    pages = [images] if isinstance(images, Image.Image) else list(images)
    if not pages:
        raise ValueError("nothing to save: no pages")
    fmt = _format_of(path, fmt)
    if fmt in ("png", "jpeg") and len(pages) > 1:
        raise ValueError(f"{fmt} holds one page; use tiff or pdf for {len(pages)} pages")
    dpis = [_page_dpi(p, dpi) if dpi_metadata else None for p in pages]
    path.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"dpi": (dpis[0], dpis[0])} if dpis[0] else {}
    if fmt == "png":
        pages[0].save(path, "PNG", optimize=False, **options)
    elif fmt == "jpeg":
        page = pages[0] if pages[0].mode in ("L", "RGB") else pages[0].convert("L")
        page.save(path, "JPEG", quality=jpeg_quality, **options)
    elif fmt == "tiff":
        bilevel = all(p.mode == "1" for p in pages)
        pages[0].save(path, "TIFF", save_all=True, append_images=pages[1:],
                      compression="group4" if bilevel else "tiff_adobe_deflate", **options)
    else:
        _save_pdf(pages, path, dpis, jpeg_quality)
    return path


def make_batch(out_dir: str | Path, n: int, seed: int, degraded: bool = False
               ) -> list[tuple[Path, Specimen]]:
    """Write ``n`` papers (all types round-robin) to ``out_dir`` plus ``ground_truth.jsonl``.

    Clean batches are 300 dpi PNGs in the default font. Degraded batches draw a
    ``degradation_profile`` per page (format, dpi, font and scan defects). Each JSON
    line is ``{"filename": ..., "degradation": profile-or-null, **specimen.to_dict()}``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(f"batch:{seed}")
    written: list[tuple[Path, Specimen]] = []
    with (out / GROUND_TRUTH).open("w", encoding="utf-8") as truth:
        for index, specimen in enumerate(generate_set(n, seed)):
            page_seed = rng.randrange(2**31)
            profile: dict[str, Any] | None = None
            quality = 90
            if degraded:
                profile = degradation_profile(page_seed)
                if profile["format"] == "jpeg":
                    # The file's own compression is the JPEG damage; avoid doing it twice.
                    quality = profile["jpeg_quality"] or quality
                    pages = degraded_pages(specimen, {**profile, "jpeg_quality": None},
                                           page_seed)
                else:
                    pages = degraded_pages(specimen, profile, page_seed)
                fmt, with_dpi = profile["format"], profile["dpi_metadata"]
            else:
                pages, fmt, with_dpi = [render_page(specimen)], "png", True
            name = f"{index:04d}_{specimen.doc_type}{EXTENSIONS[fmt]}"
            path = save(pages, out / name, fmt, dpi_metadata=with_dpi, jpeg_quality=quality)
            record = {"filename": name, "degradation": profile, **specimen.to_dict(),
                      "pages": len(pages)}
            truth.write(json.dumps(record, ensure_ascii=False) + "\n")
            written.append((path, specimen))
    return written


def load_ground_truth(out_dir: str | Path) -> list[tuple[Path, Specimen, dict[str, Any] | None]]:
    """Read back a batch: each file's path, its ``Specimen`` and its degradation profile
    (``None`` for clean batches; its ``back_page`` says whether page 2 is a blank back)."""
    out = Path(out_dir)
    rows = []
    for line in (out / GROUND_TRUTH).read_text(encoding="utf-8").splitlines():
        if line.strip():
            data = json.loads(line)
            rows.append((out / data["filename"], Specimen.from_dict(data),
                         data.get("degradation")))
    return rows
