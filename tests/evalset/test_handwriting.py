"""The handwritten-form set: reproducible, split like the rest, truthful boxes and values."""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import evalset
from evalset.generate import split_of
from evalset.handfonts import PACKAGES, default_cache, missing
from evalset.handwriting import (
    FIELDS,
    LAYOUTS,
    MARRIAGE_FIELDS,
    SIDE_HEADERS,
    form_layout,
    generate,
)
from evalset.pen import write

CACHE = default_cache()
pytestmark = pytest.mark.skipif(
    bool(missing(CACHE)),
    reason=f"handwriting fonts not in {CACHE}: python -m evalset.handfonts (./dev.sh setup)")


@pytest.fixture(scope="module")
def sets(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("hand")
    # Two classes that keep the page upright and unwarped, one a PDF: the boxes can be
    # checked against the pixels.
    generate(base / "a", 2, seed=9, cache=CACHE, classes=("clean", "blur_yellow_skew"))
    generate(base / "b", 2, seed=9, cache=CACHE, classes=("clean", "blur_yellow_skew"))
    return base / "a", base / "b"


def first_page(path: Path) -> Image.Image:
    if path.suffix != ".pdf":
        return Image.open(path).convert("L")
    import pikepdf

    with pikepdf.open(path) as pdf:
        (image,) = pdf.pages[0].images.values()
        assert isinstance(image, pikepdf.Stream)  # an image XObject is a stream
        return pikepdf.PdfImage(image).as_pil_image().convert("L")


def digest(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_same_seed_same_bytes_and_split(sets: tuple[Path, Path]) -> None:
    a, b = sets
    names = sorted(p.name for p in a.iterdir())
    assert len(names) == 3 and names == sorted(p.name for p in b.iterdir())
    for n in names:
        assert digest(a / n) == digest(b / n), n
    truths = evalset.load_truth(a)
    assert [t.split for t in truths] == [split_of(9, t.id) for t in truths]


def test_truth_per_field_and_ink_where_the_box_says(sets: tuple[Path, Path]) -> None:
    a, _ = sets
    for t in evalset.load_truth(a):
        hand = t.fields["handwriting"]
        assert set(hand) == set(FIELDS)
        assert t.klass["hand"] in PACKAGES
        issued = dt.date.fromisoformat(t.issued_on)
        assert dt.date.fromisoformat(hand["birth_date"]["value"]) <= issued
        assert hand["name"]["value"] == t.subjects[0]["name"] == hand["name"]["text"].upper()
        assert hand["number"]["value"] == t.document_number
        # The printed labels are in the page text, the handwritten values are not.
        assert "Nơi sinh:" in t.pages[0] and hand["name"]["value"] not in t.pages[0]
        page = np.asarray(first_page(a / t.file))
        for key, v in hand.items():
            x0, y0, x1, y1 = v["box"]
            assert 0 <= x0 < x1 <= page.shape[1] and 0 <= y0 < y1 <= page.shape[0], key
            # Ink inside the box: darker than the page's paper.
            assert page[y0:y1, x0:x1].min() < np.median(page) - 60, key


def test_no_two_writings_of_a_word_are_alike() -> None:
    masks = [write("Nguyễn Thị Phượng", random.Random(s), CACHE, "itim", 60, 8.0, 0).mask
             for s in range(3)]
    assert len({m.tobytes() for m in masks}) == 3
    again = write("Nguyễn Thị Phượng", random.Random(0), CACHE, "itim", 60, 8.0, 0).mask
    assert again.tobytes() == masks[0].tobytes()
    # Vietnamese letters come from the font's vietnamese subset, not a missing-glyph box:
    # the tone marks make the word taller than its unaccented spelling.
    plain = write("Nguyen Thi Phuong", random.Random(0), CACHE, "itim", 60, 8.0, 0).mask
    assert masks[0].height > plain.height


@pytest.fixture(scope="module")
def marriage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hand-marriage") / "m"
    generate(out, 2, seed=9, cache=CACHE, classes=("clean", "blur_yellow_skew"),
             kind="marriage")
    return out


def test_the_marriage_form_prints_its_labels_and_writes_both_spouses(marriage: Path) -> None:
    for t in evalset.load_truth(marriage):
        assert t.id.startswith("m") and t.doc_type == "marriage_certificate"
        printed = t.pages[0]
        # The pre-2010 template's wording (Decree 158/2005), each spouse's block in turn.
        for label in ("GIẤY CHỨNG NHẬN KẾT HÔN", "Họ và tên chồng:", "Họ và tên vợ:",
                      "Dân tộc:", "Quốc tịch:", "Số Giấy CMND:", "Số:", "Quyển số:",
                      "(Ký, ghi rõ họ tên)"):
            assert label in printed, label
        assert printed.count("Ngày, tháng, năm sinh:") == 2
        assert printed.count("Số Giấy CMND:") == 2
        assert printed.index("Họ và tên chồng:") < printed.index("Họ và tên vợ:")
        hand = t.fields["handwriting"]
        assert set(hand) == set(MARRIAGE_FIELDS)
        husband, wife = t.subjects
        assert (husband["role"], wife["role"]) == ("chồng", "vợ")
        issued = dt.date.fromisoformat(t.issued_on)
        for who, s in (("husband", husband), ("wife", wife)):
            assert hand[f"{who}_name"]["value"] == s["name"] == hand[f"{who}_name"]["text"].upper()
            assert hand[f"{who}_birth_date"]["value"] == s["birth_date"]
            assert hand[f"{who}_id"]["value"] == s["id_number"]
            # Of marriageable age on the day (men from 20, women from 18).
            born = dt.date.fromisoformat(s["birth_date"])
            assert issued.year - born.year >= (20 if who == "husband" else 18)
            assert hand[f"{who}_name"]["value"] not in printed
        assert hand["number"]["value"] == t.document_number


def test_the_marriage_forms_truth_boxes_hold_ink_inside_the_page(marriage: Path) -> None:
    for t in evalset.load_truth(marriage):
        page = np.asarray(first_page(marriage / t.file))
        for key, v in t.fields["handwriting"].items():
            x0, y0, x1, y1 = v["box"]
            assert 0 <= x0 < x1 <= page.shape[1] and 0 <= y0 < y1 <= page.shape[0], key
            assert page[y0:y1, x0:x1].min() < np.median(page) - 60, key
        boxes = t.fields["handwriting"]
        # One spouse under the other, the number under both.
        assert boxes["husband_name"]["box"][1] < boxes["wife_name"]["box"][1] \
            < boxes["number"]["box"][1]


def test_each_spouse_writes_in_their_own_hand(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """The wife's fields and signature in another font than the husband's (and the
    number's, the form's first hand); the birth form keeps one hand and no second."""
    import evalset.handwriting as hw

    written: list[tuple[str, str]] = []

    def recording(text: str, rng: random.Random, cache: Path, family: str, *args: object
                  ) -> object:
        written.append((text, family))
        return write(text, rng, cache, family, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(hw, "write", recording)
    generate(tmp_path / "m", 1, seed=9, cache=CACHE, classes=("clean",), kind="marriage")
    (t,) = evalset.load_truth(tmp_path / "m")
    hand, wife_hand = t.klass["hand"], t.klass["wife_hand"]
    assert hand in PACKAGES and wife_hand in PACKAGES and hand != wife_hand
    families = {text: family for text, family in written}
    fields = t.fields["handwriting"]
    for key, v in fields.items():
        want = wife_hand if key.startswith("wife_") else hand
        assert families[v["text"]] == want, key
    written.clear()
    generate(tmp_path / "h", 1, seed=9, cache=CACHE, classes=("clean",))
    (t,) = evalset.load_truth(tmp_path / "h")
    assert "wife_hand" not in t.klass
    assert {family for _, family in written} == {t.klass["hand"]}


def test_an_unknown_form_kind_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown form kind"):
        generate(tmp_path / "x", 1, seed=9, cache=CACHE, kind="death")


@pytest.fixture(scope="module")
def side(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("hand-side") / "s"
    generate(out, 4, seed=11, cache=CACHE, classes=("clean", "blur_yellow_skew"),
             kind="marriage", layouts=("side",))
    return out


def test_side_by_side_puts_the_spouses_in_two_columns_of_a_table(side: Path) -> None:
    """The template's other layout (Thông tư 04/2020/TT-BTP, older printings): a header
    row naming each spouse's column, the labels once left of both columns or repeated in
    each, and each spouse's value in their own column, the wife's right of the husband's
    on the same row."""
    heads = {head for pair in SIDE_HEADERS for head in pair}
    variants = set()
    for t in evalset.load_truth(side):
        assert t.klass["layout"] == "side"
        printed = t.pages[0]
        assert "Họ và tên chồng:" not in printed
        assert any(h in printed for h in heads)
        for label in ("Ngày, tháng, năm sinh", "Dân tộc", "Quốc tịch", "Số:", "Quyển số:"):
            assert label in printed, label
        variants.add(printed.count("Ngày, tháng, năm sinh"))
        hand = t.fields["handwriting"]
        assert set(hand) == set(MARRIAGE_FIELDS)
        page = np.asarray(first_page(side / t.file))
        for key in ("name", "birth_date", "id"):
            h, w = hand[f"husband_{key}"]["box"], hand[f"wife_{key}"]["box"]
            # Side by side: the wife's value right of the husband's, their rows overlapping
            # (or a line apart when one is written under its label).
            assert h[2] <= w[0], key
            assert abs(h[1] - w[1]) < 0.05 * page.shape[0], key
            for box in (h, w):
                x0, y0, x1, y1 = box
                assert page[y0:y1, x0:x1].min() < np.median(page) - 60, key
    # Both ways of printing the labels among four forms of this seed.
    assert variants == {1, 2}


def test_the_layout_is_an_option_and_the_sequential_set_is_unchanged(tmp_path: Path) -> None:
    """``layouts`` defaults to the sequential form: a set made without it is byte for byte
    what it was (no draw from the forms' streams); several layouts are drawn per form from
    a stream of its own, so a form drawn sequential is the same bytes either way."""
    generate(tmp_path / "seq", 3, seed=11, cache=CACHE, classes=("clean",), kind="marriage")
    generate(tmp_path / "mix", 3, seed=11, cache=CACHE, classes=("clean",), kind="marriage",
             layouts=LAYOUTS)
    seq, mix = evalset.load_truth(tmp_path / "seq"), evalset.load_truth(tmp_path / "mix")
    assert all("layout" not in t.klass for t in seq)
    drawn = [t.klass.get("layout", "sequential") for t in mix]
    assert drawn == [form_layout(t.seed, LAYOUTS) for t in mix]
    assert set(drawn) == set(LAYOUTS)
    for a, b, layout in zip(seq, mix, drawn, strict=True):
        same = digest(tmp_path / "seq" / a.file) == digest(tmp_path / "mix" / b.file)
        assert same == (layout == "sequential"), a.file
    with pytest.raises(ValueError, match="unknown layout"):
        generate(tmp_path / "x", 1, seed=9, cache=CACHE, layouts=("side",))
