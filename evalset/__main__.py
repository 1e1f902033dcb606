"""python -m evalset OUT --count N --seed S [--profile easy|hard|both] [--json]"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from evalset.generate import PROFILES, generate, stderr_progress


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evalset", description=__doc__)
    ap.add_argument("out", type=Path, help="output directory (replaced)")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--profile", choices=PROFILES, default="both")
    ap.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    times: dict[str, list[float]] = {}
    last = [time.perf_counter()]

    def progress(line: str) -> None:
        now = time.perf_counter()
        prof = "easy" if "dpi-" in line and _is_easy(line) else "hard"
        times.setdefault(prof, []).append(now - last[0])
        last[0] = now
        stderr_progress(line)

    t0 = time.perf_counter()
    truths = generate(args.out, args.count, args.seed, args.profile, progress=progress)
    total = time.perf_counter() - t0
    if args.json:
        summary = {
            "out": str(args.out), "count": len(truths), "seed": args.seed,
            "profile": args.profile, "seconds": round(total, 1),
            "seconds_per_file": {p: round(sum(v) / len(v), 2) for p, v in times.items()},
            "split": dict(Counter(t.split for t in truths)),
            "profiles": dict(Counter(t.profile for t in truths)),
            "classes": dict(sorted(Counter(t.class_key for t in truths).items())),
            "degradations": dict(sorted(Counter(t.klass["degradation"] for t in truths).items())),
            "doc_types": dict(sorted(Counter(t.doc_type for t in truths).items())),
            "formats": dict(sorted(Counter(t.klass["format"] for t in truths).items())),
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"{len(truths)} files in {args.out} ({total:.1f} s)", file=sys.stderr)
    return 0


def _is_easy(line: str) -> bool:
    from evalset.degrade import EASY_CLASSES

    key = line.split(" ")[2]
    return key.split("-", 2)[2] in EASY_CLASSES


if __name__ == "__main__":
    sys.exit(main())
