"""Constrained decoding of a line model's CTC output: the most probable reading that a
field's grammar allows, instead of the most probable character at each step.

Greedy decoding picks each frame's best symbol on its own; a handwritten "1" that looks
like a "7" by a hair makes "37/02/1990", a date that cannot be. The grammar here walks
the frames with a prefix beam search (Graves' CTC prefix search, pruned) that only ever
extends a reading along what the field allows: for a date, digits and separators forming
a real day, month and a year in the paper's range; for a register number, digits with an
optional year or catalog symbol; for a name, Vietnamese syllables (``extract.syllables``'s
closed set). Among the complete readings of the beam the most probable one that passes
the field's checks is taken; its confidence is its probability against the best path any
reading could have had, per character (1.0 when the grammar cost nothing).
"""

from __future__ import annotations

import functools
import heapq
import math
import unicodedata
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

import numpy as np

from extract.handcheck import REGISTER_SYMBOLS
from extract.syllables import ONSETS, RHYMES, TONES, is_syllable
from records.vntime import vietnam_today

NEG = -math.inf
# Symbols below this probability at a frame are not tried there (they would not win, and
# trying all 227 at each of a few hundred frames costs seconds).
MIN_PROB = 1e-3
BEAM = 24
# The most symbols tried at a frame (the most probable, the blank among them): where the
# model is unsure of the ink (ink bleed, a crop squeezed to ``handread.MAX_WIDTH``) a
# hundred symbols pass ``MIN_PROB`` at a frame and each makes a new reading of every beam
# (a date's search on such a crop took 1.5 s of CPU, fresh draw 26002).
MAX_TRIED = 24
# A frame whose blank is this probable is taken as blank only (the rest, under 1e-3 in
# all, is what ``MIN_PROB`` skips anyway): a third of a line's frames on the dev crops,
# which saves the search about 8 % of its time.
BLANK_SURE = math.log(1 - MIN_PROB)


def _lse(a: float, b: float) -> float:
    if a == NEG:
        return b
    if b == NEG:
        return a
    m = max(a, b)
    return m + math.log1p(math.exp(-abs(a - b)))


class Grammar(Protocol):
    """What a field may read as: states are hashable; ``step`` gives the next state or
    None when the character is not allowed there."""

    def start(self) -> Hashable: ...

    def step(self, state: Any, char: str) -> Hashable | None: ...

    def final(self, state: Any) -> bool: ...


@dataclass(frozen=True)
class Decoded:
    text: str
    log_prob: float  # of the reading, summed over its alignments (the beam's share)
    confidence: float  # per character, against the best path: see ``confidence``


def best_path_log_prob(frames: np.ndarray[Any, Any]) -> float:
    """Log probability of the single best alignment: an upper bound for any reading's."""
    return float(frames.max(axis=-1).sum())


def confidence(log_prob: float, best: float, text: str) -> float:
    """How much less probable than the best path a reading is, per character (0..1): a
    long address pays for its length otherwise."""
    return math.exp(min(0.0, log_prob - best) / max(1, len(text)))


def beam_search(frames: np.ndarray[Any, Any], chars: dict[int, str], blank: int,
                grammar: Grammar, beam: int = BEAM) -> list[Decoded]:
    """Complete readings the grammar allows, most probable first. ``frames``: [T, C] log
    probabilities of the CTC symbols (``chars``: index → character; ``blank``)."""
    # (text, state) → (log p ending in blank, log p ending in its last character)
    beams: dict[tuple[str, Hashable], tuple[float, float]] = {("", grammar.start()): (0.0, NEG)}
    floor = math.log(MIN_PROB)
    # The grammar's steps are pure: each (state, character) is judged once per search
    # (the beam's readings share most of their states; a name's syllable lookups were a
    # third of the search's time).
    steps: dict[tuple[Hashable, str], Hashable | None] = {}

    def step(state: Hashable, ch: str) -> Hashable | None:
        key = (state, ch)
        if key not in steps:
            steps[key] = grammar.step(state, ch)
        return steps[key]

    for t in range(frames.shape[0]):
        row = frames[t]
        p_blank = float(row[blank])
        if p_blank > BLANK_SURE:
            # Nothing written here (most frames between characters): every reading only
            # ends in a blank, and what any character could add is under the skip floor.
            beams = {key: (_lse(pb, pnb) + p_blank, NEG) for key, (pb, pnb) in beams.items()}
            continue
        above = np.nonzero(row > floor)[0]
        if above.size > MAX_TRIED:
            above = above[np.argsort(-row[above], kind="stable")[:MAX_TRIED]]
            above.sort()
        tried = [(ch, float(row[k])) for k in above
                 if int(k) != blank and (ch := chars.get(int(k), ""))]
        # (text, state) -> [log p ending in blank, log p ending in its last character];
        # adding NEG to a sum leaves it as it is (``_lse``), so only the other is summed.
        nxt: dict[tuple[str, Hashable], list[float]] = {}
        for (text, state), (pb, pnb) in beams.items():
            total = _lse(pb, pnb)
            cur = nxt.setdefault((text, state), [NEG, NEG])
            cur[0] = _lse(cur[0], total + p_blank)
            last = text[-1:] if text else ""
            for ch, lp in tried:
                if ch == last:
                    # The same character again: a repeat collapses unless a blank parted it.
                    cur = nxt.setdefault((text, state), [NEG, NEG])
                    cur[1] = _lse(cur[1], pnb + lp)
                    p = pb + lp
                else:
                    p = total + lp
                key = (state, ch)
                new = steps[key] if key in steps else step(state, ch)
                if new is not None:
                    cur = nxt.setdefault((text + ch, new), [NEG, NEG])
                    cur[1] = _lse(cur[1], p)
        # ``_lse`` of each entry once; ``nlargest`` is ``sorted(..., reverse=True)[:beam]``
        # (ties in insertion order), without sorting the rest.
        ranked = heapq.nlargest(beam, nxt.items(), key=lambda kv: _lse(*kv[1]))
        beams = {key: (v[0], v[1]) for key, v in ranked}
    best = best_path_log_prob(frames)
    out = [Decoded(text, lp, confidence(lp, best, text))
           for (text, state), v in beams.items() if grammar.final(state)
           for lp in (_lse(*v),)]
    return sorted(out, key=lambda d: d.log_prob, reverse=True)


def decode(frames: np.ndarray[Any, Any], chars: dict[int, str], blank: int, grammar: Grammar,
           accept: Callable[[str], str | None], beam: int = BEAM,
           prefer: Callable[[str], bool] | None = None, margin: float = 0.0,
           prior: Callable[[str], float] | None = None) -> tuple[str, Decoded] | None:
    """The most probable reading the grammar allows whose value ``accept`` gives (None:
    the field's checks refuse it), with the value; or, when ``prefer`` is given, the most
    probable whose value it prefers, if it is less probable by no more than ``margin``
    (natural log). ``prior``: a log-probability added to each value's before ranking (how
    usual the value is)."""
    passing = []
    for d in beam_search(frames, chars, blank, grammar, beam):
        value = accept(d.text)
        if value is not None:
            if prefer is None and prior is None:
                return value, d
            passing.append((value, d))
    if not passing:
        return None
    if prior is not None:
        passing.sort(key=lambda vd: vd[1].log_prob + prior(vd[0]), reverse=True)
    if prefer is None:
        return passing[0]
    first = passing[0][1].log_prob + (prior(passing[0][0]) if prior else 0.0)
    return next(((v, d) for v, d in passing
                 if d.log_prob + (prior(v) if prior else 0.0) >= first - margin and prefer(v)),
                passing[0])


# ---------------------------------------------------------------- grammars

# What the line model reads around a value: the label's tail ("h:", "ố:"), the dots'
# remains, quotes. Before a value only such marks and letters (no digit); after it only
# marks.
_MARKS = frozenset(" .,:;'\"-_|")
_SEPARATORS = frozenset("/.-,: ")


class DateGrammar:
    """d/m/yyyy with one to three separators between the parts (the reading of a slash:
    "/", "./", "-", "."), the day and month real, the year within ``years``; letters and
    marks before (the label's tail), marks after. ``within``: the first and last days the
    date may be (the paper's issue and a century before it): a reading whose whole date
    falls outside, or is no day of the calendar (30 February), ends there, as the checks
    would refuse it anyway. Without it the beam filled with such readings and their
    trailing dots ("29.5.1986....." on a form issued in January 1986, twenty of them) and
    the date that was written fell out of it."""

    def __init__(self, years: tuple[int, int],
                 within: tuple[date, date] | None = None) -> None:
        self.years = years
        self.within = within

    def start(self) -> Hashable:
        return (("pre", ""),)

    # A state is the tuple of the readings' states still possible (most one, two where a
    # digit before the date may be the label's tail, below).
    def step(self, state: Any, char: str) -> Hashable | None:
        nxt = {s for sub in state for s in self._steps(sub, char) if s is not None}
        return tuple(sorted(nxt, key=repr)) if nxt else None

    def final(self, state: Any) -> bool:
        return any(self._final(sub) for sub in state)

    def _steps(self, state: Any, char: str) -> list[Hashable | None]:
        # A lone digit before the date, then a colon or marks run together: the label's
        # colon read as a digit ("1...16/7/1951." on a marriage form's "sinh:"). The
        # grammar had to take it for the day ("1951-06-01" proposed for 16 July 1951);
        # the reading now goes on both ways, the digit a day and the label's tail.
        if state[0] == "day" and len(state) == 2 and len(state[1]) == 1 and char in _MARKS:
            return [self._step(state, char), ("tail", char == ":", 1)]
        if state[0] == "tail":
            _, colon, marks = state
            if char in _MARKS:
                return [("tail", colon or char == ":", min(3, marks + 1))]
            # After a colon, or two marks or more: one mark is a day's separator.
            return [("day", char)] if char.isdigit() and (colon or marks >= 2) else []
        return [self._step(state, char)]

    def _step(self, state: Any, char: str) -> Hashable | None:
        phase, digits = state[0], state[1]
        if phase == "pre":
            if char.isdigit():
                return ("day", char)
            return state if not char.isdigit() else None
        # The day and month read so far ride in the state (its last items) so that the
        # whole date can be judged when the year's last digit comes.
        if phase in ("day", "month"):
            kept = state[2:]
            if char.isdigit():
                if len(digits) >= 2:
                    return None
                value = int(digits + char)
                limit = 31 if phase == "day" else 12
                return (phase, digits + char, *kept) \
                    if 1 <= value <= limit or digits == "" else None
            if char in _SEPARATORS and digits and int(digits) > 0:
                return (phase + "_sep", (*kept, int(digits)), 1)
            return None
        if phase in ("day_sep", "month_sep"):
            _, kept, count = state
            if char in _SEPARATORS:
                return (phase, kept, count + 1) if count < 3 else None
            if char.isdigit():
                return ("month", char, *kept) if phase == "day_sep" else ("year", char, *kept)
            return None
        if phase == "year":
            if char.isdigit():
                if len(digits) >= 4:
                    return None
                year = digits + char
                lo, hi = (str(y)[:len(year)] for y in self.years)
                if not lo <= year <= hi:
                    return None
                if len(year) == 4 and not self._allowed(int(year), *state[2:]):
                    return None
                return ("year", year, *state[2:])
            return ("post", digits) if len(digits) == 4 and char in _MARKS else None
        if phase == "post":
            return state if char in _MARKS else None
        return None

    def _allowed(self, year: int, day: int, month: int) -> bool:
        if self.within is None:
            return True
        try:
            value = date(year, month, day)
        except ValueError:
            return False
        return self.within[0] <= value <= self.within[1]

    def _final(self, state: Any) -> bool:
        return state[0] in ("year", "post") and len(state[1]) == 4


# What a line model reads for the slash between a number and its year or symbol.
_DOT_SLASH = frozenset(".")
_SYMBOL_PREFIXES = frozenset(s[:k] for s in REGISTER_SYMBOLS for k in range(1, len(s) + 1))


class NumberGrammar:
    """A register number: 1–5 digits, then optionally "/" and a year or a register's
    symbol (``REGISTER_SYMBOLS``); marks and letters before (the label's tail "ố:"),
    marks after."""

    def start(self) -> Hashable:
        return ("pre", 0)

    def step(self, state: Any, char: str) -> Hashable | None:
        phase, n = state
        if phase == "pre":
            if char.isdigit():
                return ("num", 1) if char != "0" else None
            return state
        if phase == "num":
            if char.isdigit():
                # Up to a number and its year with the slash lost (``check_number``).
                return ("num", n + 1) if n < 7 else None
            if char == "/":
                return ("slash", 0)
            if char in _DOT_SLASH:
                return ("dot", 0)
            return ("post", 0) if char in _MARKS else None
        if phase == "dot":
            # A slash read as a dot ("45.1984", "387.KS"): a year or a register's
            # symbol may follow, as after a slash; else it was a mark after the number.
            if char.isdigit():
                return ("year", 1)
            if char.upper() in _SYMBOL_PREFIXES:
                return ("symbol", char.upper())
            return ("post", 0) if char in _MARKS else None
        if phase == "slash":
            if char.isdigit():
                return ("year", 1)
            # "ks" read for KS: the value is in capitals anyway.
            return ("symbol", char.upper()) if char.upper() in _SYMBOL_PREFIXES else None
        if phase == "year":
            if char.isdigit():
                return ("year", n + 1) if n < 4 else None
            return ("post", 0) if n == 4 and char in _MARKS else None
        if phase == "symbol":
            grown = n + char.upper()
            if grown in _SYMBOL_PREFIXES:
                return ("symbol", grown)
            return ("post", 0) if char in _MARKS and n in REGISTER_SYMBOLS else None
        if phase == "post":
            return state if char in _MARKS else None
        return None

    def final(self, state: Any) -> bool:
        phase, n = state
        return phase in ("num", "post", "dot") or (phase == "year" and n == 4) or (
            phase == "symbol" and n in REGISTER_SYMBOLS)


@functools.cache
def syllables() -> tuple[frozenset[str], frozenset[str]]:
    """Every Vietnamese syllable in capitals (NFC), a tone mark on any of its vowels, and
    every prefix of one."""
    vowels = set("aăâeêioôơuưy")
    sac, nang = "\u0301", "\u0323"
    found: set[str] = set()
    for onset in ONSETS:
        # After qu and gi the rhyme's u or i may be the onset's own ("quy", "gìn").
        bases = {onset + r for r in RHYMES} | (
            {onset + r[1:] for r in RHYMES} if onset in ("qu", "gi") else set())
        for base in bases:
            positions = [i for i, c in enumerate(base) if c in vowels]
            if not positions:
                continue
            first = base[:positions[0] + 1] + sac + base[positions[0] + 1:]
            if not (is_syllable(base) or is_syllable(first)):
                continue
            # A rhyme ending in a stop takes only sắc or nặng (``is_syllable``'s rule).
            marks = [sac, nang] if not is_syllable(base) else ["", *TONES]
            for mark in marks:
                for i in positions if mark else [-1]:
                    word = base if i < 0 else base[:i + 1] + mark + base[i + 1:]
                    found.add(unicodedata.normalize("NFC", word).upper())
    prefixes = {w[:k] for w in found for k in range(len(w) + 1)}
    return frozenset(found), frozenset(prefixes)


class NameGrammar:
    """Words that are Vietnamese syllables (any case: compared in capitals), spaces
    between them, two to six of them; marks before and after. A short run of letters
    ended by a colon before the name is the label's tail ("n:" of "tên:") and starts the
    name again. ``given``: when set, the words after the family name are only these
    (capitals, NFC): the common middle and given names' syllables."""

    def __init__(self, given: frozenset[str] | None = None) -> None:
        self.words, self.prefixes = syllables()
        self.given = given
        self.given_prefixes = None if given is None else frozenset(
            w[:k] for w in given for k in range(len(w) + 1))

    def _word(self, word: str, count: int) -> bool:
        return word in (self.words if self.given is None or count == 0 else self.given)

    def _prefix(self, word: str, count: int) -> bool:
        if self.given_prefixes is None or count == 0:
            return word in self.prefixes
        return word in self.given_prefixes

    def start(self) -> Hashable:
        return ("pre", "", 0)

    def step(self, state: Any, char: str) -> Hashable | None:
        phase, word, count = state
        if phase == "pre":
            if char in _MARKS:
                return state
            phase = "word"
        if phase == "post":
            return state if char in _MARKS else None
        if char == " ":
            if not word:
                return state  # two spaces read for one
            return ("word", "", count + 1) if self._word(word, count) and count < 5 else None
        if char == ":" and count == 0 and len(word) <= 3:
            return ("pre", "", 0)
        grown = word + char.upper()
        if self._prefix(grown, count):
            return ("word", grown, count)
        if char in _MARKS and self._word(word, count):
            return ("post", "", count + 1)
        return None

    def final(self, state: Any) -> bool:
        phase, word, count = state
        if phase == "post":
            return count >= 2
        return phase == "word" and self._word(word, count) and count >= 1


def year_range(issued_on: date | None, max_age: int) -> tuple[int, int]:
    if issued_on is None:
        return (1900, vietnam_today().year)
    return (issued_on.year - max_age, issued_on.year)


def ctc_log_prob(frames: np.ndarray[Any, Any], text: str, index: dict[str, int],
                 blank: int) -> float:
    """Log probability of ``text`` over all its CTC alignments (the forward algorithm);
    -inf when it holds a character the model has no symbol for."""
    if any(c not in index for c in text):
        return NEG
    labels = [index[c] for c in text]
    ext = np.full(2 * len(labels) + 1, blank, dtype=np.int64)
    ext[1::2] = labels
    s = ext.size
    # A label may skip the blank before it unless it repeats the label two back.
    skip = np.zeros(s, dtype=bool)
    skip[2:] = (ext[2:] != blank) & (ext[2:] != ext[:-2])
    alpha = np.full(s, NEG)
    alpha[0] = frames[0, blank]
    if s > 1:
        alpha[1] = frames[0, ext[1]]
    for t in range(1, frames.shape[0]):
        prev1 = np.concatenate(([NEG], alpha[:-1]))
        prev2 = np.where(skip, np.concatenate(([NEG, NEG], alpha[:-2])), NEG)
        alpha = np.logaddexp(np.logaddexp(alpha, prev1), prev2) + frames[t, ext]
    return float(np.logaddexp(alpha[-1], alpha[-2]) if s > 1 else alpha[-1])

