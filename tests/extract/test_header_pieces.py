"""Header lines that are no part of the agency's block: the motto read in pieces between
the agency's lines, and short marks read clearly as letters that spell no word.

Draw 3697 e0021: "UBND TỈNH HẬU GIANG" / "CỘNG" / "HÒA XÃ HỘI CHỦ" / "SỞ TƯ PHÁP": the
motto's pieces joined into the block cut it before "SỞ TƯ PHÁP", and the record was ready
with the province's committee as the issuer of a criminal record certificate. Draw 3697
e0036: "UBND TỈNH PHÚ THỌ" / "NH" / "TH" (read at 89, 90) / "SỞ TƯ PHÁP": unmatched.
"""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze
from extract.fields import _fragment
from extract.places import agency_after_motto, match_issuer, remove_interleaved_motto
from tests.extract.test_header_recovery import CRIMINAL
from tests.support.extract import analyze_lines as read
from tests.support.extract import words_from_lines


def _with_lines_after_province(*extra: str, province: str = "Quảng Bình") -> list[str]:
    lines = [ln.replace("QUẢNG BÌNH", province.upper()).replace("Quảng Bình", province)
             for ln in CRIMINAL]
    return [lines[0], *extra, *lines[1:]]


@pytest.mark.parametrize("pieces", [("CỘNG", "HÒA XÃ HỘI CHỦ"), ("CỘNG HÒA",), ("HỘI CHỦ NGHĨA",)])
def test_the_motto_in_pieces_between_the_agencys_lines_is_not_the_agency(
    pieces: tuple[str, ...],
) -> None:
    got = read(_with_lines_after_province(*pieces))
    assert got.issuer == "Sở Tư pháp tỉnh Quảng Bình"
    assert not any(r.startswith("issuer") for r in got.review_reasons)


@pytest.mark.parametrize("marks", [("NH", "TH"), ("TT",)])
def test_clear_letters_that_spell_no_word_are_not_the_agency(marks: tuple[str, ...]) -> None:
    # No dateline (e0036's lost its comma): the block alone must name the unit.
    lines = [ln for ln in _with_lines_after_province(province="Phú Thọ") if ", ngày" not in ln]
    got = read([lines[0], *marks, *lines[1:]])
    assert got.fields["issuer_printed"] == "UBND TỈNH PHÚ THỌ SỞ TƯ PHÁP"
    assert "issuer_unmatched:issuer" not in got.review_reasons


def test_what_a_units_name_holds_is_kept() -> None:
    # Short words of the agency's own: syllables ("XÃ"), words of unit names that are no
    # Vietnamese syllable ("EA" of Ea Wy, "IV" of phường IV).
    for text in ("XÃ", "EA", "IV", "CH"):
        assert not _fragment(text, ((text, 90.0),)), text
    # Read weakly, a short piece is a speck whatever it spells.
    assert _fragment("XÃ", (("XÃ", 40.0),))


def test_only_the_mottos_runs_are_taken_out_of_the_block() -> None:
    block = "UBND TỈNH HẬU GIANG CỘNG HÒA XÃ HỘI CHỦ SỞ TƯ PHÁP"
    assert agency_after_motto(block)
    assert remove_interleaved_motto(block) == "UBND TỈNH HẬU GIANG SỞ TƯ PHÁP"
    # A commune named so is not in the motto's order; the motto at the block's end, or
    # its second line after it, leaves no agency's word after it.
    assert remove_interleaved_motto("UBND XÃ CỘNG HÒA") is None
    for whole in ("ỦY BAN NHÂN DÂN XÃ HÙNG SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "ỦY BAN NHÂN DÂN XÃ HÙNG SƠN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập"):
        assert not agency_after_motto(whole)


def test_the_department_after_the_motto_is_trusted_only_as_far_as_the_page_names_it() -> None:
    # Out of order, as the interleaved motto before it: the dateline's province confirms a
    # province's department; without it the record goes to review, never ready with the
    # province's committee (draw 3697 e0021).
    block = "UBND TỈNH HẬU GIANG CỘNG HÒA XÃ HỘI CHỦ SỞ TƯ PHÁP"
    named = match_issuer(block, "2024-01-01", ["Hậu Giang, ngày 11 tháng 3 năm 2024"])
    assert named.official == "Sở Tư pháp tỉnh Hậu Giang" and named.confirmed
    alone = match_issuer(block, "2024-01-01", [])
    assert alone.official == "Sở Tư pháp tỉnh Hậu Giang" and alone.lenient
    assert not alone.confirmed


def test_a_numbers_symbol_left_alone_under_a_lone_so_is_no_part_of_the_agency() -> None:
    """Draw 7877's e0033: "Số:" / "GPXD" (the digits lost) under the header block: the
    symbol is the number's piece, and glued to the block it named no unit."""
    lines = [
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "UY BẠN NHÂN DÂN",
        "Độc lập Tự do Hạnh phúc",
        "HUYỆN QUAN SƠN",
        "Số:",
        "GPXD",
        "GIẤY PHÉP XÂY DỰNG",
        "(Sử dụng cho nhà ở riêng lẻ)",
        "1. Cấp cho: Bà NGUYỄN HỒNG CHI",
        "Địa chỉ: Số 261 Trần Hưng Đạo, xã Sơn Hà, huyện Quan Sơn, tỉnh Thanh Hóa",
        "Số CCCD: 052173908836",
        "Quan Sơn, ngày 12 tháng 3 năm 2024",
        "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH",
        "Lê Văn An",
    ]
    got = analyze(["\n".join(lines)], [words_from_lines(lines)], today=date(2026, 7, 1))
    assert got.fields["issuer_printed"] == "UY BẠN NHÂN DÂN HUYỆN QUAN SƠN"
    assert got.issuer == "Ủy ban nhân dân huyện Quan Sơn, tỉnh Thanh Hóa"
    assert got.review_reasons == ["missing:document_number"]
    # A unit's name under a lone "Số:" is still the agency's (a syllable spells it).
    moved = [*lines[:3], "Số:", "HUYỆN QUAN SƠN", *lines[6:]]
    moved_got = analyze(["\n".join(moved)], [words_from_lines(moved)], today=date(2026, 7, 1))
    assert moved_got.fields["issuer_printed"] == "UY BẠN NHÂN DÂN HUYỆN QUAN SƠN"
