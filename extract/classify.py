"""Which result type a paper is: weighted evidence from the whole page, read fuzzily.

A page is folded (lower case, no diacritics) and cut into word tokens. Each catalog
phrase — the type's titles and its keywords — is looked for as a run of tokens where
every longer word may carry one OCR slip (a letter dropped, added or changed). Titles count
most when found near the top, where they are printed; lower down papers cite other
papers ("Giấy chứng nhận quyền sử dụng đất số …" on a building permit). Title words
shared by many types ("giấy", "chứng", "nhận") weigh less than the words that tell
them apart, so a half-read title cannot pass for another type's. Keywords anywhere on
the page add their weight, so a paper whose title line was lost is still recognised.

When no title was read at all (the top of the page lost to a fold, bleed or the edge),
the body alone may decide, under a stricter rule: several of one type's keyword phrases,
enough weight, and no other type close (``_by_body``). Anything less stays unsure, so a
lost title sends the paper to review rather than to a wrong type.

Token lookups go through indexes of one-deletion variants (symmetric delete): a few
dictionary probes per phrase word instead of a string similarity against every line.
Short words are compared exactly after folding and merging look-alike shapes (l/1/i,
0/o): one slip in a four-letter word often makes another real word.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from extract.lines import Line
from records.folding import fold_phrase
from records.result_types import ResultType

TITLE_WEIGHT = 10.0
MIN_TITLE_QUALITY = 0.7  # weighted share of a title's words found in order; below, no title
MIN_TITLE_SHARE = 0.6  # and this share of its words, however common
MIN_CONFIDENCE = 0.5
MIN_SEPARATION = 0.25  # (best - second) / best below this: two types too close to call
# The body alone, when no type's title was read: the best type needs this keyword weight
# from at least this many distinct phrases, and every other type at most this share of
# its weight. Tuned on draws 5309 and 7741 with their titles removed (bench --title-lost).
BODY_MIN_SCORE = 4.0
BODY_MIN_PHRASES = 2
BODY_MAX_RIVAL_SHARE = 0.4
TITLE_SEARCH_LINES = 14  # the title sits under the header; lower down, papers cite other papers
MIN_FUZZY_LENGTH = 5  # shorter words must be read exactly (folded, shapes merged):
# one slip turns "sinh" into "tinh", "khai" into "khoa"


_TOKEN = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Classification:
    doc_type: str | None
    confidence: float
    title: str | None  # the title as printed, when one was recognised
    title_lines: tuple[int, int] | None  # [start, end) of the title's lines
    scores: dict[str, float]


# Characters tesseract confuses in print, mapped to one shape on both sides.
_SHAPES = str.maketrans({"l": "i", "1": "i", "j": "i", "0": "o"})


def _shape(token: str) -> str:
    return token.translate(_SHAPES)


def _deletions(token: str) -> list[tuple[int, str]]:
    return [(i, token[:i] + token[i + 1 :]) for i in range(len(token))]


@dataclass(frozen=True)
class _Page:
    """Folded tokens of a page, the line each stands on, and fuzzy lookup indexes."""

    lines: tuple[int, ...]  # token index → line index
    first: dict[int, int]  # line index → its first token index
    exact: dict[str, list[int]]  # shape-folded token → positions
    changed: dict[tuple[int, str], list[int]]  # (i, token without letter i) → positions
    shorter: dict[str, list[int]]  # token without one letter → positions
    # line index → how many lines with a word of three letters or digits stand above it:
    # a page edge full of specks read as "lì", "II", "LÍ" must not push the title below
    # the lines where titles are looked for.
    rank: dict[int, int]

    def positions(self, word: str) -> set[int]:
        """Token indexes where ``word`` was read, allowing one slip in long words."""
        word = _shape(word)
        found = set(self.exact.get(word, ()))
        if len(word) < MIN_FUZZY_LENGTH:
            return found
        found.update(self.shorter.get(word, ()))  # a letter too many on the page
        for key in _deletions(word):
            found.update(self.changed.get(key, ()))  # one letter read as another
            found.update(self.exact.get(key[1], ()))  # a letter lost on the page
        return found


def _page(lines: list[Line]) -> _Page:
    line_of: list[int] = []
    exact: dict[str, list[int]] = {}
    changed: dict[tuple[int, str], list[int]] = {}
    shorter: dict[str, list[int]] = {}
    rank: dict[int, int] = {}
    for line_index, line in enumerate(lines):
        tokens = _TOKEN.findall(fold_phrase(line.text))
        if any(len(token) >= 3 for token in tokens):
            rank[line_index] = len(rank)
        if all(len(token) == 1 for token in tokens):
            # A speck or a rule read as a letter on a line of its own ("I", "Í", "l"):
            # between two lines of a title it would break the title's run of words.
            continue
        for token in tokens:
            position = len(line_of)
            line_of.append(line_index)
            token = _shape(token)
            exact.setdefault(token, []).append(position)
            if len(token) >= MIN_FUZZY_LENGTH:
                for key in _deletions(token):
                    changed.setdefault(key, []).append(position)
                    shorter.setdefault(key[1], []).append(position)
    first: dict[int, int] = {}
    for position, line_index in enumerate(line_of):
        first.setdefault(line_index, position)
    return _Page(tuple(line_of), first, exact, changed, shorter, rank)


@dataclass(frozen=True)
class _Match:
    quality: float  # weighted share of the phrase's words found in order
    share: float  # unweighted share of the phrase's words found in order
    start: int  # token index of the phrase's first word
    end: int  # token index after its last word


def _find(page: _Page, words: tuple[str, ...], weights: tuple[float, ...]) -> list[_Match]:
    """Every placement of ``words`` with at least one word read, best quality first."""
    total = sum(weights)
    gained: dict[int, float] = {}
    found: Counter[int] = Counter()
    for offset, (word, weight) in enumerate(zip(words, weights, strict=True)):
        for position in page.positions(word):
            if position >= offset:
                gained[position - offset] = gained.get(position - offset, 0.0) + weight
                found[position - offset] += 1
    matches = [
        _Match(
            gain / total, found[start] / len(words), start, min(start + len(words), len(page.lines))
        )
        for start, gain in gained.items()
    ]
    return sorted(matches, key=lambda m: (-m.quality, m.start))


@dataclass(frozen=True)
class _Phrases:
    """A catalog's phrases folded into words, with title-word weights, computed once."""

    titles: dict[str, list[tuple[tuple[str, ...], tuple[float, ...]]]]
    # (words, weight, own): own when no other type's title or keyword holds the words
    keywords: dict[str, list[tuple[tuple[str, ...], float, bool]]]


def _words(phrase: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold_phrase(phrase)))


def _phrases(catalog: dict[str, ResultType]) -> _Phrases:
    title_words = {code: [_words(t) for t in rt.titles] for code, rt in catalog.items()}
    # A title word found in many types' titles says little about which type this is.
    spread = Counter(w for titles in title_words.values() for w in {w for t in titles for w in t})
    titles = {
        code: [(words, tuple(1.0 / spread[w] for w in words)) for words in titles if words]
        for code, titles in title_words.items()
    }
    # Every run of words inside each type's titles and keywords, to tell which keyword
    # phrases another type's catalog entry also holds.
    runs = {
        code: {
            words[i:j]
            for words in [_words(t) for t in rt.titles] + [_words(k) for k in rt.keywords]
            for i in range(len(words))
            for j in range(i + 1, len(words) + 1)
        }
        for code, rt in catalog.items()
    }

    def own(code: str, words: tuple[str, ...]) -> bool:
        return not any(words in held for other, held in runs.items() if other != code)

    keywords = {
        code: [
            (_words(k), weight, own(code, _words(k)))
            for k, weight in rt.keywords.items()
            if _words(k)
        ]
        for code, rt in catalog.items()
    }
    return _Phrases(titles, keywords)


def _title(
    page: _Page, titles: list[tuple[tuple[str, ...], tuple[float, ...]]]
) -> tuple[float, tuple[int, int] | None]:
    """The best title placement in the title area: its score and [start, end) tokens."""
    best: tuple[float, int, int] | None = None
    for words, weights in titles:
        for match in _find(page, words, weights):
            if match.quality < MIN_TITLE_QUALITY:
                break
            line = page.lines[match.start]
            # A title is printed on its own lines, mostly read: not a few of its words
            # inside a body line ("… BÁ KHẢI. Sinh ngày" is not "Giấy khai sinh").
            if (
                page.rank.get(line, 0) >= TITLE_SEARCH_LINES
                or match.share < MIN_TITLE_SHARE
                or match.start - page.first[line] > 1
            ):
                continue
            # Slightly prefer higher placements, so a cited paper never outranks the title.
            quality = match.quality - 0.002 * line
            if best is None or quality > best[0] + 1e-9:
                best = (quality, match.start, match.end)
            break
    if best is None:
        return 0.0, None
    quality, start, end = best
    score = TITLE_WEIGHT * (quality - MIN_TITLE_QUALITY) / (1 - MIN_TITLE_QUALITY)
    return max(score, 0.0), (start, end)


@dataclass(frozen=True)
class _Body:
    score: float  # summed weight of the keyword phrases found
    own: float  # the part of it from phrases no other type's catalog entry holds
    phrases: int  # how many distinct such phrases were found


def _keywords(page: _Page, keywords: list[tuple[tuple[str, ...], float, bool]]) -> _Body:
    score, own, phrases = 0.0, 0.0, 0
    for words, weight, owned in keywords:
        matches = _find(page, words, tuple(1.0 for _ in words))
        # Every word must be there (each may carry one slip): a keyword that is only
        # partly present is often another type's ("người đi khai tử" / "khai sinh").
        if matches and matches[0].quality >= 1.0 - 1e-9:
            score += weight
            if owned:
                own += weight
                phrases += 1
    return _Body(score, own, phrases)


def _by_body(bodies: dict[str, _Body]) -> tuple[str, float] | None:
    """The type the body alone names, with its confidence, when no title was read.

    Only phrases of the type's own count: a phrase another type's catalog entry also
    holds is cited on that type's papers ("kết hôn" in "chưa đăng ký kết hôn" on a
    marital status certificate). One phrase is never enough, nor a rival type with a
    fair share of the weight (all its phrases): then the page goes to review as unsure.
    """
    ranked = sorted(bodies.items(), key=lambda item: item[1].own, reverse=True)
    if not ranked:
        return None
    code, best = ranked[0]
    rival = max((body.score for other, body in ranked if other != code), default=0.0)
    if (
        best.own < BODY_MIN_SCORE
        or best.phrases < BODY_MIN_PHRASES
        or rival > BODY_MAX_RIVAL_SHARE * best.own
    ):
        return None
    # Read from the body only: never as sure as a title, however much body there is.
    confidence = MIN_CONFIDENCE + 0.25 * (1 - rival / best.own) * min(1.0, best.own / TITLE_WEIGHT)
    return code, round(confidence, 3)


def classify(lines: list[Line], catalog: dict[str, ResultType]) -> Classification:
    """The most likely type with a confidence in [0, 1]; ``doc_type`` ``None`` when unsure."""
    page = _page(lines)
    phrases = _phrases(catalog)  # cheap next to the page: not worth a cache
    scores: dict[str, float] = {}
    bodies: dict[str, _Body] = {}
    title_tokens: dict[str, tuple[int, int] | None] = {}
    for code in catalog:
        title_score, where = _title(page, phrases.titles[code])
        bodies[code] = _keywords(page, phrases.keywords[code])
        scores[code] = round(title_score + bodies[code].score, 3)
        title_tokens[code] = where
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] <= 0:
        return Classification(None, 0.0, None, None, scores)
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    separation = (best - second) / best
    confidence = round(min(1.0, best / TITLE_WEIGHT) * (0.5 + 0.5 * separation), 3)
    tokens = title_tokens[best_code]
    where = (page.lines[tokens[0]], page.lines[tokens[1] - 1] + 1) if tokens else None
    title = " ".join(ln.text for ln in lines[where[0] : where[1]]) if where else None
    if confidence >= MIN_CONFIDENCE and separation >= MIN_SEPARATION:
        return Classification(best_code, confidence, title, where, scores)
    if not any(title_tokens.values()):  # no title read at all: the body may decide alone
        body = _by_body(bodies)
        if body is not None:
            return Classification(body[0], body[1], None, None, scores)
    return Classification(None, confidence, title, where, scores)
