"""Counting pages and refusing bad input, cheaply, in the calling process."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pikepdf
from PIL import Image, UnidentifiedImageError

from ocr.base import DEFAULT_LANGUAGES, DEFAULT_MAX_PIXELS, OcrInputError, PageJob

PDF = "application/pdf"
# No page is rendered for OCR below this resolution (ocr.pipeline chooses 200–600 dpi
# and lowers it only to stay under the pixel limit).
MIN_RENDER_DPI = 50
IMAGE_TYPES = {
    "image/tiff": "TIFF",
    "image/jpeg": "JPEG",
    "image/jpg": "JPEG",
    "image/pjpeg": "JPEG",
    "image/png": "PNG",
}

MESSAGES = {
    "pdf_encrypted": "Tệp PDF được bảo vệ bằng mật khẩu; hãy gỡ mật khẩu rồi số hóa lại.",
    "pdf_corrupt": "Tệp PDF bị hỏng hoặc không đầy đủ (có thể bị cắt cụt khi sao chép); "
    "hãy quét hoặc sao chép lại tệp.",
    "image_corrupt": "Tệp ảnh bị hỏng hoặc không đọc được; hãy quét lại.",
    "image_too_large": "Ảnh quá lớn ({pixels} điểm ảnh, tối đa {limit}); "
    "hãy quét lại ở độ phân giải 300 dpi.",
    "unsupported_type": "Định dạng tệp không được hỗ trợ ({media_type}); "
    "chỉ nhận PDF, TIFF, JPEG và PNG.",
    "empty_document": "Tài liệu không có trang nào (tệp rỗng).",
}


def input_error(code: str, **details: object) -> OcrInputError:
    return OcrInputError(code, MESSAGES[code].format(**details))


def too_large(max_pixels: int) -> OcrInputError:
    return input_error("image_too_large", pixels=f"> {max_pixels:,}", limit=f"{max_pixels:,}")


def normalise_media_type(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def is_pdf(media_type: str) -> bool:
    return normalise_media_type(media_type) == PDF


@contextmanager
def pixel_limit(max_pixels: int) -> Iterator[None]:
    """Make Pillow refuse images over ``max_pixels`` before decoding any pixel.

    Pillow only warns between 1× and 2× its limit; the warning is turned into the
    error so a bomb is refused at header-reading time.
    """
    previous = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = max_pixels
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    finally:
        Image.MAX_IMAGE_PIXELS = previous


def open_pdf(path: Path) -> pikepdf.Pdf:
    """Open a PDF for reading, mapping every failure to a clear input error."""
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(0, 2)
        size = handle.tell()
        handle.seek(max(0, size - 2048))
        tail = handle.read()
    # qpdf silently reconstructs truncated files; a missing %%EOF is the sign that the
    # copy was cut short, and pages recovered from it may be missing or partial.
    if b"%PDF-" not in head or b"%%EOF" not in tail:
        raise input_error("pdf_corrupt")
    try:
        return pikepdf.open(path)
    except pikepdf.PasswordError as exc:
        raise input_error("pdf_encrypted") from exc
    except (pikepdf.PdfError, ValueError, RuntimeError) as exc:
        raise input_error("pdf_corrupt") from exc


def display_size(page: pikepdf.Page) -> tuple[float, float]:
    """The page as shown (crop box, turned by /Rotate), in points."""
    x0, y0, x1, y1 = (float(v) for v in page.cropbox)
    width, height = abs(x1 - x0), abs(y1 - y0)
    if int(page.obj.get("/Rotate", 0)) % 180:
        return height, width
    return width, height


def check_page_pixels(page: pikepdf.Page, dpi: int, max_pixels: int) -> None:
    """Refuse a page whose render at ``dpi`` would exceed the pixel limit.

    Checked from the page's box, before pdftoppm runs: a 541-byte PDF with a
    30000×30000 pt page otherwise costs gigabytes of memory and temporary files
    before the decoded image is found too large.
    """
    width_pt, height_pt = display_size(page)
    width, height = math.ceil(width_pt * dpi / 72), math.ceil(height_pt * dpi / 72)
    if width * height > max_pixels:
        raise input_error("image_too_large", pixels=f"{width}×{height}", limit=f"{max_pixels:,}")


def pdf_page_count(path: Path, max_pixels: int) -> int:
    """Pages of a PDF, each checked to fit the pixel limit at the lowest render DPI."""
    with open_pdf(path) as pdf:
        try:
            for page in pdf.pages:
                check_page_pixels(page, MIN_RENDER_DPI, max_pixels)
            return len(pdf.pages)
        except (pikepdf.PdfError, RuntimeError, TypeError, ValueError) as exc:
            raise input_error("pdf_corrupt") from exc


def image_frames(path: Path, max_pixels: int) -> int:
    """Frames of an image file, each checked against the pixel limit from its header."""
    with pixel_limit(max_pixels):
        try:
            with Image.open(path) as image:
                count = getattr(image, "n_frames", 1)
                for index in range(count):
                    image.seek(index)
                    check_pixels(image.size, max_pixels)
                return count
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_large(max_pixels) from exc
        # Pillow reports a malformed header in many ways (a TIFF without ImageWidth is a
        # TypeError, a truncated IHDR a ValueError): all mean the same to the archivist.
        except (UnidentifiedImageError, OSError, SyntaxError, EOFError, TypeError,
                ValueError) as exc:
            raise input_error("image_corrupt") from exc


def check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise input_error("image_too_large", pixels=f"{width}×{height}", limit=f"{max_pixels:,}")
    if width == 0 or height == 0:
        raise input_error("image_corrupt")


def plan_pages(
    source_path: str,
    media_type: str,
    *,
    out_dir: str,
    languages: str = DEFAULT_LANGUAGES,
    max_pixels: int = DEFAULT_MAX_PIXELS,
) -> list[PageJob]:
    """One job per page (or TIFF frame), each writing its PDF into ``out_dir`` (the
    document's work folder); raises ``OcrInputError`` for unusable input."""
    path = Path(source_path)
    if path.stat().st_size == 0:
        raise input_error("empty_document")
    kind = normalise_media_type(media_type)
    if kind == PDF:
        count = pdf_page_count(path, max_pixels)
    elif kind in IMAGE_TYPES:
        count = image_frames(path, max_pixels)
    else:
        raise input_error("unsupported_type", media_type=media_type or "không rõ")
    if count == 0:
        raise input_error("empty_document")
    return [
        PageJob(source_path=source_path, media_type=kind, index=i, languages=languages,
                max_pixels=max_pixels, out_dir=out_dir)
        for i in range(count)
    ]
