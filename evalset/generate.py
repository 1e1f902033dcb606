"""Generate the evaluation set: documents, files, ground truth, dev/test split."""

from __future__ import annotations

import hashlib
import random
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from evalset.content import DOC_TYPES, build
from evalset.degrade import EASY_CLASSES, HARD_CLASSES, PROFILE_OF, Scan, degrade, save
from evalset.render import FONT_WEIGHTS, available_fonts, render
from evalset.truth import Truth, write_truth

PROFILES = ("easy", "hard", "both")
EXTENSIONS = {"png": "png", "jpeg": "jpg", "tiff": "tif", "pdf": "pdf"}
# The class our OCR fails worst on comes twice per cycle of the easy profile.
EASY_CYCLE: tuple[str, ...] = ("clean", "blur_yellow_skew", "bilevel", "jpeg", "blur_yellow_skew",
                               "turned", "skew")
HARD_CYCLE: tuple[str, ...] = HARD_CLASSES
assert set(EASY_CYCLE) == set(EASY_CLASSES)


def _h(*parts: object) -> int:
    text = ":".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def doc_seed(seed: int, index: int) -> int:
    """Each document's own seed: a function of the set seed and its position only, so a
    bigger set repeats the documents of a smaller one byte for byte."""
    return _h("evalset-doc", seed, index) % 2**32


def split_of(seed: int, doc_id: str) -> str:
    """'dev' or 'test' from a stable hash of the set seed and the id (never the position
    in a listing, never the count)."""
    return "dev" if _h("evalset-split", seed, doc_id) % 2 == 0 else "test"


def _cycled(seed: int, tag: str, items: tuple[str, ...], j: int) -> str:
    """The j-th item of a sequence of seeded shuffles of `items` (every item once per
    cycle: small sets still cover all types and classes, and cycles are decorrelated)."""
    k, pos = divmod(j, len(items))
    order = list(items)
    random.Random(_h("evalset-cycle", seed, tag, k)).shuffle(order)
    return order[pos]


def plan(seed: int, index: int, profile: str) -> tuple[str, str, str]:
    """(profile, degradation, doc_type) of document `index`."""
    if profile == "both":
        prof, j = ("easy", index // 2) if index % 2 == 0 else ("hard", index // 2)
    else:
        prof, j = profile, index
    cycle = EASY_CYCLE if prof == "easy" else HARD_CYCLE
    degradation = _cycled(seed, f"class-{prof}", cycle, j)
    doc_type = _cycled(seed, f"type-{prof}", DOC_TYPES, j)
    return prof, degradation, doc_type


def _choose_font(rng: random.Random) -> str:
    fams = available_fonts()
    if not fams:
        raise RuntimeError("no evalset fonts found: apt-get install fonts-liberation2 "
                           "fonts-freefont-ttf")
    return rng.choices(fams, weights=[FONT_WEIGHTS[f] for f in fams])[0]


def make_document(workdir: Path, doc_id: str, seed: int, degradation: str, doc_type: str,
                  split: str) -> Truth:
    """Render, degrade and write one file; return its truth."""
    if degradation not in PROFILE_OF:
        raise ValueError(f"unknown degradation {degradation!r}; one of {sorted(PROFILE_OF)}")
    if doc_type not in DOC_TYPES:
        raise ValueError(f"unknown doc_type {doc_type!r}; one of {DOC_TYPES}")
    # Separate streams: content does not change when only the degradation does.
    doc = build(random.Random(f"{seed}:content:{doc_type}"), doc_type)
    render_rng = random.Random(f"{seed}:render")
    family = _choose_font(render_rng)
    rendered = render(doc.page, render_rng, family)
    scan: Scan = degrade(rendered.image, degradation, random.Random(f"{seed}:degrade"))
    name = f"{doc_id}.{EXTENSIONS[scan.format]}"
    save(scan, Path(workdir) / name)
    jpeg_used = scan.format == "jpeg" or (scan.format == "pdf" and scan.mode != "bilevel")
    klass = {
        "dpi": scan.dpi, "mode": scan.mode, "degradation": scan.degradation,
        "format": scan.format, "turn": scan.turn, "skew": round(scan.skew, 2),
        "jpeg_quality": (scan.jpeg_quality or 85) if jpeg_used else None, "font": family,
    }
    pages = ["\n".join(rendered.lines)] + [""] * (len(scan.pages) - 1)
    return Truth(
        id=doc_id, file=name, split=split, profile=PROFILE_OF[degradation], klass=klass,
        class_key=f"{scan.dpi}dpi-{scan.mode}-{scan.degradation}", pages=pages,
        doc_type=doc.doc_type, document_number=doc.document_number,
        issued_on=doc.issued_on.isoformat(),
        valid_until=doc.valid_until.isoformat() if doc.valid_until else None,
        issuer=doc.issuer.to_dict(), subjects=doc.subjects, fields=doc.fields, seed=seed,
    )


def make_page(workdir: Path, degradation: str, *, seed: int, doc_type: str | None = None
              ) -> Truth:
    """Write one file of the named class (e.g. "blur_yellow_skew", "photo", "clean") into
    `workdir` and return its truth. For other packages' tests: same arguments, same bytes."""
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    doc_type = doc_type or DOC_TYPES[_h("evalset-page-type", seed) % len(DOC_TYPES)]
    doc_id = f"{degradation}-{seed}"
    return make_document(workdir, doc_id, _h("evalset-page", seed, degradation) % 2**32,
                         degradation, doc_type, split_of(seed, doc_id))


def generate(out: Path, count: int, seed: int, profile: str = "both",
             on_document: Callable[[Truth, float, float], None] | None = None) -> list[Truth]:
    """Write `count` files and `truth.jsonl` into `out` (replaced as a whole: the files are
    made in `out.partial` and renamed at the end, so a crash never leaves a half set that
    looks whole). `on_document(truth, wall_seconds, cpu_seconds)` is called per file."""
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {PROFILES}")
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    if partial.exists():
        shutil.rmtree(partial)
    partial.mkdir(parents=True)
    truths: list[Truth] = []
    for i in range(count):
        _prof, degradation, doc_type = plan(seed, i, profile)
        doc_id = f"e{i:04d}"
        t0, c0 = time.perf_counter(), time.process_time()
        truth = make_document(partial, doc_id, doc_seed(seed, i), degradation, doc_type,
                              split_of(seed, doc_id))
        truths.append(truth)
        if on_document:
            on_document(truth, time.perf_counter() - t0, time.process_time() - c0)
    write_truth(partial, truths)
    if out.exists():
        old = out.with_name(out.name + ".old")
        if old.exists():
            shutil.rmtree(old)
        out.rename(old)
        partial.rename(out)
        shutil.rmtree(old)
    else:
        partial.rename(out)
    return truths


