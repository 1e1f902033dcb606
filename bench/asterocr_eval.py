"""Would ``asterocr`` (PyPI, bundled ONNX line model) lower the error where tesseract reads badly?

    OMP_NUM_THREADS=1 .venv/bin/python bench/asterocr_eval.py \
        [--specimens /tmp/aster/pages] [--evalset bench/out/evalset/truth.jsonl] \
        [--json bench/out/asterocr/results.json]

Needs ``pip install asterocr`` (onnxruntime only, no torch) and ``tesseract -l vie``.
``--specimens`` is a folder written by ``python -m specimens DIR --count 16 --seed 77
--degraded`` (made here if it has no ground_truth.jsonl); ``--evalset`` a truth.jsonl
whose rows carry ``pages`` (ground-truth text per page) and ``split``; only its ``dev``
rows are read (the test half stays untouched).

Per page (turned pages skipped): ``tesseract IMG out -l vie --psm 3 tsv`` with
OMP_THREAD_LIMIT=1 on the raw page; words grouped into lines by (block, par, line); each
line box cropped from the gray page with a margin (--margin, 5 % of its height) and read
by asterocr's ONNX session (one thread). Each tesseract line is paired with its closest
ground-truth line (Levenshtein over NFC text, whitespace collapsed); both recognizers
are scored against that same truth line. Two input normalisations are tried: ``pm1`` (what
``asterocr.AsterOCR.predict`` ships: pixels scaled to [-1, 1]) and ``01`` (what its
trainer and torch predictor use: [0, 1]).

Prints: line CER of tesseract and asterocr overall and by tesseract line-confidence
bucket, the combined rules (asterocr where tesseract's mean word confidence < X;
where asterocr's own mean character probability beats tesseract's confidence), the
time per line crop and per page, and memory. X is chosen on the specimens and checked
on the evalset dev half. No network is used: ORT_DISABLE_TELEMETRY=1 is set before
onnxruntime loads (onnxruntime >= 1.2x wheels otherwise keep a device id and an
upload queue under ~/.cache/Microsoft/DeveloperTools).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evalset.score import levenshtein, normalise  # noqa: E402

VARIANTS = ("pm1", "01")
BUCKETS = ((0.0, 50.0, "<50"), (50.0, 70.0, "50–70"), (70.0, 85.0, "70–85"),
           (85.0, 101.0, ">85"))
THRESHOLDS = (30, 40, 50, 60, 65, 70, 75, 80, 85, 90, 95, 101)


# ------------------------------------------------------------------ text


def closest(text: str, truth: list[str]) -> str:
    return min(truth, key=lambda t: (levenshtein(text, t) / max(1, len(t)), -len(t)))


# ------------------------------------------------------------------ asterocr


class Aster:
    """asterocr's bundled ONNX model on one thread, with per-character probabilities."""

    def __init__(self) -> None:
        import onnxruntime as ort
        from asterocr import AsterOCR

        started = time.perf_counter()
        rss0 = rss_mb()
        shipped = AsterOCR()  # resolves the bundled assets/asternet.onnx first
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.model_path: str = shipped.model_path
        self.session = ort.InferenceSession(self.model_path, sess_options=options,
                                            providers=["CPUExecutionProvider"])
        self.input_name: str = self.session.get_inputs()[0].name
        self.chars: dict[int, str] = shipped.vocab.idx2char
        self.init_seconds = time.perf_counter() - started
        self.rss_delta_mb = rss_mb() - rss0
        del shipped

    @staticmethod
    def tensor(crop: Image.Image, variant: str) -> np.ndarray:
        width, height = crop.size
        target = max(32, int(width * 32 / max(1, height)))
        target = (target + 3) // 4 * 4
        rgb = crop.convert("RGB").resize((target, 32), Image.Resampling.BILINEAR)
        arr = np.asarray(rgb, dtype=np.float32) / 255.0
        if variant == "pm1":
            arr = (arr - 0.5) / 0.5
        return np.transpose(arr, (2, 0, 1))[np.newaxis, ...]

    def read(self, crop: Image.Image, variant: str) -> tuple[str, float, float]:
        """Text, mean and min probability of the emitted characters (greedy CTC)."""
        log_probs = self.session.run(None, {self.input_name: self.tensor(crop, variant)})[0]
        frames = log_probs[:, 0, :]
        best = frames.argmax(axis=-1)
        probs = np.exp(frames.max(axis=-1))
        out: list[str] = []
        char_probs: list[float] = []
        previous = -1
        for t, idx in enumerate(best.tolist()):
            if idx != previous and idx != 0:
                out.append(self.chars.get(idx, ""))
                char_probs.append(float(probs[t]))
            elif idx == previous and idx != 0:
                char_probs[-1] = max(char_probs[-1], float(probs[t]))
            previous = idx
        if not char_probs:
            return "", 0.0, 0.0
        return "".join(out), float(np.mean(char_probs)), float(min(char_probs))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


# ------------------------------------------------------------------ pages


@dataclass
class PageIn:
    name: str
    image: Path
    truth: list[str]
    source: str  # "specimens" or "evalset-dev"
    mode: str = "?"


@dataclass
class LineOut:
    page: str
    source: str
    mode: str
    tess: str
    conf: float
    truth: str
    d_tess: int
    width: int
    aster: dict[str, str] = field(default_factory=dict)
    d_aster: dict[str, int] = field(default_factory=dict)
    p_mean: dict[str, float] = field(default_factory=dict)
    p_min: dict[str, float] = field(default_factory=dict)
    ms: dict[str, float] = field(default_factory=dict)


@dataclass
class PageOut:
    name: str
    source: str
    tess_seconds: float
    lines: list[LineOut]


def rasterize(pdf: Path, out: Path, dpi: int, page: int = 1) -> Path:
    target = out / f"{pdf.stem}-p{page}"
    if not target.with_suffix(".png").exists():
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page),
                        "-l", str(page), str(pdf), str(target)], check=True)
    return target.with_suffix(".png")


def specimen_pages(folder: Path, raster: Path) -> list[PageIn]:
    from specimens import load_ground_truth, make_batch

    if not (folder / "ground_truth.jsonl").exists():
        make_batch(folder, 16, 77, degraded=True)
    pages = []
    for path, specimen, profile in load_ground_truth(folder):
        prof = profile or {}
        if int(prof.get("turn", 0) or 0):
            continue
        image = path
        if path.suffix == ".pdf":
            image = rasterize(path, raster, int(prof.get("dpi", 300) or 300))
        pages.append(PageIn(name=path.name, image=image, truth=list(specimen.lines),
                            source="specimens", mode=str(prof.get("mode", "?"))))
    return pages


def _row_file(row: dict[str, Any], base: Path) -> Path | None:
    for key in ("file", "path", "filename", "image", "name"):
        value = row.get(key)
        if isinstance(value, str) and (base / value).exists():
            return base / value
    return None


def evalset_pages(truth_file: Path, raster: Path) -> list[PageIn]:
    """Dev rows only. ``pages`` is the truth text per page; turned pages are skipped."""
    pages = []
    base = truth_file.parent
    for text in truth_file.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        row = json.loads(text)
        if row.get("split") != "dev":
            continue
        path = _row_file(row, base)
        if path is None:
            continue
        prof = row.get("degradation") or row.get("profile") or {}
        if int(prof.get("turn", row.get("turn", 0)) or 0):
            continue
        for number, truth in enumerate(row.get("pages") or [], start=1):
            if path.suffix == ".pdf":
                image = rasterize(path, raster, int(prof.get("dpi", 300) or 300), number)
            elif number == 1:
                image = path
            else:
                break
            lines = [t for t in str(truth).splitlines() if t.strip()]
            pages.append(PageIn(name=f"{path.name}#{number}", image=image, truth=lines,
                                source="evalset-dev", mode=str(prof.get("mode", "?"))))
    return pages


# ------------------------------------------------------------------ measuring


def tesseract_lines(image: Path) -> tuple[list[tuple[str, float, tuple[int, int, int, int]]],
                                          float]:
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(["tesseract", str(image), f"{tmp}/out", "-l", "vie", "--psm", "3",
                        "tsv"], check=True, env=env, capture_output=True)
        seconds = time.perf_counter() - started
        tsv = Path(f"{tmp}/out.tsv").read_text(encoding="utf-8")
    groups: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row["level"] != "5" or float(row["conf"]) < 0 or not (row["text"] or "").strip():
            continue
        groups.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append(row)
    lines = []
    for words in groups.values():
        box = (min(int(w["left"]) for w in words), min(int(w["top"]) for w in words),
               max(int(w["left"]) + int(w["width"]) for w in words),
               max(int(w["top"]) + int(w["height"]) for w in words))
        conf = sum(float(w["conf"]) for w in words) / len(words)
        lines.append((" ".join(w["text"] for w in words), conf, box))
    return lines, seconds


def measure(page: PageIn, aster: Aster, margin_share: float = 0.05) -> PageOut:
    found, seconds = tesseract_lines(page.image)
    with Image.open(page.image) as opened:
        gray = opened.convert("L")
    truth = [t for t in (normalise(x) for x in page.truth) if t]
    out = []
    for text, conf, (x0, y0, x1, y1) in found:
        tess = normalise(text)
        if not tess or not truth:
            continue
        margin = max(2, int(margin_share * (y1 - y0)))
        crop = gray.crop((max(0, x0 - margin), max(0, y0 - margin),
                          min(gray.width, x1 + margin), min(gray.height, y1 + margin)))
        gt = closest(tess, truth)
        line = LineOut(page=page.name, source=page.source, mode=page.mode, tess=tess,
                       conf=conf, truth=gt, d_tess=levenshtein(gt, tess), width=crop.width)
        for variant in VARIANTS:
            started = time.perf_counter()
            got, p_mean, p_min = aster.read(crop, variant)
            line.ms[variant] = (time.perf_counter() - started) * 1000
            got = normalise(got)
            line.aster[variant] = got
            line.d_aster[variant] = levenshtein(gt, got)
            line.p_mean[variant] = p_mean
            line.p_min[variant] = p_min
        out.append(line)
    return PageOut(name=page.name, source=page.source, tess_seconds=seconds, lines=out)


# ------------------------------------------------------------------ reporting


def cer(lines: list[LineOut], pick: Any) -> float:
    total = sum(len(x.truth) for x in lines)
    return sum(pick(x) for x in lines) / max(1, total)


def rule_low_conf(threshold: float, variant: str) -> Any:
    return lambda x: x.d_aster[variant] if x.conf < threshold else x.d_tess


def rule_aster_surer(variant: str) -> Any:
    return lambda x: x.d_aster[variant] if x.p_mean[variant] * 100 > x.conf else x.d_tess


def rule_both(threshold: float, variant: str) -> Any:
    return lambda x: (x.d_aster[variant]
                      if x.conf < threshold and x.p_mean[variant] * 100 > x.conf
                      else x.d_tess)


def pct(value: float) -> str:
    return f"{100 * value:.2f} %"


def section(pages: list[PageOut], variant: str, title: str,
            chosen: float | None = None) -> dict[str, Any]:
    lines = [x for p in pages for x in p.lines]
    if not lines:
        print(f"\n## {title}: no lines")
        return {}
    tess_s = float(np.mean([p.tess_seconds for p in pages]))
    ms = [x.ms[variant] for x in lines]
    per_page_ms = float(np.mean([sum(x.ms[variant] for x in p.lines) for p in pages]))
    print(f"\n## {title} — {len(pages)} pages, {len(lines)} tesseract lines, asterocr "
          f"input {variant}")
    print("\n| lines | n | truth chars | tesseract CER | asterocr CER | asterocr better / worse |")
    print("|---|---|---|---|---|---|")
    result: dict[str, Any] = {"pages": len(pages), "lines": len(lines), "buckets": {}}
    for low, high, label in ((0.0, 101.0, "all"), *BUCKETS):
        part = [x for x in lines if low <= x.conf < high]
        if not part:
            continue
        t_cer = cer(part, lambda x: x.d_tess)
        a_cer = cer(part, lambda x, v=variant: x.d_aster[v])
        better = sum(x.d_aster[variant] < x.d_tess for x in part)
        worse = sum(x.d_aster[variant] > x.d_tess for x in part)
        print(f"| conf {label} | {len(part)} | {sum(len(x.truth) for x in part)} | "
              f"{pct(t_cer)} | {pct(a_cer)} | {better} / {worse} |")
        result["buckets"][label] = {"n": len(part), "tesseract": t_cer, "asterocr": a_cer,
                                    "better": better, "worse": worse}
    print("\n| rule | lines re-read | line CER | extra ms/page | page time vs bare tesseract |")
    print("|---|---|---|---|---|")
    rules: list[tuple[str, Any, Any]] = [("tesseract only", lambda x: x.d_tess,
                                          lambda x: False)]
    rules.append(("asterocr only", lambda x, v=variant: x.d_aster[v], lambda x: True))
    for threshold in THRESHOLDS:
        rules.append((f"asterocr if conf < {threshold}", rule_low_conf(threshold, variant),
                      lambda x, t=threshold: x.conf < t))
    rules.append(("asterocr if its p_mean·100 > conf", rule_aster_surer(variant),
                  lambda x: True))
    for threshold in (50, 70, 85):
        rules.append((f"asterocr if conf < {threshold} and p_mean·100 > conf",
                      rule_both(threshold, variant), lambda x, t=threshold: x.conf < t))
    result["rules"] = {}
    for name, pick, reread in rules:
        extra = sum(x.ms[variant] for x in lines if reread(x)) / len(pages)
        slower = tess_s / (tess_s + extra / 1000)
        mark = " ←" if chosen is not None and name == f"asterocr if conf < {chosen:g}" else ""
        print(f"| {name}{mark} | {sum(bool(reread(x)) for x in lines)} | "
              f"{pct(cer(lines, pick))} | {extra:.0f} | ×{slower:.3f} |")
        result["rules"][name] = {"cer": cer(lines, pick), "extra_ms_per_page": extra,
                                 "throughput_ratio": slower}
    print(f"\nbare tesseract --psm 3 tsv, 1 thread: {tess_s:.2f} s/page; asterocr, 1 thread: "
          f"{np.mean(ms):.0f} ms/line mean, {np.median(ms):.0f} median, "
          f"{np.percentile(ms, 95):.0f} p95; all lines of a page {per_page_ms / 1000:.2f} s; "
          f"{np.mean([x.width for x in lines]):.0f} px mean crop width")
    result.update(tess_s_per_page=tess_s, ms_per_line_mean=float(np.mean(ms)),
                  ms_per_line_median=float(np.median(ms)), ms_per_page_all=per_page_ms)
    modes = sorted({x.mode for x in lines})
    if len(modes) > 1:
        print("\n| page mode | lines | tesseract CER | asterocr CER |")
        print("|---|---|---|---|")
        for mode in modes:
            part = [x for x in lines if x.mode == mode]
            print(f"| {mode} | {len(part)} | {pct(cer(part, lambda x: x.d_tess))} | "
                  f"{pct(cer(part, lambda x, v=variant: x.d_aster[v]))} |")
    return result


def best_threshold(pages: list[PageOut], variant: str) -> float:
    lines = [x for p in pages for x in p.lines]
    return min(THRESHOLDS, key=lambda t: (cer(lines, rule_low_conf(t, variant)), t))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--specimens", type=Path, default=Path("/tmp/aster/pages"))
    parser.add_argument("--evalset", type=Path,
                        default=ROOT / "bench" / "out" / "evalset" / "truth.jsonl")
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "out" / "asterocr"
                        / "results.json")
    parser.add_argument("--limit", type=int, default=0, help="at most this many pages a set")
    parser.add_argument("--margin", type=float, default=0.05,
                        help="crop margin around a line box, as a share of its height")
    args = parser.parse_args(argv)

    args.json.parent.mkdir(parents=True, exist_ok=True)
    raster = args.json.parent / "raster"
    raster.mkdir(exist_ok=True)
    aster = Aster()
    print(f"asterocr model {aster.model_path} "
          f"({Path(aster.model_path).stat().st_size / 1e6:.1f} MB): init {aster.init_seconds:.2f}"
          f" s, +{aster.rss_delta_mb:.0f} MB RSS")

    sets: dict[str, list[PageIn]] = {"specimens": specimen_pages(args.specimens, raster)}
    if args.evalset.exists():
        sets["evalset-dev"] = evalset_pages(args.evalset, raster)
    else:
        print(f"(no evalset at {args.evalset}: specimens only)")
    measured: dict[str, list[PageOut]] = {}
    for name, inputs in sets.items():
        measured[name] = []
        for page in inputs[: args.limit or None]:
            measured[name].append(measure(page, aster, args.margin))
            print(f"  {name}: {page.name} {len(measured[name][-1].lines)} lines", flush=True)

    spec = measured["specimens"]
    choice = {v: best_threshold(spec, v) for v in VARIANTS}
    spec_lines = [x for p in spec for x in p.lines]
    variant = min(VARIANTS, key=lambda v: (cer(spec_lines, rule_low_conf(choice[v], v)),
                                           cer(spec_lines, lambda x, v=v: x.d_aster[v])))
    report: dict[str, Any] = {"init_seconds": aster.init_seconds,
                              "rss_delta_mb": aster.rss_delta_mb, "variant": variant,
                              "threshold": choice[variant], "sets": {}}
    for v in VARIANTS:
        lines = [x for p in spec for x in p.lines]
        print(f"\nspecimens, input {v}: tesseract {pct(cer(lines, lambda x: x.d_tess))}, "
              f"asterocr {pct(cer(lines, lambda x, v=v: x.d_aster[v]))}, best X = {choice[v]}")
    for name, pages in measured.items():
        report["sets"][name] = section(pages, variant, name, chosen=choice[variant])
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process {peak:.0f} MB; chosen input {variant}, X = "
          f"{choice[variant]} (on the specimens)")
    report["peak_rss_mb"] = peak
    report["lines"] = {name: [asdict(x) for p in pages for x in p.lines]
                       for name, pages in measured.items()}
    args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
