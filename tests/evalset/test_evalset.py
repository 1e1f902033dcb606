"""The held-out evaluation set: reproducible, stable split, full coverage, truthful."""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import evalset
from evalset.content import DOC_TYPES, build
from evalset.degrade import EASY_CLASSES, HARD_CLASSES
from evalset.generate import make_document, plan, split_of
from evalset.history import province_name_on
from evalset.score import cer, edit_row, normalise
from evalset.truth import Truth

TRUTH_KEYS = ["id", "file", "split", "profile", "class", "class_key", "pages", "doc_type",
              "document_number", "issued_on", "valid_until", "issuer", "subjects", "fields",
              "seed"]
CLASS_KEYS = {"dpi", "mode", "degradation", "format", "turn", "skew", "jpeg_quality", "font"}


def line_cer(truth: str, got: str) -> float:
    """Errors of each truth line at its best place in the OCR text, over the truth length:
    insensitive to the order in which tesseract emits blocks (it often reads the motto
    before the agency, or interleaves their lines)."""
    text = normalise(got)
    lines = [normalise(x) for x in truth.splitlines() if x.strip()]
    errors = sum(int(edit_row(line, text, free_start=True).min()) for line in lines)
    return errors / max(1, sum(len(x) for x in lines))


def tesseract(image: Path) -> str:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract is not installed")
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    out = subprocess.run(["tesseract", str(image), "-", "-l", "vie"], capture_output=True,
                         text=True, env=env, check=True, timeout=120)
    return out.stdout


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """Three sets of one seed: 3 documents, the same 3 again, and 4 (a grown set)."""
    base = tmp_path_factory.mktemp("evalset")
    a, b, c = base / "a", base / "b", base / "c"
    evalset.generate(a, 3, seed=5, profile="both")
    evalset.generate(b, 3, seed=5, profile="both")
    evalset.generate(c, 4, seed=5, profile="both")
    return a, b, c


def test_same_seed_gives_identical_files_and_truth(sets: tuple[Path, Path, Path]) -> None:
    a, b, _ = sets
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert "truth.jsonl" in names and len(names) == 4
    for name in names:
        assert digest(a / name) == digest(b / name), name
    profiles = {t.profile for t in evalset.load_truth(a)}
    assert profiles == {"easy", "hard"}  # augraphy pages are covered too
    assert not (a.parent / "a.partial").exists()


def test_a_bigger_set_keeps_earlier_documents_and_their_split(
        sets: tuple[Path, Path, Path]) -> None:
    a, _, c = sets
    small, big = evalset.load_truth(a), evalset.load_truth(c)
    assert len(big) == 4
    for s, g in zip(small, big, strict=False):
        assert s.to_dict() == g.to_dict()
        assert digest(a / s.file) == digest(c / g.file)
    # The split is a hash of seed and id: the same with any count, about half each.
    ids = [f"e{i:04d}" for i in range(2000)]
    splits = Counter(split_of(13, i) for i in ids)
    assert 900 < splits["dev"] < 1100
    assert [split_of(13, i) for i in ids[:50]] == [split_of(13, i) for i in ids[:50]]
    assert [t.split for t in big] == [split_of(5, t.id) for t in big]


def test_truth_has_the_agreed_keys_and_round_trips(sets: tuple[Path, Path, Path]) -> None:
    a, _, _ = sets
    lines = (a / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    truths = evalset.load_truth(a)
    for line, t in zip(lines, truths, strict=True):
        d = t.to_dict()
        assert list(d) == TRUTH_KEYS
        assert set(d["class"]) == CLASS_KEYS
        k = d["class"]
        assert d["class_key"] == f"{k['dpi']}dpi-{k['mode']}-{k['degradation']}"
        assert Truth.from_dict(d) == t
        assert (a / t.file).exists() and t.file.startswith(t.id + ".")
        assert t.pages[0].strip() and t.split in ("dev", "test")
        assert set(t.issuer) >= {"lines", "official", "level", "ward_code", "district_code",
                                 "province_code", "era"}
        assert line.startswith('{"id": ')


@pytest.mark.parametrize("seed", [1, 13, 2024])
def test_every_doc_type_and_class_appears_in_a_40_document_set(seed: int) -> None:
    planned = [plan(seed, i, "both") for i in range(40)]
    assert Counter(p for p, _, _ in planned) == {"easy": 20, "hard": 20}
    assert {d for _, d, _ in planned} == set(EASY_CLASSES) | set(HARD_CLASSES)
    assert {t for _, _, t in planned} == set(DOC_TYPES)
    for prof, deg, _ in planned:
        assert deg in (EASY_CLASSES if prof == "easy" else HARD_CLASSES)
    # The class our OCR failed worst on is over-represented in the easy half.
    assert Counter(d for _, d, _ in planned)["blur_yellow_skew"] >= 5
    # Single-profile sets cover their classes too.
    assert {plan(seed, i, "hard")[1] for i in range(10)} == set(HARD_CLASSES)
    assert {plan(seed, i, "easy")[1] for i in range(7)} == set(EASY_CLASSES)


def test_command_line_writes_the_set_and_a_summary(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    from evalset.__main__ import main

    assert main([str(tmp_path / "out"), "--count", "2", "--seed", "4", "--profile", "easy",
                 "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["count"] == 2 and summary["profiles"] == {"easy": 2}
    assert captured.err.count("\n") == 2 and "[2/2]" in captured.err
    assert len(evalset.load_truth(tmp_path / "out")) == 2


def test_clean_page_text_matches_the_truth(tmp_path: Path) -> None:
    t = evalset.make_page(tmp_path, "clean", seed=3, doc_type="birth_certificate")
    assert t.klass["degradation"] == "clean" and t.klass["dpi"] == 300
    got = tesseract(tmp_path / t.file)
    # Every printed truth line is found on the page, nearly letter for letter.
    assert line_cer(t.pages[0], got) < 0.03, got
    # And the page prints nothing the truth lacks: OCR words (but for the seal and
    # signature, which tesseract reads as noise) are words of the truth.
    truth_words = set(re.findall(r"\w+", normalise(t.pages[0]).lower()))
    words = [w for w in re.findall(r"\w+", normalise(got).lower())
             if len(w) > 2 and not w.isdigit()]
    unknown = [w for w in words if w not in truth_words]
    assert len(unknown) <= 0.05 * len(words), unknown
    # Whole-page CER in reading order (left header, motto, title, body, signature): bare
    # tesseract interleaves the header columns and loses lines under the seal.
    assert cer(t.pages[0], got) < 0.15


def test_blur_yellow_skew_is_a_200_dpi_grey_jpeg_in_a_pdf(tmp_path: Path) -> None:
    import pikepdf

    t = evalset.make_page(tmp_path, "blur_yellow_skew", seed=1)
    assert t.class_key == "200dpi-gray-blur_yellow_skew" and t.file.endswith(".pdf")
    assert 1.4 <= abs(t.klass["skew"]) <= 2.6 and t.klass["jpeg_quality"] is not None
    with pikepdf.open(tmp_path / t.file) as pdf:
        (image,) = list(pdf.pages[0].images.values())
        assert image.Filter == "/DCTDecode" and image.ColorSpace == "/DeviceGray"
        width = float(pdf.pages[0].MediaBox[2])
        assert abs(int(image.Width) / (width / 72) - 200) < 2  # 200 dpi on an A4 page


def _small(path: Path) -> np.ndarray:
    im = Image.open(path).convert("L")
    im.thumbnail((124, 124))
    return np.asarray(im, dtype=np.float32)


def test_a_turned_page_really_is_turned(tmp_path: Path) -> None:
    # The same document (same seed) as a page turned 90° clockwise and as a clean page.
    for seed in range(20):
        turned = make_document(tmp_path, f"t{seed}", seed, "turned", "death_extract", "dev")
        if turned.klass["turn"] == 90:
            break
    assert turned.klass["turn"] == 90
    clean = make_document(tmp_path, "c", seed, "clean", "death_extract", "dev")
    assert turned.pages == clean.pages
    t_img = Image.open(tmp_path / turned.file)
    assert t_img.width > t_img.height  # A4 on its side
    reference = _small(tmp_path / clean.file)
    diffs = {}
    for back in (0, 90, 180, 270):  # counter-clockwise rotation applied to undo the turn
        im = t_img.convert("L").rotate(back, expand=True)
        im.thumbnail((124, 124))
        a = np.asarray(im, dtype=np.float32)
        diffs[back] = (float(np.abs(a - reference).mean()) if a.shape == reference.shape
                       else float("inf"))
    assert min(diffs, key=diffs.__getitem__) == 90, diffs
    assert diffs[90] < 0.5 * diffs[270], diffs


def test_make_page_names_the_class_and_is_reproducible(tmp_path: Path) -> None:
    made = {}
    for deg in ("photocopy_noisy_top", "photo", "fax"):
        one = evalset.make_page(tmp_path / "1", deg, seed=2)
        two = evalset.make_page(tmp_path / "2", deg, seed=2)
        assert one == two and one.klass["degradation"] == deg and one.profile == "hard"
        assert digest(tmp_path / "1" / one.file) == digest(tmp_path / "2" / two.file)
        made[deg] = one
    assert made["fax"].klass["dpi"] == 150 and made["fax"].klass["mode"] == "bilevel"
    photo = Image.open(tmp_path / "1" / made["photo"].file)
    assert "dpi" not in photo.info and photo.format == "JPEG"  # a phone sets none
    with pytest.raises(ValueError):
        evalset.make_page(tmp_path, "no_such_class", seed=1)


def _db() -> sqlite3.Connection:
    path = importlib.resources.files("vietnamadminunits") / "data" / "dataset.db"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def test_issuers_are_real_units_of_their_era() -> None:
    import random

    con = _db()
    try:
        for i in range(160):
            doc = build(random.Random(i), DOC_TYPES[i % len(DOC_TYPES)])
            iss = doc.issuer
            legacy = iss.era in ("legacy", "historical")  # historical: a former name
            assert legacy == (doc.issued_on.isoformat() < "2025-07-01")
            table = "admin_units_legacy" if legacy else "admin_units"
            provinces = {r[0] for r in con.execute(
                f"SELECT DISTINCT province FROM {table} WHERE provinceCode = ?",
                (iss.province_code,))}
            assert len(provinces) == 1
            (province,) = provinces
            if legacy:  # named as on the paper's date (Thừa Thiên Huế before 2025)
                listed = province
                province = province_name_on(iss.province_code, province, "", doc.issued_on)[0]
                assert (iss.era == "historical") == (province != listed), iss
            official = iss.official.casefold()  # the forms write unit kinds lower-case
            assert official.endswith(" " + province.casefold()), iss.official
            if iss.level == "ward":
                (ward,) = con.execute(f"SELECT ward FROM {table} WHERE wardCode = ?",
                                      (iss.ward_code,)).fetchone()
                assert official.startswith("ủy ban nhân dân " + ward.casefold() + ","), official
                assert ward.upper() in " ".join(iss.lines) or ward.upper().replace(
                    ward.split(" ")[0].upper(), "", 1).strip() in " ".join(iss.lines)
            if iss.level == "district":
                (district,) = con.execute(
                    "SELECT DISTINCT district FROM admin_units_legacy WHERE districtCode = ?",
                    (iss.district_code,)).fetchone()
                assert district.casefold() in official and legacy
            if iss.level == "province":
                assert iss.ward_code is None and iss.district_code is None
    finally:
        con.close()


def test_id_numbers_follow_the_rules() -> None:
    import random

    for i in range(80):
        doc = build(random.Random(1000 + i), DOC_TYPES[i % len(DOC_TYPES)])
        for s in doc.subjects:
            n = s["id_number"]
            if n is None:
                continue
            assert n.isdigit() and len(n) in (9, 12), n
            if len(n) == 12 and s["birth_date"]:
                year = int(s["birth_date"][:4])
                digit = (year // 100 - 19) * 2 + (0 if s["sex"] == "nam" else 1)
                assert n[3] == str(digit) and n[4:6] == f"{year % 100:02d}", (n, s)
            if len(n) == 9:
                assert doc.issued_on.year < 2021
