"""A page's bytes are a function of its seed alone, in any process.

The in-process checks of test_evalset.py cannot see a generator that is seeded from the
process (OS entropy, PYTHONHASHSEED): this one makes the same small page in two separate
processes. The page is a bad photocopy whose noise augraphy draws as Worley noise, in
numba-compiled code that uses numba's own random state (draw 9931 e0011 had different
pixels on every run before `evalset.degrade` seeded it).

Run as a script (`python test_determinism.py OUT`), this file writes that page into OUT
and prints what it made as JSON: that is the child process of the test.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

# Seed of the page's degradation stream: BadPhotoCopy draws noise type 6-8, which augraphy
# maps to a random type of 1-5, and that comes out as 4 (Worley). The child checks that
# Worley noise was drawn, so a change of augraphy's draws fails here instead of making
# this test pass without reaching the numba generator.
WORLEY_SEED = 10
ROOT = Path(__file__).resolve().parents[2]


def _small_page() -> Image.Image:
    """A few printed lines at '300 dpi' on a small sheet: the degradation, not the size,
    is under test, and Worley noise costs with the page's area."""
    im = Image.new("RGB", (600, 420), "white")
    draw = ImageDraw.Draw(im)
    for i in range(8):
        draw.text((40, 30 + 45 * i), f"GIAY KHAI SINH so {1000 + i}/2024", fill="black")
    draw.rectangle((30, 20, 570, 400), outline="black", width=2)
    return im


def _write_page(out: Path) -> None:
    from augraphy.utilities.noisegenerator import NoiseGenerator

    from evalset.degrade import degrade, save
    from evalset.generate import EXTENSIONS

    worley = NoiseGenerator.generate_worley_noise
    calls: list[int] = []

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return worley(*args, **kwargs)

    NoiseGenerator.generate_worley_noise = staticmethod(counted)
    scan = degrade(_small_page(), "photocopy", random.Random(WORLEY_SEED))
    out.mkdir(parents=True, exist_ok=True)
    name = f"page.{EXTENSIONS[scan.format]}"
    save(scan, out / name)
    print(json.dumps({"file": name, "worley": len(calls)}))


def _in_a_process(out: Path, hash_seed: str) -> Path:
    path = os.environ.get("PYTHONPATH", "")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, OMP_THREAD_LIMIT="1",
               PYTHONPATH=os.pathsep.join(p for p in (str(ROOT), path) if p))
    run = subprocess.run([sys.executable, __file__, str(out)], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    made = json.loads(run.stdout.strip().splitlines()[-1])
    assert made["worley"] > 0, "the page no longer draws Worley noise: choose another seed"
    return out / made["file"]


def test_a_worley_photocopy_has_the_same_bytes_in_two_processes(tmp_path: Path) -> None:
    pytest.importorskip("augraphy")
    one = _in_a_process(tmp_path / "one", "1")
    two = _in_a_process(tmp_path / "two", "2")
    assert one.name == two.name
    assert one.read_bytes() == two.read_bytes()


if __name__ == "__main__":
    _write_page(Path(sys.argv[1]))
