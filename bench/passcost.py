"""Every tesseract call of ``run_page`` by kind, with its CPU; and ablations.

Wraps ``engine.tesseract`` and ``engine.orientation`` (issue 13, speed9), names each
call by the pass it was made from (the call stack), and writes per page the calls (kind,
psm, CPU seconds, image size, words, inverted retries on or not; and each band-by-band
choice between two readings, ``better_by_band``) beside ``runpage_check``'s dump.
``--ablate KIND`` switches one pass off, so that ``runpage_check.py compare`` against
the plain dump shows on which pages the pass changed what ``run_page`` hands on.

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/passcost.py \\
        --split dev --out bench/out/passcost/base.json [--ablate guard]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import runpage_check

from ocr import engine, pipeline, reread

CALLS: list[dict[str, Any]] = []

KINDS = (("read_line", "reread"), ("digits_read_again", "digits"),
         ("signer_read_again", "signer"), ("_despeckled_if_better", "noisy-top"),
         ("read_crops", "second-look"), ("_read_turns", "turn"))


def _kind() -> tuple[str, dict[str, Any]]:
    frame = sys._getframe(2)
    names = []
    extra: dict[str, Any] = {}
    while frame is not None:
        names.append(frame.f_code.co_name)
        if frame.f_code.co_name == "_read_turns":
            extra["turn"] = frame.f_locals.get("turn")
        frame = frame.f_back  # type: ignore[assignment]
    kind = "other"
    for name, label in KINDS:
        if name in names:
            kind = label
            break
    if "guarded" in names:
        kind = "guard-plain" if kind == "other" else f"guard-{kind}"
    return kind, extra


def _wrap_tesseract() -> None:
    inner = engine.tesseract

    def tesseract(image: Any, base: Path, **kw: Any) -> Any:
        kind, extra = _kind()
        extra["invert"] = engine.may_hold_reversed_text(image, kw["dpi"])
        start = time.process_time()
        out = inner(image, base, **kw)
        CALLS.append({"kind": kind, "psm": kw.get("psm"), "cpu": time.process_time() - start,
                      "size": list(image.size), "words": len(engine.parse_tsv(out[0])),
                      **extra})
        return out

    engine.tesseract = tesseract
    reread.tesseract = tesseract

    orient = engine.orientation

    def orientation(image: Any, *, dpi: int) -> Any:
        start = time.process_time()
        out = orient(image, dpi=dpi)
        CALLS.append({"kind": "osd", "cpu": time.process_time() - start,
                      "size": list(image.size), "found": out})
        return out

    engine.orientation = orientation

    better = engine.better_by_band

    def better_by_band(ours: Any, theirs: Any, **kw: Any) -> Any:
        kept = better(ours, theirs, **kw)
        ids = {id(w) for w in kept}
        caller = sys._getframe(1).f_code.co_name
        CALLS.append({"kind": f"band-choice:{caller}", "cpu": 0.0,
                      "ours": [w.text for w in ours if id(w) in ids],
                      "ours_conf": engine._confident([w for w in ours if id(w) in ids]),
                      "theirs": [w.text for w in theirs if id(w) in ids],
                      "ours_all": len(ours), "theirs_all": len(theirs)})
        return kept

    engine.better_by_band = better_by_band


def _ablate(kind: str) -> None:
    if kind == "guard":
        pipeline.guarded = lambda loaded, prepared, reading, languages, workdir: (
            prepared, reading)
    elif kind == "second-look":
        engine.second_look = lambda image, words, workdir, **kw: (words, ())
    elif kind == "noisy-top":
        engine._despeckled_if_better = lambda image, box, got, workdir, **kw: got
    elif kind == "signer":
        engine.signer_read_again = lambda image, words, workdir, **kw: (words, ())
    elif kind == "digits":
        engine.digits_checked = lambda image, reading, workdir, **kw: reading
    elif kind == "turns":
        plan = pipeline.checked_plan
        pipeline.checked_plan = lambda p, gray, dpi: plan(p, gray, dpi)[:1]  # type: ignore[assignment]
        pipeline.left_out = lambda p: []  # type: ignore[assignment]
    elif kind:
        raise SystemExit(f"unknown ablation {kind}")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--evalset", default="bench/out/evalset")
    parser.add_argument("--split", default="dev")
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--out", required=True)
    parser.add_argument("--ablate", default="")
    args = parser.parse_args()
    _ablate(args.ablate)
    _wrap_tesseract()
    per_page: dict[str, list[dict[str, Any]]] = {}
    original = pipeline.run_page

    def run_page(job: Any) -> Any:
        # The calls after it (the reread of its lines) count for this page too.
        global CALLS
        CALLS = per_page.setdefault(f"{Path(job.source_path).stem}:{job.index + 1}", [])
        return original(job)

    runpage_check.run_page = run_page
    ns = argparse.Namespace(evalset=args.evalset, split=args.split, limit=args.limit,
                            out=args.out, profile="")
    runpage_check.dump(ns)
    data = json.loads(Path(args.out).read_text(encoding="utf-8"))
    data["calls"] = per_page
    Path(args.out).write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
