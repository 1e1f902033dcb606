"""Agreement between independent evidence instead of tesseract's word confidence."""

from __future__ import annotations

from datetime import date

from extract import analyze
from extract.text import date_from_words, number_from_words
from records.result_types import ResultType
from specimens import DOC_TYPES, generate
from tests.support.extract import words_from_lines


def _iso_to_dmy(iso: str) -> str:
    year, month, day = iso.split("-")
    return f"{day}/{month}/{year}"


def test_numbers_and_dates_in_words() -> None:
    assert number_from_words("hai nghìn không trăm mười chín") == 2019
    assert number_from_words("một nghìn chín trăm bảy mươi mốt") == 1971
    assert number_from_words("một trăm linh năm") == 105
    assert number_from_words("hai nghìn khôngg") is None  # an OCR slip is no number
    worded = "Ngày hai mươi bảy, tháng mười một, năm hai nghìn không trăm hai mươi hai"
    assert date_from_words(worded) == date(2022, 11, 27)
    assert date_from_words("Ngày ba mươi, tháng hai, năm hai nghìn") is None  # 30/02


def test_every_type_classified_without_its_title_line(
    catalog: dict[str, ResultType], today: date
) -> None:
    for doc_type in DOC_TYPES:
        paper = generate(doc_type, 7)
        titles = {line.text for line in paper.layout if line.region == "title"}
        lines = [line for line in paper.lines if line not in titles]
        got = analyze(["\n".join(lines)], None, result_types=catalog, today=today)
        assert got.doc_type == doc_type, doc_type


def test_title_with_ocr_slips_is_recognised(today: date) -> None:
    paper = generate("household_business_registration", 2)
    slipped = paper.text.replace(
        "GIẤY CHỨNG NHẬN ĐĂNG KÝ HỘ KINH DOANH", "GlẤY CHỨNC NHẬN ĐĂNG KY HỘ KlNH DOANH"
    )
    got = analyze([slipped], None, today=today)
    assert got.doc_type == "household_business_registration"
    assert got.title == "GlẤY CHỨNC NHẬN ĐĂNG KY HỘ KlNH DOANH"


def test_birth_date_confirmed_by_words_and_cccd_despite_low_confidence(today: date) -> None:
    paper = generate("birth_certificate", 11)
    child = paper.subjects[0]
    dmy = _iso_to_dmy(child["birth_date"] or "")
    low = {dmy: 7.0}
    got = analyze([paper.text], [words_from_lines(paper.lines, low)], today=today)
    assert got.subjects[0].birth_date == child["birth_date"]
    assert got.subjects[0].id_number == child["id_number"]
    assert got.review_reasons == []
    if child["id_number"]:
        # A corroborated CCCD read at 30 was kept; the birth date confirms only its first
        # six digits, so now it goes to review (``checks.serial_confirmed``) and the birth
        # date, confirmed by its words, stays.
        low[child["id_number"]] = 30.0
        got = analyze([paper.text], [words_from_lines(paper.lines, low)], today=today)
        assert got.subjects[0].birth_date == child["birth_date"]
        assert got.subjects[0].id_number is None
        assert got.review_reasons == ["unverified:subjects[0].id_number"]


def test_birth_date_contradicting_its_words_is_not_kept(today: date) -> None:
    paper = generate("birth_certificate", 11)
    dmy = _iso_to_dmy(paper.subjects[0]["birth_date"] or "")
    day = int(dmy[:2])
    wrong = f"{(day % 27) + 1:02d}{dmy[2:]}"
    lines = [line.replace(dmy, wrong) for line in paper.lines]
    got = analyze(["\n".join(lines)], [words_from_lines(lines)], today=today)
    assert got.subjects[0].birth_date is None
    assert "date_words_mismatch:subjects[0].birth_date" in got.review_reasons


def test_low_confidence_cccd_without_birth_date_is_not_kept(today: date) -> None:
    paper = next(p for p in (generate("construction_permit", s) for s in range(30)) if not p.old)
    owner = paper.subjects[0]
    dmy = _iso_to_dmy(owner["birth_date"] or "")
    lines = [line.replace(f"Ngày sinh: {dmy}", "") for line in paper.lines]
    words = words_from_lines(lines, {owner["id_number"] or "": 30.0})
    got = analyze(["\n".join(lines)], [words], today=today)
    assert got.subjects[0].id_number is None  # nothing corroborates digits read that badly
    assert "unverified:subjects[0].id_number" in got.review_reasons


def test_name_read_alike_twice_needs_no_review(today: date) -> None:
    paper = generate("criminal_record_certificate", 3)
    family = (paper.subjects[0]["name"] or "").split()[-1]
    got = analyze(
        [paper.text], [words_from_lines(paper.lines, {family + ",": 5.0, family: 5.0})], today=today
    )
    assert got.subjects[0].name is not None
    assert not any("name" in r for r in got.review_reasons)
