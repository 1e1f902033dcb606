"""Quick Vietnamese page renders for the OCR tests (independent of ``specimens``)."""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from ocr import PageResult, build_archival, plan_pages, run_page
from ocr.engine import mean_confidence

FONT = "/usr/share/fonts/truetype/noto/NotoSerif-Regular.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/noto/NotoSerif-Bold.ttf"
FONT_SYMBOLS = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

LINES = [
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY KHAI SINH",
    "Số: 127/2023",
    "Họ, chữ đệm, tên: Nguyễn Thị Hương",
    "Ngày, tháng, năm sinh: 14/02/2023",
    "Giới tính: Nữ     Dân tộc: Kinh",
    "Quốc tịch: Việt Nam",
    "Nơi sinh: Bệnh viện Phụ sản Hà Nội",
    "Quê quán: xã Phù Đổng, huyện Gia Lâm",
    "Họ, chữ đệm, tên người mẹ: Trần Thị Lụa",
    "Họ, chữ đệm, tên người cha: Nguyễn Văn Đức",
    "Nơi cư trú: phường Láng Thượng, quận Đống Đa",
    "Nơi đăng ký khai sinh: Ủy ban nhân dân phường Láng Thượng",
    "Hà Nội, ngày 20 tháng 02 năm 2023",
    "NGƯỜI KÝ GIẤY KHAI SINH",
    "Phạm Quang Vinh",
]


def text_of(lines: list[str] = LINES) -> str:
    return "\n".join(lines)


def render_page(
    lines: list[str] = LINES,
    *,
    dpi: int = 300,
    mode: str = "L",
    font_path: str = FONT,
    size_pt: float = 12.0,
    paper: tuple[int, int, int] = (255, 255, 255),
) -> Image.Image:
    """An A4 portrait page with the lines set at the given size, in mode L, RGB or 1."""
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("RGB", (width, height), paper)
    draw = ImageDraw.Draw(page)
    font = ImageFont.truetype(font_path, round(size_pt * dpi / 72))
    x, y = round(0.9 * dpi), round(0.9 * dpi)
    step = round(size_pt * 2.0 * dpi / 72)
    for line in lines:
        draw.text((x, y), line, font=font, fill=(0, 0, 0))
        y += step
    if mode == "1":
        return page.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    return page.convert(mode)


def line_box(index: int, *, dpi: int = 300, size_pt: float = 12.0) -> tuple[int, int, int, int]:
    """The band (x0, y0, x1, y1) occupied by line ``index`` of ``render_page``."""
    step = round(size_pt * 2.0 * dpi / 72)
    y0 = round(0.9 * dpi) + index * step
    return round(0.9 * dpi), y0, round(7.5 * dpi), y0 + step


def add_seal(page: Image.Image, centre: tuple[int, int], radius: int) -> Image.Image:
    """A red round seal (con dấu) multiplied over the page, as ink over print."""
    rgb = page.convert("RGB")
    layer = Image.new("RGB", rgb.size, (255, 255, 255))
    draw = ImageDraw.Draw(layer)
    cx, cy = centre
    red = (215, 30, 40)
    for r, w in ((radius, max(6, radius // 18)), (round(radius * 0.8), max(3, radius // 40))):
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), outline=red, width=w)
    star = ImageFont.truetype(FONT_SYMBOLS, round(radius * 0.5))
    draw.text((cx, cy), "★", font=star, fill=red, anchor="mm")
    band = ImageFont.truetype(FONT_BOLD, round(radius * 0.16))
    draw.text((cx, cy - radius * 0.55), "ỦY BAN NHÂN DÂN", font=band, fill=red, anchor="mm")
    draw.text((cx, cy + radius * 0.55), "PHƯỜNG LÁNG THƯỢNG", font=band, fill=red, anchor="mm")
    return ImageChops.multiply(rgb, layer)


def save_image(page: Image.Image, path: Path, *, dpi: int | None = 300, **kwargs: Any) -> Path:
    params: dict[str, Any] = dict(kwargs)
    if dpi is not None:
        params["dpi"] = (dpi, dpi)
    page.save(path, **params)
    return path


def image_pdf(page: Image.Image, *, dpi: int = 300) -> bytes:
    """A one-page image-only PDF (as a scanner would write it)."""
    out = io.BytesIO()
    page.save(out, format="PDF", resolution=float(dpi))
    return out.getvalue()


def text_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with real (visible, ASCII, Helvetica) text, as an office program
    would write it."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    font = pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica))
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    ops = ["BT /F1 12 Tf 72 770 Td 16 TL"]
    ops += [f"({line}) Tj T*" for line in lines]
    ops.append("ET")
    page.obj.Contents = pdf.make_stream("\n".join(ops).encode("ascii"))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` pixels: a decompression bomb's header."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\xff" * ((width + 7) // 8))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def cheap_bilevel(page: Image.Image) -> Image.Image:
    """A bilevel scan with a cheap scanner's fixed threshold: a red seal comes out black."""
    return page.convert("L").point(lambda v: 255 if v > 165 else 0).convert("1")


@dataclass
class ReadDocument:
    """What the OCR stages make of one file, as the ingest pipeline runs them (plan →
    ``run_page`` per page → ``build_archival``), for tests of the ``ocr`` package alone.
    The pages' own PDFs are removed once assembled: ``pdf`` is the document."""

    pages: list[PageResult]
    pdf: bytes  # the assembled PDF/A-2b, unsigned
    pdfa: bool
    notes: list[str]
    text: str
    mean_confidence: float | None


def read_document(
    source_path: str,
    media_type: str,
    *,
    languages: str = "vie",
    executor: Executor | None = None,
    title: str | None = None,
    max_pixels: int = 200_000_000,
) -> ReadDocument:
    # The pages' PDFs are needed only until they are assembled.
    with tempfile.TemporaryDirectory(prefix="sohoa-test-pages-") as out_dir:
        jobs = plan_pages(source_path, media_type, out_dir=out_dir, languages=languages,
                          max_pixels=max_pixels)
        pages = list(executor.map(run_page, jobs)) if executor else [run_page(j) for j in jobs]
        archival = build_archival(pages, title=title)
    words = [w for p in pages if not p.had_text for w in p.words]
    return ReadDocument(
        pages=pages, pdf=archival.pdf, pdfa=archival.pdfa, notes=list(archival.notes),
        text="\f".join(p.text for p in pages), mean_confidence=mean_confidence(words),
    )


def counted(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> list[int]:
    """Calls to ``module.name`` (still made) are counted in the returned list."""
    calls: list[int] = []
    real: Callable[..., Any] = getattr(module, name)

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counting)
    return calls
