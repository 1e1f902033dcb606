"""Reading the fields of a paper from its lines.

Vietnamese administrative papers are label: value forms under a fixed header (the
issuing agency top left, the national motto top right, "Số: …" and the dateline under
them, then the title). Labels are found on folded text so a dropped diacritic or a
lower-cased letter does not hide them; values keep their diacritics. Every value
carries the confidence of the words it was read from.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

from extract.ids import normalize_sex
from extract.lines import Line
from extract.names import is_listed_family_name, restore_name
from extract.places import distance, names_unit, short_name_words
from extract.syllables import is_syllable
from extract.tables import join_table_rows
from extract.text import (
    DAY_WORD,
    DIGIT_LOOKALIKES,
    clean_digits,
    date_from_words,
    find_date,
    fix_digit_runs,
    number_from_words,
    title_case,
)
from records.folding import fold_aligned, fold_phrase
from records.result_types import FieldSpec, ResultType


@dataclass
class Value:
    """One value read from the paper, with the lowest word confidence behind it."""

    value: str
    confidence: float | None = None
    raw: str | None = None  # as printed, when ``value`` was normalised
    # The OCR words behind the value with their confidences, so a check can excuse the
    # weak ones that other evidence confirms (a name printed twice, a known family name).
    words: tuple[tuple[str, float], ...] = ()
    # Diacritics were supplied (a middle name restored) where another reading was as likely.
    guessed: bool = False
    # The folded label printed before the value, where it tells what kind of value it is
    # (an ID under "Số định danh cá nhân" cannot be a 9-digit CMND).
    label: str | None = None
    # A name opened by "ÔNG" in capitals before a family name ("ÔNG HOÀNG TÀI"): the
    # family name Ông or the honorific "ông", which the page alone does not tell.
    honorific_doubt: bool = False
    # A paper's number whose one guess is the slash before its symbol, read as a letter or
    # a space ("2541IGPXD", "282 KS"): every other character stands as read.
    slash_restored: bool = False


@dataclass
class SubjectRead:
    role: str | None = None
    name: Value | None = None
    id_number: Value | None = None
    birth_date: Value | None = None
    sex: Value | None = None
    birth_words: Value | None = None  # the birth date repeated in words ("Ghi bằng chữ")
    birth_year: Value | None = None  # "năm sinh: 1961" beside the name, where no date is printed
    requester: bool = False  # named in "Xét đề nghị của ông/bà: …" (who asked for the paper)

    def empty(self) -> bool:
        return not (self.name or self.id_number or self.birth_date)


# The field keeping the name of who asked for the paper ("Theo yêu cầu của: …").
REQUESTER_NAME = "requester_name"


@dataclass
class Reading:
    """Everything read from a paper before cross-checks."""

    document_number: Value | None = None
    issuer: Value | None = None
    issued_on: Value | None = None
    stated_term: date | int | None = None
    dateline_conflict: bool = False  # two "<place>, ngày …" lines give different dates
    number_conflict: bool = False  # the header's "Số:" and the type's number field differ
    number_agrees: bool = False  # … or are read alike: two readings of one number
    # The number's symbol is one its type's papers print ("KS" on a birth certificate):
    # the letters were read right, whatever the word's confidence.
    symbol_of_type: bool = False
    term_unreadable: bool = False  # a term is printed but its number or date could not be read
    subjects: list[SubjectRead] = field(default_factory=list)
    fields: dict[str, Value] = field(default_factory=dict)
    invalid_dates: list[str] = field(default_factory=list)  # where a non-existent date was read
    page: str = ""  # the whole page folded, one line per line: where values can recur
    lines: list[str] = field(default_factory=list)  # the page's lines as printed
    person_fields: set[str] = field(default_factory=set)  # fields holding a person's name
    # Each word as spelled (lower case), with its best OCR confidence anywhere on the page:
    # how well the page's clearest reading of a spelling was read. Empty for text alone.
    best_read: dict[str, float] = field(default_factory=dict)


# Labels every type shares (folded). Longer labels are tried first.
NAME_LABELS = (
    "ho, chu dem, ten",
    "ho, chu dem va ten",
    "ho chu dem ten",
    "ho va ten",
    "ho ten",
    "ong",
    "ba",
    "ong/ba",
    "va vo ba",
    "va chong ong",
    "va vo",
    "va chong",
)
HONORIFICS = ("ong/ba", "ong", "ba")
MIN_NAME_WORDS = 2
MAX_NAME_WORDS = 5  # "Tôn Nữ Thị Minh Châu"; more is two names run together
BIRTH_LABELS = ("ngay, thang, nam sinh", "ngay thang nam sinh", "ngay sinh", "sinh ngay")
ID_LABELS = (
    "so dinh danh ca nhan",
    "so can cuoc cong dan",
    "so can cuoc",
    "so cccd/cmnd",
    "so cccd",
    "so cmnd",
    "so chung minh nhan dan",
    "so giay to tuy than",
    "giay to tuy than",
    "so giay to nhan than",
    "can cuoc cong dan so",
    "chung minh nhan dan so",
    "cccd so",
    "cmnd so",
    "so giay to phap ly cua ca nhan",
    "cccd",
    "cmnd",
)
SEX_LABELS = ("gioi tinh",)
# The birth year printed after the holder's name on the same line ("Ông: TRẦN ĐÌNH ĐẠT, năm
# sinh: 1961, Số CCCD: …", land-use certificates): what a CCCD's digits encode. A "Năm
# sinh:" opening its line (a parent's block on a birth certificate) is not the holder's.
YEAR_LABELS = ("nam sinh",)
_YEAR = re.compile(r"\s*((?:19|20)\d{2})(?!\d)")
WRAPPING_KINDS = ("id", "birth")  # values read from the next line when their line ends
WORDS_LABELS = ("ghi bang chu",)
ISSUE_LABELS = ("ngay cap", "cap ngay", "ngay dang ky", "dang ky ngay")
# "Đăng ký thay đổi lần thứ 2: ngày …": a registration paper reissued on a change is dated
# by its latest change, not by its first registration.
CHANGE_LABELS = ("dang ky thay doi",)
CHANGED_ON = "changed_on"
MOTTO = (
    "cong hoa xa hoi chu nghia viet nam",
    "doc lap - tu do - hanh phuc",
    "doc lap tu do hanh phuc",
)

_LABEL_END = re.compile(r"\s*[:;.]?\s*")
_NUMBERING = " -+*•.0123456789)(ivxabcdeghđ"
# What OCR reads at a line's left edge from a table's rule or a speck (", Họ, chữ đệm, tên"):
# no text of its own, so a label after it still starts its line.
_EDGE_MARKS = ",'‘’`|_¡—–"
_LINE_START = _NUMBERING + _EDGE_MARKS
# "<place>, ngày 05 …", the day word misread as OCR does ("naày", "ngảy"), the day after
# it; not "Ngày, tháng, năm sinh" (its "năm" follows a comma too) nor "…, nay là …".
# The place takes no figures (a number and a date in the body, "Quyết định số 12, ngày …",
# is no dateline) but the number of a numbered ward or district ("Phường 8, ngày …",
# "Quận 11, ngày …": urban units are named by number).
_DATELINE_PLACE = r"(?:[^\d:]{0,40}?(?<![a-z])(?:phuong|quan)\s\d{1,2}(?![\d/])|[^\d:]{2,60}?)"
_DATELINE = re.compile(rf"^\s*{_DATELINE_PLACE}[,.]\s*{DAY_WORD}")
# A speck or rule mark may stand before "Số" ("'Số: 138/2021/GCN").
# "Số" as OCR reads it: "Sổ", "S ố", "Sô’", "S6:" (the ố read as a 6, then only before a
# colon), followed by ":", ";" or "." or by the number itself. Read as two digits ("50:"),
# only before the colon: a line of figures opening with 50 ("509", a plot's number wrapped
# under its label) is no "Số" and the figures after it no paper's number.
_SO = (
    r"(?:(?:[s§$]\s?[o0]|5\s?o)\s*['’‘`]?\s*(?:[:;.]\s*|(?=\d))"
    r"|5\s?0\s*['’‘`]?\s*[:;.]\s*"
    r"|[s§$5]\s?6\s*[:;.]\s*)"
)
_DOC_NUMBER = re.compile(rf"^\s*[,'‘’`|_¡—–.\-]*\s*{_SO}(.+)$")
# "Số:" ending its line: the number wrapped onto the next one.
_DOC_NUMBER_ALONE = re.compile(rf"^\s*[,'‘’`|_¡—–.\-]*\s*{_SO}$")
# Number/year/symbol (Decree 30/2020): a slash OCR lost before the symbol is put back.
_LOST_SLASH = re.compile(r"^(\d+/\d{4})(?=[A-ZĐ])")
# A slash OCR read as a letter I/l/| before the symbol ("2043IGPXD" for "2043/GPXD"), or
# between the number and the year ("130l2026/KH").
_SLASH_AS_LETTER = re.compile(r"^(\d+(?:/\d{4})?)[Il|!](?=[A-ZĐ]{2})")
_SLASH_BEFORE_YEAR = re.compile(r"^(\d+)[Il|!](?=(?:19|20)\d{2}(?:/|[Il|!])[A-ZĐ])")
_TERM_MONTHS = re.compile(r"(?:trong\s+)?thoi\s+han\s+(\d{1,3})\s+thang")
_TERM_MONTH_WORDS = re.compile(r"thoi\s+han\s+([a-z ]{2,40}?)\s+thang")
# The phrase that states a term; seen without a readable number, the term is unknown.
_TERM_PHRASE = re.compile(r"trong\s+thoi\s+han")
_TERM_DATE = re.compile(r"(?:co\s+gia\s+tri|co\s+hieu\s+luc)\s+(?:den|toi)\s+(?:het\s+)?ngay")
_NUMBER_TOKEN = re.compile(
    r"[0-9A-Za-zĐđ][0-9A-Za-zĐđ\-.|!]*(?:\s*/\s*[0-9A-Za-zĐđ][0-9A-Za-zĐđ\-.|!]*)*"
)


@dataclass(frozen=True)
class _Hit:
    kind: str  # name/birth/id/sex/issue/field/role
    start: int  # label start in the line
    value_start: int
    target: str | None = None  # field name or role
    colon: bool = False
    label: str = ""


@functools.lru_cache(maxsize=1024)
def _label_pattern(label: str) -> re.Pattern[str]:
    """A folded label, its words apart by any of the separators OCR reads between them:
    "ngày, tháng. năm đăng ký" and "ngày tháng năm sinh" are the labels of the table."""
    words = [re.escape(word.strip(",")) for word in label.split()]
    if len(words) >= 3 and len(words[-1]) >= 4 and words[-1].isalpha():
        # A long label's last letter lost to a speck or the cell's rule ("Họ, chữ đệm, tên
        # người chế:"): the words before it already say which label it is.
        words[-1] += "?"
    # Between words a space, a mark and a space, or a mark alone ("Họ, chữ đệm,tên": the
    # space after a comma is often lost in a table's narrow cell).
    return re.compile(r"(?<![a-z0-9])" + r"(?:[,.;]?\s+|[,.;])".join(words) + r"(?![a-z0-9])")


# An i OCR read as "¡" inside a word ("§S¡nh ngày"): the label is still the label.
_I_AS_MARK = re.compile(r"(?<=[a-z])¡(?=[a-z])")


# The ID card's abbreviation after "Số", read with one letter slipped ("Số CGCD:", "Số
# CCCĐD:"), and a colon and a figure after it: the label still, padded to its length so
# offsets still index the line. What follows is held to an ID's shape and checks.
_ID_ABBREVIATION = re.compile(r"(?<![a-z])(so\s+)([a-z]{4,5})(?=\s*:\s*\d)")
_ID_ABBREVIATIONS = ("cccd", "cmnd")


def _slipped_abbreviation(found: re.Match[str]) -> str:
    word = found.group(2)
    for want in _ID_ABBREVIATIONS:
        if word != want and distance(word, want, 1) <= 1:
            return found.group(1) + want.ljust(len(word))
    return found.group(0)


def _label_text(text: str) -> str:
    """``text`` folded for finding labels, letter for letter (offsets index ``text``)."""
    return _ID_ABBREVIATION.sub(_slipped_abbreviation, _I_AS_MARK.sub("i", fold_aligned(text)))


def _label_positions(folded: str, label: str, kind: str) -> list[tuple[int, int, bool]]:
    """Where ``label`` stands in ``folded`` as a label, with where its value starts.

    A label counts at the start of a line (after any numbering such as "3.", "a)",
    "II."), or anywhere when a colon follows it: values (addresses, purposes) contain
    label words too. Numbered fields ("thửa đất số 12") also count before a digit.
    A label followed by more words and then a colon is the start of a longer label
    this table does not know ("Địa chỉ thường trú:" is not "Địa chỉ"), so it does not count.
    """
    out = []
    for match in _label_pattern(label).finditer(folded):
        end = _LABEL_END.match(folded, match.end())
        value_start = end.end() if end else match.end()
        colon = ":" in folded[match.end() : value_start]
        at_start = not folded[: match.start()].strip(_LINE_START)
        digit_next = (
            kind in ("code", "id", "date") and folded[value_start : value_start + 1].isdigit()
        )
        # An ID label ending its line with a semicolon ("…, năm sinh: 1957, Số CCCD;"):
        # the colon misread, the number wrapped onto the next line (read there, and
        # checked as any ID). Not mid-line, where a semicolon may end a clause.
        wrapped = (
            kind == "id"
            and ";" in folded[match.end() : value_start]
            and not folded[value_start:].strip(" .,-_|")
        )
        if not colon and not digit_next and not wrapped:
            ahead = folded[value_start : value_start + 40]
            if ":" in ahead and not re.search(r"\d", ahead.split(":", 1)[0]):
                continue
        if at_start or colon or digit_next or wrapped:
            out.append((match.start(), value_start, colon))
    return out


def _labels(result_type: ResultType | None) -> list[tuple[str, str, str | None]]:
    """(folded label, kind, target) for a type, longest first."""
    table: list[tuple[str, str, str | None]] = []
    if result_type:
        # The type's own labels first: on a tie in length they win over the shared ones.
        for spec in result_type.fields:
            table += [(label, f"field:{spec.kind}", spec.name) for label in spec.labels]
        table += [(marker, "role", role) for marker, role in result_type.roles.items()]
    table += [(label, "name", None) for label in NAME_LABELS]
    table += [(label, "birth", None) for label in BIRTH_LABELS]
    table += [(label, "id", None) for label in ID_LABELS]
    table += [(label, "sex", None) for label in SEX_LABELS]
    table += [(label, "year", None) for label in YEAR_LABELS]
    table += [(label, "words", None) for label in WORDS_LABELS]
    table += [(label, "issue", None) for label in ISSUE_LABELS]
    table += [(label, "change", None) for label in CHANGE_LABELS]
    return sorted(table, key=lambda item: len(item[0]), reverse=True)


# How a label's value is shaped, for the label rules above.
_KIND_OF = {
    **{f"field:{kind}": kind for kind in ("text", "name", "date", "code", "number", "id")},
    "birth": "date",
    "year": "date",
    "issue": "date",
    "change": "date",
}


def _hits(folded: str, table: list[tuple[str, str, str | None]]) -> list[_Hit]:
    taken: list[tuple[int, int]] = []
    hits: list[_Hit] = []
    for label, kind, target in table:
        for start, value_start, colon in _label_positions(folded, label, _KIND_OF.get(kind, kind)):
            end = start + len(label)
            if any(start < t_end and end > t_start for t_start, t_end in taken):
                continue
            taken.append((start, end))
            hits.append(_Hit(kind, start, value_start, target, colon, label))
    return sorted(hits, key=lambda h: h.start)


# A role's label that names the person's name field ("Họ, chữ đệm, tên vợ", "Họ và tên
# chồng"), as against a role alone ("Vợ", a table's column head).
_NAME_ROLE_LABEL = re.compile(r"^ho\W+(?:va\s+|chu dem\W+)?ten\s")


def _colon_lost(label: str, rest: str) -> bool:
    """A name label's colon lost to a speck ("Họ, chữ đệm, tên vợ NGUYỄN THANH QUYÊN"): the
    rest of the line is a name in capitals, of two words at least, as names are printed."""
    words = rest.split()
    return (
        bool(_NAME_ROLE_LABEL.match(label))
        and len(words) >= MIN_NAME_WORDS
        and all(w.isupper() and w.isalpha() for w in words)
    )


def _cell(line: Line, start: int, end: int) -> Value | None:
    text = line.text[start:end].strip(" ;,:.-")
    if not text:
        return None
    offset = line.text.index(text, start)
    # The words too: a place read from a text field is judged word by word, a word the
    # page prints again being confirmed there (``checks.field_read_weakly``).
    end = offset + len(text)
    return Value(text, line.confidence(offset, end), words=line.words(offset, end))


def _date_value(line: Line, start: int, end: int) -> tuple[Value | None, bool]:
    found, span, invalid = find_date(line.text[start:end])
    if found is None or span is None:
        return None, invalid
    at, end = start + span[0], start + span[1]
    confidence = line.confidence(at, end)
    return Value(found.isoformat(), confidence, line.text[at:end], line.words(at, end)), False


def _id_value(
    cell: Value, label: str | None = None, line: Line | None = None, start: int = 0
) -> Value | None:
    """The ID in ``cell`` (found in ``line`` from ``start``), its confidence that of the
    words of the number alone: a label word garbled before it ("Chứng mini nhân dân số",
    read at 0) says nothing about the digits."""
    # The number is the first digit-like run; text after it (a place of issue) is not.
    match = re.search(r"[0-9OoQDlI|!\]][0-9OoQDlI|!\]\s.]{7,20}", cell.value)
    if not match:
        return None
    digits = clean_digits(match.group(0))
    if not digits.isdigit():
        return None
    confidence = cell.confidence
    words: tuple[tuple[str, float], ...] = ()
    at = line.text.find(cell.value, start) if line is not None else -1
    if line is not None and at >= 0:
        number = match.group(0).rstrip(" .")
        begin, end = at + match.start(), at + match.start() + len(number)
        confidence = line.confidence(begin, end)
        # Each word's own confidence, cut to the number (a label glued on is not the ID):
        # a number read in groups ("0400 6931 0566") may be clear in the digits the birth
        # date cannot confirm (``checks.serial_confirmed``).
        words = tuple(
            (line.text[max(s.start, begin) : min(s.end, end)], s.confidence)
            for s in line.spans
            if s.start < end and s.end > begin
        )
    return Value(digits, confidence, match.group(0).strip(), words=words, label=label)


def _name_value(line: Line, start: int, end: int) -> Value | None:
    """A person's name from ``line.text[start:end]``, its confidence over the kept words."""
    text = line.text[start:end]
    # OCR sometimes reads a stray colon after a name ("NGUYỄN THỊ DUYÊN: 2."); names are
    # printed in capitals, so the most capitalised piece is the name (the first of equals).
    # A table rule read as "_", "|" or "—" ends a cell: the name is on one side of it
    # ("NGUYỄN THÀNH LỘC _ LÊ DIỆU QUYÊN" is two spouses, not one name of six words).
    pieces = [m for m in re.finditer(r"[^:_|¡—]+", text) if re.search(r"\w", m.group(0))]
    if not pieces:
        return None
    piece = max(
        pieces,
        key=lambda m: (
            sum(c.isupper() for c in m.group(0)) / max(1, len(m.group(0).replace(" ", "")))
        ),
    )
    # A name is letters only; OCR noise, numbering and punctuation are dropped.
    kept = [
        m for m in re.finditer(r"[^\W\d_]+(?:/[^\W\d_]+)*", piece.group(0)) if "/" not in m.group(0)
    ]
    family_ong = _family_ong([m.group(0) for m in kept])
    if kept and fold_phrase(kept[0].group(0)) in HONORIFICS and family_ong is None:
        kept = kept[1:]
    # A name ends at a comma or at a word in lower case: "TỪ THỊ UYÊN, về việc cấp …",
    # "Xét đơn của bà Từ Thị Uyên về việc …".
    ended: list[re.Match[str]] = []
    for match in kept:
        gap = piece.group(0)[ended[-1].end() : match.start()] if ended else ""
        if ended and ("," in gap or (len(ended) >= 2 and match.group(0)[:1].islower())):
            break
        ended.append(match)
    kept = ended
    # Vietnamese full names have a family name and a given name at least, and are printed
    # capitalised: one word ("ông Toàn" under a signature) or a lower-case start ("họ tên,
    # đóng dấu)" in the signing instructions) is not a person's name.
    if len(kept) < MIN_NAME_WORDS or not kept[0].group(0)[:1].isupper():
        return None
    if len(kept) > MAX_NAME_WORDS:
        # Two names run together across a table's cells ("NGUYỄN THÀNH THỊNH ' LÊ ÁNH HUỆ",
        # a rule read as a quote): where one ends the words do not say.
        return None
    offset = start + piece.start()
    words = tuple(w for m in kept for w in line.words(offset + m.start(), offset + m.end()))
    name = " ".join(m.group(0) for m in kept)
    confidences = [c for _, c in words]
    restored, guessed = restore_name(title_case(name))
    return Value(
        restored,
        min(confidences) if confidences else None,
        text.strip(),
        words,
        guessed,
        honorific_doubt=bool(family_ong),
    )


def _family_ong(words: list[str]) -> bool | None:
    """Whether a name read as ``words`` opens with the family name Ông rather than the
    honorific "ông": None when it does not (the honorific is dropped), False when it
    surely does, True when either reading is as likely.

    The honorific is printed apart from the name: "Ông NGUYỄN VĂN A", "ông Nguyễn Văn A",
    "Ông: …". "ÔNG" in capitals like the name after it, in a name of three words at least,
    is the family name when the next word is no family name ("ÔNG THỊ XUÂN": a full name
    opens with its family name); before one ("ÔNG HOÀNG TÀI") it could be either.
    Only the words in capitals from the start are the name: what follows on its line in
    small letters ("ÔNG QUỐC KHẢI, năm sinh: 1983") is the next label, not the name.
    """
    capitals = list(itertools.takewhile(str.isupper, words))
    if len(capitals) < MIN_NAME_WORDS + 1 or fold_phrase(capitals[0]) != "ong":
        return None
    return is_listed_family_name(capitals[1])


def _field_value(spec_kind: str, line: Line, start: int, end: int) -> tuple[Value | None, bool]:
    if spec_kind == "date":
        return _date_value(line, start, end)
    cell = _cell(line, start, end)
    if cell is None:
        return None, False
    if spec_kind == "name":
        return _name_value(line, start, end), False
    if spec_kind in ("code", "number"):
        printed = re.match(r"\S+(?:\s+\d+)*", cell.value)
        token = re.match(r"\S+(?:\s+\d+)*", fix_digit_runs(cell.value))
        code = re.sub(r"\s+", "", token.group(0)) if token else cell.value
        if printed and is_number(re.sub(r"\s+", "", printed.group(0)).strip(".,;")):
            code = re.sub(r"\s+", "", printed.group(0))  # "38D37261650": the D is a letter
        return Value(code.strip(".,;"), cell.confidence, cell.value), False
    if spec_kind == "id":
        return _id_value(cell, None, line, start), False
    return cell, False


class _Reader:
    """Walks the lines once, keeping which person the current labels describe."""

    def __init__(self, result_type: ResultType | None) -> None:
        self.result_type = result_type
        self.table = _labels(result_type)
        self.specs: dict[str, FieldSpec] = (
            {s.name: s for s in result_type.fields} if result_type else {}
        )
        self.reading = Reading()
        self.section: str | None = None  # a field prefix (mother_, father_) or None for a subject
        self.role: str | None = result_type.default_role if result_type else None
        # A date in words often wraps onto the next line: held until that line is seen.
        self.words_pending: str | None = None
        # An ID or birth-date label ending its line ("…, Số CCCD:"): the value wrapped.
        self.value_pending: _Hit | None = None
        # A text field whose value ran to its line's end inside a unit's name ("…, tỉnh
        # Vĩnh" / "Phúc"): the next line may finish it.
        self.text_open: str | None = None

    def is_label(self, text: str) -> bool:
        """The text is one of the labels read here and nothing after it (a table's label cell).

        Not a role ("Người đi khai tử"): a signing block prints one at the margin with the
        agency's title across from it, and the two are no label and value.
        """
        folded = _label_text(text)
        hits = _hits(folded, self.table)
        return (
            bool(hits)
            and hits[0].kind != "role"
            and not folded[: hits[0].start].strip(_LINE_START)
            and not folded[hits[-1].value_start :].strip(" :.-_|")
        )

    def role_of(self, text: str) -> str | None:
        """The role a table's column head names ("Chồng", "Vợ"), or ``None``."""
        roles = self.result_type.roles if self.result_type else {}
        head = fold_phrase(text).strip(" :.-_|")
        return next((role for marker, role in roles.items() if fold_phrase(marker) == head), None)

    def subject(self) -> SubjectRead:
        if not self.reading.subjects:
            self.reading.subjects.append(SubjectRead(role=self.role))
        return self.reading.subjects[-1]

    def start_subject(self, role: str | None) -> None:
        self.section = None
        self.role = role
        current = self.reading.subjects[-1] if self.reading.subjects else None
        if current is not None and current.empty():
            current.role = role
        else:
            self.reading.subjects.append(SubjectRead(role=role))

    def put(self, attr: str, value: Value | None) -> None:
        if value is None:
            return
        if self.section:
            self.reading.fields.setdefault(f"{self.section}_{attr}", value)
            return
        if attr == "name" and self.subject().name is not None:
            self.start_subject(self.role)
        subject = self.subject()
        if getattr(subject, attr) is None:
            setattr(subject, attr, value)

    def finish_words(self, continuation: str = "") -> None:
        if self.words_pending is None:
            return
        text = f"{self.words_pending} {continuation}".strip()
        self.words_pending = None
        worded = date_from_words(text)
        if worded:
            self.put("birth_words", Value(worded.isoformat(), None, text))

    def read_line(self, line: Line) -> None:
        folded = _label_text(line.text)
        hits = _hits(folded, self.table)
        open_field, self.text_open = self.text_open, None
        opened = self.reading.fields.get(open_field) if open_field else None
        if (
            opened is not None
            and not hits
            and _place_tail(line.text)
            and _finishes_unit(opened.value, line.text)
        ):
            tail = " ".join(line.text.split())
            confidences = [c for c in (opened.confidence, line.confidence(0, len(line.text))) if c]
            self.reading.fields[str(open_field)] = Value(
                f"{opened.value} {tail}",
                min(confidences) if confidences else None,
                words=opened.words + line.words(0, len(line.text)),
            )
            return
        if self.words_pending is not None:
            self.finish_words(line.text[: hits[0].start] if hits else line.text)
        pending, self.value_pending = self.value_pending, None
        if pending is not None and not hits and not re.search(r"[^\W_]{2}", line.text):
            # A row number or a speck on a line of its own ("8.", "|") between the label
            # and its value: the value is still to come.
            self.value_pending = pending
            return
        if pending is not None and (not hits or hits[0].start > 0):
            # The line opens with the value the last line's label announced.
            self.read_hit(
                _Hit(pending.kind, 0, 0, label=pending.label),
                line,
                hits[0].start if hits else len(line.text),
            )
        # "CMND số … cấp ngày 01/02/2005 tại …" dates the ID card, not this paper; so does
        # "Ngày cấp" after an ID that wrapped onto this line ("Số CCCD:" / "0491… Ngày cấp: …").
        id_line = any(hit.kind == "id" for hit in hits) or (
            pending is not None and pending.kind == "id"
        )
        for index, hit in enumerate(hits):
            end = hits[index + 1].start if index + 1 < len(hits) else len(line.text)
            if not (id_line and hit.kind == "issue"):
                self.read_hit(hit, line, end)
        last = hits[-1] if hits else None
        if (
            last is not None
            and last.kind in WRAPPING_KINDS
            and not line.text[last.value_start :].strip(" :;,.-_|")
        ):
            self.value_pending = last

    def read_hit(self, hit: _Hit, line: Line, end: int) -> None:
        start = hit.value_start
        if hit.kind == "role":
            self.start_subject(hit.target)
            if hit.colon or _colon_lost(hit.label, line.text[start:end]):
                # "Cấp cho: Ông NAME", "Họ, chữ đệm, tên chồng: NAME": the label carries a name.
                self.put("name", _name_value(line, start, end))
            return
        if hit.kind == "name":
            dateline = _DATELINE.match(fold_aligned(line.text))
            if hit.label in HONORIFICS and not hit.colon and dateline:
                return  # "Bà Rịa - Vũng Tàu, ngày …": a province's name, not "bà" a woman
            if hit.label == "ong" and not hit.colon:
                start = hit.start  # "ÔNG THỊ XUÂN" alone on a line: Ông may be the family name
            self.put("name", _name_value(line, start, end))
            before = fold_aligned(line.text[: hit.start])
            if self.reading.subjects and re.search(r"de\s*nghi|yeu\s*cau", before):
                self.subject().requester = True
        elif hit.kind == "words":
            self.words_pending = line.text[start:end]
        elif hit.kind == "change":
            value, _ = _date_value(line, start, end)
            latest = self.reading.fields.get(CHANGED_ON)
            if value is not None and (latest is None or value.value > latest.value):
                self.reading.fields[CHANGED_ON] = value
        elif hit.kind in ("birth", "issue"):
            value, invalid = _date_value(line, start, end)
            if invalid:
                self.reading.invalid_dates.append(hit.kind)
            if hit.kind == "birth":
                self.put("birth_date", value)
            elif self.reading.issued_on is None and value is not None:
                self.reading.fields.setdefault("issue_date_label", value)
        elif hit.kind == "id":
            cell = _cell(line, start, end)
            self.put("id_number", _id_value(cell, hit.label, line, start) if cell else None)
        elif hit.kind == "year":
            year = _YEAR.match(line.text, start)
            if year and hit.start > 0 and not self.section:
                at, to = year.span(1)
                self.put("birth_year", Value(year.group(1), line.confidence(at, to)))
        elif hit.kind == "sex":
            cell = _cell(line, start, end)
            sex = normalize_sex(cell.value) if cell else None
            self.put("sex", Value(sex, cell.confidence) if cell and sex else None)
        elif hit.kind.startswith("field") and hit.target:
            self.read_field(self.specs[hit.target], line, start, end)

    def read_field(self, spec: FieldSpec, line: Line, start: int, end: int) -> None:
        value, invalid = _field_value(spec.kind, line, start, end)
        if invalid:
            self.reading.invalid_dates.append(spec.name)
        if spec.kind == "name":
            self.reading.person_fields.add(spec.name)
        if spec.kind == "name" and spec.name.endswith("_name"):
            # A parent's name opens their block: the birth date and ID that follow are theirs.
            self.section = spec.name[: -len("_name")]
        if value is not None:
            kept = self.reading.fields.setdefault(spec.name, value)
            if (
                kept is value
                and spec.kind == "text"
                and not line.text[end:].strip()
                and _cut_in_unit(value.value)
            ):
                self.text_open = spec.name


# An address's part that is a unit's type word and a name ("tỉnh Vĩnh", "huyện Hà"), or
# the type word alone ("…, huyện Nhơn Trạch, tỉnh" / "Đồng Nai").
_UNIT_PART = re.compile(
    r"^\s*(xa|phuong|thi tran|huyen|quan|thi xa|thanh pho|tinh|tp)(?:\s+(\S.*))?\s*$"
)


def _unit_part(text: str) -> tuple[str, str] | None:
    """The type word and the name (as printed) of a place's last part, if it is a unit's."""
    last = re.split(r"[,.;]", text)[-1]
    found = _UNIT_PART.match(fold_aligned(last))
    if found is None:
        return None
    return found.group(1), last[found.start(2) :].strip() if found.group(2) else ""


def _cut_in_unit(text: str) -> bool:
    """A place whose last part is a unit's type word and a name that is no unit's of that
    type: cut at the line's end, its name may go on on the next line."""
    part = _unit_part(text)
    return part is not None and not names_unit(*part)


def _finishes_unit(text: str, tail: str) -> bool:
    """The next line's words up to its first comma complete the cut unit's name."""
    part = _unit_part(text)
    head = re.split(r"[,.;]", tail)[0]
    return part is not None and names_unit(part[0], f"{part[1]} {head}".strip())


# Words that finish a unit's name wrapped onto a line of their own ("Phúc", "Trung, tỉnh
# Thanh Hóa"): a capital first, small letters (not a title or a name in capitals), no
# figure and no colon (not a label's line), a few words.
PLACE_TAIL_WORDS = 6


def _place_tail(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= PLACE_TAIL_WORDS
        and words[0][:1].isupper()
        and any(c.islower() for c in text)
        and not any(c.isdigit() or c == ":" for c in text)
    )


def _has_data(subject: SubjectRead) -> bool:
    return subject.id_number is not None or subject.birth_date is not None


def _conflict(a: SubjectRead, b: SubjectRead) -> bool:
    """Both read a value for the same attribute and the values differ."""
    return any(
        getattr(a, attr) is not None
        and getattr(b, attr) is not None
        and getattr(a, attr).value != getattr(b, attr).value
        for attr in ("id_number", "birth_date", "sex")
    )


def merge_same_person(subjects: list[SubjectRead]) -> list[SubjectRead]:
    """One person named twice ("Xét đề nghị của ông/bà: X" and "Họ và tên: X") is one subject.

    Two readings of one name (folded alike) where at most one carries an ID or a birth
    date are the same person: the one with them is kept and takes what only the other
    read (sex). Two people who both carry an ID or a birth date stay two (a father and a
    son can share a name). Whether the two readings agree on the marks is checked later
    (``checks.name_checks``).
    """
    out: list[SubjectRead] = []
    for subject in subjects:
        key = fold_phrase(subject.name.value) if subject.name else None
        twin = next(
            (
                o
                for o in out
                if key
                and o.name
                and fold_phrase(o.name.value) == key
                and not (_has_data(o) and _has_data(subject))
                and not _conflict(o, subject)
            ),
            None,
        )
        if twin is None:
            out.append(subject)
            continue
        keep, other = (subject, twin) if _has_data(subject) else (twin, subject)
        if not _has_data(keep) and keep.requester:
            keep, other = other, keep  # the holder's reading, not the requester line's
        keep.requester = False
        for attr in ("id_number", "birth_date", "sex", "birth_words", "birth_year"):
            if getattr(keep, attr) is None:
                setattr(keep, attr, getattr(other, attr))
        out[out.index(twin)] = keep
    return out


def _set_requester_apart(reading: Reading) -> None:
    """Someone who asked for another's paper ("Xét đề nghị của bà X" on Y's certificate) is
    not a person the paper is about: kept as ``fields.requester_name``, not a subject."""
    others = [s for s in reading.subjects if not s.requester]
    if not others:
        return
    for subject in reading.subjects:
        if subject.requester and subject.name and not _has_data(subject):
            reading.fields.setdefault(REQUESTER_NAME, subject.name)
    reading.subjects = [s for s in reading.subjects if not (s.requester and not _has_data(s))]


# "Số 256 Lê Duẩn, xã Yên Hòa, …" at a line's start: a house number, the address wrapped
# from its label on the line before ("c) Địa chỉ:"), not the paper's number — no colon, a
# street's name after the number, then a comma and a unit or a hamlet.
HEAD_LINES = 25  # where the header's "Số:" is looked for
_HOUSE_NUMBER = re.compile(
    r"^\W*so\s*\d+[a-z]?\s+[^\W\d][^,:/]{1,40},\s*"
    r"(?:xa|phuong|thi tran|quan|huyen|thi xa|tinh|thanh pho|tp|to|thon|ap|khu pho)\b"
)


def _so_line(line: Line) -> re.Match[str] | None:
    """The header's "Số: …" on ``line`` (its group 1 where the number starts), not a house
    number opening an address."""
    folded = fold_aligned(line.text)
    match = _DOC_NUMBER.match(folded)
    return None if match is None or _HOUSE_NUMBER.match(folded) else match


def _document_number(lines: list[Line]) -> Value | None:
    head = lines[:HEAD_LINES]
    for index, line in enumerate(head):
        folded = fold_aligned(line.text)
        match = _so_line(line)
        if match is None and _DOC_NUMBER.match(folded):
            continue  # a house number
        if match:
            found = _number_at(line, match.start(1))
        elif _DOC_NUMBER_ALONE.match(folded) and index + 1 < len(head):
            found = _number_at(head[index + 1], 0)
            if found is not None and not is_number(found.value):
                found = None  # the next line is no number: the value is lost
        else:
            continue
        if found is not None:
            return found
    return _number_after_misread_so(head)


def _header_number_texts(lines: list[Line]) -> list[str]:
    """What the header prints after "Số:", as read, whether or not a number could be made
    of it: its first word, and the rest of its line without spaces (a number read torn)."""
    texts = []
    for line in lines[:HEAD_LINES]:
        match = _so_line(line)
        if match:
            rest = line.text[match.start(1) :]
            texts += [rest.split()[0], re.sub(r"\s+", "", rest)] if rest.split() else []
    return texts


# A mark OCR reads for a character it could not make out ("79E339§1411", "79:3398141I"):
# no letter, digit or separator of a paper's number.
_NUMBER_CHARS = frozenset("/-.")
# Letters OCR reads for a digit ("…141I" for "…1411"); the digit is what numbers print.
_DIGIT_LOOK_ALIKES = {"I": "1", "l": "1", "|": "1", "!": "1", "O": "0", "o": "0"}
# Share of positions two readings must read alike to be readings of one number.
FUSE_AGREEMENT = 2 / 3


def fuse_readings(first: str, second: str) -> str | None:
    """One number read twice with damage at different places, made whole: where one
    reading has a mark and the other a letter or digit, the letter or digit; where one has
    a digit's look-alike letter and the other the digit, the digit; anything else that
    differs (two letters, two digits, a slash against a letter) leaves it unread (``None``).

    Every character of the result is printed as read by one reading and contradicted by
    none; the two must read most places alike and the result have a number's shape.
    """
    a, b = re.sub(r"\s+", "", first), re.sub(r"\s+", "", second)
    if not a or len(a) != len(b) or a == b:
        return None
    out, alike = [], 0
    for x, y in zip(a, b, strict=True):
        solid_x = x.isalnum() or x in _NUMBER_CHARS
        solid_y = y.isalnum() or y in _NUMBER_CHARS
        if x == y:
            out.append(x)
            alike += 1
        elif solid_x != solid_y:
            out.append(x if solid_x else y)
        elif _DIGIT_LOOK_ALIKES.get(x) == y or _DIGIT_LOOK_ALIKES.get(y) == x:
            out.append(y if y.isdigit() else x)
        else:
            return None
    value = "".join(out)
    if alike < FUSE_AGREEMENT * len(a) or not is_number(value):
        return None
    return value


# "Số:" with its ố read as another vowel ("Sâ: 98", "Sẽ: 38E…"): an S, one vowel and the
# colon opening a header line. Weaker than "Số" itself, so the number must have a paper
# number's shape as printed — no slash put back, no look-alike digit mapped.
_MISREAD_SO = re.compile(r"^\s*[,'‘’`|_¡—–.\-]*\s*s[aeiouy]\s?:\s*(?=\d)")


def _number_after_misread_so(head: list[Line]) -> Value | None:
    for line in head:
        match = _MISREAD_SO.match(fold_aligned(line.text))
        if match is None:
            continue
        found = _number_at(line, match.end())
        if found is not None and not found.guessed and found.value == (found.raw or "").strip():
            return found if is_number(found.value) else None
    return None


def _number_at(line: Line, start: int) -> Value | None:
    """The paper's number read in ``line`` from ``start``."""
    token = _NUMBER_TOKEN.match(line.text, start)
    if not token or not re.search(r"[0-9OoQlI]", token.group(0)):
        return None
    raw = token.group(0)
    # A rule read as "|" right after the number ends it, as a space would.
    compact = re.sub(r"\s+", "", raw).rstrip("|!")
    # Before the look-alike digits are mapped: "2043IGPXD" is a slash, not "20431".
    slash, before_year = _SLASH_BEFORE_YEAR.subn(r"\1/", compact)
    slash, before_symbol = _SLASH_AS_LETTER.subn(r"\1/", slash)
    # Digits after a space ("Số: 4 9"): one number torn apart, or two things; either way
    # an officer says which (``number_format``), the number is not cut at the space.
    torn = re.match(r"\s+(\d[\w\-./]*)\s*$", line.text[token.end() :])
    if torn and not slash[-1:].isdigit():
        torn = None
    if torn:
        slash += re.sub(r"\s+", "", torn.group(1))
    # The symbol after a space, closing the line ("Số: 1434 STP"): the slash read as a
    # space. Read without it, the number would lose its symbol and name another paper.
    symbol = _SYMBOL_APART.match(line.text, token.end())
    if symbol and slash[-1:].isdigit() and not torn:
        slash += "/" + symbol.group(1)
    value = slash.strip(".-")
    if not is_number(value):  # a well-formed code keeps its letters ("38D37261650")
        value = _LOST_SLASH.sub(r"\1/", fix_digit_runs(slash).strip(".-"))
    confidence = line.confidence(token.start(), token.end())
    # A mark glued between the number and more of it ("79:3398141I", the E read as ":"),
    # or the number's word going on past what could be read as a number: a slash whose
    # symbol is unreadable ("54/ŒH" for "54/KH", "54 /ŒH", "54/" with the symbol lost), a letter
    # no symbol prints ("54ŒH"). What was read is a piece of the number, not all of it:
    # "54" alone is another paper's number, so it is offered as a guess.
    cut = _CUT_BY_MARK.match(line.text, token.end()) is not None or _ink_past_digits(
        line, token.start(), token.end(), value
    )
    # A repaired slash is a guess an officer confirms (``number_format``), unless the
    # symbol after it turns out to be the paper type's own (``_symbol_of_type``).
    return Value(
        value,
        confidence,
        raw,
        guessed=bool(before_year or before_symbol or torn or cut or symbol),
        slash_restored=bool(before_symbol or symbol) and not (before_year or torn or cut),
    )


# Width of a digit's box over its height, at most: digits-only number words measured
# 0.37–0.74 per digit (26 on the dev half and draws 8233, 3461). A word box that wide and
# more holds ink OCR dropped from the word's text: "54" boxed over "54/KH" is about 1.75.
DIGIT_BOX_MAX = 1.2


def _ink_past_digits(line: Line, start: int, end: int, value: str) -> bool:
    """A number read as digits alone from one OCR word whose box is wider than its digits
    could be: the word printed more (a symbol) that the reading lost."""
    if not value.isdigit():
        return False
    spans = [s for s in line.spans if s.start < end and s.end > start]
    if len(spans) != 1 or spans[0].bbox is None:
        return False
    left, top, right, bottom = spans[0].bbox
    digits = sum(c.isdigit() for c in line.text[spans[0].start : spans[0].end])
    return bottom > top and digits > 0 and right - left > DIGIT_BOX_MAX * (bottom - top) * digits


_CUT_BY_MARK = re.compile(r"\s*/|\w|[^\s\w/.\-|!,;]\w")
_SYMBOL_APART = re.compile(r"\s+([A-ZĐ]{2,}(?:-[A-ZĐ]{2,})*)\s*$")


# The shapes of a paper's number: number, optional year, symbols (Decree 30/2020):
# "12/2021/KS", "45/QĐ-UBND", "105"; a household business code: province, a letter, the
# number ("30E34468104"); an entry in a land register: the book's letters and the number
# ("CS01234").
_NUMBER_SHAPES = {
    "decree": re.compile(r"\d{1,7}(?:/\d{4})?(?:/[A-ZĐ][A-ZĐ0-9.\-]*)*"),
    "business_code": re.compile(r"\d{2}[A-Z]\d{7,8}"),
    "register": re.compile(r"[A-Z]{2,3}\d{4,7}"),
}


def number_shape(value: str) -> str | None:
    """Which shape of a paper's number ``value`` has, or ``None``."""
    return next((k for k, p in _NUMBER_SHAPES.items() if p.fullmatch(value)), None)


def is_number(value: str) -> bool:
    return number_shape(value) is not None


def _number_from_field(
    reading: Reading, result_type: ResultType | None, header_texts: list[str]
) -> None:
    """The paper's number from its type's number field (the catalog's
    ``number_fallback``: a land-use certificate's "Số vào sổ cấp GCN: CS01234", a
    household business code), where the header's "Số:" is
    missing or malformed; the two checked against each other when they have one shape.

    Some papers print a number of their own in the header ("Số: 273/1995/ĐKHKD") beside
    the code: that one is kept. Two readings of the same shape that differ are one
    number misread (``number_mismatch``).
    """
    names = result_type.number_fallback if result_type else ()
    field_value = next((reading.fields[n] for n in names if n in reading.fields), None)
    if field_value is None:
        return
    fused = next(
        (
            value
            for printed in header_texts
            if (value := fuse_readings(printed, field_value.raw or field_value.value))
        ),
        None,
    )
    if fused is not None:
        # Both readings damaged, at different places ("Số: 79:3398141I" in the header,
        # "Mã số hộ kinh doanh: 79E339§1411" in the body): together they spell one number,
        # which two readings confirm.
        reading.document_number = Value(fused, field_value.confidence, field_value.raw)
        reading.number_agrees = True
        return
    if not is_number(field_value.value):
        repaired = _in_format(field_value.value, result_type)
        if repaired is not None and reading.document_number is None:
            # Read with look-alike letters where the regulation's format prints figures
            # ("CS62BB2"): the figures it stands for, a guess for an officer.
            reading.document_number = Value(
                repaired, field_value.confidence, field_value.raw or field_value.value,
                guessed=True)
        return
    header = reading.document_number
    if header is not None and is_number(header.value):
        if header.value != field_value.value and (
            number_shape(header.value) == number_shape(field_value.value)
        ):
            reading.number_conflict = True
        reading.number_agrees = header.value == field_value.value and header is not field_value
        return
    reading.document_number = Value(field_value.value, field_value.confidence, field_value.raw)


# Letters OCR reads for figures ("B" for 8 in "CS62BB2"), taken for them only where a
# regulation's format prints figures (``_in_format``).
_FIGURE_LOOKALIKES = {**DIGIT_LOOKALIKES, "B": "8", "S": "5", "Z": "2", "G": "6"}


def _in_format(value: str, result_type: ResultType | None) -> str | None:
    """``value``, a number field read off its regulation's format (the type's
    ``number_formats``: "CS" and five figures), in that format once the look-alike letters
    standing where it prints figures are read as those figures ("CS62BB2" → "CS62882");
    ``None`` when no way, or more than one, fits."""
    if result_type is None:
        return None
    fits = {
        candidate
        for pattern in result_type.number_formats.values()
        for at in range(len(value) + 1)
        if pattern.fullmatch(
            candidate := value[:at] + "".join(_FIGURE_LOOKALIKES.get(c, c) for c in value[at:])
        )
        and candidate != value
    }
    return fits.pop() if len(fits) == 1 else None


# A header line that holds nothing but a number, or a label's last word and a colon before it
# ("229/GPXD" with "Số:" lost; "doanh: 10H33264233" with "Mã số hộ kinh" torn off above).
_UNLABELLED_NUMBER = re.compile(r"^[\W_]*(?:[^\W\d_]+\s*[:;]\s*)?([0-9A-ZĐ/\-]+?)[\W_]*$")


def _shape_of_type(value: str, result_type: ResultType) -> bool:
    """``value`` has a shape only this type's number takes: number[/year]/symbol with the
    type's own symbol, or the household business code its fallback field holds."""
    shape = number_shape(value)
    if shape == "decree" and "/" in value:
        return value.rsplit("/", 1)[1] in result_type.number_symbols
    return shape == "business_code" and "household_business_code" in result_type.number_fallback


def _number_unlabelled(lines: list[Line], result_type: ResultType | None) -> Value | None:
    """The paper's number where its label was lost or torn: a header line holding only a
    value of the type's own number shape. Found without its label it is always a guess
    (``number_format``, an officer confirms it): a second line holding the same value is
    most likely the page's reading repeating a line (a re-read piece spliced back), not a
    second, independent reading, so it confirms nothing. Two different such values give
    nothing."""
    if result_type is None:
        return None
    found: list[Value] = []
    for line in lines[:HEAD_LINES]:
        match = _UNLABELLED_NUMBER.match(line.text)
        if match and _shape_of_type(match.group(1), result_type):
            confidence = line.confidence(match.start(1), match.end(1))
            found.append(Value(match.group(1), confidence, match.group(1)))
    if not found or len({v.value for v in found}) > 1:
        return None
    return dataclasses.replace(found[0], guessed=True)


def _symbol_of_type(reading: Reading, result_type: ResultType | None) -> None:
    """A number ending in a symbol its type prints ("…/GPXD" on a construction permit,
    typed from its title): the symbol's letters are confirmed by the title, read apart from
    them. A slash put back before such a symbol ("2541IGPXD", "282 KS") is then no guess:
    the letter or space OCR read for it stands between the digits and the very symbol the
    paper prints, where the template prints the slash."""
    number = reading.document_number
    if result_type is None or number is None or "/" not in number.value:
        return
    head, symbol = number.value.rsplit("/", 1)
    if symbol not in result_type.number_symbols:
        if symbol == symbol.upper() or symbol.upper() not in result_type.number_symbols:
            return
        # A letter of the type's symbol read in small case ("185/2026/kS"): symbols are
        # printed in capitals, so the case is the slip; the letters are the type's, which
        # the title confirms as it does a symbol read in capitals.
        number = dataclasses.replace(number, value=f"{head}/{symbol.upper()}")
        reading.document_number = number
    reading.symbol_of_type = True
    if number.guessed and number.slash_restored:
        reading.document_number = dataclasses.replace(number, guessed=False)


def _symbol_lost(reading: Reading, result_type: ResultType | None) -> None:
    """Digits alone where the type's template prints number/symbol: the symbol was lost
    (to OCR, a seal, a fold), and the digits alone name another paper. They are kept as a
    guess for an officer (``number_format``), not as the paper's number."""
    number = reading.document_number
    if result_type and result_type.number_symbol and number and number.value.isdigit():
        reading.document_number = dataclasses.replace(number, guessed=True)


def _number_off_format(reading: Reading, result_type: ResultType | None) -> None:
    """A number taken from a field whose format a regulation sets (the type's
    ``number_formats``: a land-use certificate's register entry, "CS" and five figures)
    but read in another ("CS3391", a figure lost): the shape alone ("CS" and figures)
    cannot tell it from the paper's number, the count of figures can. It is kept as a
    guess for an officer (``number_format``), as a number that lost its symbol is."""
    number = reading.document_number
    if result_type is None or number is None:
        return
    for name, pattern in result_type.number_formats.items():
        value = reading.fields.get(name)
        if value is not None and value.value == number.value and not pattern.fullmatch(
            number.value
        ):
            reading.document_number = dataclasses.replace(number, guessed=True)
            return


@dataclass
class _Dateline:
    value: Value | None = None
    invalid: bool = False
    conflict: bool = False  # another "<place>, ngày …" line gives a different date


def _dateline(lines: list[Line]) -> _Dateline:
    """The last "<place>, ngày … tháng … năm …" line: the body can quote a dated request
    in the same form ("Xét đơn … của bà X, ngày 12 tháng 5 năm 2021") before the
    signature's dateline. Candidates that disagree are reported, not settled silently.
    """
    candidates: list[tuple[Value | None, bool]] = []
    for line in lines:
        folded = fold_aligned(line.text)
        match = _DATELINE.match(folded)
        if match and "sinh" not in folded[: match.end()]:
            value, invalid = _date_value(line, match.start(), len(line.text))
            if value is not None or invalid:
                candidates.append((value, invalid))
    if not candidates:
        return _Dateline(_torn_dateline(lines))
    value, invalid = candidates[-1]
    dates = {v.value for v, _ in candidates if v is not None}
    return _Dateline(value, invalid, len(dates) > 1)


# A dateline whose place and day word were torn off, or left on the line above ("Vĩnh" /
# "20 tháng 9 năm 2025", "Kon †" / "ày 25 tháng 12 năm 2007"): the worded date alone on its
# line, at most a torn piece of "ngày" (not the whole word, which a body date wrapped onto
# its own line keeps: "… đến" / "ngày 20 tháng 9 năm 2025").
_TORN_DATELINE = re.compile(
    r"^\W*(?:(?!ngay\b)[a-z]{1,3}\s+)?(\d{1,2}\s+th[a-z]{2,4}\s+\d{1,2}\s+n[a-z]{1,3}\s+\d{4})\W*$"
)
# Where a dateline stands: above the signer's title, in the page's last lines.
DATELINE_LINES = 12


def _torn_dateline(lines: list[Line]) -> Value | None:
    """The issue date of a page with no whole dateline, from a torn one in its last lines
    (the latest there); ``None`` when there is none."""
    for line in reversed(lines[-DATELINE_LINES:]):
        found = _TORN_DATELINE.match(fix_digit_runs(fold_aligned(line.text)))
        if found is None:
            continue
        start, end = found.span(1)
        day, _, _ = find_date("ngày " + line.text[start:end])
        if day is None:
            return None
        read = line.text[start:end]
        return Value(day.isoformat(), line.confidence(start, end), read, line.words(start, end))
    return None


# A dateline whose comma was lost ("Phú Tha ngày 23 tháng 8 năm 2026"): a place of one to
# four words, then the worded date, and nothing after it.
_COMMALESS_DATELINE = re.compile(
    rf"^\W*((?:[a-z]+\s+){{0,3}}[a-z]+)\s+({DAY_WORD}.*\d{{4}})\W*$"
)


def _commaless_dateline(lines: list[Line], issuer: str) -> Value | None:
    """The issue date from a dateline that lost its comma, in the page's last lines, when
    its place is a place the header prints (within one edit: "Phú Tha" under "UBND TỈNH PHÚ
    THỌ"): the place and the agency are read apart, and their agreeing says the line is
    the signature's dateline, not a date of the body ("… cấp ngày …" has no place)."""
    header = fold_phrase(issuer).split()
    for line in reversed(lines[-DATELINE_LINES:]):
        folded = fold_aligned(line.text)
        found = _COMMALESS_DATELINE.match(folded)
        if found is None or "sinh" in folded:
            continue
        place = found.group(1).split()
        runs = {
            "".join(header[at : at + len(place)]) for at in range(len(header) - len(place) + 1)
        }
        if not any(distance("".join(place), run, 2) <= 1 for run in runs):
            return None
        value, _ = _date_value(line, found.start(2), len(line.text))
        return value
    return None


# Pieces of the motto that survive its second word being garbled ("CỘNG HC „n HỘI CHỦ
# NGHIA VIỆN NAM").
_MOTTO_PIECES = re.compile(r"(?<![a-z])(?:hoi chu nghia|chu nghia viet|doc lap)(?![a-z])")
# "Cộng" opening the motto, not a commune's name after its type word ("xã Cộng Hòa").
_MOTTO_OPENING = re.compile(r"(?<![a-z])(?<!xa )(?<!phuong )cong(?![a-z])")


# A line that opens with "Cộng hòa": no agency's line does (a commune of that name follows
# its "xã").
_MOTTO_LINE = re.compile(r"^\W*cong hoa(?![a-z])")


# The motto's words in order. A narrow page sets the motto beside the agency's column in
# pieces that tesseract reads as lines of the left column ("HÒA XÃ HỘI CHỦ" / "CỘNG" /
# "ỦNG VIỆT NAM" between "TỈNH PHÚ THỌ" and "UBND XÃ BÌNH XUYÊN", draw 22002 e0032): taken
# into the block, they leave it naming no unit.
_MOTTO_WORDS = MOTTO[0].split()
# A run of this many of the motto's words in its order is the motto's: no unit's name
# holds three of them so ("xã Cộng Hòa" holds two, after its type word).
_MOTTO_RUN = 3


def _motto_piece(folded: str) -> tuple[int, int] | None:
    """A header line that is a piece of the motto: a run of ``_MOTTO_RUN`` of its words in
    its order with at most one word besides (a letter or two the motto's neighbour left),
    or the motto's end "việt nam" with at most one word before it; the run's place in the
    motto (first word, word after its last). Shorter runs may be a unit's name ("CỘNG
    HÒA", "HÒA" of "THANH HÓA" wrapped) and stay in the block."""
    words = re.findall(r"[a-z]+", folded)
    longest, first = 0, 0
    for start in range(len(words)):
        for at in range(len(_MOTTO_WORDS)):
            size = 0
            while (
                start + size < len(words)
                and at + size < len(_MOTTO_WORDS)
                and words[start + size] == _MOTTO_WORDS[at + size]
            ):
                size += 1
            if size > longest:
                longest, first = size, at
    rest = len(words) - longest
    ends = first + longest == len(_MOTTO_WORDS) and words[-2:] == _MOTTO_WORDS[-2:]
    if rest <= 1 and (longest >= _MOTTO_RUN or (ends and longest >= 2)):
        return first, first + longest
    return None


def _motto_neighbour(folded: str, runs: list[tuple[int, int]]) -> bool:
    """A one-word line that is the motto's word right before or right after a piece of it
    on another line ("CỘNG" over "HÒA XÃ HỘI CHỦ", "NAM" under "CHỦ NGHĨA VIỆT"): the
    motto's too."""
    words = re.findall(r"[a-z]+", folded)
    return len(words) == 1 and any(
        (first > 0 and words[0] == _MOTTO_WORDS[first - 1])
        or (after < len(_MOTTO_WORDS) and words[0] == _MOTTO_WORDS[after])
        for first, after in runs
    )


def _before_motto(text: str) -> str:
    """The left column of a header line tesseract read together with the motto."""
    folded = fold_aligned(text)
    if _MOTTO_LINE.match(folded):
        # The motto's first line opening the line, its words interleaved with the second's
        # ("CỘNG HÒA Độc XÃ HỘI - CHỦ do - Hạnh NGHĨA phúc"): nothing of the agency's.
        return ""
    cut = min((i for m in MOTTO if (i := folded.find(m[:15])) >= 0), default=len(text))
    piece = _MOTTO_PIECES.search(folded)
    if piece and piece.start() < cut:
        # Only back to its "Cộng": a motto glued into the ward's name ("MỸ THUỘNG HÒA XÃ HỘI
        # …") is left whole for ``extract.places``, which cuts it inside the word.
        opening = _MOTTO_OPENING.search(folded, 0, piece.start())
        cut = opening.start() if opening else cut
    return " ".join(text[:cut].split())


# Letters whose capital is their small letter drawn larger: tesseract reads their case
# from the size alone and slips ("UBND XÃ UY Nỗ" for "NỖ"); so it does with Y under a
# mark, its tail aside ("HUYỆN TÂN Kỳ", draw 22004 e0009: the block cut before it named
# no unit).
_SAME_SHAPE_CASE = frozenset("cosuvwxyz")


# Capitals with an apostrophe between two of them: unit names of the Central Highlands
# ("huyện M'Đrắk", "huyện Ea H'Leo", "huyện Đắk R'Lấp") print so in a header.
_APOSTROPHE_NAME = re.compile(r"(\w+)['’](\w+)")


def _apostrophe_name(word: str) -> bool:
    found = _APOSTROPHE_NAME.fullmatch(word)
    return found is not None and all(
        unicodedata.category(c) == "Lu" for c in found.group(1) + found.group(2)
    )


def _capitals(word: str, after_capitals: bool) -> bool:
    """A word printed in capitals as OCR reads it: capitals, digits, "-" and "." only, or,
    after capital words on its line, a capital first and small letters after it that look
    like their capitals (alone, "Độc" opens the motto's second line)."""
    if all(unicodedata.category(c) in ("Lu", "Nd") or c in "-." for c in word):
        return True
    if _apostrophe_name(word):
        return True  # a Central Highlands name with its apostrophe ("M'ĐRẮK", "H'LEO")
    if fold_phrase(word) == "so":
        return False  # "Số" of the number printed on the agency's line
    if after_capitals and len(word) >= 3 and word[1:].isupper() and word[1:].isalpha():
        # Capitals but the first letter, read small ("UBND pHƯỜNG XUÂN LÂM"): no word of
        # the language is written so; cut there, the block would lose its ward and name
        # the ward's district as the issuer.
        return True
    return after_capitals and word[:1].isupper() and all(
        c.isupper() or unicodedata.normalize("NFD", c)[0] in _SAME_SHAPE_CASE for c in word[1:]
    )


def _agency_words(line: Line) -> tuple[str, tuple[tuple[str, float], ...]]:
    """The agency's words at the start of a header line, up to the first that is not one.

    Agency names are printed in capitals ("UBND PHƯỜNG 25", "UBND HUYỆN DIỄN CHÂU"); what
    OCR reads after them on the same baseline (a speck of the motto, a seal's edge,
    "‹ va", "Độc") is not.
    """
    text = _before_motto(line.text)
    kept: list[re.Match[str]] = []
    for match in re.finditer(r"\S+", text):
        word = match.group(0).strip(",._:;")  # a speck read as punctuation ("NAM:")
        if not word and not kept:
            # A speck or the rule's end read as a mark before the line (". HUYỆN BÙ ĐĂNG",
            # ": UBND XÃ NGHĨA BÌNH"): no word of the agency's, nor a reason to drop it.
            continue
        if not word or not _capitals(word, bool(kept)):
            break
        kept.append(match)
    if not kept:
        return "", ()
    start, end = kept[0].start(), kept[-1].end()
    return text[start:end].strip(" -_,."), line.words(start, end)


# A header line of one word this short, read this weakly, is a speck or a torn piece of
# the motto ("ỌC" of "Độc", "TT —"), not a line of the agency's block.
FRAGMENT_LETTERS = 2
FRAGMENT_CONFIDENCE = 60.0


def _fragment(text: str, words: tuple[tuple[str, float], ...]) -> bool:
    return (
        len(words) == 1
        # Letters, or letters and figures mixed ("G2" at 0 over the province's line): no
        # unit's name mixes them (a ward's number stands after its type word).
        and text.isalnum()
        and not text.isdigit()
        and len(text) <= FRAGMENT_LETTERS
        # Read clearly, a piece this short is the agency's only if it is a syllable ("XÃ"
        # split from its name); "NH", "TH" (a rule's or a seal's marks read as letters, at
        # 89-90) are no word of the language.
        and (
            words[0][1] < FRAGMENT_CONFIDENCE
            or not (is_syllable(text.lower()) or fold_phrase(text) in short_name_words())
        )
    )


def _header_lines(lines: list[Line], title_index: int | None) -> list[Line]:
    """The lines printed above the title: those before it in reading order, and those
    tesseract read after it though they stand above it on the page (a header block read
    as a paragraph of its own after the body: "PHÒNG TÀI CHÍNH - KẾ HOẠCH" under "UBND
    HUYỆN …"); a department's line lost that way leaves its committee as the issuer."""
    if title_index is None:
        return lines[:8]
    header = lines[:title_index]
    title = lines[title_index]
    if title.y0 is None:
        return header
    above = [
        ln
        for ln in lines[title_index + 1 :]
        if ln.page == title.page and ln.y0 is not None and ln.y0 < title.y0
    ]
    if not above:
        return header
    # Back in the order they are printed in, top to bottom (lines without boxes first).
    return sorted(header + above, key=lambda ln: -1 if ln.y0 is None else ln.y0)


_TITLE_OPENING = re.compile(r"^\W*(?:giay|phieu|trich luc|quyen su)(?![a-z])")


# A number's symbol alone: "GPXD", "/KH", "STP-LLTP".
_SYMBOL_ALONE = re.compile(r"/?[A-ZĐ]{2,}(?:-[A-ZĐ]+)*")


def _issuer(lines: list[Line], title_index: int | None) -> Value | None:
    """The agency in the header: left-column lines above the title, without the motto."""
    header = _header_lines(lines, title_index)
    motto_x = [
        ln.x0 for ln in header if fold_phrase(ln.text).startswith(MOTTO) and ln.x0 is not None
    ]
    left = min((ln.x0 for ln in header if ln.x0 is not None), default=None)
    if left is not None and motto_x and min(motto_x) <= left:
        motto_x = []  # the motto is not in a right-hand column: x says nothing here
    pieces: list[tuple[str, tuple[tuple[str, float], ...], str]] = []
    after_lone_so = False
    for line in header:
        folded = fold_phrase(line.text)
        # The number wrapped under a lone "Số:" ("Số:" / "52H65596148") is the paper's
        # number, read by ``_document_number``; in capitals and digits, it is no agency's.
        # So is its symbol alone, the digits lost ("Số:" / "GPXD"): capitals no syllable
        # spells, as no unit's name is.
        wrapped = re.sub(r"\s+", "", line.text.strip(" .,:"))
        wrapped_number = after_lone_so and (
            is_number(wrapped)
            or bool(_SYMBOL_ALONE.fullmatch(wrapped) and not is_syllable(wrapped.lower()))
        )
        after_lone_so = bool(_DOC_NUMBER_ALONE.match(fold_aligned(line.text)))
        if wrapped_number or not _before_motto(line.text) or _DOC_NUMBER.match(folded):
            continue
        if _DATELINE.match(folded) or not re.search(r"[a-z]", folded) or "ngay" in folded:
            continue
        if _TITLE_OPENING.match(folded):
            # The title, or a piece of it, read above where the title was found ("GIẤY
            # CHỨNG NHẬN" over "QUYỀN SỬ DỤNG ĐẤT, …"): no agency's name opens so.
            continue
        if motto_x and line.x0 is not None and line.x0 >= min(motto_x):
            continue
        text, line_words = _agency_words(line)
        if _fragment(text, line_words):
            continue
        if text:
            pieces.append((text, line_words, folded))
    runs = [run for _, _, folded in pieces if (run := _motto_piece(folded))]
    kept = [
        (text, line_words)
        for text, line_words, folded in pieces
        if not (runs and (_motto_piece(folded) or _motto_neighbour(folded, runs)))
    ]
    if kept:
        # The motto's pieces go when the agency's own lines are there; a block of nothing
        # else (the header lost) stays as read, for ``issuer_unmatched`` to hold the record.
        pieces = [(text, line_words, "") for text, line_words in kept]
    texts = [text for text, _, _ in pieces]
    words = [word for _, line_words, _ in pieces for word in line_words]
    if not texts:
        return None
    confidences = [c for _, c in words]
    return Value(" ".join(texts), min(confidences) if confidences else None, words=tuple(words))


def _term_months(folded: str) -> int | None:
    """Months of "trong thời hạn 12 tháng", in figures or in words ("sáu tháng")."""
    months = _TERM_MONTHS.search(folded)
    if months:
        return int(months.group(1))
    worded = _TERM_MONTH_WORDS.search(folded)
    return number_from_words(worded.group(1)) if worded else None


def _stated_term(lines: list[Line]) -> tuple[date | int | None, bool]:
    """The term the paper states, and whether it states one that could not be read.

    Read on the page's lines joined: printed terms wrap ("trong thời hạn 12 / tháng").
    Folding and digit repair keep lengths, so a match indexes the printed text too.
    """
    text = " ".join(line.text for line in lines)
    folded = fix_digit_runs(fold_aligned(text))
    months = _term_months(folded)
    if months:
        return months, False
    until = _TERM_DATE.search(folded)
    if until:
        # Only the words right after the phrase: further on stands the dateline.
        found, _, _ = find_date(text[until.start() : until.end() + 40])
        return found, found is None
    return None, _TERM_PHRASE.search(folded) is not None


# The signer's title closing the page ("PHÓ CHỦ TỊCH", "KT. GIÁM ĐỐC", "TRƯỞNG PHÒNG",
# "NGƯỜI KÝ GIẤY KHAI SINH") on a line of its own; under it stand the signer's name and seal.
SIGNER_TITLE = re.compile(
    r"^\W*(?:\w{1,3}\W{0,3}\s*)?(?:pho\s+)?(?:chu tich|giam doc|truong phong|nguoi ky[a-z ]*)\W*$"
)
SIGNER_LINES = 12  # the signature block sits in the page's last lines


def _signer_lines_start(body: list[Line]) -> int:
    """Where the lines under the signer's title begin, or the body's end: the signer's name
    printed there in capitals ("ÔNG KIM GIANG", the family name Ông) is nobody the paper
    is about, and read as a holder it would be a subject the page never states."""
    for index in range(len(body) - 1, max(-1, len(body) - SIGNER_LINES - 1), -1):
        if SIGNER_TITLE.match(fold_aligned(body[index].text)):
            return index + 1
    return len(body)


def best_readings(lines: list[Line]) -> dict[str, float]:
    """Each OCR word's letters (lower case, punctuation glued on left out) with the best
    confidence it was read at anywhere on the page."""
    best: dict[str, float] = {}
    for line in lines:
        for span in line.spans:
            word = line.text[span.start : span.end].strip(" .,:;-_").lower()
            if word:
                best[word] = max(best.get(word, 0.0), span.confidence)
    return best


def _below_title(before: list[Line], title: list[Line]) -> list[Line]:
    """Lines tesseract read before the title that stand below it on the page: the body's
    first lines read as a block of their own ahead of the title ("Họ, chữ đệm, tên người
    chết: …" read before "TRÍCH LỤC KHAI TỬ" printed above it). Header lines stand above the
    title; a line whose top is under the title's bottom is none of them."""
    boxes = [span.bbox for line in title for span in line.spans if span.bbox]
    if not boxes:
        return []
    page, bottom = title[-1].page, max(box[3] for box in boxes)
    return [ln for ln in before if ln.page == page and ln.y0 is not None and ln.y0 >= bottom]


def read_fields(
    lines: list[Line], result_type: ResultType | None, title_lines: tuple[int, int] | None
) -> Reading:
    """Read the header fields, the subjects and the type's own fields.

    ``title_lines`` ([start, end) of the title) separates the header from the body.
    """
    reader = _Reader(result_type)
    body = lines[title_lines[1] :] if title_lines else lines
    if title_lines:
        body = _below_title(lines[: title_lines[0]], lines[title_lines[0] : title_lines[1]]) + body
    body = body[: _signer_lines_start(body)]
    body = join_table_rows(body, reader.is_label, reader.role_of)
    title_index = title_lines[0] if title_lines else None
    for line in body:
        reader.read_line(line)
    reader.finish_words()
    reading = reader.reading
    reading.page = "\n".join(fold_phrase(line.text) for line in lines)
    reading.subjects = merge_same_person([s for s in reading.subjects if not s.empty()])
    _set_requester_apart(reading)
    reading.lines = [line.text for line in lines]
    reading.best_read = best_readings(lines)
    reading.document_number = _document_number(lines)
    _number_from_field(reading, result_type, _header_number_texts(lines))
    if reading.document_number is None:
        reading.document_number = _number_unlabelled(lines, result_type)
    _symbol_lost(reading, result_type)
    _symbol_of_type(reading, result_type)
    _number_off_format(reading, result_type)
    reading.issuer = _issuer(lines, title_index)
    dateline = _dateline(lines)
    if dateline.value is None and not dateline.invalid and reading.issuer is not None:
        dateline = _Dateline(_commaless_dateline(lines, reading.issuer.value))
    if dateline.invalid:
        reading.invalid_dates.append("issued_on")
    reading.dateline_conflict = dateline.conflict
    labelled = reading.fields.pop("issue_date_label", None)
    reading.issued_on = dateline.value or reading.fields.get(CHANGED_ON) or labelled
    for fallback in result_type.issued_on_fallback if result_type else ():
        if reading.issued_on is None and not (fallback.unless and fallback.unless in reading.page):
            reading.issued_on = reading.fields.get(fallback.field)
    if result_type and result_type.validity.rule == "stated_term":
        reading.stated_term, reading.term_unreadable = _stated_term(lines)
    return reading
