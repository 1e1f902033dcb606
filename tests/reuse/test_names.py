"""Names compared for identity: with their tone marks, never folded into one another."""

from __future__ import annotations

import unicodedata

import pytest

from reuse.names import NameMatch, compare_names


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Nguyễn Thị Hà", "Nguyễn Thị Hà", NameMatch.SAME),
        ("Nguyễn Thị Hà", unicodedata.normalize("NFD", "  NGUYỄN   thị  HÀ "), NameMatch.SAME),
        ("Đặng Văn Đức", "ÐẶNG VĂN ÐỨC", NameMatch.SAME),  # OCR's Ð for Đ
        ("Nguyễn Thị Hà", "Nguyễn Thị Hạ", NameMatch.DIFFERENT),
        ("Nguyễn Văn An", "Nguyễn Văn Ân", NameMatch.DIFFERENT),
        ("Nguyễn Thị Hà", "nguyen thi ha", NameMatch.UNMARKED),
        # One mark lost (by OCR?) or a name without it: marks elsewhere show the name was
        # written with them, so it is taken as written; a false negative, never a mix-up.
        ("Nguyễn Thị Hà", "Nguyễn Thị Ha", NameMatch.DIFFERENT),
        ("Đặng Văn Đức", "Dang Van Duc", NameMatch.UNMARKED),
        ("Nguyễn Thị Hà", "Nguyễn Hà", NameMatch.DIFFERENT),
        ("Nguyễn Thị Hà", "Nguyen Thi Hoa", NameMatch.DIFFERENT),
        ("", "", NameMatch.DIFFERENT),
    ],
)
def test_compare_names(a: str, b: str, expected: NameMatch) -> None:
    assert compare_names(a, b) is expected
    assert compare_names(b, a) is expected
