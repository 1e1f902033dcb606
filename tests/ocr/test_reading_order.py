"""Reading order and what counts as text, on word boxes as tesseract returns them."""

from __future__ import annotations

from ocr import engine
from ocr.base import Word

H = 40  # a text line's height in pixels (300 dpi, 12 pt)
# The page's first lines are its header (read column by column): a centred title ends it.
TITLE_LINE = (800, "GIẤY CHỨNG NHẬN")


def _line(y: int, block: int, number: int, *pieces: tuple[int, str]) -> list[Word]:
    """One tesseract line at height ``y``: each piece starts at x and is split into words
    laid out 25 px per character with one-character gaps."""
    words = []
    for x, text in pieces:
        for token in text.split():
            width = 25 * len(token)
            words.append(Word(text=token, confidence=95.0, bbox=(x, y, x + width, y + H),
                              line=(block, 1, number)))
            x += width + 25
    return words


def test_wrapped_cells_of_a_boxed_table_read_cell_by_cell() -> None:
    """Husband | wife table whose address cells wrap: tesseract reads across, so the two
    addresses interleave; the text gives each cell whole, as a person reads the row."""
    words = (_line(20, 9, 1, TITLE_LINE)
             + _line(100, 1, 1, (100, "Dân tộc"), (700, "Kinh"), (1500, "Kinh"))
             + _line(160, 1, 2, (100, "Nơi cư trú"), (700, "Số 34 Võ Thị Sáu,"),
                     (1500, "Tổ 33, xã Bình"))
             + _line(210, 1, 3, (700, "xã Tiên Lộc,"), (1500, "Phú, An Giang"))
             + _line(260, 1, 4, (700, "tỉnh Quảng Nam"))
             + _line(330, 1, 5, (100, "Giấy tờ"), (700, "CCCD số"), (1500, "CCCD số"))
             + _line(380, 1, 6, (100, "tùy thân"), (700, "084079213153"),
                     (1500, "017197086168")))
    assert engine.words_to_text(words).splitlines() == [
        "GIẤY CHỨNG NHẬN", "",
        "Dân tộc Kinh Kinh",
        "Nơi cư trú Số 34 Võ Thị Sáu, xã Tiên Lộc, tỉnh Quảng Nam Tổ 33, xã Bình Phú, An Giang",
        "Giấy tờ tùy thân CCCD số 084079213153 CCCD số 017197086168",
    ]


def test_label_and_value_rows_and_paragraphs_keep_their_order() -> None:
    """Two columns (a label and its value) are read across already; a full-width line
    after a table row is not taken for one of its cells."""
    words = (_line(20, 9, 1, TITLE_LINE)
             + _line(100, 1, 1, (100, "Họ và tên:"), (700, "NGUYỄN VĂN AN"))
             + _line(150, 1, 2, (700, "(tên gọi khác: Bé)"))
             + _line(220, 2, 1, (100, "Quốc tịch"), (700, "Việt Nam"), (1500, "Việt Nam"))
             + _line(270, 3, 1, (100, "Nơi đăng ký: Ủy ban nhân dân xã Tiên Lộc, tỉnh Quảng Nam")))
    assert engine.words_to_text(words).split("\n") == [
        "GIẤY CHỨNG NHẬN", "",
        "Họ và tên: NGUYỄN VĂN AN",
        "(tên gọi khác: Bé)",
        "",
        "Quốc tịch Việt Nam Việt Nam",
        "",
        "Nơi đăng ký: Ủy ban nhân dân xã Tiên Lộc, tỉnh Quảng Nam",
    ]


def test_stray_marks_are_not_text_but_punctuation_and_misread_letters_are() -> None:
    words = _line(20, 9, 1, TITLE_LINE) + _line(100, 1, 1, (100, "¡ Dân tộc: Kinh ⁄ - (*) €) ˆ"))
    assert engine.words_to_text(words) == "GIẤY CHỨNG NHẬN\n\nDân tộc: Kinh - (*) €)"
