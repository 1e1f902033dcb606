"""Which result type a paper is: its title read fuzzily, then weighted keywords.

Titles are printed large near the top and usually survive OCR, but a slip or two is
common, so they are compared by similarity on folded text rather than equality.
Keywords break ties between close titles and carry pages whose title is unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from extract.lines import Line
from extract.text import fold
from records.result_types import ResultType

TITLE_WEIGHT = 10.0
MIN_TITLE_SIMILARITY = 0.7  # below this a line says nothing about the title
MIN_CONFIDENCE = 0.5
MIN_SEPARATION = 0.25  # (best - second) / best below this: two types too close to call
TITLE_SEARCH_LINES = 14  # the title sits under the header; lower down, papers cite other papers


@dataclass(frozen=True)
class Classification:
    doc_type: str | None
    confidence: float
    title: str | None  # the title as printed, when one was recognised
    title_lines: tuple[int, int] | None  # [start, end) of the title's lines
    scores: dict[str, float]


def _ratio(matcher: SequenceMatcher[str], text: str) -> float:
    matcher.set_seq1(text)
    # The cheap upper bounds skip most windows that cannot reach the threshold.
    if (
        matcher.real_quick_ratio() < MIN_TITLE_SIMILARITY
        or matcher.quick_ratio() < MIN_TITLE_SIMILARITY
    ):
        return 0.0
    return matcher.ratio()


def _similarity(phrase: str, line: str) -> float:
    """Best similarity of ``phrase`` to a window of ``line`` of about the same length."""
    matcher: SequenceMatcher[str] = SequenceMatcher(None, "", phrase)
    words = line.split()
    size = len(phrase.split())
    if len(words) <= size:
        return _ratio(matcher, line)
    return max(_ratio(matcher, " ".join(words[i : i + size])) for i in range(len(words) - size + 1))


def _windows(folded_lines: list[str]) -> list[tuple[int, int, str]]:
    """Single lines and runs of two or three: long titles are printed over several lines."""
    return [
        (start, start + size, " ".join(folded_lines[start : start + size]))
        for size in (1, 2, 3)
        for start in range(len(folded_lines) - size + 1)
    ]


def _title_score(
    result_type: ResultType, windows: list[tuple[int, int, str]]
) -> tuple[float, tuple[int, int] | None]:
    best, where = 0.0, None
    for start, end, text in windows:
        for title in result_type.titles:
            # Slightly prefer higher lines, so a cited paper never outranks the title.
            sim = _similarity(title, text) - 0.002 * start
            # On a tie the shorter window wins: it is the title without its neighbours.
            if sim > best + 1e-9:
                best, where = sim, (start, end)
    if best < MIN_TITLE_SIMILARITY:
        return 0.0, None
    return TITLE_WEIGHT * (best - MIN_TITLE_SIMILARITY) / (1 - MIN_TITLE_SIMILARITY), where


def classify(lines: list[Line], catalog: dict[str, ResultType]) -> Classification:
    """The most likely type with a confidence in [0, 1]; ``doc_type`` ``None`` when unsure."""
    windows = _windows([fold(line.text) for line in lines[:TITLE_SEARCH_LINES]])
    everything = " ".join(fold(line.text) for line in lines)
    scores: dict[str, float] = {}
    title_lines: dict[str, tuple[int, int] | None] = {}
    for code, result_type in catalog.items():
        title_score, where = _title_score(result_type, windows)
        keyword_score = sum(w for k, w in result_type.keywords.items() if k in everything)
        scores[code] = round(title_score + keyword_score, 3)
        title_lines[code] = where
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    if not ranked or ranked[0][1] <= 0:
        return Classification(None, 0.0, None, None, scores)
    best_code, best = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    separation = (best - second) / best
    confidence = round(min(1.0, best / TITLE_WEIGHT) * (0.5 + 0.5 * separation), 3)
    where = title_lines[best_code]
    title = " ".join(ln.text for ln in lines[where[0] : where[1]]) if where else None
    if confidence < MIN_CONFIDENCE or separation < MIN_SEPARATION:
        return Classification(None, confidence, title, where, scores)
    return Classification(best_code, confidence, title, where, scores)
