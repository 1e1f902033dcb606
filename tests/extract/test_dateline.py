"""The issue date comes from the signature's dateline, not a dated line quoted in the body."""

from __future__ import annotations

from datetime import date

from extract import analyze
from extract.analyze import Extraction
from specimens import generate
from tests.support.extract import words_from_lines

# Criminal record certificate, seed 3: dateline "Tiền Giang, ngày 2 tháng 6 năm 2021".
CERTIFICATE = generate("criminal_record_certificate", 3).text
REQUEST = "Xét đề nghị của bà TRẦN THANH LAN,"


def read(text: str) -> Extraction:
    return analyze([text], [words_from_lines(text.split("\n"))], today=date(2025, 1, 1))


def test_a_dated_request_in_the_body_does_not_become_the_issue_date() -> None:
    text = CERTIFICATE.replace(
        REQUEST, "Xét đơn đề nghị của bà TRẦN THANH LAN, ngày 12 tháng 5 năm 2021"
    )
    got = read(text)
    assert got.issued_on == "2021-06-02"
    assert got.valid_until == "2021-12-02"
    assert got.review_reasons == ["dateline_conflict:issued_on"]


def test_a_body_line_dated_like_the_dateline_is_no_conflict() -> None:
    text = CERTIFICATE.replace(REQUEST, "Xét đơn của bà TRẦN THANH LAN, ngày 2 tháng 6 năm 2021")
    got = read(text)
    assert got.issued_on == "2021-06-02"
    assert got.review_reasons == []
