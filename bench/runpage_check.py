"""``run_page`` on the evalset's pages: what it read (to compare two trees) and its CPU.

A change meant to make a page cheaper without changing what is read is checked by
dumping, for every page of a half, everything ``run_page`` hands on (text, every word
with its confidence, box and line key, the dropped words, turn, deskew, notes, size,
resolution, mean confidence, the top view's pixels) and the second reading of lines
(``reread.read_lines``) of a few lines of each page, with the CPU each page took, then
comparing two dumps key by key::

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/runpage_check.py dump \\
        --split dev --out bench/out/runpage/base.json
    .venv/bin/python bench/runpage_check.py compare A.json B.json

The archival PDF's bytes differ from run to run (tesseract's PDF IDs): only its size is
kept, and compared to ``PDF_SIZE_SLACK`` bytes. ``--profile FILE`` runs the pages under
cProfile with the process's CPU clock (``pstats`` to read it).
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from ocr import reread
from ocr.base import PageJob, PageResult, Word
from ocr.pipeline import run_page

MEDIA_TYPES = {".pdf": "application/pdf", ".tif": "image/tiff", ".tiff": "image/tiff",
               ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
# The archival page's size may move by a few bytes between runs of one tree.
PDF_SIZE_SLACK = 64
# Lines of each page read again (the first ones of its reading with a box).
REREAD_LINES = 2


def _cpu() -> float:
    """This process's and its waited-for children's CPU seconds (user + system)."""
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def _words(words: list[Word] | tuple[Word, ...]) -> list[list[object]]:
    return [[w.text, w.confidence, list(w.bbox), list(w.line)] for w in words]


def _record(page: PageResult) -> dict[str, object]:
    view = page.view
    return {
        "text": page.text, "words": _words(page.words), "dropped": _words(page.dropped_words),
        "size": [page.width_px, page.height_px], "dpi": page.dpi,
        "dpi_assumed": page.dpi_assumed, "rotated": page.rotated, "deskew": page.deskew,
        "mean_confidence": page.mean_confidence, "blank": page.blank,
        "had_text": page.had_text, "notes": page.notes,
        "view": None if view is None else [view.width, view.height, view.dpi,
                                           hashlib.sha256(view.gray).hexdigest()],
        "pdf_size": Path(page.pdf_path).stat().st_size,
    }


def _lines_of(page: PageResult) -> list[tuple[int, int, int, int]]:
    """The boxes of the page's first REREAD_LINES lines (as extraction asks for them)."""
    boxes: dict[tuple[int, ...], list[int]] = {}
    for w in page.words:
        box = boxes.setdefault(tuple(w.line), list(w.bbox))
        box[:] = [min(box[0], w.bbox[0]), min(box[1], w.bbox[1]),
                  max(box[2], w.bbox[2]), max(box[3], w.bbox[3])]
    return [(b[0], b[1], b[2], b[3]) for b in list(boxes.values())[:REREAD_LINES]]


def pages(evalset: Path, split: str) -> list[tuple[str, Path, str, int]]:
    out = []
    for line in (evalset / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if split != "all" and row["split"] != split:
            continue
        path = evalset / row["file"]
        for index in range(len(row["pages"])):
            out.append((f"{row['id']}:{index + 1}", path, MEDIA_TYPES[path.suffix.lower()],
                        index))
    return out


def dump(args: argparse.Namespace) -> None:
    todo = pages(Path(args.evalset), args.split)[: args.limit or None]
    results: dict[str, object] = {}
    cpu: dict[str, float] = {}
    reread_cpu = 0.0
    profiler = cProfile.Profile(time.process_time) if args.profile else None
    with tempfile.TemporaryDirectory(prefix="runpage-check-") as out_dir:
        for key, path, media_type, index in todo:
            job = PageJob(str(path), media_type, index, out_dir=out_dir)
            start = _cpu()
            if profiler:
                profiler.enable()
            page = run_page(job)
            if profiler:
                profiler.disable()
            cpu[key] = _cpu() - start
            record = _record(page)
            geometry = reread.PageGeometry.of(page)
            requests = [reread.LineRequest(index, box) for box in _lines_of(page)]
            geometries = [geometry if i == index else reread.PageGeometry(
                number=i + 1, dpi=None, rotated=0, deskew=0.0, width=0, height=0, read=False)
                for i in range(index + 1)]
            start = _cpu()
            if profiler:
                profiler.enable()
            got = reread.read_lines(path, media_type, geometries, requests,
                                    languages=job.languages)
            if profiler:
                profiler.disable()
            reread_cpu += _cpu() - start
            record["reread"] = [_words(r.words) for r in got]
            results[key] = record
            print(f"{key} {cpu[key]:.3f}s", file=sys.stderr, flush=True)
    if profiler:
        profiler.dump_stats(args.profile)
    total = sum(cpu.values())
    summary = {"pages": len(cpu), "cpu_per_page": total / max(1, len(cpu)),
               "reread_cpu_per_page": reread_cpu / max(1, len(cpu)),
               "load": os.getloadavg()}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"summary": summary, "cpu": cpu, "pages": results},
                                         ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(summary))


def compare(args: argparse.Namespace) -> int:
    a = json.loads(Path(args.a).read_text(encoding="utf-8"))["pages"]
    b = json.loads(Path(args.b).read_text(encoding="utf-8"))["pages"]
    differ = 0
    for key in sorted(set(a) | set(b)):
        if key not in a or key not in b:
            print(f"{key}: only in one dump")
            differ += 1
            continue
        keys = [k for k in sorted(set(a[key]) | set(b[key]))
                if k != "pdf_size" and a[key].get(k) != b[key].get(k)]
        size = abs(a[key]["pdf_size"] - b[key]["pdf_size"])
        if size > PDF_SIZE_SLACK:
            keys.append(f"pdf_size {a[key]['pdf_size']} -> {b[key]['pdf_size']}")
        if keys:
            print(f"{key}: {', '.join(keys)}")
            differ += 1
    print(f"{differ} of {len(set(a) | set(b))} pages differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump")
    d.add_argument("--evalset", default="bench/out/evalset")
    d.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    d.add_argument("--limit", type=int, default=0)
    d.add_argument("--out", required=True)
    d.add_argument("--profile", default="")
    c = sub.add_parser("compare")
    c.add_argument("a")
    c.add_argument("b")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args)
        return 0
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
