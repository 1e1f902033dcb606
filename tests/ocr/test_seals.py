"""Seals printed black by bilevel scanners, and header pieces read again on their own."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from ocr import engine, prepare
from ocr.base import Word
from tests.support.ocr import (
    FONT,
    add_seal,
    cheap_bilevel,
    line_box,
    read_document,
    render_page,
    save_image,
)

DATE = "ngày 20 tháng 02 năm 2023"  # the dateline, line 14 of the rendered page
SEAL_RADIUS = 210  # a 36 mm seal at 300 dpi
SEAL_SHIFT = -100  # its centre, left of the text's left edge


def _sealed_bilevel(shift: int = SEAL_SHIFT) -> Image.Image:
    x0, y0, _, y1 = line_box(15)
    # Overlapping the start of the signature block, as seals are stamped: its ring and
    # lettering cross the dateline, the signer's title and name.
    centre = (x0 + shift, (y0 + y1) // 2)
    return cheap_bilevel(add_seal(render_page(mode="RGB"), centre=centre, radius=SEAL_RADIUS))


def test_black_seal_ring_is_found_where_it_was_stamped() -> None:
    page = _sealed_bilevel(shift=400)
    x0, y0, _, y1 = line_box(15)
    ring = prepare.find_seal_ring(page.convert("L"), 300)
    assert ring is not None
    assert abs(ring.cx - (x0 + 400)) <= 6 and abs(ring.cy - (y0 + y1) // 2) <= 6
    assert abs(ring.radius - SEAL_RADIUS) <= 12


def test_plain_text_page_has_no_seal_ring() -> None:
    assert prepare.find_seal_ring(render_page(mode="1").convert("L"), 300) is None


def test_erasing_the_ring_keeps_the_print_outside_it() -> None:
    gray = _sealed_bilevel().convert("L")
    ring = prepare.find_seal_ring(gray, 300)
    assert ring is not None
    erased = np.asarray(prepare.erase_seal(gray, ring)) < 128
    before = np.asarray(gray) < 128
    yy, xx = np.mgrid[: gray.height, : gray.width]
    distance = np.hypot(yy - ring.cy, xx - ring.cx)
    band = (distance >= 0.75 * ring.radius) & (distance <= ring.radius)
    assert erased[band].mean() < 0.01 < before[band].mean()
    outside = distance > ring.outer + 10
    assert np.array_equal(erased[outside], before[outside])


@pytest.mark.slow
def test_bilevel_page_with_black_seal_over_the_dateline_reads_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    page = _sealed_bilevel()
    path = save_image(page, tmp_path / "sealed.tif", compression="group4")
    result = read_document(str(path), "image/tiff", title="Giấy khai sinh")
    assert DATE in result.text
    assert "Quang Vinh" in result.text
    # Without the ring erased, tesseract's layout takes the whole block for a picture
    # (the second look, off here, may still recover it).
    monkeypatch.setattr(engine, "second_look", lambda _image, words, *_a, **_k: (words, ()))
    plain = engine.recognize(page.convert("L"), tmp_path, dpi=300, languages="vie",
                             want_pdf=False)
    assert DATE not in plain.text
    # The archive keeps the scanner's bilevel image, seal included.
    assert result.pdfa


def _word(text: str, confidence: float, x0: int, line: int = 1) -> Word:
    return Word(text=text, confidence=confidence, bbox=(x0, 100, x0 + 20 * len(text), 140),
                line=(1, 1, line))


def test_noise_is_judged_piece_by_piece_within_a_line() -> None:
    good = [_word("Số:", 93, 100), _word("257/1990/GPXD", 93, 180)]
    noise = [_word("ĐÓ", 7, 1200), _word("n", 0, 1260), _word("HO", 9, 1300)]
    text = engine.words_to_text(good + noise)
    assert text == "Số: 257/1990/GPXD"
    assert engine.header_noise(good + noise, page_height=3508) == [noise]


def test_misread_header_piece_is_read_again_on_its_own(tmp_path: Path) -> None:
    motto = "Độc lập - Tự do - Hạnh phúc"
    sheet = Image.new("L", (2480, 3508), 255)
    font = ImageFont.truetype(FONT, 50)
    ImageDraw.Draw(sheet).text((1200, 150), motto, font=font, fill=0)
    # What tesseract's layout gave back for it: garbage boxes over the motto.
    x1 = 1200 + round(font.getlength(motto))
    garbage = [Word(text=t, confidence=c, bbox=(x, 150, right, 215), line=(2, 1, 1))
               for t, c, x, right in (("ĐÓ", 7, 1200, 1400), ("0000p", 15, 1410, 1700),
                                      ("0Ú", 4, 1710, x1))]
    first = [_word("Số:", 93, 100, line=1), *garbage]
    words, _notes = engine.second_look(sheet, first, tmp_path, dpi=300, languages="vie")
    again = [w for w in words if w.line == (2, 1, 1)]
    assert " ".join(w.text for w in again) == motto
    assert all(w.bbox[0] >= 1150 and w.bbox[2] <= x1 + 50 for w in again)
    assert words[0].text == "Số:" and not any(w in words for w in garbage)
