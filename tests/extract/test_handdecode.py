"""Constrained decoding of a line model's CTC output (``extract.handdecode``): the most
probable reading a field's grammar allows, not each frame's best symbol."""

from __future__ import annotations

import itertools
import math
from datetime import date

import numpy as np
import pytest
from PIL import Image

from extract.handcheck import check, check_date, check_number, place_candidates
from extract.handdecode import (
    DateGrammar,
    NameGrammar,
    NumberGrammar,
    beam_search,
    ctc_log_prob,
    decode,
    syllables,
)
from extract.handfields import grammar_for, line_reading
from extract.handread import LineReader, Reading

VOCAB = list("0123456789/.-: ,ABCDEGHIKLMNOPQRSTUVXYĂÂĐÊÔƠƯÀÁẠẢÃẦẤẬỀẾỆỄỂỊÌÍÒÓỌỒỐỘỜỚỢÙÚỤỪỨỰỲÝ"
             "abcdeghiklmnopqrstuvxyăâđêôơưàáạảãầấậềếệễểịìíòóọồốộờớợùúụừứựỳýhẫ")
VOCAB = list(dict.fromkeys(VOCAB + list("ỉĩỏõũủữửựứừ")))
CHARS = {k + 1: c for k, c in enumerate(VOCAB)}  # 0 is the blank
INDEX = {c: k for k, c in CHARS.items()}
ISSUED = date(2001, 5, 2)
NO_CROP = Image.new("L", (4, 32), 255)  # the fake readers' frames do not depend on it


def frames_of(steps: list[dict[str, float]]) -> np.ndarray:
    """Log probabilities, one frame per step (its characters' probabilities, the blank
    taking what is left), a blank frame between steps so that repeats stay apart."""
    rows = []
    for step in steps:
        for probs in (step, {}):
            row = np.full(len(CHARS) + 1, 1e-6)
            for c, p in probs.items():
                row[INDEX[c]] = p
            row[0] = max(1e-6, 1.0 - row[1:].sum())
            rows.append(np.log(row / row.sum()))
    return np.asarray(rows, dtype=np.float32)


def plain(text: str) -> list[dict[str, float]]:
    return [{c: 0.97} for c in text]


class FakeReader:
    """A CTC reader whose frames are given: what ``line_reading`` decodes."""

    chars = CHARS
    blank = 0

    def __init__(self, frames: np.ndarray) -> None:
        self._frames = frames

    def read(self, crop: object) -> object:
        return self.greedy(self._frames)

    def frames(self, crop: object) -> np.ndarray:
        return self._frames

    def greedy(self, frames: np.ndarray) -> Reading:
        return LineReader.greedy(self, frames)  # type: ignore[arg-type]


def test_ctc_probability_is_the_sum_over_alignments() -> None:
    rng = np.random.default_rng(0)
    chars = {1: "a", 2: "b"}
    frames = np.log(rng.dirichlet(np.ones(3), size=4))
    brute: dict[str, float] = {}
    for path in itertools.product(range(3), repeat=4):
        out, prev = [], None
        for k in path:
            if k != prev and k != 0:
                out.append(chars[k])
            prev = k
        text = "".join(out)
        lp = sum(frames[t, k] for t, k in enumerate(path))
        brute[text] = float(np.logaddexp(brute.get(text, -math.inf), lp))
    for text in ("ab", "a", "aa", "bab"):
        assert ctc_log_prob(frames, text, {"a": 1, "b": 2}, 0) == pytest.approx(brute[text])
    # The beam, with a grammar that allows everything, finds the same probabilities.
    class Anything:
        def start(self) -> int:
            return 0

        def step(self, state: int, char: str) -> int:
            return 0

        def final(self, state: int) -> bool:
            return True

    for d in beam_search(frames, chars, 0, Anything(), beam=1000)[:5]:
        assert d.log_prob == pytest.approx(brute[d.text], abs=1e-3)


def test_a_valid_date_is_taken_over_the_greedy_invalid_one() -> None:
    # The first digit looks a little more like a 3 than a 1: greedy reads day 37.
    steps = [{"3": 0.5, "1": 0.45}, *plain("7/02/1990")]
    frames = frames_of(steps)
    reader = FakeReader(frames)
    raw, checked, confidence = line_reading(reader, NO_CROP, "birth_date", ISSUED)
    assert raw == "37/02/1990"
    assert check_date(raw, ISSUED).value is None  # greedy: no such day
    assert checked.value == "1990-02-17"
    assert confidence is not None and 0.5 < confidence < 1.0


def test_a_date_after_the_paper_is_not_taken() -> None:
    # 2004 reads best, but the paper is of 2001: the year must be 1901..2001.
    frames = frames_of([*plain("12/03/200"), {"4": 0.6, "1": 0.35}])
    found = decode(frames, CHARS, 0, DateGrammar((1901, 2001)),
                   lambda t: check_date(t, ISSUED).value)
    assert found is not None and found[0] == "2001-03-12"


def test_the_label_tail_before_a_date_is_not_part_of_it() -> None:
    frames = frames_of(plain("h: 5.11.1987.."))
    found = decode(frames, CHARS, 0, DateGrammar((1901, 2001)),
                   lambda t: check_date(t, ISSUED).value)
    assert found is not None and found[0] == "1987-11-05"


def test_a_digit_read_for_the_labels_colon_is_not_the_day() -> None:
    # "sinh:" read "1..." before the date (marriage dev m0052), the colon's "1" surer
    # than the written date's "1" and "7": the date is 16/7/1951, not day 1 of a month 6
    # made by dropping what the grammar could not place ("1...6//1951.").
    frames = frames_of([{"1": 0.9999}, *plain("..."), {"1": 0.9}, {"6": 0.97}, {"/": 0.9},
                        {"7": 0.9}, *plain("/1951.")])
    found = decode(frames, CHARS, 0, DateGrammar((1901, 2001)),
                   lambda t: check_date(t, ISSUED).value)
    assert found is not None and found[0] == "1951-07-16"
    # One mark after a lone digit is a day's separator still, and a colon's tail too.
    for text, want in (("1.5.1990", "1990-05-01"), ("1: 5.11.1987", "1987-11-05")):
        found = decode(frames_of(plain(text)), CHARS, 0, DateGrammar((1901, 2001)),
                       lambda t: check_date(t, ISSUED).value)
        assert found is not None and found[0] == want


def test_a_number_reads_as_digits_where_greedy_saw_a_letter() -> None:
    frames = frames_of([{"l": 0.55, "1": 0.4}, *plain("2/KS")])
    found = decode(frames, CHARS, 0, NumberGrammar(), lambda t: check_number(t, ISSUED).value)
    assert found is not None and found[0] == "12/KS"


def test_a_name_is_read_as_vietnamese_syllables() -> None:
    # Greedy: "HỒNC", no Vietnamese syllable; "HỒNG" a little less probable.
    steps = [*plain("LÊ THỊ HỒN"), {"C": 0.5, "G": 0.45}]
    frames = frames_of(steps)
    raw, checked, _ = line_reading(FakeReader(frames), NO_CROP, "name", ISSUED)
    assert raw == "LÊ THỊ HỒNC" and check("name", raw, ISSUED).value is None
    assert checked.value == "LÊ THỊ HỒNG"
    words, prefixes = syllables()
    assert {"NGUYỄN", "QUY", "GÌN", "HOÀ", "HÒA"} <= words and "HỒNC" not in words
    assert "NGHIÊ" in prefixes


def test_the_name_grammar_skips_the_labels_tail() -> None:
    frames = frames_of(plain("n: Lê Thị Mai"))
    found = decode(frames, CHARS, 0, NameGrammar(), lambda t: check("name", t, ISSUED).value)
    assert found is not None and found[0] == "LÊ THỊ MAI"


def test_a_place_is_the_official_address_the_ink_most_probably_spells() -> None:
    written = "Phường Phúc Xá, quận Ba Đình, thành phố Hà Nội"
    # Read with two letters off: "Phúc Xa", "Ba Đinh" (a mark lost each).
    steps = [{c: 0.97} for c in written]
    steps[written.index("Xá") + 1] = {"a": 0.55, "á": 0.4}
    steps[written.index("Đình") + 1] = {"i": 0.55, "ì": 0.4}
    frames = frames_of(steps)
    assert written in place_candidates("Phường Phúc Xa, quận Ba Đinh, thành phố Hà Nội",
                                       ISSUED)
    raw, checked, confidence = line_reading(FakeReader(frames), NO_CROP, "birth_place", ISSUED)
    assert raw == "Phường Phúc Xa, quận Ba Đinh, thành phố Hà Nội"
    assert checked.value == written and confidence is not None


def test_a_facilitys_place_name_is_taken_from_its_provinces_units() -> None:
    got = place_candidates("Trạm Y tế. Rình Sa, tỉnh Quảng Nam", ISSUED)
    assert "Trạm Y tế Bình Sa, tỉnh Quảng Nam" in got
    assert "Trạm Y tế Rình Sa, tỉnh Quảng Nam" not in got  # no unit of the list


def test_a_name_in_its_usual_spelling_is_taken_when_the_ink_barely_says_otherwise() -> None:
    # The dot under the i is a hair more probable than none: "LỊNH", a rare name; the
    # usual "LINH" is proposed. A mark the ink is sure of is no slip to correct, but a
    # name off the common syllables is left for keying (often a misread real word).
    frames = frames_of([*plain("PHẠM THÙY L"), {"Ị": 0.5, "I": 0.45}, *plain("NH")])
    raw, checked, _ = line_reading(FakeReader(frames), NO_CROP, "name", ISSUED)
    assert raw == "PHẠM THÙY LỊNH" and checked.value == "PHẠM THÙY LINH"
    sure = frames_of([*plain("PHẠM THÙY L"), {"Ị": 0.97, "I": 1e-5}, *plain("NH")])
    kept = line_reading(FakeReader(sure), NO_CROP, "name", ISSUED)[1]
    assert kept.value is None and kept.problem == "name_rare_syllable"


def test_a_number_ends_with_a_registers_symbol_only() -> None:
    # "R" a little more probable than "K": "212/RS" is no register's; "212/KS" is.
    frames = frames_of([*plain("212/"), {"R": 0.5, "K": 0.45}, *plain("S")])
    found = decode(frames, CHARS, 0, NumberGrammar(), lambda t: check_number(t, ISSUED).value)
    assert found is not None and found[0] == "212/KS"


@pytest.mark.parametrize(("read", "value"), [("387.KS", "387/KS"), ("58.2001", "58/2001")])
def test_a_slash_read_as_a_dot_still_parts_a_number_from_its_symbol_or_year(
        read: str, value: str) -> None:
    # The ink is sure of its dot (fresh draw 1223: ".387.7kS.", "58.19.80"): the number
    # was decoded with a slash the frames barely allow, its confidence under the floor.
    frames = frames_of(plain(read))
    raw, checked, confidence = line_reading(FakeReader(frames), NO_CROP, "number", ISSUED)
    assert raw == read and checked.value == value
    assert confidence is not None and confidence > 0.9


def test_skipping_sure_blank_frames_keeps_repeated_characters_apart() -> None:
    # "11/KS": the two ones parted only by frames where the blank is near certain.
    frames = frames_of(plain("11/KS"))
    assert float(np.exp(frames[1, 0])) > 0.999  # the frames between are sure blanks
    (best, *_rest) = beam_search(frames, CHARS, 0, NumberGrammar())
    assert best.text == "11/KS"
    assert best.log_prob == pytest.approx(ctc_log_prob(frames, "11/KS", INDEX, 0), abs=1e-2)


def test_the_beam_asks_the_grammar_once_per_state_and_character() -> None:
    """The grammar's steps are pure: each (state, character) is judged once per search,
    however many readings of the beam reach that state (a name's syllable lookups)."""
    asked: list[tuple[object, str]] = []

    class Counting(NameGrammar):
        def step(self, state: object, char: str) -> object:
            asked.append((state, char))
            return super().step(state, char)

    frames = frames_of([{"H": 0.6, "K": 0.3}, {"O": 0.6, "Ô": 0.3}, {" ": 0.9},
                        {"N": 0.6, "M": 0.3}, {"A": 0.9}, {"M": 0.9}])
    readings = beam_search(frames, CHARS, 0, Counting())
    assert readings and readings[0].text == "HO NAM"
    assert len(asked) == len(set(asked))


def test_a_common_family_name_is_taken_over_a_rare_one_the_ink_barely_prefers() -> None:
    # The R is less probable than the blank around it: greedy "TẦN", a real but rare
    # family name; "TRẦN", the second most common, is proposed. An ink sure of "TẦN"
    # keeps it.
    frames = frames_of([*plain("T"), {"R": 0.4}, *plain("ẦN THỊ MAI")])
    raw, checked, _ = line_reading(FakeReader(frames), NO_CROP, "name", ISSUED)
    assert raw == "TẦN THỊ MAI" and checked.value == "TRẦN THỊ MAI"
    sure = frames_of([*plain("T"), {"R": 1e-4}, *plain("ẦN THỊ MAI")])
    assert line_reading(FakeReader(sure), NO_CROP, "name", ISSUED)[1].value == "TẦN THỊ MAI"


@pytest.mark.parametrize("raw", ["Bệnh viện đa khọa Nam Định, tỉnh Nam Định",
                                 "Bệnh viện Phụ Sơn Nam Định, tỉnh Nam Định"])
def test_a_misread_kind_of_care_is_no_candidate_its_usual_spelling_is(raw: str) -> None:
    got = [c for c in place_candidates(raw, ISSUED) if c.endswith("Nam Định, tỉnh Nam Định")]
    assert "Bệnh viện đa khoa Nam Định, tỉnh Nam Định" in got
    assert "Bệnh viện Phụ sản Nam Định, tỉnh Nam Định" in got
    assert not any("khọa" in c or "Phụ Sơn" in c for c in got)


def test_a_rare_family_name_is_proposed_only_when_the_ink_is_sure_of_the_name() -> None:
    # A "7" the name cannot hold after it: the name is less probable than the best path.
    # Under a common family name it is still proposed; under a rare one it is keyed.
    def read(name: str) -> tuple[str | None, float | None]:
        frames = frames_of([*plain(name), {"7": 0.9}])
        _, checked, conf = line_reading(FakeReader(frames), NO_CROP, "name", ISSUED)
        return checked.value, conf

    value, conf = read("TRẦN THỊ MAI")
    assert value == "TRẦN THỊ MAI" and conf is not None and conf < 0.9
    assert read("XA THỊ MAI")[0] is None
    sure = frames_of(plain("XA THỊ MAI"))
    assert line_reading(FakeReader(sure), NO_CROP, "name", ISSUED)[1].value == "XA THỊ MAI"


def test_a_name_of_common_syllables_is_taken_over_a_rare_one_the_ink_barely_prefers() -> None:
    # "NGỌA" a hair more probable than "NGỌC": both usual spellings, but Ngọa is no
    # common given name (the reading would be left for keying); Ngọc is proposed. An ink
    # sure of "NGỌA" is still left for keying.
    frames = frames_of([*plain("HOÀNG NGỌ"), {"A": 0.5, "C": 0.45}, *plain(" MAI")])
    raw, checked, _ = line_reading(FakeReader(frames), NO_CROP, "name", ISSUED)
    assert raw == "HOÀNG NGỌA MAI" and checked.value == "HOÀNG NGỌC MAI"
    sure = frames_of([*plain("HOÀNG NGỌ"), {"A": 0.97, "C": 1e-5}, *plain(" MAI")])
    kept = line_reading(FakeReader(sure), NO_CROP, "name", ISSUED)[1]
    assert kept.value is None and kept.problem == "name_rare_syllable"


def test_a_birth_year_the_ink_leaves_open_is_read_as_the_childs() -> None:
    # "1917" or "1977" on a form issued in 1980: the 1 is a little more probable, but a
    # certificate issued at 63 is far rarer than one issued at 3. An ink sure of the 1
    # reads 1917: a late registration, or the ink misread; it disagrees with the paper
    # (a birth registered), so it is left for keying, not proposed.
    issued = date(1980, 10, 1)
    frames = frames_of([*plain("09/09/19"), {"1": 0.55, "7": 0.4}, *plain("7")])
    raw, checked, _ = line_reading(FakeReader(frames), NO_CROP, "birth_date", issued,
                                   registers_birth=True)
    assert raw == "09/09/1917" and checked.value == "1977-09-09"
    sure = frames_of([*plain("09/09/19"), {"1": 0.97, "7": 1e-4}, *plain("7")])
    left = line_reading(FakeReader(sure), NO_CROP, "birth_date", issued, registers_birth=True)[1]
    assert left.value is None and left.problem == "date_adult_at_issue"
    # A child's date on the same form is proposed as read.
    child = frames_of(plain("09/09/1979"))
    assert line_reading(FakeReader(child), NO_CROP, "birth_date", issued,
                        registers_birth=True)[1].value == "1979-09-09"


def test_the_holders_age_says_nothing_on_a_paper_that_registers_no_birth() -> None:
    # A marriage certificate's spouses are adults at its issue: the same inks read as
    # written, neither turned into a child's year nor left for keying.
    issued = date(1980, 10, 1)
    frames = frames_of([*plain("09/09/19"), {"1": 0.55, "7": 0.4}, *plain("7")])
    assert line_reading(FakeReader(frames), NO_CROP, "birth_date", issued)[1].value == "1917-09-09"
    sure = frames_of([*plain("09/09/19"), {"1": 0.97, "7": 1e-4}, *plain("7")])
    assert line_reading(FakeReader(sure), NO_CROP, "birth_date", issued)[1].value == "1917-09-09"



def test_an_address_written_as_it_stands_today_on_an_older_form_is_proposed() -> None:
    # Mê Linh was Vĩnh Phúc's from 1991 to 2008; written with today's province on a form
    # of 1995 (an address copied as it stands now) it is still an official address.
    written = "Xã Mê Linh, huyện Mê Linh, thành phố Hà Nội"
    assert check("birth_place", written, date(1995, 3, 1)).value is None
    frames = frames_of(plain(written))
    _, checked, _ = line_reading(FakeReader(frames), NO_CROP, "birth_place", date(1995, 3, 1))
    assert checked.value == written


def test_a_number_and_its_year_read_without_the_slash_are_parted_at_the_papers_year() -> None:
    # "Số: 321985" on a form of 1985: 32/1985 whose slash the reading lost.
    frames = frames_of(plain("Số: 321985"))
    _, checked, _ = line_reading(FakeReader(frames), NO_CROP, "number", date(1985, 6, 1))
    assert checked.value == "32/1985"
    assert check_number("51984", date(1985, 6, 1)).value == "5/1984"  # the year before
    # Digits ending in another year, or too many before the year, are no such number.
    assert check_number("321985", date(1990, 6, 1)).value != "32/1985"
    assert check_number("79271979", date(1979, 6, 1)).value != "7927/1979"


def test_a_number_of_four_digits_before_its_symbol_is_left_for_keying() -> None:
    # "số:1111/KS" for 111/KS: the label's colon read as a first digit.
    frames = frames_of(plain("số:1111/KS"))
    _, checked, _ = line_reading(FakeReader(frames), NO_CROP, "number", ISSUED)
    assert checked.value is None and checked.problem == "number_entry_long"
    frames = frames_of(plain("số:111/KS"))
    assert line_reading(FakeReader(frames), NO_CROP, "number", ISSUED)[1].value == "111/KS"


def test_an_address_whose_unit_kinds_are_misread_is_found_from_its_province() -> None:
    # "huyện" read 'nun', "tỉnh" 'tảnh', a letter lost in the ward: no cut into units
    # finds it, the province at its end does; every other letter as written.
    read = "Xã TâaLý Đang nun Chữug Thành tảnh Tiên Giang"
    written = "Xã Tân Lý Đông, huyện Châu Thành, tỉnh Tiền Giang"
    assert written not in place_candidates(read, ISSUED)
    frames = frames_of([*plain("Xã Tân Lý Đông, huyện "), *plain("Châu Thành, tỉnh Tiền Giang")])
    _, checked, conf = line_reading(_Raw(frames, read), NO_CROP, "birth_place", ISSUED)
    assert checked.value == written and conf is not None


class _Raw(FakeReader):
    """A reader whose greedy text is given (what the candidates are cut from), its frames
    those of the written address (what scores them)."""

    def __init__(self, frames: np.ndarray, text: str) -> None:
        super().__init__(frames)
        self.text = text

    def greedy(self, frames: np.ndarray) -> Reading:
        return Reading(self.text, 1.0, 1.0)


def test_an_address_of_today_is_proposed_as_written_not_as_the_unit_of_the_forms_day() -> None:
    # Thủ Đức a city since 2021, a district in 2007: written as it stands today, the
    # paper says "thành phố Thủ Đức", not the district it was.
    written = "Phường Bình Thọ, thành phố Thủ Đức, thành phố Hồ Chí Minh"
    frames = frames_of(plain(written))
    _, checked, _ = line_reading(FakeReader(frames), NO_CROP, "birth_place", date(2007, 1, 8))
    assert checked.value == written


def test_dates_the_checks_refuse_do_not_fill_the_beam() -> None:
    # "29.5.1986" reads best but is after the paper's issue (19 Jan 1986); its trailing
    # dots make as many readings of it as there are dot counts. The date written, 1985,
    # must still be in the beam once those are out.
    issued = date(1986, 1, 19)
    frames = frames_of([*plain("29.5.198"), {"6": 0.6, "5": 0.35}, *[{".": 0.5}] * 12])
    grammar = grammar_for("birth_date", issued)
    assert grammar is not None
    found = decode(frames, CHARS, 0, grammar, lambda t: check_date(t, issued).value, beam=4)
    assert found is not None and found[0] == "1985-05-29"
    # Nor a day the calendar has not: 30 February.
    frames = frames_of([*plain("30.0"), {"2": 0.6, "3": 0.35}, *plain(".1980"),
                        *[{".": 0.5}] * 12])
    found = decode(frames, CHARS, 0, grammar, lambda t: check_date(t, issued).value, beam=4)
    assert found is not None and found[0] == "1980-03-30"


def test_the_label_tail_read_as_a_word_before_a_number_is_not_part_of_it() -> None:
    # "Số:" read "sa" or "eơ," without its colon: the number is what follows.
    assert check_number('sa 129"', ISSUED).value == "129"
    assert check_number("eơ,72..", ISSUED).value == "72"
    assert check_number("số 12/KS", ISSUED).value == "12/KS"
    # Letters glued to the digits are no label's word: refused as before.
    assert check_number("SA129", ISSUED).value is None
    raw, checked, _ = line_reading(FakeReader(frames_of(plain("sơ 72.."))), NO_CROP, "number",
                                   ISSUED)
    assert raw == "sơ 72.." and checked.value == "72"


def test_a_name_of_common_syllables_pruned_from_the_beam_is_found_apart() -> None:
    # "GIANH" (off the common list) reads a little better than "GIANG"; the label's tail
    # and the dots make so many readings of the first that the beam over every syllable
    # holds no "GIANG" at all, and the name was left for keying as a rare syllable.
    steps = [{"t": 0.3, "r": 0.25, "i": 0.22, "v": 0.2}, {"ê": 0.5, "e": 0.47},
             *plain("n: TRẦN THU GIAN"), {"H": 0.62, "G": 0.35}, *[{".": 0.5}] * 8]
    frames = frames_of(steps)
    assert not any("GIANG" in d.text for d in beam_search(frames, CHARS, 0, NameGrammar()))
    _, checked, confidence = line_reading(FakeReader(frames), NO_CROP, "name", ISSUED)
    assert checked.value == "TRẦN THU GIANG" and confidence is not None
    # A reading the ink does not spell is not forced into common syllables: "GIANH"
    # written plainly stays a rare syllable, left for keying.
    _, checked, _ = line_reading(FakeReader(frames_of(plain("TRẦN THU GIANH"))), NO_CROP,
                                 "name", ISSUED)
    assert checked.value is None and checked.problem == "name_rare_syllable"


@pytest.mark.parametrize("written", [
    # A district named with a unit's kind ("Quan" folds as "quận"): the issuer matcher
    # found no unit before branch issue-14-places.
    "Xã Khánh Khê, huyện Văn Quan, tỉnh Lạng Sơn",
    "Xã Cúc Phương, huyện Nho Quan, tỉnh Ninh Bình",
    # A ward of a city named as its province: taken for ambiguous before it.
    "Phường Phú Sơn, thành phố Thanh Hóa, tỉnh Thanh Hóa",
])
def test_an_address_of_the_list_read_right_is_proposed_as_it_is(written: str) -> None:
    # The matcher itself now finds these units (tests/extract/test_place_forms.py).
    assert check("birth_place", written, date(2001, 3, 1)).value == written
    _, checked, _ = line_reading(FakeReader(frames_of(plain(written))), NO_CROP,
                                 "birth_place", date(2001, 3, 1))
    assert checked.value == written


def test_a_ward_whose_name_begins_like_a_facility_is_not_made_one() -> None:
    written = "Phường Phạm Thái, thị xã Kinh Môn, tỉnh Hải Dương"
    # "Phường Phạm" is two letters from "Phòng khám": it was read as that kind.
    assert check("birth_place", written, None).value == written
    _, checked, _ = line_reading(FakeReader(frames_of(plain(written))), NO_CROP,
                                 "birth_place", None)
    assert checked.value == written


def test_a_ward_whose_name_differs_from_its_neighbours_by_marks_alone_is_proposed() -> None:
    # Xã Trà Don and Xã Trà Dơn share a district: one reading's marks do not choose
    # between them in the issuer matcher (a tie), but a candidate written from the list
    # keeps its marks and the ink chose it (``handcheck.official_address``).
    written = "Xã Trà Dơn, huyện Nam Trà My, tỉnh Quảng Nam"
    assert check("birth_place", written, None).problem == "place_ambiguous"
    _, checked, _ = line_reading(FakeReader(frames_of(plain(written))), NO_CROP,
                                 "birth_place", None)
    assert checked.value == written


def test_a_spouses_weak_date_is_left_where_a_childs_is_proposed() -> None:
    from extract.handfields import MARRIAGE_AGES

    # Two digits the ink shows as letters: the grammar's digits cost it about 0.27 a
    # character, over the birth form's floor (0.15) and under a spouse's (0.5).
    steps = [*plain("12/0"), {"A": 0.997, "5": 0.0015}, *plain("/19"),
             {"B": 0.997, "6": 0.0015}, *plain("0")]
    issued = date(1985, 6, 1)
    _, child, conf = line_reading(FakeReader(frames_of(steps)), NO_CROP, "birth_date", issued)
    assert child.value == "1960-05-12" and conf is not None and 0.15 < conf < 0.5
    _, spouse, _ = line_reading(FakeReader(frames_of(steps)), NO_CROP, "birth_date", issued,
                                marriage_age=MARRIAGE_AGES["wife_birth_date"])
    assert spouse.value is None and spouse.problem == "low_confidence"
    assert spouse.held == "1960-05-12"


def test_a_two_word_name_is_left_when_the_ink_shows_a_word_before_it() -> None:
    from extract.handcheck import Checked
    from extract.handfields import judged

    # "VI" dropped as the label's tail: it was the family name Vũ misread.
    held = judged("name", "VI HỲNH TRANG", Checked("HUỲNH TRANG"), 1.0, ISSUED)
    assert held.value is None and held.problem == "name_word_dropped"
    # The label's tail before its colon is no word of the name; three words are kept.
    assert judged("name", "tên: Huỳnh Trang", Checked("HUỲNH TRANG"), 1.0,
                  ISSUED).value == "HUỲNH TRANG"
    assert judged("name", "n Vũ Quỳnh Trang", Checked("VŨ QUỲNH TRANG"), 1.0,
                  ISSUED).value == "VŨ QUỲNH TRANG"


def test_two_views_read_together_take_the_value_both_make_most_probable() -> None:
    from extract.handfields import joint_reading

    # The crop as cut leans to "CHI", the upright view firmly to "CHÍ": together, "CHÍ"
    # (0.45 × 0.9 against 0.55 × 0.1).
    cut = frames_of([*plain("TRẦN KIM CH"), {"I": 0.55, "Í": 0.45}])
    straight = frames_of([*plain("TRẦN KIM CH"), {"Í": 0.9, "I": 0.1}])
    assert line_reading(FakeReader(cut), NO_CROP, "name", ISSUED)[1].value == "TRẦN KIM CHI"
    checked, conf = joint_reading(FakeReader(cut), (cut, straight), "TRẦN KIM CHI TRẦN KIM CHÍ",
                                  "name", ISSUED)
    assert checked.value == "TRẦN KIM CHÍ" and conf is not None and 0.5 < conf <= 1.0


def test_a_view_giving_another_value_leaves_the_field_for_keying() -> None:
    from extract.handcheck import Checked
    from extract.handfields import confirmed

    first = Checked("1938-02-01")
    assert confirmed(first, Checked("1958-12-01")) == Checked(None, "views_disagree",
                                                              "1938-02-01")
    assert confirmed(first, Checked(None, "low_confidence", "1958-12-01")).value is None
    # The same value, or none at all from the other view: as proposed.
    assert confirmed(first, Checked("1938-02-01")) == first
    assert confirmed(first, Checked(None, "date_format")) == first


def test_an_address_whose_district_is_misread_past_its_cut_is_still_a_candidate() -> None:
    # "huyện Gan lộn" for Can Lộc (fresh draw 3517, low ink): the cut at the units' kinds
    # finds no district near it, so the address the ink spells was no candidate at all.
    def soft(c: str) -> dict[str, float]:
        return {"G": 0.6, "C": 0.37} if c == "G" else (
            {"n": 0.6, "c": 0.37} if c == "#" else {c: 0.97})

    frames = frames_of([soft(c) for c in "Xã Sơn lộc, huyện Gan lộ#, tỉnh Hà Tĩnh"])
    _, checked, conf = line_reading(FakeReader(frames), NO_CROP, "birth_place",
                                    date(1995, 3, 1))
    assert checked.value == "Xã Sơn Lộc, huyện Can Lộc, tỉnh Hà Tĩnh"
    assert conf is not None and conf > 0.25  # over the place's floor: proposed


def test_a_frame_where_the_model_is_unsure_tries_its_most_probable_symbols_only() -> None:
    from extract.handdecode import MAX_TRIED

    # A "1", then ink the model cannot tell: more letters above the skip floor than are
    # tried (a number's grammar refuses them after a digit, so they take no place in the
    # beam), and a "7" less probable than each.
    letters = [c for c in VOCAB if c.isalpha()][:MAX_TRIED + 10]
    unsure = {c: 0.02 for c in letters} | {"7": 0.005}
    texts = {d.text for d in beam_search(frames_of([{"1": 0.97}, unsure]), CHARS, 0,
                                         NumberGrammar())}
    assert "1" in texts and "17" not in texts
    # Tried as before where it is among the most probable.
    unsure = {c: 0.02 for c in letters[:MAX_TRIED // 2]} | {"7": 0.005}
    texts = {d.text for d in beam_search(frames_of([{"1": 0.97}, unsure]), CHARS, 0,
                                         NumberGrammar())}
    assert {"1", "17"} <= texts
