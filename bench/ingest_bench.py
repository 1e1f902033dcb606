"""Pages per minute of the whole `sohoa ingest` next to bare `tesseract -l vie`.

Both run on the same generated pages, in the same run, with the same parallelism
(``--workers`` processes, one tesseract thread each). sohoa's figure includes
everything ingest does (preparation, OCR, PDF/A, extraction, signature, storage,
index); tesseract's is OCR to a searchable PDF only.

    .venv/bin/python bench/ingest_bench.py [--pages 20] [--workers 2] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specimens import degradation_profile, degraded_page, generate_set, save  # noqa: E402

IMAGE_FORMATS = ("png", "jpeg", "tiff")


def make_pages(folder: Path, count: int, seed: int) -> list[Path]:
    """Degraded scans as images (bare tesseract reads no PDF), one page per file."""
    folder.mkdir(parents=True)
    paths = []
    for i, spec in enumerate(generate_set(count, seed)):
        profile = degradation_profile(seed * 1000 + i)
        fmt = IMAGE_FORMATS[i % len(IMAGE_FORMATS)]
        path = folder / f"page-{i:04d}.{fmt}"
        save(degraded_page(spec, profile, seed * 1000 + i), path, fmt, dpi=profile["dpi"])
        paths.append(path)
    return paths


def bare_tesseract(files: list[Path], out: Path, workers: int) -> float:
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}

    def one(path: Path) -> None:
        subprocess.run(
            ["tesseract", str(path), str(out / path.stem), "-l", "vie", "pdf"],
            check=True, env=env, capture_output=True,
        )

    start = time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(one, files))
    return time.perf_counter() - start


def sohoa_ingest(folder: Path, data: Path, workers: int) -> tuple[float, list[dict[str, object]]]:
    env = {**os.environ, "SOHOA_DATA": str(data), "SOHOA_WORKERS": str(workers),
           "OMP_THREAD_LIMIT": "1"}
    sohoa = Path(sys.executable).with_name("sohoa")
    start = time.perf_counter()
    proc = subprocess.run([str(sohoa), "ingest", str(folder), "--json"], env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return elapsed, lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-"))
    try:
        batch = work / "batch"
        files = make_pages(batch, args.pages, args.seed)
        (work / "tess").mkdir()
        # Warm the page cache and tesseract's model load once, for both contenders alike.
        subprocess.run(["tesseract", str(files[0]), "-", "-l", "vie"], capture_output=True,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=False)
        t_tess = bare_tesseract(files, work / "tess", args.workers)
        t_sohoa, lines = sohoa_ingest(batch, work / "data", args.workers)
        pages = sum(int((r.get("source") or {}).get("pages") or 0) for r in lines)  # type: ignore[union-attr]
        failed = [r for r in lines if r.get("status") == "failed"]
        ppm_tess = len(files) / t_tess * 60
        ppm_sohoa = pages / t_sohoa * 60 if pages else 0.0
        print(f"pages: {len(files)} ({args.workers} worker processes, OMP_THREAD_LIMIT=1)")
        print(f"{'contender':34} {'seconds':>8} {'pages/min':>10}")
        print(f"{'bare tesseract -l vie (pdf)':34} {t_tess:8.1f} {ppm_tess:10.1f}")
        print(f"{'sohoa ingest (whole pipeline)':34} {t_sohoa:8.1f} {ppm_sohoa:10.1f}")
        print(f"sohoa / tesseract: {ppm_sohoa / ppm_tess:.0%}   failed files: {len(failed)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
