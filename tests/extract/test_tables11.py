"""Table rows OCR broke apart (issue 14, tables pass 11): each value paired with its row's
label by where it stands on the page, not by the order tesseract read the cells in.

Words are placed where a scan puts them; each cell is its own tesseract line unless the
test glues cells into one line as tesseract does.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze
from extract.analyze import Extraction
from extract.lines import lines_from_words
from extract.tables import page_skew
from ocr.base import Word
from tests.extract.test_layouts import HEADER

TAIL = [
    (350, "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền, thành phố Hải Phòng"),
    (1300, "Hải Phòng, ngày 05 tháng 01 năm 2024"),
]
TODAY = date(2025, 6, 1)


def _words(
    rows: list[list[tuple[int, str]]], top: int = 100, pitch: int = 60, slope: float = 0.0
) -> list[Word]:
    """Each (x, text) cell its own tesseract line, rows ``pitch`` apart, the page turned so
    that a word ``x`` pixels right stands ``slope * x`` pixels lower."""
    words: list[Word] = []
    line = 0
    for number, row in enumerate(rows):
        for x0, text in row:
            line += 1
            x = x0
            for token in text.split():
                width = 22 * len(token)
                y = round(top + pitch * number + slope * (x + width / 2))
                words.append(Word(token, 95.0, (x, y, x + width, y + 40), (line, 1, 1)))
                x += width + 18
    return words


def _analyze(
    header: list[str], table: list[list[tuple[int, str]]], slope: float = 0.0
) -> Extraction:
    rows = [[(300, text)] for text in header] + table + [[cell] for cell in TAIL]
    words = _words(rows, slope=slope)
    text = "\n".join(" ".join(t for _, t in row) for row in rows)
    return analyze([text], [words], today=TODAY)


def _people(got: Extraction) -> list[tuple[str | None, str | None, str | None]]:
    """Each subject's name, birth date and ID, in the record's order."""
    return [(s.name, s.birth_date, s.id_number) for s in got.subjects]


@pytest.mark.parametrize("husband", ["26/06/2003", "_26/06/2003"])
def test_a_label_read_with_the_first_spouses_date_gives_each_spouse_their_own(
    husband: str,
) -> None:
    """The label and the husband's date read as one line, "Ngày, tháng, năm sinh
    26/06/2003" (no rule between them, or the rule read as "_" glued to the date), the
    wife's date a cell of its own: the husband's date is not left behind the table for the
    wife."""
    table = [
        [(350, "Họ, chữ đệm, tên"), (900, "LÊ ANH HƯNG"), (1500, "KIỀU DIỆU HẠNH")],
        [(350, f"Ngày, tháng, năm sinh {husband}"), (1500, "29/10/1994")],
        [(350, "Dân tộc"), (900, "Kinh"), (1500, "Chăm")],
        [(350, "Giấy tờ tùy thân"), (900, "092203776354"), (1500, "091194951302")],
    ]
    people = _people(_analyze(HEADER, table))
    assert people == [
        ("Lê Anh Hưng", "2003-06-26", "092203776354"),
        ("Kiều Diệu Hạnh", "1994-10-29", "091194951302"),
    ]


def test_a_label_followed_by_small_letters_is_not_cut_as_a_value() -> None:
    """A label cell goes on in small letters ("Họ, chữ đệm, tên chồng"): only a capital or
    a figure opens the value beside it."""
    table = [
        [(350, "Họ, chữ đệm, tên"), (900, "LÊ ANH HƯNG"), (1500, "KIỀU DIỆU HẠNH")],
        [(350, "Ngày, tháng, năm sinh"), (900, "26/06/2003"), (1500, "29/10/1994")],
    ]
    got = _analyze(HEADER, table)
    assert [s.birth_date for s in got.subjects] == ["2003-06-26", "1994-10-29"]


def test_two_spouses_names_glued_by_a_bar_are_two_cells() -> None:
    """The names read as one line, "NGUYÊN THÀNH TÀI. |NGÔ PHƯƠNG LY": the rule between
    the spouses' cells read as a bar glued to the wife's family name; the header lost
    its "Vợ"."""
    table = [
        [(350, "Thông tin"), (900, "Chồng")],
        [(350, "Họ, chữ đệm, tên"), (900, "NGUYỄN THÀNH TÀI. |NGÔ PHƯƠNG LY")],
        [(350, "Ngày, tháng, năm sinh"), (900, "26/07/1965"), (1500, "04/02/1975")],
        [(350, "Giấy tờ tùy thân"), (900, "148913567"), (1500, "137218486")],
    ]
    people = _people(_analyze(HEADER, table))
    assert people == [
        ("Nguyễn Thành Tài", "1965-07-26", "148913567"),
        ("Ngô Phương Ly", "1975-02-04", "137218486"),
    ]


BUSINESS = [
    "ỦY BAN NHÂN DÂN HUYỆN THỌ XUÂN",
    "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
    "Số: 38D37261650",
    "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
    "Mã số hộ kinh doanh: 38D37261650",
    "5. Chủ hộ kinh doanh (đại diện hộ kinh doanh):",
]
BUSINESS_TABLE = [
    [(330, "Họ và tên"), (680, "ĐOÀN THỊ NGÂN")],
    [(330, "Giới tính"), (680, "Nữ")],
    [(330, "Sinh ngày"), (680, "27/08/1983")],
    [(330, "Quốc tịch"), (680, "Việt Nam")],
    [(330, "Loại giấy tờ pháp lý"), (680, "Căn cước công dân số 070183556714")],
]


def test_a_turned_page_pairs_each_value_with_its_labels_row() -> None:
    """A scan turned by about 4.5°: a value 350 px right of its label stands a row's height
    higher than it. Rows are found along the text's slope, so the birth date and the ID
    stay with their labels instead of landing on the row above."""
    got = _analyze(BUSINESS, BUSINESS_TABLE, slope=-0.078)
    people = _people(got)
    assert people == [("Đoàn Thị Ngân", "1983-08-27", "070183556714")]


def test_the_slope_of_a_page_is_measured_on_its_lines() -> None:
    rows = [[(300, text)] for text in BUSINESS]
    level = lines_from_words([_words(rows)])
    turned = lines_from_words([_words(rows, slope=-0.078)])
    assert page_skew(level) == 0.0
    assert abs(page_skew(turned) + 0.078) < 0.005
    # A page turned less than the rows' tolerance is left as it is.
    assert page_skew(lines_from_words([_words(rows, slope=0.005)])) == 0.0


LAND = [
    "ỦY BAN NHÂN DÂN HUYỆN BẢO YÊN",
    "GIẤY CHỨNG NHẬN",
    "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
    "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
    "Ông: ĐỖ HOÀNG QUYẾT, năm sinh: 1981, Số CCCD: 045081500704",
    "và vợ/chồng: Bà: HOÀNG NGỌC KHUÊ, năm sinh: 1957, Số CCCD;",
]


@pytest.mark.parametrize(
    ("wrapped", "kept"), [("026157303469", "026157303469"), ("026181303469", None)]
)
def test_an_id_label_ending_its_line_with_a_semicolon_takes_the_next_lines_number(
    wrapped: str, kept: str | None
) -> None:
    """The wife's line ends "Số CCCD;" (the colon read as a semicolon), her number wrapped
    onto the next: it is hers, and checked as any ID (a serial whose year is not her
    birth year's stays aside)."""
    lines = [*LAND, wrapped, "Địa chỉ thường trú: Thôn 6, xã Vĩnh Yên, huyện Bảo Yên"]
    got = analyze(["\n".join(lines)], None, today=TODAY)
    assert [(s.name, s.id_number) for s in got.subjects] == [
        ("Đỗ Hoàng Quyết", "045081500704"),
        ("Hoàng Ngọc Khuê", kept),
    ]
    if kept is None:
        assert "id_birth_year_mismatch:subjects[1]" in got.review_reasons
