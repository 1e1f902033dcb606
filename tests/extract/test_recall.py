"""Values on the page that extraction lost: a date's slash read as a fraction slash, a
paper's number whose label was lost or torn (issue 14, recall)."""

from __future__ import annotations

from datetime import date

from extract import analyze
from extract.analyze import Extraction
from extract.text import find_date
from specimens import generate
from tests.support.extract import words_from_lines

PERMIT = generate("construction_permit", 3).text  # "Số: 110/2024/GPXD"
BUSINESS = generate("household_business_registration", 3).text  # code 32A8008980


def read(text: str) -> Extraction:
    return analyze([text], [words_from_lines(text.split("\n"))], today=date(2025, 1, 1))


def test_a_fraction_or_division_slash_separates_a_date() -> None:
    # "18/12⁄1972" (draw 4111 e0013): the font's slash read as U+2044.
    assert find_date("Ngày, tháng, năm sinh: 18/12\u20441972")[0] == date(1972, 12, 18)
    assert find_date("18\u221512\u22151972")[0] == date(1972, 12, 18)


def test_a_birth_date_with_a_fraction_slash_is_read() -> None:
    text = PERMIT.replace("23/12/1996", "23/12\u20441996")
    assert read(text).subjects[0].birth_date == "1996-12-23"


def test_a_number_whose_label_was_lost_is_found_by_the_types_symbol_and_held() -> None:
    got = read(PERMIT.replace("Số: 110/2024/GPXD", "110/2024/GPXD"))
    assert got.document_number == "110/2024/GPXD"
    assert "number_format:document_number" in got.review_reasons


def test_a_number_read_twice_without_its_label_is_still_held() -> None:
    # Two lines of one page reading are not two readings: the same misread would repeat.
    got = read(PERMIT.replace("Số: 110/2024/GPXD", "110/2024/GPXD\n110/2024/GPXD"))
    assert got.document_number == "110/2024/GPXD"
    assert "number_format:document_number" in got.review_reasons


def test_an_unlabelled_number_of_another_types_symbol_is_not_taken() -> None:
    got = read(PERMIT.replace("Số: 110/2024/GPXD", "110/2024/KS"))
    assert got.document_number is None


def test_two_different_unlabelled_numbers_give_none() -> None:
    got = read(PERMIT.replace("Số: 110/2024/GPXD", "110/2024/GPXD\n111/2024/GPXD"))
    assert got.document_number is None


def test_a_business_code_under_a_torn_label_is_found_and_held() -> None:
    # "doanh: 10H33264233" (dev e0061): "Mã số hộ kinh" torn off the line above.
    text = BUSINESS.replace("Số: 44/2016/ĐKHKD\n", "").replace(
        "Mã số hộ kinh doanh: 32A8008980", "Mã số hộ kinh\ndoanh: 32A8008980"
    )
    got = read(text)
    assert got.document_number == "32A8008980"
    assert "number_format:document_number" in got.review_reasons
