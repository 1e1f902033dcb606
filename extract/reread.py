"""A second reading of the lines where a doubted or missing header value's label sits.

When extraction misses the paper's number or issue date, or doubts the reading it made
(``missing``, ``low_confidence``, ``number_format``), the line where the value's label
sits — "Số: …" in the header, "<place>, ngày … tháng … năm …" — is located from the first
reading's word boxes (``requests``) and read again by the OCR, differently
(``ocr.reread``). The second reading's words take the place of the first's in that line
only, and the page is read by extraction again with its own parsers and checks
(``analyze``): the second reading is evidence under the same rules, nothing more.

A person's ID number or birth date set aside as ``unverified`` (read below what is kept
without other evidence) is read again the same way, on the line that holds it; so is a
name (a holder's, a parent's) doubted only for how its words were read (``NAME_DOUBTS``):
read the same and clearly the second time, the doubt is lifted.

What it may change (``decided``), value by value:

- the first reading and the second read the same value, and the second passes every
  check on that value: two readings agree, and the doubt that was only about how well
  the value was read (``low_confidence``, ``number_format``, ``unverified``) is lifted. A
  contradiction with another value (``number_year_mismatch``, ``date_mismatch``, an ID
  against its person's birth date) is never read again. A CCCD set aside as unverified
  for its serial alone (the birth year and sex read apart agree with what it encodes)
  comes back when the second reading spells the same twelve digits, though under 85
  there too (``id_read_twice``): the serial read twice alike is its second mention;
- the first reading read nothing (or a number or an ID malformed) and the second reads a value that
  passes the checks: the value is filled but stays for an officer to confirm
  (``second_reading:<field>``): one reading, however clean, is a guess — unless the first
  reading spelled that very date with look-alike letters for its figures ("tháng II"):
  then the two agree figure for figure (``read_alike_date``); or the page prints that
  very date elsewhere ("đến ngày 05/06/2026" closing a residence period on the day of
  issue, ``printed_dates``): a second mention, read apart from the dateline;
- a name whose mentions differ in their marks (``name_mismatch``) has every line holding
  a mention read again: all read alike as the name kept, one clearly and none weakly
  (``mentions_read_clearly``), the slip was one mention's first reading;
- the two disagree, or the second fails a check: the first reading stands as it was.
"""

from __future__ import annotations

import enum
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from PIL import Image

from extract.analyze import ISSUER_CODES, ISSUER_FROM, ISSUER_PRINTED, Extraction
from extract.checks import (
    CLEAN_CORROBORATED_MIN,
    DEFAULT_THRESHOLDS,
    FIGURE_DATE_MIN,
    NUMBER_UNCONFIRMED,
)
from extract.fields import HEAD_LINES
from extract.ids import ID_PROBLEMS, id_problems
from extract.lines import Line, lines_from_words
from extract.text import clean_digits, find_date, split_figure
from ocr.base import Word
from ocr.reread import MARGIN, LineModel, LineReading, LineRequest, Preparation
from records.folding import fold_aligned, fold_phrase
from records.model import ReviewReason, Subject
from records.result_types import cached_result_types


class Field(enum.Enum):
    """A value a second reading may be asked for: the paper's number and issue date, a
    person's ID number and birth date, a person's name (a holder's, a parent's)."""

    NUMBER = "document_number"
    ISSUED_ON = "issued_on"
    ID_NUMBER = "id_number"
    BIRTH_DATE = "birth_date"
    NAME = "name"


# The reasons that say a value was read poorly or not at all: a second reading answers them.
# Contradictions between two values (``number_year_mismatch``, ``date_mismatch``,
# ``dateline_conflict``, ``number_mismatch``, an ID against a birth date) are left to an
# officer.
READING_DOUBTS = ("missing", "low_confidence", "number_format", NUMBER_UNCONFIRMED)
# A person's ID or birth date read, but below what is kept without other evidence
# (``checks.UNCORROBORATED_MIN``): set aside in ``doubts``, not on the person.
UNVERIFIED = "unverified"
# The reason a value filled from the second reading alone carries.
SECOND_READING = "second_reading"  # described in extract.review
_SUBJECT_PATH = re.compile(r"subjects\[(\d+)\]\.(id_number|birth_date)")
ID_FORMAT = "id_format"
# The doubts over a name that are only about how its words were read: a word read weakly
# (``low_confidence``), a word whose marks were read weakly and spell another usual name
# too ("CHI" at 75: Chi or Chí, ``name_unconfirmed``), a family name whose marks were
# supplied ("Ngưyễn" → Nguyễn, ``name_guessed``). A second reading of the line
# that reads the same name clearly answers them; a rare spelling read clearly, a name
# that is no Vietnamese spelling, or two mentions that differ are left to an officer
# (the second reading's own checks keep those reasons, and then nothing changes).
NAME_DOUBTS = frozenset({"low_confidence", "name_unconfirmed", "name_guessed"})
# Two mentions of one name read with different marks ("NGHIÊM KHÁNH THỢ," in the requester
# line, "NGHIÊM KHÁNH THƠ" under the label): every line holding a mention is read again,
# and the doubt is lifted only when the second reading reads every mention alike, as the
# name kept (so the kept mention is read the same twice), one of them clearly
# (``NAME_CLEAR``) and none weakly (the names' own threshold): the slip was in the other
# mention's first reading. Still differing, or read weakly, the officer decides.
NAME_MISMATCH = "name_mismatch"
# Weak marks read alike twice are one engine's one doubt, not an agreement
# (``checks.NAME_MARKS_MIN``). The other mentions may carry punctuation glued to the name
# ("THƠ," at 84), which tesseract's word confidence counts in.
NAME_CLEAR = 85.0
_NAME_PATH = re.compile(r"subjects\[(\d+)\]\.name|fields\.(\w+)")


@dataclass(frozen=True)
class Wanted:
    """A value to read again: where the record keeps it, and the first reading's value
    (the record's, or the one set aside as unverified; None when nothing was read)."""

    field: Field
    path: str
    read_as: str | None
    subject: int | None = None
    # Read as no value of its kind can be (an ID of 11 digits, a number "1431!IGPXD").
    malformed: bool = False
    # A number lost from the header but read, malformed, in the type's number field
    # ("Số vào sổ cấp GCN: C§S73557"): that field's reading, whose line is read again.
    field_read: str | None = None
    mentions: bool = False  # a name whose mentions differ: every line holding one is read
    # A person's ID the page labels ("Số CCCD:", "Căn cước công dân số") but no reading
    # kept: its label's line is read again (``lost_id``).
    lost: bool = False
    kept_ids: tuple[str, ...] = ()  # with ``lost``: the IDs the page's other people keep


def _reasons(extraction: Extraction) -> list[ReviewReason]:
    return [ReviewReason.parse(r) for r in extraction.review_reasons]


def wanted(extraction: Extraction) -> list[Wanted]:
    """The values whose only doubts are about how they were read."""
    reasons = _reasons(extraction)
    out = []
    for header in (Field.NUMBER, Field.ISSUED_ON):
        codes = {r.code for r in reasons if r.path == header.value}
        if codes and codes <= set(READING_DOUBTS) and header.value not in extraction.given:
            read_as = getattr(extraction, header.value)
            out.append(Wanted(header, header.value, read_as,
                              malformed="number_format" in codes,
                              field_read=_number_field_read(extraction)
                              if header is Field.NUMBER and read_as is None else None))
    # Each person's unverified ID and birth date, paired with the reading set aside for it:
    # cross-checks set them aside person by person, in the order of the reasons.
    set_aside = {Field.ID_NUMBER: list(extraction.doubts.unverified_id_numbers),
                 Field.BIRTH_DATE: list(extraction.doubts.unverified_birth_dates)}
    for reason in reasons:
        if reason.code in ID_PROBLEMS and set_aside[Field.ID_NUMBER]:
            read_as = set_aside[Field.ID_NUMBER].pop(0)
            subject = int(reason.path[9:-1]) if reason.path else None
            about = [r for r in reasons if r.path in (reason.path, f"{reason.path}.id_number")]
            if reason.code == ID_FORMAT and subject is not None and len(about) == 1:
                # Neither a CMND's 9 digits nor a CCCD's 12: a reading problem, not one of
                # the ID against its person (those are left to an officer).
                out.append(Wanted(Field.ID_NUMBER, f"{reason.path}.id_number", read_as,
                                  subject, malformed=True))
            continue
        found = _SUBJECT_PATH.fullmatch(reason.path or "")
        subject = int(found.group(1)) if found else None
        where = f"subjects[{subject}]" if found else ""
        f = Field(found.group(2)) if found else None
        about = [r for r in reasons if r.path in (reason.path, where)]
        if f is None or not set_aside[f] or reason.path in extraction.given:
            continue
        read_as = set_aside[f].pop(0)
        if reason.code == UNVERIFIED and len(about) == 1:
            out.append(Wanted(f, reason.path or "", read_as, subject))
    for path in dict.fromkeys(r.path for r in reasons if r.path and _NAME_PATH.fullmatch(r.path)):
        codes = {r.code for r in reasons if r.path == path}
        name = name_at(extraction, path)
        if name and codes <= NAME_DOUBTS and path not in extraction.given:
            out.append(Wanted(Field.NAME, path, name))
        elif (name and NAME_MISMATCH in codes and codes <= NAME_DOUBTS | {NAME_MISMATCH}
              and path not in extraction.given):
            out.append(Wanted(Field.NAME, path, name, mentions=True))
    return out


def lost_id(extraction: Extraction, reasons: list[ReviewReason]) -> Wanted | None:
    """The ID of the one person of the page who has none, nothing said about it (no reason
    on that person, nothing set aside): where the page labels an ID, the value the first
    reading lost ("SốCCCD: 004206662441", the label read glued; "Căn cước công dân số
    06()17-4164629" read at 7), its line read again. Only one person without an ID: with
    more, which one the line is of is the analysis's to say, not a vote's."""
    missing = [k for k, person in enumerate(extraction.subjects) if person.id_number is None]
    if len(missing) != 1 or extraction.doubts.unverified_id_numbers:
        return None
    index = missing[0]
    path = f"subjects[{index}].id_number"
    if path in extraction.given or any(
            r.path in (path, f"subjects[{index}]") for r in reasons):
        return None
    kept = tuple(p.id_number for p in extraction.subjects if p.id_number)
    return Wanted(Field.ID_NUMBER, path, None, index, lost=True, kept_ids=kept)


def _number_field_read(extraction: Extraction) -> str | None:
    """The type's number field as read (``number_fallback``), when it holds no number."""
    result_type = cached_result_types().get(extraction.doc_type or "")
    names = result_type.number_fallback if result_type else ()
    return next((extraction.fields[n] for n in names if extraction.fields.get(n)), None)


def speck_free_format(first: str, second: str, doc_type: str | None) -> bool:
    """Whether a number field the first reading read with a mark inside it ("C§S73557")
    reads, marks (neither letter nor figure) taken out, what the second reading gave, in
    the format a regulation sets for the field ("CS73557": "CS" and five figures). The two
    readings agree on every letter and figure, and the format leaves no room for the mark
    to have been a figure of its own ("C8S…" is no register entry)."""
    result_type = cached_result_types().get(doc_type or "")
    if result_type is None or first == second:
        return False
    kept = "".join(ch for ch in first if ch.isalnum())
    return kept == second and any(
        pattern.fullmatch(second) for pattern in result_type.number_formats.values())


def name_at(extraction: Extraction, path: str) -> str | None:
    """The name the record keeps at ``path`` ("subjects[0].name", "fields.father_name")."""
    found = _NAME_PATH.fullmatch(path)
    if found is None:
        return None
    if found.group(1) is not None:
        index = int(found.group(1))
        return extraction.subjects[index].name if index < len(extraction.subjects) else None
    return extraction.fields.get(found.group(2))


# "Số" opening a header line, as the number's parser reads it and looser: "S6:", "Sô",
# "Sẽ:" — the label's letter S, one vowel (or a 6/0) and the colon or the number.
_NUMBER_LABEL = re.compile(
    r"^\W{0,3}(?:[s§$]\s?[a-z0-9]?\s?['’‘`]?\s*(?:[:;.]|(?=\d))|[s5]\s?[o06]\s?['’‘`]?\s*[:;])"
)
# A dateline's date, however damaged: its month word and year word with something between
# ("ngày ( thủng J0 năm 2024", "ngay 5 thang 1O nam 2O2l"), or "ngày" after the place's comma.
_DATE_WORDS = re.compile(r"(?<![a-z])th\w{2,4}\W+\S{1,3}\W+n\w{1,3}\W+\S{2,5}")
_DAY_AFTER_PLACE = re.compile(r"[,.]\s*n\w{1,3}\s+\W{0,2}[0-9oqdli|!]")
_SINH = re.compile(r"(?<![a-z])sinh(?![a-z])")
# The box is carried this many line heights past the line's last word (at most, and never
# onto the next word on the same row: a column beside it): a value OCR read nothing of
# leaves no word there.
REACH_HEIGHTS = 3.0


@dataclass(frozen=True)
class Target:
    """A line to read again for a wanted value: which first-reading words it replaces."""

    wanted: Wanted
    request: LineRequest
    replaced: frozenset[int]  # indices in the page's words
    # Where the second reading's words go in the page's words (reading order): where the
    # replaced words were.
    insert_at: int = 0
    first_text: str = ""  # the replaced words as first read, left to right


def _page_lines(words: list[Word], page: int) -> list[tuple[Line, list[int]]]:
    """The page's lines (as ``lines_from_words`` makes them) with their words' indices."""
    out = []
    keyed: dict[tuple[int, int, int], list[int]] = {}
    for i, w in enumerate(words):
        if w.text.strip():
            keyed.setdefault(w.line, []).append(i)
    lines = lines_from_words([words])
    # ``lines_from_words`` keeps the order of first appearance and splits columns from
    # the left: the same walk, pairing each piece with its words.
    at = 0
    for indices in keyed.values():
        ordered = sorted(indices, key=lambda i: words[i].bbox[0])
        taken = 0
        while taken < len(ordered) and at < len(lines):
            line = lines[at]
            count = len(line.spans)
            out.append((replace(line, page=page), ordered[taken: taken + count]))
            taken += count
            at += 1
    return out


def _row_box(words: list[Word], indices: list[int], left: float, right: float
             ) -> tuple[tuple[int, int, int, int], frozenset[int]]:
    """The box of the words ``indices`` carried ``left`` and ``right`` line heights past
    them, never onto the next word of the same row (a column beside it), and the page's
    words it holds (which the second reading replaces)."""
    chosen = [words[i].bbox for i in indices]
    x0, y0 = min(b[0] for b in chosen), min(b[1] for b in chosen)
    x1, y1 = max(b[2] for b in chosen), max(b[3] for b in chosen)
    height = y1 - y0
    row = [w.bbox for i, w in enumerate(words)
           if i not in indices and w.text.strip() and w.bbox[1] < y1 and w.bbox[3] > y0]
    after = [b[0] for b in row if b[0] >= x1]
    before = [b[2] for b in row if b[2] <= x0]
    reach_right = min([x1 + round(right * height), *(a - height // 2 for a in after)])
    reach_left = max([x0 - round(left * height), *(b + height // 2 for b in before)])
    box = (min(x0, max(0, reach_left)), y0, max(x1, reach_right), y1)
    inside = frozenset(
        i for i, w in enumerate(words)
        if w.text.strip() and box[0] <= (w.bbox[0] + w.bbox[2]) / 2 <= box[2]
        and y0 <= (w.bbox[1] + w.bbox[3]) / 2 <= y1)
    return box, inside | frozenset(indices)


def _number_target(lines: list[tuple[Line, list[int]]], words: list[Word], page: int,
                   want: Wanted) -> Target | None:
    """The header's "Số:" line; else, for a number read elsewhere (the type's number field:
    "Số vào sổ cấp GCN: CS64031"), the line that holds it. A "Số" line that does not hold
    the number's figures as first read — the "Số 171 …" opening an address on a paper
    numbered by its register entry — is passed over for the line that holds the number,
    when one does (``line_holds_figures``)."""
    if not want.read_as and want.field_read:
        # The header printed no number or lost it; the type's field holds one, malformed:
        # its line, not a "Số" opening an address ("Số 234 Hùng Vương").
        holding = _holding(lines, words, page, replace(want, read_as=want.field_read))
        if holding is not None:
            return replace(holding, wanted=want)
    label: Target | None = None
    for line, indices in lines[:HEAD_LINES]:
        if _NUMBER_LABEL.match(fold_aligned(line.text)):
            box, replaced = _row_box(words, indices, 0.0, REACH_HEIGHTS)
            label = Target(want, LineRequest(page, box), replaced, min(replaced))
            if not want.read_as or line_holds_figures(want.read_as, line.text):
                return label
            break
    return _holding(lines, words, page, want) or label


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _holding(lines: list[tuple[Line, list[int]]], words: list[Word], page: int,
             want: Wanted) -> Target | None:
    """The first line that holds the value as first read (an ID's digits, a birth date's
    date, a number as printed)."""
    if not want.read_as:
        return None
    for line, indices in lines:
        if _holds(want, line.text):
            box, replaced = _row_box(words, indices, 0.0, 0.5)
            return Target(want, LineRequest(page, box), replaced, min(replaced))
    return None


def _holds(want: Wanted, text: str) -> bool:
    """Whether ``text`` holds ``want``'s value as first read (``want.read_as`` given)."""
    read_as = want.read_as or ""
    if want.field is Field.BIRTH_DATE:
        day = find_date(text)[0]
        return day is not None and day.isoformat() == read_as
    if want.field is Field.ID_NUMBER:
        return clean_digits(read_as) in clean_digits(text)
    if want.field is Field.NAME:
        # Printed in capitals, kept in title case with marks restored: the letters.
        return _compact(fold_phrase(read_as)) in _compact(fold_phrase(text))
    return _compact(read_as) in _compact(text)


# An ID's label as folded: "Số CCCD", "Căn cước công dân số", "CMND", "Chứng minh nhân dân
# số", "Số định danh cá nhân" (glued or not).
_ID_LABEL = re.compile(r"c\s?c\s?c\s?d|cmnd|can\s?cuoc|chung\s?minh|dinh\s?danh")


def _id_label_target(lines: list[tuple[Line, list[int]]], words: list[Word], page: int,
                     want: Wanted) -> Target | None:
    """The first line labelling an ID that holds none of the IDs other people keep,
    carried right past its last word (a value read as nothing leaves no word there)."""
    for line, indices in lines:
        if not _ID_LABEL.search(fold_aligned(line.text)):
            continue
        digits = clean_digits(_compact(line.text))
        if any(kept in digits for kept in want.kept_ids):
            continue
        box, replaced = _row_box(words, indices, 0.0, REACH_HEIGHTS)
        return Target(want, LineRequest(page, box), replaced, min(replaced))
    return None


def _date_target(lines: list[tuple[Line, list[int]]], words: list[Word], page: int,
                 want: Wanted) -> Target | None:
    """The last line that looks like a dateline's date, however damaged, read whole: the
    day's part may have been torn onto a piece of its own to the left ("…, ngày 05" /
    "tháng 5 năm 2012"), so the box reaches left as well."""
    for line, indices in reversed(lines):
        folded = fold_aligned(line.text)
        found = _DATE_WORDS.search(folded) or _DAY_AFTER_PLACE.search(folded)
        if found is None or _SINH.search(folded[: found.start() + 8]):
            continue  # none, or "Ngày, tháng, năm sinh": a birth date's label
        # A labelled date ("Ngày, tháng, năm đăng ký: 30/1 1/2026"): the label read well
        # stays as read, the value after its colon is read again (read whole, the label
        # came back garbled: "-Nsấy, tháng, …"). A dateline is read whole.
        colon = next((k for k, span in enumerate(line.spans)
                      if line.text[span.start:span.end].endswith(":")), None)
        if colon is not None and colon + 1 < len(indices):
            box, replaced = _row_box(words, indices[colon + 1:], 0.0, REACH_HEIGHTS)
        else:
            box, replaced = _row_box(words, indices, DAY_REACH_HEIGHTS, REACH_HEIGHTS)
        return Target(want, LineRequest(page, box), replaced, min(replaced))
    return None


# How far left a date's line is carried for a day torn off it: "…, ngày 05 " is some
# six line heights wide.
DAY_REACH_HEIGHTS = 6.0


def requests(extraction: Extraction, words: list[list[Word]]) -> list[Target]:
    """The lines to read again for the values ``wanted`` says and a person's ``lost_id``,
    each on the first page that has one (the header's "Số:" in its first lines, the last
    dateline, the line holding a person's value as first read, the ID's label's line).
    Two values on one line (a CCCD and a birth date) share its request."""
    out: list[Target] = []
    lost = lost_id(extraction, _reasons(extraction))
    for want in [*wanted(extraction), *([lost] if lost is not None else [])]:
        if want.mentions:
            out += _mention_targets(want, words)
            continue
        for page, page_words in enumerate(words):
            lines = _page_lines(page_words, page)
            locate = (_number_target if want.field is Field.NUMBER
                      else _date_target if want.field is Field.ISSUED_ON
                      else _id_label_target if want.lost else _holding)
            found = locate(lines, page_words, page, want)
            if found is not None:
                read = sorted(found.replaced, key=lambda i: page_words[i].bbox[0])
                out.append(replace(found,
                                   first_text=" ".join(page_words[i].text for i in read)))
                break
    return out


def _mention_targets(want: Wanted, words: list[list[Word]]) -> list[Target]:
    """Every line on every page that holds a mention of the name ``want`` is about."""
    out = []
    name = _compact(fold_phrase(want.read_as or ""))
    for page, page_words in enumerate(words):
        for line, indices in _page_lines(page_words, page):
            if name and name in _compact(fold_phrase(line.text)):
                box, replaced = _row_box(page_words, indices, 0.0, 0.5)
                read = sorted(replaced, key=lambda i: page_words[i].bbox[0])
                out.append(Target(want, LineRequest(page, box), replaced, min(replaced),
                                  " ".join(page_words[i].text for i in read)))
    return out if len(out) > 1 else []


def value_span(target: Target, words: list[list[Word]]) -> Target:
    """``target`` cut to the words of its line that hold its value, for the line model
    (``second_reading``): the model's cost grows with the crop's width (one CTC frame per
    four pixels of the line brought to 32 rows), and what it reads of the label and of the
    line's other values ("Ông: NGUYỄN GIA THUẬN, năm sinh: 1957, Số CCCD: …" for the ID
    at its end) counts for nothing: the votes are over the value. The words left out stay
    as first read. The value's words are the fewest that hold it as first read (an ID's
    digits, a name's letters, a birth date, a number), reaching to the box's end when they
    end the line (a figure the first reading lost after them); a dateline's date is what
    follows its place's comma ("Bình Phước, ngày … năm 2024"). A value nothing was read
    for (lost, missing) keeps the whole line."""
    page_words = words[target.request.page]
    order = sorted(target.replaced, key=lambda i: page_words[i].bbox[0])
    span = _value_words(target.wanted, [page_words[i].text for i in order])
    if span is None or span == (0, len(order)):
        return target
    first, end = span
    kept = order[first:end]
    _, y0, x1, y1 = target.request.box
    # ``ocr.reread.line_crop`` widens the box by its margin on each side: the crop's edge
    # is put halfway between the value's word and its neighbour's.
    margin = round(MARGIN * (y1 - y0))
    left = page_words[kept[0]].bbox[0]
    if first > 0:
        left = min(left, round((page_words[order[first - 1]].bbox[2] + left) / 2) + margin)
    right = x1
    if end < len(order):
        right = page_words[kept[-1]].bbox[2]
        right = max(right, round((page_words[order[end]].bbox[0] + right) / 2) - margin)
    return replace(target, request=replace(target.request, box=(left, y0, right, y1)),
                   replaced=frozenset(kept), insert_at=min(kept),
                   first_text=" ".join(page_words[i].text for i in kept))


def _value_words(want: Wanted, texts: list[str]) -> tuple[int, int] | None:
    """The run ``[first, end)`` of a line's words (left to right) that holds ``want``'s
    value (``value_span``); None where it is not found."""
    if want.field is Field.NAME:
        # A name read alone comes back in small letters, its last word weakly ("BÙI TUYẾT
        # CHI," at 90 in its line, "CHI," at 58 cut out: dev e0042): read in its line.
        return None
    if want.lost:
        return _after_id_label(texts)
    if want.field is Field.ISSUED_ON:
        commas = [k for k, text in enumerate(texts) if text.endswith(",")]
        if not commas or not _DATE_WORDS.search(fold_aligned(" ".join(texts[commas[-1] + 1:]))):
            return None
        return commas[-1] + 1, len(texts)
    if not want.read_as:
        return None
    for size in range(1, len(texts) + 1):
        for first in range(len(texts) - size + 1):
            if _holds(want, " ".join(texts[first:first + size])):
                return first, first + size
    return None


def _after_id_label(texts: list[str]) -> tuple[int, int] | None:
    """The words after a line's last ID label ("… Căn cước công dân số 06()17-4164629":
    the last word), the label's last words and colon passed; None when nothing follows."""
    labels = list(_ID_LABEL.finditer(fold_aligned(" ".join(texts))))
    if not labels:
        return None
    # Where each word starts in the line's text (one space between words).
    starts = itertools.accumulate((len(text) + 1 for text in texts), initial=0)
    first = next((k for k, at in enumerate(starts) if at >= labels[-1].end()), len(texts))
    while first < len(texts) and _LABEL_TAIL.fullmatch(fold_aligned(texts[first])):
        first += 1
    return (first, len(texts)) if first < len(texts) else None


# The words of an ID's label after what ``_ID_LABEL`` matches ("… minh nhân dân số",
# "… cước công dân số:", "… danh cá nhân"), and a colon.
_LABEL_TAIL = re.compile(r"\W*(?:so|cong|dan|nhan|ca)?\W*")


def mentions_read_clearly(name: str, readings: list[LineReading]) -> bool:
    """Whether each line read again holds the name (folded) in words read at the names'
    threshold or more, and one of them in words read at ``NAME_CLEAR`` or more. (That
    they spell it alike is the second analysis's ``name_mismatch`` gone.)"""
    target = [fold_phrase(w) for w in name.split()]
    weakest = []
    for reading in readings:
        words = [w for w in reading.words if w.text.strip()]
        folded = [fold_phrase(w.text).strip(" .,:;") for w in words]
        runs = [min(w.confidence for w in words[k:k + len(target)])
                for k in range(len(words) - len(target) + 1)
                if folded[k:k + len(target)] == target]
        if not runs:
            return False
        weakest.append(max(runs))
    return (bool(weakest) and min(weakest) >= DEFAULT_THRESHOLDS["name"]
            and max(weakest) >= NAME_CLEAR)


# Block numbers of a second reading's words: apart from any the page reading gives.
SECOND_BLOCKS = 900_000


def with_readings(words: list[list[Word]], readings: list[tuple[Target, LineReading]]
                  ) -> list[list[Word]]:
    """``words`` with each target's first-reading words replaced by its second reading's,
    where the first line stood: on that line when some of its words are left (the place
    before a dateline's date keeps its reading), else on a line of their own."""
    removed: dict[int, set[int]] = {}
    inserted: dict[tuple[int, int], list[Word]] = {}
    for k, (target, reading) in enumerate(readings):
        page = target.request.page
        if not reading.words:
            continue
        original = words[page]
        at = target.insert_at
        keys = {original[i].line for i in target.replaced}
        left = [i for i, w in enumerate(original) if w.line in keys and i not in target.replaced]
        key = original[left[0]].line if left else (SECOND_BLOCKS + k, 0, 0)
        removed.setdefault(page, set()).update(target.replaced)
        inserted.setdefault((page, at), []).extend(replace(w, line=key) for w in reading.words)
    pages = []
    for page, original in enumerate(words):
        out: list[Word] = []
        for i in range(len(original) + 1):
            out += inserted.get((page, i), [])
            if i < len(original) and i not in removed.get(page, set()):
                out.append(original[i])
        pages.append(out)
    return pages


def _without(reasons: list[ReviewReason], path: str) -> list[ReviewReason]:
    return [r for r in map(ReviewReason.parse, reasons) if r.path != path]


# A figure as OCR reads it, look-alike letters for digits: "27", "II" for 11, "O5".
_FIGURE_WORD = re.compile(r"[0-9OoQDIli|!\]]{1,4}")


def read_alike_date(first_text: str, iso: str) -> bool:
    """Whether the first reading of a date's line spells, figure for figure, the date the
    second reading gave: its last figures are a day, a month and a year each one word
    apart ("27 tháng II năm 2014", "¬sày 5 tháng 5 năm 2012": the month and year words
    however read) and, look-alike letters read as the digits they stand for, are that
    date's. The two readings agree on every figure; a figure the first reading lost or
    read as something else ("J0", "0Š") agrees with nothing."""
    words = first_text.split()
    figures = [k for k, w in enumerate(words) if _FIGURE_WORD.fullmatch(w.rstrip(".,"))]
    if len(figures) < 3:
        return False
    day, month, year = figures[-3:]
    if (month, year) != (day + 2, day + 4) or words[day].endswith(","):
        return False  # not day, month word, month, year word, year ("Phường 5, ngày …")
    read = [int(clean_digits(words[k].rstrip(".,"))) for k in (day, month, year)]
    y, m, d = (int(part) for part in iso.split("-"))
    return read == [d, m, y]


_NUMBER_PARTS = re.compile(r"(\d+)(?:/(\d{4}))?/(.+)")


def read_alike_number(first: str, second: str, doc_type: str | None) -> bool:
    """Whether a number the first reading read malformed ("9471/STP-I.LTP", "1431!IGPXD")
    and the second read as "<digits>[/<year>]/<symbol>" agree on all but the symbol's
    damaged letters: the same digits open both (then no figure), the second's year stands
    in the first, and the second's symbol is one the paper's type prints — the title, read
    apart from the header, confirms its letters (``fields._symbol_of_type``). The digits
    are read twice alike and the letters confirmed: nothing is guessed."""
    parts = _NUMBER_PARTS.fullmatch(second)
    result_type = cached_result_types().get(doc_type or "")
    if parts is None or result_type is None:
        return False
    digits, year, symbol = parts.groups()
    opens = re.match(r"\d+", first)
    rest = first[len(digits):]
    # Something stood after the digits the first time (digits alone: the symbol, and a
    # year with it, were lost), and the year both readings give, if any, is the same.
    # (figures read as look-alike letters count: "2O26" is a year the second lost).
    same_year = year in rest if year else not re.search(r"[0-9OoQD]{2,}", rest)
    return (
        symbol in result_type.number_symbols
        and opens is not None
        and opens.group(0) == digits
        and bool(rest.strip())
        and same_year
    )


def printed_dates(pages_text: list[str], apart_from: str = "") -> set[str]:
    """Every whole date the pages print (ISO), on lines other than ``apart_from`` (the
    line read again): "đến ngày 05/06/2026", "Ngày, tháng, năm đăng ký: 20/09/2025"."""
    out: set[str] = set()
    for line in (ln for text in pages_text for ln in text.split("\n")):
        if apart_from and _compact(line) == _compact(apart_from):
            continue
        while line:
            day, span, _ = find_date(line)
            if span is None:
                break
            if day is not None:
                out.add(day.isoformat())
            line = line[span[1]:]
    return out


def decided(first: Extraction, second: Extraction, targets: list[Target],
            second_texts: dict[str, str] | None = None,
            dates_elsewhere: set[str] | None = None,
            clear_mentions: frozenset[str] = frozenset(),
            ids_read_twice: dict[str, float] | None = None) -> Extraction:
    """``first`` with what the second reading confirms or fills (see the module).
    ``second_texts``: per wanted path, the second reading's words of its line;
    ``dates_elsewhere``: the whole dates the page prints apart from the dateline
    (``printed_dates``); ``clear_mentions``: the paths of names whose every mention the
    second reading read clearly (``mentions_read_clearly``); ``ids_read_twice``: per path
    of an ID set aside as unverified, the confidence of the second reading's word that
    spells its very digits (``id_read_twice``)."""
    second_texts = second_texts or {}
    ids_read_twice = ids_read_twice or {}
    dates_elsewhere = dates_elsewhere or set()
    wants = [t.wanted for t in targets]
    first_texts = {t.wanted.path: t.first_text for t in targets}
    out = replace(first, review_reasons=list(first.review_reasons),
                  confidence=dict(first.confidence), subjects=list(first.subjects),
                  doubts=replace(first.doubts,
                                 unverified_id_numbers=list(first.doubts.unverified_id_numbers),
                                 unverified_birth_dates=list(first.doubts.unverified_birth_dates)))
    # The second reading's own "read once" doubt over the number is what this comparison
    # of two readings answers; every other doubt it keeps stands.
    again = [r for r in _reasons(second) if r.code != NUMBER_UNCONFIRMED]
    for want in wants:
        path = want.path
        if (want.field is Field.NUMBER and want.read_as is not None
                and ReviewReason(NUMBER_UNCONFIRMED, path) in first.review_reasons):
            if line_holds_figures(want.read_as, first_texts[path]) and figures_read_twice(
                    want.read_as, second, second_texts.get(path, "")):
                # A number read once with a close call in its word: its own line read
                # again gives its figures alike, the second mention the doubt asked for.
                out.review_reasons = _without(out.review_reasons, path)
                out.confidence[path] = max(out.confidence.get(path, 0.0),
                                           second.confidence.get(path, 0.0))
            continue
        if path in ids_read_twice and _serial_read_twice(out, want, ids_read_twice[path]):
            continue
        if any(r.path == path for r in again):
            continue  # read again and still in doubt
        if want.field is Field.NAME:
            if want.mentions and path not in clear_mentions:
                continue
            if name_at(second, path) == want.read_as:
                # Two readings of the line give the same name, the second clearly: agreed.
                out.review_reasons = _without(out.review_reasons, path)
                out.doubts = replace(out.doubts, name_readings={
                    k: v for k, v in out.doubts.name_readings.items() if k != path})
                out.confidence[path] = max(out.confidence.get(path, 0.0),
                                           second.confidence.get(path, 0.0))
            continue
        if want.subject is not None:
            _person(out, second, want, again)
            continue
        read_again = getattr(second, path)
        if read_again is None:
            continue
        malformed = any(r.code == "number_format" and r.path == path
                        for r in map(ReviewReason.parse, first.review_reasons))
        if want.read_as is None or (malformed and read_again != want.read_as):
            # Nothing read the first time, or a number read malformed ("6384/1,L/TP",
            # "1431!IGPXD"): the second reading's value passes the checks the first failed,
            # but is read once.
            setattr(out, path, read_again)
            # A date filled is confirmed by the first reading spelling its figures, or by
            # the page printing that very date elsewhere (a residence "đến ngày 05/06/2026"
            # up to the day of issue, the registration date): a second mention, read apart.
            alike = (want.field is Field.ISSUED_ON
                     and (read_alike_date(first_texts[path], read_again)
                          or read_again in dates_elsewhere)) or (
                want.field is Field.NUMBER and want.read_as is not None
                and read_alike_number(want.read_as, read_again, first.doc_type)) or (
                want.field is Field.NUMBER and want.field_read is not None
                and speck_free_format(want.field_read, read_again, first.doc_type))
            out.review_reasons = [*_without(out.review_reasons, path),
                                  *([] if alike else [ReviewReason(SECOND_READING, path)])]
            out.confidence[path] = second.confidence.get(path, 0.0)
            if want.field is Field.ISSUED_ON:
                _dated_by(out, second)
        elif (read_again == want.read_as and not _weak_join(want, first_texts[path], second)
              and (want.field is not Field.NUMBER
                   or line_holds_figures(want.read_as, first_texts[path]))):
            out.review_reasons = _without(out.review_reasons, path)
            out.confidence[path] = max(out.confidence.get(path, 0.0),
                                       second.confidence.get(path, 0.0))
    return out


def id_read_twice(want: Wanted, reading: LineReading) -> float | None:
    """The confidence of the word of ``reading`` that spells, digit for digit, the 12-digit
    ID ``want`` set aside as unverified (``None`` when no word does)."""
    if want.field is not Field.ID_NUMBER or want.malformed or not want.read_as:
        return None
    digits = clean_digits(want.read_as)
    if len(digits) != CCCD_DIGITS:
        return None
    spelled = [w.confidence for w in reading.words if clean_digits(w.text) == digits]
    return max(spelled) if spelled else None


def _serial_read_twice(out: Extraction, want: Wanted, confidence: float) -> bool:
    """Put back a CCCD set aside as unverified when the second reading of its line spells
    the same 12 digits (read at ``confidence``, at least what a corroborated ID needs) and
    the person's birth year (and sex, when read), read apart, agree with what it encodes.

    The birth date vouches for the encoded digits only (``checks.serial_confirmed``); the
    serial after them is what a slip turns into another citizen's number, and the page
    prints it once. Two readings of the line, the page's prepared one and the plain gray
    one, spelling the same serial are the second mention it lacked (as the OCR's own
    digits-only second reading of a long number, docs/ocr.md)."""
    index = want.subject
    if index is None or index >= len(out.subjects) or confidence < CLEAN_CORROBORATED_MIN:
        return False
    person = out.subjects[index]
    digits = clean_digits(want.read_as or "")
    if person.birth_date is None or person.id_number is not None:
        return False
    year = int(person.birth_date[:4])
    if id_problems(digits, year, person.sex):
        return False
    out.subjects[index] = replace(person, id_number=digits)
    out.review_reasons = _without(out.review_reasons, want.path)
    aside = out.doubts.unverified_id_numbers
    if want.read_as in aside:
        aside.remove(want.read_as)
    out.confidence[want.path] = confidence
    return True


# A CCCD's length; a 9-digit CMND encodes nothing two readings could be checked against.
CCCD_DIGITS = 12


def line_holds_figures(read_as: str, first_text: str) -> bool:
    """Whether the line read again is the one the number was read from: its words as first
    read hold the number's figures (look-alike letters as figures: "10I/TLKT-BS" holds
    101). A "Số" that opens an address ("Số 171 Trần Hưng Đạo") or a torn header line
    can be located instead of the number's own line; the page read again there still
    holds the first reading of the number, and the two would "agree" without a second
    look at it."""
    figures = re.sub(r"\D", "", read_as)
    return bool(figures) and figures in re.sub(r"\D", "", clean_digits(first_text))


def figures_read_twice(read_as: str, second: Extraction, second_text: str) -> bool:
    """Whether the second reading of a number's line gives the figures the first read:
    the whole number alike (as the page's parsers take it, or as the line shows it), or —
    when the first's symbol is one its paper's type prints (confirmed by the title,
    ``fields._symbol_of_type``) — its figures and year alike,
    right before a slash ("175/2017/ĐKHKD" read again as "175/2017/ÐĐKHKD": the Đ is
    what made the word a close call, not the figures)."""
    if second.document_number == read_as:
        return True
    # The line read again shows the very number, though its label was misread and the
    # page's parsers did not take it ("Mã số hệ kinh doanh: 38H67074562").
    if re.search(rf"(?<![\w/]){re.escape(read_as)}(?![\w/])", second_text):
        return True
    if "/" not in read_as:
        return False
    figures, symbol = read_as.rsplit("/", 1)
    result_type = cached_result_types().get(second.doc_type or "")
    if result_type is None or symbol not in result_type.number_symbols:
        return False
    return re.search(rf"(?<![0-9/]){re.escape(figures)}/", _compact(second_text)) is not None


def _weak_join(want: Wanted, first_text: str, second: Extraction) -> bool:
    """Whether a date the first reading had in pieces ("ngày 1 7 tháng 3") was read whole
    by the second only weakly. Whole and clear, the two readings agree digit for digit and
    the second saw no gap; weakly, it may have taken the same speck for a "1" as the first
    did (one engine, one image), so it settles nothing."""
    return (
        want.field is Field.ISSUED_ON
        and split_figure(first_text)
        and second.confidence.get(want.path, 0.0) < FIGURE_DATE_MIN
    )


# What extraction decides from the issue date besides the date itself: the issuer, matched
# to the official units as they stood that day, and the validity term's end.
ISSUER_KEYS = (ISSUER_PRINTED, ISSUER_FROM, *ISSUER_CODES)


def _dated_by(out: Extraction, second: Extraction) -> None:
    """``out``'s values that follow the issue date, as the second reading's date gives
    them (the record is in review for that date anyway)."""
    if out.valid_until is None:
        out.valid_until = second.valid_until
    out.issuer = second.issuer
    out.fields = {k: v for k, v in out.fields.items() if k not in ISSUER_KEYS}
    out.fields.update({k: v for k, v in second.fields.items() if k in ISSUER_KEYS})
    out.doubts.issuer_candidates = list(second.doubts.issuer_candidates)
    out.review_reasons = [*_without(out.review_reasons, "issuer"),
                          *(r for r in _reasons(second) if r.path == "issuer")]


def _person(out: Extraction, second: Extraction, want: Wanted,
            again: list[ReviewReason]) -> None:
    """A person's ID or birth date set aside as unverified that the second reading, which
    kept it under the same checks, read alike: back on the person."""
    index = want.subject
    assert index is not None
    if index >= len(out.subjects) or index >= len(second.subjects):
        return
    mine, theirs = out.subjects[index], second.subjects[index]
    where = f"subjects[{index}]"
    if not _same_person(mine, theirs, len(out.subjects) == len(second.subjects)) or any(
            r.path == where for r in again):
        return  # not the same person as read, or their ID still contradicts them
    attr = want.field.value
    read_again = getattr(theirs, attr)
    first = want.read_as or ""
    same = read_again is not None and (
        read_again == first if want.field is Field.BIRTH_DATE
        else read_again == clean_digits(first))
    if read_again is None or not (same or want.malformed):
        return
    out.subjects[index] = replace(mine, **{attr: read_again})
    out.review_reasons = [r for r in _without(out.review_reasons, want.path)
                          if not (want.malformed and r.path == where and r.code == ID_FORMAT)]
    if want.malformed and not read_alike_digits(clean_digits(first), read_again):
        # An ID the first reading read malformed, the second as a valid one: read once.
        out.review_reasons.append(ReviewReason(SECOND_READING, want.path))
    aside = (out.doubts.unverified_id_numbers if want.field is Field.ID_NUMBER
             else out.doubts.unverified_birth_dates)
    if first in aside:
        aside.remove(first)
    out.confidence[want.path] = second.confidence.get(want.path, 0.0)


def _same_person(mine: Subject, theirs: Subject, same_count: bool) -> bool:
    """Whether the second analysis's person at an index is the first's: named alike; or,
    the line read again holding the person's label and name as well as the value ("Ông:
    NGUYÊN CÔNG ĐẠT, năm sinh: 1970, Số CCCD: …" read again "Ô5: …"), unnamed there
    because the label was lost, in the same role, the page's people as many as before."""
    if mine.name == theirs.name:
        return True
    return theirs.name is None and same_count and mine.role == theirs.role


def read_alike_digits(first: str, second: str) -> bool:
    """Whether an ID the first reading read malformed ("1594444160", ten digits) and the
    second read valid ("159444160") are the same digits in the same order but for one run
    of a repeated figure, one longer or shorter ("4444" / "444"): the two readings agree
    on every figure, and what the ID allows (9 or 12 digits) says how long the run is.
    A figure the two read differently, or one more or fewer anywhere else, agrees with
    nothing."""
    if not (first.isdigit() and second.isdigit()):
        return False
    runs = [(d, len(list(g))) for d, g in itertools.groupby(first)]
    others = [(d, len(list(g))) for d, g in itertools.groupby(second)]
    if [d for d, _ in runs] != [d for d, _ in others]:
        return False
    slips = [abs(a - b) for (_, a), (_, b) in zip(runs, others, strict=True) if a != b]
    return slips == [1]


Reader = Callable[[list[LineRequest]], list[LineReading]]


def second_reading(first: Extraction, pages_text: list[str], words: list[list[Word]],
                   read: Reader, analyzed: Callable[[list[str], list[list[Word]]], Extraction]
                   ) -> Extraction:
    """``first`` (``analyzed(pages_text, words)``) after the second reading of the lines
    of the header values it misses or doubts; ``first`` itself when there are none or
    none could be located. ``read``: the OCR's second reading of lines of this paper's
    pages (``ocr.reread.read_lines`` on its file). What the plain reading leaves in doubt
    is read again under the other preparations and the line model (``voted``)."""
    targets = requests(first, words)
    if not targets:
        return first
    lines = list(dict.fromkeys(t.request for t in targets))  # each line read once
    readings = dict(zip(lines, read(lines), strict=True))
    # A plain reading of nothing leaves the page as first read (the line model may still
    # read the line).
    plain = any(r.words for r in readings.values())
    second = (analyzed(pages_text, with_readings(words, _pairs(targets, readings)))
              if plain else first)
    texts = {t.wanted.path: " ".join(w.text for w in readings[t.request].words)
             for t in targets}
    dateline = next((t.first_text for t in targets if t.wanted.field is Field.ISSUED_ON), "")
    clear = frozenset(
        t.wanted.path for t in targets
        if t.wanted.mentions and mentions_read_clearly(
            t.wanted.read_as or "",
            [readings[u.request] for u in targets if u.wanted.path == t.wanted.path]))
    twice = {t.wanted.path: found for t in targets
             if (found := id_read_twice(t.wanted, readings[t.request])) is not None}
    elsewhere = printed_dates(pages_text, dateline) if dateline else set()
    out = decided(first, second, targets, texts, elsewhere, clear, twice) if plain else first
    doubted = [t for t in targets if not t.wanted.mentions and _in_doubt(out, t.wanted)]
    if not doubted:
        return out
    # The other looks at the lines still in doubt, each one's words in place of the first
    # reading's and the page analysed again, as the plain reading's were: the line model
    # first; tesseract's other preparations only where the model read a value that it and
    # the readings so far do not settle (the model reading nothing there, they could not).
    def looked(how: Preparation, chosen: list[Target]
               ) -> tuple[dict[LineRequest, LineReading], Extraction | None]:
        asked = list(dict.fromkeys(replace(t.request, preparation=how) for t in chosen))
        got = dict(zip(asked, read(asked), strict=True))
        lines = {t.request: got[replace(t.request, preparation=how)] for t in chosen}
        if not any(r.words for r in lines.values()):
            return lines, None
        return lines, analyzed(pages_text, with_readings(words, _pairs(chosen, lines)))

    # The model reads only the value's part of each line (``value_span``).
    spans = [value_span(t, words) for t in doubted]
    model_lines, model = looked(Preparation.MODEL, spans)
    if model is None:
        return out
    analyses = {Preparation.MODEL: model, **({Preparation.PLAIN: second} if plain else {})}
    model_texts = {t.wanted.path: " ".join(w.text for w in model_lines[t.request].words)
                   for t in spans}
    votes = {t.wanted.path: voted(out, analyses, t.wanted, model_texts[t.wanted.path])
             for t in doubted}
    rest = [t for t in doubted if votes[t.wanted.path] is not Vote.AGREED
            and value_at(model, t.wanted) is not None]
    if rest:
        more = dict(analyses)
        for how in PREPARED:
            seen = looked(how, rest)[1]
            if seen is not None:
                more[how] = seen
        votes.update({t.wanted.path: voted(out, more, t.wanted, model_texts[t.wanted.path])
                      for t in rest})
    for target in doubted:
        vote = votes[target.wanted.path]
        path = target.wanted.path
        if vote is Vote.PROPOSED:
            out = proposed(out, model, target, model_texts, elsewhere)
        elif vote is Vote.AGREED and target.wanted.lost:
            out = _person_replaced(out, model, target.wanted)
            out.review_reasons = _without_code(out.review_reasons, SECOND_READING, path)
        elif vote is Vote.AGREED:
            # ``decided`` under its own guards (a number's line holding its figures…).
            out = decided(out, model, [target], model_texts, elsewhere)
            if value_at(out, target.wanted) != value_at(model, target.wanted):
                continue
            # Kept or filled as the line model reads it: read by both engines alike. A date
            # the model read with a weak word only (``WEAK``): its reading doubt too.
            lifted = ((SECOND_READING, *READING_DOUBTS) if target.wanted.field is
                      Field.ISSUED_ON else (SECOND_READING,))
            out.review_reasons = [r for r in _reasons(out)
                                  if not (r.path == path and r.code in lifted)]
    return out


def _pairs(targets: list[Target], readings: dict[LineRequest, LineReading]
           ) -> list[tuple[Target, LineReading]]:
    """Each line's reading paired with the first target that asked for it: each line's
    words are replaced once."""
    return [(t, readings[t.request]) for t in targets
            if next(u for u in targets if u.request == t.request) is t]


def _without_code(reasons: list[ReviewReason], code: str, path: str) -> list[ReviewReason]:
    return [r for r in map(ReviewReason.parse, reasons) if (r.code, r.path) != (code, path)]


# Tesseract's other looks at a line the plain reading and the line model left in doubt.
PREPARED = (Preparation.LOCAL, Preparation.SHARP, Preparation.BOLD)


class Vote(enum.Enum):
    """What the readings of a doubted value's line settle (``voted``)."""

    NONE = "none"  # nothing: the plain reading's decision stands
    AGREED = "agreed"  # the line model and tesseract read one value, no reading another
    PROPOSED = "proposed"  # a value nothing was read for, read so by most: for review


def _in_doubt(out: Extraction, want: Wanted) -> bool:
    """Whether ``want``'s value still carries a reason after the plain reading (its own,
    or its person's), or was filled from that reading alone."""
    where = f"subjects[{want.subject}]" if want.subject is not None else None
    if want.lost:
        return value_at(out, want) is None
    return any(r.path in (want.path, where) for r in _reasons(out))


def value_at(extraction: Extraction, want: Wanted) -> str | None:
    """The value ``extraction`` keeps where ``want`` points (a person's by index)."""
    if want.field is Field.NAME:
        return name_at(extraction, want.path)
    if want.subject is None:
        value: str | None = getattr(extraction, want.field.value)
        return value
    if want.subject >= len(extraction.subjects):
        return None
    kept: str | None = getattr(extraction.subjects[want.subject], want.field.value)
    return kept


def _clean(extraction: Extraction, want: Wanted) -> bool:
    """Whether ``extraction`` keeps ``want``'s value with no doubt on it (nor on its
    person); a number's "read once" doubt is what the readings compared answer."""
    where = f"subjects[{want.subject}]" if want.subject is not None else None
    return value_at(extraction, want) is not None and not any(
        r.path in (want.path, where) and r.code != NUMBER_UNCONFIRMED
        for r in _reasons(extraction))


def _first_spells(want: Wanted, value: str) -> bool:
    """Whether the first reading read ``value`` where ``want`` points (an ID by its
    digits; a malformed reading spells nothing)."""
    if want.read_as is None or want.malformed:
        return False
    if want.field is Field.ID_NUMBER:
        return clean_digits(want.read_as) == value
    return want.read_as == value


def voted(out: Extraction, analyses: dict[Preparation, Extraction], want: Wanted,
          model_text: str) -> Vote:
    """What the readings of ``want``'s line settle. ``analyses``: the page analysed with
    each preparation's reading of the line (``PLAIN`` included, ``MODEL`` the line
    model's); ``out``: the decision on the plain reading; ``model_text``: the line model's
    words of the line (a value not on them was not read there: ``line_shows``).

    AGREED — the line model reads a value that passes every check, tesseract read it too
    (the first reading, or the line under one of the preparations) and no reading gives
    another value that passes them: two engines read the same figures or letters. A
    value filled so is confirmed; a doubted first reading so read again is lifted.
    (``decided`` applies it: it never replaces a value the first reading read otherwise.)
    A paper's date the first reading kept is AGREED too when every reading made again
    that gives a value gives that one and the model's only doubt on it is a weak word of
    the line (``WEAK``): two engines, every preparation, one date.

    PROPOSED — for review (``second_reading``), where the first reading kept nothing sure:
    - it read nothing, or a value malformed: the line model's value, read clearly by it
      or by two of tesseract's preparations, and by more readings than any other value
      (the plain reading's own fill among them): "ngày 08" read so by the model and two
      preparations over a plain "(I8" read as 18;
    - it read a value with a doubt (a paper's number or date, a person's ID or birth date
      set aside), every reading made again (the model and at least ``UNANIMOUS`` of
      tesseract's) reads another value alike and clearly:
      "3186/STP-LUTP" at 60 read "3186/STP-LLTP" five times. Never ready: the first
      reading disagrees, and a record sent to review for one value can hold others
      nothing doubted.
    """
    model = analyses.get(Preparation.MODEL)
    value = value_at(model, want) if model is not None else None
    if model is None or value is None:
        return Vote.NONE
    tesseract = [a for how, a in analyses.items() if how is not Preparation.MODEL]
    alike = [a for a in tesseract if value_at(a, want) == value]
    others = [a for a in tesseract if _clean(a, want) and value_at(a, want) != value]
    clear = _clean(model, want)
    kept_nothing = want.read_as is None or want.malformed
    if not line_shows(want, model_text, value):
        # The page's value came from another line than the one read again.
        return Vote.NONE
    if clear and not others and (_first_spells(want, value) or (kept_nothing and alike)):
        return Vote.AGREED
    if want.lost:
        # A value nothing said was lost: two engines find it, or it stays as it was (a
        # proposal would send a record to review for a value nobody missed).
        return Vote.NONE
    if (want.field is Field.ISSUED_ON and _first_spells(want, value)
            and alike and all(value_at(a, want) in (None, value) for a in tesseract)
            and {r.code for r in _reasons(model) if r.path == want.path} <= WEAK):
        # Every reading gives the first's value, the model's only doubt a weak word on the
        # line ("Tiền Hải, Tgày 7 tháng 5 năm 2011": the day word glued to the place).
        return Vote.AGREED
    if value_at(out, want) == value or want.field is Field.NAME:
        return Vote.NONE
    if kept_nothing:
        tally: dict[str, int] = {}
        for a in tesseract:
            read = value_at(a, want)
            if read is not None and read != value:
                tally[read] = tally.get(read, 0) + 1
        if (clear or len(alike) >= PROPOSED_MIN) and len(alike) + 1 > max(
                tally.values(), default=0):
            return Vote.PROPOSED
        return Vote.NONE
    if (clear and want.field is not Field.NAME and len(alike) >= UNANIMOUS
            and all(_clean(a, want) for a in alike)
            and all(value_at(a, want) in (None, value) for a in tesseract)):
        return Vote.PROPOSED
    return Vote.NONE


# The line model's doubt on a date that every reading giving one agrees on settles: a
# weak word of the line (the day word glued to the place).
WEAK = frozenset({"low_confidence"})


def line_shows(want: Wanted, text: str, value: str) -> bool:
    """Whether the words of a line read again show ``value`` (a date as a date, an ID's or
    a number's characters, a name's letters): the page analysed with them may take the
    value from another line (the located "Số" opening an address, the first reading's
    number kept from its own line) — then the line read again says nothing about it."""
    if want.field in (Field.ISSUED_ON, Field.BIRTH_DATE):
        # Its day, month and year, one after the other, however the words between were
        # read ("Tiền Hi,Tgày 7 tháng 5 năm 2011").
        figures = [int(f) for f in re.findall(r"\d+", text)]
        year, month, day = (int(part) for part in value.split("-"))
        return any(figures[k:k + 3] == [day, month, year] for k in range(len(figures)))
    if want.field is Field.ID_NUMBER:
        return value in clean_digits(_compact(text))
    if want.field is Field.NAME:
        return _compact(fold_phrase(value)) in _compact(fold_phrase(text))
    return _compact(value) in _compact(text)


# Tesseract's preparations that must read the line model's value, where the model read
# it with a doubt, for it to be proposed.
PROPOSED_MIN = 2
# Tesseract's readings made again that must all read the line model's value clearly for
# it to be proposed over a doubted first reading of another value.
UNANIMOUS = 3


def proposed(out: Extraction, analysis: Extraction, target: Target,
             texts: dict[str, str], elsewhere: set[str]) -> Extraction:
    """``out`` with ``target``'s value as ``analysis`` reads it, for review (``voted``'s
    PROPOSED): a person's through ``decided`` (its checks on the person), the paper's
    number or date set here, whatever the first reading read, with ``second_reading``."""
    want = target.wanted
    if want.subject is not None and (want.read_as is None or want.malformed):
        return decided(out, analysis, [target], texts, elsewhere)
    if want.subject is not None:
        return _person_replaced(out, analysis, want)
    path = want.path
    value = value_at(analysis, want)
    out = replace(out, review_reasons=[*_without(out.review_reasons, path),
                                       ReviewReason(SECOND_READING, path)],
                  confidence={**out.confidence, path: analysis.confidence.get(path, 0.0)})
    setattr(out, path, value)
    if want.field is Field.ISSUED_ON:
        _dated_by(out, analysis)
        # The term's end as the proposed date gives it (or as printed, the same in both
        # analyses), not as the date it replaces did.
        out.valid_until = analysis.valid_until or out.valid_until
    return out


def _person_replaced(out: Extraction, analysis: Extraction, want: Wanted) -> Extraction:
    """``out`` with a person's ID or birth date set aside as unverified replaced by the one
    every reading made again gives (``voted``'s unanimous PROPOSED), for review: the same
    person as read, the first reading's value no longer aside."""
    index = want.subject
    assert index is not None
    if index >= len(out.subjects) or index >= len(analysis.subjects):
        return out
    mine, theirs = out.subjects[index], analysis.subjects[index]
    # The person's name line may be read again in the same analysis, its marks otherwise
    # ("VỮ" / "VŨ"): the same letters are the same person.
    named_alike = bool(mine.name and theirs.name) and fold_phrase(mine.name or "") == (
        fold_phrase(theirs.name or ""))
    if not (named_alike or _same_person(mine, theirs, len(out.subjects) == len(
            analysis.subjects))):
        return out
    attr = want.field.value
    out = replace(out, subjects=list(out.subjects), doubts=replace(
        out.doubts, unverified_id_numbers=list(out.doubts.unverified_id_numbers),
        unverified_birth_dates=list(out.doubts.unverified_birth_dates)))
    out.subjects[index] = replace(mine, **{attr: getattr(theirs, attr)})
    out.review_reasons = [*_without(out.review_reasons, want.path),
                          ReviewReason(SECOND_READING, want.path)]
    aside = (out.doubts.unverified_id_numbers if want.field is Field.ID_NUMBER
             else out.doubts.unverified_birth_dates)
    if want.read_as in aside:
        aside.remove(want.read_as)
    out.confidence[want.path] = analysis.confidence.get(want.path, 0.0)
    return out


def line_model() -> LineModel | None:
    """asterocr's line model (``extract.handread``) as ``ocr.reread``'s ``MODEL`` reader;
    None when the ``handwriting`` extra is not installed (then nothing is confirmed by
    it). The session is loaded at the first line it is asked to read."""
    from extract.handread import ReaderUnavailable, model_path, shared_reader

    try:
        model_path()
    except ReaderUnavailable:
        return None

    def read(image: Image.Image) -> list[tuple[str, float, int, int]]:
        reader = shared_reader()
        return model_words(reader.frames(image), reader.chars, reader.blank, image.width)

    return read


# What ends a word of the line model's reading: a space, and an underscore — a form's
# dotted or ruled line read between two words, no letter of a paper's text: read glued
# ("Gia Lai,_ngày 5 …", draw 21001's e0018), the dateline's "<place>, ngày" was lost.
MODEL_SPACES = frozenset(" _")


def model_words(frames: np.ndarray[Any, Any], chars: dict[int, str], blank: int,
                width: int) -> list[tuple[str, float, int, int]]:
    """The words of the line model's greedy CTC reading (``handread.LineReader.greedy``)
    with their places: each word's confidence is its least probable character's (0-100,
    as tesseract's: a word is as sure as its weakest letter), its span the frames of its
    characters (one frame per ``width / len(frames)`` pixels of the line's image)."""
    best = frames.argmax(axis=-1).tolist()
    probs = np.exp(frames.max(axis=-1))
    step = width / max(1, len(best))
    # A run of one symbol is one character: its best frame's probability, its frames.
    emitted: list[tuple[str, float, int, int]] = []
    previous = -1
    for t, idx in enumerate(best):
        if idx != blank and idx == previous:
            char, sure, begin, _ = emitted[-1]
            emitted[-1] = (char, max(sure, float(probs[t])), begin, t + 1)
        elif idx != blank:
            emitted.append((chars.get(idx, ""), float(probs[t]), t, t + 1))
        previous = idx
    out = []
    for space, group in itertools.groupby(emitted, key=lambda e: e[0] in MODEL_SPACES):
        word = [e for e in group if e[0]]
        if not space and word:
            out.append(("".join(e[0] for e in word), round(100.0 * min(e[1] for e in word), 1),
                        round(word[0][2] * step), round(word[-1][3] * step)))
    return out
