"""Cross-checks that catch OCR errors before they reach the archive.

Every check yields English reason codes ``problem:where`` for ``review.reasons``. An ID
number that fails its checks is removed from the subject (kept in
``record.doubts.unverified_id_numbers``): a wrong ID would hand one citizen's papers to
another, a missing one only costs an officer a look.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import date

from extract.fields import REQUESTER_NAME, Reading, SubjectRead, Value, is_number
from extract.ids import cmnd_label, id_problems
from extract.names import (
    guessed_family_only,
    is_family_name,
    name_mentions,
    name_readings,
    other_usual_spellings,
    page_words,
    sole_usual_spelling,
    usual_spellings,
)
from extract.places import agency_phrases, is_unit_name
from extract.syllables import invalid_words
from extract.text import clean_digits, find_date, split_figure, title_case
from records.folding import fold_phrase, nfc
from records.model import ReviewReason

# Word confidence (tesseract, 0–100) under which a value goes to an officer.
DEFAULT_THRESHOLDS: dict[str, float] = {
    "id_number": 80.0,
    "birth_date": 60.0,
    "name": 70.0,
    "document_number": 55.0,
    "issued_on": 55.0,
    "issuer": 30.0,
}


# Tesseract's word confidence separates right from wrong reads poorly on these scans
# (a clean "20/11/1992" can score 7), so IDs and birth dates are judged on agreement
# between independent evidence first, and on word confidence only when there is none.
# Without corroboration, an ID or a birth date read with less confidence than this is
# not kept: a wrong one is worse than none.
UNCORROBORATED_MIN: dict[str, float] = {"id_number": 85.0, "birth_date": 85.0}
# Corroborated (a CCCD agreeing with the birth year and sex read separately) and read in
# its printed shape (12 plain digits, dd/mm/yyyy) a value is kept down to this; a
# corroborated value OCR had to repair (O→0, spaces) must reach CORROBORATED_MIN.
CLEAN_CORROBORATED_MIN = 30.0
CORROBORATED_MIN = 40.0

_CLEAN_RAW = {
    "id_number": re.compile(r"\d{9}|\d{12}"),
    "birth_date": re.compile(r"\d{2}/\d{2}/\d{4}"),
}


@dataclass
class CheckResult:
    reasons: list[ReviewReason]
    unverified_ids: list[str]
    unverified_birth_dates: list[str]
    # path → the differing readings of a name printed more than once
    name_readings: dict[str, list[str]] = field(default_factory=dict)


def _corroborated(subject: SubjectRead) -> bool:
    """The CCCD encodes the birth year (and sex) that were read separately: both agree."""
    if subject.id_number is None or (subject.birth_date is None and subject.birth_year is None):
        return False
    return len(subject.id_number.value) == 12 and not check_subject_id(subject, "-")


def _trusted(value: Value | None, kind: str, corroborated: bool) -> bool:
    """Whether an ID or birth date may be kept, given the evidence behind it."""
    if value is None or value.confidence is None:
        return True
    if value.confidence >= UNCORROBORATED_MIN[kind]:
        return True
    if not corroborated:
        return False
    clean = _CLEAN_RAW[kind].fullmatch((value.raw or value.value).strip()) is not None
    return value.confidence >= (CLEAN_CORROBORATED_MIN if clean else CORROBORATED_MIN)


# A CCCD's first six digits encode the province, century and sex, and birth year
# (``extract.ids``): agreement with the birth date read elsewhere confirms those digits and
# no others. The six after them are a serial nothing on the page checks; a slip there
# ("040069210586" for "040069310566", read at 69 and agreeing with the birth year) is
# another citizen's number.
CCCD_ENCODED_DIGITS = 6
# A number as OCR reads it: a digit-like run, possibly in groups ("0400 6931 0566").
_NUMBER_RUN = re.compile(r"[0-9OoQDlI|!\]][0-9OoQDlI|!\]\s.]{7,20}")


def _serial_read_clearly(value: Value) -> bool:
    """Every OCR word holding a digit past the encoded ones was read at the single-mention
    level (``UNCORROBORATED_MIN``); without per-word confidences, the number's own."""
    least = UNCORROBORATED_MIN["id_number"]
    if not value.words:
        return value.confidence is None or value.confidence >= least
    seen = 0
    for text, confidence in value.words:
        count = len(clean_digits(text))
        if seen + count > CCCD_ENCODED_DIGITS and confidence < least:
            return False
        seen += count
    # Words that do not add up to the number cannot say which digits they hold.
    return seen == len(value.value) or (value.confidence or 0.0) >= least


def _printed_twice(number: str, lines: list[str]) -> bool:
    """The number stands twice on the page (the holder's ID in the body and in a table):
    two readings agreeing digit for digit."""
    found = sum(
        clean_digits(run.group(0)) == number for line in lines for run in _NUMBER_RUN.finditer(line)
    )
    return found >= 2


def serial_confirmed(value: Value, lines: list[str]) -> bool:
    """Whether an ID the birth date corroborates may be kept: its serial digits read clearly
    or the whole number printed twice on the page. A 9-digit CMND encodes nothing, and a
    number read at the single-mention level needs no corroboration: both pass."""
    if len(value.value) != 12 or value.confidence is None:
        return True
    if value.confidence >= UNCORROBORATED_MIN["id_number"]:
        return True
    return _serial_read_clearly(value) or _printed_twice(value.value, lines)


# A date printed in figures is one OCR word ("26/08/2017"): its confidence is that of
# every digit. Read below this and confirmed by nothing else, a digit may be another
# ("26/08" for "26/05" at 70); a worded dateline spreads its digits over several words,
# and keeps the general threshold.
FIGURE_DATE_MIN = 85.0
_FIGURE_DATE = re.compile(r"\d{1,2}\s*[/.\-]\s*\d{1,2}\s*[/.\-]\s*\d{4}")
# Papers print a figure date's day and month with two digits (dd/mm/yyyy); one digit means
# the other was lost or split off ("I 1/09/1983", "11/09" with its first 1 read apart).
_SHORT_PART = re.compile(r"(?<!\d)\d[/.\-]|[/.\-]\d[/.\-]")


# A worded date ("ngày 06 tháng l2 năm 2023") spreads its figures over three words. One of
# them read below this may be another figure as plausible as the right one: "năm 2018" read
# at 74 for 2013 (fresh draw 22001 e0010, ready and wrong before), "06" for "08" under the
# seal. Such a dateline is doubted, so it is read again (``extract.reread``): the two
# readings agreeing, the second clearly, settle it (right datelines with one weak figure,
# "tháng 02" at 74, "năm 2014" at 76, are released so); otherwise an officer reads it.
WORDED_DIGITS_MIN = 80.0


def _near_twin(value: Value, lines: list[str]) -> bool:
    """Another date on the page in the same month and year as ``value`` but on another day
    ("đến ngày 18/04/2023" beside a dateline read "ngày I6 tháng 4 năm 2023"): one day
    read two ways, or two days a digit apart, which the reading alone cannot tell."""
    read_as = date.fromisoformat(value.value)
    for line in lines:
        rest = line
        while (found := find_date(rest))[1] is not None:
            other, span = found[0], found[1]
            if other and other != read_as and (other.year, other.month) == (
                read_as.year,
                read_as.month,
            ):
                return True
            rest = rest[span[1] :] if span else ""
    return False


def date_doubt(value: Value | None, lines: list[str] | None = None) -> bool:
    """A date whose figures cannot be trusted from the reading alone: in figures, read
    below ``FIGURE_DATE_MIN`` or with a day or month of one digit; in words, with one of
    its figures read below ``WORDED_DIGITS_MIN``."""
    if value is None:
        return False
    if _FIGURE_DATE.fullmatch((value.raw or "").strip()):
        weak = value.confidence is not None and value.confidence < FIGURE_DATE_MIN
        return weak or _short_figure_date(value)
    if split_figure(value.raw or ""):
        return True  # a figure in two pieces ("ngày 1 7"): one reading cannot join it
    figures = [c for w, c in value.words if re.search(r"\d", w)]
    if any(c < WORDED_DIGITS_MIN for c in figures):
        return True
    weak = any(c < FIGURE_DATE_MIN for c in figures)
    return weak and _near_twin(value, lines or [])


def _short_figure_date(value: Value) -> bool:
    raw = re.sub(r"\s+", "", (value.raw or "").strip())
    return bool(_FIGURE_DATE.fullmatch(raw)) and _SHORT_PART.search(raw) is not None


def _words_agree(subject: SubjectRead) -> bool | None:
    """Whether the birth date in figures and in words agree; ``None`` without both."""
    if subject.birth_date is None or subject.birth_words is None:
        return None
    return subject.birth_date.value == subject.birth_words.value


def _iso(value: Value | None) -> date | None:
    return date.fromisoformat(value.value) if value else None


def check_subject_id(subject: SubjectRead, where: str) -> list[ReviewReason]:
    """Reasons why the subject's ID cannot be trusted (empty when it can or is absent)."""
    if subject.id_number is None:
        return []
    birth = _iso(subject.birth_date)
    year = birth.year if birth else int(subject.birth_year.value) if subject.birth_year else None
    sex = subject.sex.value if subject.sex else None
    cmnd_allowed = cmnd_label(subject.id_number.label)
    problems = id_problems(subject.id_number.value, year, sex, cmnd_allowed=cmnd_allowed)
    return [ReviewReason(p, where) for p in problems]


def check_dates(reading: Reading, today: date) -> list[ReviewReason]:
    """Dates exist and are ordered: birth ≤ issue ≤ today, death between birth and issue."""
    reasons = [ReviewReason("invalid_date", where) for where in reading.invalid_dates]
    issued = _iso(reading.issued_on)
    if issued and issued > today:
        reasons.append(ReviewReason("date_in_future", "issued_on"))
    for index, subject in enumerate(reading.subjects):
        birth = _iso(subject.birth_date)
        if birth is None:
            continue
        if birth > today:
            reasons.append(ReviewReason("date_in_future", f"subjects[{index}].birth_date"))
        if issued and birth > issued:
            reasons.append(ReviewReason("date_order", f"subjects[{index}].birth_date"))
    death = reading.fields.get("death_date")
    if death and issued and _iso(death) and date.fromisoformat(death.value) > issued:
        reasons.append(ReviewReason("date_order", "fields.death_date"))
    return reasons


_NUMBER_YEAR = re.compile(r"^\d+/(\d{4})/")


def header_agreement(reading: Reading) -> tuple[set[str], list[ReviewReason]]:
    """Which header values confirm each other, and the reasons when they contradict.

    Numbers follow number/year/symbol (Decree 30/2020), so the year in the number must
    be the issue year; a registration date printed in the body must be the dateline's.
    Agreement between two separately read values is stronger evidence than tesseract's
    word confidence, which is often low for values read right.
    """
    confirmed: set[str] = set()
    if reading.number_agrees:
        # "Số: 40E79106093" read weakly in the header, "Mã số hộ kinh doanh: 40E79106093"
        # read alike in the body: one misreading twice, at two places, is not a thing OCR does.
        confirmed.add("document_number")
    issued = reading.issued_on.value if reading.issued_on else None
    number = reading.document_number.value if reading.document_number else ""
    match = _NUMBER_YEAR.match(number)
    if match and issued:
        if match.group(1) != issued[:4]:
            return confirmed, [ReviewReason("number_year_mismatch", "document_number")]
        confirmed |= {"document_number", "issued_on"}
    registered = reading.fields.get("registered_on")
    # A paper without a dateline takes its issue date from the registration date: the
    # same reading, which cannot confirm itself.
    if registered and issued and registered is not reading.issued_on:
        if registered.value != issued:
            # The paper registers and issues on one day; two readings that differ mean one
            # is misread ("07 tháng 3" for "07 tháng 8"), and only an officer can say which.
            # (A later copy of an old registration also lands here: worth a look too.)
            return confirmed, [ReviewReason("date_mismatch", "issued_on")]
        confirmed.add("issued_on")
    return confirmed, []


# A quote mark glued before a word ("PHẠM 'THU LINH", draw 22002 e0028): a speck, as no
# name or place is printed with one; it does not make the mention another reading.
_SPECK_QUOTE = re.compile(r"(?<![a-z0-9])['\"`‘’“”]+(?=[a-z])")


@functools.lru_cache(maxsize=4)
def _unquoted(page: str) -> str:
    """The folded page without quote specks: asked for every word checked on one page."""
    return _SPECK_QUOTE.sub("", page)


def _recurs(word: str, page: str) -> bool:
    """The word (folded) stands at least twice on the page: read right in another place."""
    folded = fold_phrase(word).strip(" .,:;-_")
    return (
        bool(folded)
        and len(
            re.findall(
                rf"(?<![a-z0-9]){re.escape(folded)}(?![a-z0-9])", _unquoted(page)
            )
        )
        >= 2
    )


def _doubt_is_the_punctuation(word: str) -> bool:
    """A name's last word read with the punctuation or rule after it ("UYÊN:", "KHẢI.",
    "UYÊN_"): tesseract's confidence covers the mark it glued on, and is low for it. The
    letters are trusted when they spell a usual name that no other usual name is a mark
    away from; "HÙNG:" is not ("Hưng")."""
    letters = word.rstrip(":;.,_")
    return letters != word and sole_usual_spelling(letters)


# Below this, tesseract doubts the letters themselves; above it, a word that spells a
# usual given name no other usual name shares the letters of is that name ("LOAN" at 68,
# "VY" at 49): the slips that matter swap marks ("HIÊN" for "HIỀN"), and those are caught
# by the names' spelling checks whatever the confidence.
SOLE_USUAL_MIN = 40.0


def _sole_usual_read_fairly(word: str, confidence: float) -> bool:
    return confidence >= SOLE_USUAL_MIN and sole_usual_spelling(word.rstrip(":;.,_"))


def field_read_weakly(reading: Reading, name: str, thresholds: dict[str, float]) -> bool:
    """Whether the field ``name``, read as an issuer (the registration place a lost header's
    issuer is read from), has a word under the issuer's threshold that the page does not
    print again: "phường +1." read at 16, its figure torn, names another ward as clearly as
    the right one would."""
    value = reading.fields.get(name)
    threshold = thresholds.get("issuer")
    if value is None or not threshold:
        return False
    weakest = _weakest(value, "issuer", reading.page)
    return weakest is not None and weakest < threshold


def _agency_word_excused(value: Value) -> set[int]:
    """The issuer's words the official list of agencies confirms: in each agency spelled out
    whole, its one word read a letter off, else its weakest (the others, read as they are,
    must pass on their own)."""
    words = value.words
    return {
        phrase.slip
        if phrase.slip is not None
        else min(phrase.positions, key=lambda position: words[position][1])
        for phrase in agency_phrases([word for word, _ in words])
    }


def _weakest(value: Value, kind: str, page: str) -> float | None:
    """The value's lowest word confidence, leaving out words other evidence confirms.

    A name printed twice on the page ("Xét đề nghị của bà X" and "Họ và tên: X") was read
    right where it was read alike; a family name's spelling comes from the known list; an
    agency word that recurs in the body (the ward named in "Nơi đăng ký") is confirmed, and
    so is one word of an agency's name spelled out whole (``places.agency_phrases``).
    """
    if not value.words:
        return value.confidence
    if kind == "name" and _recurs(value.value, page):
        return None
    excused = _agency_word_excused(value) if kind == "issuer" else set()
    weak = [
        confidence
        for position, (word, confidence) in enumerate(value.words)
        if not (kind == "name" and position == 0 and is_family_name(word))
        and not (kind == "name" and _doubt_is_the_punctuation(word))
        and not (kind == "name" and position > 0 and _sole_usual_read_fairly(word, confidence))
        and not (kind == "issuer" and _recurs(word, page))
        and position not in excused
    ]
    return min(weak) if weak else None


# A paper's number ends in a symbol of letters ("2783/LLTP", "45/QĐ-UBND"). Tesseract
# swaps such letters for others ("LUTP", "STP-LLUTP", both read at about 60) and no shape
# notices, as it would a letter among digits; read below this, a symbol is not trusted.
SYMBOL_LETTERS_MIN = 70.0
_SYMBOL_LETTERS = re.compile(r"/[A-ZĐ]{2,}(?:-[A-ZĐ]+)*$")


def low_confidence(
    reading: Reading, thresholds: dict[str, float], confirmed: set[str] | None = None
) -> list[ReviewReason]:
    """``low_confidence:<path>`` for every value read below its threshold and not confirmed.

    IDs and birth dates are not listed: those kept passed ``_trusted``, the others were
    removed and flagged ``unverified``.
    """
    values: list[tuple[str, str, Value | None]] = [
        (kind, kind, getattr(reading, kind))
        for kind in ("document_number", "issued_on", "issuer")
        if kind not in (confirmed or set())
    ]
    for index, subject in enumerate(reading.subjects):
        values.append(("name", f"subjects[{index}].name", subject.name))
    # Other people's names the record keeps (parents, the requester) are values on it too:
    # "NGUYỄN ĐỨC KHÁI" read at 50 for KHẢI is as wrong as a holder's name would be.
    for key in sorted(reading.person_fields | {REQUESTER_NAME}):
        if key in reading.fields:
            values.append(("name", f"fields.{key}", reading.fields[key]))
    reasons = []
    if "issued_on" not in (confirmed or set()) and date_doubt(reading.issued_on, reading.lines):
        reasons.append(ReviewReason("low_confidence", "issued_on"))
    for kind, path, value in values:
        threshold = thresholds.get(kind)
        if value is None or not threshold:
            continue
        # A symbol its type prints needs no more than the digits do: the title confirms it.
        if (
            kind == "document_number"
            and _SYMBOL_LETTERS.search(value.value)
            and not reading.symbol_of_type
        ):
            threshold = max(threshold, SYMBOL_LETTERS_MIN)
        weakest = _weakest(value, kind, reading.page)
        if weakest is not None and weakest < threshold:
            reasons.append(ReviewReason("low_confidence", path))
    return reasons


def guessed_names(reading: Reading) -> list[ReviewReason]:
    """``name_guessed:<path>`` for every name whose diacritics ``restore_name`` supplied,
    unless another mention on the page prints the name with those very marks ("NGUYEN VAN
    AN" restored, "Nguyễn Văn An" in the requester line): two readings then agree; and
    ``name_honorific:<path>`` for a name opened by "ÔNG" that may be the honorific."""
    names = [(f"subjects[{i}].name", s.name) for i, s in enumerate(reading.subjects)]
    names += [(f"fields.{key}", value) for key, value in reading.fields.items()]
    words = page_words(reading.lines)
    # Family names another person's name on the page prints with their marks, read so (a
    # child's "HUỲNH ÁNH XUÂN" beside the father's "HƯỲNH TRỌNG TIẾN"): the mark supplied
    # is the one the page prints where it was read clearly.
    printed_families = {
        nfc(value.words[0][0]).lower()
        for _, value in _names(reading)
        if value.words and not value.guessed and len(value.value.split()) >= 2
    }
    return [
        ReviewReason("name_guessed", path)
        for path, value in names
        if value
        and value.guessed
        and value.value not in {title_case(m) for m in name_mentions(value.value, words)}
        and nfc(_family_read_as_guessed(value) or "").lower() not in printed_families
    ] + [
        ReviewReason("name_honorific", path)
        for path, value in names
        if value and value.honorific_doubt and not _family_ong_confirmed(value.value, reading.lines)
    ]


def _family_ong_confirmed(name: str, lines: list[str]) -> bool:
    """Whether the page prints ``name`` (opening with Ông) twice or more, once after an
    honorific ("Xét đề nghị của ông ÔNG HOÀNG KHOA" and "Họ, chữ đệm, tên: ÔNG HOÀNG
    KHOA"): a paper prints the honorific once, so the "Ông" after it is the family name,
    and the other mention reads the same name. One line alone ("Ông: ÔNG HOÀNG TÀI") is
    one mention and leaves the doubt."""
    folded = fold_phrase(name)
    after_honorific = re.compile(rf"(?<![a-z])(?:ong|ba)\W+{re.escape(folded)}(?![a-z])")
    mentions = [fold_phrase(line) for line in lines if folded in fold_phrase(line)]
    return len(mentions) >= 2 and any(after_honorific.search(m) for m in mentions)


def _family_read_as_guessed(value: Value) -> str | None:
    """The family name supplied to ``value`` when it was its only guess, else ``None``."""
    read = " ".join(word for word, _ in value.words) if value.words else (value.raw or "")
    return guessed_family_only(read)


def _names(reading: Reading) -> list[tuple[str, Value]]:
    names = [(f"subjects[{i}].name", s.name) for i, s in enumerate(reading.subjects) if s.name]
    # The requester's name is a value the record keeps too ("Xét đề nghị của ông/bà: LÊ
    # HỒNG TUYẾTT"): spelled no Vietnamese way, it is a misread like any other name's
    # (``name_checks`` checks it for its spelling alone).
    names += [
        (f"fields.{key}", value)
        for key, value in reading.fields.items()
        if (key in reading.person_fields or key == REQUESTER_NAME) and value.value
    ]
    return names


def name_checks(reading: Reading) -> tuple[list[ReviewReason], dict[str, list[str]]]:
    """Names against the page and against Vietnamese spelling.

    - ``name_mismatch:<path>``: the name is printed more than once and the readings
      differ in their marks ("LÝ HÔNG NHUNG" / "Lý Hồng Nhung"): one is an OCR slip into
      another real syllable, and only an officer can tell which;
    - ``name_invalid:<path>``: a word of the name is no Vietnamese syllable ("Nhungg");
    - ``name_is_place:<path>``: the name is the whole name of an administrative unit
      ("Quảng Ngãi", "Hà Nội"): an address's tail taken for a name is read as well as a
      name, and no spelling check sees it; the rare person so named is left to an officer;
    - ``name_unconfirmed:<path>``: a name (a holder's, a parent's: both are values the
      record keeps) printed once with a word rarely given
      as a name while the usual one differs from it by a mark ("Hiên" / "Hiền"), or with
      a word read weakly whose letters spell another usual name too ("Dũng" / "Dung");
    Agreeing readings need no more (they also excuse weak OCR words, see ``_weakest``).
    A name kept with an impossible spelling takes the one other mention that spells it
    (mutates ``reading``).
    """
    words = page_words(reading.lines)
    reasons: list[ReviewReason] = []
    readings: dict[str, list[str]] = {}
    for path, value in _names(reading):
        seen = name_readings(value.value, words)
        # A reading no Vietnamese spelling allows ("Nguyet", marks lost) is no evidence;
        # when it is the one kept and another mention spells the name, that one is used.
        spelled = [r for r in seen if not invalid_words(r)]
        if spelled and len(spelled) < len(seen):
            if len(spelled) == 1 and invalid_words(value.value):
                value.value = spelled[0]
            seen = spelled
        if path == f"fields.{REQUESTER_NAME}":
            # Someone asking for another's paper: held for a spelling no Vietnamese name
            # has, as any name; how the mentions of the holder agree is the holder's check.
            if invalid_words(value.value):
                reasons.append(ReviewReason("name_invalid", path))
            continue
        if is_unit_name(value.value):
            reasons.append(ReviewReason("name_is_place", path))
        if len(seen) > 1:
            reasons.append(ReviewReason("name_mismatch", path))
            readings[path] = seen
        if invalid_words(value.value):
            reasons.append(ReviewReason("name_invalid", path))
        elif len(name_mentions(value.value, words)) <= 1:
            usual = unconfirmed_spellings(value.value) or weakly_marked_spellings(value)
            if usual:
                reasons.append(ReviewReason("name_unconfirmed", path))
                readings[path] = [value.value, *usual]
        elif len(seen) == 1:
            usual = weakly_agreeing_rare_spellings(value.value, reading.best_read)
            if usual:
                reasons.append(ReviewReason("name_unconfirmed", path))
                readings[path] = [value.value, *usual]
    return reasons, readings


def unconfirmed_spellings(name: str) -> list[str]:
    """For a name printed once: the same name with each word a common name is usually
    spelled as in place of a word that is not ("Trần Kim Hiên" → ["Trần Kim Hiền"]).

    The family name is left out: ``restore_name`` already holds it to the known list.
    Nothing on the page can confirm a single mention, so a reading that is one mark away
    from the usual name ("HIÊN" for "HIỀN" keeps the letters, loses the grave accent) is
    not trusted, however confident tesseract was; a second mention that agrees, or the
    manifest's name, is.
    """
    words = name.split()
    out = []
    for position, word in enumerate(words[1:], 1):
        for usual in usual_spellings(word):
            out.append(" ".join([*words[:position], usual, *words[position + 1 :]]))
    return out


# A name word read below this that shares its letters with another common name syllable
# ("DŨNG" at 77, "Dung" as common): tesseract's doubt over such a word is a doubt over its
# marks, the one thing that tells the two names apart, and a single mention cannot settle it.
NAME_MARKS_MIN = 85.0


def weakly_marked_spellings(value: Value) -> list[str]:
    """For a name printed once: the same name with each word read below ``NAME_MARKS_MIN``
    replaced by each other common name spelled with its letters ("Phan Thanh Dũng", "DŨNG"
    at 77 → ["Phan Thanh Dung"]). The family name is left out, as in
    ``unconfirmed_spellings``."""
    words = value.value.split()
    weak = {fold_phrase(w).strip(" .,:;-_") for w, c in value.words if c < NAME_MARKS_MIN}
    out = []
    for position, word in enumerate(words[1:], 1):
        if fold_phrase(word) not in weak:
            continue
        for other in other_usual_spellings(word):
            out.append(" ".join([*words[:position], other, *words[position + 1 :]]))
    return out


def weakly_agreeing_rare_spellings(name: str, best_read: dict[str, float]) -> list[str]:
    """For a name printed more than once and read alike: the same name with the usual
    spelling in place of a word no usual name is spelled as, when no mention read that word
    at ``NAME_MARKS_MIN`` or more ("ĐINH THỦ ANH" twice, "THỦ" at 41 and 65 → ["Đinh Thu
    Anh", "Đinh Thư Anh"]).

    Two mentions are two readings by one engine of one typeface: a mark it slips on in one
    place ("THU" read "THỦ") it may slip on in the other, and agreement then says nothing.
    A rare spelling read clearly once is trusted, as is any usual one. The family name is
    left out, as in ``unconfirmed_spellings``; without word confidences nothing is flagged.
    """
    words = name.split()
    out = []
    for position, word in enumerate(words[1:], 1):
        best = best_read.get(word.lower())
        if best is None or best >= NAME_MARKS_MIN:
            continue
        for usual in usual_spellings(word):
            out.append(" ".join([*words[:position], usual, *words[position + 1 :]]))
    return out


# A paper's number printed once is read once: nothing on the page checks its figures
# (a date has its weekday-free words, an ID its person's birth year; a number has
# nothing). Tesseract keeps a confidence per word, and the number's figures are one word
# with its symbol ("9859/STP-LLTP" at 89 for 9855): read below this, some character of
# that word was a close call, and a figure read for its neighbour ("9"/"5", "3"/"8")
# makes another paper's number. On the dev half and draws 3271, 5749, 7877, 8623, 169 of
# the 210 numbers read right were read at 90 or more, 40 between 55 and 90; the two wrong
# ones no check held were at 88.6 and 89.3 ("15C72513642" for 15C72515642). A round line
# under which the second reading is asked (about one document in nine), not a fit.
NUMBER_SURE = 90.0
NUMBER_UNCONFIRMED = "number_unconfirmed"  # described in extract.review


def number_unconfirmed(reading: Reading, limits: dict[str, float]) -> list[ReviewReason]:
    """``number_unconfirmed:document_number``: the paper's number read once, its figures'
    word below ``NUMBER_SURE`` (not so low that ``low_confidence`` holds it already),
    and no second mention on the page agreeing (the header's "Số:" and the type's number
    field read alike). The second reading of its line answers it (``extract.reread``)."""
    number = reading.document_number
    if number is None or number.guessed or reading.number_agrees or number.confidence is None:
        return []
    figures = [c for w, c in number.words if any(ch.isdigit() for ch in w)]
    confidence = min(figures) if figures else number.confidence
    if limits["document_number"] <= confidence < NUMBER_SURE:
        return [ReviewReason(NUMBER_UNCONFIRMED, "document_number")]
    return []


def number_format(reading: Reading) -> list[ReviewReason]:
    """``number_format:document_number``: not number[/year]/symbol, or a slash was guessed."""
    number = reading.document_number
    if number is None:
        return []
    if (
        number.guessed
        or not is_number(number.value)
        or _symbol_cut(number.value)
        or _symbol_split(number.value)
        or _symbol_misread(number.value)
    ):
        return [ReviewReason("number_format", "document_number")]
    return []


def _symbol_split(value: str) -> bool:
    """A symbol in two pieces with a slash between ("258/LL/TP" for "258/LLTP"): a paper's
    number is number[/year]/symbol, the symbol's parts joined by hyphens (STP-LLTP,
    QĐ-UBND), so a slash inside it is a speck or a stroke OCR read as one."""
    parts = value.split("/")
    letters = [p for p in parts[1:] if not p.isdigit()]
    return len(letters) > 1


# A symbol's part is an abbreviation in capital letters (Decree 30/2020: "STP-LLTP",
# "QĐ-UBND"); a dot or a figure among its letters is a letter misread ("STP-I.LTP" for
# STP-LLTP read at 74, "L1.TP"), and the misread symbol names no paper.
_SYMBOL_MISREAD = re.compile(r"[A-ZĐ][.\d]|[.\d][A-ZĐ]")


def _symbol_misread(value: str) -> bool:
    """A dot or a figure inside the symbol's letters ("9471/STP-I.LTP")."""
    parts = value.split("/")[1:]
    return any(not part.isdigit() and _SYMBOL_MISREAD.search(part) for part in parts)


def _symbol_cut(value: str) -> bool:
    """A number whose symbol ends in one lone letter ("51/2023/K"): papers' symbols are
    abbreviations of two letters or more (KS, KH, GPXD, UBND-TP), so the last letter
    was lost to a seal or the page's edge, and a shorter symbol names another paper."""
    last = value.rsplit("/", 1)[-1] if "/" in value else ""
    return len(last) == 1 and last.isalpha()


def cross_check(
    reading: Reading, today: date, thresholds: dict[str, float] | None = None
) -> CheckResult:
    """Run every check; drop IDs that fail theirs from the subjects (mutates ``reading``)."""
    limits = DEFAULT_THRESHOLDS if thresholds is None else thresholds
    reasons = check_dates(reading, today)
    result = CheckResult(reasons=reasons, unverified_ids=[], unverified_birth_dates=[])
    for index, subject in enumerate(reading.subjects):
        where = f"subjects[{index}]"
        problems = check_subject_id(subject, where)
        words_agree = _words_agree(subject)
        if words_agree is False and subject.birth_date:
            result.unverified_birth_dates.append(subject.birth_date.value)
            subject.birth_date = None
            reasons.append(ReviewReason("date_words_mismatch", f"{where}.birth_date"))
        corroborated = _corroborated(subject)
        if subject.id_number is not None and (
            problems
            or not _trusted(subject.id_number, "id_number", corroborated)
            or not serial_confirmed(subject.id_number, reading.lines)
        ):
            result.unverified_ids.append(subject.id_number.raw or subject.id_number.value)
            subject.id_number = None
            reasons += problems or [ReviewReason("unverified", f"{where}.id_number")]
        # The date repeated in words confirms the whole date, not just the year (which is
        # all a CCCD corroborates: a day that lost a digit passes the ID's check).
        if subject.birth_date and not (
            words_agree
            or (
                _trusted(subject.birth_date, "birth_date", corroborated)
                and not _short_figure_date(subject.birth_date)
            )
        ):
            result.unverified_birth_dates.append(subject.birth_date.value)
            subject.birth_date = None
            reasons.append(ReviewReason("unverified", f"{where}.birth_date"))
    confirmed, contradictions = header_agreement(reading)
    reasons += contradictions
    reasons += low_confidence(reading, limits, confirmed)
    reasons += guessed_names(reading)
    name_reasons, result.name_readings = name_checks(reading)
    reasons += name_reasons
    reasons += number_format(reading)
    if not any(r.path == "document_number" for r in reasons):
        reasons += number_unconfirmed(reading, limits)
    if reading.term_unreadable:
        reasons.append(ReviewReason("missing", "valid_until"))
    if reading.number_conflict:
        reasons.append(ReviewReason("number_mismatch", "document_number"))
    if reading.dateline_conflict:
        reasons.append(ReviewReason("dateline_conflict", "issued_on"))
    return result
