"""Tesseract, called once per page: the text-only PDF layer and the TSV words together."""

from __future__ import annotations

import csv
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
    words = parse_tsv(base.with_suffix(".tsv").read_text(encoding="utf-8"))
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


def words_to_text(words: list[Word]) -> str:
    """Lines joined by newlines, paragraphs and blocks by a blank line."""
    parts: list[str] = []
    previous: tuple[int, int, int] | None = None
    for word in words:
        if previous is None:
            pass
        elif word.line[:2] != previous[:2]:
            parts.append("\n\n")
        elif word.line != previous:
            parts.append("\n")
        else:
            parts.append(" ")
        parts.append(word.text)
        previous = word.line
    return "".join(parts)


def mean_confidence(words: list[Word]) -> float | None:
    """The mean over words (a record's mean is over all its pages' words, not pages)."""
    if not words:
        return None
    return round(sum(w.confidence for w in words) / len(words), 2)
