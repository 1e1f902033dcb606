"""A second reading of the lines where a doubted or missing header value's label sits.

When extraction misses the paper's number or issue date, or doubts the reading it made
(``missing``, ``low_confidence``, ``number_format``), the line where the value's label
sits — "Số: …" in the header, "<place>, ngày … tháng … năm …" — is located from the first
reading's word boxes (``requests``) and read again by the OCR, differently
(``ocr.reread``). The second reading's words take the place of the first's in that line
only, and the page is read by extraction again with its own parsers and checks
(``analyze``): the second reading is evidence under the same rules, nothing more.

What it may change (``decided``), field by field:

- the first reading and the second read the same value, and the second passes every
  check on that field: two readings agree, and the doubt that was only about how well
  the value was read (``low_confidence``, ``number_format``) is lifted. A contradiction
  with another value (``number_year_mismatch``, ``date_mismatch``…) stays;
- the first reading read nothing and the second reads a value that passes the field's
  checks: the value is filled but stays for an officer to confirm
  (``second_reading:<field>``): one reading, however clean, is a guess;
- the two disagree, or the second fails a check: the first reading stands as it was.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from extract.fields import HEAD_LINES
from extract.lines import Line, lines_from_words
from ocr.base import Word
from ocr.reread import LineReading, LineRequest
from records.folding import fold_aligned
from records.model import ReviewReason

if TYPE_CHECKING:
    from extract.analyze import Extraction


class Field(enum.Enum):
    """A header value a second reading may be asked for, by its path on the record."""

    NUMBER = "document_number"
    ISSUED_ON = "issued_on"


# The reasons that say a value was read poorly or not at all: a second reading answers them.
# Contradictions between two values (``number_year_mismatch``, ``date_mismatch``,
# ``dateline_conflict``, ``number_mismatch``) are left to an officer.
READING_DOUBTS = ("missing", "low_confidence", "number_format")
# The reason a value filled from the second reading alone carries.
SECOND_READING = "second_reading"


def wanted(extraction: Extraction) -> list[Field]:
    """The fields whose only doubts are about their reading, in ``Field`` order."""
    out = []
    for f in Field:
        codes = {r.code for r in map(ReviewReason.parse, extraction.review_reasons)
                 if r.path == f.value}
        if codes and codes <= set(READING_DOUBTS) and f.value not in extraction.given:
            out.append(f)
    return out


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
    """A line to read again for ``field``: which first-reading words it replaces."""

    field: Field
    request: LineRequest
    replaced: frozenset[int]  # indices in the page's words


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


def _number_target(lines: list[tuple[Line, list[int]]], words: list[Word],
                   page: int) -> Target | None:
    for line, indices in lines[:HEAD_LINES]:
        if _NUMBER_LABEL.match(fold_aligned(line.text)):
            box, replaced = _row_box(words, indices, 0.0, REACH_HEIGHTS)
            return Target(Field.NUMBER, LineRequest(page, box), replaced)
    return None


def _date_target(lines: list[tuple[Line, list[int]]], words: list[Word],
                 page: int) -> Target | None:
    """The last line that looks like a dateline's date, however damaged, read whole: the
    day's part may have been torn onto a piece of its own to the left ("…, ngày 05" /
    "tháng 5 năm 2012"), so the box reaches left as well."""
    for line, indices in reversed(lines):
        folded = fold_aligned(line.text)
        found = _DATE_WORDS.search(folded) or _DAY_AFTER_PLACE.search(folded)
        if found is None or _SINH.search(folded[: found.start() + 8]):
            continue  # none, or "Ngày, tháng, năm sinh": a birth date's label
        box, replaced = _row_box(words, indices, DAY_REACH_HEIGHTS, REACH_HEIGHTS)
        return Target(Field.ISSUED_ON, LineRequest(page, box), replaced)
    return None


# How far left a date's line is carried for a day torn off it: "…, ngày 05 " is some
# six line heights wide.
DAY_REACH_HEIGHTS = 6.0


def requests(extraction: Extraction, words: list[list[Word]]) -> list[Target]:
    """The lines to read again for the fields ``wanted`` says, on the first page that has
    a line for each (the header's "Số:" in its first lines, the last dateline)."""
    fields = wanted(extraction)
    out: list[Target] = []
    for f in fields:
        for page, page_words in enumerate(words):
            lines = _page_lines(page_words, page)
            found = (_number_target(lines, page_words, page) if f is Field.NUMBER
                     else _date_target(lines, page_words, page))
            if found is not None:
                out.append(found)
                break
    return out


# Block numbers of a second reading's words: apart from any the page reading gives.
SECOND_BLOCKS = 900_000


def with_readings(words: list[list[Word]], readings: list[tuple[Target, LineReading]]
                  ) -> list[list[Word]]:
    """``words`` with each target's first-reading words replaced by its second reading's,
    on one line of their own where the first line stood (the words the target left, the
    place before a dateline's date, keep theirs)."""
    pages = [list(p) for p in words]
    for k, (target, reading) in enumerate(readings):
        page = target.request.page
        if not reading.words:
            continue
        kept = pages[page]
        at = min(target.replaced)
        # The line the replaced words were on: the words left of the box stay on it.
        key = words[page][at].line
        new = [replace(w, line=key if any(words[page][i].line == key and i not in
                                          target.replaced for i in range(len(words[page])))
                       else (SECOND_BLOCKS + k, 0, 0)) for w in reading.words]
        pages[page] = ([w for i, w in enumerate(kept[:at]) if i not in target.replaced] + new
                       + [w for i, w in enumerate(kept) if i >= at and i not in target.replaced])
    return pages


def decided(first: Extraction, second: Extraction, fields: list[Field]) -> Extraction:
    """``first`` with what the second reading confirms or fills (see the module)."""
    out = replace(first, review_reasons=list(first.review_reasons),
                  confidence=dict(first.confidence))
    for f in fields:
        path = f.value
        mine = [r for r in map(ReviewReason.parse, out.review_reasons) if r.path == path]
        theirs = [r for r in map(ReviewReason.parse, second.review_reasons) if r.path == path]
        ours, read_again = getattr(out, path), getattr(second, path)
        if read_again is None or theirs:
            continue  # nothing read again, or read again and still in doubt
        if ours is None:
            setattr(out, path, read_again)
            out.review_reasons = [r for r in out.review_reasons if r not in mine]
            out.review_reasons.append(ReviewReason(SECOND_READING, path))
            out.confidence[path] = second.confidence.get(path, 0.0)
            if f is Field.ISSUED_ON and out.valid_until is None:
                out.valid_until = second.valid_until
        elif ours == read_again:
            out.review_reasons = [r for r in out.review_reasons if r not in mine]
            out.confidence[path] = max(out.confidence.get(path, 0.0),
                                       second.confidence.get(path, 0.0))
    return out


Reader = Callable[[list[LineRequest]], list[LineReading]]


def second_reading(first: Extraction, pages_text: list[str], words: list[list[Word]],
                   read: Reader, analyzed: Callable[[list[str], list[list[Word]]], Extraction]
                   ) -> Extraction:
    """``first`` (``analyzed(pages_text, words)``) after the second reading of the lines
    of the header values it misses or doubts; ``first`` itself when there are none or
    none could be located. ``read``: the OCR's second reading of lines of this paper's
    pages (``ocr.reread.read_lines`` on its file)."""
    targets = requests(first, words)
    if not targets:
        return first
    readings = read([t.request for t in targets])
    pairs = list(zip(targets, readings, strict=True))
    if not any(r.words for _, r in pairs):
        return first
    second = analyzed(pages_text, with_readings(words, pairs))
    return decided(first, second, [t.field for t in targets])
