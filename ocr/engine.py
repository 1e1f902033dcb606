"""Tesseract, called once per page: the text-only PDF layer and the TSV words together."""

from __future__ import annotations

import csv
import itertools
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ocr.base import Word

TESSERACT = "tesseract"


@dataclass(frozen=True)
class Recognition:
    words: list[Word]
    text: str
    text_pdf: bytes | None  # tesseract's one-page text-only PDF (None when not asked for)


def tesseract_env() -> dict[str, str]:
    """One thread per page: pages run in parallel processes, and OpenMP inside each
    tesseract only fights them for the same cores (about 4× slower on 2 cores)."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def version() -> str:
    out = subprocess.run([TESSERACT, "--version"], capture_output=True, text=True, check=True)
    first = (out.stdout or out.stderr).splitlines()[0]
    return first.strip()


def recognize(
    image: Image.Image,
    workdir: Path,
    *,
    dpi: int,
    languages: str,
    want_pdf: bool = True,
    psm: int = 3,
) -> Recognition:
    """OCR ``image`` (upright, gray) and return its words, text and text-only PDF page.

    The image goes to tesseract as uncompressed PGM: writing it costs milliseconds,
    where PNG would cost a tenth of a second per page.
    """
    source = workdir / "ocr-input.pgm"
    image.convert("L").save(source)
    base = workdir / "ocr-output"
    cmd = [TESSERACT, str(source), str(base), "-l", languages, "--dpi", str(dpi),
           "--psm", str(psm)]
    if want_pdf:
        cmd += ["-c", "textonly_pdf=1", "pdf"]
    cmd += ["tsv"]
    done = subprocess.run(cmd, capture_output=True, env=tesseract_env(), timeout=600)
    if done.returncode != 0:
        raise RuntimeError(
            f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}"
        )
    words = drop_duplicates(parse_tsv(base.with_suffix(".tsv").read_text(encoding="utf-8")))
    text_pdf = base.with_suffix(".pdf").read_bytes() if want_pdf else None
    return Recognition(words=words, text=words_to_text(words), text_pdf=text_pdf)


def parse_tsv(tsv: str) -> list[Word]:
    rows = csv.reader(tsv.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    words: list[Word] = []
    for row in rows:
        if len(row) < 12 or row[0] != "5":
            continue
        text = row[11].strip()
        conf = float(row[10])
        if not text or conf < 0:
            continue
        left, top, width, height = (int(v) for v in row[6:10])
        words.append(
            Word(
                text=text,
                confidence=conf,
                bbox=(left, top, left + width, top + height),
                line=(int(row[2]), int(row[3]), int(row[4])),
            )
        )
    return words


# A gap wider than this many text heights inside a tesseract line separates columns.
COLUMN_GAP_HEIGHTS = 1.6
# Lines read with a median confidence below NOISE_LINE_CONFIDENCE, or without a single
# word above NOISE_LINE_BEST, are seal, signature or rule remnants, not text: they stay
# in ``words`` (with their confidences) but not in the page text.
NOISE_LINE_CONFIDENCE = 55.0
NOISE_LINE_BEST = 70.0


def _lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for word in words:
        if lines and lines[-1][-1].line == word.line:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


def _is_noise(line: list[Word]) -> bool:
    confidences = sorted(w.confidence for w in line)
    median = confidences[len(confidences) // 2]
    return median < NOISE_LINE_CONFIDENCE or confidences[-1] < NOISE_LINE_BEST


def _height(words: list[Word]) -> int:
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)
    return max(1, heights[len(heights) // 2])


def _starts_national_motto(line: list[Word], index: int) -> bool:
    """"CỘNG HÒA XÃ HỘI…" (quốc hiệu) heads the right-hand block of every Vietnamese
    administrative paper (Decree 30/2020/NĐ-CP); a long agency name on the left can
    leave almost no gap before it, so the split does not wait for a wide one."""
    if index == 0 or index + 1 >= len(line):
        return False
    return line[index].text.upper() == "CỘNG" and line[index + 1].text.upper() == "HÒA"


def _segments(line: list[Word]) -> list[list[Word]]:
    height = _height(line)
    segments = [[line[0]]]
    for index, (previous, word) in enumerate(itertools.pairwise(line), start=1):
        gap = word.bbox[0] - previous.bbox[2]
        motto = _starts_national_motto(line, index)
        if gap > COLUMN_GAP_HEIGHTS * height or motto:
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


def _column_run(lines: list[list[Word]], start: int) -> tuple[list[list[Word]], int]:
    """Side-by-side blocks (the agency | national motto header) read column by column.

    Tesseract often joins the two header blocks of a Vietnamese administrative paper
    into one line; a reader (and the extractor) wants the left block, then the right.
    Returns the reordered pieces and the index of the first line after the run.
    """
    first = _segments(lines[start])
    if len(first) != 2:
        return [lines[start]], start + 1
    split = first[1][0].bbox[0]
    left, right = [first[0]], [first[1]]
    bottom, height = max(w.bbox[3] for w in lines[start]), _height(lines[start])
    end = start + 1
    while end < len(lines):
        line = lines[end]
        top = min(w.bbox[1] for w in line)
        if top - bottom > 1.5 * height:
            break
        pieces = _segments(line)
        if any(p[0].bbox[0] < split < p[-1].bbox[2] for p in pieces):
            break  # spans both columns: the run is over
        for piece in pieces:
            (right if piece[0].bbox[0] >= split else left).append(piece)
        bottom = max(w.bbox[3] for w in line)
        end += 1
    return left + right, end


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection area over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(1, smaller)


def drop_duplicates(words: list[Word]) -> list[Word]:
    """Words read twice: keep the more confident of two boxes covering the same ink.

    When two text lines sit a few pixels apart (a header block beside the national
    motto) tesseract sometimes builds two overlapping lines and reads the same
    letters in both.
    """
    order = sorted(range(len(words)), key=lambda i: words[i].bbox[1])
    dropped: set[int] = set()
    for position, i in enumerate(order):
        a = words[i]
        for j in order[position + 1 :]:
            b = words[j]
            if b.bbox[1] >= a.bbox[3]:
                break
            if a.line != b.line and _overlap(a.bbox, b.bbox) > 0.4:
                dropped.add(i if a.confidence < b.confidence else j)
    return [w for k, w in enumerate(words) if k not in dropped]


def words_to_text(words: list[Word]) -> str:
    """Lines joined by newlines, paragraphs by a blank line, side-by-side blocks in
    reading order (left block before right block)."""
    lines = [line for line in _lines(words) if not _is_noise(line)]
    out: list[str] = []
    previous: tuple[int, int, int] | None = None
    index = 0
    while index < len(lines):
        pieces, index = _column_run(lines, index)
        for piece in pieces:
            key = piece[0].line
            if previous is not None:
                out.append("\n\n" if key[:2] != previous[:2] else "\n")
            out.append(" ".join(w.text for w in piece))
            previous = key
    return "".join(out)


def mean_confidence(words: list[Word]) -> float | None:
    """The mean over words (a record's mean is over all its pages' words, not pages)."""
    if not words:
        return None
    return round(sum(w.confidence for w in words) / len(words), 2)
