"""Header lines that are no part of the agency's block: the motto read in pieces between
the agency's lines, and short marks read clearly as letters that spell no word.

Draw 3697 e0021: "UBND TỈNH HẬU GIANG" / "CỘNG" / "HÒA XÃ HỘI CHỦ" / "SỞ TƯ PHÁP": the
motto's pieces joined into the block cut it before "SỞ TƯ PHÁP", and the record was ready
with the province's committee as the issuer of a criminal record certificate. Draw 3697
e0036: "UBND TỈNH PHÚ THỌ" / "NH" / "TH" (read at 89, 90) / "SỞ TƯ PHÁP": unmatched.
"""

from __future__ import annotations

import pytest

from extract.fields import _fragment, _motto_piece
from tests.extract.test_header_recovery import CRIMINAL
from tests.support.extract import analyze_lines as read


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
    # Vietnamese syllable ("EA" of Ea Wy, "IV" of phường IV), runs not in the motto's order.
    for text in ("XÃ", "EA", "IV", "CH"):
        assert not _fragment(text, ((text, 90.0),)), text
    for text in ("XÃ CỘNG HÒA", "UBND XÃ NGHĨA HÒA", "VIỆT NAM", "NAM"):
        assert not _motto_piece(text), text
    # Read weakly, a short piece is a speck whatever it spells.
    assert _fragment("XÃ", (("XÃ", 40.0),))
