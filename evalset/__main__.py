"""python -m evalset OUT --count N --seed S [--profile easy|hard|both] [--json]

Writes OUT/<id>.<ext> and OUT/truth.jsonl; one progress line per file on stderr."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from evalset.generate import PROFILES, generate
from evalset.truth import Truth


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m evalset", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output directory (replaced as a whole)")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--profile", choices=PROFILES, default="both")
    ap.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    args = ap.parse_args(argv)
    if args.count < 1:
        ap.error("--count must be at least 1")
    wall: dict[str, list[float]] = {}
    cpu: dict[str, list[float]] = {}
    done = [0]

    def on_document(t: Truth, w: float, c: float) -> None:
        done[0] += 1
        wall.setdefault(t.profile, []).append(w)
        cpu.setdefault(t.profile, []).append(c)
        print(f"[{done[0]}/{args.count}] {t.file} {t.class_key} {t.doc_type} {t.split} "
              f"{w:.2f}s (cpu {c:.2f}s)", file=sys.stderr, flush=True)

    t0 = time.perf_counter()
    truths = generate(args.out, args.count, args.seed, args.profile, on_document=on_document)
    total = time.perf_counter() - t0
    if args.json:
        def mean(v: list[float]) -> float:
            return round(sum(v) / len(v), 2)

        summary = {
            "out": str(args.out), "count": len(truths), "seed": args.seed,
            "profile": args.profile, "seconds": round(total, 1),
            "seconds_per_file": {p: mean(v) for p, v in sorted(wall.items())},
            "cpu_seconds_per_file": {p: mean(v) for p, v in sorted(cpu.items())},
            "max_seconds_per_file": {p: round(max(v), 2) for p, v in sorted(wall.items())},
            "split": dict(sorted(Counter(t.split for t in truths).items())),
            "profiles": dict(sorted(Counter(t.profile for t in truths).items())),
            "classes": dict(sorted(Counter(t.class_key for t in truths).items())),
            "degradations": dict(sorted(Counter(t.klass["degradation"] for t in truths).items())),
            "doc_types": dict(sorted(Counter(t.doc_type for t in truths).items())),
            "formats": dict(sorted(Counter(t.klass["format"] for t in truths).items())),
            "fonts": dict(sorted(Counter(t.klass["font"] for t in truths).items())),
            "pages": sum(len(t.pages) for t in truths),
        }
        print(json.dumps(summary, ensure_ascii=False, indent=2))
    else:
        print(f"{len(truths)} files in {args.out} ({total:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
