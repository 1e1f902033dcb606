"""``python -m specimens OUT_DIR --count N --seed S [--degraded]``: write a batch."""

from __future__ import annotations

import argparse
import sys
from collections import Counter

from specimens.write import GROUND_TRUTH, make_batch


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m specimens",
        description="Write synthetic Vietnamese administrative papers with ground truth.")
    parser.add_argument("out_dir", help="folder for the files and ground_truth.jsonl")
    parser.add_argument("--count", type=int, default=8, help="number of papers (default 8)")
    parser.add_argument("--seed", type=int, default=0, help="seed (default 0)")
    parser.add_argument("--degraded", action="store_true",
                        help="scan-like defects, mixed dpi/formats (default: clean 300 dpi PNG)")
    args = parser.parse_args(argv)
    if args.count < 1:
        parser.error("--count must be at least 1")
    written = make_batch(args.out_dir, args.count, args.seed, args.degraded)
    formats = Counter(path.suffix for path, _ in written)
    summary = ", ".join(f"{count} {suffix}" for suffix, count in sorted(formats.items()))
    print(f"wrote {len(written)} files ({summary}) and {GROUND_TRUTH} to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
