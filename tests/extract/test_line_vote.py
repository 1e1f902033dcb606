"""The readings of a line still in doubt after its plain second reading (``extract.reread``:
``voted``): the line model (another engine) and tesseract's other preparations. Two
engines reading one value, no reading another, settle it; anything less is proposed for
review at most."""

from __future__ import annotations

from datetime import date

import numpy as np

from extract.reread import SECOND_READING, Field, Target, Wanted, model_words, value_span
from ocr.base import Word
from ocr.reread import MARGIN, LineRequest, Preparation
from records.model import ReviewReason
from tests.extract.test_analyze import _cccd_paper
from tests.extract.test_line_reread import (
    ByPreparation,
    Texts,
    _again,
    _analyzed,
    _dateline,
    _paper,
)
from tests.support.extract import words_from_lines

Reader = ByPreparation


def _asked(reader: Reader) -> list[Preparation]:
    return [r.preparation for r in reader.asked]


def test_a_weak_number_the_line_model_reads_alike_clearly_is_confirmed() -> None:
    """Dev e0071: "64A75493700" read once with a close call, tesseract's readings of the
    line made again lost it; the line model reads it alike: two engines, one number."""
    lines, number = _paper()
    reader = Reader({Preparation.PLAIN: (("Số:", 93.0), (number, 40.0)),
                     Preparation.MODEL: ((number, 99.0),)})
    got = _again(lines, {number: 43.0}, reader)
    assert got.document_number == number
    assert got.review_reasons == []
    # Settled by the model: tesseract's other preparations were not asked.
    assert _asked(reader) == [Preparation.PLAIN, Preparation.MODEL]


def test_a_number_read_clearly_otherwise_by_a_reading_is_not_confirmed() -> None:
    """The model agrees with the first reading, the plain reading clearly reads another
    number: the readings disagree, an officer decides."""
    lines, number = _paper()
    other = ("9" if number[0] != "9" else "8") + number[1:]
    reader = Reader({Preparation.PLAIN: (("Số:", 93.0), (other, 92.0)),
                     Preparation.MODEL: ((number, 99.0),)})
    got = _again(lines, {number: 43.0}, reader)
    assert got.document_number == number
    assert got.review_reasons == [ReviewReason("low_confidence", "document_number")]


def test_a_line_model_alone_confirms_nothing() -> None:
    """Fresh draw 21001's e0006: the model read "TUYỀN" clearly where the page prints
    TUYỂN. The model's value needs tesseract's too."""
    lines, number = _paper()
    other = ("9" if number[0] != "9" else "8") + number[1:]
    reader = Reader({Preparation.MODEL: ((other, 99.0),)})
    got = _again(lines, {number: 43.0}, reader)
    assert got.document_number == number
    assert got.review_reasons == [ReviewReason("low_confidence", "document_number")]


def _torn_date() -> tuple[list[str], Texts, str]:
    lines, _ = _paper()
    at = _dateline(lines)
    place, _, when = lines[at].partition(", ngày ")
    torn = [*lines[:at], f"{place}, ngày ( thủng J0 năm 2O24", *lines[at + 1:]]
    day, month, year = when.replace("tháng ", "").replace("năm ", "").split()
    read = ((f"{place},", 95.0), ("ngày", 95.0), (day, 95.0), ("tháng", 95.0),
            (month, 95.0), ("năm", 95.0), (year, 95.0))
    return torn, read, date(int(year), int(month), int(day)).isoformat()


def test_a_lost_date_read_alike_by_tesseract_and_the_line_model_is_ready() -> None:
    torn, read, iso = _torn_date()
    # The line model reads the date after the place (``value_span``).
    got = _again(torn, {}, Reader({Preparation.PLAIN: read, Preparation.MODEL: read[1:]}))
    assert got.issued_on == iso
    assert got.review_reasons == []


def test_a_lost_date_read_by_the_line_model_alone_is_proposed_for_review() -> None:
    torn, read, iso = _torn_date()
    reader = Reader({Preparation.MODEL: read[1:]})
    got = _again(torn, {}, reader)
    assert got.issued_on == iso
    assert got.review_reasons == [ReviewReason(SECOND_READING, "issued_on")]
    # The model read a value: tesseract's other preparations were asked for theirs.
    assert set(_asked(reader)) == set(Preparation)


def test_a_day_the_model_and_two_preparations_read_alike_replaces_the_plain_reading_s(
) -> None:
    """Dev e0011: the plain reading filled "(I8" as 18, the unsharp and the thickened
    reading and the model (weakly: "ngữy") read 08: the majority's date is proposed in its
    place, still for review."""
    torn, read, iso = _torn_date()
    day = int(iso[-2:])
    wrong = tuple((f"{day % 28 + 1:02d}", c) if k == 2 else (t, c)
                  for k, (t, c) in enumerate(read))
    weak_model = tuple((t, 40.0) if k == 0 else (t, c) for k, (t, c) in enumerate(read[1:]))
    reader = Reader({Preparation.PLAIN: wrong, Preparation.SHARP: read, Preparation.BOLD: read,
                     Preparation.MODEL: weak_model})
    got = _again(torn, {}, reader)
    assert got.issued_on == iso
    assert got.review_reasons == [ReviewReason(SECOND_READING, "issued_on")]
    # The term's end follows the date proposed, not the plain reading's (draw 21002's
    # e0020: 2024-12-05 kept from "05 tháng 6" once the date read 08-05).
    assert got.valid_until == _again(torn, {}, Reader({Preparation.PLAIN: read})).valid_until
    # One preparation only: the plain reading's date stands.
    single = Reader({Preparation.PLAIN: wrong, Preparation.SHARP: read,
                     Preparation.MODEL: weak_model})
    assert _again(torn, {}, single).issued_on != iso


def test_a_doubted_number_every_reading_reads_otherwise_is_proposed_never_ready() -> None:
    """Draw 21001's e0045: "3186/STP-LUTP" read weakly, every reading made again reads
    "3186/STP-LLTP" clearly: proposed in its place, for review (the first reading
    disagrees)."""
    lines, number = _paper()
    other = ("9" if number[0] != "9" else "8") + number[1:]
    clear = (("Số:", 93.0), (other, 92.0))
    # The line model reads the number's part of the line (``value_span``).
    every = {**{p: clear for p in Preparation}, Preparation.MODEL: clear[1:]}
    got = _again(lines, {number: 43.0}, Reader(every))
    assert got.document_number == other
    assert got.review_reasons == [ReviewReason(SECOND_READING, "document_number")]
    # One preparation reading the first's number: no proposal.
    split = Reader({**every, Preparation.BOLD: (("Số:", 93.0), (number, 60.0))})
    assert _again(lines, {number: 43.0}, split).document_number == number


def test_an_unverified_id_the_line_model_reads_alike_goes_back_on_its_person() -> None:
    """Dev e0037: a CCCD read at 25 and set aside; the plain reading gave "619396365662",
    the line model the first's twelve digits clearly: back on the person, ready."""
    lines, number = _cccd_paper()
    line = next(line for line in lines if number in line)
    label, rest = line.split(number)[0].split(), line.split(number)[1].split()
    other = "6" + number[1:6] + ("9" if number[6] != "9" else "8") + number[7:]

    def read(value: str, confidence: float) -> Texts:
        return (*[(w, 96.0) for w in label], (value, confidence), *[(w, 96.0) for w in rest])

    first = _analyzed(lines, {number: 25.0})
    assert "unverified:subjects[0].id_number" in first.review_reasons
    got = _again(lines, {number: 25.0}, Reader({Preparation.PLAIN: read(other, 59.0),
                                                Preparation.MODEL: ((number, 100.0),)}))
    assert got.subjects[0].id_number == number
    assert got.review_reasons == []
    # The model reading other digits: the ID stays aside.
    kept = _again(lines, {number: 25.0}, Reader({Preparation.PLAIN: read(other, 59.0),
                                                 Preparation.MODEL: ((other, 100.0),)}))
    assert kept.subjects[0].id_number is None


def test_the_line_models_words_are_its_characters_between_spaces() -> None:
    """Greedy CTC: a run of one symbol is one character (its best frame's probability),
    a space ends a word, a word is as sure as its weakest character, and its span is its
    characters' frames."""
    chars = {1: "S", 2: "ố", 3: ":", 4: " ", 5: "7", 6: "1", 7: "_"}
    blank = 0
    path = [1, 1, 2, 3, 0, 4, 4, 5, 0, 5, 6, 0, 7, 6]  # "Số:" " " "771" "_" "1"
    sure = [0.9, 0.99, 0.8, 0.95, 0.9, 0.9, 0.9, 0.6, 0.9, 0.97, 0.7, 0.9, 0.9, 0.9]
    frames = np.full((len(path), 8), np.log(1e-4), dtype=np.float32)
    for t, (idx, p) in enumerate(zip(path, sure, strict=True)):
        frames[t, idx] = np.log(p)
    words = model_words(frames, chars, blank, width=140)
    # An underscore (a form's dotted line read between two words) ends a word too.
    assert words == [("Số:", 80.0, 0, 40), ("771", 60.0, 70, 110), ("1", 90.0, 130, 140)]


def test_an_unverified_id_every_reading_reads_otherwise_is_proposed_in_its_place() -> None:
    """Draw 21002's e0003: "096085291401" read weakly and set aside, every reading made
    again (plain, three preparations, the model) reads "096085294401" clearly: the ID is
    proposed on its person, for review; one preparation reading the first's and it stays
    aside."""
    lines, number = _cccd_paper()
    line = next(line for line in lines if number in line)
    label, rest = line.split(number)[0].split(), line.split(number)[1].split()
    first_read = number[:-2] + ("1" if number[-2] != "1" else "2") + number[-1]

    def read(value: str) -> Texts:
        return (*[(w, 96.0) for w in label], (value, 96.0), *[(w, 96.0) for w in rest])

    weak = [ln.replace(number, first_read) for ln in lines]
    assert "unverified:subjects[0].id_number" in _analyzed(weak, {first_read: 25.0}).review_reasons
    # The line model reads the ID's part of the line (``value_span``).
    every = {**{p: read(number) for p in Preparation}, Preparation.MODEL: ((number, 96.0),)}
    got = _again(weak, {first_read: 25.0}, Reader(every))
    assert got.subjects[0].id_number == number
    assert got.review_reasons == [ReviewReason(SECOND_READING, "subjects[0].id_number")]
    assert got.doubts.unverified_id_numbers == []
    split = Reader({**every, Preparation.BOLD: read(first_read)})
    assert _again(weak, {first_read: 25.0}, split).subjects[0].id_number is None


def test_an_id_whose_value_the_first_reading_lost_beside_its_label_is_read_again() -> None:
    """Draw 21001's e0005 ("SốCCCD: 004206662441", its label glued) and dev e0049
    ("Căn cước công dân số 06()17-4164629" at 7): a person with no ID, nothing said about
    it, and a line labelling one. Read there alike by tesseract and the line model, it is
    the person's, ready; read by one of them, nothing changes (nobody missed it: no
    proposal, no review)."""
    lines, number = _cccd_paper()
    line = next(line for line in lines if number in line)
    label, rest = line.split(number)[0].split(), line.split(number)[1].split()
    lost = [ln.replace(number, "") for ln in lines]
    first = _analyzed(lost, {})
    assert first.subjects[0].id_number is None and first.review_reasons == []
    read = (*[(w, 96.0) for w in label], (number, 96.0), *[(w, 96.0) for w in rest])
    reader = Reader({Preparation.PLAIN: read, Preparation.MODEL: read})
    got = _again(lost, {}, reader)
    assert got.subjects[0].id_number == number
    assert got.review_reasons == []
    # The label's line is the one read.
    top = next(w.bbox[1] for w in words_from_lines(lost) if w.text == label[0])
    assert {r.box[1] for r in reader.asked} == {top}
    alone = _again(lost, {}, Reader({Preparation.MODEL: read}))
    assert alone.subjects[0].id_number is None and alone.review_reasons == []


def _row(*texts: str) -> list[Word]:
    """One line of words as the first reading boxes them (20 pixels a letter, 15 between)."""
    words, x = [], 100
    for text in texts:
        words.append(Word(text, 95.0, (x, 500, x + 20 * len(text), 540), (1, 1, 1)))
        x += 20 * len(text) + 15
    return words


def _span(words: list[Word], want: Wanted) -> tuple[Target, Target]:
    """The line's target (its box carried 120 pixels past its last word) and the part of it
    the line model is asked for."""
    target = Target(want, LineRequest(0, (100, 500, words[-1].bbox[2] + 120, 540)),
                    frozenset(range(len(words))), 0, " ".join(w.text for w in words))
    return target, value_span(target, [words])


def _crop_edges(target: Target) -> tuple[int, int]:
    """Where ``ocr.reread.line_crop`` cuts the target's box: its margin round it."""
    box = target.request.box
    margin = round(MARGIN * (box[3] - box[1]))
    return box[0] - margin, box[2] + margin


def test_the_line_model_reads_an_id_alone_not_its_persons_line() -> None:
    """Dev e0021: "Ông: NGUYÊN CÔNG ĐẠT. năm sinh: 1970. Số CCCD: 09207069-196+" — the
    model was asked the whole line (2715 pixels, 0.22 s) for the ID at its end: it reads the
    ID's words, to the box's end (a figure lost after them), and the first reading's other
    words stay in the line."""
    words = _row("Ông:", "NGUYÊN", "CÔNG", "ĐẠT.", "năm", "sinh:", "1970.", "Số", "CCCD:",
                 "09207069-196+")
    target, span = _span(words, Wanted(Field.ID_NUMBER, "subjects[0].id_number",
                                       "09207069-196+", 0, malformed=True))
    assert span.replaced == {9} and span.insert_at == 9
    left, right = _crop_edges(span)
    assert words[8].bbox[2] < left <= words[9].bbox[0]
    assert span.request.box[2] == target.request.box[2] and right > words[9].bbox[2]


def test_the_line_model_reads_a_birth_date_between_its_label_and_the_next_value() -> None:
    words = _row("Ngày", "sinh:", "08/08/1986", "Nơi", "sinh:", "Hà", "Nội")
    _, span = _span(words, Wanted(Field.BIRTH_DATE, "subjects[0].birth_date", "1986-08-08", 0))
    assert span.replaced == {2}
    left, right = _crop_edges(span)
    assert words[1].bbox[2] < left and right < words[3].bbox[0]


def test_the_line_model_reads_a_dateline_after_its_place() -> None:
    """Dev e0011: "Bình Phướy, ngày ( thủng J0 năm 2024", the date lost: the words after
    the place's comma; a line whose words after it are no date is read whole."""
    words = _row("Bình", "Phướy,", "ngày", "(", "thủng", "J0", "năm", "2024")
    _, span = _span(words, Wanted(Field.ISSUED_ON, "issued_on", None))
    assert span.replaced == set(range(2, 8))
    junk = _row("-", "Thế¿", "thiết", "kế,", "Nhĩ", "ö", "mủ", "định")
    target, whole = _span(junk, Wanted(Field.ISSUED_ON, "issued_on", None))
    assert whole == target


def test_the_line_model_reads_a_lost_id_after_its_label() -> None:
    """Dev e0049: "Giấy tờ tùy thân: Căn cước công dân số 06()17-4164629", the ID lost (read
    at 7): the words after the label; a label with nothing after it, the whole line."""
    words = _row("Giấy", "tờ", "tùy", "thân:", "Căn", "cước", "công", "dân", "số",
                 "06()17-4164629")
    lost = Wanted(Field.ID_NUMBER, "subjects[0].id_number", None, 0, lost=True)
    _, span = _span(words, lost)
    assert span.replaced == {9}
    target, whole = _span(words[:9], lost)
    assert whole == target


def test_the_line_model_reads_a_name_in_its_line() -> None:
    """A name read alone came back in small letters and its last word weakly (dev e0042:
    "CHI," at 90 in its line, 58 cut out): a name's line is read whole."""
    words = _row("Bà:", "BÙI", "TUYẾT", "CHI,", "năm", "sinh:", "1969,", "Số", "CCCD:",
                 "035169535337")
    target, span = _span(words, Wanted(Field.NAME, "subjects[0].name", "Bùi Tuyết Chi"))
    assert span == target
