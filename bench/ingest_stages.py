"""CPU seconds of ``sohoa ingest``'s stages outside ``run_page``, per stage, on real files.

    PYTHONPATH=$PWD .venv/bin/python bench/ingest_stages.py \
        [--evalset-dir bench/out/evalset] [--split test] [--limit N] [--json PATH]

Runs ``ingest.batch.run_batch`` in this one process with an executor that runs each job
at once (no pool: every stage's CPU lands here, where it is counted), fresh data folder,
and wraps the stages (``ingest.pipeline``'s functions, ``ocr.assemble``, ``ocr.reread``,
the signer, the store, the index) with counters of this process's CPU seconds
(``time.process_time``) plus its children's (``pdftoppm``, the second reading's
tesseract: ``resource.getrusage(RUSAGE_CHILDREN)``). Figures are inclusive (a stage's
inner stages are in it too) and include ``run_page`` only where said. Also the pickled
size and the pickling + unpickling CPU of what crosses between processes in a real
batch (each ``PageResult``, each ``Composed``).

The CPU seconds hold on a loaded machine; the process start and the workers' server
(``bench/ingest_timeline.py``) are not in these figures.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import pickle
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

CPU: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
SIZES: dict[str, int] = defaultdict(int)


def cpu() -> float:
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + kids.ru_utime + kids.ru_stime


def counted(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = cpu()
        try:
            return fn(*args, **kwargs)
        finally:
            CPU[label] += cpu() - start
            CALLS[label] += 1

    return wrapper


def patch(module: str, name: str, label: str | None = None) -> None:
    """``module.name`` counted (also where other modules imported it by name)."""
    owner: Any = importlib.import_module(module)
    path = name.split(".")
    for part in path[:-1]:
        owner = getattr(owner, part)
    real = getattr(owner, path[-1])
    wrapped = counted(label or f"{module}.{name}", real)
    setattr(owner, path[-1], wrapped)
    if len(path) == 1:
        for mod in list(sys.modules.values()):
            if mod is not None and getattr(mod, path[-1], None) is real:
                setattr(mod, path[-1], wrapped)


class Inline(Executor):
    """Runs each job when submitted; counts the pickling a process pool would do."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:
            future.set_exception(exc)
            return future
        start = cpu()
        blob = pickle.dumps(result)
        back = pickle.loads(blob)
        kind = type(result).__name__
        CPU[f"pickle {kind}"] += cpu() - start
        CALLS[f"pickle {kind}"] += 1
        SIZES[kind] += len(blob)
        future.set_result(back)
        return future


STAGES = [
    ("ingest.admission", "Admission.admit", "admit (hash + copy + dedup)"),
    ("ingest.batch", "plan", "plan (page count)"),
    ("ingest.batch", "run_page", "run_page (OCR, not ours)"),
    ("ingest.batch", "compose", "compose (worker)"),
    ("ingest.pipeline", "new_record", "compose: new_record"),
    ("ingest.pipeline", "archival_pdf", "compose: archival_pdf"),
    ("ocr.assemble", "_merge", "compose: archival_pdf: merge"),
    ("ocr.assemble", "defang", "compose: archival_pdf: defang"),
    ("pikepdf.pdfa", "save", "compose: archival_pdf: pdfa save+validate"),
    ("ocr.assemble", "_describe", "compose: archival_pdf: describe (XMP)"),
    ("ocr.assemble", "gc.collect", "compose: archival_pdf: gc.collect"),
    ("ingest.pipeline", "count_signatures", "compose: count_signatures (x2 for PDFs)"),
    ("ingest.pipeline", "extract_fields", "compose: extract_fields"),
    ("extract.analyze", "analyze", "compose: extract_fields: analyze"),
    ("ocr.reread", "read_lines", "compose: extract_fields: reread"),
    ("ocr.reread", "_plain_gray", "compose: extract_fields: reread: render"),
    ("ingest.pipeline", "flag_archive", "compose: flag_archive"),
    ("ingest.pipeline", "first_page_marks", "compose: first_page_marks"),
    ("ingest.batch", "commit_once", "commit_once (main)"),
    ("ingest.pipeline", "committed_record", "commit: committed_record"),
    ("ingest.pipeline", "sign", "commit: sign"),
    ("ingest.pipeline", "store_record", "commit: store_record"),
    ("ingest.pipeline", "discard_uncommitted", "commit: store: discard_uncommitted"),
    ("storage.filestore", "FileStore.put", "commit: store: put"),
    ("ingest.pipeline", "save_record", "commit: store: save_record"),
    ("search.sqlite", "SqliteIndex.upsert", "commit: index upsert"),
    ("ingest.workfolder", "discard", "discard work folder"),
    ("application.preflight", "check_for_ingest", "preflight"),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--evalset-dir", type=Path, default=ROOT / "bench/out/evalset")
    parser.add_argument("--split", default="test", choices=("dev", "test", "all"))
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")

    from ingest_timeline import test_round

    files = test_round(args.evalset_dir, args.split, 1, 1)
    if args.limit:
        files = files[: args.limit]
    with tempfile.TemporaryDirectory(prefix="stages-") as scratch:
        os.environ["SOHOA_DATA"] = str(Path(scratch) / "data")
        # As in a worker: its modules, models and indexes loaded by the workers' server
        # and frozen out of the collector's reach (``ingest.preload``).
        import ingest.batch as batch
        import ingest.preload  # noqa: F401
        from application.runtime import Runtime
        from application.settings import Settings

        for module, name, label in STAGES:
            try:
                patch(module, name, label)
            except (ImportError, AttributeError) as exc:
                print(f"not counted: {label}: {exc}", file=sys.stderr)
        # The Scheduler calls the names ingest.batch imported; compose's own calls
        # go through ingest.pipeline's globals, patched above.
        settings = Settings.from_env()
        runtime = Runtime.open(settings)
        start = cpu()
        signer_start = cpu()
        runtime.signer()
        CPU["signer built"] += cpu() - signer_start
        outcomes = batch.run_batch(batch.discover(files), runtime, executor=Inline())
        total = cpu() - start
        runtime.close()
    pages = sum(o.pages or 0 for o in outcomes)
    ocr = CPU["run_page (OCR, not ours)"]
    rows = {label: (CPU[label], CALLS[label]) for label in sorted(CPU, key=lambda k: -CPU[k])}
    print(f"{len(files)} files, {pages} pages, {sum(1 for o in outcomes if o.record)} records; "
          f"total CPU {total:.3f} s, run_page {ocr:.3f}, outside run_page "
          f"{total - ocr:.3f} ({(total - ocr) / max(1, pages):.4f} s a page)")
    for label, (seconds, calls) in rows.items():
        per_page = seconds / max(1, pages) * 1000
        print(f"{seconds:8.3f} s {calls:4d}×  {per_page:7.1f} ms/page  {label}")
    for kind, size in SIZES.items():
        print(f"pickled {kind}: {size / 1e6:.2f} MB in all")
    if args.json:
        args.json.write_text(json.dumps({"files": len(files), "pages": pages, "total": total,
                                         "stages": rows, "sizes": SIZES}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
