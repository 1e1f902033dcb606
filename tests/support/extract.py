"""Helpers for extraction tests: OCR words laid out from plain lines."""

from __future__ import annotations

from datetime import date

from extract import analyze
from extract.analyze import Extraction
from ocr.base import Word


def words_from_lines(lines: list[str], confidence: dict[str, float] | None = None) -> list[Word]:
    """One word per token, left to right, one line per entry, as tesseract would give them.

    ``confidence`` maps a token to the confidence it gets (others get 96).
    """
    low = confidence or {}
    words: list[Word] = []
    for number, line in enumerate(lines):
        x = 100
        top = 100 + 60 * number
        for token in line.split():
            width = 22 * len(token)
            words.append(
                Word(token, low.get(token, 96.0), (x, top, x + width, top + 40), (number + 1, 1, 1))
            )
            x += width + 18
    return words


def tesseract_words(image_path: str) -> list[Word]:
    """Real tesseract ``vie`` words of one page image (one thread, as the pipeline runs it)."""
    import csv
    import os
    import subprocess

    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    tsv = subprocess.run(
        ["tesseract", image_path, "-", "-l", "vie", "tsv"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    words: list[Word] = []
    for row in csv.reader(tsv.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(row) == 12 and row[0] == "5" and row[11].strip() and float(row[10]) >= 0:
            left, top, width, height = (int(v) for v in row[6:10])
            words.append(
                Word(
                    row[11].strip(),
                    float(row[10]),
                    (left, top, left + width, top + height),
                    (int(row[2]), int(row[3]), int(row[4])),
                )
            )
    return words


def analyze_lines(
    lines: list[str], weak: dict[str, float] | None = None, *, today: date = date(2026, 1, 1)
) -> Extraction:
    """``analyze`` of a one-page paper printed as ``lines`` (words at ``weak``'s confidences)."""
    return analyze(["\n".join(lines)], [words_from_lines(lines, weak)], today=today)
