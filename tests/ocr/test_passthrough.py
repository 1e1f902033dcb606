"""A scan already compressed losslessly is not encoded a second time for the archive."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from ocr import pdfpage, plan_pages, run_page


def _png(image: Image.Image, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", **options)
    return out.getvalue()


def _only_image(pdf_bytes: bytes) -> tuple[bytes, Image.Image]:
    with pikepdf.open(io.BytesIO(pdf_bytes)) as pdf:
        (raw,) = pdf.pages[0].images.values()
        assert isinstance(raw, pikepdf.Stream)  # an image XObject is a stream
        return raw.read_raw_bytes(), pikepdf.PdfImage(raw).as_pil_image()


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_an_8_bit_png_is_shown_from_its_own_compressed_data(mode: str) -> None:
    rng = np.random.default_rng(5)
    shape = (120, 90) if mode == "L" else (120, 90, 3)
    image = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8), mode=mode)
    data = _png(image, compress_level=9)
    flate = pdfpage.passable_png(data, mode)
    assert flate is not None
    raw, shown = _only_image(pdfpage.image_page(image, 300, None, png=flate))
    assert raw == flate
    assert shown.mode == mode and np.array_equal(np.asarray(shown), np.asarray(image))


def test_pngs_a_pdf_cannot_show_as_they_are_are_encoded_again() -> None:
    gray = Image.fromarray(np.arange(256, dtype=np.uint8).reshape(16, 16), mode="L")
    assert pdfpage.passable_png(_png(gray, optimize=False), "RGB") is None  # other mode
    assert pdfpage.passable_png(_png(gray.convert("P")), "RGB") is None  # palette
    # Pillow writes no interlaced PNG: the header of one, as such a file has it.
    interlaced = bytearray(_png(gray))
    interlaced[28] = 1
    assert pdfpage.passable_png(bytes(interlaced), "L") is None
    sixteen = _png(Image.new("I;16", (4, 4)))
    assert pdfpage.passable_png(sixteen, "L") is None
    assert pdfpage.passable_png(b"GIF89a" + bytes(40), "L") is None


def test_a_png_page_goes_through_the_pipeline_unencoded(page: Image.Image,
                                                        tmp_path: Path) -> None:
    path = tmp_path / "page.png"
    small = page.convert("L").crop((0, 0, page.width, page.height // 4))
    small.save(path, dpi=(300, 300))
    (job,) = plan_pages(str(path), "image/png", out_dir=str(tmp_path))
    result = run_page(job)
    raw, shown = _only_image(Path(result.pdf_path).read_bytes())
    assert raw == pdfpage.passable_png(path.read_bytes(), "L")
    assert np.array_equal(np.asarray(shown), np.asarray(small))
    assert result.text
