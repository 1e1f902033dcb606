"""OCR accuracy and speed: sohoa next to bare tesseract and OCRmyPDF, in one run.

    .venv/bin/python bench/ocr_bench.py --pages 40 [--workers 2] [--skip-ocrmypdf]
    .venv/bin/python bench/ocr_bench.py --set evalset --split test [--count 48 --seed 13]
        [--evalset-dir DIR] [--only-class KEY] [--sohoa-root DIR] [--json PATH]

Two sets:
- ``specimens`` (default): built once, cached under bench/out/ocr/specimens-<seed>-<n>,
  degraded synthetic scans from our own generator (``specimens``);
- ``evalset``: the held-out set of issue 13, made by ``python -m evalset`` (another
  generator, augraphy degradations), cached under bench/out/ocr/evalset-<seed>-<n> or
  read from ``--evalset-dir``; ``--split dev|test|all`` picks its half (tune on dev,
  report test).

Every system reads every page of every file (a document may have two pages) and each
page's text is scored against that page's truth: character error rate = Levenshtein
distance / truth length over NFC text with whitespace collapsed, summed over pages.
A document a system failed on (an exception in ``ocr.run_page``, a nonzero exit)
counts as an empty reading of all its pages, as the record would be. The per-class
table gives the CER of each system by class of page (``class_key``: dpi × colour
mode × degradation), by profile (easy, hard) and overall, sohoa − tesseract in points
(✗ where sohoa is worse by more than 0.5), pages left turned and documents failed.

Systems (same parallelism, ``--workers`` at a time, OMP_THREAD_LIMIT=1):
- ``sohoa``: ``ocr.run_page`` for every page on a process pool, then one archival
  PDF/A per file (what ingest does, spread over all files' pages).
  ``--sohoa-root DIR`` imports ``ocr`` from another checkout (e.g. a worktree of the
  baseline commit) and puts DIR first on the ``--sohoa-cmd`` command's PYTHONPATH.
- ``tesseract``: ``tesseract IMG - -l vie`` per page (PDF pages are rasterized at
  their image's own resolution beforehand, outside the timing).
- ``ocrmypdf``: ``ocrmypdf -l vie --rotate-pages --deskew --jobs 1`` per file; the
  text of page n is ``pdftotext -f n -l n`` of its output (outside the timing).
- ``--sohoa-cmd "SOHOA_DATA={tmp} SOHOA_WORKERS=2 .venv/bin/sohoa ingest {dir} --json"``
  adds a timed external command (e.g. the full ingest), run per round over that
  round's files ({files}: the files, {dir}: a folder of links to them, {tmp}: a fresh
  empty folder); its text is not scored, its failed files are listed.

The systems run in rounds over the same files, taking turns going first (the machine
is shared). Results (per-page CER of every system, the tables, timings, failures) go
to ``--json`` (default bench/out/ocr/results-<set>-<split>.json) so runs can be diffed.
"""

from __future__ import annotations

import argparse
import compileall
import datetime as dt
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import pikepdf

from evalset.score import levenshtein, normalise

if TYPE_CHECKING:
    from ocr import PageJob, PageResult

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out" / "ocr"

MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
               ".jpeg": "image/jpeg", ".tif": "image/tiff", ".tiff": "image/tiff"}
SYSTEMS = ("sohoa", "tesseract", "ocrmypdf")
TOLERANCE_POINTS = 0.5  # issue 13: no class worse than bare tesseract by more than this


@dataclass
class Doc:
    """One file of the set: a document of one or more pages."""

    path: Path
    truth: list[str]  # ground-truth text of each page ("" for a blank back)
    turn: int  # clockwise turn of the sheet on the glass; upright needs (360 - turn) % 360
    dpi: int
    class_key: str
    profile: str  # "easy" / "hard" (evalset) or "specimens"
    split: str  # "dev" / "test" (evalset) or "all"

    @property
    def name(self) -> str:
        return self.path.name


@dataclass
class Outcome:
    name: str
    seconds: float
    texts: dict[str, list[str]] = field(default_factory=dict)  # file -> text of each page
    # file -> degrees clockwise the system turned each page (None: not known)
    rotations: dict[str, list[int | None]] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)  # file -> reason
    scored: bool = True  # False for an external command (timed only)


# ------------------------------------------------------------------ scoring


def page_texts(outcome: Outcome, doc: Doc) -> list[str]:
    """The system's text of each page of ``doc`` (empty where it failed or read nothing)."""
    if doc.name in outcome.failures:
        return [""] * len(doc.truth)
    got = outcome.texts.get(doc.name, [])
    return [got[i] if i < len(got) else "" for i in range(len(doc.truth))]


@dataclass
class PageScore:
    doc: Doc
    number: int  # 1-based
    chars: int  # length of the normalised truth
    errors: dict[str, int]  # system -> edit distance
    left_turned: dict[str, bool]
    rotations: dict[str, int | None]  # system -> degrees clockwise it turned the page
    texts: dict[str, str]  # system -> its text of the page


def score_pages(docs: list[Doc], outcomes: dict[str, Outcome]) -> list[PageScore]:
    scores = []
    expected_of = {d.name: expected_rotation(d) for d in docs}
    for doc in docs:
        texts = {name: page_texts(o, doc) for name, o in outcomes.items() if o.scored}
        for i, truth_text in enumerate(doc.truth):
            truth = normalise(truth_text)
            errors = {name: levenshtein(truth, normalise(texts[name][i])) for name in texts}
            turned, rotations = {}, {}
            for name in texts:
                applied = outcomes[name].rotations.get(doc.name, [])
                rotation = rotations[name] = applied[i] if i < len(applied) else None
                # A blank page has no up; a failed document is counted as failed instead.
                turned[name] = bool(truth) and rotation is not None and \
                    rotation % 360 != expected_of[doc.name]
            scores.append(PageScore(doc, i + 1, len(truth), errors, turned, rotations,
                                    {name: texts[name][i] for name in texts}))
    return scores


def line_matched_cer(pairs: Iterable[tuple[str, str]]) -> float:
    """CER that does not care in which order lines come out.

    Each ground-truth line is paired with the recognized line closest to it (greedily,
    best pairs first, each line used once); unpaired truth lines count as deleted and
    unpaired recognized lines as inserted. Reading order (the two-column header that
    bare tesseract and OCRmyPDF join into one line) then costs nothing, while a line
    split or joined differently still costs its edits.
    """
    errors = total = 0
    for truth_text, got_text in pairs:
        truth = [t for t in (normalise(x) for x in truth_text.splitlines()) if t]
        got = [g for g in (normalise(x) for x in got_text.splitlines()) if g]
        total += sum(len(t) for t in truth)
        candidates = sorted(
            (levenshtein(t, g) / max(1, len(t)), i, j)
            for i, t in enumerate(truth) for j, g in enumerate(got)
            if abs(len(t) - len(g)) < max(len(t), len(g))
        )
        used_t: set[int] = set()
        used_g: set[int] = set()
        for share, i, j in candidates:
            if i in used_t or j in used_g or share >= 1.0:
                continue
            used_t.add(i)
            used_g.add(j)
            errors += levenshtein(truth[i], got[j])
        errors += sum(len(t) for i, t in enumerate(truth) if i not in used_t)
        errors += sum(len(g) for j, g in enumerate(got) if j not in used_g)
    return errors / max(1, total)


# ------------------------------------------------------------------ the sets


def specimen_class(profile: dict[str, Any]) -> str:
    """A class key for a specimens page in the evalset's form: dpi-mode-degradations."""
    marks = [name for name, on in (
        ("blur", profile.get("blur")), ("speckle", profile.get("noise")),
        ("jpeg", profile.get("jpeg_quality")), ("yellow", profile.get("yellow")),
        ("seal", profile.get("seal")), ("skew", abs(float(profile.get("skew", 0))) >= 1),
    ) if on]
    return f"{profile.get('dpi', 300)}dpi-{profile.get('mode', '?')}-{'_'.join(marks) or 'clean'}"


def specimens_set(out: Path, n: int, seed: int) -> list[Doc]:
    from specimens import load_ground_truth, make_batch

    folder = out / f"specimens-{seed}-{n}"
    if not (folder / "ground_truth.jsonl").exists():
        make_batch(folder, n, seed, degraded=True)
    docs = []
    for path, specimen, profile in load_ground_truth(folder):
        prof = profile or {}
        truth = [specimen.text] + ([""] if prof.get("back_page") else [])
        docs.append(Doc(path=path, truth=truth, turn=int(prof.get("turn", 0) or 0),
                        dpi=int(prof.get("dpi", 300)), class_key=specimen_class(prof),
                        profile="specimens", split="all"))
    return docs


def evalset_set(folder: Path, n: int, seed: int) -> list[Doc]:
    """The held-out set (``python -m evalset``), generated into ``folder`` if missing."""
    if not (folder / "truth.jsonl").exists():
        print(f"generating the evalset into {folder} (count {n}, seed {seed}) …", flush=True)
        env = {**os.environ, "PYTHONPATH": str(ROOT)}  # our generator, whatever --sohoa-root
        subprocess.run([sys.executable, "-m", "evalset", str(folder), "--count", str(n),
                        "--seed", str(seed), "--profile", "both"],
                       cwd=ROOT, env=env, check=True)
    docs = []
    for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        klass = row.get("class") or {}
        docs.append(Doc(path=folder / row["file"], truth=list(row["pages"]),
                        turn=int(klass.get("turn", 0) or 0), dpi=int(klass.get("dpi", 300)),
                        class_key=str(row.get("class_key", "?")),
                        profile=str(row.get("profile", "?")), split=str(row.get("split", "?"))))
    return docs


def pdf_page_ppi(path: Path) -> dict[int, int]:
    """Page number -> the resolution of its largest image (``pdfimages -list``)."""
    done = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                          check=True)
    best: dict[int, tuple[int, int]] = {}
    for line in done.stdout.splitlines()[2:]:
        cols = line.split()
        if len(cols) < 14 or not cols[0].isdigit():
            continue
        page, area, ppi = int(cols[0]), int(cols[3]) * int(cols[4]), round(float(cols[12]))
        if area > best.get(page, (0, 0))[0]:
            best[page] = (area, ppi)
    return {page: ppi for page, (_, ppi) in best.items()}


@dataclass
class TessInput:
    doc: Doc
    image: Path
    pages: list[int]  # 0-based pages of the document this input holds (multi-frame TIFF)


def tesseract_inputs(docs: list[Doc], out: Path) -> list[TessInput]:
    """Bare tesseract cannot read PDF: give it each PDF page's image at its resolution."""
    raster = out / "raster"
    raster.mkdir(parents=True, exist_ok=True)
    inputs = []
    for doc in docs:
        if doc.path.suffix != ".pdf":
            inputs.append(TessInput(doc, doc.path, list(range(len(doc.truth)))))
            continue
        ppi = pdf_page_ppi(doc.path)
        for i in range(len(doc.truth)):
            target = raster / f"{doc.path.parent.name}-{doc.path.stem}-p{i + 1}.png"
            if not target.exists():
                dpi = str(ppi.get(i + 1, doc.dpi))
                subprocess.run(["pdftoppm", "-r", dpi, "-f", str(i + 1), "-l", str(i + 1),
                                "-png", "-singlefile", str(doc.path),
                                str(target.with_suffix(""))], check=True)
            inputs.append(TessInput(doc, target, [i]))
    return inputs


# ------------------------------------------------------------------ systems


def expected_rotation(doc: Doc) -> int:
    return (360 - doc.turn) % 360


def _env() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


OCR: ModuleType | None = None  # ``ocr``, imported by load_ocr (from --sohoa-root if given)


def load_ocr(root: Path | None) -> ModuleType:
    global OCR
    if root is not None:
        sys.path.insert(0, str(root.resolve()))
    sys.path.append(str(ROOT))
    import ocr

    OCR = ocr
    return ocr


def _reason(exc: BaseException) -> str:
    return " ".join(f"{type(exc).__name__}: {exc}".split())[:400]


def _read_page(job: PageJob) -> PageResult:
    assert OCR is not None
    result: PageResult = OCR.run_page(job)
    return result


def _plan(path: Path, out_dir: Path) -> list[PageJob]:
    """``ocr.plan_pages``, the pages' PDFs going to ``out_dir``; an older tree given by
    ``--sohoa-root`` may predate pages handed over by path."""
    assert OCR is not None
    media_type = MEDIA_TYPES[path.suffix]
    if "out_dir" not in inspect.signature(OCR.plan_pages).parameters:
        return list(OCR.plan_pages(str(path), media_type))
    out_dir.mkdir(parents=True, exist_ok=True)
    return list(OCR.plan_pages(str(path), media_type, out_dir=str(out_dir)))


def run_sohoa(docs: list[Doc], workers: int, out: Path) -> Outcome:
    assert OCR is not None
    from ocr.assemble import build_archival

    target = out / "sohoa"
    target.mkdir(parents=True, exist_ok=True)
    outcome = Outcome(name="sohoa (ocr.run_page + PDF/A)", seconds=0.0)
    started = time.perf_counter()
    jobs: dict[str, list[Any]] = {}
    for doc in docs:
        try:
            jobs[doc.name] = _plan(doc.path, target / "pages" / doc.name)
        except Exception as exc:
            outcome.failures[doc.name] = f"plan_pages: {_reason(exc)}"
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures: dict[str, list[Future[PageResult]]] = {
            name: [pool.submit(_read_page, job) for job in file_jobs]
            for name, file_jobs in jobs.items()
        }
        for name, file_futures in futures.items():
            results = []
            for number, future in enumerate(file_futures, start=1):
                try:
                    results.append(future.result())
                except Exception as exc:
                    outcome.failures.setdefault(name, f"page {number}: {_reason(exc)}")
            if name in outcome.failures:
                continue
            archival = build_archival(results, title=name)
            shutil.rmtree(target / "pages" / name, ignore_errors=True)
            (target / (name + ".pdf")).write_bytes(archival.pdf)
            if not archival.pdfa:
                outcome.failures[name] = f"not PDF/A: {archival.notes}"
            outcome.texts[name] = [r.text for r in results]
            outcome.rotations[name] = [r.rotated for r in results]
    outcome.seconds = time.perf_counter() - started
    return outcome


def run_tesseract(docs: list[Doc], workers: int, out: Path) -> Outcome:
    inputs = tesseract_inputs(docs, out)

    def one(item: TessInput) -> tuple[TessInput, str, str | None]:
        done = subprocess.run(["tesseract", str(item.image), "-", "-l", "vie"],
                              capture_output=True, env=_env())
        if done.returncode != 0:
            return item, "", f"exit {done.returncode}: " + \
                " ".join(done.stderr.decode(errors="replace").split())[-300:]
        return item, done.stdout.decode("utf-8"), None

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, inputs))
    seconds = time.perf_counter() - started
    outcome = Outcome(name="tesseract -l vie", seconds=seconds)
    for item, text, error in results:
        name = item.doc.name
        if error:
            outcome.failures.setdefault(name, error)
        pages = outcome.texts.setdefault(name, [""] * len(item.doc.truth))
        # tesseract ends every page with a form feed: a multi-frame TIFF gives several
        for index, page_text in zip(item.pages, text.split("\f"), strict=False):
            pages[index] = page_text
        # Bare tesseract never turns a page: every turned sheet stays turned.
        outcome.rotations[name] = [0] * len(item.doc.truth)
    return outcome


FACING = {"⇧": 0, "⇨": 90, "⇩": 180, "⇦": 270}  # OCRmyPDF's log: where the page's top is
WILL_ROTATE = re.compile(r"^\s*(\d+) page is facing (\S), confidence \S+ - will rotate",
                         re.MULTILINE)


def _ocrmypdf_rotations(pdf_path: Path, log: str) -> list[int | None]:
    """Degrees clockwise OCRmyPDF turned each page: with --deskew it bakes the turn it
    decided (logged as "page is facing ⇦ … - will rotate") into the page image; any
    /Rotate it set comes on top."""
    with pikepdf.open(pdf_path) as pdf:
        rotations: list[int | None] = [int(page.obj.get("/Rotate", 0)) % 360
                                       for page in pdf.pages]
    for match in WILL_ROTATE.finditer(log):
        index = int(match[1]) - 1
        if index < len(rotations) and match[2] in FACING:
            rotations[index] = ((rotations[index] or 0) + 360 - FACING[match[2]]) % 360
    return rotations


def _pdftotext_page(pdf_path: Path, number: int) -> str:
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(number), "-l", str(number),
                           str(pdf_path), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8").replace("\f", "")


def run_ocrmypdf(docs: list[Doc], workers: int, out: Path) -> Outcome:
    target = out / "ocrmypdf"
    target.mkdir(parents=True, exist_ok=True)
    ocrmypdf = str(Path(sys.executable).with_name("ocrmypdf"))

    def one(doc: Doc) -> tuple[Doc, Path, str, str | None]:
        pdf = target / f"{doc.path.parent.name}-{doc.name}.pdf"
        pdf.unlink(missing_ok=True)
        cmd = [ocrmypdf, "-l", "vie", "--rotate-pages", "--deskew", "--jobs", "1",
               *([] if doc.path.suffix == ".pdf" else ["--image-dpi", str(doc.dpi)]),
               str(doc.path), str(pdf)]
        done = subprocess.run(cmd, capture_output=True, env=_env())
        log = done.stderr.decode(errors="replace")
        if done.returncode != 0:
            return doc, pdf, log, f"exit {done.returncode}: " + " ".join(log.split())[-300:]
        return doc, pdf, log, None

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(one, docs))
    seconds = time.perf_counter() - started
    outcome = Outcome(name="ocrmypdf --rotate-pages --deskew", seconds=seconds)
    for doc, pdf, log, error in results:
        if error:
            outcome.failures[doc.name] = error
            continue
        outcome.texts[doc.name] = [_pdftotext_page(pdf, i + 1) for i in range(len(doc.truth))]
        outcome.rotations[doc.name] = _ocrmypdf_rotations(pdf, log)
    return outcome


def precompile(root: Path) -> None:
    """Byte-compile the sohoa packages of checkout ``root``, as installing it does.

    An installed sohoa (the Dockerfile's ``pip install .``) starts from compiled
    modules. A checkout run with PYTHONDONTWRITEBYTECODE=1 (the dev sessions'
    environment) keeps none, so every timed command compiled ~110 modules again in its
    main process and its workers' server: ~0.15 s CPU a round that no deployment pays
    (bench/README_ocr.md, "Starting a batch"). A no-op when the files are up to date.
    """
    for package in sorted(root.iterdir()):
        if (package / "__init__.py").is_file() and package.name not in ("tests", "bench"):
            compileall.compile_dir(package, quiet=1)


def staged(scratch: Path, docs: list[Doc]) -> tuple[Path, Path]:
    """An input folder of links to ``docs`` and an empty data directory under ``scratch``:
    the command reads the set's files where they are."""
    folder, data = scratch / "in", scratch / "data"
    folder.mkdir()
    data.mkdir()
    for doc in docs:
        (folder / doc.name).symlink_to(doc.path.resolve())
    return folder, data


def run_command(template: str, docs: list[Doc], sohoa_root: Path | None) -> Outcome:
    """Time an external command over the files (e.g. the full ``sohoa ingest``).

    ``{files}`` in the template becomes the files, ``{dir}`` a fresh folder holding
    links to just these files, ``{tmp}`` a fresh empty folder (e.g. for SOHOA_DATA).
    With ``sohoa_root`` that checkout comes first on the command's PYTHONPATH.
    """
    files = " ".join(shlex.quote(str(d.path)) for d in docs)
    precompile(sohoa_root or ROOT)
    env = _env()
    if sohoa_root is not None:
        env["PYTHONPATH"] = os.pathsep.join(
            [str(sohoa_root.resolve()), *filter(None, [os.environ.get("PYTHONPATH")])])
    with tempfile.TemporaryDirectory(prefix="ocr-bench-") as scratch:
        folder, data = staged(Path(scratch), docs)
        command = template.format(files=files, dir=shlex.quote(str(folder)),
                                  tmp=shlex.quote(str(data)))
        started = time.perf_counter()
        done = subprocess.run(command, shell=True, capture_output=True, env=env)
        seconds = time.perf_counter() - started
    outcome = Outcome(name=f"command: {template[:60]}", seconds=seconds, scored=False)
    for line in done.stdout.decode(errors="replace").splitlines():
        try:
            row = json.loads(line)
        except ValueError:
            continue
        if isinstance(row, dict) and row.get("status") == "failed":
            name = (row.get("source") or {}).get("filename", "?")
            outcome.failures[name] = " ".join(
                str(row.get("reason") or row.get("error") or row).split())[:400]
    if done.returncode != 0 and not outcome.failures:
        outcome.failures["(command)"] = f"exit {done.returncode}: " + \
            " ".join(done.stderr.decode(errors="replace").split())[-300:]
    return outcome


def interleaved(docs: list[Doc], systems: dict[str, Callable[[list[Doc]], Outcome]],
                rounds: int) -> dict[str, Outcome]:
    """Run every system on the same files in rounds, rotating which goes first.

    The machine is shared: taking turns spreads any background load evenly over the
    systems instead of letting it land on whichever ran during a busy minute.
    """
    size = max(1, -(-len(docs) // max(1, rounds)))
    chunks = [docs[i : i + size] for i in range(0, len(docs), size)]
    names = list(systems)
    totals: dict[str, Outcome] = {}
    for number, chunk in enumerate(chunks):
        order = names[number % len(names):] + names[: number % len(names)]
        for name in order:
            got = systems[name](chunk)
            print(f"  round {number + 1}/{len(chunks)} {name:10} {len(chunk):3} files "
                  f"{got.seconds:7.1f} s  load {os.getloadavg()[0]:.2f}", flush=True)
            total = totals.setdefault(name, Outcome(name=got.name, seconds=0.0,
                                                    scored=got.scored))
            total.seconds += got.seconds
            total.texts.update(got.texts)
            total.rotations.update(got.rotations)
            total.failures.update(got.failures)
    return {name: totals[name] for name in names}


# ------------------------------------------------------------------ report


def _cer(scores: list[PageScore], system: str) -> float:
    chars = sum(s.chars for s in scores)
    return sum(s.errors[system] for s in scores) / max(1, chars)


def class_rows(docs: list[Doc], scores: list[PageScore],
               outcomes: dict[str, Outcome]) -> list[dict[str, Any]]:
    """Per class_key, then per profile, then overall: CER of each system and the rest."""
    systems = [name for name in SYSTEMS if name in outcomes and outcomes[name].scored]
    groups: list[tuple[str, list[PageScore]]] = [
        (key, [s for s in scores if s.doc.class_key == key])
        for key in sorted({d.class_key for d in docs})
    ]
    profiles = sorted({d.profile for d in docs})
    if len(profiles) > 1:
        groups += [(f"**{p} (all)**", [s for s in scores if s.doc.profile == p])
                   for p in profiles]
    groups.append(("**overall**", scores))
    rows = []
    for label, group in groups:
        names = {s.doc.name for s in group}
        row: dict[str, Any] = {"class": label, "pages": len(group),
                               "documents": len(names), "cer": {}, "left_turned": {},
                               "failed": {}}
        for system in systems:
            row["cer"][system] = _cer(group, system)
            row["left_turned"][system] = sum(s.left_turned[system] for s in group)
            row["failed"][system] = sum(1 for n in names if n in outcomes[system].failures)
        if "sohoa" in row["cer"] and "tesseract" in row["cer"]:
            row["delta_points"] = (row["cer"]["sohoa"] - row["cer"]["tesseract"]) * 100
        rows.append(row)
    return rows


def print_class_table(rows: list[dict[str, Any]]) -> None:
    systems = [s for s in SYSTEMS if rows and s in rows[0]["cer"]]
    heads = {"sohoa": "sohoa", "tesseract": "tesseract", "ocrmypdf": "OCRmyPDF"}
    letters = "/".join(heads[s][0] for s in systems)
    print("| class | pages | " + " | ".join(f"{heads[s]} CER %" for s in systems)
          + " | sohoa − tess. (pts) | left turned " + letters
          + " | docs failed " + letters + " |")
    print("|---|---:|" + "---:|" * len(systems) + "---:|---:|---:|")
    for row in rows:
        delta = row.get("delta_points")
        mark = "" if delta is None else (f"{delta:+.2f}"
                                         + (" ✗" if delta > TOLERANCE_POINTS else ""))
        cers = " | ".join(f"{row['cer'][s] * 100:.2f}" for s in systems)
        turned = "/".join(str(row["left_turned"][s]) for s in systems)
        failed = "/".join(str(row["failed"][s]) for s in systems)
        print(f"| {row['class']} | {row['pages']} | {cers} | {mark} | {turned} | {failed} |")


def report(docs: list[Doc], outcomes: dict[str, Outcome], meta: dict[str, Any],
           json_path: Path) -> dict[str, Any]:
    scores = score_pages(docs, outcomes)
    n_pages = sum(len(d.truth) for d in docs)
    turned = sum(len(d.truth) for d in docs if d.turn)
    print(f"\n{len(docs)} files, {n_pages} pages ({turned} on turned sheets), "
          f"{os.cpu_count()} cores, load average now {meta['load_after']}\n")
    print(f"{'system':36} {'CER %':>7} {'line-matched %':>15} {'median %':>9} "
          f"{'worst %':>8} {'pages/min':>10} {'left turned':>12} {'docs failed':>12}")
    systems: dict[str, Any] = {}
    for key, outcome in outcomes.items():
        rate = n_pages / outcome.seconds * 60 if outcome.seconds else float("nan")
        entry: dict[str, Any] = {"label": outcome.name, "seconds": outcome.seconds,
                                 "pages_per_minute": rate, "failures": outcome.failures}
        if outcome.scored:
            per_page = [s.errors[key] / max(1, s.chars) for s in scores if s.chars]
            matched = line_matched_cer(
                (truth, got) for d in docs
                for truth, got in zip(d.truth, page_texts(outcome, d), strict=True))
            entry |= {"cer": _cer(scores, key), "line_matched_cer": matched,
                      "median_page_cer": float(np.median(per_page)),
                      "worst_page_cer": max(per_page),
                      "left_turned": sum(s.left_turned[key] for s in scores)}
            print(f"{outcome.name:36} {entry['cer'] * 100:7.2f} {matched * 100:15.2f} "
                  f"{entry['median_page_cer'] * 100:9.2f} {entry['worst_page_cer'] * 100:8.2f} "
                  f"{rate:10.1f} {entry['left_turned']:>12} {len(outcome.failures):>12}")
        else:
            print(f"{outcome.name[:36]:36} {'':7} {'':15} {'':9} {'':8} {rate:10.1f} "
                  f"{'':>12} {len(outcome.failures):>12}")
        systems[key] = entry

    rows = class_rows(docs, scores, outcomes)
    print("\nPer class of page (CER over the pages of the class; ✗: sohoa worse than bare "
          f"tesseract by more than {TOLERANCE_POINTS} points):\n")
    print_class_table(rows)

    print("\nThroughput (same files, same parallelism, interleaved rounds):")
    ppm = {k: v["pages_per_minute"] for k, v in systems.items()}
    for key in ppm:
        print(f"  {systems[key]['label'][:60]:60} {ppm[key]:7.1f} pages/min "
              f"({systems[key]['seconds']:.1f} s)")
    if "sohoa" in ppm and "tesseract" in ppm:
        print(f"  sohoa run_page / bare tesseract: {ppm['sohoa'] / ppm['tesseract']:.2f}")
    if "command" in ppm and "tesseract" in ppm:
        print(f"  whole command / bare tesseract: {ppm['command'] / ppm['tesseract']:.2f} "
              "(target ≥ 0.70)")
    for key in ("sohoa", "command"):
        if key in ppm and "ocrmypdf" in ppm:
            print(f"  {'sohoa run_page' if key == 'sohoa' else 'whole command'} / OCRmyPDF: "
                  f"{ppm[key] / ppm['ocrmypdf']:.2f} (target ≥ 2)")

    failures = [(k, n, r) for k, v in systems.items() for n, r in v["failures"].items()]
    print(f"\nDocuments failed: {len(failures)}")
    for key, name, reason in failures:
        print(f"  {key:10} {name}: {reason}")

    summary = {
        **meta, "files": len(docs), "pages": n_pages, "systems": systems, "classes": rows,
        "per_page": [
            {"file": s.doc.name, "page": s.number, "class_key": s.doc.class_key,
             "profile": s.doc.profile, "split": s.doc.split, "turn": s.doc.turn,
             "chars": s.chars, "errors": s.errors,
             "cer": {k: e / max(1, s.chars) for k, e in s.errors.items()},
             "left_turned": s.left_turned, "rotation": s.rotations, "text": s.texts}
            for s in scores
        ],
    }
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(summary, indent=1, ensure_ascii=False))
    print(f"\nper-page results: {json_path}")
    return summary


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True)
    return done.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--set", choices=("specimens", "evalset"), default="specimens")
    parser.add_argument("--pages", type=int, default=40, help="specimens: number of files")
    parser.add_argument("--count", type=int, default=48, help="evalset: --count to generate")
    parser.add_argument("--seed", type=int, help="default 2024 (specimens), 13 (evalset)")
    parser.add_argument("--evalset-dir", type=Path,
                        help="an evalset folder (truth.jsonl); generated here if missing")
    parser.add_argument("--split", choices=("dev", "test", "all"), default="test",
                        help="evalset half to run (tune on dev, report test)")
    parser.add_argument("--only-class", action="append", metavar="KEY",
                        help="only files of this class_key (repeatable)")
    parser.add_argument("--max-files", type=int, help="only the first N files (quick runs)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help="results file (default OUT/results-<set>-<split>.json)")
    parser.add_argument("--skip-ocrmypdf", action="store_true")
    parser.add_argument("--skip-tesseract", action="store_true")
    parser.add_argument("--rounds", type=int, default=4,
                        help="split the files into rounds, systems taking turns going first")
    parser.add_argument("--sohoa-root", type=Path,
                        help="import ocr (and the command's code) from this checkout")
    parser.add_argument("--sohoa-cmd", help="also time this shell command (see the docstring)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    ocr = load_ocr(args.sohoa_root)
    sohoa_root = Path(str(ocr.__file__)).resolve().parent.parent

    if args.set == "specimens":
        seed = 2024 if args.seed is None else args.seed
        docs = specimens_set(args.out, args.pages, seed)
        split = "all"
    else:
        seed = 13 if args.seed is None else args.seed
        folder = args.evalset_dir or args.out / f"evalset-{seed}-{args.count}"
        docs = evalset_set(folder, args.count, seed)
        split = args.split
        if split != "all":
            docs = [d for d in docs if d.split == split]
    if args.only_class:
        docs = [d for d in docs if d.class_key in args.only_class]
    if args.max_files:
        docs = docs[: args.max_files]
    if not docs:
        parser.error("no files left to run (check --split / --only-class)")

    systems: dict[str, Callable[[list[Doc]], Outcome]] = {
        "sohoa": lambda chunk: run_sohoa(chunk, args.workers, args.out),
    }
    if not args.skip_tesseract:
        systems["tesseract"] = lambda chunk: run_tesseract(chunk, args.workers, args.out)
    if not args.skip_ocrmypdf:
        systems["ocrmypdf"] = lambda chunk: run_ocrmypdf(chunk, args.workers, args.out)
    if args.sohoa_cmd:
        systems["command"] = lambda chunk: run_command(args.sohoa_cmd, chunk, args.sohoa_root)
    started = dt.datetime.now().astimezone()
    print(f"{args.set} {split}: {len(docs)} files; sohoa code from {sohoa_root} at "
          f"{_git(sohoa_root, 'rev-parse', '--short', 'HEAD')}; load average "
          f"{' '.join(f'{x:.2f}' for x in load_before)}", flush=True)
    outcomes = interleaved(docs, systems, args.rounds)
    tag = re.sub(r"[^\w.-]+", "_", "-".join([args.set, split, *(args.only_class or [])]))
    meta = {
        "set": args.set, "split": split, "seed": seed, "started": started.isoformat(),
        "finished": dt.datetime.now().astimezone().isoformat(),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "sohoa_root": str(sohoa_root),
        "sohoa_commit": _git(sohoa_root, "rev-parse", "--short", "HEAD"),
        "sohoa_ocr_dirty": bool(_git(sohoa_root, "status", "--porcelain", "--", "ocr")),
        "workers": args.workers, "only_class": args.only_class,
    }
    report(docs, outcomes, meta, args.json or args.out / f"results-{tag}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
