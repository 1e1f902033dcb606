"""The hot folder's overhead: `sohoa watch DIR --once` next to `sohoa ingest DIR`.

Both digitize the same files (degraded scans, one page each, as ``ingest_bench``), each
into its own fresh data directory, in the same run. The watcher's wall time includes
everything it adds (listing, settling, hashing, the journal, moving files) and its
settle wait: a latency each file pays once, all files at the same time, kept short
here (``--settle 0.3``, a listing every 0.1 s) so that what is compared is the work.

A trickle (``--trickle N``): born-digital one-page PDFs, each settling alone and so each
a batch of its own, digitized in-process by the watcher's driver (one process pool kept
across its batches) and, as it was before, by ``run_batch`` making a pool for each
batch, alternating: the difference is the pool start-up the watcher no longer pays.

    .venv/bin/python bench/watch_bench.py [--pages 16] [--workers 2] [--seed 7]
                                          [--trickle 8] [--trickle-only]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ingest_bench import make_pages  # noqa: E402


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(args: list[str], data: Path, workers: int
        ) -> tuple[float, float, list[dict[str, object]]]:
    """Wall seconds, CPU seconds of the whole process tree (its OCR workers and their
    tesseract runs are waited for, so they count), and the JSON lines."""
    env = {**os.environ, "SOHOA_DATA": str(data), "SOHOA_WORKERS": str(workers),
           "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(ROOT)}
    cpu = _cpu()
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "cli.main", *args, "--json"], env=env,
                          capture_output=True, text=True, check=False, cwd=ROOT)
    elapsed = time.perf_counter() - start
    cpu = _cpu() - cpu
    if proc.returncode not in (0, 1):
        raise SystemExit(proc.stderr[-2000:])
    return elapsed, cpu, [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def watcher_own_time(hot: Path, data: Path, args: argparse.Namespace
                     ) -> tuple[float, float, float]:
    """(the watcher's own seconds, seconds inside the batch driver, total), in-process:
    the load of a shared machine slows both alike, so their ratio is what it adds."""
    os.environ.update({"SOHOA_DATA": str(data), "SOHOA_WORKERS": str(args.workers),
                       "OMP_THREAD_LIMIT": "1"})
    from application import Runtime, Settings
    from watch import Watcher, WatchOptions, embedded

    runtime = Runtime.open(Settings.from_env())
    inner = embedded(runtime)
    in_driver = 0.0
    taken_at: list[float] = []

    def timed(files: list, agency: str, on_outcome: object) -> None:
        nonlocal in_driver
        taken_at.append(time.perf_counter())
        inner(files, agency, on_outcome)  # type: ignore[arg-type]
        in_driver += time.perf_counter() - taken_at[-1]

    options = WatchOptions(settle_seconds=args.settle, poll_seconds=args.interval,
                           use_inotify=False)
    start = time.perf_counter()
    Watcher(hot, timed, agency=runtime.settings.agency, options=options).run(once=True)
    total = time.perf_counter() - start
    runtime.close()
    # Before the first batch: listings and the settle wait (a latency, not work) plus
    # the hashing and journaling of every file (work): the wait is at least
    # ``settle`` seconds, so counting all but that as work overstates the overhead.
    waited = args.settle
    return total - in_driver - waited, in_driver, total


def trickle(work: Path, count: int, workers: int) -> tuple[float, float]:
    """Median seconds of a one-file batch: (a new pool per batch, the watcher's kept
    pool). The two alternate, three files at a time, in one runtime, so that the
    machine's changing load weighs on both alike; the kept pool's first batch (its
    start-up, paid once) is left out of its median."""
    import statistics

    from application import Runtime, Settings
    from ingest import InputFile, run_batch
    from tests.support.scans import text_pdf
    from watch import embedded

    os.environ.update({"SOHOA_DATA": str(work / "data-trickle"),
                       "SOHOA_WORKERS": str(workers), "OMP_THREAD_LIMIT": "1"})
    runtime = Runtime.open(Settings.from_env())
    agency = runtime.settings.agency
    digitize = embedded(runtime)
    times: dict[str, list[float]] = {"fresh": [], "kept": []}
    made = 0
    while len(times["fresh"]) < count:
        for label in ("kept", "fresh"):
            for _ in range(3):
                made += 1
                path = text_pdf(work / "trickle" / f"{made}.pdf", f"trickle {made}")
                start = time.perf_counter()
                if label == "kept":
                    digitize([InputFile(path)], agency, lambda outcome: None)
                else:
                    run_batch([InputFile(path)], runtime, agency=agency)
                times[label].append(time.perf_counter() - start)
    digitize.close()
    runtime.close()
    return statistics.median(times["fresh"]), statistics.median(times["kept"][1:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--settle", type=float, default=0.3)
    parser.add_argument("--interval", type=float, default=0.1)
    parser.add_argument("--trickle", type=int, default=8)
    parser.add_argument("--trickle-only", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sohoa-bench-watch-"))
    try:
        if args.trickle:
            fresh, kept = trickle(work, args.trickle, args.workers)
            print(f"trickle: one-file batches (text-layer PDFs, {args.workers} workers), "
                  f"{args.trickle}+ of each, alternating; median seconds a batch")
            print(f"  run_batch, a new pool per batch (before): {fresh:6.2f}")
            print(f"  the watcher's driver, one kept pool:      {kept:6.2f}  "
                  f"({fresh - kept:+.2f} s a batch saved)")
        if args.trickle_only:
            return
        files = make_pages(work / "batch", args.pages, args.seed)
        shutil.copytree(work / "batch", work / "hot")
        # Warm the page cache and tesseract's model load once, for both contenders alike.
        subprocess.run(["tesseract", str(files[0]), "-", "-l", "vie"], capture_output=True,
                       env={**os.environ, "OMP_THREAD_LIMIT": "1"}, check=False)
        t_ingest, c_ingest, ingested = run(["ingest", str(work / "batch")], work / "data-ingest",
                                 args.workers)
        t_watch, c_watch, watched = run(["watch", str(work / "hot"), "--once", "--poll",
                                "--settle", str(args.settle), "--interval", str(args.interval)],
                               work / "data-watch", args.workers)
        shutil.copytree(work / "batch", work / "hot2")
        own, driver, total = watcher_own_time(work / "hot2", work / "data-watch2", args)
        ok_i = sum(1 for r in ingested if r.get("id"))
        ok_w = sum(1 for r in watched if r.get("id"))
        print(f"files: {len(files)} one-page degraded scans ({args.workers} worker processes)")
        print(f"{'contender':36} {'wall s':>8} {'CPU s':>8} {'ingested':>9}")
        print(f"{'sohoa ingest DIR':36} {t_ingest:8.1f} {c_ingest:8.1f} {ok_i:9d}")
        print(f"{'sohoa watch DIR --once --poll':36} {t_watch:8.1f} {c_watch:8.1f} {ok_w:9d}")
        # CPU time is what the watcher adds to the work and moves little with the load
        # of a shared machine; wall time moves with it (and includes the settle wait).
        print(f"watcher vs ingest: CPU {c_watch / c_ingest - 1:+.1%}, wall "
              f"{t_watch / t_ingest - 1:+.1%} (its {args.settle} s settle included; both "
              "move with the machine's load)")
        print(f"in-process watcher run: {total:.1f} s, of which the batch driver "
              f"{driver:.1f} s, settle wait and listings until taken {args.settle:.1f}+ s, "
              f"the watcher's own work (hashing, journal, moves, listings) {own:.2f} s")
        print(f"watcher's own work / the driver's: {own / driver:.2%}   target < 5 %")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
