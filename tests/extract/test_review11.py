"""Review pass 11: holds lifted by evidence independent of the doubted reading, and the
misreads of the same kind that must stay in review."""

from __future__ import annotations

from datetime import date

import pytest

from extract import analyze
from extract.analyze import Extraction
from extract.fields import _fragment
from extract.names import restore_name
from extract.reread import second_reading
from ocr.base import Word
from ocr.reread import LineReading, LineRequest, Preparation
from specimens import generate
from tests.extract.test_header_recovery import CRIMINAL
from tests.support.extract import analyze_lines as read_lines
from tests.support.extract import words_from_lines

CERTIFICATE = generate("criminal_record_certificate", 3).text


@pytest.mark.parametrize(
    ("read", "stored"),
    [
        ("Ngưyễn Hoàng Sỹ", "Nguyễn Hoàng Sỹ"),  # ưy spells nothing; the tilde is Nguyễn's
        ("HƯỲNH TRỌNG TIẾN", "Huỳnh TRỌNG TIẾN"),  # only "huỳnh" with the grave accent
    ],
)
def test_a_family_name_read_in_a_shape_no_syllable_has_is_no_guess(read: str, stored: str) -> None:
    assert restore_name(read) == (stored, False)


@pytest.mark.parametrize(
    "read",
    [
        "Trấn Văn Nam",  # itself a syllable: the tone itself may be the slip
        "Lựờng Văn Nam",  # two tones read: which one is the name's is a guess
        "Ngưyen Văn Nam",  # no tone read: Nguyễn or Nguyên
        "Đỡ Văn Nam",  # itself a syllable (Đỡ), as much as Đỗ
        "Hổ Văn Nam",  # Hổ is a syllable: Hồ or a rarer name
    ],
)
def test_a_family_name_whose_letters_spell_more_than_one_name_stays_a_guess(read: str) -> None:
    assert restore_name(read)[1] is True


def _with_father(father: str) -> list[str]:
    # Held-out dev e0079: the holder's "NGUYÊN KHÁNH LY" (its tilde lost: marks added, no
    # guess, and not the father's spelling), the father's line read with a horn.
    lines = CERTIFICATE.replace("TRẦN THANH LAN", "NGUYÊN KHÁNH LY").split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("8. "))
    lines[at + 1 : at + 1] = [f"9. Họ và tên cha: {father}", "10. Họ và tên mẹ: Phạm Diệu Diệp"]
    return lines


def test_a_father_read_with_a_horn_on_his_family_name_is_not_held() -> None:
    lines = _with_father("Ngưyễn Hoàng Sỹ")
    got = analyze(["\n".join(lines)], [words_from_lines(lines)], today=date(2025, 1, 1))
    assert got.fields["father_name"] == "Nguyễn Hoàng Sỹ"
    assert not [r for r in got.review_reasons if "father_name" in r]


def test_a_father_whose_family_name_reads_as_another_syllable_stays_held() -> None:
    # "Trấn" is a word: Trần misread, or a rarer name; the restored Trần is a guess.
    lines = _with_father("Trấn Hoàng Sỹ")
    got = analyze(["\n".join(lines)], [words_from_lines(lines)], today=date(2025, 1, 1))
    assert got.fields["father_name"] == "Trần Hoàng Sỹ"
    assert "name_guessed:fields.father_name" in got.review_reasons


def test_a_speck_of_letters_and_figures_over_the_block_is_not_the_agency() -> None:
    # Draw 1847 e0045: "G2" read at 0 on a line of its own over "TỈNH CÀ MAU" / "UBND XÃ
    # CHÂU THỚI": taken into the block, its confidence held a rightly matched issuer.
    lines = CRIMINAL
    got = read_lines(["G2", *lines], {"G2": 0.0})
    assert got.fields["issuer_printed"] == "UBND TỈNH QUẢNG BÌNH SỞ TƯ PHÁP"
    assert not any(r.endswith(":issuer") for r in got.review_reasons)
    assert _fragment("G2", (("G2", 96.0),))


def test_a_figure_alone_or_a_longer_piece_stays_in_the_block() -> None:
    # A figure alone may be a ward's number wrapped onto its own line; three characters
    # and more are read as the block's words, as before.
    assert not _fragment("12", (("12", 30.0),))
    assert not _fragment("G2A", (("G2A", 30.0),))


def _torn_dateline(printed_elsewhere: str) -> tuple[list[str], tuple[str, str, str, str]]:
    """A marital status paper whose dateline's day OCR lost ("ngày 5Š"), with a residence
    period ending on ``printed_elsewhere`` (draw 2591 e0013)."""
    from tests.extract.test_line_reread import _dateline, _paper

    lines, _ = _paper()
    at = _dateline(lines)
    place, _, when = lines[at].partition(", ngày ")
    day, month, year = when.replace("tháng ", "").replace("năm ", "").split()
    residence = next(i for i, ln in enumerate(lines) if ln.startswith("Nơi cư trú"))
    lines = [*lines[: residence + 1],
             f"Trong thời gian cư trú tại xã này từ ngày 07/06/1999 đến ngày {printed_elsewhere}",
             *lines[residence + 1 : at], f"{place}, ngày {day}Š tháng {month} năm {year}",
             *lines[at + 1 :]]
    return lines, (place, day, month, year)


def _read_dateline_again(lines: list[str], place: str, day: str, month: str, year: str
                         ) -> list[str]:
    from tests.extract.test_line_reread import Reader, _again

    reader = Reader((f"{place},", 95.0), ("ngày", 95.0), (day, 95.0), ("tháng", 95.0),
                    (month, 95.0), ("năm", 95.0), (year, 95.0))
    return [str(r) for r in _again(lines, {}, reader).review_reasons]


def test_a_date_read_the_second_time_that_the_page_prints_elsewhere_is_confirmed() -> None:
    lines, (place, day, month, year) = _torn_dateline("")
    same = f"{int(day):02d}/{int(month):02d}/{year}"
    lines, _ = _torn_dateline(same)
    assert _read_dateline_again(lines, place, day, month, year) == []


def test_a_date_read_the_second_time_that_the_page_prints_nowhere_stays_in_review() -> None:
    # Dev e0011 / draw 1847 e0021: the second reading gave a day one off the printed
    # one ("18" for 08, "26" for 25); nothing else on the page prints that date.
    lines, (place, day, month, year) = _torn_dateline("")
    other = f"{int(day) % 28 + 1:02d}/{int(month):02d}/{year}"
    lines, _ = _torn_dateline(other)
    assert _read_dateline_again(lines, place, day, month, year) == ["second_reading:issued_on"]


class _LineReader:
    """The OCR's second reading, one answer per plain line asked, in the order asked (the
    other preparations and the line model read nothing here)."""

    def __init__(self, *lines: tuple[tuple[str, float], ...]) -> None:
        self.lines = list(lines)

    def __call__(self, wanted: list[LineRequest]) -> list[LineReading]:
        if any(r.preparation is not Preparation.PLAIN for r in wanted):
            return [LineReading(r, ()) for r in wanted]
        out = []
        for request, texts in zip(wanted, self.lines, strict=True):
            x0, y0, _, y1 = request.box
            words, x = [], x0
            for text, confidence in texts:
                words.append(Word(text, confidence, (x, y0, x + 22 * len(text), y1), (1, 1, 1)))
                x += 22 * len(text) + 18
            out.append(LineReading(request, tuple(words)))
        return out


def _requester_read(name: str) -> list[str]:
    # Draw 1847 e0025: "Xét đề nghị của ông/bà: NGHIÊM KHÁNH THỢ," beside the holder's
    # "NGHIÊM KHÁNH THƠ": two mentions, two marks.
    return [ln.replace("Theo yêu cầu của: Nghiêm Đức Lộc", f"Theo yêu cầu của: {name}")
            for ln in CRIMINAL]


def _mismatch_read_again(requester: tuple[tuple[str, float], ...],
                         holder: tuple[tuple[str, float], ...]) -> list[str]:
    lines = _requester_read("NGHIÊM ĐỨC LỐC,")
    words = words_from_lines(lines)
    first = analyze(["\n".join(lines)], [words], today=date(2026, 1, 1))
    assert [str(r) for r in first.review_reasons] == ["name_mismatch:subjects[0].name"]
    label = (("Theo", 96.0), ("yêu", 96.0), ("cầu", 96.0), ("của:", 96.0))
    got = second_reading(first, ["\n".join(lines)], [words],
                         _LineReader((*label, *requester),
                                     (("1.", 96.0), ("Họ", 96.0), ("và", 96.0), ("tên:", 96.0),
                                      *holder)),
                         lambda texts, pages: analyze(texts, pages, today=date(2026, 1, 1)))
    assert got.subjects[0].name == "Nghiêm Đức Lộc"
    return [str(r) for r in got.review_reasons]


HOLDER_CLEAR = (("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỘC", 95.0))


def test_two_mentions_that_differ_read_again_alike_and_clearly_are_agreed() -> None:
    requester = (("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỘC,", 84.0))
    assert _mismatch_read_again(requester, HOLDER_CLEAR) == []


@pytest.mark.parametrize(
    ("requester", "holder"),
    [
        # Still differing: one of the two is a slip, an officer tells which.
        ((("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỐC,", 90.0)), HOLDER_CLEAR),
        # Alike, but the other mention weakly (draw 2591 e0029's requester line at 58).
        ((("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỘC,", 58.0)), HOLDER_CLEAR),
        # Alike, but no mention clearly: one engine's one doubt, twice.
        ((("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỘC,", 80.0)),
         (("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỘC", 80.0))),
        # The kept mention read otherwise the second time (2591 e0029: "HÃI HÀNG" then
        # "HẢI HẰNG"): the value kept is in doubt itself.
        ((("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỐC,", 90.0)),
         (("NGHIÊM", 96.0), ("ĐỨC", 96.0), ("LỐC", 95.0))),
    ],
)
def test_two_mentions_read_again_otherwise_stay_in_review(
    requester: tuple[tuple[str, float], ...], holder: tuple[tuple[str, float], ...]
) -> None:
    assert "name_mismatch:subjects[0].name" in _mismatch_read_again(requester, holder)


def test_a_symbol_letter_read_in_small_case_is_the_types_symbol() -> None:
    # Draw 1847 e0041: "Số: 185/2026/kS" on a birth certificate (symbol KS): capitals
    # printed, the case read wrong; the letters are the type's, as the title confirms.
    got = read_lines([ln.replace("1434/STP", "1434/LLtP") for ln in CRIMINAL])
    assert got.document_number == "1434/LLTP"
    assert not [r for r in got.review_reasons if r.endswith(":document_number")]


@pytest.mark.parametrize("read", ["1434/LLtX", "1434/LtP"])
def test_small_letters_that_are_no_symbol_of_the_type_stay_a_malformed_number(read: str) -> None:
    # Upper-cased, no symbol the type prints: a letter misread, not only its case.
    got = read_lines([ln.replace("1434/STP", read) for ln in CRIMINAL])
    assert got.document_number != "1434/LLTP"
    assert "number_format:document_number" in got.review_reasons


def _register_read_again(first_entry: str, second_entry: str) -> tuple[Extraction, list[str]]:
    """Draw 2591 e0018: a land-use certificate numbered by its register entry, read
    "C§S73557" (a speck inside), the address above it opening with "Số 234 …"."""
    from tests.extract.test_wrong_ready import LAND, placed

    rows = [(x, y, t.replace("CS22186", first_entry)) for x, y, t in LAND]
    words = placed(rows)
    text = "\n".join(t for _, _, t in rows)
    first = analyze([text], [words], today=date(2026, 1, 1))
    assert first.document_number is None
    assert [str(r) for r in first.review_reasons] == ["missing:document_number"]
    register = next(y for _, y, t in rows if t.startswith("Số vào sổ"))
    reader = _LineReader((("Số", 96.0), ("vào", 96.0), ("sổ", 96.0), ("cấp", 96.0),
                          ("GCN:", 96.0), (second_entry, 95.0)))
    asked: list[LineRequest] = []

    def read(wanted: list[LineRequest]) -> list[LineReading]:
        asked.extend(wanted)
        return reader(wanted)

    got = second_reading(first, [text], [words], read,
                         lambda texts, pages: analyze(texts, pages, today=date(2026, 1, 1)))
    # The line read again is the register entry's, not the address's "Số 255 …".
    assert [a.box[1] for a in asked if a.preparation is Preparation.PLAIN] == [register]
    return got, [str(r) for r in got.review_reasons]


def test_a_register_entry_read_with_a_speck_inside_and_again_without_is_agreed() -> None:
    got, reasons = _register_read_again("C§S22186", "CS22186")
    assert got.document_number == "CS22186"
    assert reasons == []


@pytest.mark.parametrize(("first", "second"), [
    ("C§S2218", "CS2218"),  # four figures: no entry the regulation allows
    ("CS22§86", "CS2286"),  # the mark took a figure's place: the second lost it too
    ("C§S22186", "CS22166"),  # another figure the second time
])
def test_a_register_entry_read_otherwise_stays_a_second_reading(first: str, second: str) -> None:
    got, reasons = _register_read_again(first, second)
    assert reasons != [] and got.document_number != "CS22186"
