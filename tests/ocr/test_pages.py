"""Real tesseract on rendered Vietnamese pages: text, orientation, skew, seals, layout."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from PIL import Image

from ocr import engine
from tests.support.ocr import (
    ReadDocument,
    add_seal,
    line_box,
    read_document,
    render_page,
    save_image,
)

NAME = "Nguyễn Thị Hương"


def _digitize(path: Path, media_type: str) -> ReadDocument:
    return read_document(str(path), media_type, title="Giấy khai sinh")


def _render_pdf_page(pdf: bytes, tmp_path: Path, dpi: int = 50) -> Image.Image:
    source = tmp_path / "render.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-singlefile", str(source),
                    str(tmp_path / "render")], check=True)
    return Image.open(tmp_path / "render.pgm")


def _looks_like(rendered: Image.Image, upright: Image.Image) -> bool:
    """The rendered page matches the upright original better than its 180° turn."""
    reference = upright.convert("L").resize(rendered.size)
    got = np.asarray(rendered, dtype=np.float64)
    same = np.abs(got - np.asarray(reference, dtype=np.float64)).mean()
    turned = reference.transpose(Image.Transpose.ROTATE_180)
    other = np.abs(got - np.asarray(turned, dtype=np.float64)).mean()
    return bool(same < other * 0.8)


@pytest.fixture(scope="module")
def upright_result(page: Image.Image, tmp_path_factory: pytest.TempPathFactory) -> ReadDocument:
    path = save_image(page, tmp_path_factory.mktemp("upright") / "page.png")
    return _digitize(path, "image/png")


def test_vietnamese_names_keep_their_diacritics(upright_result: ReadDocument) -> None:
    text = upright_result.text
    assert NAME in text
    assert "Trần Thị Lụa" in text
    assert "Nguyễn Văn Đức" in text
    page = upright_result.pages[0]
    assert page.rotated == 0 and page.deskew == 0.0 and not page.blank
    assert page.mean_confidence is not None and page.mean_confidence > 85
    assert upright_result.mean_confidence == page.mean_confidence
    assert (page.dpi, page.dpi_assumed) == (300, False)


def test_archival_pdf_is_pdfa_2b_with_output_intent(upright_result: ReadDocument) -> None:
    assert upright_result.pdfa
    with pikepdf.open(io.BytesIO(upright_result.pdf)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2"
        assert meta["pdfaid:conformance"] == "B"
        assert meta["dc:title"] == "Giấy khai sinh"
        intent = pdf.Root.OutputIntents[0]
        assert intent.S == "/GTS_PDFA1"
        assert len(intent.DestOutputProfile.read_bytes()) > 1000
        assert pdf.trailer.ID[0]
        assert not pdf.is_encrypted


def test_text_layer_lies_on_the_words(upright_result: ReadDocument, tmp_path: Path) -> None:
    source = tmp_path / "out.pdf"
    source.write_bytes(upright_result.pdf)
    xhtml = subprocess.run(["pdftotext", "-bbox", str(source), "-"], capture_output=True,
                           text=True, check=True).stdout
    found = re.search(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"Hương</word>", xhtml)
    assert found, "the word is not selectable in the PDF"
    scale = 300 / 72
    x0, y0, x1, y1 = (float(v) * scale for v in found.groups())
    word = next(w for w in upright_result.pages[0].words if w.text == "Hương")
    wx0, wy0, wx1, wy1 = word.bbox
    slack = 12
    assert wx0 - slack <= x0 and x1 <= wx1 + slack
    assert wy0 - 2 * slack <= y0 and y1 <= wy1 + 2 * slack
    # …and the word's box is where the renderer put line 4 ("Họ, chữ đệm, tên: …").
    lx0, ly0, lx1, ly1 = line_box(4)
    assert lx0 <= wx0 and wx1 <= lx1 and ly0 <= wy0 and wy1 <= ly1


@pytest.mark.parametrize(("turn_ccw", "expected"), [(180, 180), (90, 90)])
def test_turned_page_ends_upright(page: Image.Image, tmp_path: Path, turn_ccw: int,
                                  expected: int) -> None:
    path = save_image(page.rotate(turn_ccw, expand=True), tmp_path / "turned.png")
    result = _digitize(path, "image/png")
    assert result.pages[0].rotated == expected
    assert NAME in result.text
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        pdf_page = pdf.pages[0]
        assert int(pdf_page.obj.get("/Rotate", 0)) == 0
        _, _, width, height = (float(v) for v in pdf_page.mediabox)
        assert width < height
    assert _looks_like(_render_pdf_page(result.pdf, tmp_path), page)


def test_skew_is_corrected(page: Image.Image, tmp_path: Path) -> None:
    skewed = page.rotate(2.5, resample=Image.Resampling.BICUBIC, fillcolor=255)
    result = _digitize(save_image(skewed, tmp_path / "skewed.png"), "image/png")
    assert abs(result.pages[0].deskew - (-2.5)) <= 0.5
    assert NAME in result.text


def test_red_seal_over_text_does_not_destroy_it(tmp_path: Path) -> None:
    sealed = add_seal(render_page(mode="RGB"), centre=(1300, 3020), radius=330)
    result = _digitize(save_image(sealed, tmp_path / "sealed.png"), "image/png")
    with_removal = result.pages[0]
    # The same page read without removing the seal (plain luminance).
    plain = engine.recognize(sealed.convert("L"), tmp_path, dpi=300, languages="vie",
                             want_pdf=False)
    expected = {"Phạm", "Quang", "Vinh", "NGƯỜI", "KÝ", "GIẤY", "KHAI", "SINH"}
    found_with = expected & {w.text for w in with_removal.words}
    found_without = expected & {w.text for w in plain.words}
    assert "Phạm Quang Vinh" in result.text
    assert len(found_with) >= len(found_without)
    assert len(found_with) >= len(expected) - 1
    # The archival image keeps the seal: red pixels remain in the stored page.
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        stream = next(iter(pdf.pages[0].images.values()))
        assert isinstance(stream, pikepdf.Stream)
        image = pikepdf.PdfImage(stream).as_pil_image()
    pixels = np.asarray(image.convert("RGB"), dtype=np.int16)
    red = (pixels[..., 0] - pixels[..., 1] > 100).sum()
    assert red > 1000


def test_blank_page_is_flagged_without_ocr(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    paper = np.full((3508, 2480), 250, dtype=np.uint8)
    paper[rng.random(paper.shape) < 0.0005] = 0  # dust
    path = save_image(Image.fromarray(paper, mode="L"), tmp_path / "blank.png")
    result = _digitize(path, "image/png")
    page = result.pages[0]
    assert page.blank and page.words == [] and page.mean_confidence is None
    assert result.pdfa


def test_image_without_dpi_metadata_assumes_300(page: Image.Image, tmp_path: Path) -> None:
    path = save_image(page, tmp_path / "nodpi.png", dpi=None)
    result = _digitize(path, "image/png")
    assert result.pages[0].dpi_assumed
    assert result.pages[0].dpi == 300
    assert NAME in result.text


def test_bilevel_page_is_stored_as_ccitt_g4(tmp_path: Path) -> None:
    bilevel = render_page(mode="1")
    path = save_image(bilevel, tmp_path / "bw.tif", compression="group4")
    result = _digitize(path, "image/tiff")
    assert NAME in result.text
    with pikepdf.open(io.BytesIO(result.pdf)) as pdf:
        image = next(iter(pdf.pages[0].images.values()))
        assert image.Filter == "/CCITTFaxDecode"
        assert int(image.BitsPerComponent) == 1
    assert len(result.pdf) < 200_000
