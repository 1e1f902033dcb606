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


def _text_lines(words: list[Word]) -> list[str]:
    """The page's text as laid out, its blank lines left out."""
    return [line for line in engine.words_to_text(words).splitlines() if line]


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


# A title across the middle of these pages' text, which ends the header.
WIDE_TITLE = (300, "GIẤY CHỨNG NHẬN QUYỀN SỬ DỤNG ĐẤT")


def test_lines_the_layout_cut_down_the_middle_are_put_back_together() -> None:
    """A photographed page's crease read as a gutter (fresh draw 3571's e0022): the
    right halves of three lines come out as blocks of their own after all the left
    halves. Halves at the same height one word gap apart are one line again."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 10, 1, (100, "và vợ/chồng: Bà: ĐẶNG ÁNH"))
             + _line(160, 10, 2, (100, "Địa chỉ thường trú: Số 121 Chu"))
             + _line(220, 10, 3, (100, "II. Thửa đất, nhà ở và tài sản"))
             + _line(280, 10, 4, (100, "1. Thửa đất:"))
             + _line(100, 11, 1, (750, "YẾN, năm sinh: 1977"))
             + _line(160, 11, 2, (875, "Văn An, phường 2"))
             + _line(220, 12, 1, (880, "khác gắn liền với đất")))
    assert engine.words_to_text(words).splitlines() == [
        WIDE_TITLE[1], "",
        "và vợ/chồng: Bà: ĐẶNG ÁNH YẾN, năm sinh: 1977",
        "Địa chỉ thường trú: Số 121 Chu Văn An, phường 2",
        "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất",
        "1. Thửa đất:",
    ]


def test_a_block_far_right_of_the_lines_beside_it_is_not_joined_to_them() -> None:
    """Blocks side by side with a gutter wider than a word gap (a signature block
    beside "Nơi nhận", the header's two blocks) keep their order: one after the other."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 1, 1, (100, "Nơi nhận:"))
             + _line(160, 1, 2, (100, "- Như trên;"))
             + _line(100, 2, 1, (1000, "GIÁM ĐỐC")))
    assert engine.words_to_text(words).splitlines() == [
        WIDE_TITLE[1], "", "Nơi nhận:", "- Như trên;", "", "GIÁM ĐỐC"]


def test_a_cell_continued_a_pixel_left_of_its_column_stays_in_its_row() -> None:
    """Draw 3571's e0027 (a marriage certificate, dirty drum): the second spouse's ID
    number starts a pixel left of its column's "Căn cước công dân số". Taken for the
    tail of the first spouse's column, it broke the row, and both numbers came out on
    a line of their own, after the row."""
    words = (_line(20, 9, 1, TITLE_LINE)
             + _line(100, 1, 1, (100, "Giấy tờ tùy thân"), (700, "Căn cước công dân số"),
                     (1300, "Căn cước công dân số"))
             + _line(150, 1, 2, (700, "011092544547"), (1299, "094187757222")))
    assert engine.words_to_text(words).splitlines() == [
        "GIẤY CHỨNG NHẬN", "",
        "Giấy tờ tùy thân Căn cước công dân số 011092544547 Căn cước công dân số 094187757222",
    ]


def test_a_table_rule_read_between_two_cells_splits_them() -> None:
    """Dev e0006 (300-dpi bilevel): the husband's address fills its cell, so the gap
    before the wife's is narrower than a column gap; tesseract reads the cell border
    between them as "|". The rule is the border: the row is label | value | value, and
    its wrapped last line goes to each address, not after the row."""
    row = _line(160, 1, 2, (100, "Nơi cư trú"), (500, "Số 80 Nguyễn Huệ, xã Hợp Minh,"),
                (1290, "Thôn 1, xã Bình Trưng, tỉnh Đồng"))
    rule = Word(text="|", confidence=96.0, bbox=(1266, 150, 1272, 210), line=(1, 1, 2))
    at = next(k for k, w in enumerate(row) if w.bbox[0] == 1290)
    words = (_line(20, 9, 1, TITLE_LINE)
             + _line(100, 1, 1, (100, "Dân tộc"), (500, "Kinh"), (1290, "Kinh"))
             + row[:at] + [rule] + row[at:]
             + _line(210, 1, 3, (500, "tỉnh Nghệ An"), (1290, "Tháp")))
    assert engine.words_to_text(words).splitlines() == [
        "GIẤY CHỨNG NHẬN", "",
        "Dân tộc Kinh Kinh",
        "Nơi cư trú Số 80 Nguyễn Huệ, xã Hợp Minh, tỉnh Nghệ An"
        " Thôn 1, xã Bình Trưng, tỉnh Đồng Tháp",
    ]


def test_values_of_a_row_whose_label_was_lost_do_not_continue_the_row_above() -> None:
    """Dev e0065 (photocopy): the layout gave the table's cells as blocks, column by
    column, and read the label "Giấy tờ tùy thân" elsewhere. The two ID cells under the
    address row were taken for its continuation, and each address ran into an ID. The
    first ID word would have fit on the address's short last line, so it does not wrap
    that cell: it starts the next row, read cell by cell too; the wife's address, given
    after it, still continues hers."""
    words = (_line(20, 9, 1, TITLE_LINE)
             + _line(100, 1, 1, (100, "Nơi cư trú"), (700, "Tổ 23, phường Quang Trung,"),
                     (1500, "Tổ 24, xã Trung Nguyên,"))
             + _line(150, 2, 1, (700, "thành phố Nam Định, tỉnh"))
             + _line(200, 2, 2, (700, "Nam Định"))
             + _line(290, 3, 1, (700, "Chứng minh nhân dân số"))
             + _line(340, 3, 2, (700, "397461168"))
             + _line(150, 4, 1, (1500, "huyện Yên Lạc, tỉnh Vĩnh"))
             + _line(200, 4, 2, (1500, "Phúc"))
             + _line(290, 5, 1, (1500, "Chứng minh nhân dân số"))
             + _line(340, 5, 2, (1500, "306208333")))
    assert _text_lines(words) == [
        "GIẤY CHỨNG NHẬN",
        "Nơi cư trú Tổ 23, phường Quang Trung, thành phố Nam Định, tỉnh Nam Định"
        " Tổ 24, xã Trung Nguyên, huyện Yên Lạc, tỉnh Vĩnh Phúc",
        "Chứng minh nhân dân số 397461168 Chứng minh nhân dân số 306208333",
    ]


def test_a_table_column_given_last_as_blocks_of_its_own_goes_back_beside_its_rows() -> None:
    """Fresh draw 1741's e0017 (colour, folds): the layout read the table column by
    column, the wife's cells last, each a block of its own, so no two consecutive
    blocks paired up and her name, birth date and address came after the whole table.
    A column of cells stacked down one band, each at the height of an earlier line
    that ends left of it, is put back: the rows read across, wrapped cells cell by
    cell."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 1, 1, (100, "Họ và tên"), (500, "PHẠM MẠNH TUYỂN"))
             + _line(160, 1, 2, (100, "Dân tộc"), (500, "Kinh"))
             + _line(220, 1, 3, (100, "Nơi cư trú"), (500, "Số 17 Nguyễn Huệ,"))
             + _line(270, 1, 4, (500, "xã Châu Bình"))
             + _line(100, 2, 1, (1100, "DƯƠNG HẢI NGÂN"))
             + _line(160, 3, 1, (1100, "Kinh"))
             + _line(220, 4, 1, (1100, "Thôn 7, thị trấn"))
             + _line(270, 4, 2, (1100, "Chợ Chu"))
             + _line(360, 5, 1, (100, "Nơi đăng ký: Ủy ban nhân dân xã Châu Bình")))
    assert _text_lines(words) == [
        WIDE_TITLE[1],
        "Họ và tên PHẠM MẠNH TUYỂN DƯƠNG HẢI NGÂN",
        "Dân tộc Kinh Kinh",
        "Nơi cư trú Số 17 Nguyễn Huệ, xã Châu Bình Thôn 7, thị trấn Chợ Chu",
        "Nơi đăng ký: Ủy ban nhân dân xã Châu Bình",
    ]


def test_the_header_blocks_are_not_taken_for_a_table_column() -> None:
    """The header's right block sits beside the agency's lines at the same heights,
    left-aligned like a column of cells; with its motto lost to noise nothing names it
    the header, but it is still read after the agency's block, not across."""
    words = (_line(20, 1, 1, (100, "ỦY BAN NHÂN DÂN")) + _line(70, 1, 2, (100, "XÃ CHÂU BÌNH"))
             + _line(20, 2, 1, (900, "Độc lập - Tự do")) + _line(70, 3, 1, (900, "Số: 45/KH"))
             + _line(160, 4, 1, WIDE_TITLE))
    assert _text_lines(words) == [
        "ỦY BAN NHÂN DÂN", "XÃ CHÂU BÌNH", "Độc lập - Tự do", "Số: 45/KH", WIDE_TITLE[1]]


def test_a_capitalised_label_under_a_row_starts_the_next_row() -> None:
    """Draw 2389's e0031 (photocopy): the layout gave the ID row's label and each of its
    values as blocks of their own, under the address row. "Giấy tờ tùy thân" starts
    with a capital, so it is the next row's label, not the address label's wrapped
    tail ("Giấy tờ / tùy thân" wraps in lower case); its values, at its height, are
    read with it."""
    words = (_line(20, 9, 1, TITLE_LINE)
             + _line(100, 1, 1, (100, "Nơi cư trú"), (600, "Thôn 7, xã Dân Quyền,"),
                     (1200, "Số 173 Ngô Quyền, xã"))
             + _line(150, 2, 1, (600, "tỉnh Phú Thọ"))
             + _line(150, 3, 1, (1200, "Hàm Minh"))
             + _line(260, 4, 1, (100, "Giấy tờ tùy thân"))
             + _line(260, 5, 1, (600, "CMND số"))
             + _line(260, 6, 1, (1200, "CCCD số"))
             + _line(310, 5, 2, (600, "236483795"))
             + _line(310, 6, 2, (1200, "049183150002"))
             + _line(400, 7, 1, (100, "Nơi đăng ký: Ủy ban nhân dân xã Dân Quyền, tỉnh Phú Thọ")))
    assert _text_lines(words) == [
        "GIẤY CHỨNG NHẬN",
        "Nơi cư trú Thôn 7, xã Dân Quyền, tỉnh Phú Thọ Số 173 Ngô Quyền, xã Hàm Minh",
        "Giấy tờ tùy thân CMND số 236483795 CCCD số 049183150002",
        "Nơi đăng ký: Ủy ban nhân dân xã Dân Quyền, tỉnh Phú Thọ",
    ]


def test_a_piece_of_a_line_given_after_the_block_below_it_goes_back_up() -> None:
    """Draw 3187's e0023 (a photocopy with a noisy top): the layout read the first half
    of "Ngày sinh: …; ghi bằng chữ: …" apart, and gave its second half as a block of its
    own after the whole block under it. A block wholly above the block before it, and
    across from it, is read at its own height: after what stands left of it on its row
    (here its first half, which it then continues: ``_rejoined``)."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 1, 1, (100, "Ngày sinh: 25/02/2019; ghi"))
             + _line(160, 3, 1, (200, "mười chín"))
             + _line(220, 3, 2, (100, "Giới tính: Nữ"))
             + _line(280, 3, 3, (100, "Nơi sinh: Trung tâm Y tế Sóc Sơn, thành phố Hà Nội"))
             + _line(100, 5, 1, (800, "bằng chữ: Ngày hai mươi lăm")))
    assert _text_lines(words) == [
        WIDE_TITLE[1], "Ngày sinh: 25/02/2019; ghi bằng chữ: Ngày hai mươi lăm",
        "mười chín", "Giới tính: Nữ", "Nơi sinh: Trung tâm Y tế Sóc Sơn, thành phố Hà Nội"]


def test_a_block_above_and_beside_the_block_before_keeps_its_place() -> None:
    """A block above the block before it but not across from it (a right-hand column,
    the header's right block) is not moved: side by side, the layout's order stands."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 1, 1, (100, "Nơi nhận:"))
             + _line(160, 1, 2, (100, "- Như trên;"))
             + _line(220, 2, 1, (100, "- Lưu: VT."))
             + _line(100, 3, 1, (1000, "GIÁM ĐỐC")))
    assert _text_lines(words) == [
        WIDE_TITLE[1], "Nơi nhận:", "- Như trên;", "- Lưu: VT.", "GIÁM ĐỐC"]


def test_a_labelled_table_given_cell_by_cell_is_read_row_by_row() -> None:
    """Fresh draw 4703's e0025 (colour, folds): the layout gave a marriage table cell by
    cell — each label a block (one cut in two, one wrapped round its value), the values
    a block after them, each spouse's address a block of its own after those. A wrapped
    label's value sits between its two lines, so no two blocks pair line by line: the
    labels came out as a list, the values after them, the addresses last. Read as a
    person reads it: row by row, the label, then each cell left to right."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 1, 1, (100, "Thông tin"))
             + _line(190, 2, 1, (100, "Họ, chữ")) + _line(190, 2, 2, (310, "đệm, tên"))
             + _line(280, 3, 1, (100, "Ngày, tháng, năm")) + _line(330, 3, 2, (100, "sinh"))
             + _line(430, 4, 1, (100, "Nơi cư trú"))
             + _line(100, 5, 1, (600, "Chồng"), (1200, "Vợ"))
             + _line(190, 5, 2, (600, "LÊ THẾ KHÔI"), (1200, "DƯƠNG ÁNH XUÂN"))
             + _line(305, 5, 3, (600, "05/02/1993"), (1200, "24/10/2000"))
             + _line(430, 6, 1, (600, "Số 247 Lê Duẩn,")) + _line(480, 6, 2, (600, "xã Quách Phẩm"))
             + _line(430, 7, 1, (1200, "Số 206 Phạm Ngũ Lão,"))
             + _line(480, 7, 2, (1200, "phường Trảng Bàng,"))
             + _line(530, 7, 3, (1200, "tỉnh Tây Ninh"))
             + _line(650, 8, 1, (100, "Nơi đăng ký: Ủy ban nhân dân xã Quách Phẩm")))
    assert _text_lines(words) == [
        WIDE_TITLE[1],
        "Thông tin Chồng Vợ",
        "Họ, chữ đệm, tên LÊ THẾ KHÔI DƯƠNG ÁNH XUÂN",
        "Ngày, tháng, năm sinh 05/02/1993 24/10/2000",
        "Nơi cư trú Số 247 Lê Duẩn, xã Quách Phẩm Số 206 Phạm Ngũ Lão, phường Trảng Bàng,"
        " tỉnh Tây Ninh",
        "Nơi đăng ký: Ủy ban nhân dân xã Quách Phẩm",
    ]



def test_the_motto_given_after_the_line_under_it_is_read_first() -> None:
    """Fresh draw 4703's e0021 (a photographed page): the layout joined the agency's
    second line with the motto's second ("PHÒNG TÀI CHÍNH | Độc lập - Tự do") and gave
    the motto's first line, a block of its own, after them. Each header column is read
    top to bottom: the national name before "Độc lập"."""
    words = (_line(20, 1, 1, (100, "UBND THÀNH PHỐ CAO BẰNG"))
             # One line whose right half leans down (the photo's perspective).
             + _line(60, 2, 1, (100, "PHÒNG TÀI CHÍNH"))
             + _line(95, 2, 1, (900, "Độc lập - Tự do - Hạnh phúc"))
             + _line(50, 3, 1, (850, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
             + _line(160, 4, 1, WIDE_TITLE))
    assert _text_lines(words) == [
        "UBND THÀNH PHỐ CAO BẰNG", "PHÒNG TÀI CHÍNH", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", WIDE_TITLE[1]]


def _stacked(x: int, block: int, *cells: tuple[int, str]) -> list[Word]:
    """A tesseract "line" whose words lie one under the other (a column read as a line)."""
    return [Word(text=text, confidence=70.0, bbox=(x, y, x + 30, y + H), line=(block, 1, 1))
            for y, text in cells]


def test_a_column_read_as_a_line_is_not_text_and_does_not_end_the_header() -> None:
    """Fresh draw 3613's e0021 (dirty drum): the layout read the numbers of the list
    down the margin ("2.", "3.", "4.", "5.") as one line, "C2 + ƠI Œ", and gave it
    second, between the header's lines: the header's column run ended there and "SỞ TƯ
    PHÁP" was read beside "Độc lập". A column is no line of text."""
    words = (_line(20, 1, 1, (100, "UBND THÀNH PHỐ HÀ NỘI"),
                   (900, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
             + _stacked(60, 2, (760, "Œ"), (700, "ƠI"), (640, "+"), (580, "C2"))
             + _line(70, 3, 1, (100, "SỞ TƯ PHÁP"), (950, "Độc lập - Tự do - Hạnh phúc"))
             + _line(120, 3, 2, (100, "Số: 4721/STP-LLTP"))
             + _line(220, 4, 1, WIDE_TITLE))
    assert _text_lines(words) == [
        "UBND THÀNH PHỐ HÀ NỘI", "SỞ TƯ PHÁP", "Số: 4721/STP-LLTP",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", WIDE_TITLE[1]]


def test_a_lines_last_piece_given_as_a_block_after_its_block_joins_its_row() -> None:
    """Fresh draw 3613's e0009 (photo): "Quốc tịch: Việt Nam" came as a block of its own
    after the block holding "Giới tính: Nam  Dân tộc: Kinh" and four lines under it."""
    words = (_line(400, 5, 1, (100, "Ngày sinh: 25/10/1980"))
             + _line(450, 5, 2, (100, "Giới tính: Nam Dân tộc: Kinh"))
             + _line(500, 5, 3, (100, "Giấy tờ tùy thân: Chứng minh nhân dân"))
             + _line(550, 5, 4, (100, "Nơi cư trú: Số 135 Trần Phú"))
             + _line(452, 6, 1, (1000, "Quốc tịch: Việt Nam"))
             + _line(600, 7, 1, (100, "Tình trạng hôn nhân: Chưa đăng ký kết hôn")))
    assert _text_lines(words) == [
        "Ngày sinh: 25/10/1980", "Giới tính: Nam Dân tộc: Kinh Quốc tịch: Việt Nam",
        "Giấy tờ tùy thân: Chứng minh nhân dân", "Nơi cư trú: Số 135 Trần Phú",
        "Tình trạng hôn nhân: Chưa đăng ký kết hôn"]


def test_a_column_block_beside_lines_is_not_joined_to_them() -> None:
    """A block of two lines or more beside another is a column (a table's values):
    left to the table steps, not joined line by line to the rows beside it."""
    words = (_line(400, 5, 1, (100, "Họ và tên")) + _line(450, 5, 2, (100, "Giới tính"))
             + _line(400, 6, 1, (700, "NGUYỄN VĂN AN")) + _line(450, 6, 2, (700, "Nam")))
    assert engine._rows_rejoined(engine._lines(words)) == engine._lines(words)


def test_the_document_number_under_the_agencys_rule_stays_in_its_block() -> None:
    """Fresh draw 8017's e0042: "Số: 12D38970546" lies a little more than 1.5 text
    heights under the agency's name (the rule under the name sits between): it was read
    after the motto. Another line that far down is not the header's."""
    words = (_line(20, 1, 1, (100, "TỈNH LAI CHÂU"), (850, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
             + _line(70, 1, 2, (100, "UBND XÃ KHỔNG LÀO"), (950, "Độc lập - Tự do"))
             + _line(175, 1, 3, (100, "Số: 12D38970546"))
             + _line(300, 2, 1, WIDE_TITLE))
    assert _text_lines(words) == [
        "TỈNH LAI CHÂU", "UBND XÃ KHỔNG LÀO", "Số: 12D38970546",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do", WIDE_TITLE[1]]
    # The same gap before a line that is not the number ends the header there.
    other = (words[:-len(WIDE_TITLE[1].split()) - 2]
             + _line(175, 1, 3, (100, "Căn cứ Luật"))
             + _line(300, 2, 1, WIDE_TITLE))
    assert [line for line in engine.words_to_text(other).splitlines() if line][:4] == [
        "TỈNH LAI CHÂU", "UBND XÃ KHỔNG LÀO", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do"]


def test_a_misread_or_split_motto_still_starts_the_right_block() -> None:
    """Fresh draw 8017's e0025 (dirty drum): "ÔNG HÒA XÃ Ủ NGHĨA VIỆT" and "HỘI CHỮ TỆT
    NAM", the motto's line split in two, each joined to a line of the agency; draw
    3613's e0046: "CỌNG Tai … nh VIỆT NAM". The motto is found with a letter wrong, or as
    "CỘNG" with "VIỆT NAM" after it, and its row's pieces are read left to right."""
    words = (_line(22, 1, 1, (100, "THÀNH PHỐ CẦN THƠ"), (850, "ÔNG HÒA XÃ"),
                   (1400, "Ủ NGHĨA VIỆT"))
             + _line(30, 1, 2, (1125, "HỘI CHỮ"), (1750, "TỆT NAM"))
             + _line(70, 1, 3, (100, "UBND PHƯỜNG BÌNH THỦY"), (950, "Độc lập - Tự do"))
             + _line(200, 2, 1, WIDE_TITLE))
    assert _text_lines(words) == [
        "THÀNH PHỐ CẦN THƠ", "UBND PHƯỜNG BÌNH THỦY", "ÔNG HÒA XÃ HỘI CHỮ Ủ NGHĨA VIỆT TỆT NAM",
        "Độc lập - Tự do", WIDE_TITLE[1]]
    assert engine._motto_starts(_line(20, 1, 1, (850, "CỌNG Tai nh VIỆT NAM")), 0)
    assert not engine._motto_starts(_line(20, 1, 1, (850, "CÔNG TY TNHH AN PHÚ")), 0)


def test_a_name_read_apart_left_of_the_rest_of_its_row_goes_before_it() -> None:
    """Fresh draw 3613's e0017: the signer's family name, read by the block's second
    reading ("Nguyễn"), came after the rest of the name read on the page ("Bá Sỹ") on
    the same row: the row is read left to right."""
    words = (_line(100, 14, 1, (900, "PHÓ CHỦ TỊCH"))
             + _line(200, 23, 1, (1100, "Tr›")) + _line(260, 23, 2, (1150, "Bá Sỹ"))
             + _line(262, 60, 1, (975, "Nguyễn")))
    assert _text_lines(words) == [
        "PHÓ CHỦ TỊCH", "Tr›", "Nguyễn Bá Sỹ"]


def test_stray_marks_between_cells_are_not_text_but_punctuation_is() -> None:
    """Fresh draw 8017's e0017 (photo): a speck read "'" between two cells, and ":" in
    the label column under a label, at confidence 0, made a row's cells one too many and
    a value a row of its own. A mark read with little confidence, apart from the words on
    both sides, is no text; a dash or comma read confidently, or against its word, is.
    Without them the value under its cell continues it, the row read cell by cell."""
    def mark(x: int, y: int, text: str, confidence: float) -> Word:
        return Word(text=text, confidence=confidence, bbox=(x, y + 10, x + 8, y + 14),
                    line=(1, 1, 1 if y < 150 else 2))

    first = _line(120, 1, 1, (100, "Nơi cư trú"), (500, "xã Đăk"))
    # Each mark within a column gap of a word (in its piece), more than half a height
    # from the words on both sides.
    first = [*first[:3], mark(390, 120, "'", 0.0), *first[3:],
             *_line(120, 1, 1, (900, "Số 171"))]
    second = [mark(460, 200, ":", 0.0), *_line(200, 1, 2, (500, "095090725925"))]
    words = _line(20, 9, 1, WIDE_TITLE) + first + second
    assert _text_lines(words) == [
        WIDE_TITLE[1], "Nơi cư trú xã Đăk 095090725925 Số 171"]  # the row, cell by cell
    # Read confidently, or close to its word, a mark stays.
    kept = [*_line(200, 2, 1, (100, "Độc lập")), Word("-", 40.0, (290, 215, 300, 218), (2, 1, 1)),
            *_line(200, 2, 1, (310, "Tự do"))]
    assert engine.words_to_text(kept) == "Độc lập - Tự do"


def test_a_stop_before_a_lower_case_word_is_read_as_a_comma() -> None:
    """A comma whose tail is lost (blur, bleed, a dirty drum, old paper) reads as a full
    stop: "Họ. chữ đệm. tên" (fresh draw 8017's e0025: 121 errors, 19 with this and the
    header's order). A sentence starts with a capital: a stop before a lower-case word on
    its line is a comma. Abbreviations before capitals, numbers, and a stop closing a
    sentence stay."""
    words = (_line(20, 9, 1, WIDE_TITLE)
             + _line(100, 1, 1, (100, "Họ. chữ đệm. tên: NGUYỄN MINH THẮNG"))
             + _line(150, 1, 2, (100, "Nơi ở: Số 61 Hùng Vương. phường Bình Thủy. TP. Cần Thơ"))
             + _line(200, 1, 3, (100, "Vốn: 200.000.000 đồng v.v. và hàng. Giấy này"))
             + _line(250, 1, 4, (100, "Thôn 1. xã An Lạc.")))
    assert _text_lines(words) == [
        WIDE_TITLE[1], "Họ, chữ đệm, tên: NGUYỄN MINH THẮNG",
        "Nơi ở: Số 61 Hùng Vương, phường Bình Thủy. TP. Cần Thơ",
        "Vốn: 200.000.000 đồng v.v. và hàng. Giấy này", "Thôn 1, xã An Lạc."]


def test_a_title_over_a_rules_piece_is_still_a_line() -> None:
    """A line of a title and a rule's piece read just under it, to its left ("_—_
    CHỦTỊCH": no two words side by side, but not one under the other either) is a line
    of text, not a column read as a line (the test half's e0094 lost its signer's title
    to the first version of the rule)."""
    line = [Word("_—_", 17.0, (1393, 2414, 1526, 2426), (7, 1, 1)),
            Word("CHỦTỊCH", 91.0, (1564, 2352, 1851, 2412), (7, 1, 1))]
    assert not engine._stacked(line)
    assert "CHỦTỊCH" in engine.words_to_text(_line(20, 9, 1, WIDE_TITLE) + line)


def test_an_agency_named_like_the_motto_keeps_its_name_whole() -> None:
    """Specimen 0018: "UBND PHƯỜNG ĐỊNH CÔNG" read on one line with the motto; "CÔNG"
    followed by "… VIỆT NAM" was taken for the motto's start, and the ward's name came
    out cut ("UBND PHƯỜNG ĐỊNH" / "CÔNG CỘNG HÒA …"). The motto starts where its words
    follow in their places. A ward one letter from the motto's first words ("LONG HÒA")
    on a line of its own starts no motto."""
    words = (_line(20, 1, 1, (100, "UBND PHƯỜNG ĐỊNH CÔNG"),
                   (1000, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
             + _line(70, 2, 1, (100, "Số: 153/2021/XNTTHN"), (1100, "Độc lập - Tự do"))
             + _line(200, 3, 1, WIDE_TITLE))
    lines = _text_lines(words)
    assert lines[0] == "UBND PHƯỜNG ĐỊNH CÔNG"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in lines
    council = _line(20, 1, 1, (100, "UBND XÃ CỘNG HÒA"),
                    (700, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"))
    assert not engine._motto_starts(council, 2) and engine._motto_starts(council, 4)
    assert not engine._motto_starts(_line(20, 1, 1, (100, "UBND XÃ LONG HÒA")), 2)
