"""The validity term a paper states wins over the catalog default, wrapped or corrected."""

from __future__ import annotations

from datetime import date

from extract import analyze, apply
from extract.analyze import Extraction
from extract.review import correct
from records.model import Record, Source
from specimens import generate
from tests.support.extract import words_from_lines

# Construction permit, seed 3, issued 25/04/2024; it prints "trong thời hạn 12" and wraps
# "tháng" onto the next line. The catalog default for permits is 12 months too, so the
# tests state 6 to tell the stated term from the default.
PERMIT = generate("construction_permit", 3).text
WRAPPED = "thời hạn 12\n    tháng"


def read(text: str) -> Extraction:
    return analyze([text], [words_from_lines(text.split("\n"))], today=date(2025, 1, 1))


def test_a_term_wrapped_across_lines_is_read() -> None:
    got = read(PERMIT.replace(WRAPPED, "thời hạn 6\n    tháng"))
    assert got.issued_on == "2024-04-25"
    assert got.valid_until == "2024-10-25"
    assert got.fields["stated_term"] == 6
    assert got.review_reasons == []


def test_a_term_in_words_is_read() -> None:
    got = read(PERMIT.replace(WRAPPED, "thời hạn sáu\n    tháng"))
    assert got.valid_until == "2024-10-25"


def test_a_stated_term_whose_number_cannot_be_read_goes_to_review() -> None:
    got = read(PERMIT.replace(WRAPPED, "thời hạn ~#\n    tháng"))
    assert got.valid_until is None
    assert "missing:valid_until" in got.review_reasons


def test_an_end_date_after_the_phrase_is_read_from_the_next_line() -> None:
    text = PERMIT.replace(
        "trong " + WRAPPED + " kể từ ngày cấp;", "có giá trị đến ngày\n    30/09/2024;"
    )
    assert read(text).valid_until == "2024-09-30"


def test_correcting_the_issue_date_keeps_the_stated_term() -> None:
    record = Record(id="r", agency="a", source=Source("f.png", "0" * 64, "image/png", 1))
    apply(record, read(PERMIT.replace(WRAPPED, "thời hạn 6 tháng\n   ")))
    assert record.valid_until == "2024-10-25"
    new = correct(record, {"issued_on": "2024-04-26"}, by="o", today=date(2025, 1, 1))
    assert new.valid_until == "2024-10-26"
    # an officer correcting the term itself recomputes from it
    newer = correct(new, {"fields.stated_term": "9"}, by="o", today=date(2025, 1, 1))
    assert newer.valid_until == "2025-01-26"
