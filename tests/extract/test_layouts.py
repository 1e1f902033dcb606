"""Layouts we did not write (issue 14): tables, wrapped values, signing blocks, numbers.

Inputs are built from text or from words placed where a scan puts them; nothing here
depends on a particular generator.
"""

from __future__ import annotations

from datetime import date

from extract import analyze
from ocr.base import Word

HEADER = [
    "ỦY BAN NHÂN DÂN PHƯỜNG MÁY CHAI",
    "Số: 45/KH",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY CHỨNG NHẬN KẾT HÔN",
]


def placed(rows: list[list[tuple[int, str]]], top: int = 100, pitch: int = 60) -> list[Word]:
    """Words of cells placed at x (pixels) on rows ``pitch`` apart; each cell is its own
    tesseract line, as tesseract reads the cells of a ruled table."""
    words: list[Word] = []
    line = 0
    for number, row in enumerate(rows):
        y = top + pitch * number
        for x0, text in row:
            line += 1
            x = x0
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
