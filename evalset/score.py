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


def levenshtein(a: str, b: str) -> int:
    """Edit distance, row by row with numpy (insertions folded in by a running minimum)."""
    if not a:
        return len(b)
    if not b:
        return len(a)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    index = np.arange(len(b) + 1)
    row = index.copy()
    for i, char in enumerate(a, start=1):
        cost = (codes_b != ord(char)).astype(np.int64)
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + cost)
        row = np.minimum.accumulate(best - index) + index
    return int(row[-1])


def cer(truth: str, text: str) -> float:
    """Character error rate of ``text`` against ``truth`` (0.0 is perfect; may exceed 1)."""
    expected = normalise(truth)
    return levenshtein(expected, normalise(text)) / max(1, len(expected))
