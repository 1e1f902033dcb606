"""The second reading of a doubted or missing header value's line (``extract.reread``):
located from the first reading's boxes, its words put in place of the first's, and the
value decided by extraction's own parsers and checks — agreement lifts a reading doubt,
a value read only the second time is filled but stays for review, disagreement changes
nothing."""

from __future__ import annotations

import re
from datetime import date

import pytest

from extract import analyze
from extract.analyze import Extraction
from extract.reread import SECOND_READING, Field, requests, second_reading, wanted, with_readings
from ocr.base import Word
from ocr.reread import LineReading, LineRequest, Preparation
from records.model import ReviewReason, Subject
from specimens import generate
from tests.support.extract import words_from_lines


def _paper() -> tuple[list[str], str]:
    """A generator-built paper whose number is printed without its year ("Số: 72/XNTTHN":
    nothing else on the page confirms it) and that has no doubt when read well."""
    for seed in range(20):
        paper = generate("marital_status_certificate", seed)
        printed = paper.document_number or ""
        number = re.sub(r"/(?:19|20)\d\d/", "/", printed)
        lines = [line.replace(printed, number) for line in paper.lines]
        clean = _analyzed(lines, {})
        if printed and not clean.review_reasons and clean.document_number == number:
            return lines, number
    raise AssertionError("no clean marital status certificate")


def _analyzed(lines: list[str], weak: dict[str, float],
              words: list[Word] | None = None) -> Extraction:
    return analyze(["\n".join(lines)], [words or words_from_lines(lines, weak)],
                   today=date(2026, 12, 1))


Texts = tuple[tuple[str, float], ...]


class ByPreparation:
    """Stands for the OCR's second reading: each request read as ``answers`` says for its
    preparation, (word, confidence) laid out in its box (nothing for a preparation it does
    not name); what was asked is kept."""

    def __init__(self, answers: dict[Preparation, Texts]) -> None:
        self.answers = answers
        self.asked: list[LineRequest] = []

    def __call__(self, wanted: list[LineRequest]) -> list[LineReading]:
        self.asked += wanted
        out = []
        for request in wanted:
            x0, y0, _, y1 = request.box
            words, x = [], x0
            for text, confidence in self.answers.get(request.preparation, ()):
                words.append(Word(text, confidence, (x, y0, x + 22 * len(text), y1), (1, 1, 1)))
                x += 22 * len(text) + 18
            out.append(LineReading(request, tuple(words)))
        return out


class Reader(ByPreparation):
    """The plain second reading answers ``texts``; the other preparations and the line
    model read nothing here (``test_line_vote`` gives them their own answers)."""

    def __init__(self, *texts: tuple[str, float]) -> None:
        super().__init__({Preparation.PLAIN: texts})


def _again(lines: list[str], weak: dict[str, float], reader: ByPreparation) -> Extraction:
    words = words_from_lines(lines, weak)
    first = _analyzed(lines, weak, words)
    return second_reading(first, ["\n".join(lines)], [words], reader,
                          lambda texts, pages: analyze(texts, pages, today=date(2026, 12, 1)))


def test_a_weak_number_read_alike_the_second_time_is_confirmed() -> None:
    """Fresh draw 7919's e0000: "Số: 311/UBND-TP" read at 43, read again alike at 87 — two
    readings agree, the reading doubt is lifted and the record is ready."""
    lines, number = _paper()
    first = _analyzed(lines, {number: 43.0})
    assert first.review_reasons == [ReviewReason("low_confidence", "document_number")]
    reader = Reader(("Số:", 93.0), (number, 87.0))
    got = _again(lines, {number: 43.0}, reader)
    assert got.document_number == number
    assert got.review_reasons == []
    # The line asked for is the header's "Số:" line, its box carried past the number.
    (asked,) = [a for a in reader.asked if a.preparation is Preparation.PLAIN]
    so = next(w for w in words_from_lines(lines) if w.text == "Số:")
    assert asked.box[1] == so.bbox[1] and asked.box[0] == so.bbox[0]


def test_a_second_reading_that_reads_other_digits_changes_nothing() -> None:
    """Draw 7919's e0009: "988/GPXD" read at 43 (the page prints 886), "886" the second
    time: one of the two is wrong, and only an officer can say which."""
    lines, number = _paper()
    other = ("9" if number[0] != "9" else "8") + number[1:]
    got = _again(lines, {number: 43.0}, Reader(("Số:", 93.0), (other, 90.0)))
    assert got.document_number == number
    assert got.review_reasons == [ReviewReason("low_confidence", "document_number")]


def test_a_second_reading_still_weak_confirms_nothing() -> None:
    lines, number = _paper()
    got = _again(lines, {number: 43.0}, Reader(("Số:", 93.0), (number, 40.0)))
    assert got.review_reasons == [ReviewReason("low_confidence", "document_number")]


def _dateline(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if ", ngày " in line)


def test_a_date_lost_by_the_first_reading_is_filled_but_never_ready() -> None:
    """Dev e0011: "Bình Phướy, ngày ( thủng J0 năm 2024" — no date; the line read again
    gives one. A value read once is a guess: filled for the officer, in review."""
    lines, _ = _paper()
    at = _dateline(lines)
    place, _, when = lines[at].partition(", ngày ")
    torn = [*lines[:at], f"{place}, ngày ( thủng J0 năm 2O24", *lines[at + 1:]]
    first = _analyzed(torn, {})
    assert first.issued_on is None and "missing:issued_on" in first.review_reasons
    day, month, year = when.replace("tháng ", "").replace("năm ", "").split()
    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), (day, 95.0), ("tháng", 95.0),
                    (month, 95.0), ("năm", 95.0), (year, 95.0))
    got = _again(torn, {}, reader)
    assert got.issued_on == date(int(year), int(month), int(day)).isoformat()
    assert got.review_reasons == [ReviewReason(SECOND_READING, "issued_on")]
    assert got.valid_until is not None  # the term follows the date filled
    # The request is the dateline, reaching left for a day torn off it.
    (asked,) = [a for a in reader.asked if a.preparation is Preparation.PLAIN]
    first_word = next(w for w in words_from_lines(torn) if w.bbox[1] == 100 + 60 * at)
    assert asked.box[1] == first_word.bbox[1]


def test_other_doubts_are_not_read_again() -> None:
    """Only doubts about a value's reading: a contradiction between two values (the
    number's year against the issue year) is for an officer, and costs no OCR."""
    first = Extraction(document_number="12/2020/KS", issued_on="2021-05-01",
                       review_reasons=[ReviewReason("number_year_mismatch", "document_number")])
    assert wanted(first) == []
    both = Extraction(review_reasons=[ReviewReason("missing", "issued_on"),
                                      ReviewReason("low_confidence", "document_number")],
                      document_number="12/KS")
    assert [w.field for w in wanted(both)] == [Field.NUMBER, Field.ISSUED_ON]
    assert wanted(Extraction(document_number="12/KS", given=["document_number"],
                             review_reasons=[ReviewReason("low_confidence",
                                                          "document_number")])) == []


@pytest.mark.parametrize("line", ["Ngày, tháng, năm sinh: 07/07/2026",
                                  "3. Ngành, nghề kinh doanh: Dịch vụ ăn uống"])
def test_a_line_that_is_no_dateline_is_not_read_for_the_date(line: str) -> None:
    lines = ["GIẤY KHAI SINH", line]
    first = Extraction(review_reasons=[ReviewReason("missing", "issued_on")])
    assert requests(first, [words_from_lines(lines)]) == []


def test_the_place_before_a_read_again_date_keeps_its_first_reading() -> None:
    """Only the words inside the box are replaced; the new words join the line they were on."""
    words = words_from_lines(["Bình Phước, ngày ( thủng J0 năm 2024"])
    first = Extraction(review_reasons=[ReviewReason("missing", "issued_on")])
    (target,) = requests(first, [words])
    assert target.wanted.field is Field.ISSUED_ON
    kept = [w for i, w in enumerate(words) if i not in target.replaced]
    new = (Word("08", 90.0, (500, 100, 540, 140), (7, 7, 7)),)
    (page,) = with_readings([words], [(target, LineReading(target.request, new))])
    assert [w.text for w in page] == [w.text for w in kept] + ["08"]
    assert {w.line for w in page} == {words[0].line} if kept else True


def test_a_persons_unverified_birth_date_read_alike_and_clearly_is_kept() -> None:
    """Draw 7919's e0001: a birth date read at 70 and set aside (nothing corroborates it);
    its line read again at 92 — alike, it comes back; as "06/04/1889" (read at 92 too), it
    stays set aside."""
    paper = generate("marital_status_certificate", 2)
    lines, born = paper.lines, "17/06/1974"
    weak = {born: 70.0}
    first = _analyzed(lines, weak)
    path = "subjects[0].birth_date"
    assert first.review_reasons == [ReviewReason("unverified", path)]
    assert first.subjects[0].birth_date is None
    line = next(line for line in lines if born in line)
    label = line.split(born)[0].split()
    alike = Reader(*[(w, 96.0) for w in label], (born, 92.0))
    got = _again(lines, weak, alike)
    assert got.review_reasons == []
    assert got.subjects[0].birth_date == "1974-06-17"
    assert got.doubts.unverified_birth_dates == []
    misread = born[:-4] + "1889"
    other = Reader(*[(w, 96.0) for w in label], (misread, 92.0))
    held = _again(lines, weak, other)
    assert held.review_reasons == [ReviewReason("unverified", path)]
    assert held.subjects[0].birth_date is None


@pytest.mark.parametrize(("torn", "alike"), [
    ("ngày {d} tháng II năm {y}", True),  # fresh draw 8111's e0019: 11 read as letters
    ("¬sày {d} tháng {m} năm {y}", True),  # draw 7919's e0033: the day word garbled
    ("ngày ( thủng J0 năm {y}", False),  # dev e0011: the day lost, the month misread
])
def test_a_date_the_first_reading_spelled_in_look_alikes_is_confirmed(
        torn: str, alike: bool) -> None:
    """The first reading's figures, look-alike letters read as the digits they stand for,
    spell the date the second reading gives: two readings agree figure for figure, and the
    date is the record's (ready). A figure lost or misread the first time agrees with
    nothing: the date is filled for review."""
    lines, _ = _paper()
    at = _dateline(lines)
    place = lines[at].partition(", ngày ")[0]
    shown = [*lines[:at], f"{place}, " + torn.format(d=27, m=11, y=2024), *lines[at + 1:]]
    assert _analyzed(shown, {}).issued_on is None
    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), ("27", 95.0), ("tháng", 95.0),
                    ("11", 95.0), ("năm", 95.0), ("2024", 95.0))
    got = _again(shown, {}, reader)
    assert got.issued_on == "2024-11-27"
    assert got.review_reasons == ([] if alike else [ReviewReason(SECOND_READING, "issued_on")])


def test_the_reason_of_a_value_read_once_is_told_in_vietnamese() -> None:
    from extract.review import describe_reason

    text = describe_reason(ReviewReason(SECOND_READING, "issued_on"))
    assert text.startswith("lần đọc đầu") and text.endswith("(issued_on)")


def test_an_id_read_malformed_is_filled_from_its_lines_second_reading() -> None:
    """8111's e0027: an ID read with a digit lost (11 digits: `id_format`), its line read
    again with all twelve, kept by the same checks: filled for review, never ready."""
    from tests.extract.test_analyze import _cccd_paper

    lines, number = _cccd_paper()
    torn = [line.replace(number, number[:5] + number[6:]) for line in lines]
    first = _analyzed(torn, {})
    assert first.subjects[0].id_number is None
    assert "id_format:subjects[0]" in first.review_reasons
    line = next(line for line in lines if number in line)
    label = line.split(number)[0].split()
    rest = line.split(number)[1].split()
    got = _again(torn, {}, Reader(*[(w, 96.0) for w in label], (number, 96.0),
                                  *[(w, 96.0) for w in rest]))
    assert got.subjects[0].id_number == number
    assert "id_format:subjects[0]" not in got.review_reasons
    assert ReviewReason(SECOND_READING, "subjects[0].id_number") in got.review_reasons


def test_an_id_read_with_a_run_of_one_figure_a_figure_too_long_and_again_whole_is_agreed(
) -> None:
    """Draw 3271's e0033: "1594444160" (ten digits) the first time, "159444160" the second:
    the same figures in the same order but for a run one longer, whose length the ID's
    form settles. Two readings agree on every figure: the ID is the record's."""
    from tests.extract.test_analyze import _cccd_paper

    lines, number = _cccd_paper()
    at = next(i for i in range(len(number)) if i == 0 or number[i] != number[i - 1])
    doubled = number[: at + 1] + number[at] + number[at + 1 :]
    first_lines = [line.replace(number, doubled) for line in lines]
    assert "id_format:subjects[0]" in _analyzed(first_lines, {}).review_reasons
    line = next(line for line in lines if number in line)
    label, rest = line.split(number)[0].split(), line.split(number)[1].split()

    def again(read: str) -> Extraction:
        return _again(first_lines, {}, Reader(*[(w, 96.0) for w in label], (read, 96.0),
                                              *[(w, 96.0) for w in rest]))

    got = again(number)
    assert got.subjects[0].id_number == number
    assert got.review_reasons == []
    # Another figure changed as well: read once, for review.
    other = number[:-1] + ("1" if number[-1] != "1" else "2")
    assert ReviewReason(SECOND_READING, "subjects[0].id_number") in again(other).review_reasons


def _holder_printed_once() -> list[str]:
    """A criminal record certificate whose holder's name is printed once (no requester
    line), "PHAN THANH DŨNG": "DŨNG" read weakly could be Dung."""
    from tests.extract.test_header_recovery import CRIMINAL

    return [ln.replace("NGHIÊM ĐỨC LỘC", "PHAN THANH DŨNG") for ln in CRIMINAL
            if not ln.startswith("Theo yêu cầu")]


HOLDER_LINE = (("1.", 96.0), ("Họ", 96.0), ("và", 96.0), ("tên:", 96.0), ("PHAN", 95.0),
               ("THANH", 95.0))


def test_a_name_whose_marks_were_read_weakly_read_alike_clearly_is_confirmed() -> None:
    """Dev e0015 ("NGUYỄN THU MỸ" at 36) and draw 3697 e0002 (a father's "LÂM" at 82):
    a name read once with a weak word is read again on its line; read the same and
    clearly, two readings agree and the record is ready."""
    lines = _holder_printed_once()
    first = _analyzed(lines, {"DŨNG": 77.0})
    assert "name_unconfirmed:subjects[0].name" in first.review_reasons
    assert [w.field for w in wanted(first)] == [Field.NAME]
    got = _again(lines, {"DŨNG": 77.0}, Reader(*HOLDER_LINE, ("DŨNG", 93.0)))
    assert got.subjects[0].name == "Phan Thanh Dũng"
    assert got.review_reasons == []
    assert got.doubts.name_readings == {}


@pytest.mark.parametrize("word", [("DUNG", 93.0), ("DŨNG", 70.0), ("DŨNGG", 93.0)])
def test_a_name_read_otherwise_or_still_weakly_stays_doubted(word: tuple[str, float]) -> None:
    lines = _holder_printed_once()
    got = _again(lines, {"DŨNG": 77.0}, Reader(*HOLDER_LINE, word))
    assert got.subjects[0].name == "Phan Thanh Dũng"
    assert "name_unconfirmed:subjects[0].name" in got.review_reasons


def test_a_name_in_doubt_for_its_spelling_is_not_read_again() -> None:
    # A word no syllable: for an officer, at no OCR cost. (Two mentions that differ are
    # read again, every mention's line: tests/extract/test_review11.py.)
    for reasons in (["low_confidence:subjects[0].name", "name_invalid:subjects[0].name"],
                    ["name_mismatch:subjects[0].name", "name_invalid:subjects[0].name"]):
        first = Extraction(subjects=[Subject(name="Phan Thanh Dũng")],
                           review_reasons=[ReviewReason.parse(r) for r in reasons])
        assert wanted(first) == []


def _criminal_numbered(number: str) -> list[str]:
    from tests.extract.test_header_recovery import CRIMINAL

    return [ln.replace("Số: 1434/STP", f"Số: {number}") for ln in CRIMINAL]


@pytest.mark.parametrize(("first", "second"), [("1434/STP-I.LTP", "1434/STP-LLTP"),
                                               ("1434!ILLTP", "1434/LLTP")])
def test_a_number_read_with_its_symbol_damaged_and_again_with_the_types_symbol(
    first: str, second: str
) -> None:
    """Draw 3697 e0043: "9471/STP-I.LTP" (a dot among the symbol's letters), read again
    "9471/STP-LLTP": the digits read alike twice, the symbol the type's own (the title
    confirms its letters) — confirmed, ready."""
    lines = _criminal_numbered(first)
    assert "number_format:document_number" in _analyzed(lines, {}).review_reasons
    got = _again(lines, {}, Reader(("Số:", 93.0), (second, 90.0)))
    assert got.document_number == second
    assert got.review_reasons == []


@pytest.mark.parametrize(("first", "second"), [
    ("1434/STP-I.LTP", "1484/STP-LLTP"),  # other digits
    ("1434/STP-I.LTP", "1434/STP"),  # a symbol the catalog does not list for the type
    ("1434/2O25/I.LTP", "1434/LLTP"),  # a year the second reading lost
])
def test_other_second_readings_of_a_damaged_number_are_read_once(first: str, second: str
                                                                   ) -> None:
    got = _again(_criminal_numbered(first), {}, Reader(("Số:", 93.0), (second, 90.0)))
    assert got.document_number == second
    assert f"{SECOND_READING}:document_number" in [str(r) for r in got.review_reasons]


FATHER_LINE = (("9.", 96.0), ("Họ", 96.0), ("và", 96.0), ("tên", 96.0), ("cha:", 96.0))


@pytest.mark.parametrize(("family", "doubted"), [("Trần", False), ("Trấn", True)])
def test_a_family_name_whose_marks_were_supplied_read_with_them_the_second_time(
    family: str, doubted: bool
) -> None:
    """The father's "Trấn Hoàng Sỹ" (a tone slip into another syllable) restored to Trần,
    a guess; the line read again with the marks as restored agrees with it. (Dev e0079's
    "Ngưyễn", a horn no syllable has, is no guess since review pass 11:
    tests/extract/test_review11.py.)"""
    from tests.extract.test_header_recovery import CRIMINAL

    lines = [*CRIMINAL[:12], "9. Họ và tên cha: Trấn Hoàng Sỹ", *CRIMINAL[12:]]
    assert _analyzed(lines, {}).review_reasons == [
        ReviewReason("name_guessed", "fields.father_name")]
    got = _again(lines, {}, Reader(*FATHER_LINE, (family, 93.0), ("Hoàng", 93.0),
                                   ("Sỹ", 93.0)))
    assert got.fields["father_name"] == "Trần Hoàng Sỹ"
    assert ("name_guessed:fields.father_name" in [str(r) for r in got.review_reasons]
            ) is doubted


def _split_day(lines: list[str], day: int) -> tuple[list[str], str, str, str]:
    """The paper's dateline with its day set to ``day`` and read in two pieces ("ngày 1 7")."""
    at = _dateline(lines)
    place, _, when = lines[at].partition(", ngày ")
    _, month, year = when.replace("tháng ", "").replace("năm ", "").split()
    pieces = " ".join(f"{day:02d}")
    split = [*lines[:at], f"{place}, ngày {pieces} tháng {month} năm {year}", *lines[at + 1:]]
    return split, place, month, year


def test_a_day_read_in_two_pieces_is_taken_but_doubted() -> None:
    """Draw 4111's e0021: "ngày 1 7 tháng 3 năm 2026". The two digits make 17, but one
    reading cannot tell them from a speck beside a 7: the date is filled, for review."""
    lines, _ = _paper()
    split, _, month, year = _split_day(lines, 17)
    first = _analyzed(split, {})
    assert first.issued_on == date(int(year), int(month), 17).isoformat()
    assert first.review_reasons == [ReviewReason("low_confidence", "issued_on")]
    # Digits that make no day ("5 7") are not joined.
    at = _dateline(split)
    bad = [*split[:at], split[at].replace("ngày 1 7", "ngày 5 7"), *split[at + 1:]]
    assert _analyzed(bad, {}).issued_on is None


def test_a_split_day_read_whole_the_second_time_is_confirmed() -> None:
    lines, _ = _paper()
    split, place, month, year = _split_day(lines, 17)

    def reading(*day: str) -> Reader:
        return Reader((f"{place},", 95.0), ("ngày", 95.0), *((d, 95.0) for d in day),
                      ("tháng", 95.0), (month, 95.0), ("năm", 95.0), (year, 95.0))

    got = _again(split, {}, reading("17"))
    assert got.issued_on == date(int(year), int(month), 17).isoformat()
    assert got.review_reasons == []
    # Read in two pieces again, as another day, or whole but weakly (the same speck may
    # have been taken for a "1" again): the doubt stays.
    for day in (("1", "7"), ("7",)):
        again = _again(split, {}, reading(*day))
        assert again.review_reasons == [ReviewReason("low_confidence", "issued_on")]
    weak = Reader((f"{place},", 95.0), ("ngày", 95.0), ("17", 70.0), ("tháng", 95.0),
                  (month, 95.0), ("năm", 95.0), (year, 95.0))
    assert _again(split, {}, weak).review_reasons == [ReviewReason("low_confidence", "issued_on")]


def test_a_month_read_in_two_pieces_is_settled_the_same_way() -> None:
    """"tháng 1 1": until 5 Dec such a date was not read at all (and a second reading
    gave it once, for review); now taken as 11, doubted, and settled by a clear whole
    second reading."""
    lines, _ = _paper()
    at = _dateline(lines)
    place = lines[at].partition(", ngày ")[0]
    shown = [*lines[:at], f"{place}, ngày 27 tháng 1 1 năm 2024", *lines[at + 1:]]
    first = _analyzed(shown, {})
    assert first.issued_on == "2024-11-27"
    assert first.review_reasons == [ReviewReason("low_confidence", "issued_on")]
    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), ("27", 95.0), ("tháng", 95.0),
                    ("11", 95.0), ("năm", 95.0), ("2024", 95.0))
    assert _again(shown, {}, reader).review_reasons == []
