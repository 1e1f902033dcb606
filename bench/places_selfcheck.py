"""Self-consistency of the official place matcher (issue 14): every unit of both lists,
written as papers write it, must resolve to itself. Prints failures per cause.

    PYTHONPATH=$PWD .venv/bin/python bench/places_selfcheck.py [--sample N --seed S] [--show K]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from extract import place_forms  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=0, help="units drawn (0: all)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--show", type=int, default=5, help="examples printed per cause")
    args = ap.parse_args()
    started = time.process_time()
    forms = place_forms.all_forms(args.sample, args.seed)
    failed = place_forms.failures(forms)
    units = {id(f.unit) for f in forms}
    bad_units = {id(f.form.unit) for f in failed}
    print(
        f"{len(forms)} forms of {len(units)} units; {len(failed)} forms of "
        f"{len(bad_units)} units fail ({time.process_time() - started:.0f} s CPU)"
    )
    per_cause = Counter((f.cause, f.outcome) for f in failed)
    for (cause, outcome), n in sorted(per_cause.items()):
        print(f"  {cause:22} {outcome:11} {n}")
    per_style = Counter(f.form.style for f in failed)
    print("  per form: " + ", ".join(f"{k} {v}" for k, v in sorted(per_style.items())))
    shown: Counter[tuple[str, str]] = Counter()
    for f in failed:
        key = (f.cause, f.outcome)
        if shown[key] < args.show:
            shown[key] += 1
            print(f"  [{f.cause}/{f.outcome}] {f.form.style}: {f.form.text!r} -> {f.got!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
