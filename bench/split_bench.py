"""Splitting scanned stacks into papers: boundary accuracy with and without separator
sheets, and the time the look at each page costs.

A stack is 30 generated papers (every third two pages long, whose second page has no
header; the others with a blank back): 60 pages, 90 with sheets. ``light`` damage is
a clean 150-dpi scan; ``scan`` gives each front the specimens' realistic profile (200/300
dpi, skew, blur, JPEG, bilevel, yellowing, 15 % of sheets turned on the glass).

A boundary (the first page of papers 2..30) is *found* when a part starts there,
*missed* when no part does (two papers merged: if the splitter marked that page unsure,
the merged record waits for review; otherwise it went through unseen), and a *cut* is
a part starting where no paper does.

    .venv/bin/python bench/split_bench.py [--papers 30] [--seeds 7] [--damage light scan]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.stack import plan_parts, stack_facts  # noqa: E402
from tests.support.stacks import make_stack  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=30)
    parser.add_argument("--seeds", type=int, nargs="+", default=[7])
    parser.add_argument("--damage", nargs="+", default=["light", "scan"])
    parser.add_argument("--sheets", nargs="+", default=["yes", "no"])
    parser.add_argument("--headless", action="store_true",
                        help="every fifth paper without the national header (issue 19: "
                        "only the change of result type says where it starts)")
    args = parser.parse_args()
    print(f"{'stack':36} {'pages':>5} {'bounds':>6} {'found':>5} {'missed':>6} "
          f"{'reviewed':>8} {'cut':>4} {'right':>6} {'s/page':>6}")
    with tempfile.TemporaryDirectory(prefix="sohoa-bench-split-") as work:
        for damage in args.damage:
            for sheets in args.sheets:
                for seed in args.seeds:
                    stack = make_stack(Path(work) / f"{damage}-{sheets}-{seed}.pdf",
                                       args.papers, seed=seed, sheets=sheets == "yes",
                                       damage=damage, headless=args.headless)
                    start = time.perf_counter()
                    parts = plan_parts(stack_facts(stack.path))
                    per_page = (time.perf_counter() - start) / stack.pages
                    wanted = {p[0] for p in stack.papers[1:]}
                    starts = {p.pages[0] for p in parts[1:]}
                    unsure = {page - 1 for p in parts for page in p.unsure}
                    missed = wanted - starts
                    cut = starts - wanted
                    exact = [p.pages for p in parts] == stack.papers
                    label = (f"{damage}, sheets {sheets}, seed {seed}"
                             + (", headless" if args.headless else ""))
                    print(f"{label:36} {stack.pages:5d} {len(wanted):6d} "
                          f"{len(wanted & starts):5d} {len(missed):6d} "
                          f"{len(missed & unsure):8d} {len(cut):4d} "
                          f"{len(wanted & starts) / len(wanted):6.1%} {per_page:6.2f}"
                          + ("  exact" if exact else ""))


if __name__ == "__main__":
    main()
