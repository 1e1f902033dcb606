"""Character error rate, the one way every figure in bench/ and every test scores text.

CER = Levenshtein distance between the recognized text and the truth over the length
of the truth, both in NFC with whitespace collapsed (line breaks and spacing are
layout, not characters read).
"""

from __future__ import annotations

import unicodedata

import numpy as np


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def edit_row(pattern: str, text: str, *, free_start: bool = False) -> np.ndarray:
    """Last row of the edit-distance table of ``pattern`` against the prefixes of
    ``text``: entry j is the distance to ``text[:j]``. With ``free_start`` the match may
    begin anywhere in ``text`` (semi-global alignment: where does a line stand best?)."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(text) + 1)
    row = np.zeros(len(text) + 1, dtype=np.int64) if free_start else index.copy()
    for i, char in enumerate(pattern, start=1):
        cost = (codes != ord(char)).astype(np.int64)
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        # Insertions along the row: a running minimum of (value - position).
        row = np.minimum.accumulate(best - index) + index
    return row


def levenshtein(a: str, b: str) -> int:
    """Edit distance, row by row with numpy."""
    if not a or not b:
        return len(a) + len(b)
    return int(edit_row(a, b)[-1])


def cer(truth: str, text: str) -> float:
    """Character error rate of ``text`` against ``truth`` (0.0 is perfect; may exceed 1)."""
    expected = normalise(truth)
    return levenshtein(expected, normalise(text)) / max(1, len(expected))
