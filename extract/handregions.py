"""Where the handwritten values of a printed form are: cut from the page by the printed
labels tesseract reads ("Họ, chữ đệm, tên:", "Ngày, tháng, năm sinh:", "Nơi sinh:",
"Số:" on the birth certificate; "Họ và tên chồng:", "Họ và tên vợ:", each spouse's
"Ngày, tháng, năm sinh:" and "Số: … Quyển số:" on the marriage certificate).

A clerk writes a value on the dotted line right of its label, or, when the label fills
the line, on the dotted line below it. Tesseract reads the printed labels well and the
handwriting as noise (often glued to the label: "tên:....Bùi"), so only the label's words
are trusted; where the value is comes from the ink: the band above the dotted line right
of the label has handwriting in it or it does not.
"""

from __future__ import annotations

import enum
import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from PIL import Image

from ocr.base import Word
from records.folding import edit_distance, fold_aligned

# Folded label words per field, each a sequence that must start a run of words on a
# line. A name label followed by "người" names someone else (the mother, the father).
LABELS: dict[str, tuple[tuple[str, ...], ...]] = {
    # Last, the label without its last word: handwriting glued to it makes it unreadable
    # ("tên:" read "82...", "sinh" read "sn:.30/12").
    "name": (("ho", "chu", "dem", "ten"), ("ho", "va", "ten"), ("ho", "ten"),
             ("ho", "chu", "dem")),
    # Without its first word: on ink bleed "Ngày," is read "Mày," (fresh draw 3301).
    "birth_date": (("ngay", "thang", "nam", "sinh"), ("ngay", "sinh"), ("sinh", "ngay"),
                   ("ngay", "thang", "nam"), ("thang", "nam", "sinh")),
    # Tesseract often loses the capital N of "Nơi" next to handwriting ("ơi Sinh:").
    "birth_place": (("noi", "sinh"), ("oi", "sinh")),
}
NOT_AFTER = {"name": ("nguoi", "cha", "me", "vo", "chong")}


class FormKind(enum.Enum):
    """The printed form whose labels are looked for (its value: the record's doc_type)."""

    BIRTH = "birth_certificate"
    MARRIAGE = "marriage_certificate"


def form_of(doc_type: str | None) -> FormKind:
    """The form a paper of ``doc_type`` is read as: the birth certificate's labels unless
    the title says marriage certificate (as before there was a second form)."""
    return FormKind.MARRIAGE if doc_type == FormKind.MARRIAGE.value else FormKind.BIRTH


# The marriage certificate (Decree 158/2005's template): each spouse's name label names
# the spouse ("Họ và tên chồng:", "Họ và tên vợ:"); the birth date's label is the same
# for both, told apart by the name printed above it.
SPOUSES = ("husband", "wife")
SPOUSE_NAME_LABELS: dict[str, tuple[tuple[str, ...], ...]] = {
    f"{who}_name": (("ho", "va", "ten", word), ("ho", "ten", word), ("va", "ten", word),
                    ("ten", word))
    for who, word in (("husband", "chong"), ("wife", "vo"))}
# What each field of the marriage form is read as (its grammar and checks): a spouse's
# name is a name, a spouse's birth date a birth date.
FIELD_KIND = {f"{who}_{k}": k for who in SPOUSES for k in ("name", "birth_date")}


def field_kind(key: str) -> str:
    """The field of the birth form whose grammar and checks ``key`` is read with."""
    return FIELD_KIND.get(key, key)


def _patterns(key: str) -> tuple[tuple[str, ...], ...]:
    return SPOUSE_NAME_LABELS.get(key) or LABELS.get(field_kind(key), ())
# Dots on the label's baseline from which a dotted line is taken to run right of it (a
# line of dots left free by the writing has dozens; specks of a degraded scan a few).
DOTS_RIGHT = 25
MARGIN = 0.015  # of the page width, kept clear of the edge
# The tallest a label's line may be taken to be, of the page width: the forms' 13-point
# print is about 0.018 of an A4 page's width whatever the resolution (30 px at 200 dpi);
# labels glued to handwriting read up to 0.022 on dev's clean pages. Dev (0.022): 140 → 142
# right, 12 → 11 wrong proposed.
MAX_LINE = 0.022


@dataclass(frozen=True)
class Region:
    """A field's region in the upright page image: x0, y0, x1, y1 (pixels)."""

    key: str
    box: tuple[int, int, int, int]
    below: bool  # on the dotted line below the label (not right of it)
    label_box: tuple[int, int, int, int]
    baseline: int  # of the dotted line the value is written on
    line_height: int  # of the printed label's words
    # Printed words reaching into the box from the line above: whitened, not cut away
    # (handwriting rises past their bottom, their descenders and commas).
    masks: tuple[tuple[int, int, int, int], ...] = ()


def _token(text: str) -> str:
    m = re.match(r"[a-z]+", fold_aligned(text).lower())
    return m.group(0) if m else ""


def _lines(words: Sequence[Word]) -> list[list[Word]]:
    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        if w.text.strip():
            grouped.setdefault(w.line, []).append(w)
    return [sorted(ws, key=lambda w: w.bbox[0]) for ws in grouped.values()]


def joined(words: Sequence[Word], extra: Sequence[Word]) -> list[Word]:
    """``words`` and ``extra`` (words read apart: the lines the OCR dropped as noise), each
    extra word moved onto the line of ``words`` it continues: a label's last word and the
    handwriting after it are often dropped while its first words were kept ("Họ, chữ đệm,"
    kept, "tên:...." dropped)."""
    lines = _lines(words)
    out = list(words)
    for w in extra:
        if any(min(w.bbox[2], o.bbox[2]) - max(w.bbox[0], o.bbox[0]) > 0 and
               min(w.bbox[3], o.bbox[3]) - max(w.bbox[1], o.bbox[1]) > 0 for o in words):
            continue  # read in both: the kept reading stands
        h = w.bbox[3] - w.bbox[1]
        best = None
        for line in lines:
            last = line[-1]
            ly = (last.bbox[1] + last.bbox[3]) / 2
            lh = last.bbox[3] - last.bbox[1]
            # Handwriting glued to the word makes it taller: its box holds the line's middle.
            if w.bbox[1] <= ly <= w.bbox[3] and -0.5 * lh < w.bbox[0] - last.bbox[2] < 2 * lh \
                    and h < 2.5 * lh:
                best = last
                break
        out.append(w if best is None else Word(w.text, w.confidence, w.bbox, best.line))
    return out


def _close(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(b) < 3 or abs(len(a) - len(b)) > 1:
        return False
    # One substitution, insertion or deletion: tesseract's usual slip on a printed word.
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def _label_end(word: Word, height: float) -> int:
    """Right edge of a label's last word, without what tesseract glued after it (dots,
    handwriting: "sinh:..27/03/1999....." is one word spanning the line)."""
    text = word.text
    letters = re.match(r"\w+", text)
    n = letters.end() if letters else 0
    if n >= len(text) - 1:
        return word.bbox[2]
    x0, _, x1, _ = word.bbox
    # Proportional to characters, but dots are narrow: never past the letters plus a
    # colon at about 0.6 of the line height each.
    return min(x0 + round((x1 - x0) * (n + 1) / len(text)), x0 + round((n + 1) * 0.6 * height))


def _spelt_end(key: str, label: Sequence[Word]) -> int:
    """The furthest a label's last word can reach at the width its other words give a
    letter: handwriting read into it with no dots between ("tên:PHAM", "sinhTram") makes
    one word of both, and the value's start was cut off with it (fresh draws 2749, 5861:
    a name crop starting 200 px into the writing)."""
    body = label[:-1]
    letters = sum(len(w.text) for w in body)
    patterns = _patterns(key)
    if not patterns or not body or not letters:
        return label[-1].bbox[2]
    per = sum(w.bbox[2] - w.bbox[0] for w in body) / letters
    # The pattern's longest last word, its colon and half a letter of slack.
    longest = max(len(p[-1]) for p in patterns)
    return label[-1].bbox[0] + round((longest + 1.5) * per)


_NUMBER_LABEL = re.compile(r"^s[o0ø6]?\W")  # "Số:", "sø....", "s....3.33/KS", "số.458"


def _matches(tokens: list[str], pattern: tuple[str, ...]) -> bool:
    """Each token the pattern's word, at most one of them misread by a letter: "Giới
    tính" is one letter from "Nơi sinh" in both words and must not pass for it."""
    fuzzy = 0
    for t, p in zip(tokens, pattern, strict=True):
        if t == p:
            continue
        if t in OTHER_WORDS:
            return False
        # A word of two letters a letter off ("Hü" for "Họ" on ink bleed) only among
        # three or more read right: alone it would match any short word.
        if not (_close(t, p) or (len(pattern) >= 3 and len(t) == len(p) == 2
                                 and (t[0] == p[0] or t[1] == p[1]))):
            return False
        fuzzy += 1
    return fuzzy <= 1 and fuzzy < len(pattern)


def _number_label(word: Word, size: tuple[int, int]) -> bool:
    width, height = size
    text = fold_aligned(word.text).lower()
    return (bool(_NUMBER_LABEL.match(text)) and height * 0.04 < word.bbox[1] < height * 0.25
            and word.bbox[0] < width * 0.5)


# Words printed in the form's other labels: a word a letter off one of the field's label
# words that is exactly one of these is that other label ("ới tính:" of "Giới tính" is a
# letter from "ơi sinh:", fresh draw 1409: the birth place cut from the gender's line).
OTHER_WORDS = frozenset(("gioi", "tinh", "dan", "toc", "quoc", "tich", "nguoi", "cha", "me"))
# The body labels in the order the form prints them, each a line below the one before:
# name, gender, birth date, birth place. How far a label can be from its neighbour, in
# line heights of the neighbour's print (the forms' line pitch is 1.4–1.7 of it).
BODY_ORDER = ("name", "birth_date", "birth_place")
LINES_APART = {("name", "birth_date"): 4.5, ("birth_date", "birth_place"): 2.6}
# A label read garbled, found only where the form's order puts it: the edits allowed over
# its letters ("Š gày, tháng, năng sÌnh", "Nơi snt:", "Nơi-Šnh:" on dirty drum and ink
# bleed pages).
LOOSE_EDITS = 0.3


def _pieces(line: Sequence[Word]) -> list[tuple[str, int]]:
    """The letter runs of a line's words, each with the index of its word: a hyphen or a
    colon glued between two label words ("Nơi-Šnh:") leaves two runs of one word."""
    return [(run, i) for i, w in enumerate(line)
            for run in re.findall(r"[a-z]+", fold_aligned(w.text).lower())]


def _loose(line: Sequence[Word], key: str, pattern: tuple[str, ...] | None = None
           ) -> list[Word] | None:
    """The line's label words for ``key`` (or ``pattern``) when its letters are within
    ``LOOSE_EDITS`` of the label's full wording, starting at one of its first three letter
    runs (noise read before the label: "Š", "F")."""
    pattern = pattern or LABELS[key][0]
    letters = sum(len(p) for p in pattern)
    pieces = _pieces(line)
    for start in range(min(3, len(pieces))):
        got = pieces[start:start + len(pattern)]
        if len(got) < len(pattern):
            break
        pairs = list(zip((g for g, _ in got), pattern, strict=True))
        if sum(edit_distance(g, p) for g, p in pairs) > LOOSE_EDITS * letters:
            continue
        # Not another label's word: "tinh" is "Giới tính", whatever else is close.
        if any(g != p and g in OTHER_WORDS for g, p in pairs):
            continue
        return list(line[got[0][1]:got[-1][1] + 1])
    return None


def _bounded(lines: list[list[Word]], found: dict[str, list[Word]], width: int
             ) -> dict[str, list[Word]]:
    """Body labels tesseract read garbled, looked for only between their found neighbours
    in the form's order, no further from them than the lines that part them on the form
    (nothing is looked for without a neighbour: a garbled line anywhere would do)."""
    out: dict[str, list[Word]] = {}
    for i, key in enumerate(BODY_ORDER):
        if key in found:
            continue
        prev = next((k for k in reversed(BODY_ORDER[:i]) if k in found), None)
        nxt = next((k for k in BODY_ORDER[i + 1:] if k in found), None)
        anchor = found[prev] if prev is not None else found[nxt] if nxt is not None else None
        if anchor is None:
            continue
        h = min(statistics.median(w.bbox[3] - w.bbox[1] for w in anchor), MAX_LINE * width)
        top, bottom = -1.0, float("inf")
        if prev is not None:
            top = max(w.bbox[3] for w in found[prev]) - 0.3 * h
            bottom = top + LINES_APART.get((prev, key), 6.0) * h
        if nxt is not None:
            end = min(w.bbox[1] for w in found[nxt]) + 0.3 * h
            bottom = min(bottom, end)
            if prev is None:
                top = end - LINES_APART.get((key, nxt), 6.0) * h
        left = min(w.bbox[0] for w in anchor)
        for line in lines:
            y = statistics.median((w.bbox[1] + w.bbox[3]) / 2 for w in line)
            if not top < y < bottom:
                continue
            label = _loose(line, key)
            # In the labels' column: the label, or its line when a speck read before the
            # label was read as a word of it ("Š gày,"); a speck is its own word ("ề").
            if label is not None and min(abs(label[0].bbox[0] - left),
                                         abs(line[0].bbox[0] - left)) < 2 * h:
                out[key] = label
                break
    return out


def _label_in(line: list[Word], tokens: list[str], patterns: tuple[tuple[str, ...], ...],
              not_after: tuple[str, ...], width: int) -> list[Word] | None:
    """The line's words matching the first of ``patterns`` found in it, in the page's
    left half, not followed by a word of ``not_after``."""
    for pattern in patterns:
        for start in range(len(tokens) - len(pattern) + 1):
            end = start + len(pattern)
            if not _matches(tokens[start:end], pattern):
                continue
            # "tên người mẹ", or "người mẹ" after a label missing its "tên"; a label
            # ended by its colon is whole ("tên: Võ Như…" is no "tên vợ").
            after = [] if ":" in line[end - 1].text else tokens[end:end + 2]
            if any(_close(a, n) for a in after for n in not_after):
                continue
            label = line[start:end]
            if label[0].bbox[0] > width * 0.5:
                continue  # labels start in the left half ("ghi rõ họ tên" does not)
            return label
    return None


# The labels in the order the form prints them, top to bottom.
FORM_ORDER: dict[FormKind, tuple[str, ...]] = {
    FormKind.BIRTH: ("number", "name", "birth_date", "birth_place"),
    FormKind.MARRIAGE: ("husband_name", "husband_birth_date", "wife_name", "wife_birth_date",
                        "number")}
# How far a label can be from the next one in the form's order, in line heights of the
# found one's print (``label_height``): the label column is read again no further
# (``ingest.handwriting.label_band``), a field whose label is lost is placed no further
# (``placed_box``), and a found label further than that from the one before it is no
# label of the form (``in_order``). About 1.4 times the farthest measured on the dev
# halves and a fresh draw (name to date 4.4 and 6.0 on the birth form, when the value
# goes on the line below; the husband's date to the wife's name 12.5; the wife's date to
# the number 10.0; the birth date to the place 2.7). The birth form's number is in the
# header, above the name: only its order is checked.
REACH = {("name", "birth_date"): 8.5, ("birth_date", "birth_place"): 4.0,
         ("husband_name", "husband_birth_date"): 6.0, ("husband_birth_date", "wife_name"): 14.0,
         ("wife_name", "wife_birth_date"): 6.0, ("wife_birth_date", "number"): 13.0}


def label_reach(order: tuple[str, ...], a: str, b: str) -> float | None:
    """Line heights from label ``a`` down to label ``b`` at most (None: not bounded)."""
    i, j = order.index(a), order.index(b)
    steps = [REACH.get((order[k], order[k + 1])) for k in range(i, j)]
    return None if any(r is None for r in steps) else sum(r for r in steps if r is not None)


def in_order(found: dict[str, list[Word]], width: int, form: FormKind
             ) -> dict[str, list[Word]]:
    """The found labels that agree with the form's order: the most of them that run down
    the page in the order the form prints them, each no further under the one before it
    than ``REACH`` allows. A label found out of that order ("Số:" read in a signature
    under the spouses' block, fresh draw 4723 m0002: the number's crop cut from the
    signatures) is no label of the form: its field is placed from the others."""
    order = [k for k in FORM_ORDER[form] if found.get(k)]

    def top(k: str) -> int:
        return min(w.bbox[1] for w in found[k])

    def agree(a: str, b: str) -> bool:
        limit = label_reach(FORM_ORDER[form], a, b)
        gap = top(b) - top(a)
        return gap > 0 and (limit is None or gap <= limit * label_height(found[a], width))

    # The chain in the form's order whose neighbours agree and whose labels are read best
    # together (a handful of labels: every subset is cheap): two labels read among noise
    # do not outweigh one read exactly. On a tie, the longer, then the one keeping the
    # form's earlier labels.
    weight = {k: label_quality(k, found[k]) for k in order}
    best: tuple[str, ...] = ()
    best_score = (0.0, 0)
    for mask in range(1 << len(order)):
        keys = tuple(k for i, k in enumerate(order) if mask >> i & 1)
        score = (round(sum(weight[k] for k in keys), 6), len(keys))
        if score > best_score and all(agree(a, b) for a, b in pairwise(keys)):
            best, best_score = keys, score
    return {k: v for k, v in found.items() if k in best or not v}


# A label word's letters and what may follow them in print: its comma or colon, the
# dots of its line. Anything else glued to it is the writing's (or noise), and the word's
# confidence is theirs.
_PRINTED_WORD = re.compile(r"^\w+[,:]?\.*$")


def label_quality(key: str, label: Sequence[Word]) -> float:
    """How well a label is read, 0–1: its words' confidence (those tesseract read alone:
    writing glued to a word lowers its confidence, not the label's) times 1 when its
    words are the label's exactly, 0.5 when one is a letter off or the label was read
    garbled. A "Số:" made up before "Quyển số:" (``_number_before_book``) counts as
    read at ``PRINT_CONFIDENCE``."""
    alone = [w.confidence for w in label if _PRINTED_WORD.match(w.text)]
    confidence = statistics.median(alone) if alone else 50.0
    tokens = [_token(w.text) for w in label]
    patterns = (*_patterns(key), *((("so",),) if key == "number" else ()))
    exact = any(len(p) == len(tokens) and all(t == w for t, w in zip(tokens, p, strict=True))
                for p in patterns)
    return max(0.05, min(1.0, confidence / 100)) * (1.0 if exact else 0.5)


def find_labels(words: Sequence[Word], size: tuple[int, int], loose: bool = True,
                form: FormKind = FormKind.BIRTH) -> dict[str, list[Word]]:
    """The label words of each field, the first match in reading order (top first);
    ``loose``: and body labels read garbled where the form's order puts them (the
    birth form's)."""
    if form is FormKind.MARRIAGE:
        return find_marriage_labels(words, size)
    width = size[0]
    found: dict[str, list[Word]] = {}
    lines = sorted(_lines(words), key=lambda ws: min(w.bbox[1] for w in ws))
    for line in lines:
        if "number" not in found:
            number = next((w for w in line if _number_label(w, size)), None)
            if number is not None:
                found["number"] = [number]
        tokens = [_token(w.text) for w in line]
        for key, patterns in LABELS.items():
            if key in found or key == "number":
                continue
            label = _label_in(line, tokens, patterns, NOT_AFTER.get(key, ()), width)
            if label is not None:
                found[key] = label
    # The form's order: the holder's name comes before the birth date and place. A name
    # label found under one of them is the mother's or father's, its "người mẹ" lost
    # (fresh draw 2749: the father's line cut as the holder's name on a dirty drum page).
    if "name" in found:
        top = min(w.bbox[1] for w in found["name"])
        if any(min(w.bbox[1] for w in found[k]) < top for k in ("birth_date", "birth_place")
               if k in found):
            del found["name"]
    found = in_order(found, width, form)
    if loose:
        found.update(_bounded(lines, found, width))
    return found


# The word after the marriage form's "Số:" on its line ("Quyển số:", the register's
# book), and the words after a "Số" that is the spouse's ID's label ("Số Giấy CMND:").
BOOK = "quyen"
NOT_NUMBER = ("giay", "cmnd")


def _book_word(line: Sequence[Word], after: Word) -> Word | None:
    """The "Quyển" of "Quyển số:" right of ``after`` on its line, read a letter off."""
    return next((w for w in line if w.bbox[0] > after.bbox[0]
                 and _close(_token(w.text), BOOK)), None)


def _marriage_number(lines: list[list[Word]], size: tuple[int, int], below: int
                     ) -> list[Word] | None:
    """The marriage form's "Số:" (the register's number): first on its line in the left
    half, under the header, no "Giấy CMND" after it; on the line of "Quyển số:", or
    else under the spouses' labels (``below``: the lowest found's top)."""
    width, height = size
    loose = None
    for line in lines:
        first = line[0]
        if not (_NUMBER_LABEL.match(fold_aligned(first.text).lower())
                and first.bbox[0] < width * 0.5 and first.bbox[1] > height * HEADER):
            continue
        nxt = [_token(w.text) for w in line[1:3]]
        if any(_close(t, n) for t in nxt for n in NOT_NUMBER):
            continue
        if _book_word(line, first) is not None:
            return [first]
        if loose is None and first.bbox[1] > below:
            loose = [first]
    return loose


def _same_line(a: Sequence[Word], b: Sequence[Word]) -> bool:
    """Two readings of one printed line: their boxes overlap by half a line's height."""
    top, bottom = max(a[0].bbox[1], b[0].bbox[1]), min(a[0].bbox[3], b[0].bbox[3])
    return bottom - top > 0.5 * min(a[0].bbox[3] - a[0].bbox[1], b[0].bbox[3] - b[0].bbox[1])


# A name label read without its spouse's word ("Họ và tên" with "chồng:" lost to the
# handwriting glued to it): the spouse is told by the form's order.
BARE_NAME = (("ho", "va", "ten"), ("ho", "ten"))
SPOUSE_WORD = {"husband_name": "chồng:", "wife_name": "vợ:"}


def label_height(label: Sequence[Word], width: int) -> float:
    """The print's line height of a label: its words' median box, no taller than print of
    the forms' size can be (``MAX_LINE``; on ink bleed the boxes swell)."""
    return min(statistics.median(w.bbox[3] - w.bbox[1] for w in label), MAX_LINE * width)


def _with_spouse_word(label: list[Word], key: str) -> list[Word]:
    """A bare name label with its spouse's word made up after it, as wide as its letters
    at the label's pitch: the value starts after that word, not after "tên"."""
    last = label[-1]
    letters = sum(len(w.text) for w in label)
    per = sum(w.bbox[2] - w.bbox[0] for w in label) / max(1, letters)
    word = SPOUSE_WORD[key]
    x0 = last.bbox[2] + round(per)
    return [*label, Word(word, last.confidence, (x0, last.bbox[1], x0 + round(len(word) * per),
                                                 last.bbox[3]), last.line)]


def find_marriage_labels(words: Sequence[Word], size: tuple[int, int]) -> dict[str, list[Word]]:
    """The marriage form's labels: each spouse's name ("Họ và tên chồng:", "Họ và tên
    vợ:"; one read without its spouse's word taken by the form's order), the birth
    date's label under each (within the lines the birth form allows between a name and
    its birth date; with a name label lost, the form's order: the husband's date above
    the wife's name, the wife's the next under his, two dates alone his then hers), and
    the number's "Số:"."""
    width = size[0]
    lines = sorted(_lines(words), key=lambda ws: min(w.bbox[1] for w in ws))
    table = side_table(words, size)
    if table is not None:
        return _side_labels(table, lines, size)
    found: dict[str, list[Word]] = {}
    dates: list[list[Word]] = []
    # Read garbled ("Ngày. thắng. mấrn sinh....", ink bleed, fresh draw 1049 m0016):
    # taken only where the form's order puts a spouse's date, under a found name.
    garbled_dates: list[list[Word]] = []
    bare: list[list[Word]] = []
    for line in lines:
        tokens = [_token(w.text) for w in line]
        spouse = next(((key, label) for key, patterns in SPOUSE_NAME_LABELS.items()
                       if (label := _label_in(line, tokens, patterns, (), width)) is not None),
                      None)
        if spouse is not None:
            key, label = spouse
            # Its spouse's word a letter off the writing after it, far from "tên" ("Ho
            # và tên" then "CÔNG" read from the husband's name, "chồng:" lost): that word
            # is the value's, the label's is made up.
            if len(label) > 1 and label[-1].bbox[0] - label[-2].bbox[2] \
                    > 2 * label_height(label[:-1], width):
                label = _with_spouse_word(label[:-1], key)
            found.setdefault(key, label)
            continue
        name = _label_in(line, tokens, BARE_NAME, NOT_AFTER["name"], width)
        # Only at the start of its line: "(Ký, ghi rõ họ tên)" under the signatures.
        if name is not None and not any(tokens[:line.index(name[0])]):
            if not any(_same_line(name, b) for b in bare):
                bare.append(name)
            continue
        label = _label_in(line, tokens, LABELS["birth_date"], (), width)
        # Once per printed line: the label column read again gives a second reading.
        if label is not None and not any(_same_line(label, d) for d in dates):
            dates.append(label)
        elif label is None and (garbled := _loose(line, "birth_date")) is not None:
            garbled_dates.append(garbled)

    def top(label: Sequence[Word]) -> int:
        return min(w.bbox[1] for w in label)

    husband, wife = found.get("husband_name"), found.get("wife_name")
    if husband is not None and wife is not None and top(wife) < top(husband):
        del found["wife_name"], found["husband_name"]  # out of the form's order: neither
        husband = wife = None
    # Bare name labels where the form's order puts a lost spouse's label.
    bare = [b for b in bare if not any(_same_line(b, n) for n in (husband, wife) if n)]
    if husband is None:
        above = [b for b in bare if wife is None or top(b) < top(wife)]
        if above and (wife is not None or len(bare) == 2):
            husband = found["husband_name"] = _with_spouse_word(above[0], "husband_name")
    if wife is None and husband is not None:
        under = [b for b in bare if top(b) > top(husband)]
        if under:
            wife = found["wife_name"] = _with_spouse_word(under[0], "wife_name")

    def near(name: Sequence[Word]) -> list[Word] | None:
        """The first date label under the name, no further than a name and its date can
        be apart on the form."""
        reach = LINES_APART[("name", "birth_date")] * label_height(name, width)
        return next((d for d in (*dates, *garbled_dates) if 0 < top(d) - top(name) <= reach),
                    None)

    his = near(husband) if husband is not None else None
    hers = near(wife) if wife is not None else None
    if his is None and husband is None and wife is not None:
        his = next((d for d in reversed(dates) if top(d) < top(wife)), None)
    if hers is None and wife is None and his is not None:
        hers = next((d for d in dates if top(d) > top(his)), None)
    if husband is None and wife is None and len(dates) == 2:
        his, hers = dates
    if his is not None:
        found["husband_birth_date"] = his
    if hers is not None and hers is not his:
        found["wife_birth_date"] = hers
    below = max((top(label) for label in found.values()), default=0)
    number = _marriage_number(lines, size, below)
    if number is None:
        number = _number_before_book(lines, found, size, below)
    if number is not None:
        found["number"] = number
    return in_order(found, width, FormKind.MARRIAGE)


def _side_labels(table: SideTable, lines: list[list[Word]], size: tuple[int, int]
                 ) -> dict[str, list[Word]]:
    """The side-by-side table's labels: each spouse's field keyed to its row's label
    (the wife's to her column's repeated label where read), and the number's "Số:"
    under the table. Both spouses' labels are on one line: no order to check."""
    found = {f"{who}_{key}": pair[i] for key, pair in table.rows.items()
             for i, who in enumerate(SPOUSES)}
    his = {k: v for k, v in found.items() if k.startswith("husband_")}
    below = max((min(w.bbox[1] for w in label) for label in his.values()),
                default=max(w.bbox[3] for w in table.header))
    number = _marriage_number(lines, size, below) or _number_before_book(lines, his, size, below)
    # Under the table's last rows, as the sequential form's order allows under the wife's
    # date (``REACH``), from the table's lowest label found: a "Số" further down is read
    # in the signatures (draw 3163 m0022: its crop cut 9 lines under the number).
    h = label_height(next(iter(his.values())), size[0]) if his else 0.0
    reach = SIDE_NUMBER_REACH + (0.0 if "birth_date" in table.rows else SIDE_ROW)
    # And above the spouses' signatures, whose "(Ký, ghi rõ họ tên)" is read well (draw
    # 3163 m0022: "Số:" made up before a word under them, its number's line misread).
    notes = [min(w.bbox[1] for w in line) for line in lines
             if min(w.bbox[1] for w in line) > below and line[0].text.startswith("(")
             and _token(line[0].text[1:]) == "ky"]
    if number is not None and notes and min(w.bbox[1] for w in number) > min(notes):
        number = None
    if number is not None and his and min(w.bbox[1] for w in number) - below <= reach * h:
        found["number"] = number
    return found


# Line heights from the table's lowest row label found (the date's) down to "Số:": the
# rows of ethnicity, nationality, residence and ID, and the table's bottom. About 1.15
# times the farthest on draw 3163 (10.5–19.0), and a row more from the name's row when
# the date's was not read.
SIDE_NUMBER_REACH = 22.0
SIDE_ROW = 3.0


def _number_before_book(lines: list[list[Word]], found: dict[str, list[Word]],
                        size: tuple[int, int], below: int) -> list[Word] | None:
    """"Số:" made up where tesseract misread it ("S0", '"_..' glued to the writing) but
    read "Quyển" after it, as ``number_label`` makes up the birth form's: at the labels'
    left edge on that line, as wide as the print makes it. Under the spouses' labels,
    "Quyển" read confidently in the page's left half."""
    width, height = size
    lefts = [label[0].bbox[0] for label in found.values()]
    for line in lines:
        book = next((w for w in line if w.confidence >= PRINT_CONFIDENCE
                     and _close(_token(w.text), BOOK) and w.bbox[0] < width * 0.5
                     and w.bbox[1] > max(below, height * HEADER)), None)
        if book is None:
            continue
        h = min(book.bbox[3] - book.bbox[1], MAX_LINE * width)
        x0 = int(statistics.median(lefts)) if lefts else line[0].bbox[0]
        x1 = x0 + int(1.6 * h)
        if x1 >= book.bbox[0]:
            return None
        return [Word("Số:", PRINT_CONFIDENCE, (x0, int(book.bbox[3] - h), x1, book.bbox[3]),
                     book.line)]
    return None


def number_end(label: Word, words: Sequence[Word], width: int, h: float) -> int:
    """Where the number's dotted line ends: before "Quyển số:" on the marriage form's
    line, else at the page's middle (the birth form's, under the agency's name)."""
    book = _book_word([w for w in words if w.line == label.line], label)
    return int(width * 0.5) if book is None else max(label.bbox[2] + 1, book.bbox[0] - int(0.3 * h))


# Ink on a form, in a page or a field's crop: what is darker than this share of its
# paper's level (its 90th percentile): the writing, the print and the dots, not a stain
# or the paper's grain. Shared by the regions, the crops' cleaning and the line reader.
INK_OF_PAPER = 0.6


def ink(gray: np.ndarray, paper: float) -> np.ndarray:
    """The ink pixels of ``gray`` whose paper is at level ``paper`` (``INK_OF_PAPER``)."""
    return np.asarray(gray < paper * INK_OF_PAPER)


def _dark(gray: np.ndarray) -> np.ndarray:
    # The paper's level from a quarter of the pixels: as good, four times cheaper.
    paper = float(np.percentile(gray[::2, ::2], 90))
    return ink(gray, paper)


def page_dark(image: Image.Image) -> np.ndarray:
    """The page's ink (True: dark)."""
    return _dark(np.asarray(image.convert("L")))


def _alone(dark: np.ndarray, baseline: int, h: float, x0: int, x1: int) -> np.ndarray:
    """Columns between x0 and x1 inked on the baseline and nowhere just above or below it:
    a dotted line's, not writing's."""
    band = dark[max(0, int(baseline - 0.15 * h)):int(baseline + 0.12 * h), x0:x1].any(axis=0)
    above = dark[max(0, int(baseline - 0.5 * h)):max(0, int(baseline - 0.2 * h)),
                 x0:x1].any(axis=0)
    beneath = dark[int(baseline + 0.2 * h):int(baseline + 0.45 * h), x0:x1].any(axis=0)
    return np.asarray(band & ~above & ~beneath)


# Share of the columns right of a label that a dotted line's ink fills when its dots ran
# together (ink bleed: dashes wider than a dot, so few dots are counted). Dev: labels
# whose value is below have at most 0.01 there; bled lines right of a label 0.37–0.57.
RULED_RIGHT = 0.2


def _ruled(dark: np.ndarray, baseline: int, h: float, x0: int, x1: int) -> bool:
    """A line (of dots or dashes) on the baseline between x0 and x1."""
    alone = _alone(dark, baseline, h, x0, x1)
    return alone.size > 0 and float(alone.mean()) > RULED_RIGHT


# Share of the columns right of a label inked in the writing's band over its dotted line:
# a value written there, even where it covers the dots (a place filling the line on ink
# bleed, a short date whose dots the scan lost).
# Fresh draws 2749 and 5861: labels alone on their line 0.0 (one 0.026, specks), values
# right of their label 0.038 and more (names and places 0.063 and more).
WRITTEN_RIGHT = 0.045


def _written(dark: np.ndarray, baseline: int, h: float, x0: int, x1: int) -> float:
    """Share of the columns between x0 and x1 inked in the band above the baseline where
    letters' bodies are, in runs at least a letter wide (specks and a drum's thin streaks
    are narrower)."""
    band = dark[max(0, int(baseline - 0.9 * h)):max(0, int(baseline - 0.25 * h)), x0:x1]
    if band.size == 0:
        return 0.0
    cols = band.sum(axis=0) >= 2
    edges = np.diff(np.concatenate(([0], cols.astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return float(sum(int(e - s) for s, e in zip(starts, ends, strict=True)
                     if e - s >= 0.3 * h)) / cols.size


def _dots(dark: np.ndarray, baseline: int, h: float, x0: int, x1: int) -> int:
    """Isolated small blobs on the baseline between x0 and x1."""
    alone = _alone(dark, baseline, h, x0, x1)
    if alone.size == 0:
        return 0
    # Runs of isolated columns no wider than a dot.
    edges = np.diff(np.concatenate(([0], alone.astype(np.int8), [0])))
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return int(((ends - starts) <= max(2, 0.3 * h)).sum())


# A word read this confidently above a field is print (or a neighbour's value read
# well): the field's region starts under it.
PRINT_CONFIDENCE = 85.0
RISE = 0.5  # of the label's height: how far writing may rise past the line above's bottom


def _below_print(box: tuple[int, int, int, int], words: Sequence[Word],
                 label: list[Word], beneath: bool, baseline: float, line: float
                 ) -> tuple[tuple[int, int, int, int], tuple[tuple[int, int, int, int], ...]]:
    """``box`` between the confidently read lines around it, and the printed words above
    to whiten in it. The line above ("Dân tộc: Kinh  Quốc tịch: Việt Nam", the agency
    over "Số:") ends the box at its top, its words masked: handwriting rises past their
    bottom (dev: 14 of 18 cut crops lost their tops to it). The next line's label, whose
    value rises into the band, must not be read as part of this value: the box ends at
    its top."""
    x0, y0, x1, y1 = box
    label_top = min(w.bbox[1] for w in label)
    label_bottom = max(w.bbox[3] for w in label)
    printed = [w for w in words if w.confidence >= PRINT_CONFIDENCE
               and len(w.text.strip(".")) >= 2 and w not in label]
    # Or, on another line than the label's, by the word's middle: on ink bleed the boxes
    # of neighbouring lines overlap (the line above's bottom a pixel under the label's
    # top, fresh draw 3301: its print was left in the crop and read as the value). Not
    # on the label's own line: handwriting read well there rises above the label's top.
    lines = {w.line for w in label}
    above = [w for w in printed
             if y0 < w.bbox[3] and w.bbox[0] < x1 and w.bbox[2] > x0
             and (w.bbox[3] < label_top
                  or (w.line not in lines and (w.bbox[1] + w.bbox[3]) / 2 < label_top))]
    # The next printed line (its label, at the left margin): the value ends above it.
    # Its top may be over the label's bottom when the boxes swell (ink bleed: the date's
    # crop took in the place written under it, fresh draw 3301): a word at the label's
    # margin on another line whose middle is under the baseline by half a line is one.
    # Such a box swells upwards too: the value's descenders a quarter line under the
    # baseline stay in (dev: a date on a shadowed page).
    lx0 = label[0].bbox[0]
    below = [] if beneath else [
        w.bbox[1] if label_bottom < w.bbox[1] else max(w.bbox[1], int(baseline + 0.25 * line))
        for w in printed if w.bbox[1] < y1 and w.bbox[0] < x1 and (
            label_bottom < w.bbox[1]
            or (w.line not in lines and w.bbox[0] <= lx0 + line
                and (w.bbox[1] + w.bbox[3]) / 2 > baseline + 0.5 * line))]
    # Into the line above by a little (dev: the tops lost were 0.2–0.5 of a line height
    # above its bottom), not up to its top: a taller crop shrinks the writing for the
    # line model.
    h = statistics.median(w.bbox[3] - w.bbox[1] for w in label)
    top = max((w.bbox[3] - int(RISE * h) for w in above), default=y0)
    masks = tuple(w.bbox for w in above if w.bbox[3] > top)
    return (x0, max(y0, top), x1, min(below) if below else y1), masks


# The header's agency lines: words read confidently, in capitals, in the top quarter of
# the page, left of the title's centre. "Số:" is the dotted line under them.
HEADER = 0.25
NUMBER_DOTS = 10  # dots on a row for it to be the number's dotted line


def number_label(dark: np.ndarray, words: Sequence[Word]) -> Word | None:
    """"Số:" where tesseract did not read it (dev: 8 of 47 pages, most of the labels not
    found): a label word made up left of the dotted line right under the agency's name,
    the row below its last line with the most dots."""
    height, width = dark.shape
    header = [w for w in words if w.confidence >= PRINT_CONFIDENCE and w.bbox[3] < height * HEADER
              and w.bbox[2] < width * 0.42 and len(w.text) >= 2 and w.text.isupper()]
    if not header:
        return None
    h = statistics.median(w.bbox[3] - w.bbox[1] for w in header)
    # The agency's two or three lines from the top, not the title further down.
    first = min(w.bbox[1] for w in header)
    agency = [w for w in header if w.bbox[1] < first + 3.5 * h]
    bottom = max(w.bbox[3] for w in agency)
    last = [w for w in agency if w.bbox[3] > bottom - 0.5 * (w.bbox[3] - w.bbox[1])]
    # Boxes taller than the print can be (ink bleed) reach a line below it: the agency's
    # last line ends at its print's baseline (fresh draw 1409: "TÂN" boxed down to the
    # number's line, looked for under it).
    # The print's height: the label is made at it and the dotted line starts a line
    # under the print (the dots swell with the print: they are measured by the boxes').
    line = min(h, MAX_LINE * width)
    if last and h > line:
        bottom = min(bottom, int(_print_baseline(dark, last)))
    x0 = max(0, int(min(w.bbox[0] for w in agency) - 2 * h))
    x1 = min(width, int(max(w.bbox[2] for w in agency) + 2 * h))
    rows = range(int(bottom + 0.8 * line), min(int(height * HEADER), int(bottom + 3.5 * h)), 2)
    if not last or not rows:
        return None
    base = max(rows, key=lambda y: _dots(dark, y, h, x0, x1))
    if _dots(dark, base, h, x0, x1) < NUMBER_DOTS:
        return None
    # The first dot of the line: the label ends a little before it.
    band = dark[max(0, int(base - 0.15 * h)):int(base + 0.12 * h), x0:x1].any(axis=0)
    first = x0 + int(np.argmax(band))
    return Word("Số:", PRINT_CONFIDENCE, (max(0, int(first - 1.6 * line)), int(base - 0.85 * line),
                                          first, int(base + 0.15 * line)), (-1, 0, 0))


RULE_ROWS = 0.2  # of a word box's height: the thickest a rule crossing it is


def _print_baseline(dark: np.ndarray, words: Sequence[Word], ruled: bool = False) -> float:
    """The baseline of printed words from their ink: the last row of the band where the
    ink is densest (the letters' bodies; descenders and marks are sparse). For boxes too
    tall to be the print's (ink bleed: every box about twice the print, its bottom up to
    two thirds of a line below the print's baseline; the crops of values below their
    label then started under the writing). On other pages the two agree within a few
    pixels (fresh draw 3301)."""
    x0, x1 = min(w.bbox[0] for w in words), max(w.bbox[2] for w in words)
    y0, y1 = min(w.bbox[1] for w in words), max(w.bbox[3] for w in words)
    density = dark[y0:y1, x0:x1].mean(axis=1)
    # In a table (``ruled``), not its rule across the words (a side-by-side row's,
    # swollen boxes reaching over it: draw 23001 m0014's date row cut from the name row
    # above), nor its halo a few rows either side on ink bleed. Elsewhere such a run is
    # the dotted line run together under the label, the value's line (birth dev h0076).
    full = density >= RULE_SHARE
    thin = np.zeros_like(full)
    for r in _rules(density) if ruled else []:  # a thin run of full rows: a rule
        lo = hi = r
        while lo > 0 and full[lo - 1]:
            lo -= 1
        while hi + 1 < full.size and full[hi + 1]:
            hi += 1
        if hi - lo < RULE_ROWS * density.size:
            thin[lo:hi + 1] = True
    density = np.where(_spread(thin, 0, 3), 0.0, density)
    if density.size == 0 or float(density.max()) == 0.0:
        return float(y1)
    # The run of dense rows around the densest: a swollen box may reach the next line's
    # print.
    dense = density >= 0.5 * density.max()
    end = int(np.argmax(density))
    while end + 1 < dense.size and dense[end + 1]:
        end += 1
    return float(y0 + end)


def _print_end(key: str, label: Sequence[Word], h: float) -> int:
    """The least a label's print reaches right: its last word's letters (no further than
    the label's longest last word) at the pitch its other words give a letter, the colon
    left out (the writing may start over it). "Số:" alone: its two letters at the
    print's height (dev: 1.0–1.2 line heights to its colon's end)."""
    last = label[-1]
    body = label[:-1]
    letters = sum(len(w.text) for w in body)
    patterns = _patterns(key)
    if key == "number" or not body or not letters or not patterns:
        return last.bbox[0] + round(INK_FLOOR * h)
    per = sum(w.bbox[2] - w.bbox[0] for w in body) / letters
    n = min(len(_token(last.text)), max(len(p[-1]) for p in patterns))
    return last.bbox[0] + round(n * per)


INK_FLOOR = 0.9  # of the print's line height: "Số:"'s letters without its colon


def _grow(seed: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The ink connected to ``seed`` (8-neighbours)."""
    grown = seed & ink
    while True:
        spread = grown.copy()
        spread[1:] |= grown[:-1]
        spread[:-1] |= grown[1:]
        spread[:, 1:] |= spread[:, :-1]
        spread[:, :-1] |= spread[:, 1:]
        spread &= ink
        if np.array_equal(spread, grown):
            return grown
        grown = spread


def _ink_start(dark: np.ndarray, box: tuple[int, int, int, int],
               masks: Sequence[tuple[int, int, int, int]], baseline: int, h: float,
               floor: int) -> int:
    """Where the writing the box's left edge cuts starts: its strokes crossing that edge
    followed left, stroke to touching stroke (strokes a pixel or two apart are one: a
    faint pen breaks the "5" of "5/1976" in pieces on a low-ink page), no further than
    ``floor`` (the label's print). The dotted line's band does not count for where they
    start (dots run together lead along the line, not into the writing). ``box``'s left
    when no stroke crosses it."""
    x0, y0, _, y1 = box
    if floor >= x0 or y1 <= y0:
        return x0
    right = min(dark.shape[1], x0 + max(2, int(0.5 * h)))
    window = dark[y0:y1, floor:right].copy()
    for mx0, my0, mx1, my1 in masks:
        window[max(0, my0 - y0):max(0, my1 - y0), max(0, mx0 - floor):max(0, mx1 - floor)] = False
    bridged = window.copy()
    bridged[1:] |= window[:-1]
    bridged[:-1] |= window[1:]
    bridged[:, 1:] |= bridged[:, :-1]
    bridged[:, :-1] |= bridged[:, 1:]
    edge = x0 - floor
    seed = np.zeros_like(window)
    seed[:, edge:] = window[:, edge:]
    grown = _grow(seed, bridged) & window
    grown[max(0, int(baseline - 0.15 * h) - y0):max(0, int(baseline + 0.1 * h) - y0)] = False
    left = grown[:, :edge]
    cols = np.nonzero(left.any(axis=0))[0]
    rows = np.nonzero(left.any(axis=1))[0]
    # A colon's dot or a speck the edge cuts is no writing: what is cut must span
    # ``CUT_TALL`` of a line. Strokes running on into the label's print are the print's
    # (ink bleed joins the letters, the colon and the dots): the label ends there.
    if cols.size == 0 or cols[0] == 0 or rows[-1] - rows[0] < CUT_TALL * h:
        return x0
    return floor + int(cols[0])


CUT_TALL = 0.4  # of the line height: the least of a stroke cut by a crop's left edge


def regions(image: Image.Image, words: Sequence[Word], form: FormKind = FormKind.BIRTH
            ) -> list[Region]:
    """Each found field's region; fields whose label was not read are absent."""
    dark = page_dark(image)
    height, width = dark.shape
    right_edge = int(width * (1 - MARGIN))
    out = []
    found = find_labels(words, (width, height), form=form)
    # The number's dotted line under the agency's name: the birth form's place for it.
    if "number" not in found and form is FormKind.BIRTH:
        made = number_label(dark, words)
        if made is not None:
            found["number"] = [made]
    # The marriage form side by side: the spouses' fields in their cells of the table.
    table = side_table(words, (width, height)) if form is FormKind.MARRIAGE else None
    if table is None and form is FormKind.MARRIAGE:
        table = ruled_table(dark, words)
    if table is not None:
        out = side_regions(dark, words, table)
    elif form is FormKind.MARRIAGE:
        out = header_regions(dark, words)
        if not out and _heads(words, height):
            # Low ink: the table's rules are too light for the ink threshold (mixed set
            # dev m0056, its rules at 0.6–0.8 of the paper): its faint strokes' rules.
            gray = np.asarray(image.convert("L"))
            paper = float(np.percentile(gray[::2, ::2], 90))
            out = header_regions(np.asarray(gray < FAINT_OF_PAPER * paper), words)
    if table is not None or out:
        found = {k: v for k, v in found.items() if k == "number"}
    for key, label in found.items():
        # No taller than print of the forms' size can be at the page's resolution: on ink
        # bleed every word box tesseract draws is about twice the print (dev: median word
        # 55–63 px at 200 dpi, 30 on other pages), and a crop that tall takes in the lines
        # above and below.
        body = label[:-1] or label
        boxed = statistics.median(w.bbox[3] - w.bbox[1] for w in body)
        h = min(boxed, MAX_LINE * width)
        lx0 = label[0].bbox[0]
        ly0 = min(w.bbox[1] for w in label)
        # The last word may carry handwriting tesseract glued to it, lower than the print.
        baseline = statistics.median(w.bbox[3] for w in body) - 0.15 * h
        # Not from a label of one word ("Số:"): handwriting glued to it is in its box.
        if boxed > h and len(label) > 1:
            baseline = min(baseline, _print_baseline(dark, body))
        end = min(_label_end(label[-1], h), _spelt_end(key, label))
        x1 = number_end(label[0], words, width, h) if key == "number" else right_edge
        # Right of the label or on the line below? A value written right of its label
        # has a dotted line there, on the label's baseline; a label whose value goes below
        # stands alone. Tesseract often glues the dots to a word ("sinh:....", "mẹ...");
        # otherwise they are counted as dots: small blobs on the baseline with no ink just
        # above or below them (writing rising from the line below crosses the baseline in
        # strokes that continue up and down).
        line_words = [w for w in words if w.line == label[0].line]
        glued = any("..." in w.text for w in line_words if w.bbox[0] >= label[-1].bbox[0])
        right = (end + int(0.3 * h), x1)
        # Nor writing over the dotted line's band (its dots covered or lost).
        below = (key != "number" and not glued
                 and _dots(dark, int(baseline), h, *right) < DOTS_RIGHT
                 and not _ruled(dark, int(baseline), h, *right)
                 and _written(dark, int(baseline), h, *right) < WRITTEN_RIGHT)
        if below:
            # The dotted line below: the row with the most dots, a line's spacing down.
            base: float = max(range(int(baseline + 1.2 * h), int(baseline + 2.6 * h), 2),
                              key=lambda y: _dots(dark, y, h, lx0, x1))
            # From the label's middle: the writing's tall letters rise past its baseline
            # (fresh draws 2749, 5861: 6 crops lost their tops under a box starting 0.2 of
            # a line lower). The label's own print is whitened rather than cut away.
            box = (max(0, lx0 - int(0.5 * h)), max(int(base - 2.6 * h), int(baseline - 0.5 * h)),
                   x1, min(height, int(base + 1.6 * h)))
        else:
            base = baseline
            # A little left of the label's estimated end: writing may start over the colon.
            # Not the number's: "Số:" read with it gives a digit ("5188" for 88; dev: 4).
            left = end if key == "number" else end - int(0.5 * h)
            box = (max(0, left), max(0, int(baseline - 2.6 * h)), x1,
                   min(height, int(baseline + 1.6 * h)))
        box, masks = _below_print(box, words, label, below, baseline, h)
        if not below:
            # Writing begun over the label's colon or glued to it: the crop starts where
            # the strokes it cuts start, not where the label's letters say it ends.
            start = _ink_start(dark, box, masks, int(baseline), h, _print_end(key, label, h))
            box = (start, *box[1:])
        if below:
            # The label's span to its print's baseline, not its words' boxes: on ink bleed
            # the print's halo reaches out of them, and its remains over the writing were
            # read as letters (test half: "sử Xuan Lam" for "Bùi Xuân Lâm").
            masks = (*masks, (max(0, lx0 - int(0.5 * h)), box[1], end + int(0.5 * h),
                              int(baseline + 0.15 * h)))
        # No room for a value: a "Số:" found past the header's left half (fresh draw 9437,
        # a dirty drum page: its crop ran right to left and the page's reading failed).
        if box[2] - box[0] < h or box[3] <= box[1]:
            continue
        label_box = (lx0, ly0, end, int(baseline + 0.15 * h))
        out.append(Region(key, box, below, label_box, int(base), int(h), masks))
    return out


def region_dark(image: Image.Image, region: Region) -> tuple[np.ndarray, int]:
    """The region's ink (True: dark) with the masked print whitened, and the paper's
    gray level."""
    x0, y0, _, _ = region.box
    gray = np.asarray(image.crop(region.box).convert("L"))
    paper = float(np.percentile(gray[::2, ::2], 90)) if gray.size else 255.0
    dark = ink(gray, paper)
    for mx0, my0, mx1, my1 in region.masks:
        dark[max(0, my0 - y0):max(0, my1 - y0), max(0, mx0 - x0):max(0, mx1 - x0)] = False
    return dark, int(paper)


def _band(rows: np.ndarray, start: int, gap: int) -> tuple[int, int]:
    """The run of inked rows around ``start``, gaps of up to ``gap`` rows bridged: the
    writing on a line, not print or specks further up."""
    inked = np.nonzero(rows)[0]
    if inked.size == 0:
        return 0, rows.size - 1
    # From the inked row nearest the baseline.
    i = int(np.argmin(np.abs(inked - start)))
    lo = hi = i
    while lo > 0 and inked[lo] - inked[lo - 1] <= gap:
        lo -= 1
    while hi < inked.size - 1 and inked[hi + 1] - inked[hi] <= gap:
        hi += 1
    return int(inked[lo]), int(inked[hi])


def ink_box(image: Image.Image, region: Region) -> tuple[int, int, int, int]:
    """The region trimmed to its ink, with paper around it: what a recognizer or a clerk
    is shown. Columns are judged without the dotted line's own band (the dots run on to
    the margin; the writing stops); rows are those of the writing's band around the
    baseline (print or specks apart from it above are left out)."""
    x0, y0, x1, y1 = region.box
    h = region.line_height
    dark, _ = region_dark(image, region)
    band = slice(max(0, region.baseline - y0 - int(0.15 * h)),
                 max(0, region.baseline - y0 + int(0.1 * h)))
    off_dots = dark.copy()
    off_dots[band] = False
    rows = dark.sum(axis=1) > 1
    if not rows.any():
        return region.box
    top, bottom = _band(rows, region.baseline - y0, max(2, int(0.3 * h)))
    xs = np.nonzero(off_dots[top:bottom + 1].sum(axis=0) > 1)[0]
    if xs.size == 0:
        return region.box
    pad = max(4, int(0.25 * h))
    return (max(x0, x0 + int(xs[0]) - pad), max(y0, y0 + top - pad),
            min(x1, x0 + int(xs[-1]) + pad), min(y1, y0 + bottom + pad))


# Low ink: the print's rules (and strokes) fade to a gray lighter than
# ``INK_OF_PAPER`` of the paper (mixed set dev m0056: the table's rules at 0.6–0.8 of
# it). Where the rules are looked for again on such a page, this share is ink.
FAINT_OF_PAPER = 0.8


# The marriage certificate side by side (Thông tư 04/2020/TT-BTP's template, older
# printings too): a ruled table whose header row names each spouse's column ("Thông tin
# người chồng" / "Thông tin người vợ", "Bên chồng" / "Bên vợ", "Chồng" / "Vợ"), then a
# row per field: its label once in a column left of both spouses' columns, or repeated
# in each spouse's column before the value. A value is in its spouse's cell, bounded by
# the cell's rules.
SPOUSE_HEADS = ("chong", "vo")
# How far under the header row the name's row starts, in the header's line heights.
SIDE_FIRST_ROW = 4.0
# A table rule: a column (row) inked over this share of the table's height (the cell's
# width), a pixel or two either side counted (the deskew's residue).
RULE_SHARE = 0.8
# How much less than a rule near it a streak's densest column is inked (of the band's
# height): draw 23001 m0004, rules 1.0, the drum's streak 0.65.
STREAK_WEAKER = 0.2


@dataclass(frozen=True)
class SideTable:
    """The spouses' table: its header row's words and the rows' labels (husband's
    first; the wife's is her column's repeated label where read, else the row's)."""

    header: tuple[Word, ...]
    rows: dict[str, tuple[list[Word], list[Word]]]  # "name", "birth_date": (his, hers)
    # Each spouse's header's span (x0, x1), centred in its column; the wife's is None
    # where her "vợ" was not read.
    spans: tuple[tuple[int, int], tuple[int, int] | None] = ((0, 0), None)


def side_table(words: Sequence[Word], size: tuple[int, int]) -> SideTable | None:
    """The spouses' table if the page has one: a line with a spouse's word for each
    ("chồng" left of "vợ", a fifth of the page apart) and, a few lines under it, a row
    starting with a name label that names no spouse ("Họ, chữ đệm, tên", "Họ và tên").
    The sequential form's "Chồng  Vợ" over the signatures has no such row under it."""
    width = size[0]
    lines = sorted(_lines(words), key=lambda ws: min(w.bbox[1] for w in ws))
    # A header names its spouse's column without a colon: "chồng:" ends the sequential
    # form's label "Họ và tên chồng:", which noise read right of it on a noisy-top
    # photocopy ("Vu", confidence 8) made a table's header (marriage test half m0034).
    for his in (w for w in words if _close(_token(w.text), SPOUSE_HEADS[0])
                and ":" not in w.text):
        middle_y = (his.bbox[1] + his.bbox[3]) / 2
        # The header row by its height, not tesseract's lines: it may read the two
        # headers as two lines.
        line = sorted((w for w in words if w.text.strip() and _token(w.text)
                       and his.bbox[1] <= (w.bbox[1] + w.bbox[3]) / 2 <= his.bbox[3]
                       and w.bbox[1] <= middle_y <= w.bbox[3]), key=lambda w: w.bbox[0])
        hers = next((w for w in line if _her_head(_token(w.text))
                     and w.bbox[0] - his.bbox[2] > 0.2 * width), None)
        h = label_height([his], width)
        top = his.bbox[1]
        if hers is not None:
            # Between the two headers (each centred in its column): the first word of
            # the wife's header is the run of words ending at "vợ".
            k = line.index(hers)
            while k > 0 and line[k].bbox[0] - line[k - 1].bbox[2] < 1.5 * h \
                    and line[k - 1] is not his:
                k -= 1
            middle = (his.bbox[2] + line[k].bbox[0]) // 2
            her_span: tuple[int, int] | None = (line[k].bbox[0], hers.bbox[2])
        else:
            her_span = None
            # "Vợ" lost (ink bleed): a row's label repeated right of the husband's header
            # must show the wife's column.
            middle = his.bbox[2] + int(2 * h)
        rows: dict[str, tuple[list[Word], list[Word]]] = {}
        for below in lines:
            if statistics.median((w.bbox[1] + w.bbox[3]) / 2 for w in below) <= his.bbox[3]:
                continue
            if min(w.bbox[1] for w in below) - top > (SIDE_FIRST_ROW + 6) * h:
                break
            for key in ("name", "birth_date"):
                if key in rows:
                    continue
                found = _row_labels(below, key, width, middle)
                if found is not None:
                    rows[key] = found
        first = rows.get("name") or rows.get("birth_date")
        if first is None or min(w.bbox[1] for w in first[0]) - top > SIDE_FIRST_ROW * h * (
                1 if "name" in rows else 2.5):
            continue
        if hers is None and all(b is a for a, b in rows.values()):
            continue
        j = line.index(his)
        while j > 0 and line[j].bbox[0] - line[j - 1].bbox[2] < 1.5 * h:
            j -= 1
        return SideTable((his, *([hers] if hers is not None else [])), rows,
                         ((line[j].bbox[0], his.bbox[2]), her_span))
    return None


# Line heights above and below a row label's print over which the table's vertical rules
# are looked for when its header row is not read: the rows above (the header's) and
# below are the table's too, and a handwritten stroke is never that tall.
RULED_BAND = 1.0
# The least width of a spouse's column, of the page width (the table's columns: 0.35 or
# 0.5 of the body's width).
RULED_COLUMN = 0.18


def ruled_table(dark: np.ndarray, words: Sequence[Word]) -> SideTable | None:
    """The spouses' table when its header row is not read (fax, ink bleed, a noisy top):
    a row label that names no spouse at the start of its line ("Họ, chữ đệm, tên", "Ngày,
    tháng, năm sinh") in the first cell of a ruled table of two spouses' columns (and
    the label column): vertical rules crossing the row and the rows above and below it.
    The sequential form has no such rules; its name labels name their spouse."""
    height, width = dark.shape
    lines = sorted(_lines(words), key=lambda ws: min(w.bbox[1] for w in ws))
    rows: dict[str, tuple[list[Word], list[Word]]] = {}
    edges: list[int] = []
    for line in lines:
        # The table is under the title, in the page's upper half (as its header).
        if line[0].bbox[1] > HEADS_ABOVE * height or line[0].bbox[0] > 0.5 * width:
            continue
        for key in ("name", "birth_date"):
            if key in rows:
                continue
            # The label alone first (the right half is the spouses' whatever the middle).
            alone = _row_labels(line, key, width, width)
            if alone is None:
                continue
            label = alone[0]
            h = label_height(label, width)
            y0 = int(min(w.bbox[1] for w in label) - RULED_BAND * h)
            y1 = int(max(w.bbox[3] for w in label) + RULED_BAND * h)
            if y0 < 0 or y1 > height:
                continue
            start = label[0].bbox[0]
            rules = [x for x in _column_rules(dark, y0, y1) if x < start + h]
            rules = [rules[-1]] if rules and start - rules[-1] < 3 * h else []
            rules += [x for x in _column_rules(dark, y0, y1) if x > start + h]
            cells = [(a, b) for a, b in pairwise(rules) if b - a > RULED_COLUMN * width]
            # Two spouses' columns right of the label's start (and the label's own).
            if len(rules) < 3 or len(cells) < 2 or cells[0][0] != rules[0]:
                continue
            if edges and abs(rules[0] - edges[0]) > h:
                continue  # another table's rows: one table only
            edges = edges or rules
            middle = cells[-1][0]
            rows[key] = _row_labels(line, key, width, middle) or alone
    if not rows:
        return None
    return SideTable((), rows)


# The wife's header as tesseract reads it: "Vợ", or its horned "ơ" read as the other
# horned vowel ("Vự": clean 300 dpi page of draw 1249, m0003). Not any vowel: noise over a
# noisy-top photocopy reads "công:" and "Vệ" on one row above a date's row (marriage dev
# m0053, a sequential form taken for a table when any "v?" passed).
HER_HEADS = frozenset((SPOUSE_HEADS[1], "vu"))


FLAT = 0.25  # of the line's median word height: a box flatter is no printed word


def _her_head(token: str) -> bool:
    """The wife's header word (``HER_HEADS``, folded)."""
    return token in HER_HEADS


def _row_labels(line: list[Word], key: str, width: int, middle: int
                ) -> tuple[list[Word], list[Word]] | None:
    """A table row's label for ``key`` at the start of ``line`` (left of the spouses'
    middle), and the wife's column's repeated label right of ``middle`` if read."""
    patterns = (*LABELS[key], *(BARE_NAME if key == "name" else ()))
    # No word of a box too flat for print: a dropped word joined back to the line can be
    # a sliver of it (a "và" 2 px high beside the read "và": low-ink page of draw 1277,
    # m0001), and "Họ và và tên:" is no label.
    tall = statistics.median(w.bbox[3] - w.bbox[1] for w in line)
    line = [w for w in line if w.bbox[3] - w.bbox[1] >= FLAT * tall]
    tokens = [_token(w.text) for w in line]
    left = [w for w in line if w.bbox[0] < middle]
    label = _label_in(left, tokens[:len(left)], patterns, SPOUSE_HEADS, width)
    if label is None and key == "birth_date":
        label = _loose(left, key)
    # A name row's label glued or a letter off in two words ("Họ,chữ đệm, tan": draw
    # 1249 m0002): its letters within the loose edits of the four-word wording. Not "Họ
    # và tên" loosely: a name written at a line's start ("Hồ Văn Tân") is as near it.
    if label is None and key == "name":
        label = _loose(left, key)
    if label is None:
        label = _glued(left[:1], patterns)
    if label is None or any(tokens[:line.index(label[0])]):
        return None
    right = [w for w in line if w.bbox[0] >= middle]
    rtokens = [_token(w.text) for w in right]
    hers = _glued(right[:1], patterns)
    for pattern in patterns:
        for start in range(len(right) - len(pattern) + 1):
            if _matches(rtokens[start:start + len(pattern)], pattern):
                hers = right[start:start + len(pattern)]
                break
        if hers is not None:
            break
    return label, hers or label


def _glued(words: Sequence[Word], patterns: tuple[tuple[str, ...], ...]) -> list[Word] | None:
    """The first of ``words`` when it is a whole label read as one word, its spaces lost
    ("Hovàtên", "Hovàtn" on clean 300 dpi pages: draws 3163 m0019, 4451 m0012), its
    letters a letter off one of ``patterns`` spelt without spaces."""
    if not words:
        return None
    letters = "".join(re.findall(r"[a-z]+", fold_aligned(words[0].text).lower()))
    spelt = ("".join(p) for p in patterns if len(p) > 1)
    near = any(len(p) >= 5 and edit_distance(letters, p) <= 1 for p in spelt)
    return [words[0]] if near else None


def _rules(ink_share: np.ndarray) -> list[int]:
    """The middles of the runs where ``ink_share`` is over ``RULE_SHARE``."""
    on = np.concatenate(([0], (ink_share > RULE_SHARE).astype(np.int8), [0]))
    edges = np.diff(on)
    starts, ends = np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0]
    return [int((s + e - 1) // 2) for s, e in zip(starts, ends, strict=True)]


def _spread(a: np.ndarray, axis: int, by: int = 2) -> np.ndarray:
    """``a`` or'ed with itself shifted up to ``by`` either way along ``axis``."""
    out = a.copy()
    for k in range(1, by + 1):
        if axis == 1:
            out[:, k:] |= a[:, :-k]
            out[:, :-k] |= a[:, k:]
        else:
            out[k:] |= a[:-k]
            out[:-k] |= a[k:]
    return out


def _column_rules(dark: np.ndarray, y0: int, y1: int) -> list[int]:
    """The table's vertical rules between rows y0 and y1. Not a dirty drum's streak of
    specks down the page (draw 23001 m0004: the husband's column cut in two at it): with
    a rule within a column's width (``RULED_COLUMN``) inked clearly more in a column of
    its own (a rule's ink is a line; the streak's is scattered), it is no rule."""
    band = dark[max(0, y0):max(0, y1)]
    if band.shape[0] < 4:
        return []
    found = _rules(_spread(band, 1).mean(axis=0))
    raw = band.mean(axis=0)
    strength = {x: float(raw[max(0, x - 3):x + 4].max()) for x in found}
    column = RULED_COLUMN * dark.shape[1]
    return [x for x in found if not any(abs(o - x) < column
                                        and strength[o] - strength[x] > STREAK_WEAKER
                                        for o in found)]


def _row_rules(dark: np.ndarray, x0: int, x1: int, y0: int, y1: int) -> list[int]:
    """The table's horizontal rules across a cell (x0–x1) between rows y0 and y1."""
    y0 = max(0, y0)
    band = dark[y0:max(y0, y1), max(0, x0):max(0, x1)]
    if band.size == 0:
        return []
    return [y0 + r for r in _rules(_spread(band, 0, 1).mean(axis=1))]


def _header_columns(table: SideTable, his_label: list[Word], her_label: list[Word],
                    h: float, width: int) -> list[tuple[int, int]]:
    """The spouses' columns from their headers, each centred in its column: both read,
    the columns meet between them and reach as far the other way; the wife's lost and
    the row's label repeated in her column, hers starts a little before that label and
    runs to the margin."""
    (a, b), hers = table.spans
    right = int(width * (1 - MARGIN))
    if hers is not None:
        half = (hers[0] - b) // 2
        middle = b + half
        return [(max(0, a - half), middle), (middle, min(right, hers[1] + half))]
    if her_label is not his_label:
        middle = her_label[0].bbox[0] - int(0.5 * h)
        return [(his_label[0].bbox[0] - int(0.5 * h), middle), (middle, right)]
    return []


def side_regions(dark: np.ndarray, words: Sequence[Word], table: SideTable
                 ) -> list[Region]:
    """Each spouse's name and birth date in their cell of the table: right of the row's
    label where it is repeated in the spouse's column (on the dotted line under it when
    the label stands alone on its line), the whole cell where the labels have a column
    of their own; left and right at the cell's rules, top and bottom at the row's."""
    height, width = dark.shape
    out: list[Region] = []
    labels = [w for pair in table.rows.values() for w in pair[0]]
    # Without a header read (``ruled_table``): from the rows above the first label.
    top = (min(w.bbox[1] for w in table.header) if table.header else
           int(min(w.bbox[1] for w in labels) - RULED_BAND * label_height(labels, width)))
    bottom = max(w.bbox[3] for w in labels) if labels else top
    rules = _column_rules(dark, top, bottom)
    # Per row cut whole from a label column between its rules: its rules above and under,
    # its baseline and line height, the spouses' columns (``_next_row``).
    cut: dict[str, tuple[int, int, float, float, list[tuple[int, int]]]] = {}
    for key, (his_label, her_label) in table.rows.items():
        body = his_label[:-1] or his_label
        boxed = statistics.median(w.bbox[3] - w.bbox[1] for w in body)
        h = label_height(body, width)
        baseline = statistics.median(w.bbox[3] for w in body) - 0.15 * h
        # Boxes swollen by ink bleed: the print's baseline from its ink, as ``regions``.
        if boxed > h and len(his_label) > 1:
            baseline = min(baseline, _print_baseline(dark, body, ruled=True))
        start = his_label[0].bbox[0]
        # The cell the label starts in, and those right of it.
        cells = [(a, b) for a, b in pairwise(rules) if b - a > 2 * h]
        at = next((i for i, (a, b) in enumerate(cells) if a - h <= start < b), None)
        labelled = at is not None and len(cells) - at >= 3  # a label column, the spouses'
        spouses = ([] if at is None else cells[at + 1:at + 3] if labelled
                   else cells[at:at + 2])
        if len(spouses) < 2:
            # The rules not found (faint or broken on a low-ink page): the columns from
            # the headers, each centred in its own.
            spouses = _header_columns(table, his_label, her_label, h, width)
            if not spouses:
                continue
            labelled = start < spouses[0][0] - h
            rules = [spouses[0][0], spouses[1][1]]
        offset = min(_label_end(his_label[-1], h), _spelt_end(key, his_label)) - spouses[0][0]
        for who, (cl, cr), label in zip(SPOUSES, spouses, (his_label, her_label), strict=True):
            pad = max(3, int(0.15 * h))
            x0, x1 = cl + pad, cr - pad
            if not labelled:
                end = (min(_label_end(label[-1], h), _spelt_end(key, label))
                       if label is not his_label or who == "husband" else cl + offset)
                x0 = max(x0, end)
            # The table's rules run across all its columns; a dotted line run together by
            # ink bleed spans one cell at most.
            ruled = _row_rules(dark, rules[0] + 2 * pad, rules[-1] - 2 * pad,
                               int(baseline - 3 * h), int(baseline + 3.5 * h))
            above = [r for r in ruled if r < baseline - 0.6 * h]
            under = [r for r in ruled if r > baseline + 0.3 * h]
            y0 = (max(above) + pad) if above else int(baseline - 2.6 * h)
            y1 = (min(under) - pad) if under else int(baseline + 1.6 * h)
            below = (not labelled and x1 - x0 > h
                     and _written(dark, int(baseline), h, x0, x1) < WRITTEN_RIGHT
                     and _dots(dark, int(baseline), h, x0, x1) < DOTS_RIGHT // 3
                     and not _ruled(dark, int(baseline), h, x0, x1))
            base = baseline
            masks: tuple[tuple[int, int, int, int], ...] = ()
            if below:
                rows = range(int(baseline + 1.0 * h), max(int(baseline + 1.0 * h) + 1,
                                                           y1 - int(0.1 * h)), 2)
                base = max(rows, key=lambda y: _dots(dark, y, h, cl + pad, cr - pad))
                masks = ((cl, y0, x0 + int(0.5 * h), int(baseline + 0.15 * h)),)
                x0 = cl + pad
                y0 = max(y0, int(base - 2.6 * h), int(baseline - 0.5 * h))
            # The rules found must hold the line the value is written on (a baseline
            # misjudged puts a row's rule on the wrong side of it): else the usual band.
            if not y0 < base < y1:
                y0, y1 = int(base - 2.6 * h), int(base + 1.6 * h)
            if not labelled and not below and (label is not his_label or who == "husband"):
                # Writing begun over the label's colon or glued to it, as ``regions``
                # (``_ink_start``): the label's end is estimated from its words, and
                # tesseract glues the writing's first letters to the last one (draw 1249:
                # "tên:Lê..Thành", the "L" cut).
                x0 = _ink_start(dark, (x0, max(0, y0), x1, min(height, y1)), masks,
                                int(baseline), h, max(cl, _print_end(key, label, h)))
            if x1 - x0 < h:
                continue
            label_box = (label[0].bbox[0], min(w.bbox[1] for w in label),
                         label[-1].bbox[2], int(baseline + 0.15 * h))
            out.append(Region(f"{who}_{key}", (x0, max(0, y0), x1, min(height, y1)), below,
                              label_box, int(base), int(h), masks))
            if labelled and above and under and who == "husband":
                cut[key] = (max(above), min(under), baseline, h, spouses)
    out.extend(r for r in _next_row(dark, cut, rules)
               if not any(o.key == r.key for o in out))  # a row cut, though not whole
    return out


# The table's rows in the order both printings have them: the name's, then the date's.
SIDE_ORDER = ("name", "birth_date")
# A row is at least this many of the header's line heights tall (a dotted line and its
# writing), and the two first rows end this far under the header at most.
ROW_TALL = 1.2
HEADER_ROWS = 8.0
# Where a whole cell's value is written, from its bottom rule, of the cell's height: its
# dotted line (draw 23001 m0014: 13 px of a 77 px row).
CELL_LINE = 0.2


def _row_ink(dark: np.ndarray, y: int, x0: int, x1: int) -> float:
    """The share of columns x0–x1 inked on the fullest of rows y-2 to y+2."""
    return float(dark[max(0, y - 2):y + 3, x0:x1].mean(axis=1).max())


HEADS_ABOVE = 0.5  # of the page's height: the table's header is above it, under the title


def _heads(words: Sequence[Word], height: int) -> list[Word]:
    """The husband's column headers a table may have: "chồng" without a colon, in the
    page's upper half (the sequential form's "Chồng" over the signatures is lower; no
    table is looked for there, nor the page's faint ink measured for it)."""
    # Spelt exactly once folded: one letter off, the motto's "CỘNG" would head a table.
    return [w for w in words if _token(w.text) == SPOUSE_HEADS[0]
            and ":" not in w.text and w.bbox[1] < HEADS_ABOVE * height]


def header_regions(dark: np.ndarray, words: Sequence[Word]) -> list[Region]:
    """Each spouse's name and birth date in a label-column table whose header row is read
    ("… chồng" and "… vợ", a fifth of the page apart) but none of its row labels (ink
    bleed: draw 23001 m0020, "Ngày, tháng, năm sinh" read "Raày, tháng sanh"; the header's
    "Thông tin người chồng" read "Tiên chồng" was then taken for the sequential form's
    "tên chồng"): the spouses' columns are the cells of the table's rules under their
    headers, the first two rows under the header the name's and the date's, as both
    printings order them. Only where the labels have their own column: with the label
    repeated in each spouse's cell, where its print ends is not known."""
    height, width = dark.shape
    for his in _heads(words, height):
        middle_y = (his.bbox[1] + his.bbox[3]) / 2
        hers = next((w for w in words if _her_head(_token(w.text))
                     and w.bbox[0] - his.bbox[2] > 0.2 * width
                     and w.bbox[1] <= middle_y <= w.bbox[3]), None)
        h = label_height([his], width)
        rules = _column_rules(dark, his.bbox[1], int(his.bbox[3] + HEADER_ROWS * h))
        cells = [(a, b) for a, b in pairwise(rules) if b - a > RULED_COLUMN * width]
        mine = next((i for i, c in enumerate(cells)
                     if c[0] < (his.bbox[0] + his.bbox[2]) // 2 < c[1]), None)
        # His column after the label column, hers the next (her "vợ" lost on a low-ink
        # page: mixed set dev m0056, whose "Bên chồng" was taken for "tên chồng").
        if mine is None or mine == 0 or mine + 1 >= len(cells):
            continue
        a, b = cells[mine + 1]
        if hers is not None and not a < (hers.bbox[0] + hers.bbox[2]) // 2 < b:
            continue
        columns = cells[mine:mine + 2]
        pad = max(3, int(0.15 * h))
        x0, x1 = rules[0] + 2 * pad, rules[-1] - 2 * pad
        ruled: list[int] = []
        # A rule too close under the one before to part two rows: the dotted line run
        # together by ink bleed (draw 23001 m0020: 0.79 of the table's width, the rule
        # 18 px under it 1.0), one of them no rule; the fuller kept.
        for r in _row_rules(dark, x0, x1, his.bbox[3], int(his.bbox[3] + HEADER_ROWS * h)):
            if r <= his.bbox[3]:
                continue
            if ruled and r - ruled[-1] < ROW_TALL * h:
                if _row_ink(dark, r, x0, x1) > _row_ink(dark, ruled[-1], x0, x1):
                    ruled[-1] = r
                continue
            ruled.append(r)
        spans = list(pairwise(ruled[:3]))
        if len(spans) < 2 or any(b - a < ROW_TALL * h for a, b in spans):
            continue
        out = []
        for key, (top, bottom) in zip(SIDE_ORDER, spans, strict=True):
            base = bottom - int(CELL_LINE * (bottom - top))
            for who, (cl, cr) in zip(SPOUSES, columns, strict=True):
                out.append(Region(f"{who}_{key}", (cl + pad, top + pad, cr - pad,
                                                    min(height, bottom - pad)),
                                  False, (cl, top, cl, top), base, int(h)))
        return out
    return []


def _next_row(dark: np.ndarray, cut: dict[str, tuple[int, int, float, float,
                                                       list[tuple[int, int]]]],
              rules: list[int]) -> list[Region]:
    """The spouses' cells of a label-column table's name or date row whose label is not
    read (ink bleed: draw 23001 m0014's "Họ và tên" lost, its date's row read): the row
    over the date's, or under the name's, between the table's next rule and the found
    row's, its value's line as far from its rule as the found row's."""
    height = dark.shape[0]
    out: list[Region] = []
    for key in SIDE_ORDER:
        other = SIDE_ORDER[1 - SIDE_ORDER.index(key)]
        if key in cut or other not in cut:
            continue
        above, under, baseline, h, spouses = cut[other]
        pad = max(3, int(0.15 * h))
        if key == "name":  # the row over the found one
            ruled = _row_rules(dark, rules[0] + 2 * pad, rules[-1] - 2 * pad,
                               int(above - 4 * h), int(above - h))
            if not ruled:
                continue
            y0, y1 = max(ruled), above
            base = y1 - (under - baseline)
        else:  # the row under it
            ruled = _row_rules(dark, rules[0] + 2 * pad, rules[-1] - 2 * pad,
                               int(under + h), int(under + 4 * h))
            if not ruled:
                continue
            y0, y1 = under, min(ruled)
            base = y1 - (under - baseline)
        for who, (cl, cr) in zip(SPOUSES, spouses, strict=True):
            box = (cl + pad, max(0, y0 + pad), cr - pad, min(height, y1 - pad))
            out.append(Region(f"{who}_{key}", box, False, (cl, y0, cl, y0), int(base), int(h)))
    return out
