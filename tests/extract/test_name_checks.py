"""Names checked against the page and Vietnamese spelling; one person, one subject (issue 14)."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze, apply, describe_reason
from extract.names import name_readings, page_words
from extract.syllables import invalid_words, is_syllable
from records.model import Record, ReviewReason, Source, Status

CRIMINAL = """SỞ TƯ PHÁP TỈNH BẮC NINH
Số: 512/2021/LLTP
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
PHIẾU LÝ LỊCH TƯ PHÁP SỐ 1
Căn cứ Luật Lý lịch tư pháp ngày 17 tháng 6 năm 2009;
Xét đề nghị của ông/bà: {requester}
1. Họ và tên: {holder}   2. Giới tính: Nữ
3. Ngày, tháng, năm sinh: 21/10/1986
4. Nơi sinh: Bắc Ninh
7. Nơi cư trú: Số 12 đường Lý Thái Tổ, phường Suối Hoa, thành phố Bắc Ninh, tỉnh Bắc Ninh
8. Căn cước công dân số: 027186012345
TÌNH TRẠNG ÁN TÍCH: Không có án tích
Bắc Ninh, ngày 14 tháng 11 năm 2021
GIÁM ĐỐC
"""


def _record(text: str, today: date) -> tuple[Record, list[ReviewReason]]:
    got = analyze([text], None, today=today)
    record = Record(id="r", agency="a", source=Source("a.png", "0" * 64, "image/png", 1))
    apply(record, got)
    return record, got.review_reasons


def test_requester_and_holder_are_one_subject(today: date) -> None:
    text = CRIMINAL.format(requester="LÝ HỒNG NHUNG", holder="LÝ HỒNG NHUNG")
    record, reasons = _record(text, today)
    assert len(record.subjects) == 1
    subject = record.subjects[0]
    assert (subject.name, subject.id_number, subject.birth_date, subject.sex) == (
        "Lý Hồng Nhung",
        "027186012345",
        "1986-10-21",
        "nữ",
    )
    assert reasons == []
    assert record.status == Status.READY


def test_a_wrong_but_plausible_reading_on_one_mention_sends_to_review(today: date) -> None:
    # "Hông" is a real syllable: only the other mention shows it is a slip for "Hồng".
    text = CRIMINAL.format(requester="Lý Hồng Nhung", holder="LÝ HÔNG NHUNG")
    record, reasons = _record(text, today)
    assert len(record.subjects) == 1
    assert "name_mismatch:subjects[0].name" in reasons
    assert record.status == Status.NEEDS_REVIEW
    assert record.doubts.name_readings["subjects[0].name"] == ["Lý Hông Nhung", "Lý Hồng Nhung"]
    assert describe_reason("name_mismatch:subjects[0].name").startswith("họ tên")


def test_the_requester_line_in_prose_is_a_second_mention_too(today: date) -> None:
    text = CRIMINAL.replace(
        "Xét đề nghị của ông/bà: {requester}", "Xét đề nghị của bà {requester},"
    )
    assert _record(text.format(requester="Lý Hồng Nhung", holder="LÝ HỒNG NHUNG"), today)[1] == []
    _, reasons = _record(text.format(requester="Lý Hồng Nhung", holder="LÝ HÔNG NHUNG"), today)
    assert "name_mismatch:subjects[0].name" in reasons


def test_family_name_restoration_is_not_a_disagreement(today: date) -> None:
    # Tesseract's usual Ễ → Ê on capitals: both readings are Nguyễn once restored.
    text = CRIMINAL.format(requester="Nguyễn Thị Duyên", holder="NGUYÊN THỊ DUYÊN")
    record, reasons = _record(text, today)
    assert record.subjects[0].name == "Nguyễn Thị Duyên"
    assert not any(r.startswith("name_mismatch") for r in reasons)


def test_a_name_with_an_invalid_syllable_goes_to_review(today: date) -> None:
    text = CRIMINAL.format(requester="LÝ HỒNG NHUNGG", holder="LÝ HỒNG NHUNGG")
    record, reasons = _record(text, today)
    assert "name_invalid:subjects[0].name" in reasons
    assert record.status == Status.NEEDS_REVIEW


def test_two_people_of_one_name_with_their_own_ids_stay_two() -> None:
    from extract.fields import SubjectRead, Value, merge_same_person

    father = SubjectRead(name=Value("Nguyễn Văn An"), id_number=Value("001080012345"))
    son = SubjectRead(name=Value("Nguyễn Văn An"), id_number=Value("001205012345"))
    assert len(merge_same_person([father, son])) == 2
    requester = SubjectRead(name=Value("Nguyễn Văn An"))
    assert merge_same_person([requester, son]) == [son]


@pytest.mark.parametrize(
    "word",
    [
        "Nguyễn",
        "Hồng",
        "Hông",
        "Quỳnh",
        "Quách",
        "Gì",
        "Giang",
        "Nghiêm",
        "Khuyên",
        "Thuyền",
        "Oanh",
        "Huệ",
        "Ước",
        "Ích",
        "Bích",
        "Thạch",
        "Nguyệt",
        "Khoa",
        "Yến",
        "Uyên",
    ],
)
def test_real_syllables(word: str) -> None:
    assert is_syllable(word)
    assert is_syllable(word.upper())


@pytest.mark.parametrize(
    "word",
    ["Nhungg", "Hồnq", "Nghạ", "Kan", "Cinh", "Ghà", "Thàt", "Hoànng", "Ng1", "Ca\u0301\u0300"],
)
def test_ocr_slips_that_are_no_syllable(word: str) -> None:
    assert not is_syllable(word)


def test_readings_of_a_name_on_the_page() -> None:
    lines = ["Xét đề nghị của bà Lý Hồng Nhung,", "1. Họ và tên: LÝ HÔNG NHUNG"]
    assert name_readings("Lý Hông Nhung", page_words(lines)) == ["Lý Hông Nhung", "Lý Hồng Nhung"]
    assert invalid_words("Lý Hồng Nhungg") == ["Nhungg"]


PERMIT = """UBND QUẬN NGÔ QUYỀN
Số: {number}
CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
GIẤY PHÉP XÂY DỰNG
Cấp cho: Ông TRẦN VĂN HÙNG
Căn cước công dân số: 031080012345
Ngày, tháng, năm sinh: 02/03/1980
Hải Phòng, ngày 9 tháng 3 năm 2021
"""


def test_a_slash_read_as_i_is_not_marked_ready(today: date) -> None:
    # Before a symbol the permit's type does not print, the slash put back is a guess.
    got = analyze([PERMIT.format(number="2043IXD")], None, today=today)
    assert got.document_number == "2043/XD"
    assert "number_format:document_number" in got.review_reasons
    # Before its own symbol (GPXD), the page confirms it: see test_number_symbol.py.
    own = analyze([PERMIT.format(number="2043IGPXD")], None, today=today)
    assert own.document_number == "2043/GPXD"
    assert "number_format:document_number" not in own.review_reasons
    clean = analyze([PERMIT.format(number="2043/GPXD")], None, today=today)
    assert clean.document_number == "2043/GPXD"
    assert "number_format:document_number" not in clean.review_reasons


def test_a_number_whose_symbol_lost_its_last_letter_is_not_marked_ready(today: date) -> None:
    """"51/2023/K" for "51/2023/KS": a symbol of one letter was cut by a seal or an edge."""
    got = analyze([PERMIT.format(number="51/2023/K")], None, today=today)
    assert "number_format:document_number" in got.review_reasons
    whole = analyze([PERMIT.format(number="51/2023/KS")], None, today=today)
    assert "number_format:document_number" not in whole.review_reasons


def test_a_mention_with_lost_marks_takes_the_spelled_reading(today: date) -> None:
    # "NGUYET" is no syllable (the rhyme needs ê): the other mention spells the name.
    text = CRIMINAL.format(requester="Phan Ngọc Nguyệt", holder="PHAN NGỌC NGUYET")
    record, reasons = _record(text, today)
    assert record.subjects[0].name == "Phan Ngọc Nguyệt"
    assert not any(r.startswith(("name_mismatch", "name_invalid")) for r in reasons)


def test_same_name_in_two_provinces_told_apart_by_the_dateline() -> None:
    from extract.places import match_issuer

    got = match_issuer(
        "UBND HUYỆN CHÂU THÀNH", "2018-12-25", ["Tiền Giang, ngày 25 tháng 12 năm 2018"]
    )
    assert got.official == "Ủy ban nhân dân huyện Châu Thành, tỉnh Tiền Giang"


def test_requester_line_with_its_purpose_is_still_one_subject(today: date) -> None:
    text = CRIMINAL.format(
        requester="LÝ HỒNG NHUNG, về việc cấp Phiếu lý lịch tư pháp", holder="LÝ HỒNG NHUNG"
    )
    record, reasons = _record(text, today)
    assert [s.name for s in record.subjects] == ["Lý Hồng Nhung"]
    assert record.subjects[0].id_number == "027186012345"
    assert reasons == []


def test_someone_asking_for_another_persons_paper_is_not_a_subject(today: date) -> None:
    text = CRIMINAL.format(requester="NGUYỄN HỒNG NGỌC, về việc cấp Phiếu", holder="LÝ HỒNG NHUNG")
    record, _ = _record(text, today)
    assert [s.name for s in record.subjects] == ["Lý Hồng Nhung"]
    assert record.fields["requester_name"] == "Nguyễn Hồng Ngọc"


ONCE = CRIMINAL.replace("Xét đề nghị của ông/bà: {requester}\n", "")


def test_a_lone_letter_in_a_name_is_a_misread_piece(today: date) -> None:
    """"LÊ QUỲNH I INH" for LÊ QUỲNH LINH: each word a syllable, "I" makes no name (draw
    21002's e0015 was marked ready so); "Ý" and the "Y" of Ê Đê names do."""
    record, reasons = _record(ONCE.format(holder="LÊ QUỲNH I INH"), today)
    assert "name_invalid:subjects[0].name" in reasons
    assert record.status == Status.NEEDS_REVIEW
    assert invalid_words("Lê Quỳnh I Inh") == ["I"]
    assert invalid_words("Nguyễn Văn A") == ["A"]
    assert invalid_words("Nguyễn Như Ý") == []
    assert invalid_words("Y Ngông") == []
    assert _record(ONCE.format(holder="NGUYỄN NHƯ Ý"), today)[1] == []


def test_a_name_printed_once_one_mark_from_the_usual_name_goes_to_review(today: date) -> None:
    """"HIÊN" for "HIỀN": the grave accent lost leaves a real syllable, rarely a name."""
    record, reasons = _record(ONCE.format(holder="TRẦN KIM HIÊN"), today)
    assert reasons == ["name_unconfirmed:subjects[0].name"]
    assert record.status == Status.NEEDS_REVIEW
    assert record.doubts.name_readings["subjects[0].name"] == [
        "Trần Kim Hiên",
        "Trần Kim Hiền",
        "Trần Kim Hiển",
    ]
    assert describe_reason("name_unconfirmed:subjects[0].name").startswith("họ tên chỉ in một lần")
    # Marks lost on a middle name too ("Hung" may be Hùng or Hưng): both are offered.
    _, reasons = _record(ONCE.format(holder="LÊ HUNG DŨNG"), today)
    assert reasons == ["name_unconfirmed:subjects[0].name"]


def test_a_usual_name_printed_once_is_trusted(today: date) -> None:
    record, reasons = _record(ONCE.format(holder="TRẦN KIM HIỀN"), today)
    assert reasons == []
    assert record.subjects[0].name == "Trần Kim Hiền"
    # A rare given name that no common one is a mark away from is no sign of a slip.
    assert _record(ONCE.format(holder="LÊ DIỆU KHUYÊN"), today)[1] == []


def test_a_rare_spelling_confirmed_by_a_second_mention_or_the_manifest_is_trusted(
    today: date,
) -> None:
    twice = CRIMINAL.format(requester="Trần Kim Hiên", holder="TRẦN KIM HIÊN")
    assert _record(twice, today)[1] == []
    given = analyze(
        [ONCE.format(holder="TRẦN KIM HIÊN")], None, today=today, given={"name": "Trần Kim Hiên"}
    )
    assert given.review_reasons == []
    assert given.subjects[0].name == "Trần Kim Hiên"


def test_usual_spellings_of_a_name_word() -> None:
    from extract.names import usual_spellings

    assert usual_spellings("Hiên") == ["Hiền", "Hiển"]
    assert usual_spellings("HÔNG") == ["Hồng"]
    assert usual_spellings("Dức") == ["Đức"]  # Đ read as D
    assert usual_spellings("Hiền") == usual_spellings("Thi") == usual_spellings("Khuyên") == []


def test_a_restored_middle_name_confirmed_by_another_mention_is_trusted(today: date) -> None:
    """"LÊ THI HOA" may be Lê Thi Hoa: restored to Thị it is a guess, unless the requester
    line prints "Lê Thị Hoa" with the mark."""
    _, alone = _record(ONCE.format(holder="LÊ THI HOA"), today)
    assert "name_guessed:subjects[0].name" in alone
    record, reasons = _record(CRIMINAL.format(requester="Lê Thị Hoa", holder="LÊ THI HOA"), today)
    assert record.subjects[0].name == "Lê Thị Hoa"
    assert reasons == []
