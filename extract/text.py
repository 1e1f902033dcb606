"""Text helpers: Vietnamese title case, numbers and dates as OCR reads them."""

from __future__ import annotations

import re
import unicodedata
from datetime import date

from records.folding import fold_aligned, fold_phrase

__all__ = ["clean_digits", "parse_date", "title_case"]

# Letters tesseract reads in place of digits inside numbers.
DIGIT_LOOKALIKES: dict[str, str] = {
    "O": "0",
    "o": "0",
    "Q": "0",
    "D": "0",
    "l": "1",
    "I": "1",
    "i": "1",
    "|": "1",
    "!": "1",
    "]": "1",
}
_DIGIT_LOOKALIKES = str.maketrans(DIGIT_LOOKALIKES)

# A date's slashes as OCR may give them: the fraction slash "⁄" (U+2044) and the division
# slash "∕" (U+2215) are the same stroke, read from a font's slash ("18/12⁄1972").
_DATE_SEP = r"[/.\-\u2044\u2215]"
_NUMERIC_DATE = re.compile(rf"(\d{{1,2}})\s*{_DATE_SEP}\s*(\d{{1,2}})\s*{_DATE_SEP}\s*(\d{{4}})")
# "ngày 7 tháng 9 năm 2022", tolerant of misread letters in the words ("thúng", "lháng",
# "răm", "naày": the figures between them carry the date; "năm" is no day word) and of specks
# OCR reads between them ("ngày 13 ' tháng - 12", "ngày (08 tháng 10": a bracket is never
# printed inside a date).
_JUNK = r"[\s,'\"`.\-_~()\[\]]*"
# The day word of a dateline ("ngày", "naày", "ngảy"; not "năm") and the day after it, on
# folded text: "<place>, ngày 05 …", "ngày O5 …" (a look-alike beside a digit is a digit,
# as ``find_date`` reads it); not "…, nay là …".
DAY_WORD = rf"(?!nam\s)n\w{{1,3}}\s{_JUNK}(?:\d[0-9oqdli|!]?|[oqdli|!]\d)(?![0-9])"
# A day or month of two digits may be read in two pieces ("ngày 1 7 tháng 3"): the only
# figure those two digits make is 17, but a speck read as a "1" beside a lone "7" reads the
# same, so such a date is taken and doubted (``split_figure``) until a second reading
# gives it whole. Only pieces that make a day or a month are joined ("5 7" makes none).
_DAY = r"([0-3]\s\d|\d{1,2})"
_MONTH = r"(1\s[0-2]|\d{1,2})"
# The year likewise ("năm 201 1"): four digits in two pieces make one year only, but a
# speck read as a figure beside three ("201" and a "1") reads the same; taken and doubted.
_YEAR = r"(\d{4}|(?:\d{3}\s\d|\d{2}\s\d{2}|\d\s\d{3})(?![0-9]))"
_WORDED_DATE = re.compile(
    rf"(?!nam\b)n\w{{1,3}}{_JUNK}{_DAY}{_JUNK}[a-z]\w{{3,5}}{_JUNK}{_MONTH}"
    rf"{_JUNK}[a-z]\w{{1,3}}{_JUNK}{_YEAR}"
)
# A digit-like run: digits with look-alike letters and stray spaces/dots OCR puts inside.
_DIGITISH = r"[0-9OoQDlIi|!\]]"


def title_case(name: str) -> str:
    """``NGUYỄN VĂN HÙNG`` → ``Nguyễn Văn Hùng`` (NFC, single spaces)."""
    words = unicodedata.normalize("NFC", name).split()
    return " ".join(w[:1].upper() + w[1:].lower() for w in words)


def clean_digits(raw: str) -> str:
    """Digits of a number as OCR read it: look-alike letters mapped, spaces and dots dropped."""
    return re.sub(r"[\s.,\-]", "", raw.translate(_DIGIT_LOOKALIKES))


def fix_digit_runs(text: str) -> str:
    """Map look-alike letters to digits where they sit between digits (``2O2l`` → ``2021``)."""
    pattern = re.compile(rf"(?<![A-Za-z]){_DIGITISH}*\d{_DIGITISH}*(?![A-Za-z])")
    return pattern.sub(lambda m: m.group(0).translate(_DIGIT_LOOKALIKES), text)


# Earlier than this, a year was misread ("Ø011" for 2011 read as 0011): no date.
FIRST_YEAR = 1800


def _make_date(day: str, month: str, year: str) -> date | None:
    year = year.replace(" ", "")
    if int(year) < FIRST_YEAR:
        return None
    try:
        return date(int(year), int(month.replace(" ", "")), int(day.replace(" ", "")))
    except ValueError:
        return None


def find_date(text: str) -> tuple[date | None, tuple[int, int] | None, bool]:
    """The first date in ``text`` (folded or not): ``(date, span, found_but_invalid)``.

    Understands ``12/03/2020``, ``12-03-2020``, ``12.03.2020`` and
    ``ngày 12 tháng 3 năm 2020``. A date-shaped value that does not exist (31/02) is
    reported as invalid rather than skipped, so the caller can flag it.
    """
    folded = fix_digit_runs(fold_aligned(text))
    matches = [m for m in (_WORDED_DATE.search(folded), _NUMERIC_DATE.search(folded)) if m]
    if not matches:
        return None, None, False
    match = min(matches, key=lambda m: m.start())
    value = _make_date(*match.groups())
    return value, match.span(), value is None


def split_figure(text: str) -> bool:
    """Whether the worded date in ``text`` has its day, month or year read in two pieces
    ("ngày 1 7 tháng 3 năm 2026", "… năm 201 1"): taken as 17 (2011) by ``find_date``, but
    one reading cannot tell it from a speck beside a 7 (a 1)."""
    found = _WORDED_DATE.search(fix_digit_runs(fold_aligned(text)))
    return found is not None and any(re.search(r"\s", part) for part in found.groups())


def parse_date(text: str) -> date | None:
    """A date written on a paper or typed by an officer (also ISO ``2020-03-12``)."""
    text = text.strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        return _make_date(iso.group(3), iso.group(2), iso.group(1))
    return find_date(text)[0]


# Vietnamese number words, folded ("mươi"/"mười" and "mốt"/"một" fold alike).
_UNIT_WORDS = {
    "khong": 0,
    "mot": 1,
    "hai": 2,
    "ba": 3,
    "bon": 4,
    "tu": 4,
    "nam": 5,
    "lam": 5,
    "sau": 6,
    "bay": 7,
    "tam": 8,
    "chin": 9,
}
_SKIPPED_WORDS = {"linh", "le"}  # "một trăm linh năm": a zero ten, no value of its own
_WORDED_PARTS = re.compile(r"ngay\s+(.+?)\s*,?\s*thang\s+(.+?)\s*,?\s*nam\s+(.+)")


def number_from_words(text: str) -> int | None:
    """``hai nghìn không trăm mười chín`` → 2019; ``None`` when a word is not a number word."""
    total, group, digit = 0, 0, None
    for word in re.findall(r"[a-z]+", fold_phrase(text)):
        if word in _UNIT_WORDS:
            if digit is not None:
                return None
            digit = _UNIT_WORDS[word]
        elif word == "muoi":  # "mười" alone is ten, "hai mươi" twenty
            group += (1 if digit is None else digit) * 10
            digit = None
        elif word == "tram" and digit is not None:
            group += digit * 100
            digit = None
        elif word in ("nghin", "ngan"):
            total += (group + (digit or 0)) * 1000
            group, digit = 0, None
        elif word not in _SKIPPED_WORDS:
            return None
    value = total + group + (digit or 0)
    return value if value or digit == 0 else None


def date_from_words(text: str) -> date | None:
    """The date a civil status paper repeats in words ("Ghi bằng chữ: Ngày mười hai,
    tháng năm, năm hai nghìn không trăm mười chín"); ``None`` unless every part reads."""
    match = _WORDED_PARTS.search(fold_phrase(text))
    if not match:
        return None
    parts = [number_from_words(part) for part in match.groups()]
    if any(p is None for p in parts):
        return None
    day, month, year = (p or 0 for p in parts)
    return _make_date(str(day), str(month), str(year))
