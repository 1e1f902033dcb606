"""A header naming a Central Highlands unit with its apostrophe ("HUYỆN M'ĐRẮK"): the word
is the unit's name in capitals, not the end of the agency's block."""

from __future__ import annotations

from datetime import date

import pytest

from extract.fields import _capitals
from tests.support.extract import analyze_lines as read

PERMIT = [
    "ỦY BAN NHÂN DÂN HUYỆN M'ĐRẮK",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY PHÉP XÂY DỰNG",
    "Số: 600/GPXD",
    "(Sử dụng cho nhà ở riêng lẻ)",
    "1. Cấp cho: Bà HỒ THANH NGUYỆT",
    "Địa chỉ: Số 272 Lý Thường Kiệt, xã Cư Króa, huyện M'Đrắk, tỉnh Đắk Lắk",
    "Số CMND: 240819591",
    "M'Đrắk, ngày 12 tháng 3 năm 2019",
    "CHỦ TỊCH",
    "Nguyễn Văn Hùng",
]


@pytest.mark.parametrize("apostrophe", ["'", "’"])
def test_a_unit_name_with_its_apostrophe_names_the_issuer(apostrophe: str) -> None:
    lines = [ln.replace("'", apostrophe) if ln.startswith("ỦY BAN") else ln for ln in PERMIT]
    got = read(lines, today=date(2026, 1, 1))
    assert got.fields["issuer_printed"] == f"ỦY BAN NHÂN DÂN HUYỆN M{apostrophe}ĐRẮK"
    assert got.issuer == "Ủy ban nhân dân huyện M'Đrắk, tỉnh Đắk Lắk"
    assert "issuer_unmatched:issuer" not in got.review_reasons


def test_only_capitals_around_the_apostrophe_are_an_agency_word() -> None:
    assert _capitals("M'ĐRẮK", False) and _capitals("H’LEO", False)
    # Small letters, a figure, or nothing on one side: no unit's name in a header.
    assert not any(_capitals(w, False) for w in ("M'gar", "Đ'1", "AB'", "'AB"))
