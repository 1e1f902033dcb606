"""CPU seconds of the whole ``sohoa ingest`` (command, workers' server, workers, their
``pdftoppm``/``tesseract`` children) and of bare ``tesseract -l vie`` on the same pages.

    PYTHONPATH=$PWD .venv/bin/python bench/ingest_cpu.py [--split dev] [--rounds 4] \
        [--runs 1] [--root DIR ...] [--json PATH]

The speed bench (``bench/ocr_bench.py --sohoa-cmd``) times the command's wall clock,
which on a shared machine measures the other users' load as much as sohoa. This counts
CPU instead: the harness makes itself a *child subreaper* (``PR_SET_CHILD_SUBREAPER``),
so the workers' forkserver — which the command never reaps: it exits after the command,
orphaned — is reparented to the harness and reaped by it, and ``RUSAGE_CHILDREN`` then
holds every process of the command. Same files and rounds as the speed bench (its
``interleaved`` split), a fresh data folder each run, ``SOHOA_WORKERS=2``,
``OMP_THREAD_LIMIT=1``; ``--root`` several checkouts (e.g. a ``git archive`` of the base
and the branch) to run them alternately, round by round. Bare tesseract reads the same
pages from the speed bench's rasters (made beforehand, not counted), two at a time.

Each run also keeps, for every file, the SHA-256 of its stored text and of its record's
reading-derived fields (``READING_KEYS``: text, type, number, fields, subjects, review
…, not the times, ids or signature); the summary says on how many files two roots
differ, so a speed change is checked for identical readings end to end.
"""

from __future__ import annotations

import argparse
import ctypes
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.append(str(ROOT))

import ocr_bench  # noqa: E402  (bench/ on the path above)

PR_SET_CHILD_SUBREAPER = 36
# What a record holds that comes from the reading (not its ids, times, files, signature).
READING_KEYS = ("doc_type", "doc_type_confidence", "document_number", "doubts", "fields",
                "given", "issued_on", "issuer", "ocr", "regions", "review", "status",
                "subjects", "text", "title", "valid_until")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _reap_orphans() -> None:
    """Wait for every descendant reparented to this process (the forkserver)."""
    while True:
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _readings(data: Path) -> dict[str, str]:
    """Source file name -> SHA-256 of its stored text and of its record's reading keys."""
    out = {}
    for record in data.glob("objects/*/records/*/record/v*.json"):
        row = json.loads(record.read_text(encoding="utf-8"))
        text = record.parent.parent / "text.txt"
        digest = hashlib.sha256(text.read_bytes() if text.exists() else b"")
        digest.update(json.dumps({k: row.get(k) for k in READING_KEYS}, sort_keys=True,
                                 ensure_ascii=False).encode())
        out[str(row["source"]["filename"])] = digest.hexdigest()
    return out


def ingest_cpu(root: Path, docs: list[ocr_bench.Doc], workers: int,
               readings: dict[str, str]) -> dict[str, float]:
    ocr_bench.precompile(root)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "SOHOA_WORKERS": str(workers),
           "PYTHONPATH": str(root.resolve())}
    with tempfile.TemporaryDirectory(prefix="ingest-cpu-") as scratch:
        folder, data = ocr_bench.staged(Path(scratch), docs)
        env["SOHOA_DATA"] = str(data)
        before = _children_cpu()
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", "from cli.entry import main; "
                               "import sys; sys.argv[0] = 'sohoa'; sys.exit(main())",
                               "ingest", str(folder), "--json"],
                              capture_output=True, env=env, cwd=scratch)
        wall = time.perf_counter() - started
        _reap_orphans()
        cpu = _children_cpu() - before
        readings.update(_readings(data))
    failed = sum(1 for line in done.stdout.decode(errors="replace").splitlines()
                 if '"status": "failed"' in line)
    if done.returncode != 0:
        print(done.stderr.decode(errors="replace")[-2000:], file=sys.stderr)
    return {"cpu": cpu, "wall": wall, "failed": float(failed), "rc": float(done.returncode)}


def tesseract_cpu(inputs: list[ocr_bench.TessInput], workers: int) -> dict[str, float]:
    def one(item: ocr_bench.TessInput) -> None:
        subprocess.run(["tesseract", str(item.image), "-", "-l", "vie"],
                       capture_output=True, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
                       check=True)

    before = _children_cpu()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(one, inputs))
    return {"cpu": _children_cpu() - before, "wall": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evalset-dir", type=Path, default=ROOT / "bench/out/evalset")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--root", type=Path, action="append", default=[])
    parser.add_argument("--no-tesseract", action="store_true")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise SystemExit("cannot become a child subreaper: the forkserver's CPU would be lost")
    roots = args.root or [ROOT]
    docs = [d for d in ocr_bench.evalset_set(args.evalset_dir, 0, 0)
            if args.split == "all" or d.split == args.split]
    size = max(1, -(-len(docs) // max(1, args.rounds)))
    chunks = [docs[i: i + size] for i in range(0, len(docs), size)]
    pages = {id(d): len(d.truth) for d in docs}
    raster_out = ROOT / "bench/out/ocr"
    rows: list[dict[str, Any]] = []
    totals: dict[str, dict[str, float]] = {}
    readings: dict[tuple[int, str], dict[str, str]] = {}
    for run in range(args.runs):
        for number, chunk in enumerate(chunks):
            n_pages = sum(pages[id(d)] for d in chunk)
            names = [str(r) for r in roots] + ([] if args.no_tesseract else ["tesseract"])
            shift = (number + run) % len(names)
            for name in names[shift:] + names[:shift]:
                if name == "tesseract":
                    got = tesseract_cpu(ocr_bench.tesseract_inputs(chunk, raster_out),
                                        args.workers)
                else:
                    got = ingest_cpu(Path(name), chunk, args.workers,
                                     readings.setdefault((run, name), {}))
                load = os.getloadavg()[0]
                row = {"run": run, "round": number + 1, "system": name, "pages": n_pages,
                       "load": round(load, 2), "utc": time.strftime("%H:%M:%S", time.gmtime()),
                       **{k: round(v, 3) for k, v in got.items()}}
                rows.append(row)
                total = totals.setdefault(name, {"cpu": 0.0, "wall": 0.0, "pages": 0.0})
                total["cpu"] += got["cpu"]
                total["wall"] += got["wall"]
                total["pages"] += n_pages
                print(f"run {run + 1} round {number + 1} {name[-40:]:40} {n_pages:3} p "
                      f"cpu {got['cpu']:7.2f} s ({got['cpu'] / n_pages:.3f}/p) "
                      f"wall {got['wall']:6.1f} s load {load:.2f}", flush=True)
    print()
    tess = totals.get("tesseract")
    for name, total in totals.items():
        per = total["cpu"] / total["pages"]
        ratio = f"  tesseract÷this {tess['cpu'] / tess['pages'] / per:.3f}" if tess else ""
        print(f"{name[-50:]:50} {per:.4f} CPU s/page over {total['pages']:.0f} pages{ratio}")
    first = readings.get((0, str(roots[0])), {})
    for (run, name), seen in readings.items():
        differ = sorted(f for f in set(first) | set(seen) if first.get(f) != seen.get(f))
        print(f"readings, run {run + 1} {name[-40:]}: {len(seen)} files, "
              f"{len(differ)} differ from run 1 of {str(roots[0])[-30:]} {differ[:10]}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "totals": totals, "readings": {
            f"{run}:{name}": seen for (run, name), seen in readings.items()}}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
