"""Values the page prints that the first reading lost or garbled, recovered by the second
reading of their line, and trusted only on independent agreement (recall pass 11,
bench/README_extract.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from extract import analyze
from extract.analyze import Extraction
from extract.reread import SECOND_READING, second_reading
from records.model import ReviewReason
from tests.extract.test_analyze import _cccd_paper
from tests.extract.test_line_reread import Reader
from tests.support.extract import words_from_lines

TODAY = date(2026, 12, 1)


def _again(lines: list[str], weak: dict[str, float], reader: Reader) -> Extraction:
    words = words_from_lines(lines, weak)
    first = analyze(["\n".join(lines)], [words], today=TODAY)
    return second_reading(first, ["\n".join(lines)], [words], reader,
                          lambda texts, pages: analyze(texts, pages, today=TODAY))


def _id_line(lines: list[str], number: str) -> tuple[list[str], list[str]]:
    line = next(line for line in lines if number in line)
    return line.split(number)[0].split(), line.split(number)[1].split()


def test_an_unverified_cccd_the_second_reading_spells_alike_is_kept() -> None:
    """Draw 1913's e0035: "079169187409" read at 54, agreeing with the holder's birth year
    and sex, set aside for its serial (nothing on the page prints it again); its line read
    again spells the same twelve digits at 71. The serial is read twice alike: the ID is
    the record's, and the record ready."""
    lines, number = _cccd_paper()
    weak = {number: 54.0}
    first = analyze(["\n".join(lines)], [words_from_lines(lines, weak)], today=TODAY)
    assert first.subjects[0].id_number is None
    assert first.review_reasons == [ReviewReason("unverified", "subjects[0].id_number")]
    label, rest = _id_line(lines, number)
    got = _again(lines, weak, Reader(*[(w, 96.0) for w in label], (number, 71.0),
                                     *[(w, 96.0) for w in rest]))
    assert got.subjects[0].id_number == number
    assert got.review_reasons == []
    assert got.doubts.unverified_id_numbers == []


def _serial_slip(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("8" if last != "8" else "3")


@pytest.mark.parametrize("second", [
    pytest.param(lambda n: (_serial_slip(n), 90.0), id="a serial figure read otherwise"),
    pytest.param(lambda n: ("9" + n[1:], 88.0), id="the province figure read otherwise"),
    pytest.param(lambda n: (n, 20.0), id="alike but under a corroborated ID's floor"),
])
def test_an_unverified_cccd_read_otherwise_or_barely_stays_set_aside(
        second: Callable[[str], tuple[str, float]]) -> None:
    """Dev e0037: "046203454214" read at 75, again "946203454214"; dev e0071: "…666517"
    read again "…668517". A figure the two readings do not share is one of them misread
    (and a serial slip is another citizen's number): the ID stays set aside."""
    lines, number = _cccd_paper()
    weak = {number: 54.0}
    label, rest = _id_line(lines, number)
    got = _again(lines, weak, Reader(*[(w, 96.0) for w in label], second(number),
                                     *[(w, 96.0) for w in rest]))
    assert got.subjects[0].id_number is None
    assert ReviewReason("unverified", "subjects[0].id_number") in got.review_reasons


def test_an_unverified_cccd_of_a_person_whose_birth_date_is_not_kept_stays_aside() -> None:
    """Two readings alike say nothing of the figures the birth date vouches for when the
    page gives no birth date to check them against (its line lost)."""
    lines, number = _cccd_paper()
    kept = [line for line in lines if "sinh" not in line.lower() or number in line]
    born_elsewhere = [line.split("Ngày sinh")[0].rstrip() if number in line else line
                      for line in kept]
    weak = {number: 54.0}
    first = analyze(["\n".join(born_elsewhere)], [words_from_lines(born_elsewhere, weak)],
                    today=TODAY)
    assert first.subjects[0].birth_date is None
    assert first.subjects[0].id_number is None
    label, rest = _id_line(born_elsewhere, number)
    got = _again(born_elsewhere, weak, Reader(*[(w, 96.0) for w in label], (number, 71.0),
                                              *[(w, 96.0) for w in rest]))
    assert got.subjects[0].id_number is None


# Dev e0021 as the first reading gave it (spellings of other lines set right): the
# holder's CCCD torn ("09207069-196+"), on the line that also holds the holder's label,
# name and birth year.
LAND_USE = [
    "ỦY BAN NHÂN DÂN TỈNH CAO BẰNG",
    "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "GIẤY CHỨNG NHẬN",
    "QUYỀN SỬ DỤNG ĐẤT, QUYỀN SỞ HỮU NHÀ Ở",
    "VÀ TÀI SẢN KHÁC GẮN LIỀN VỚI ĐẤT",
    "DE 428923",
    "I. Người sử dụng đất, chủ sở hữu nhà ở và tài sản khác gắn liền với đất",
    "Ông: NGUYỄN CÔNG ĐẠT, năm sinh: 1970, Số CCCD: 09207069-196+",
    "Địa chỉ thường trú: Số 58 Bà Triệu, xã Hồng An, huyện Bảo Lạc, tỉnh Cao Bằng",
    "II. Thửa đất, nhà ở và tài sản khác gắn liền với đất",
    "a) Thửa đất số: 139",
    "b) Tờ bản đồ số: 32",
    "g) Thời hạn sử dụng: Lâu dài",
    "Số vào sổ cấp GCN: CS60529",
    "Cao Bằng, ngày 09 tháng 8 năm 2019",
    "GIÁM ĐỐC",
    "Phạm Thế Sỹ",
]


@pytest.mark.parametrize(("read", "filled"), [
    ("092070694964", "092070694964"),
    # The birth year read apart says 1970; "092080…" encodes 1980: not this person's.
    ("092080694964", None),
])
def test_an_id_read_malformed_whose_persons_label_the_second_reading_lost(
        read: str, filled: str | None) -> None:
    """Dev e0021: the second reading of the holder's line gives the ID whole but its label
    "Ông:" as "Ô5:", so that analysis names nobody on the line; the same role, as many
    people on the page: the holder's ID is filled — read once, held for an officer."""
    first = analyze(["\n".join(LAND_USE)], [words_from_lines(LAND_USE, {})], today=TODAY)
    assert first.subjects[0].id_number is None
    assert "id_format:subjects[0]" in first.review_reasons
    reader = Reader(("Ô5:", 14.0), ("NGUYỄN", 95.0), ("CÔNG", 97.0), ("ĐẠT,", 42.0),
                    ("năm", 97.0), ("sinh:", 97.0), ("1970,", 96.0), ("Số", 93.0),
                    ("CCCD:", 91.0), (read, 96.0))
    got = _again(LAND_USE, {}, reader)
    assert got.subjects[0].id_number == filled
    assert got.subjects[0].name == "Nguyễn Công Đạt"
    if filled:
        assert ReviewReason(SECOND_READING, "subjects[0].id_number") in got.review_reasons
    else:
        assert "id_format:subjects[0]" in got.review_reasons


@pytest.mark.parametrize(("read", "issued", "reasons"), [
    # Read whole and clearly the second time: two readings agree on every figure.
    ("2024", "2024-11-27", []),
    # Read as another year: one of the two is misread (a speck taken for the "4"); the
    # first stands, doubted.
    ("2021", "2024-11-27", [ReviewReason("low_confidence", "issued_on")]),
])
def test_a_year_read_in_two_pieces_is_taken_but_doubted_until_read_whole(
        read: str, issued: str, reasons: list[ReviewReason]) -> None:
    """Draw 2671's e0015: "Ninh Bình, ngày 14 tháng 4 năm 201 1" — four figures in two
    pieces make one year only (2011), as a day's two pieces make one day; but a speck read
    as a "1" beside "201" reads the same, so the date is filled and doubted, as a split day
    is, until the second reading gives the year whole."""
    from tests.extract.test_line_reread import _dateline, _paper

    lines, _ = _paper()
    at = _dateline(lines)
    place = lines[at].partition(", ngày ")[0]
    split = [*lines[:at], f"{place}, ngày 27 tháng 11 năm 202 4", *lines[at + 1:]]
    first = analyze(["\n".join(split)], [words_from_lines(split, {})], today=TODAY)
    assert first.issued_on == "2024-11-27"
    assert ReviewReason("low_confidence", "issued_on") in first.review_reasons
    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), ("27", 95.0), ("tháng", 95.0),
                    ("11", 95.0), ("năm", 95.0), (read, 95.0))
    got = _again(split, {}, reader)
    assert got.issued_on == issued
    assert got.review_reasons == reasons


def test_three_figures_and_a_lone_one_far_off_make_no_year() -> None:
    """Only pieces side by side, one space apart, are joined, and into four figures: "năm
    201" is no year, nor "năm 20 1 1"."""
    from extract.text import find_date

    assert find_date("ngày 14 tháng 4 năm 201 1")[0] == date(2011, 4, 14)
    assert find_date("ngày 14 tháng 4 năm 20 11")[0] == date(2011, 4, 14)
    assert find_date("ngày 14 tháng 4 năm 2011")[0] == date(2011, 4, 14)
    assert find_date("ngày 14 tháng 4 năm 201")[0] is None
    assert find_date("ngày 14 tháng 4 năm 201 11")[0] is None


@pytest.mark.parametrize(("printed", "number"), [
    ("CS62BB2", "CS62882"),  # draw 2671's e0041: B read for 8 where figures stand
    ("CS6BB2", None),  # a figure lost: no way into the format
    ("CS62882", "CS62882"),  # read right: the number, no guess
])
def test_a_register_entry_read_with_look_alike_letters_for_figures_is_filled_for_review(
        printed: str, number: str | None) -> None:
    """A land-use certificate's register entry, "CS" and five figures by regulation, read
    with letters where figures stand: the figures they look like fit the format one way,
    and the number is filled — a guess (``number_format``), never ready: "CS62B82" would
    be read "CS62882" just the same."""
    lines = [line.replace("CS60529", printed) for line in LAND_USE]
    lines = [line.replace("09207069-196+", "092070694964") for line in lines]
    got = analyze(["\n".join(lines)], [words_from_lines(lines, {})], today=TODAY)
    assert got.document_number == number
    guess = ReviewReason("number_format", "document_number")
    assert (guess in got.review_reasons) == (number is not None and number != printed)
