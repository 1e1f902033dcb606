"""What an OCR worker imports: the pages' and documents' code, not the signer's.

The pool's forkserver imports the workers' modules (``ingest.preload``) before it forks
any worker, at the start of every batch and on its critical path. pyHanko, aiohttp and
fontTools (the signature, its stamp, timestamps) only run in the process that signs:
loading them there cost about half a second of CPU a batch.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json, sys
import ingest.pipeline, ocr.pipeline, signing.placement
from ingest.pipeline import compose, first_page_marks
from signing import SigningError
print(json.dumps(sorted({name.split(".")[0] for name in sys.modules}
                        & {"pyhanko", "aiohttp", "fontTools", "application", "search"})))
"""


def test_the_workers_modules_do_not_load_the_signer() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_packages_still_offer_their_names() -> None:
    import extract
    import ingest
    import signing

    assert ingest.run_batch.__module__ == "ingest.batch"
    assert ingest.Received.__module__ == "ingest.pipeline"
    assert signing.Signer.__module__ == "signing.signer"
    assert signing.verify_pdf.__module__ == "signing.verify"
    assert signing.page_marks.__module__ == "signing.placement"
    assert extract.analyze.__module__ == "extract.analyze"
    assert extract.load_manifest.__module__ == "extract.manifest"
    assert extract.describe_reason.__module__ == "extract.review"
    for package in (extract, ingest, signing):
        for name in package.__all__:
            assert getattr(package, name) is not None


GC_PROBE = """
import gc, json
full = []
gc.callbacks.append(lambda phase, info: full.append(1)
                    if phase == "stop" and info["generation"] == 2 else None)
import ingest.preload
import sys
print(json.dumps({"full": len(full), "frozen": gc.get_freeze_count(),
                  "enabled": gc.isenabled(),
                  "readers": sorted(set(sys.modules) & {"extract.analyze", "extract.places",
                                                        "extract.reread",
                                                        "ingest.handwriting"})}))
"""


def test_the_preload_runs_no_full_collection_and_freezes_what_it_made() -> None:
    # Not one every few thousand new objects while the workers' modules load (each
    # walking all of them again, on the batch's critical path), nor one at the end (a
    # walk of ~290 000 objects to free ~1 800): what it made is frozen as it is.
    done = subprocess.run([sys.executable, "-c", GC_PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["full"] == 0
    assert got["frozen"] > 10_000
    assert got["enabled"] is True
    # What the workers import where they run it (``ingest.pipeline.compose``) is loaded
    # once here, not by each worker's first document.
    assert got["readers"] == ["extract.analyze", "extract.places", "extract.reread",
                              "ingest.handwriting"]


# What ``sohoa ingest`` itself imports: the command line, the batch driver, admission
# (the manifest), the review reasons' labels, and pickling the workers' initializer.
COMMAND_PROBE = """
import json, pickle, sys
import cli.main
from cli.main import cmd_ingest
import api.labels, application.preflight, ingest.admission, ingest.batch, ingest.pipeline
from ingest import discover, new_batch_id, run_batch
pickle.dumps(ingest.batch.warm)
print(json.dumps(sorted(name for name in sys.modules if name.startswith("extract"))))
"""


def test_the_command_does_not_load_the_extraction_readers() -> None:
    # ``extract.analyze`` and what it reads with (fields, checks, tables, names, official
    # units, handwriting) run in the workers: ~0.03 s of CPU before the command's first
    # page when ``extract/__init__`` and ``ingest.pipeline`` imported them.
    done = subprocess.run([sys.executable, "-c", COMMAND_PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    loaded = set(json.loads(done.stdout.strip().splitlines()[-1]))
    assert {"extract.manifest", "extract.review"} <= loaded
    assert not loaded & {"extract.analyze", "extract.fields", "extract.checks",
                         "extract.tables", "extract.names", "extract.places",
                         "extract.classify", "extract.lines", "extract.handfields",
                         "extract.handread", "extract.handregions", "extract.reread"}


def test_a_patch_of_the_packages_analyze_is_kept_not_swallowed(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The package answers ``analyze`` through a property (the submodule's binding is
    # ignored); a value a test sets must still be what ``extract.analyze`` gives.
    import importlib

    import extract

    module = importlib.import_module("extract.analyze")

    def fake(*args: object, **kwargs: object) -> None:
        return None

    monkeypatch.setattr(extract, "analyze", fake)
    assert extract.analyze is fake
    monkeypatch.undo()
    assert extract.analyze is module.analyze


# A worker of the batch's own pool, as ``run_batch`` makes it: what it has imported when
# its first job runs (the job itself, ``eval`` of a builtin expression, imports nothing).
POOL_PROBE = """
import json
from ingest.batch import _pool
with _pool(1) as pool:
    names = pool.submit(eval, "sorted(__import__('sys').modules)").result()
print(json.dumps(sorted({name.split(".")[0] for name in names}
                        & {"pyhanko", "aiohttp", "application", "search", "stats",
                           "audit"})))
"""


def test_a_batch_worker_does_not_load_the_command() -> None:
    # The pool pickles its initializer by reference and each worker imports the module
    # that names it: named in ``ingest.batch``, every worker of every batch imported the
    # batch driver and through it the whole command (pyHanko, aiohttp, the stores):
    # ~0.35 s of CPU a worker. (fontTools is there: pikepdf's PDF/A checker uses it.)
    done = subprocess.run([sys.executable, "-c", POOL_PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


LAZY_PROBE = """
import json, sys
import ingest.preload
print(json.dumps(sorted({"numpy.ma", "numpy.random", "PIL.JpegImagePlugin",
                         "PIL.PngImagePlugin", "PIL.ImageSequence"} - set(sys.modules))))
"""


def test_the_preload_has_what_the_pages_load_on_first_use() -> None:
    # ``np.isin`` imports ``numpy.ma``, the loose-pixel sample ``numpy.random``,
    # ``Image.open`` Pillow's common formats: imported in the server, once a batch,
    # instead of in each worker on its first pages (~12 ms a worker).
    done = subprocess.run([sys.executable, "-c", LAZY_PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
