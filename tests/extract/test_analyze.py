"""Classification and field extraction on specimen text and on real tesseract output."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze, apply
from extract.text import title_case
from records.model import Record, Source, Status
from records.result_types import ResultType
from specimens import DOC_TYPES, generate
from tests.support.extract import words_from_lines


@pytest.mark.parametrize("doc_type", DOC_TYPES)
def test_every_type_classified_and_read(
    doc_type: str, catalog: dict[str, ResultType], today: date
) -> None:
    for seed in (1, 2):
        paper = generate(doc_type, seed)
        got = analyze([paper.text], None, result_types=catalog, today=today)
        assert got.doc_type == doc_type
        assert got.doc_type_confidence is not None and got.doc_type_confidence >= 0.5
        assert got.document_number == paper.document_number
        # The issuer as printed is kept; the record carries the official unit it names.
        assert got.fields["issuer_printed"] == paper.issuer
        unit = paper.issuer.removeprefix("UBND ").removeprefix("SỞ TƯ PHÁP ").lower()
        assert got.issuer is not None and unit in got.issuer.lower()
        assert got.fields["issuer_province_code"]
        assert got.issued_on == paper.issued_on
        assert got.valid_until == paper.valid_until
        names = [title_case(s["name"] or "") for s in paper.subjects]
        assert [s.name for s in got.subjects] == names
        assert [s.id_number for s in got.subjects] == [s["id_number"] for s in paper.subjects]
        assert got.subjects[0].birth_date == paper.subjects[0]["birth_date"]
        assert got.review_reasons == []


def test_type_specific_fields(today: date) -> None:
    birth = generate("birth_certificate", 3)
    got = analyze([birth.text], None, today=today)
    assert got.fields["mother_name"] == title_case(birth.fields["mother_name"])
    hkd = generate("household_business_registration", 3)
    got = analyze([hkd.text], None, today=today)
    assert got.fields["household_business_code"] == hkd.fields["household_business_code"]
    assert got.subjects[0].role == "chủ hộ"
    land = generate("land_use_certificate", 3)
    got = analyze([land.text], None, today=today)
    assert got.fields["plot_number"] == land.fields["plot_number"]
    assert got.fields["map_sheet"] == land.fields["map_sheet"]
    marriage = generate("marriage_certificate", 3)
    roles = [s.role for s in analyze([marriage.text], None, today=today).subjects]
    assert roles == ["chồng", "vợ"]


def test_old_birth_certificate_without_id_keeps_name_and_birth_date(today: date) -> None:
    paper = next(p for p in (generate("birth_certificate", s) for s in range(40)) if p.old)
    got = analyze([paper.text], None, today=today)
    assert got.subjects[0].id_number is None
    assert got.subjects[0].name == title_case(paper.subjects[0]["name"] or "")
    assert got.subjects[0].birth_date == paper.subjects[0]["birth_date"]
    assert not any("id_number" in r for r in got.review_reasons)


# Lines as tesseract really read them from degraded specimens: the header merged with
# the motto, a stray colon after a name, slips in "tháng" and in the number line.
REAL_OCR = [
    "SỞ TƯ PHÁP THÀNH PHỐ HỒ CHÍ MINH CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "§ố8439/2016LLTP",
    "Độc lập - Tự do - Hạnh phúc",
    "PHIẾU LÝ LỊCH TƯ PHÁP SỐ 2",
    "Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;",
    "Xét đề nghị của bà NGUYÊN THỊ DUYÊN,",
    "1. Họ và tên: NGUYÊN THỊ DUYÊN: 2. Giới tính: Nữ",
    ". Ngày, tháng, năm sinh: 01/02/1952",
    "8. Căn cước công dân số: 079152100535",
    "9. Họ và tên cha: NGUYỄN GIA ĐỨC",
    "TÌNH TRẠNG ÁN TÍCH: Không có án tích",
    "Hồ Chí Minh, ngày 27 ' thúng 08 năm 2016",
    "K1. GIÁM ĐỐC",
]


def test_real_ocr_slips(today: date) -> None:
    got = analyze(["\n".join(REAL_OCR)], [words_from_lines(REAL_OCR)], today=today)
    assert got.doc_type == "criminal_record_certificate"
    assert got.issuer == "Sở Tư pháp thành phố Hồ Chí Minh"
    assert got.fields["issuer_printed"] == "SỞ TƯ PHÁP THÀNH PHỐ HỒ CHÍ MINH"
    assert got.fields["issuer_province_code"] == "79"
    assert got.document_number == "8439/2016/LLTP"
    assert got.issued_on == "2016-08-27"
    assert got.valid_until == "2017-02-27"
    subject = got.subjects[0]
    assert (subject.name, subject.id_number, subject.birth_date, subject.sex) == (
        "Nguyễn Thị Duyên",
        "079152100535",
        "1952-02-01",
        "nữ",
    )
    assert got.fields["father_name"] == "Nguyễn Gia Đức"
    assert got.review_reasons == []


def test_digit_lookalikes_and_spaces_in_numbers(today: date) -> None:
    lines = [
        "UBND PHƯỜNG KIM MÃ",
        "Số: 1O5/2O21/KS",
        "GIẤY KHAI SINH",
        "Họ, chữ đệm, tên: TRẦN VĂN AN",
        "Ngày, tháng, năm sinh: O2/03/2021",
        "Giới tính: Nam",
        "Số định danh cá nhân: 001 2210 l2345",
        "Hà Nội, ngày 15 tháng 3 năm 2021",
    ]
    got = analyze(["\n".join(lines)], None, today=today)
    assert got.document_number == "105/2021/KS"
    assert got.subjects[0].birth_date == "2021-03-02"
    assert got.subjects[0].id_number == "001221012345"


def test_unsure_classification_gives_null_doc_type(today: date) -> None:
    prose = ["Biên bản họp tổ dân phố số 3", "Nội dung: vệ sinh môi trường"]
    got = analyze(["\n".join(prose)], None, today=today)
    assert got.doc_type is None and "doc_type_unsure" in got.review_reasons
    both = ["UBND XÃ UY NỖ", "GIẤY KHAI SINH", "TRÍCH LỤC KHAI TỬ", "Họ, chữ đệm, tên: LÊ AN"]
    got = analyze(["\n".join(both)], None, today=today)
    assert got.doc_type is None


def test_low_word_confidence_sends_to_review(today: date) -> None:
    paper = generate("marriage_certificate", 5)
    husband = (paper.subjects[0]["name"] or "").split()
    words = words_from_lines(paper.lines, {husband[-1]: 10.0})
    got = analyze([paper.text], [words], today=today)
    assert got.subjects[0].name == title_case(" ".join(husband))
    assert "low_confidence:subjects[0].name" in got.review_reasons
    record = Record(id="r1", agency="a", source=Source("f.png", "0" * 64, "image/png", 1))
    apply(record, got)
    assert record.status == Status.NEEDS_REVIEW
    assert record.review.reasons == got.review_reasons
    assert record.subjects[0].name == got.subjects[0].name


def test_uncorroborated_low_confidence_id_is_not_kept(today: date) -> None:
    paper = next(p for p in (generate("construction_permit", s) for s in range(30)) if p.old)
    cmnd = paper.subjects[0]["id_number"] or ""
    got = analyze([paper.text], [words_from_lines(paper.lines, {cmnd: 60.0})], today=today)
    assert got.subjects[0].id_number is None
    assert got.doubts.unverified_id_numbers == [cmnd]
    assert "unverified:subjects[0].id_number" in got.review_reasons


def test_number_year_must_match_issue_year(today: date) -> None:
    paper = generate("death_extract", 4)
    number = paper.document_number or ""
    year = number.split("/")[1]
    text = paper.text.replace(number, number.replace(f"/{year}/", f"/{int(year) + 50}/"))
    got = analyze([text], None, today=today)
    assert "number_year_mismatch:document_number" in got.review_reasons


def test_clean_extraction_leaves_record_ready(today: date) -> None:
    paper = generate("land_use_certificate", 5)
    got = analyze([paper.text], [words_from_lines(paper.lines)], today=today)
    record = Record(id="r2", agency="a", source=Source("f.png", "0" * 64, "image/png", 1))
    apply(record, got)
    assert record.status == Status.READY and record.doc_type == "land_use_certificate"
    assert record.stages[-1].stage == "extract"


def _cccd_paper() -> tuple[list[str], str]:
    """A paper whose holder has a 12-digit CCCD printed once, on its own word."""
    for seed in range(40):
        paper = generate("construction_permit", seed)
        number = paper.subjects[0]["id_number"] or ""
        if len(number) == 12 and sum(number in line for line in paper.lines) == 1:
            return paper.lines, number
    raise AssertionError("no construction permit with a CCCD printed once")


def test_id_agreeing_with_birth_year_keeps_a_weak_serial_for_review(today: date) -> None:
    # dev e0071: "040069210586" for "040069310566", read at 68.8, agreed with the birth date
    # in its first six digits; the six after them nothing on the page checks.
    lines, number = _cccd_paper()
    got = analyze(["\n".join(lines)], [words_from_lines(lines, {number: 68.8})], today=today)
    assert got.subjects[0].id_number is None
    assert got.doubts.unverified_id_numbers == [number]
    assert "unverified:subjects[0].id_number" in got.review_reasons


def test_id_with_a_clear_serial_or_printed_twice_is_kept(today: date) -> None:
    lines, number = _cccd_paper()
    # Read in groups: the weak group holds only the digits the birth date confirms.
    grouped = [line.replace(number, f"{number[:4]} {number[4:8]} {number[8:]}") for line in lines]
    confidences = {number[:4]: 50.0, number[4:8]: 90.0, number[8:]: 92.0}
    got = analyze(["\n".join(grouped)], [words_from_lines(grouped, confidences)], today=today)
    assert got.subjects[0].id_number == number
    weak_serial = {number[:4]: 90.0, number[4:8]: 60.0, number[8:]: 92.0}
    got = analyze(["\n".join(grouped)], [words_from_lines(grouped, weak_serial)], today=today)
    assert got.subjects[0].id_number is None
    # Printed a second time on the page and read alike there: two readings agree.
    twice = [*lines, f"Số định danh cá nhân của người được cấp phép: {number}"]
    got = analyze(["\n".join(twice)], [words_from_lines(twice, {number: 68.8})], today=today)
    assert got.subjects[0].id_number == number
