"""Layouts we did not write (issue 14): tables, wrapped values, signing blocks, numbers.

Inputs are built from text or from words placed where a scan puts them; nothing here
depends on a particular generator.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze
from ocr.base import Word
from records import ReviewReason

HEADER = [
    "ỦY BAN NHÂN DÂN PHƯỜNG MÁY CHAI",
    "Số: 45/KH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY CHỨNG NHẬN KẾT HÔN",
]


def placed(rows: list[list[tuple[int, str]]], top: int = 100, pitch: int = 60) -> list[Word]:
    """Words of cells placed at x (pixels) on rows ``pitch`` apart; each cell is its own
    tesseract line, as tesseract reads the cells of a ruled table, except a cell written
    "| …", which tesseract glued to the cell before it, the rule between read as "|"."""
    words: list[Word] = []
    line = 0
    for number, row in enumerate(rows):
        y = top + pitch * number
        for x0, text in row:
            line += 0 if text.startswith("| ") else 1
            x = x0 - 40 if text.startswith("| ") else x0
            for token in text.split():
                width = 22 * len(token)
                words.append(Word(token, 96.0, (x, y, x + width, y + 40), (line, 1, 1)))
                x += width + 18
    return words


def test_signing_instructions_and_a_lone_honorific_are_no_names() -> None:
    lines = [
        *HEADER,
        "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền, thành phố Hải Phòng",
        "Hải Phòng, ngày 05 tháng 01 năm 2024",
        "TM. ỦY BAN NHÂN DÂN",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        "* họ tên, đóng đấu)",
        "ong Toàn",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2025, 6, 1))
    assert got.subjects == []
    assert "missing:subjects" in got.review_reasons


def test_registration_date_disagreeing_with_the_dateline_goes_to_review() -> None:
    body = [
        "Họ, chữ đệm, tên chồng: NGUYỄN VĂN AN",
        "Họ, chữ đệm, tên vợ: TRẦN THỊ BÌNH",
        "Ngày, tháng, năm đăng ký: 02/08/2023",
        "Hải Phòng, ngày 07 tháng 3 năm 2023",
    ]
    got = analyze(["\n".join(HEADER + body)], None, today=date(2025, 6, 1))
    assert got.issued_on == "2023-03-07"
    assert "date_mismatch:issued_on" in got.review_reasons
    agreeing = [line.replace("02/08/2023", "07/03/2023") for line in body]
    got = analyze(["\n".join(HEADER + agreeing)], None, today=date(2025, 6, 1))
    assert "date_mismatch:issued_on" not in got.review_reasons


MARRIAGE_TABLE = [
    [(500, "Thông tin"), (1170, "Chồng"), (1920, "Vợ")],
    # Tesseract glues neighbouring cells with the rule read as "|".
    [(350, "Họ, chữ đệm, tên"), (900, "NGUYỄN TUẤN LỰC"), (1620, "| TRẦN THỊ OANH")],
    [(350, "Ngày, tháng, năm sinh"), (900, "01/12/1988"), (1620, "02/03/2000")],
    [(350, "Dân tộc"), (900, "Kinh"), (1620, "Kinh")],
    [(350, "Nơi cư trú"), (900, "Số 80 Nguyễn Huệ, xã Hợp Minh,"), (1620, "Thôn 1, xã Bình")],
    [(900, "tỉnh Nghệ An"), (1620, "Trưng, tỉnh Đồng Tháp")],
    [(350, "Giấy tờ tùy thân"), (900, "Căn cước công dân số"), (1620, "Căn cước công dân số")],
    [(900, "034088764723"), (1620, "001300551173")],
]


def _page(rows: list[list[tuple[int, str]]], dateline: str) -> tuple[list[str], list[list[Word]]]:
    head = placed([[(300, line)] for line in HEADER], top=100)
    table = placed(rows, top=500)
    tail = placed(
        [[(350, "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai")], [(1300, dateline)]],
        top=500 + 60 * len(rows) + 40,
    )
    # Line numbers must not collide between the three parts: shift them apart.
    words = head + [
        Word(w.text, w.confidence, w.bbox, (w.line[0] + 100 * part, 1, 1))
        for part, chunk in ((1, table), (2, tail))
        for w in chunk
    ]
    text = "\n".join([*HEADER, *(" ".join(t for _, t in row) for row in rows), dateline])
    return [text], [words]


def _assert_the_spouses(pages: list[str], words: list[list[Word]]) -> None:
    """The husband and the wife of ``MARRIAGE_TABLE``, each with their own values."""
    got = analyze(pages, words, today=date(2025, 6, 1))
    people = [(s.role, s.name, s.birth_date, s.id_number) for s in got.subjects]
    assert people == [
        ("chồng", "Nguyễn Tuấn Lực", "1988-12-01", "034088764723"),
        ("vợ", "Trần Thị Oanh", "2000-03-02", "001300551173"),
    ]


def test_a_table_with_one_column_per_spouse_gives_each_their_values() -> None:
    pages, words = _page(MARRIAGE_TABLE, "Hải Phòng, ngày 19 tháng 9 năm 2024")
    _assert_the_spouses(pages, words)


def test_label_and_value_cells_of_a_two_column_table_are_joined() -> None:
    rows = [
        [(380, "Họ và tên"), (1000, "TRẦN NGỌC HOÀNG")],
        [(380, "Giới tính"), (1000, "Nam")],
        [(380, "Sinh ngày"), (1000, "03/01/1982")],
        [(380, "Loại giấy tờ pháp lý"), (1000, "Chứng minh nhân dân số 277198170")],
    ]
    pages, words = _page(rows, "Hải Phòng, ngày 19 tháng 9 năm 2004")
    got = analyze(pages, words, today=date(2025, 6, 1))
    assert [(s.name, s.birth_date, s.id_number) for s in got.subjects] == [
        ("Trần Ngọc Hoàng", "1982-01-03", "277198170")
    ]


def test_one_label_beside_a_value_is_not_a_table() -> None:
    """A signing block prints a role at the margin and the agency's title across from it."""
    rows = [[(350, "Người đi khai tử"), (1300, "TM. ỦY BAN NHÂN DÂN")]]
    pages, words = _page(rows, "Hải Phòng, ngày 19 tháng 9 năm 2024")
    got = analyze(pages, words, today=date(2025, 6, 1))
    assert not any(s.name and "Ban" in s.name for s in got.subjects)


def test_labels_are_read_whatever_punctuation_ocr_put_between_their_words() -> None:
    body = [
        "Họ, chữ đệm, tên chồng: NGUYỄN VĂN AN",
        "Họ, chữ đệm, tên vợ: TRẦN THỊ BÌNH",
        "Ngày, tháng. năm đăng ký: 02/08/2023",
        "Hải Phòng, ngày 07 tháng 3 năm 2023",
    ]
    got = analyze(["\n".join(HEADER + body)], None, today=date(2025, 6, 1))
    assert got.fields["registered_on"] == "2023-08-02"
    assert "date_mismatch:issued_on" in got.review_reasons


LAND = [
    "ỦY BAN NHÂN DÂN TỈNH KHÁNH HÒA",
    "SỞ NÔNG NGHIỆP VÀ MÔI TRƯỜNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY CHỨNG NHẬN",
    "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
    "Bà: BÙI TUYẾT CHI, năm sinh: 1969, Số CCCD: 035169535337",
    "a) Thửa đất số: 419",
    "b) Tờ bản đồ số: 17",
    "Số vào sổ cấp GCN: CS20837",
    "Khánh Hòa, ngày 01 tháng 02 năm 2026",
]


@pytest.mark.parametrize(
    "address",
    [
        [],
        # The parcel's address wrapped from its label: a house number opens the line.
        ["c) Địa chỉ:", "Số 256 Lê Duẩn, xã Yên Hòa, tỉnh Khánh Hòa"],
    ],
)
def test_a_land_use_certificate_is_known_by_its_register_entry(address: list[str]) -> None:
    got = analyze(["\n".join([*LAND[:10], *address, *LAND[10:]])], None, today=date(2026, 6, 1))
    assert got.doc_type == "land_use_certificate"
    assert got.document_number == "CS20837"
    assert not any("document_number" in r for r in got.review_reasons)


def _business(header_number: str, code: str) -> list[str]:
    return [
        "ỦY BAN NHÂN DÂN HUYỆN THỌ XUÂN",
        "PHÒNG TÀI CHÍNH - KẾ HOẠCH",
        f"Số: {header_number}",
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH",
        f"Mã số hộ kinh doanh: {code}",
        "Họ và tên: NGUYỄN THU MỸ",
        "Thanh Hóa, ngày 02 tháng 11 năm 2024",
    ]


def test_a_household_business_number_from_its_code() -> None:
    today = date(2025, 6, 1)
    # The header's number unreadable: the code printed in the body is the number, and a
    # letter in the code's third place stays a letter.
    got = analyze(["\n".join(_business("3SH67(174562", "38D37261650"))], None, today=today)
    assert got.document_number == "38D37261650"
    # A number of the paper's own beside the code ("273/2024/ĐKHKD") is the number.
    own = analyze(["\n".join(_business("273/2024/ĐKHKD", "38D37261650"))], None, today=today)
    assert own.document_number == "273/2024/ĐKHKD"
    assert "number_mismatch:document_number" not in own.review_reasons
    # Two readings of the code that differ: one is misread.
    two = analyze(["\n".join(_business("38D37261658", "38D37261650"))], None, today=today)
    assert "number_mismatch:document_number" in two.review_reasons


def test_a_name_printed_once_with_a_doubtful_word_goes_to_review() -> None:
    """'CHỊ' for 'CHI' is a real syllable: only the OCR's doubt about the word tells."""
    words = placed([[(300, line)] for line in LAND])
    doubtful = [
        Word(w.text, 56.0, w.bbox, w.line) if w.text == "CHỊ," else w
        for w in placed([[(300, line.replace("CHI,", "CHỊ,"))] for line in LAND])
    ]
    text = "\n".join(LAND)
    assert analyze([text], [words], today=date(2026, 6, 1)).review_reasons == []
    got = analyze([text.replace("CHI,", "CHỊ,")], [doubtful], today=date(2026, 6, 1))
    assert "low_confidence:subjects[0].name" in got.review_reasons


def test_a_household_business_without_a_dateline_is_dated_by_its_registration() -> None:
    lines = [
        line.replace(
            "Thanh Hóa, ngày 02 tháng 11 năm 2024", "Đăng ký lần đầu: ngày 02 tháng 11 năm 2024"
        )
        for line in _business("38D37261650", "38D37261650")
    ]
    got = analyze(["\n".join(lines)], None, today=date(2025, 6, 1))
    assert got.issued_on == "2024-11-02"
    assert "missing:issued_on" not in got.review_reasons


def test_a_label_alone_in_its_cell_beside_the_value_is_read() -> None:
    rows = [[(220, "Họ vâ tên"), (640, "TỪ CÔNG ĐÔNG")], [(220, "Quốc tịch"), (640, "Việt Nam")]]
    pages, words = _page(rows, "Hải Phòng, ngày 19 tháng 9 năm 2024")
    got = analyze(pages, words, today=date(2025, 6, 1))
    assert [s.name for s in got.subjects] == ["Từ Công Đông"]


def test_a_registration_changed_since_is_dated_by_its_latest_change() -> None:
    first = "Đăng ký lần đầu: ngày 25 tháng 7 năm 2011"
    lines = [
        line for line in _business("10H33264233", "10H33264233") if not line.startswith("Thanh")
    ]
    changes = [
        "Đăng ký thay đổi lần thứ 1: ngày 10 tháng 12 năm 2019",
        "Đăng ký thay đổi lần thứ 2: ngày 03 tháng 02 năm 2021",
    ]
    got = analyze(["\n".join([*lines, first, *changes])], None, today=date(2025, 6, 1))
    assert got.issued_on == "2021-02-03"
    # The change printed but unreadable: the first registration does not stand in for it.
    garbled = ["Đăng ký thay đổi lần thứ 1: ngày 1O thá"]
    got = analyze(["\n".join([*lines, first, *garbled])], None, today=date(2025, 6, 1))
    assert got.issued_on is None and "missing:issued_on" in got.review_reasons


def test_an_id_wrapped_onto_the_next_line_is_read() -> None:
    lines = [
        *LAND[:7],
        "Bà: NGUYỄN THỊ LAN, năm sinh: 1962, Số CCCD: 068162462291",
        "và vợ/chồng: Ông: NGUYỄN GIA LÂM, năm sinh: 1994, Số CCCD:",
        "017094796965",
        "Địa chỉ thường trú: Số 45 Điện Biên Phủ, xã Ia Ko, tỉnh Gia Lai",
        *LAND[8:],
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert [(s.name, s.id_number) for s in got.subjects] == [
        ("Nguyễn Thị Lan", "068162462291"),
        ("Nguyễn Gia Lâm", "017094796965"),
    ]


def test_a_spouse_table_whose_header_was_lost_still_gives_two_people() -> None:
    """Without the header the columns come from the cells side by side: the two names are
    two people, not one six-word name."""
    pages, words = _page(MARRIAGE_TABLE[1:], "Hải Phòng, ngày 19 tháng 9 năm 2024")
    got = analyze(pages, words, today=date(2025, 6, 1))
    people = [(s.name, s.birth_date, s.id_number) for s in got.subjects]
    assert people == [
        ("Nguyễn Tuấn Lực", "1988-12-01", "034088764723"),
        ("Trần Thị Oanh", "2000-03-02", "001300551173"),
    ]


def test_a_table_goes_on_past_a_garbled_row_and_a_wrapped_label() -> None:
    rows = [
        MARRIAGE_TABLE[0],
        MARRIAGE_TABLE[1],
        [(350, "Ngày, tháng, năm _"), (900, "01/12/1988"), (1620, "02/03/2000")],
        [(360, "sinh")],
        [(360, "Dântộc"), (600, "_"), (900, "KĂNH:.."), (1300, "53:"), (1500, "SỐ")],
        [(350, ". ()L5RL: Mi EEStre")],
        *MARRIAGE_TABLE[4:],
    ]
    pages, words = _page(rows, "Hải Phòng, ngày 19 tháng 9 năm 2024")
    _assert_the_spouses(pages, words)


def test_the_date_an_id_card_was_issued_does_not_date_the_paper() -> None:
    lines = [
        *LAND[:7],
        "Bà: BÙI TUYẾT CHI, năm sinh: 1969, CMND số: 035169535 cấp ngày 12/03/2005",
        *LAND[8:-1],
        "Ngày cấp: 01/02/2012",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issued_on == "2012-02-01"
    no_date = analyze(["\n".join(lines[:-1])], None, today=date(2026, 6, 1))
    assert no_date.issued_on is None and "missing:issued_on" in no_date.review_reasons


def test_the_date_on_the_line_a_wrapped_id_landed_on_does_not_date_the_paper() -> None:
    """"Số CCCD:" / "8." / "0491… Ngày cấp: 03/12/2024": the ID card's date, not the paper's."""
    lines = [
        *LAND[:7],
        "Bà: BÙI TUYẾT CHI, năm sinh: 1969, Số CCCD:",
        "8.",
        "035169535123 Ngày cấp: 03/12/2024",
        *LAND[8:-1],
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.subjects[0].id_number == "035169535123"
    assert got.issued_on is None and "missing:issued_on" in got.review_reasons


CRIMINAL_HEADER = [
    "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "SỞ TƯ PHÁP",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 258/LLTP",
    "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1",
    "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;",
    "1. Họ và tên: NGUYỄN KHÁNH LY",
    "2. Giới tính: Nữ",
    "3. Ngày, tháng, năm sinh: 23/11/1997",
    "4. Nơi sinh: Tỉnh Đồng Nai",
    "5. Quốc tịch: Việt Nam",
    "6. Dân tộc: Kinh",
    "7. Nơi cư trú: Số 299 Nguyễn Huệ, xã Minh Long, tỉnh Quảng Ngãi",
    "Án tích: Không có án tích.",
    "Quảng Ngãi, ngày 02 tháng 02 năm 2026",
]


def _columns(lines: list[tuple[int, str]]) -> tuple[list[str], list[list[Word]]]:
    """Lines at the given x, one tesseract line each (the motto's column at x 800)."""
    words = placed([[(x, text)] for x, text in lines])
    return ["\n".join(text for _, text in lines)], [words]


def test_specks_at_the_page_edge_do_not_hide_the_title_or_the_issuer_block() -> None:
    """A seal's edge read as lines of "lì", "II", "LÍ" above the header: the title is
    still found, the issuer is the block's lowest agency (the Sở, not the committee)."""
    motto = {"CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"}
    body = [(800 if text in motto else 200, text) for text in CRIMINAL_HEADER]
    specks = [(1200, text) for text in ("ị", "lì", "li", "lãi", "II", "IHÑ1", "LÍ", "|", "l") * 2]
    clean = analyze(*_columns(body), today=date(2026, 6, 1))
    speckled = analyze(*_columns(specks + body), today=date(2026, 6, 1))
    for got in (clean, speckled):
        assert got.doc_type == "criminal_record_certificate"
        assert got.issuer == "Sở Tư pháp tỉnh Quảng Ngãi"
        assert got.document_number == "258/LLTP"


def test_a_symbol_split_by_a_slash_goes_to_review() -> None:
    """"258/LL/TP" for "258/LLTP": symbols join their parts with hyphens, not slashes."""
    lines = [line.replace("258/LLTP", "258/LL/TP") for line in CRIMINAL_HEADER]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert "number_format:document_number" in got.review_reasons
    for number in ("258/LLTP", "258/STP-LLTP", "12/2021/KS"):
        lines = [line.replace("258/LLTP", number) for line in CRIMINAL_HEADER]
        ok = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
        assert "number_format:document_number" not in ok.review_reasons, number


def test_two_spouses_in_one_row_are_not_one_name_and_one_alone_is_not_ready() -> None:
    """", Họ, chữ đệm, tên NGUYỄN THÀNH LỘC _ LÊ DIỆU QUYÊN": a rule read as "_" ends the
    husband's name; the wife's cell unread, the paper names half its people."""
    lines = [
        *HEADER,
        ", Họ, chữ đệm, tên NGUYỄN THÀNH LỘC _ LÊ DIỆU QUYÊN",
        "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền, thành phố Hải Phòng",
        "Hải Phòng, ngày 05 tháng 01 năm 2024",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2025, 6, 1))
    assert [s.name for s in got.subjects] == ["Nguyễn Thành Lộc"]
    assert "missing:subjects" in got.review_reasons


def _land_holder(
    name_line: str, doubtful: str | None, confidence: float = 25.0
) -> list[ReviewReason]:
    """Review reasons of LAND with another holder line, one word read with low confidence."""
    lines = [name_line if line.startswith("Bà: BÙI") else line for line in LAND]
    words = [
        Word(w.text, confidence, w.bbox, w.line) if w.text == doubtful else w
        for w in placed([[(300, line)] for line in lines])
    ]
    return analyze(["\n".join(lines)], [words], today=date(2026, 6, 1)).review_reasons


def test_tesseracts_doubt_about_a_colon_glued_to_a_usual_name_is_not_doubt_about_the_name() -> None:
    """"UYÊN:" at 25: the colon is what tesseract doubts. A word that more than one usual
    name shares the letters of ("HÙNG:" / Hưng), or with no mark glued on, still goes to
    review."""
    ok = "Bà: TỪ THỊ UYÊN: năm sinh: 1969, Số CCCD: 035169535337"
    assert _land_holder(ok, "UYÊN:") == []
    shared = "Ông: TỪ VĂN HÙNG: năm sinh: 1969, Số CCCD: 035069535337"
    assert "low_confidence:subjects[0].name" in _land_holder(shared, "HÙNG:")
    bare = "Bà: TỪ THỊ UYÊN , năm sinh: 1969, Số CCCD: 035169535337"
    assert "low_confidence:subjects[0].name" in _land_holder(bare, "UYÊN")


def test_a_speck_before_so_does_not_hide_the_number() -> None:
    """"'Số: 138/2021/GCN": the header's own number, not the register entry."""
    lines = [*LAND[:4], "'Số: 138/2021/GCN", *LAND[4:]]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.document_number == "138/2021/GCN"


def test_a_garbled_motto_read_into_the_agency_column_is_cut_off() -> None:
    """"CỘNG HC „n HỘI CHỦ NGHIA VIỆN NAM" between "ỦY BAN NHÂN DÂN" and "XÃ KÉP"."""
    lines = [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HC „n HỘI CHỦ NGHIA VIỆN NAM",
        "XÃ KÉP",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 1541/GPXD",
        "GIẤY PHÉP XÂY DỰNG",
        "1. Cấp cho: Bà PHẠM DIỆU HẠNH",
        "Bắc Ninh, ngày 14 tháng 4 năm 2026",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issuer == "Ủy ban nhân dân xã Kép, tỉnh Bắc Ninh"
    assert not any(r.startswith("issuer") for r in got.review_reasons)


def test_a_dateline_in_ba_ria_names_no_one() -> None:
    lines = [
        "ỦY BAN NHÂN DÂN PHƯỜNG 12",
        "Số: 67/TLKT-BS",
        "TRÍCH LỤC KHAI TỬ",
        "Họ, chữ đệm, tên người chết: PHAN MỸ HƯƠNG",
        "Bà Rịa - Vũng Tàu, ngày 22 tháng 12 năm 2019",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert [s.name for s in got.subjects] == ["Phan Mỹ Hương"]
    assert got.issued_on == "2019-12-22"


def test_a_long_label_that_lost_its_last_letter_is_still_read() -> None:
    """"Họ, chữ đệm, tên người chế:" is the deceased's label: the subject is not lost."""
    lines = [
        "ỦY BAN NHÂN DÂN XÃ THANH NINH",
        "Số: 58/TLKT",
        "TRÍCH LỤC KHAI TỬ",
        "Họ, chữ đệm, tên người chế: NGÔ XUÂN SƠN",
        "Ngày, tháng, năm sinh: 25/10/1945",
        "Họ, chữ đệm, tên người đi khai tử: LÝ MỸ THỦY",
        "Thái Nguyên, ngày 02 tháng 02 năm 2023",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert [(s.role, s.name, s.birth_date) for s in got.subjects] == [
        ("người chết", "Ngô Xuân Sơn", "1945-10-25"),
        ("người đi khai tử", "Lý Mỹ Thủy", None),
    ]


def _line(line: int, y: int, cells: list[tuple[int, str]], height: int = 40) -> list[Word]:
    """One tesseract line: each cell's words from its x, 18 px apart; "_" a rule as tall as
    a table row, "~" a speck two pixels high (read as "S")."""
    words = []
    for x0, text in cells:
        x = x0
        for token in text.split():
            width = 22 * len(token)
            if token == "_":
                box = (x, y - 15, x + 20, y + height + 15)
            elif token == "~":
                token, box = "S", (x, y + height - 2, x + 24, y + height)
            else:
                box = (x, y, x + width, y + height)
            words.append(Word(token, 0.0 if token == "S" else 95.0, box, (line, 1, 1)))
            x = box[2] + 18
    return words


def test_spouses_read_into_one_row_beside_their_label_get_their_own_columns() -> None:
    """", Họ, chữ đệm, tên NGUYỄN THÀNH LỘC _ LÊ DIỆU QUYÊN" on one tesseract line (the
    label too close to the husband's name for a column gap, the rule between the spouses
    read as "_"), and the birth label wrapped with a speck under it ("sinh S"): each
    spouse still gets their name, birth date and ID."""
    rows = [
        [(350, "Thông tin"), (800, "Chồng"), (1400, "Vợ")],
        [(350, ", Họ, chữ đệm, tên NGUYỄN THÀNH LỘC _ LÊ DIỆU QUYÊN")],
        [(350, "Ngày, tháng, năm _ |"), (800, "12/04/1984"), (1300, ".25/07/1999")],
        [(350, "sinh ~")],
        [(350, "Giấy tờ tùy thân"), (800, "060084586078"), (1300, "045199047181")],
    ]
    words = [w for n, row in enumerate(rows) for w in _line(100 + n, 500 + 60 * n, row)]
    head = [w for n, text in enumerate(HEADER) for w in _line(n, 100 + 60 * n, [(300, text)])]
    tail = [
        (350, "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền, thành phố Hải Phòng"),
        (1300, "Hải Phòng, ngày 05 tháng 01 năm 2024"),
    ]
    tail_words = [w for n, cell in enumerate(tail) for w in _line(200 + n, 900 + 60 * n, [cell])]
    text = "\n".join(HEADER + [" ".join(t for _, t in row) for row in rows] + [t for _, t in tail])
    got = analyze([text], [head + words + tail_words], today=date(2025, 6, 1))
    people = [(s.role, s.name, s.birth_date, s.id_number) for s in got.subjects]
    assert people == [
        ("chồng", "Nguyễn Thành Lộc", "1984-04-12", "060084586078"),
        ("vợ", "Lê Diệu Quyên", "1999-07-25", "045199047181"),
    ]
    assert "missing:subjects" not in got.review_reasons


def test_a_speck_read_as_a_bracket_before_the_day_still_dates_the_paper() -> None:
    lines = [*CRIMINAL_HEADER[:-1], "Quảng Ngãi, ngày (02 thủng 02 năm 2026"]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issued_on == "2026-02-02"
    assert "missing:issued_on" not in got.review_reasons


def test_a_garbled_label_word_does_not_make_the_id_after_it_doubtful() -> None:
    """"Chứng mini nhân dân số 185164229": "mini" read at 0, the number at 97. The ID's
    confidence is its own digits'; digits read weakly still go to review."""
    line = "8. Giấy tờ tùy thân: Chứng mini nhân dân số 185164229"
    lines = [*CRIMINAL_HEADER[:13], line, *CRIMINAL_HEADER[13:]]

    def reviewed(weak: str) -> list[ReviewReason]:
        words = [
            Word(w.text, 0.0 if w.text == weak else 97.0, w.bbox, w.line)
            for w in placed([[(300, text)] for text in lines])
        ]
        got = analyze(["\n".join(lines)], [words], today=date(2026, 6, 1))
        assert got.subjects[0].id_number == (None if weak == "185164229" else "185164229")
        return got.review_reasons

    assert "unverified:subjects[0].id_number" not in reviewed("mini")
    assert "unverified:subjects[0].id_number" in reviewed("185164229")


def test_a_misread_day_word_still_dates_the_paper_and_a_birth_label_never_does() -> None:
    """"Quảng Ngãi, naày 02 tháng 02 năm 2026": the figures and the month and year words
    carry the date. "Ngày, tháng, năm sinh: …" has a comma before its "năm" and is no
    dateline (no conflict between the two)."""
    lines = [*CRIMINAL_HEADER[:-1], "Quảng Ngãi, naày 02 tháng 02 năm 2026"]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issued_on == "2026-02-02"
    assert got.review_reasons == []


def test_a_rule_glued_to_a_usual_name_is_not_doubt_about_the_name() -> None:
    """"UYÊN_" at 25, the underscore a rule under the cell: as with a colon."""
    ok = "Bà: TỪ THỊ UYÊN_ năm sinh: 1969, Số CCCD: 035169535337"
    assert _land_holder(ok, "UYÊN_") == []
    shared = "Ông: TỪ VĂN HÙNG_ năm sinh: 1969, Số CCCD: 035069535337"
    assert "low_confidence:subjects[0].name" in _land_holder(shared, "HÙNG_")


@pytest.mark.parametrize(
    ("printed", "number", "flagged"),
    [
        ("S6: 258/LLTP", "258/LLTP", False),  # the ố read as a 6
        ("Số; 258/LLTP", "258/LLTP", False),
        ("S ố: 258/LLTP", "258/LLTP", False),
        ("Sô’: 258/LLTP", "258/LLTP", False),
        ("Số: 258l2026/LLTP", "258/2026/LLTP", True),  # the slash before the year read as l
        ("Số: 258|2026/LLTP", "258/2026/LLTP", True),
        # Before the symbol the paper's type prints, the slash read as | is confirmed by it
        # (``number_symbols``); before another symbol it stays a guess.
        ("Số: 258/2026|LLTP", "258/2026/LLTP", False),
        ("Số: 258/2026|STP", "258/2026/STP", True),
        ("Số: 25 8/LLTP", "258/LLTP", True),  # a number torn at a space: not cut there
    ],
)
def test_common_misreadings_of_the_number_line(printed: str, number: str, flagged: bool) -> None:
    lines = [printed if line.startswith("Số:") else line for line in CRIMINAL_HEADER]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.document_number == number
    assert ("number_format:document_number" in got.review_reasons) == flagged


def test_a_number_label_ending_its_line_takes_the_number_from_the_next() -> None:
    at = CRIMINAL_HEADER.index("Số: 258/LLTP")
    flat = [*CRIMINAL_HEADER[:at], "Số:", "258/LLTP", *CRIMINAL_HEADER[at + 1 :]]
    got = analyze(["\n".join(flat)], None, today=date(2026, 6, 1))
    assert got.document_number == "258/LLTP" and got.review_reasons == []
    lost = [line for line in flat if line != "258/LLTP"]
    got = analyze(["\n".join(lost)], None, today=date(2026, 6, 1))
    assert got.document_number is None and "missing:document_number" in got.review_reasons


def test_misread_month_and_year_words_still_date_the_paper_and_a_misread_year_does_not() -> None:
    """"ngày 02 lháng 02 răm 2026": the figures carry the date. "năm 0026" (the 2 read as
    a slashed zero) is no year: the date is invalid, not the year 26."""
    lines = [*CRIMINAL_HEADER[:-1], "Quảng Ngãi, ngày 02 lháng 02 răm 2026"]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issued_on == "2026-02-02" and got.review_reasons == []
    lines[-1] = "Quảng Ngãi, ngày 02 tháng 02 năm 0026"
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issued_on is None and "invalid_date:issued_on" in got.review_reasons


def test_the_number_on_the_agencys_line_and_a_dated_body_line_are_not_issuer_or_dateline() -> None:
    """"ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI Số: 258/LLTP" read as one line: "Số" is not an
    agency word (its ố looks like its capital). "…, nay là xã Minh Long, từ 01/01/2026"
    names no dateline: the paper stays dated by its own."""
    lines = [
        "ỦY BAN NHÂN DÂN TỈNH QUẢNG NGÃI",
        "SỞ TƯ PHÁP Số: 258/LLTP",
        *CRIMINAL_HEADER[5:13],
        "8. Nơi thường trú trước đây: xã Nghĩa Hà, nay là xã Minh Long, từ 01/01/2026",
        *CRIMINAL_HEADER[13:],
    ]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issuer == "Sở Tư pháp tỉnh Quảng Ngãi"
    assert got.issued_on == "2026-02-02"
    assert not any("issue" in reason for reason in got.review_reasons)


def test_a_usual_name_no_other_shares_the_letters_of_read_fairly_is_not_doubted() -> None:
    """A holder printed once, a word read at 68 or 49: "LOAN", "VY" spell usual names no
    other usual name has the letters of, so the doubt is not about which name it is. Read
    at 30, or a word two usual names share the letters of ("THU" / Thư), it still is."""

    def reasons(name: str, weak: str, confidence: float) -> list[ReviewReason]:
        return _land_holder(f"Bà: {name} Sinh ngày: 12/03/1969", weak, confidence)

    assert reasons("PHẠM PHƯƠNG LOAN", "LOAN", 68.0) == []
    assert reasons("HOÀNG THANH VY", "VY", 49.0) == []
    assert "low_confidence:subjects[0].name" in reasons("PHẠM PHƯƠNG LOAN", "LOAN", 30.0)
    assert "low_confidence:subjects[0].name" in reasons("NGUYỄN THU MỸ", "THU", 60.0)


@pytest.mark.parametrize(
    "dateline",
    [
        "Quảng Ngãi, ngày O2 tháng 02 năm 2026",  # the day's 0 read as O
        "Quảng Ngãi, ngày 02tháng 02 năm 2026",  # the space lost
    ],
)
def test_a_dateline_whose_day_ocr_misread_still_dates_the_paper(dateline: str) -> None:
    lines = [*CRIMINAL_HEADER[:-1], dateline]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.issued_on == "2026-02-02"


def test_a_rule_read_right_after_the_number_does_not_become_part_of_it() -> None:
    lines = [line + "|" if line.startswith("Số:") else line for line in CRIMINAL_HEADER]
    got = analyze(["\n".join(lines)], None, today=date(2026, 6, 1))
    assert got.document_number == "258/LLTP" and got.review_reasons == []


@pytest.mark.parametrize(
    ("printed", "name", "doubt"),
    [
        # Printed apart from the name, "Ông" is the honorific.
        ("Họ, chữ đệm, tên chồng: Ông NGUYỄN VĂN AN", "Nguyễn Văn An", False),
        # In capitals like the name, before no family name: the family name Ông.
        ("Họ, chữ đệm, tên chồng: ÔNG THỊ XUÂN", "Ông Thị Xuân", False),
        ("ÔNG QUANG AN", "Ông Quang An", False),
        # Before a family name, either: kept as printed, for an officer to tell.
        ("ÔNG HOÀNG TÀI", "Ông Hoàng Tài", True),
        # The name followed on its line by the next label in small letters, as land-use
        # certificates print the holder ("Ông: ÔNG QUỐC KHẢI, năm sinh: 1983"): the words
        # after the comma are no part of the name and say nothing of "ÔNG".
        ("Ông: ÔNG QUỐC KHẢI, năm sinh: 1983", "Ông Quốc Khải", False),
        ("Ông: ÔNG HOÀNG TÀI, năm sinh: 1983", "Ông Hoàng Tài", True),
        ("Ông: NGUYỄN VĂN AN, năm sinh: 1983", "Nguyễn Văn An", False),
    ],
)
def test_ong_in_capitals_with_the_name_is_the_family_name(
    printed: str, name: str, doubt: bool
) -> None:
    lines = [
        *HEADER,
        printed,
        "Ngày, tháng, năm sinh: 12/03/1980",
        "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền, thành phố Hải Phòng",
        "Hải Phòng, ngày 05 tháng 01 năm 2024",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2025, 6, 1))
    assert [s.name for s in got.subjects] == [name]
    assert ("name_honorific:subjects[0].name" in got.review_reasons) is doubt


@pytest.mark.parametrize(
    ("requester", "doubt"),
    [
        # Draw 3697 e0011: the requester line prints the honorific, then the name with its
        # "ÔNG": a paper prints the honorific once, so this Ông is the family name, and the
        # holder's line reads the same name.
        ("Xét đề nghị của ông ÔNG HOÀNG TÀI về việc cấp giấy xác nhận", False),
        # The requester's line without the second "ông": it names Hoàng Tài, so the
        # holder's "ÔNG" may be the honorific.
        ("Xét đề nghị của ông HOÀNG TÀI về việc cấp giấy xác nhận", True),
        # A line of no honorific: nothing tells the two apart.
        ("Người yêu cầu: ÔNG HOÀNG TÀI", True),
    ],
)
def test_the_family_name_ong_confirmed_after_an_honorific_on_another_line(
    requester: str, doubt: bool
) -> None:
    lines = [
        *HEADER,
        requester,
        "Họ, chữ đệm, tên: ÔNG HOÀNG TÀI",
        "Ngày, tháng, năm sinh: 12/03/1980",
        "Nơi đăng ký: Ủy ban nhân dân phường Máy Chai, quận Ngô Quyền, thành phố Hải Phòng",
        "Hải Phòng, ngày 05 tháng 01 năm 2024",
    ]
    got = analyze(["\n".join(lines)], None, today=date(2025, 6, 1))
    assert got.subjects[0].name == "Ông Hoàng Tài"
    assert ("name_honorific:subjects[0].name" in got.review_reasons) is doubt
