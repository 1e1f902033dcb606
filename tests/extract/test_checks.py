"""Cross-checks: a one-digit OCR slip in a CCCD is caught, dates must exist and be ordered."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze
from extract.ids import decode_cccd, id_problems

HEADER = ["UBND PHƯỜNG TRÀNG TIỀN", "Số: 12/2021/XNTTHN", "GIẤY XÁC NHẬN TÌNH TRẠNG HÔN NHÂN"]


def paper(
    id_number: str,
    birth: str = "07/02/1991",
    sex: str = "Nữ",
    dateline: str = "Hà Nội, ngày 15 tháng 3 năm 2021",
) -> str:
    return "\n".join(
        [
            *HEADER,
            "Họ, chữ đệm, tên: TRẦN THỊ LAN",
            f"Ngày, tháng, năm sinh: {birth}",
            f"Giới tính: {sex}",
            f"Giấy tờ tùy thân: Căn cước công dân số {id_number}",
            dateline,
        ]
    )


def test_cccd_decoding() -> None:
    parts = decode_cccd("001191012345")
    assert parts is not None
    assert (parts.province, parts.sex, parts.birth_year) == ("001", "nữ", 1991)
    assert decode_cccd("079305000001").birth_year == 2005  # type: ignore[union-attr]
    assert id_problems("123456789", 1991, "nữ") == []  # old CMND: accepted as is


@pytest.mark.parametrize(
    "slip, problem",
    [
        ("003191012345", "id_province"),  # 001 → 003: no such province
        ("001091012345", "id_sex_mismatch"),  # 1 → 0: a man's digit
        ("001391012345", "id_birth_year_mismatch"),  # 1 → 3: born in the 2000s
        ("001181012345", "id_birth_year_mismatch"),  # 91 → 81
        ("00119101234", "id_format"),  # a digit lost
    ],
)
def test_one_digit_slip_is_caught_and_id_dropped(slip: str, problem: str, today: date) -> None:
    assert (
        analyze([paper("001191012345")], None, today=today).subjects[0].id_number == "001191012345"
    )
    got = analyze([paper(slip)], None, today=today)
    assert got.subjects[0].id_number is None
    assert got.doubts.unverified_id_numbers == [slip]
    assert f"{problem}:subjects[0]" in got.review_reasons
    assert got.subjects[0].name == "Trần Thị Lan"  # the rest of the person is kept


def test_birth_after_issue_is_flagged(today: date) -> None:
    got = analyze(
        [paper("001191012345", dateline="Hà Nội, ngày 15 tháng 3 năm 1990")], None, today=today
    )
    assert "date_order:subjects[0].birth_date" in got.review_reasons


def test_issue_date_in_the_future_is_flagged(today: date) -> None:
    got = analyze(
        [paper("001191012345", dateline="Hà Nội, ngày 15 tháng 3 năm 2031")], None, today=today
    )
    assert "date_in_future:issued_on" in got.review_reasons


def test_date_that_does_not_exist_is_flagged(today: date) -> None:
    got = analyze(
        [paper("001191012345", dateline="Hà Nội, ngày 31 tháng 2 năm 2021")], None, today=today
    )
    assert got.issued_on is None
    assert "invalid_date:issued_on" in got.review_reasons
