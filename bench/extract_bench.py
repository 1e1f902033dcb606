"""Extraction benchmark: per-field precision and recall on degraded synthetic scans.

    .venv/bin/python bench/extract_bench.py [--count 64] [--seed 4] [--workers 2]

Builds a batch of degraded specimens (every catalog type, old papers without ID
numbers among them) with ``specimens.make_batch``, reads each with sohoa's OCR
(``ocr.digitize``; plain ``tesseract -l vie tsv`` on the upright page when that is not
importable), caches the OCR output under ``bench/out/extract/`` so re-runs only time
extraction, then runs ``extract.analyze`` and compares with the ground truth.

Ground truth counts only what is printed on the paper (the declarant's birth date on a
death extract is in the specimen but not on the page, so it is not expected).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import analyze  # noqa: E402
from extract.text import title_case  # noqa: E402
from ocr.base import Word  # noqa: E402
from specimens import Specimen, load_ground_truth, make_batch  # noqa: E402

OUT = ROOT / "bench" / "out" / "extract"
MEDIA_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".pdf": "application/pdf",
}
LEGIBLE = 85.0  # mean word confidence under which the OCR itself failed on the page
TARGETS = {
    "doc_type": (None, 0.99),
    "id_number": (1.0, 0.97),
    "birth_date": (1.0, 0.97),
    "issued_on": (None, 0.97),
    "document_number": (None, 0.97),
}


def _ocr_sohoa(path: Path) -> dict[str, Any]:
    import ocr

    result = ocr.digitize(str(path), MEDIA_TYPES[path.suffix.lower()])
    return {
        "engine": result.engine,
        "pages_text": [p.text for p in result.pages],
        "words": [
            [[w.text, w.confidence, list(w.bbox), list(w.line)] for w in p.words]
            for p in result.pages
        ],
    }


def _ocr_tesseract(path: Path, turn: int) -> dict[str, Any]:
    from PIL import Image

    from ocr.engine import parse_tsv

    image: Image.Image = Image.open(path)
    if turn:  # bare tesseract cannot turn pages; undo the scan's turn as the OCR stage would
        image = image.rotate(turn, expand=True)
    tmp = path.with_suffix(".upright.png")
    image.save(tmp)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    tsv = subprocess.run(
        ["tesseract", str(tmp), "-", "-l", "vie", "tsv"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tmp.unlink()
    words = parse_tsv(tsv)
    return {
        "engine": "tesseract-tsv",
        "pages_text": [" ".join(w.text for w in words)],
        "words": [[[w.text, w.confidence, list(w.bbox), list(w.line)] for w in words]],
    }


def ocr_cached(job: tuple[Path, int]) -> Path:
    path, turn = job
    # One folder per batch: every batch names its files 0000_<type>.<ext> alike.
    cache = OUT / "ocr" / path.parent.name / (path.name + ".json")
    if not cache.exists():
        try:
            data = _ocr_sohoa(path)
        except ImportError:
            data = _ocr_tesseract(path, turn)
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return cache


def _words(data: dict[str, Any]) -> list[list[Word]]:
    return [
        [Word(t, c, (b[0], b[1], b[2], b[3]), (ln[0], ln[1], ln[2])) for t, c, b, ln in page]
        for page in data["words"]
    ]


@dataclass
class Score:
    extracted: int = 0
    truth: int = 0
    correct: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, got: list[str], want: list[str], where: str) -> None:
        self.extracted += len(got)
        self.truth += len(want)
        hits = sum((Counter(got) & Counter(want)).values())
        self.correct += hits
        if hits < max(len(got), len(want)):
            self.misses.append(f"{where}: got {got} want {want}")

    def precision(self) -> float:
        return self.correct / self.extracted if self.extracted else 1.0

    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 1.0


def _printed_dmy(value: str | None, text: str) -> str | None:
    if not value:
        return None
    year, month, day = value.split("-")
    return value if f"{day}/{month}/{year}" in text else None


def _one(value: str | None) -> list[str]:
    return [value] if value else []


def score(specimen: Specimen, extraction: Any, name: str, scores: dict[str, Score]) -> None:
    truth_subjects = specimen.subjects
    got = extraction.subjects
    scores["doc_type"].add(_one(extraction.doc_type), [specimen.doc_type], name)
    scores["document_number"].add(
        _one(extraction.document_number), _one(specimen.document_number), name
    )
    scores["issued_on"].add(_one(extraction.issued_on), [specimen.issued_on], name)
    scores["issuer"].add(_one(extraction.issuer), [specimen.issuer], name)
    scores["valid_until"].add(_one(extraction.valid_until), _one(specimen.valid_until), name)
    scores["id_number"].add(
        [s.id_number for s in got if s.id_number],
        [s["id_number"] for s in truth_subjects if s["id_number"]],
        name,
    )
    scores["birth_date"].add(
        [s.birth_date for s in got if s.birth_date],
        [d for s in truth_subjects if (d := _printed_dmy(s["birth_date"], specimen.text))],
        name,
    )
    scores["name"].add(
        [s.name for s in got if s.name],
        [title_case(s["name"]) for s in truth_subjects if s["name"]],
        name,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=64)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()

    scans = OUT / f"scans-{args.seed}-{args.count}"
    if not (scans / "ground_truth.jsonl").exists():
        make_batch(scans, args.count, args.seed, degraded=True)
    batch = load_ground_truth(scans)
    jobs = [(path, (profile or {}).get("turn", 0)) for path, _, profile in batch]
    started = time.perf_counter()
    with ProcessPoolExecutor(args.workers) as pool:
        caches = list(pool.map(ocr_cached, jobs))
    ocr_seconds = time.perf_counter() - started

    results = []
    started = time.perf_counter()
    for (path, specimen, _), cache in zip(batch, caches, strict=True):
        data = json.loads(cache.read_text(encoding="utf-8"))
        words = _words(data)
        extraction = analyze(data["pages_text"], words, today=date.today())
        confidences = [w.confidence for page in words for w in page]
        legible = bool(confidences) and sum(confidences) / len(confidences) >= LEGIBLE
        results.append((path.name, specimen, extraction, legible, data["engine"]))
    extract_seconds = time.perf_counter() - started

    old = sum(1 for _, s, _ in batch if s.old)
    no_id = sum(1 for _, s, _ in batch if not any(x["id_number"] for x in s.subjects))
    engines = Counter(r[4] for r in results)
    print(
        f"documents: {len(batch)} ({old} old papers, {no_id} without any ID number); "
        f"OCR engine: {dict(engines)}; OCR {ocr_seconds:.1f} s (cached after the first run)"
    )
    print(f"extraction: {extract_seconds / len(batch) * 1000:.1f} ms per document")
    report("all documents", results, args.verbose)
    readable = [r for r in results if r[3]]
    report(
        f"documents the OCR read legibly (mean word confidence >= {LEGIBLE:.0f})",
        readable,
        args.verbose,
    )


def report(title: str, results: list[tuple[str, Specimen, Any, bool, str]], verbose: bool) -> None:
    keys = (
        "doc_type",
        "id_number",
        "birth_date",
        "name",
        "issued_on",
        "document_number",
        "issuer",
        "valid_until",
    )
    scores = {k: Score() for k in keys}
    reviewed = 0
    reasons: Counter[str] = Counter()
    for name, specimen, extraction, _, _ in results:
        score(specimen, extraction, name, scores)
        if extraction.review_reasons:
            reviewed += 1
            reasons.update(re.sub(r"\[\d+\]", "[i]", r) for r in extraction.review_reasons)
    count = len(results)
    print(f"\n== {title}: {count}")
    print(f"{'field':<16}{'precision':>10}{'recall':>9}{'extracted':>11}{'truth':>7}  target")
    for key, value in scores.items():
        target = TARGETS.get(key)
        goal = ""
        if target:
            goal = " ".join(f"{n}>={t:.0%}" for n, t in zip(("P", "R"), target, strict=True) if t)
        print(
            f"{key:<16}{value.precision():>10.1%}{value.recall():>9.1%}"
            f"{value.extracted:>11}{value.truth:>7}  {goal}"
        )
    print(f"doc-type accuracy: {scores['doc_type'].correct / max(1, count):.1%} (target >= 99%)")
    print(f"sent to review: {reviewed}/{count} = {reviewed / max(1, count):.1%} (target <= 15%)")
    print("review reasons:", dict(reasons.most_common()))
    if verbose:
        for key, value in scores.items():
            for miss in value.misses:
                print(f"  {key}: {miss}")


if __name__ == "__main__":
    main()
