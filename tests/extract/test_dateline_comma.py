"""A dateline whose comma was lost (draw 3697 e0036: "Phú Tha ngày 23 tháng 8 năm 2026"):
the issue date is read when the place before the date is one the header prints, within one
edit; otherwise the line could be any date of the body and the date stays missing."""

from __future__ import annotations

import pytest

from tests.extract.test_header_recovery import CRIMINAL
from tests.support.extract import analyze_lines as read

DATELINE = "Quảng Bình, ngày 11 tháng 3 năm 2025"


def _with_dateline(line: str) -> list[str]:
    return [line if ln == DATELINE else ln for ln in CRIMINAL]


@pytest.mark.parametrize(
    "line", ["Quảng Bình ngày 11 tháng 3 năm 2025", "Quảng Binh ngày 11 tháng 3 năm 2025"]
)
def test_a_dateline_without_its_comma_naming_the_headers_place(line: str) -> None:
    got = read(_with_dateline(line))
    assert got.issued_on == "2025-03-11"
    assert "missing:issued_on" not in got.review_reasons


@pytest.mark.parametrize(
    "line",
    [
        "Đồng Hới ngày 11 tháng 3 năm 2025",  # a place the header does not print
        "Cấp lần đầu ngày 11 tháng 3 năm 2025",  # a date of the body
        "Quảng Bình ngày 11 tháng 3 năm 2025 về việc",  # words after the date
    ],
)
def test_other_lines_without_a_comma_are_no_dateline(line: str) -> None:
    got = read(_with_dateline(line))
    assert got.issued_on is None
    assert "missing:issued_on" in got.review_reasons
