"""OCR accuracy and speed: sohoa next to bare tesseract and OCRmyPDF, in one run.

    .venv/bin/python bench/ocr_bench.py --pages 40 [--workers 2] [--skip-ocrmypdf]

Builds (once, cached under bench/out/ocr/specimens-<seed>-<n>) a set of degraded
synthetic Vietnamese administrative scans with ground truth from ``specimens``, then
runs each system over all pages with the same parallelism and prints, side by side,
character error rate (Levenshtein over NFC text with whitespace collapsed), pages
per minute and pages left turned. Outputs go to bench/out/ocr/ (gitignored).

Systems:
- ``sohoa``: ``ocr.run_page`` for every page on a process pool, then one archival
  PDF/A per file (what ``ocr.digitize`` does, spread over all files' pages).
- ``tesseract``: ``tesseract FILE - -l vie``, OMP_THREAD_LIMIT=1, N at a time (PDF
  inputs are rasterized at their own resolution beforehand, outside the timing).
- ``ocrmypdf``: ``ocrmypdf -l vie --rotate-pages --deskew --jobs 1``, N files at a time.
- ``--sohoa-cmd "SOHOA_DATA={tmp} SOHOA_WORKERS=2 .venv/bin/sohoa ingest {dir} --json"``
  adds a timed external command (e.g. the full ingest), run per round over that
  round's files ({files}: the files, {dir}: a folder of links to them, {tmp}: a fresh
  empty folder); its text is not scored.

CER is reported twice: the primary figure over each page's whole text in the system's
reading order, and a line-matched one that ignores the order of lines (fair to systems
that read the two header blocks in a different order).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pikepdf

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import ocr  # noqa: E402
from ocr.assemble import build_archival  # noqa: E402

MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff"}


@dataclass
class Page:
    path: Path
    truth: str
    turn: int  # clockwise turn of the sheet on the glass; upright needs (360 - turn) % 360
    profile: dict[str, object]


@dataclass
class Outcome:
    name: str
    seconds: float
    texts: dict[str, str] = field(default_factory=dict)  # file name -> recognized text
    left_turned: int | None = None
    failures: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ scoring


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


def cer(pages: list[Page], texts: dict[str, str]) -> tuple[float, list[float]]:
    errors = total = 0
    per_page = []
    for page in pages:
        truth = normalise(page.truth)
        got = normalise(texts.get(page.path.name, ""))
        distance = levenshtein(truth, got)
        errors += distance
        total += len(truth)
        per_page.append(distance / max(1, len(truth)))
    return errors / max(1, total), per_page


def line_matched_cer(pages: list[Page], texts: dict[str, str]) -> float:
    """CER that does not care in which order lines come out.

    Each ground-truth line is paired with the recognized line closest to it (greedily,
    best pairs first, each line used once); unpaired truth lines count as deleted and
    unpaired recognized lines as inserted. Reading order (the two-column header that
    bare tesseract and OCRmyPDF join into one line) then costs nothing, while a line
    split or joined differently still costs its edits.
    """
    errors = total = 0
    for page in pages:
        truth = [t for t in (normalise(x) for x in page.truth.splitlines()) if t]
        got = [g for g in (normalise(x) for x in texts.get(page.path.name, "").splitlines())
               if g]
        total += sum(len(t) for t in truth)
        pairs = sorted(
            (levenshtein(t, g) / max(1, len(t)), i, j)
            for i, t in enumerate(truth) for j, g in enumerate(got)
            if abs(len(t) - len(g)) < max(len(t), len(g))
        )
        used_t: set[int] = set()
        used_g: set[int] = set()
        for share, i, j in pairs:
            if i in used_t or j in used_g or share >= 1.0:
                continue
            used_t.add(i)
            used_g.add(j)
            errors += levenshtein(truth[i], got[j])
        errors += sum(len(t) for i, t in enumerate(truth) if i not in used_t)
        errors += sum(len(g) for j, g in enumerate(got) if j not in used_g)
    return errors / max(1, total)


# ------------------------------------------------------------------ the set


def build_set(out: Path, n: int, seed: int) -> list[Page]:
    from specimens import load_ground_truth, make_batch

    folder = out / f"specimens-{seed}-{n}"
    if not (folder / "ground_truth.jsonl").exists():
        make_batch(folder, n, seed, degraded=True)
    pages = []
    for path, specimen, profile in load_ground_truth(folder):
        prof = profile or {}
        pages.append(Page(path=path, truth=specimen.text, turn=int(prof.get("turn", 0) or 0),
                          profile=prof))
    return pages


def rasterize_pdfs(pages: list[Page], out: Path) -> dict[str, Path]:
    """Bare tesseract cannot read PDF: give it each PDF's page image at its resolution."""
    raster = out / "raster"
    raster.mkdir(parents=True, exist_ok=True)
    inputs: dict[str, Path] = {}
    for page in pages:
        if page.path.suffix != ".pdf":
            inputs[page.path.name] = page.path
            continue
        target = raster / (page.path.stem + ".png")
        if not target.exists():
            dpi = str(page.profile.get("dpi", 300))
            subprocess.run(["pdftoppm", "-r", dpi, "-png", "-singlefile", str(page.path),
                            str(target.with_suffix(""))], check=True)
        inputs[page.path.name] = target
    return inputs


# ------------------------------------------------------------------ systems


def expected_rotation(page: Page) -> int:
    return (360 - page.turn) % 360


def run_sohoa(pages: list[Page], workers: int, out: Path) -> Outcome:
    target = out / "sohoa"
    target.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    jobs = {p.path.name: ocr.plan_pages(str(p.path), MEDIA_TYPES[p.path.suffix]) for p in pages}
    flat = [job for name in jobs for job in jobs[name]]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(ocr.run_page, flat))
    by_file: dict[str, list[ocr.PageResult]] = {}
    for job, result in zip(flat, results, strict=True):
        by_file.setdefault(Path(job.source_path).name, []).append(result)
    outcome = Outcome(name="sohoa (ocr.run_page ×2 + PDF/A)", seconds=0.0)
    for name, results_of_file in by_file.items():
        archival = build_archival(results_of_file, title=name)
        (target / (name + ".pdf")).write_bytes(archival.pdf)
        if not archival.pdfa:
            outcome.failures.append(f"{name}: {archival.notes}")
        outcome.texts[name] = "\n".join(r.text for r in results_of_file)
    outcome.seconds = time.perf_counter() - started
    outcome.left_turned = sum(
        1 for p in pages if by_file[p.path.name][0].rotated != expected_rotation(p)
    )
    return outcome


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def run_tesseract(pages: list[Page], workers: int, out: Path) -> Outcome:
    inputs = rasterize_pdfs(pages, out)

    def one(name: str) -> tuple[str, str]:
        done = subprocess.run(["tesseract", str(inputs[name]), "-", "-l", "vie"],
                              capture_output=True, env=_env(), check=True)
        return name, done.stdout.decode("utf-8")

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        texts = dict(pool.map(one, [p.path.name for p in pages]))
    seconds = time.perf_counter() - started
    # Bare tesseract never turns a page: every turned sheet stays turned.
    return Outcome(name="tesseract -l vie ×2", seconds=seconds, texts=texts,
                   left_turned=sum(1 for p in pages if p.turn))


def _ocrmypdf_rotation(pdf_path: Path) -> int:
    with pikepdf.open(pdf_path) as pdf:
        return int(pdf.pages[0].obj.get("/Rotate", 0)) % 360


def run_ocrmypdf(pages: list[Page], workers: int, out: Path) -> Outcome:
    target = out / "ocrmypdf"
    target.mkdir(parents=True, exist_ok=True)
    ocrmypdf = str(Path(sys.executable).with_name("ocrmypdf"))

    def one(page: Page) -> tuple[str, str, str | None]:
        name = page.path.name
        pdf, sidecar = target / (name + ".pdf"), target / (name + ".txt")
        cmd = [ocrmypdf, "-l", "vie", "--rotate-pages", "--deskew", "--jobs", "1",
               "--sidecar", str(sidecar), "--image-dpi", str(page.profile.get("dpi", 300)),
               "--quiet", str(page.path), str(pdf)]
        done = subprocess.run(cmd, capture_output=True, env=_env())
        if done.returncode != 0:
            return name, "", done.stderr.decode(errors="replace")[-300:]
        return name, sidecar.read_text(encoding="utf-8"), None

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, pages))
    seconds = time.perf_counter() - started
    outcome = Outcome(name="ocrmypdf --rotate-pages --deskew ×2", seconds=seconds)
    for name, text, error in results:
        outcome.texts[name] = text
        if error:
            outcome.failures.append(f"{name}: {error}")
    outcome.left_turned = sum(
        1 for p in pages
        if not (target / (p.path.name + ".pdf")).exists()
        or _ocrmypdf_rotation(target / (p.path.name + ".pdf")) != expected_rotation(p)
    )
    return outcome


def run_command(template: str, pages: list[Page]) -> Outcome:
    """Time an external command over the files (e.g. the full ``sohoa ingest``).

    ``{files}`` in the template becomes the files, ``{dir}`` a fresh folder holding
    links to just these files, ``{tmp}`` a fresh empty folder (e.g. for SOHOA_DATA).
    """
    files = " ".join(shlex.quote(str(p.path)) for p in pages)
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as scratch:
        folder, data = Path(scratch) / "in", Path(scratch) / "data"
        folder.mkdir()
        data.mkdir()
        for page in pages:
            (folder / page.path.name).symlink_to(page.path.resolve())
        command = template.format(files=files, dir=shlex.quote(str(folder)),
                                  tmp=shlex.quote(str(data)))
        started = time.perf_counter()
        done = subprocess.run(command, shell=True, capture_output=True)
        seconds = time.perf_counter() - started
    outcome = Outcome(name=f"command: {template[:40]}", seconds=seconds)
    if done.returncode != 0:
        outcome.failures.append(done.stderr.decode(errors="replace")[-300:])
    return outcome


def interleaved(pages: list[Page], systems: dict[str, Callable[[list[Page]], Outcome]],
                rounds: int) -> list[Outcome]:
    """Run every system on the same pages in rounds, rotating which goes first.

    The machine is shared: taking turns spreads any background load evenly over the
    systems instead of letting it land on whichever ran during a busy minute.
    """
    size = max(1, -(-len(pages) // max(1, rounds)))
    chunks = [pages[i : i + size] for i in range(0, len(pages), size)]
    names = list(systems)
    totals: dict[str, Outcome] = {}
    for number, chunk in enumerate(chunks):
        order = names[number % len(names):] + names[: number % len(names)]
        for name in order:
            got = systems[name](chunk)
            total = totals.setdefault(name, Outcome(name=got.name, seconds=0.0, left_turned=0))
            total.seconds += got.seconds
            total.texts.update(got.texts)
            total.left_turned = (total.left_turned or 0) + (got.left_turned or 0)
            total.failures += got.failures
    return [totals[name] for name in names]


# ------------------------------------------------------------------ report


def report(pages: list[Page], outcomes: list[Outcome], out: Path) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    turned = sum(1 for p in pages if p.turn)
    print(f"\n{len(pages)} pages ({turned} turned), "
          f"{os.cpu_count()} cores, workers as given\n")
    print(f"{'system':42} {'CER %':>7} {'line-matched %':>15} {'median %':>9} {'worst %':>8} "
          f"{'pages/min':>10} {'left turned':>12}")
    for outcome in outcomes:
        scored = bool(outcome.texts)
        total, per_page = cer(pages, outcome.texts) if scored else (float("nan"), [float("nan")])
        matched = line_matched_cer(pages, outcome.texts) if scored else float("nan")
        ppm = len(pages) / outcome.seconds * 60
        print(f"{outcome.name:42} {total * 100:7.2f} {matched * 100:15.2f} "
              f"{np.median(per_page) * 100:9.2f} "
              f"{max(per_page) * 100:8.2f} {ppm:10.1f} {outcome.left_turned!s:>12}")
        for failure in outcome.failures[:5]:
            print(f"    ! {failure}")
        rows.append({"system": outcome.name, "cer": total, "line_matched_cer": matched,
                     "per_page_cer": per_page,
                     "seconds": outcome.seconds, "pages_per_minute": ppm,
                     "left_turned": outcome.left_turned, "failures": outcome.failures})
    summary = {"pages": len(pages), "turned": turned, "systems": rows}
    (out / "results.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    by_name = {r["system"]: r for r in rows}
    sohoa = next((r for n, r in by_name.items() if n.startswith("sohoa")), None)
    tess = next((r for n, r in by_name.items() if n.startswith("tesseract")), None)
    omp = next((r for n, r in by_name.items() if n.startswith("ocrmypdf")), None)
    if sohoa and tess:
        ratio = float(sohoa["pages_per_minute"]) / float(tess["pages_per_minute"])
        print(f"\nsohoa / bare tesseract throughput: {ratio:.2f} (target ≥ 0.70)")
    if sohoa and omp:
        ratio = float(sohoa["pages_per_minute"]) / float(omp["pages_per_minute"])
        print(f"sohoa / OCRmyPDF throughput: {ratio:.2f} (target ≥ 2.0)")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "ocr")
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--skip-tesseract", action="store_true")
    parser.add_argument("--rounds", type=int, default=4,
                        help="split the pages into rounds, systems taking turns going first")
    parser.add_argument("--sohoa-cmd", help="also time this shell command; {files} = all files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    pages = build_set(args.out, args.pages, args.seed)
    systems: dict[str, Callable[[list[Page]], Outcome]] = {
        "sohoa": lambda chunk: run_sohoa(chunk, args.workers, args.out),
    }
    if not args.skip_tesseract:
        systems["tesseract"] = lambda chunk: run_tesseract(chunk, args.workers, args.out)
    if not args.skip_ocrmypdf:
        systems["ocrmypdf"] = lambda chunk: run_ocrmypdf(chunk, args.workers, args.out)
    if args.sohoa_cmd:
        systems["command"] = lambda chunk: run_command(args.sohoa_cmd, chunk)
    outcomes = interleaved(pages, systems, args.rounds)
    report(pages, outcomes, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

