"""Highlighted excerpts: ``<mark>`` around the matched words, everything else HTML-escaped.

Matching is done on folded text aligned character by character with the original, so a
query typed without diacritics highlights the words as written ("hung" marks "HÙNG").
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from records.folding import fold_aligned, nfc

SNIPPET_CHARS = 180
_LEAD_CHARS = 40


def phrase_pattern(phrases: Sequence[Sequence[str]]) -> re.Pattern[str] | None:
    """One regex matching any of the phrases (lists of tokens) as whole words."""
    alternatives = sorted(
        {r"[\W_]+".join(re.escape(t) for t in phrase) for phrase in phrases if phrase},
        key=len,
        reverse=True,
    )
    if not alternatives:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(alternatives) + r")(?![^\W_])")


def _best_window(spans: list[tuple[int, int]], length: int) -> tuple[int, int]:
    """The window of ``SNIPPET_CHARS`` holding the most matches, starting a little before
    the first of them so the reader sees some context."""
    best_start, best_count = spans[0][0], 0
    # A long text can match hundreds of times; the first ones are enough to choose from.
    for start, _ in spans[:100]:
        count = sum(1 for s, e in spans if s >= start and e <= start + SNIPPET_CHARS)
        if count > best_count:
            best_start, best_count = start, count
    begin = max(0, best_start - _LEAD_CHARS)
    return begin, min(length, begin + SNIPPET_CHARS)


def _widen_to_words(text: str, begin: int, end: int) -> tuple[int, int]:
    while begin > 0 and not text[begin - 1].isspace():
        begin -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return begin, end


def highlight(text: str, phrases: Sequence[Sequence[str]]) -> str | None:
    """An escaped excerpt of ``text`` with the phrases marked, or None if none occurs."""
    original = " ".join(nfc(text).split())
    pattern = phrase_pattern(phrases)
    if pattern is None or not original:
        return None
    spans = [m.span() for m in pattern.finditer(fold_aligned(original))]
    if not spans:
        return None
    begin, end = _widen_to_words(original, *_best_window(spans, len(original)))
    parts: list[str] = ["…"] if begin > 0 else []
    cursor = begin
    for start, stop in spans:
        if start < begin or stop > end:
            continue
        parts.append(html.escape(original[cursor:start]))
        parts.append("<mark>" + html.escape(original[start:stop]) + "</mark>")
        cursor = stop
    parts.append(html.escape(original[cursor:end]))
    if end < len(original):
        parts.append("…")
    return "".join(parts)


def excerpt(text: str) -> str | None:
    """The escaped opening of ``text``, when nothing in it was matched."""
    original = " ".join(nfc(text).split())
    if not original:
        return None
    if len(original) <= SNIPPET_CHARS:
        return html.escape(original)
    _, end = _widen_to_words(original, 0, SNIPPET_CHARS)
    return html.escape(original[:end]) + ("…" if end < len(original) else "")
