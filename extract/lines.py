"""Lines of a page with the OCR confidence of every character range.

Fields are found by matching labels on line text; the confidence of a value is the
lowest confidence of the OCR words it was read from. Lines come from tesseract's
words (grouped by block/paragraph/line and split where a wide horizontal gap shows
two columns printed side by side, as in the header of every administrative paper) or,
when only text is known (a PDF that already carried text), from the text itself.
"""

from __future__ import annotations

import itertools
import re
import statistics
import unicodedata
from dataclasses import dataclass, field

from ocr.base import Word

# A gap wider than this many line heights separates two columns on the same baseline.
COLUMN_GAP_HEIGHTS = 2.5


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    confidence: float
    bbox: tuple[int, int, int, int] | None = None


@dataclass
class Line:
    text: str
    page: int  # 0-based
    spans: list[Span] = field(default_factory=list)

    def confidence(self, start: int, end: int) -> float | None:
        """Lowest word confidence over ``text[start:end]``; ``None`` when text-only."""
        hits = [s.confidence for s in self.spans if s.start < end and s.end > start]
        return min(hits) if hits else None

    def words(self, start: int, end: int) -> tuple[tuple[str, float], ...]:
        """The OCR words over ``text[start:end]`` with their confidences (empty when text-only)."""
        return tuple(
            (self.text[s.start : s.end], s.confidence)
            for s in self.spans
            if s.start < end and s.end > start
        )

    @property
    def x0(self) -> int | None:
        boxes = [s.bbox for s in self.spans if s.bbox]
        return min(b[0] for b in boxes) if boxes else None

    @property
    def y0(self) -> int | None:
        boxes = [s.bbox for s in self.spans if s.bbox]
        return min(b[1] for b in boxes) if boxes else None


def _line_from_words(words: list[Word], page: int) -> Line:
    parts: list[str] = []
    spans: list[Span] = []
    pos = 0
    for word in words:
        text = unicodedata.normalize("NFC", word.text)
        if parts:
            pos += 1
        parts.append(text)
        spans.append(Span(pos, pos + len(text), word.confidence, word.bbox))
        pos += len(text)
    return Line(text=" ".join(parts), page=page, spans=spans)


def _split_columns(words: list[Word]) -> list[list[Word]]:
    heights = [w.bbox[3] - w.bbox[1] for w in words if w.bbox[3] > w.bbox[1]]
    height = statistics.median(heights) if heights else 0
    groups: list[list[Word]] = [[words[0]]]
    for prev, word in itertools.pairwise(words):
        if height and word.bbox[0] - prev.bbox[2] > COLUMN_GAP_HEIGHTS * height:
            groups.append([word])
        else:
            groups[-1].append(word)
    return groups


def lines_from_words(pages: list[list[Word]]) -> list[Line]:
    """Reading-order lines of every page, columns on one baseline kept apart."""
    lines: list[Line] = []
    for page_no, words in enumerate(pages):
        grouped: dict[tuple[int, int, int], list[Word]] = {}
        for word in words:
            if word.text.strip():
                grouped.setdefault(word.line, []).append(word)
        for line_words in grouped.values():
            line_words.sort(key=lambda w: w.bbox[0])
            lines.extend(_line_from_words(g, page_no) for g in _split_columns(line_words))
    return lines


def lines_from_text(pages_text: list[str]) -> list[Line]:
    """Lines of plain text; runs of three or more spaces (or tabs) separate columns."""
    lines: list[Line] = []
    for page_no, text in enumerate(pages_text):
        for raw in text.splitlines():
            for cell in re.split(r"\t+| {3,}", raw):
                cell = unicodedata.normalize("NFC", " ".join(cell.split()))
                if cell:
                    lines.append(Line(text=cell, page=page_no))
    return lines
