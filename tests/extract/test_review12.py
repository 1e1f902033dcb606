"""Review pass 12: a dateline's year read weakly is read again before it is trusted; an
agency's name and a name's second mention confirm words read weakly; the motto's pieces
leave the agency's block — and the misreads of the same kind that must stay in review."""

from __future__ import annotations

from datetime import date

import pytest

from extract.fields import _motto_piece
from extract.places import agency_phrases, match_issuer
from records.folding import fold_phrase
from records.model import ReviewReason
from tests.extract.test_header_recovery import CRIMINAL
from tests.extract.test_line_reread import Reader, _again, _dateline, _paper
from tests.support.extract import analyze_lines as read


def _dateline_parts(lines: list[str]) -> tuple[int, str, str, str, str]:
    at = _dateline(lines)
    place, _, when = lines[at].partition(", ngày ")
    day, month, year = when.replace("tháng ", "").replace("năm ", "").split()
    return at, place, day, month, year


def test_a_dateline_whose_year_alone_was_read_weakly_is_doubted() -> None:
    # Draw 22001 e0010: "Lạng Sơn, ngày 28 tháng 3 năm 2018", the year read at 74 for 2013
    # (nothing else on the page dates the paper): ready and wrong before.
    got = read(CRIMINAL, {"2025": 74.0})
    assert got.issued_on == "2025-03-11"
    assert "low_confidence:issued_on" in got.review_reasons
    # Read clearly, or weakly but at 80 and over, it is trusted as before.
    assert not [r for r in read(CRIMINAL, {"2025": 80.0}).review_reasons if "issued_on" in r]
    assert not [r for r in read(CRIMINAL).review_reasons if "issued_on" in r]


def test_a_weak_year_the_second_reading_reads_alike_and_clearly_is_confirmed() -> None:
    # Draw 22001 e0031 ("năm 2014" at 76), dev e0042 ("tháng 02" at 74): right, and
    # released by the second reading of the dateline.
    lines, _ = _paper()
    _, place, day, month, year = _dateline_parts(lines)
    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), (day, 95.0), ("tháng", 95.0),
                    (month, 95.0), ("năm", 95.0), (year, 95.0))
    got = _again(lines, {year: 74.0}, reader)
    assert got.issued_on is not None and got.issued_on.startswith(year)
    assert got.review_reasons == []
    assert len(reader.asked) == 1


@pytest.mark.parametrize("again", ["other", "weak"])
def test_a_weak_year_read_otherwise_or_weakly_again_stays_in_review(again: str) -> None:
    # e0010's second reading gave "286" for its day: nothing agrees, an officer reads it.
    lines, _ = _paper()
    _, place, day, month, year = _dateline_parts(lines)
    second = (str(int(year) + 5), 95.0) if again == "other" else (year, 74.0)
    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), (day, 95.0), ("tháng", 95.0),
                    (month, 95.0), ("năm", 95.0), second)
    got = _again(lines, {year: 74.0}, reader)
    assert got.issued_on is not None and got.issued_on.startswith(year)
    assert ReviewReason("low_confidence", "issued_on") in got.review_reasons


BUSINESS = [
    "UBND THỊ XÃ VĨNH CHÂU",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "PHÒNG TÀI CHÍNH - KÉ HOẠCH",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 94A66358624",
    "GIẤY CHỨNG NHẬN",
    "ĐĂNG KÝ HỘ KINH DOANH",
    "Mã số hộ kinh doanh: 94A66358624",
    "Đăng ký lần đầu: ngày 03 tháng 5 năm 2015",
    "1. Tên hộ kinh doanh: HỘ KINH DOANH QUÁN ĂN THÀNH ĐẠT",
    "2. Địa điểm kinh doanh: Tổ 13, xã Lai Hòa, thị xã Vĩnh Châu, tỉnh Sóc Trăng",
    "5. Chủ hộ kinh doanh (đại diện hộ kinh doanh):",
    "Họ và tên: NGUYỄN QUANG TÙNG",
    "Giới tính: Nam",
    "Sinh ngày: 09/02/1975",
    "Số CCCD: 095075644349",
    "Sóc Trăng, ngày 07 tháng 02 năm 2020",
    "KT. TRƯỞNG PHÒNG",
]


def test_a_word_of_an_agency_named_whole_read_weakly_is_confirmed_by_the_list() -> None:
    # Draw 22001 e0043: "KÉ" read at 24 in "PHÒNG TÀI CHÍNH - KÉ HOẠCH": the agency's other
    # words spell the one agency of the list it can be.
    got = read(BUSINESS, {"KÉ": 24.0})
    assert got.issuer == "Phòng Tài chính - Kế hoạch thị xã Vĩnh Châu, tỉnh Sóc Trăng"
    assert not [r for r in got.review_reasons if r.endswith(":issuer")]


@pytest.mark.parametrize(
    "weak",
    [
        {"KÉ": 24.0, "TÀI": 24.0},  # two words of the agency weak: the list confirms one
        {"CHÂU": 24.0},  # the unit's own name (printed nowhere else): no list behind it
        {"UBND": 24.0},  # an agency of one word confirms nothing
    ],
)
def test_issuer_words_the_agency_list_cannot_confirm_stay_doubted(weak: dict[str, float]) -> None:
    # Without the business address, which names the unit again and so confirms it.
    got = read([ln for ln in BUSINESS if not ln.startswith("2. ")], weak)
    assert "low_confidence:issuer" in got.review_reasons


def _phrases(header: str) -> list[tuple[tuple[int, ...], int | None]]:
    return [(p.positions, p.slip) for p in agency_phrases(header.split())]


def test_agency_phrases_are_whole_agencies_of_three_words_and_more() -> None:
    assert _phrases("UBND THỊ XÃ VĨNH CHÂU PHÒNG TÀI CHÍNH - KÉ HOẠCH") == [
        ((5, 6, 7, 9, 10), None)
    ]
    assert _phrases("ỦY BAN NHÂN DÂN XÃ MINH HÓA") == [((0, 1, 2, 3), None)]
    assert _phrases("SỞ TƯ PHÁT") == []  # a letter off in three words: no agency's
    assert _phrases("PHÒNG TÀI CHÍNH") == []  # cut short
    # Draw 22004 e0026: '"LAI' for TÀI; four words spelled exactly name the agency.
    assert _phrases('PHONG "LAI CHINH - KE HOẠCH') == [((0, 1, 2, 4, 5), 1)]
    assert _phrases("PHONG LAI CHINH - KE HOACK") == []  # two words off


def test_a_word_of_the_agency_read_a_letter_off_is_the_one_the_list_confirms() -> None:
    lines = [ln.replace("PHÒNG TÀI CHÍNH - KÉ HOẠCH", 'PHONG "LAI CHINH - KE HOẠCH')
             for ln in BUSINESS]
    got = read(lines, {'"LAI': 0.0})
    assert got.issuer == "Phòng Tài chính - Kế hoạch thị xã Vĩnh Châu, tỉnh Sóc Trăng"
    assert not [r for r in got.review_reasons if r.endswith(":issuer")]
    # The slipped word is the one excused: another word weak besides it stays a doubt.
    assert "low_confidence:issuer" in read(lines, {'"LAI': 0.0, "HOẠCH": 20.0}).review_reasons


# Draw 22002 e0032: the motto set in pieces beside a narrow left column, each piece read as
# a line of the agency's block.
MOTTO_IN_PIECES = [
    "HÒA XÃ HỘI CHỦ",
    "TỈNH PHÚ THỌ",
    "CỘNG",
    "ỦNG VIỆT NAM",
    "UBND XÃ BÌNH XUYÊN",
    "ộc lập - Tự do - Hạnh phúc",
    *BUSINESS[5:9],
    "2. Địa điểm kinh doanh: Số 34 Hai Bà Trưng, xã Bình Xuyên, tỉnh Phú Thọ",
    *BUSINESS[11:16],
    "Phú Thọ, ngày 26 tháng 8 năm 2026",
    "TRƯỞNG PHÒNG",
]


def test_pieces_of_the_motto_read_into_the_agency_block_are_left_out() -> None:
    got = read(MOTTO_IN_PIECES, today=date(2026, 12, 1))
    assert got.issuer == "Ủy ban nhân dân xã Bình Xuyên, tỉnh Phú Thọ"
    # "CỘNG" alone, the word before the piece "HÒA XÃ HỘI CHỦ", goes with it.
    assert got.fields["issuer_printed"] == "TỈNH PHÚ THỌ UBND XÃ BÌNH XUYÊN"
    assert not [r for r in got.review_reasons if r.endswith(":issuer")]


def test_a_block_of_nothing_but_the_motto_still_holds_the_record() -> None:
    # The agency's lines lost (draw 22001 e0009, "NGHĨA VIỆT NAM" alone): the block stays
    # as read and names no unit.
    lines = [ln for ln in MOTTO_IN_PIECES if "PHÚ THỌ" not in ln and "BÌNH XUYÊN" not in ln]
    got = read(lines, today=date(2026, 12, 1))
    assert got.issuer is None
    assert "issuer_unmatched:issuer" in got.review_reasons


@pytest.mark.parametrize(
    ("line", "piece"),
    [
        ("HÒA XÃ HỘI CHỦ", True),
        ("ỦNG VIỆT NAM", True),
        ("NGHĨA VIỆT NAM", True),
        ("CỘNG", False),  # one word: a unit's name may end so
        ("XÃ CỘNG HÒA", False),  # a commune: two of the motto's words, after its type
        ("UBND XÃ CỘNG HÒA", False),
        ("XÃ HỘI NGHĨA", False),  # not the motto's order
        ("UBND XÃ VIỆT NAM", False),  # two words besides
    ],
)
def test_what_a_piece_of_the_motto_is(line: str, piece: bool) -> None:
    assert (_motto_piece(fold_phrase(line)) is not None) is piece


def _holder_quoted(requester: str) -> list[str]:
    # Draw 22002 e0028: the holder's "PHẠM 'THU LINH" ("'THU" at 68, the quote a speck),
    # printed in the requester's line too.
    return [
        ln.replace("Theo yêu cầu của: Nghiêm Đức Lộc", f"Theo yêu cầu của: {requester}")
        .replace("1. Họ và tên: NGHIÊM ĐỨC LỘC", "1. Họ và tên: NGHIÊM 'ĐỨC LỘC")
        for ln in CRIMINAL
    ]


def test_a_name_with_a_quote_speck_printed_again_elsewhere_is_confirmed() -> None:
    got = read(_holder_quoted("NGHIÊM ĐỨC LỘC"), {"'ĐỨC": 68.0})
    assert got.subjects[0].name == "Nghiêm Đức Lộc"
    assert got.review_reasons == []


def test_a_name_with_a_quote_speck_printed_once_stays_doubted() -> None:
    got = read(_holder_quoted("Trần Văn Ba"), {"'ĐỨC": 68.0})
    assert "low_confidence:subjects[0].name" in got.review_reasons


CHO_MOI = "ỦY BAN NHÂN DÂN HUYỆN CHỢ MỚI"


def test_two_districts_of_one_name_are_told_apart_by_the_address_naming_its_province() -> None:
    # Draw 22001 e0000: "huyện Chợ Mới" of Bắc Kạn and of An Giang; the business address
    # names the district with its province.
    address = "2. Địa điểm kinh doanh: Thôn 7, xã Tấn Mỹ, huyện Chợ Mới, tỉnh An Giang"
    got = match_issuer(CHO_MOI, "2021-02-14", [address])
    assert got.official == "Ủy ban nhân dân huyện Chợ Mới, tỉnh An Giang"


@pytest.mark.parametrize(
    "page",
    [
        [],  # nothing names the province
        ["Nơi cư trú: xã Tấn Mỹ, huyện Chợ Mới, tỉnh An Giang",
         "Nơi đăng ký: huyện Chợ Mới, tỉnh Bắc Kạn"],  # both named: no telling
        ["Địa chỉ: huyện Chợ Mới"],  # the district without its province
    ],
)
def test_two_districts_of_one_name_stay_a_choice_without_one_address(page: list[str]) -> None:
    got = match_issuer(CHO_MOI, "2021-02-14", page)
    assert got.official is None and got.reason == "issuer_ambiguous"


def _tan_ky(header: str) -> list[str]:
    # Draw 22004 e0009: "HUYỆN TÂN Kỳ" — the capital Ỳ read small, the block cut before it
    # (no unit "Tân"), the issuer only proposed from the signature.
    return [
        header if ln == "UBND THỊ XÃ VĨNH CHÂU" else
        ln.replace("xã Lai Hòa, thị xã Vĩnh Châu, tỉnh Sóc Trăng",
                   "xã Tiên Kỳ, huyện Tân Kỳ, tỉnh Nghệ An").replace("Sóc Trăng, ngày",
                                                                     "Nghệ An, ngày")
        for ln in BUSINESS
    ]


def test_a_capital_y_read_small_after_capitals_stays_in_the_agency_block() -> None:
    got = read(_tan_ky("ỦY BAN NHÂN DÂN HUYỆN TÂN Kỳ"))
    assert got.fields["issuer_printed"].startswith("ỦY BAN NHÂN DÂN HUYỆN TÂN Kỳ")
    assert got.issuer == "Phòng Tài chính - Kế hoạch huyện Tân Kỳ, tỉnh Nghệ An"
    assert not [r for r in got.review_reasons if r.endswith(":issuer")]


def test_a_word_of_small_letters_after_the_capitals_is_still_cut() -> None:
    # "Kỳ" keeps its place because Y's capital is its small letter drawn larger; a word
    # with other small letters ("Kinh") is body text read on the agency's line.
    got = read(_tan_ky("ỦY BAN NHÂN DÂN HUYỆN TÂN Kinh"))
    assert not got.fields["issuer_printed"].startswith("ỦY BAN NHÂN DÂN HUYỆN TÂN Kinh")
