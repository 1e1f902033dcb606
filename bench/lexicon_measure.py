"""How many of ``run_page``'s character errors sit in words no Vietnamese syllable is
spelled as, and how many of those tesseract's own per-character alternatives could put
right (issue 13, ink bleed and dirty drum misreads).

``collect`` runs ``run_page`` on a half (or a fresh draw) with tesseract's LSTM
character choices on (``lstm_choice_mode``), keeps every word each recognition made with
its per-symbol alternatives, and the CPU each page took; ``--mode 0`` runs the same
pages with the choices off (the CPU it costs). ``score`` aligns each page's text with
the truth and sorts the character errors::

    OMP_THREAD_LIMIT=1 PYTHONPATH=$PWD .venv/bin/python bench/lexicon_measure.py collect \\
        --split dev --out bench/out/lexicon/dev.json
    .venv/bin/python bench/lexicon_measure.py score bench/out/lexicon/dev.json
"""

from __future__ import annotations

import argparse
import ctypes
import difflib
import itertools
import json
import os
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

from evalset.score import levenshtein
from extract.syllables import is_syllable
from ocr import tessapi
from ocr.base import PageJob
from ocr.pipeline import run_page

sys.path.insert(0, str(Path(__file__).parent))
from runpage_check import _cpu, pages

RIL_WORD, RIL_SYMBOL = 3, 4
_collected: list[dict[str, Any]] = []


def _bind(lib: ctypes.CDLL) -> None:
    h, p = ctypes.c_void_p, ctypes.c_char_p
    i = ctypes.c_int
    ip = ctypes.POINTER(ctypes.c_int)
    for name, res, args in [
        ("TessBaseAPIGetIterator", h, [h]),
        ("TessResultIteratorGetPageIterator", h, [h]),
        ("TessPageIteratorBegin", None, [h]),
        ("TessResultIteratorNext", i, [h, i]),
        ("TessResultIteratorGetUTF8Text", h, [h, i]),
        ("TessResultIteratorConfidence", ctypes.c_float, [h, i]),
        ("TessPageIteratorBoundingBox", i, [h, i, ip, ip, ip, ip]),
        ("TessPageIteratorIsAtFinalElement", i, [h, i, i]),
        ("TessPageIteratorIsAtBeginningOf", i, [h, i]),
        ("TessResultIteratorGetChoiceIterator", h, [h]),
        ("TessChoiceIteratorNext", i, [h]),
        ("TessChoiceIteratorGetUTF8Text", p, [h]),
        ("TessChoiceIteratorConfidence", ctypes.c_float, [h]),
        ("TessChoiceIteratorDelete", None, [h]),
        ("TessResultIteratorDelete", None, [h]),
    ]:
        f = getattr(lib, name)
        f.restype, f.argtypes = res, args


def _text(lib: ctypes.CDLL, it: int, level: int) -> str:
    raw = lib.TessResultIteratorGetUTF8Text(it, level)
    if not raw:
        return ""
    try:
        return ctypes.string_at(raw).decode("utf-8", errors="replace")
    finally:
        lib.TessDeleteText(raw)


def _walk(lib: ctypes.CDLL, handle: int) -> list[dict[str, Any]]:
    it = lib.TessBaseAPIGetIterator(handle)
    if not it:
        return []
    page_it = lib.TessResultIteratorGetPageIterator(it)
    words: list[dict[str, Any]] = []
    coords = [ctypes.c_int() for _ in range(4)]
    current: dict[str, Any] | None = None
    try:
        lib.TessPageIteratorBegin(page_it)
        while True:
            if lib.TessPageIteratorIsAtBeginningOf(page_it, RIL_WORD):
                lib.TessPageIteratorBoundingBox(page_it, RIL_WORD,
                                                *[ctypes.byref(c) for c in coords])
                current = {"text": _text(lib, it, RIL_WORD),
                           "conf": lib.TessResultIteratorConfidence(it, RIL_WORD),
                           "bbox": [c.value for c in coords], "symbols": []}
                words.append(current)
            sym = _text(lib, it, RIL_SYMBOL)
            choices: list[list[Any]] = []
            # A block without text (an image, a line) has no word: tesseract asserts.
            ci = lib.TessResultIteratorGetChoiceIterator(it) if sym else None
            if ci:
                while True:
                    t = lib.TessChoiceIteratorGetUTF8Text(ci)
                    choices.append([(t or b"").decode("utf-8", errors="replace"),
                                    float(lib.TessChoiceIteratorConfidence(ci))])
                    if not lib.TessChoiceIteratorNext(ci):
                        break
                lib.TessChoiceIteratorDelete(ci)
            if current is not None:
                current["symbols"].append([sym, choices])
            if not lib.TessResultIteratorNext(it, RIL_SYMBOL):
                break
    finally:
        lib.TessResultIteratorDelete(it)
    return words


def _install(mode: int, walk: bool) -> None:
    lib = tessapi._library()
    assert lib is not None
    _bind(lib)
    recognize, clear = lib.TessBaseAPIRecognize, lib.TessBaseAPIClear
    recognized: set[int] = set()

    def recognize_with_choices(handle: Any, monitor: Any) -> int:
        lib.TessBaseAPISetVariable(handle, b"lstm_choice_mode", str(mode).encode())
        recognized.add(int(handle))
        return int(recognize(handle, monitor))

    def clear_after_walk(handle: Any) -> None:
        if walk and int(handle) in recognized:
            _collected.extend(_walk(lib, handle))
        recognized.discard(int(handle))
        clear(handle)

    # The engine calls these two through the library object: wrapped, every recognition
    # made by ``run_page`` is read with its choices before tesseract clears it.
    setattr(lib, "TessBaseAPIRecognize", recognize_with_choices)  # noqa: B010
    setattr(lib, "TessBaseAPIClear", clear_after_walk)  # noqa: B010


def collect(args: argparse.Namespace) -> None:
    _install(args.mode, walk=args.mode > 0 and not args.no_walk)
    todo = pages(Path(args.evalset), args.split)[: args.limit or None]
    out: dict[str, Any] = {}
    cpu: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="lexicon-") as out_dir:
        for key, path, media_type, index in todo:
            _collected.clear()
            start = _cpu()
            page = run_page(PageJob(str(path), media_type, index, out_dir=out_dir))
            cpu[key] = _cpu() - start
            out[key] = {"text": page.text,
                        "words": [[w.text, list(w.bbox)] for w in page.words],
                        "choices": list(_collected)}
            print(f"{key} {cpu[key]:.3f}s", file=sys.stderr, flush=True)
    summary = {"pages": len(cpu), "cpu_per_page": sum(cpu.values()) / max(1, len(cpu)),
               "load": os.getloadavg(), "mode": args.mode}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"summary": summary, "cpu": cpu, "pages": out},
                                         ensure_ascii=False), encoding="utf-8")
    print(json.dumps(summary))


PUNCT = ".,;:!?()[]{}\"'“”‘’«»-–—/…*"


def strip(word: str) -> str:
    return word.strip(PUNCT)


def kind(word: str) -> str:
    """'syl' (a syllable), 'non' (letters only, no syllable), 'caps' (an upper-case
    non-syllable, an abbreviation maybe), 'other' (numbers, codes, punctuation)."""
    core = unicodedata.normalize("NFC", strip(word))
    if not core or not core.isalpha():
        return "other"
    if is_syllable(core):
        return "syl"
    if len(core) > 1 and core.isupper():
        return "caps"
    return "non"


def truth_pages(evalset: Path, degradations: set[str]) -> dict[str, str]:
    """Each page's true text, of the pages whose degradation is one of
    ``degradations`` (all when empty)."""
    out = {}
    for line in (evalset / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if degradations and row["class"]["degradation"] not in degradations:
            continue
        for i, text in enumerate(row["pages"]):
            out[f"{row['id']}:{i + 1}"] = text
    return out


def _norm(s: str) -> str:
    return unicodedata.normalize("NFC", s).lower()


def reachable(symbols: list[list[Any]], min_conf: float, top: int) -> set[str]:
    """Every spelling one alternative per symbol can make (top alternatives above
    ``min_conf``), at most two symbols changed from the reading."""
    opts = []
    for sym, choices in symbols:
        alts = [c for c, p in choices[:top] if p >= min_conf and c]
        opts.append([sym] + [a for a in alts if a != sym])
    out: set[str] = set()
    n = len(opts)
    for k in range(0, 3):
        for where in itertools.combinations(range(n), k):
            pools = [opts[i][1:] if i in where else [opts[i][0]] for i in range(n)]
            if any(not p for p in pools):
                continue
            for pick in itertools.product(*pools):
                out.add(unicodedata.normalize("NFC", "".join(pick)))
    return out


def score(args: argparse.Namespace) -> None:
    data = json.loads(Path(args.dump).read_text(encoding="utf-8"))
    truth = truth_pages(Path(args.evalset), set(filter(None, args.degradations.split(","))))
    pairable = {"non", "caps"} if args.with_caps else {"non"}
    total = 0.0
    by_kind: dict[str, float] = {"syl": 0, "non": 0, "caps": 0, "other": 0, "missing": 0}
    one_to_one_non = 0.0
    reach_any = 0.0
    reach_unique = 0.0
    n_non = 0
    n_nochoice = 0
    n_reach = n_unique = n_wrong_unique = n_correct_non = 0
    examples: list[str] = []
    for key, page in data["pages"].items():
        if key not in truth:
            continue
        ocr_words = page["text"].split()
        true_words = truth[key].split()
        choices_by_text: dict[str, list[dict[str, Any]]] = {}
        for w in page["choices"]:
            choices_by_text.setdefault(unicodedata.normalize("NFC", w["text"]), []).append(w)
        sm = difflib.SequenceMatcher(a=[_norm(w) for w in ocr_words],
                                     b=[_norm(w) for w in true_words], autojunk=False)
        for tag, i1, i2, j1, j2 in sm.get_opcodes():
            if tag == "equal":
                # a non-syllable read right: what a corrector must leave alone
                for w in ocr_words[i1:i2]:
                    if kind(w) == "non":
                        n_correct_non += 1
                        if args.check_false and w in choices_by_text:
                            c = choices_by_text[w][0]
                            cands = {x for x in reachable(c["symbols"], args.min_conf, args.top)
                                     if strip(x) and is_syllable(strip(x))}
                            if len(cands) == 1:
                                n_wrong_unique += 1
                continue
            a = " ".join(ocr_words[i1:i2])
            b = " ".join(true_words[j1:j2])
            errors = levenshtein(a, b)
            total += errors
            if i1 == i2:
                by_kind["missing"] += errors
                continue
            share = errors / (i2 - i1)
            for w in ocr_words[i1:i2]:
                by_kind[kind(w)] += share
            pairs = []
            for w in ocr_words[i1:i2]:
                if kind(w) not in pairable:
                    continue
                # the block's true word nearest to it, when near enough to be its misreading
                near = min(true_words[j1:j2], key=lambda t: levenshtein(_norm(w), _norm(t)),
                           default=None)
                if near is not None and levenshtein(w, near) <= max(1, len(near) // 2):
                    pairs.append((w, near))
            for w, t in pairs:
                errors = levenshtein(w, t)
                one_to_one_non += errors
                n_non += 1
                found = choices_by_text.get(unicodedata.normalize("NFC", w))
                if not found:
                    n_nochoice += 1
                    continue
                c = found[0]
                cands = reachable(c["symbols"], args.min_conf, args.top)
                target = unicodedata.normalize("NFC", t)
                if target in cands:
                    reach_any += errors
                    n_reach += 1
                syl = {x for x in cands if strip(x) and is_syllable(strip(x))}
                if len(syl) == 1:
                    (only,) = syl
                    if only == target:
                        reach_unique += errors
                        n_unique += 1
                    else:
                        n_wrong_unique += 1
                if len(examples) < args.examples:
                    symbols = [(s, ch[:3]) for s, ch in c["symbols"]]
                    examples.append(f"{key} {w!r}->{t!r} reach={target in cands} "
                                    f"syl={sorted(syl)[:4]} sym={symbols}")
    print(json.dumps({
        "pages": len(set(data["pages"]) & set(truth)), "char_errors": total,
        "by_word_kind": {k: round(v, 1) for k, v in by_kind.items()},
        "non_share": round(by_kind["non"] / max(total, 1), 3),
        "non_1to1_errors": one_to_one_non, "non_1to1_words": n_non, "no_choices_found": n_nochoice,
        "reachable_errors": reach_any, "reachable_words": n_reach,
        "unique_right_errors": reach_unique, "unique_right_words": n_unique,
        "unique_wrong_words": n_wrong_unique, "correct_non_words": n_correct_non,
        "reachable_share_of_all": round(reach_any / max(total, 1), 3),
        "unique_right_share_of_all": round(reach_unique / max(total, 1), 3),
        "summary": data["summary"]}, ensure_ascii=False, indent=1))
    for e in examples:
        print(e)


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect")
    c.add_argument("--evalset", default="bench/out/evalset")
    c.add_argument("--split", choices=("dev", "test", "all"), default="dev")
    c.add_argument("--limit", type=int, default=0)
    c.add_argument("--mode", type=int, default=2)
    c.add_argument("--no-walk", action="store_true")
    c.add_argument("--out", required=True)
    s = sub.add_parser("score")
    s.add_argument("dump")
    s.add_argument("--evalset", default="bench/out/evalset")
    s.add_argument("--min-conf", type=float, default=0.0)
    s.add_argument("--top", type=int, default=4)
    s.add_argument("--examples", type=int, default=0)
    s.add_argument("--check-false", action="store_true")
    s.add_argument("--degradations", default="", help="comma-separated; all when empty")
    s.add_argument("--with-caps", action="store_true",
                   help="count upper-case non-syllables (abbreviations maybe) as candidates")
    args = parser.parse_args()
    if args.command == "collect":
        collect(args)
    else:
        score(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
