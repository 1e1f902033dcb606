"""The workers' server imports sohoa from where the batch's own process does.

CPython's forkserver is a fresh ``python -c`` that ignores the path it is handed, so it
imported its preload modules from the current directory first: ``sohoa ingest`` run
from inside another checkout had its workers run that checkout's code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import json
from concurrent.futures import ProcessPoolExecutor
from ingest.lifeline import pool_context

if __name__ == "__main__":
    with ProcessPoolExecutor(1, mp_context=pool_context(["ocr"])) as pool:
        where = pool.submit(eval, "__import__('sys').modules['ocr'].__file__").result()
    print(json.dumps(where))
"""


def test_the_server_does_not_import_from_the_current_directory(tmp_path: Path) -> None:
    elsewhere = tmp_path / "another-checkout"
    (elsewhere / "ocr").mkdir(parents=True)
    (elsewhere / "ocr" / "__init__.py").write_text("DECOY = True\n")
    script = tmp_path / "run.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_THREAD_LIMIT": "1"}
    env.pop("PYTHONSAFEPATH", None)
    done = subprocess.run([sys.executable, str(script)], cwd=elsewhere, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    where = json.loads(done.stdout.strip().splitlines()[-1])
    assert Path(where).resolve() == ROOT / "ocr" / "__init__.py"
