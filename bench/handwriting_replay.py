"""bench/handwriting_bench.py with the line model's output memoised on disk per crop.

    OMP_THREAD_LIMIT=1 .venv/bin/python bench/handwriting_replay.py --split dev --no-bare

Same arguments as ``handwriting_bench.py``. The model's frames are kept per crop (keyed by
the crop's pixels) in ``$FRAMES_CACHE`` (default bench/out/handwriting-frames.pkl), so a
change to decoding or checks is scored on the same crops in seconds once they have been
read; a crop the change alters is read afresh. Its timings are not the bench's (the
model's time is skipped for memoised crops): take times from ``handwriting_bench.py``.
"""

from __future__ import annotations

import atexit
import hashlib
import os
import pickle
import runpy
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import handread  # noqa: E402

CACHE = Path(os.environ.get("FRAMES_CACHE", ROOT / "bench/out/handwriting-frames.pkl"))


def main() -> None:
    memo: dict[str, Any] = pickle.loads(CACHE.read_bytes()) if CACHE.exists() else {}
    known = len(memo)
    read = handread.LineReader.frames

    def frames(self: handread.LineReader, crop: Any) -> Any:
        key = hashlib.sha1(crop.tobytes() + repr((crop.size, crop.mode)).encode()).hexdigest()
        if key not in memo:
            memo[key] = read(self, crop)
        return memo[key]

    def save() -> None:
        if len(memo) != known:
            CACHE.parent.mkdir(parents=True, exist_ok=True)
            CACHE.write_bytes(pickle.dumps(memo))

    handread.LineReader.frames = frames  # type: ignore[method-assign]
    atexit.register(save)
    sys.argv = [str(ROOT / "bench/handwriting_bench.py"), *sys.argv[1:]]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
