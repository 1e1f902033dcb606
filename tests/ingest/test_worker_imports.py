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
    import ingest
    import signing

    assert ingest.run_batch.__module__ == "ingest.batch"
    assert ingest.Received.__module__ == "ingest.pipeline"
    assert signing.Signer.__module__ == "signing.signer"
    assert signing.verify_pdf.__module__ == "signing.verify"
    assert signing.page_marks.__module__ == "signing.placement"
    for package in (ingest, signing):
        for name in package.__all__:
            assert getattr(package, name) is not None
