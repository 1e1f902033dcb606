"""Handwritten fields of printed forms: checks, where a value is, the offline line model
(regions on real OCR'd forms and the ingest path: tests/ingest/test_handwriting.py)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from extract.handcheck import check
from extract.handregions import FormKind, Region, ink_box, region_dark, regions

ISSUED = date(1999, 5, 4)


@pytest.mark.parametrize(("key", "raw", "value"), [
    ("name", "Bùi Mạnh Đông", "BÙI MẠNH ĐÔNG"),
    ("name", " NGUYỄN THỊ LIÊN...", "NGUYỄN THỊ LIÊN"),
    # What a line model adds around a name in capitals: punctuation, digits, a lower-case
    # tail from the dots.
    ("name", ": LÊ BÁ ĐẠTrp", "LÊ BÁ ĐẠT"),
    ("name", "NGUYỄN ANH VINH6", "NGUYỄN ANH VINH"),
    ("birth_date", "27/03/1999", "1999-03-27"),
    ("birth_date", "5-1-1990", "1990-01-05"),
    ("birth_date", "2O.11.1998", "1998-11-20"),
    ("number", "187.", "187"),
    ("number", "10/1999", "10/1999"),
    ("number", "328/ks", "328/KS"),
    # The official list's spelling is proposed: a lost tone mark comes back.
    ("birth_place", "Thị trấn Di Lăng, huyện Sơn Hà, tỉnh Quảng Ngi",
     "Thị trấn Di Lăng, huyện Sơn Hà, tỉnh Quảng Ngãi"),
    ("birth_place", "Trung tâm Y tế Cẩm Khê, tỉnh Phú Thọ",
     "Trung tâm Y tế Cẩm Khê, tỉnh Phú Thọ"),
    # Commas the reading lost, dots between words, a wrong tone on a unit name.
    ("birth_place", "Xã Tuyển Thạnh thị xã Kiến Tường tỉnh Long An",
     "Xã Tuyên Thạnh, thị xã Kiến Tường, tỉnh Long An"),
    ("birth_place", "Phường.1,. quận Bình Thạnh, thành phố Hồ Chí Minh",
     "Phường 1, quận Bình Thạnh, thành phố Hồ Chí Minh"),
    # The label's tail read before the place ("sinh:" → "1:").
    ("birth_place", "1: Thị trấn Tam Hồng, huyện Yên lạc tỉnh Vĩnh Phúc",
     "Thị trấn Tam Hồng, huyện Yên Lạc, tỉnh Vĩnh Phúc"),
])
def test_readings_that_pass_are_proposed_in_canonical_form(key: str, raw: str,
                                                           value: str) -> None:
    got = check(key, raw, ISSUED)
    assert (got.value, got.problem) == (value, None)


@pytest.mark.parametrize(("key", "raw", "problem"), [
    ("name", "Bài Mạnh Đông", "name_family"),  # no such family name
    ("name", "Bùi Mạnh Đxng", "name_invalid"),  # not a Vietnamese syllable
    ("name", "Bùi", "name_words"),
    ("birth_date", "31/02/1999", "invalid_date"),
    ("birth_date", "27/03/2001", "date_order"),  # born after the paper was issued
    ("birth_date", "27/03/1850", "date_order"),
    ("birth_date", "z232s", "date_format"),
    ("number", "1O/2005", "number_year_mismatch"),
    ("number", "Lê Văn", "number_format"),
    ("birth_place", "Trăng tẵn tễ cẵn gê", "place_unmatched"),
    ("birth_place", "tỉnh Phú Yên", "place_too_vague"),
])
def test_readings_that_fail_are_left_for_keying(key: str, raw: str, problem: str) -> None:
    got = check(key, raw, ISSUED)
    assert (got.value, got.problem) == (None, problem)


def _place_label() -> tuple[Image.Image, ImageDraw.ImageDraw, list]:
    """"Nơi sinh:" alone on its line, the next line (a line's spacing down) dotted from the
    margin; the page, a pen on it, the label's words."""
    from ocr.base import Word

    im = Image.new("L", (1600, 400), 255)
    d = ImageDraw.Draw(im)
    d.text((100, 100), "Noi sinh:", fill=0)
    for x in range(100, 1500, 9):
        d.rectangle((x, 160, x + 2, 162), fill=0)
    return im, d, [Word("Nơi", 96, (100, 80, 150, 110), (1, 1, 1)),
                   Word("sinh:", 96, (160, 80, 230, 110), (1, 1, 1))]


def test_a_label_alone_on_its_line_has_its_value_below() -> None:
    im, d, words = _place_label()
    d.line((300, 120, 700, 155), fill=0, width=6)  # writing on the line below
    (r,) = regions(im, words)
    assert r.key == "birth_place" and r.below
    assert r.box[1] < 120 and r.box[3] > 162  # the writing and its dotted line
    # With a dotted line right of the label, the value is there.
    for x in range(240, 1500, 9):
        d.rectangle((x, 104, x + 2, 106), fill=0)
    (r,) = regions(im, words)
    assert not r.below and r.box[0] >= 200 and r.box[3] < 162


def test_the_line_model_runs_offline_without_a_home_cache(tmp_path: Path) -> None:
    """No socket, no download, nothing written under HOME: the weights are in the wheel."""
    pytest.importorskip("asterocr")
    unshare = shutil.which("unshare")
    if unshare is None or subprocess.run([unshare, "-n", "true"],
                                         capture_output=True).returncode != 0:
        pytest.skip("cannot make a network namespace here (unshare -n)")
    crop = tmp_path / "line.png"
    im = Image.new("L", (400, 60), 255)
    ImageDraw.Draw(im).text((10, 20), "12/03/1998", fill=0)
    im.save(crop)
    home = tmp_path / "home"
    home.mkdir()
    code = ("import json, sys\n"
            "from PIL import Image\n"
            "from extract.handread import LineReader, model_path\n"
            "r = LineReader(threads=1).read(Image.open(sys.argv[1]))\n"
            "print(json.dumps({'text': r.text, 'model': str(model_path()),"
            " 'threads': 1}))\n")
    env = {"PATH": os.environ["PATH"], "HOME": str(home), "PYTHONPATH": os.getcwd(),
           "HF_HUB_OFFLINE": "0", "OMP_NUM_THREADS": "1"}
    out = subprocess.run([unshare, "-n", sys.executable, "-c", code, str(crop)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert "site-packages/asterocr/assets/asternet.onnx" in result["model"]
    assert isinstance(result["text"], str)
    assert list(home.rglob("*")) == []  # no telemetry queue, no model cache


def test_a_dotted_line_run_together_by_ink_bleed_still_holds_the_value() -> None:
    im, d, words = _place_label()
    # The dots bled into dashes wider than a dot, 2 px apart: few dots are counted.
    for x in range(240, 1500, 20):
        d.rectangle((x, 103, x + 17, 107), fill=0)
    (r,) = regions(im, words)
    assert not r.below and r.box[3] < 162


def _word(text: str, x0: int, x1: int, line: tuple[int, int, int], conf: float = 96,
          y: tuple[int, int] = (500, 530)):
    from ocr.base import Word

    return Word(text, conf, (x0, y[0], x1, y[1]), line)


def test_a_labels_last_word_dropped_as_noise_rejoins_its_line() -> None:
    from extract.handregions import find_labels, joined

    # "Họ, chữ đệm," kept on one line; "tên:....Bùi" (handwriting glued on, taller) read
    # apart and dropped as a noise line, under another line key.
    kept = [_word("Họ,", 200, 240, (10000, 1, 1)), _word("chữ", 250, 300, (10000, 1, 1)),
            _word("đệm,", 310, 370, (10000, 1, 1))]
    dropped = [_word("tên:....Bùi", 380, 900, (20001, 1, 1), conf=12, y=(480, 540)),
               _word("đệm,", 310, 370, (20001, 1, 1))]  # read twice: the kept one stands
    words = joined(kept, dropped)
    assert len(words) == 4 and words[-1].line == (10000, 1, 1)
    (label,) = find_labels(words, (1600, 2200)).values()
    assert [w.text for w in label] == ["Họ,", "chữ", "đệm,", "tên:....Bùi"]
    assert find_labels(kept, (1600, 2200))["name"][-1].text == "đệm,"  # three words do


def test_a_label_missing_its_last_word_is_not_the_mothers() -> None:
    from extract.handregions import find_labels

    mother = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
              (("Họ,", 200), ("chữ", 260), ("đệm,", 320), ("tên", 380), ("người", 440),
               ("mẹ:", 500))]
    assert "name" not in find_labels(mother, (1600, 2200))
    # A name label ended by its colon is whole: "Võ" after it is a family name, not "vợ".
    child = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
             (("Họ,", 200), ("chữ", 260), ("đệm,", 320), ("tên:", 380), ("Võ", 440))]
    assert [w.text for w in find_labels(child, (1600, 2200))["name"]][-1] == "tên:"


def test_writing_that_rises_past_the_line_above_stays_in_the_crop() -> None:
    """The line above's print is whitened in the crop, not cut away with the tops of the
    letters that rise past its bottom."""
    from extract.handfields import clean_crop

    im = Image.new("L", (1600, 400), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((100, 60, 420, 100), fill=0)  # "Dân tộc: Kinh" above, its bottom at 100
    for x in range(240, 1500, 9):  # the dotted line right of "Nơi sinh:"
        d.rectangle((x, 154, x + 2, 156), fill=0)
    d.line((300, 92, 700, 148), fill=0, width=6)  # writing rising to 92, over its bottom
    words = [_word("Dân", 100, 250, (1, 1, 1), y=(60, 100)),
             _word("tộc:", 260, 420, (1, 1, 1), y=(60, 100)),
             _word("Nơi", 100, 150, (2, 1, 1), y=(130, 160)),
             _word("sinh:", 160, 230, (2, 1, 1), y=(130, 160))]
    (r,) = regions(im, words)
    box = ink_box(im, r)
    assert r.key == "birth_place" and not r.below
    assert box[1] <= 92 - 4 and box[3] >= 156  # the whole stroke, and its dotted line
    # The print's pixels inside the crop are paper for the line model.
    crop = clean_crop(im, r, box)
    assert np.asarray(crop)[max(0, 95 - box[1]), 400 - box[0]] > 200


def test_the_number_line_is_found_under_the_agencys_name_without_its_label() -> None:
    from extract.handregions import find_labels

    im = Image.new("L", (1600, 2200), 255)
    d = ImageDraw.Draw(im)
    for x in range(300, 700, 9):  # "Số: ......" under the agency, "Số:" not read
        d.rectangle((x, 262, x + 2, 264), fill=0)
    d.line((360, 230, 480, 258), fill=0, width=6)  # its handwriting
    agency = [_word("ỦY", 220, 260, (1, 1, 1), y=(120, 150)),
              _word("BAN", 270, 330, (1, 1, 1), y=(120, 150)),
              _word("XÃ", 240, 290, (1, 2, 1), y=(170, 200)),
              _word("HỒNG", 300, 400, (1, 2, 1), y=(170, 200))]
    assert "number" not in find_labels(agency, im.size)
    (r,) = regions(im, agency)
    assert r.key == "number" and r.box[0] <= 310 and abs(r.baseline - 263) <= 4
    x0, y0, x1, y1 = ink_box(im, r)
    assert x0 <= 360 and y0 <= 230 and x1 >= 480 and y1 >= 258
    # No dotted line under the agency: no number, rather than a guess.
    blank = Image.new("L", (1600, 2200), 255)
    assert regions(blank, agency) == []


@pytest.mark.parametrize(("raw", "value"), [
    ("TỪ HỒNG HOA", "TỪ HỒNG HOA"),  # family names beyond the common ones
    ("ỨNG ANH TUYỂN", "ỨNG ANH TUYỂN"),
    ("Ông Minh Nhung", "ÔNG MINH NHUNG"),
    ("Nghiêm Thị Lan", "NGHIÊM THỊ LAN"),
])
def test_family_names_of_the_published_lists_pass(raw: str, value: str) -> None:
    assert check("name", raw, ISSUED).value == value


@pytest.mark.parametrize("raw", [
    "Tư Hồng Hoa",  # not spelled as any family name ("Từ" is)
    "Kim Anh",  # a middle name more often than a family name: the family name was lost
    "Văn Hùng",
])
def test_names_not_starting_with_a_family_name_are_refused(raw: str) -> None:
    assert check("name", raw, ISSUED).problem == "name_family"


@pytest.mark.parametrize(("raw", "value"), [
    # A facility's kind misread by a letter or two, dots between its words.
    ("Bệnh xiên. Phụ sản Bình Phước, tỉnh Bình Phước",
     "Bệnh viện Phụ sản Bình Phước, tỉnh Bình Phước"),
    ("TramY.tế Thăng Long, tỉnh Hải Dương", "Trạm Y tế Thăng Long, tỉnh Hải Dương"),
    ("ệnh viện đa khoa Nam Định, tỉnh Nam Định", "Bệnh viện đa khoa Nam Định, tỉnh Nam Định"),
])
def test_a_facilitys_kind_is_recognised_within_edits(raw: str, value: str) -> None:
    assert check("birth_place", raw, ISSUED).value == value


@pytest.mark.parametrize(("raw", "problem"), [
    ("212/RS", "number_format"),  # no register's symbol
    ("41/KSS", "number_format"),
])
def test_a_numbers_symbol_is_a_registers(raw: str, problem: str) -> None:
    assert check("number", raw, ISSUED).problem == problem
    assert check("number", raw.replace("RS", "KS").replace("KSS", "KS"), ISSUED).value


def test_a_shadowed_crop_is_evened_out_and_an_even_one_left_alone() -> None:
    import numpy as np

    from extract.handfields import flattened

    ramp = np.tile(np.linspace(80, 250, 600, dtype=np.float32), (60, 1))  # a shadow's edge
    ink = ramp.copy()
    # Writing in the dark part and in the light part, each as dark against its paper
    # (a line's worth of ink: a few per cent of the crop).
    for x in range(100, 200, 12):
        ink[20:40, x:x + 4] = ramp[20:40, x:x + 4] * 0.3
    for x in range(420, 520, 12):
        ink[20:40, x:x + 4] = ramp[20:40, x:x + 4] * 0.3
    out = np.asarray(flattened(Image.fromarray(ink.astype(np.uint8))), dtype=np.float32)
    # Paper alike on both sides, both strokes well below it.
    assert abs(out[5, 150] - out[5, 470]) < 30
    assert out[30, 101] < out[5, 150] - 100 and out[30, 421] < out[5, 470] - 100
    even = Image.new("L", (600, 60), 240)
    ImageDraw.Draw(even).line((100, 30, 300, 30), fill=20, width=4)
    assert np.array_equal(np.asarray(flattened(even)), np.asarray(even))


def test_the_shadows_local_maximum_is_pil_max_filters_to_the_pixel() -> None:
    """``local_max`` (row then column) gives ``MaxFilter``'s pixels, edges included, on
    crops of any shape (wider and narrower than the window)."""
    import numpy as np
    from PIL import ImageFilter

    from extract.handfields import local_max

    rng = np.random.default_rng(21)
    for shape in ((120, 1400), (40, 333), (7, 5), (1, 20), (20, 1)):
        crop = Image.fromarray(rng.integers(0, 256, shape, dtype=np.uint8))
        want = np.asarray(crop.filter(ImageFilter.MaxFilter(9)))
        assert np.array_equal(np.asarray(local_max(crop, 9)), want)


def test_the_ink_around_a_place_is_scored_with_it_not_proposed() -> None:
    from extract.handfields import _around_place

    assert _around_place("1: Thị trấn Tam Hồng, huyện Yên Lạc...\"") == ("1: ", '..."')
    assert _around_place("Xã Hồng Thái, huyện Bắc Bình") == ("", "")
    # Words before the first kind are the address's, not a label's tail.
    assert _around_place("Bình Sa xã Tam Kỳ")[0] == ""


def test_a_solid_rule_under_the_writing_is_whitened_a_stroke_crossing_it_kept() -> None:
    from extract.handfields import _unrule, clean_crop
    from extract.handregions import Region

    im = Image.new("L", (800, 120), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((0, 78, 799, 85), fill=40)  # a dotted line run together by ink bleed
    d.rectangle((100, 30, 106, 100), fill=0)  # a stroke crossing it
    d.rectangle((200, 40, 260, 70), fill=0)  # writing above it
    # A place's crop: a name's would also be cut after its writing (``_trimmed``).
    region = Region("birth_place", (0, 0, 800, 120), False, (0, 0, 0, 0), 84, 60)
    out = np.asarray(clean_crop(im, region, (0, 0, 800, 120)))
    assert out[78:86, 400:700].min() > 200  # the rule is gone
    assert out[78:86, 101:106].max() < 100  # the stroke is whole
    assert out[40:70, 210:250].max() < 100  # the writing is untouched
    # A broad dark band (a shadow's edge) is no rule: left as it was.
    shadow = np.full((120, 800), 255, dtype=np.uint8)
    shadow[60:] = 40
    _unrule(shadow, 255, 84, 60)
    assert shadow[60:].max() == 40


def test_a_labels_line_is_no_taller_than_print_at_the_pages_resolution() -> None:
    """Ink bleed swells every word box tesseract draws to twice the print: the label's
    line height is capped by the page's width, so the crop does not take in the lines
    above and below."""
    from extract.handregions import MAX_LINE

    im, d, _ = _place_label()
    for x in range(240, 1500, 9):
        d.rectangle((x, 104, x + 2, 106), fill=0)
    # Boxes 80 px tall on a 1600 px wide page (print there is about 29 px).
    words = [_word("Nơi", 100, 150, (1, 1, 1), y=(40, 120)),
             _word("sinh:", 160, 230, (1, 1, 1), y=(40, 120))]
    (r,) = regions(im, words)
    assert r.line_height == int(MAX_LINE * 1600)
    assert r.box[3] - r.box[1] < 4.3 * MAX_LINE * 1600  # not 4.2 of the swollen 80


def test_a_bled_rule_above_the_writing_and_the_line_over_it_are_whitened() -> None:
    """The line above's dotted line run together (its label lost, no mask) and the value
    written on it are paper for the line model; a shadow's dark side is left alone."""
    from extract.handfields import _unrule_above

    gray = np.full((140, 800), 255, dtype=np.uint8)
    gray[10:30, 100:300] = 0  # the date written on the line above
    gray[32:36, :] = 40  # its dotted line, run together
    gray[70:100, 120:500] = 0  # this field's writing, its baseline at 100
    _unrule_above(gray, 255, 100, 36)
    assert gray[:38].min() == 255  # the line above is gone
    assert gray[70:100, 120:500].max() == 0  # the writing is whole
    shadow = np.full((140, 800), 255, dtype=np.uint8)
    shadow[:36, :] = 60  # a shadow over the top, no paper above a "rule"
    _unrule_above(shadow, 255, 100, 36)
    assert shadow[:36].max() == 60


def test_a_names_crop_ends_after_its_writing_a_numbers_does_not() -> None:
    """Faint remains of a bled line far right of a name are no part of it (the line model
    read them as letters: "CAO THÌN THIỂN" for "CAO THỊ THẢO"); numbers are not cut (dev:
    a digit lost)."""
    from extract.handfields import TRIM_GAP, clean_crop
    from extract.handregions import Region

    im = Image.new("L", (1200, 100), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((20, 30, 300, 70), fill=0)  # the name
    for x in range(700, 1190, 60):  # specks of the line's remains, far right
        d.rectangle((x, 20, x + 3, 40), fill=0)
    name = Region("name", (0, 0, 1200, 100), False, (0, 0, 0, 0), 80, 30)
    crop = clean_crop(im, name, (0, 0, 1200, 100))
    assert 300 < crop.width < 300 + TRIM_GAP * 30
    number = Region("number", (0, 0, 1200, 100), False, (0, 0, 0, 0), 80, 30)
    assert clean_crop(im, number, (0, 0, 1200, 100)).width == 1200


def _leaning(shear: float) -> Image.Image:
    """Three strokes 60 px tall leaning right by ``shear`` of their height, on paper."""
    im = Image.new("L", (300, 80), 255)
    d = ImageDraw.Draw(im)
    for x in (60, 130, 200):
        d.polygon([(x + shear * 30, 10), (x + 6 + shear * 30, 10), (x + 6 - shear * 30, 70),
                   (x - shear * 30, 70)], fill=0)
    return im


def test_writing_leaning_right_is_set_upright_upright_writing_is_left() -> None:
    from extract.handfields import slant, upright

    assert slant(np.asarray(_leaning(0.2)), 255) == pytest.approx(0.2, abs=0.05)
    assert slant(np.asarray(_leaning(-0.2)), 255) == pytest.approx(-0.2, abs=0.05)
    assert upright(_leaning(0.0)) is None
    straight = upright(_leaning(0.2))
    assert straight is not None
    # Each stroke now fills its columns top to bottom.
    assert slant(np.asarray(straight), 255) == pytest.approx(0.0, abs=0.05)


class _SecondTime:
    """A line model that reads nothing the first time and the name the second."""

    def __init__(self) -> None:
        self.widths: list[int] = []
        self.sizes: list[tuple[int, int]] = []

    def read(self, crop: Image.Image) -> object:
        from extract.handread import Reading

        self.widths.append(crop.width)
        self.sizes.append(crop.size)
        return Reading("..." if len(self.widths) == 1 else "Trần Văn An", 1.0, 1.0)


def test_a_field_whose_reading_fails_is_read_again_upright() -> None:
    from extract.handfields import read_fields

    im = Image.new("L", (1600, 700), 255)
    d = ImageDraw.Draw(im)
    for x in range(420, 1500, 9):  # the dotted line right of the label
        d.rectangle((x, 526, x + 2, 528), fill=0)
    for x in (500, 540, 580):  # writing leaning right
        d.polygon([(x + 8, 470), (x + 14, 470), (x + 6, 524), (x, 524)], fill=0)
    words = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
             (("Họ,", 100), ("chữ", 160), ("đệm,", 220), ("tên:", 280))]
    reader = _SecondTime()
    (f,) = read_fields(im, words, date(1984, 5, 1), reader, ["name"])
    assert f.value == "TRẦN VĂN AN" and "asterocr_upright" in f.readings
    assert len(reader.widths) == 2 and reader.widths[1] > reader.widths[0]


def test_a_second_view_is_read_only_within_the_pages_columns() -> None:
    from extract.handfields import read_fields
    from extract.handread import columns

    im, words = _leaning_name_form()
    reader = _SecondTime()
    (f,) = read_fields(im, words, date(1984, 5, 1), reader, ["name"], page_columns=10**6)
    assert f.value == "TRẦN VĂN AN"
    # The first reading's and the upright view's columns, as the model is given them.
    first, second = (columns((w, h)) for w, h in reader.sizes)
    # Just room for both: read again; a column less: the field is left for keying
    # after its first reading alone.
    reader = _SecondTime()
    (f,) = read_fields(im, words, date(1984, 5, 1), reader, ["name"],
                       page_columns=first + second)
    assert f.value == "TRẦN VĂN AN" and len(reader.widths) == 2
    reader = _SecondTime()
    (f,) = read_fields(im, words, date(1984, 5, 1), reader, ["name"],
                       page_columns=first + second - 1)
    assert f.value is None and "asterocr_upright" not in f.readings
    assert len(reader.widths) == 1


def test_the_models_columns_are_the_tensors_width() -> None:
    from extract.handread import MAX_WIDTH, LineReader, columns

    for size in ((10, 40), (333, 47), (900, 32), (5000, 30)):
        tensor = LineReader.tensor(Image.new("L", size, 255))
        assert tensor.shape[-1] == columns(size)
    assert columns((5000, 30)) == MAX_WIDTH


def test_a_number_from_a_path_without_any_digit_is_not_proposed() -> None:
    from extract.handfields import line_reading
    from extract.handread import LineReader

    class Frames:
        def __init__(self) -> None:
            self.chars = {1: "2", 2: "S"}
            self.blank = 0

        def read(self, crop: Image.Image) -> object:
            return self.greedy(self.frames(crop))

        def frames(self, crop: Image.Image) -> np.ndarray:
            # "S" a little more probable than "2" where the ink is, blank elsewhere.
            p = np.array([[0.98, 0.01, 0.01], [0.0, 0.45, 0.55], [0.98, 0.01, 0.01]])
            return np.log(np.maximum(p, 1e-9)).astype(np.float32)

        def greedy(self, frames: np.ndarray) -> object:
            return LineReader.greedy(self, frames)  # type: ignore[arg-type]

    raw, checked, _ = line_reading(Frames(), Image.new("L", (40, 32), 255), "number", None)
    assert raw == "S" and checked.value is None and checked.problem == "no_digit"


def test_a_name_read_weakly_is_left_for_keying_though_it_spells_a_real_name() -> None:
    from extract.handfields import NAME_FROM, line_reading
    from extract.handread import LineReader

    class Frames:
        """Letters of "LE AN" over frames; each letter's probability set by ``p``."""

        def __init__(self, p: float) -> None:
            self.p = p
            self.chars = {1: "L", 2: "E", 3: " ", 4: "A", 5: "N", 6: "X"}
            self.blank = 0

        def read(self, crop: Image.Image) -> object:
            return self.greedy(self.frames(crop))

        def frames(self, crop: Image.Image) -> np.ndarray:
            rows = []
            for k in (1, 2, 3, 4, 5):
                # The letter against an "X" no grammar allows: the name's own probability.
                row = np.full(7, 1e-6)
                row[k], row[6] = self.p, 1 - self.p
                rows += [row, np.eye(7)[0] * 0.999 + 1e-6]
            return np.log(np.array(rows)).astype(np.float32)

        def greedy(self, frames: np.ndarray) -> object:
            return LineReader.greedy(self, frames)  # type: ignore[arg-type]

    crop = Image.new("L", (40, 32), 255)
    _, sure, conf = line_reading(Frames(0.9), crop, "name", None)
    assert sure.value is not None and conf is not None and conf >= NAME_FROM, (sure, conf)
    _, weak, conf = line_reading(Frames(0.2), crop, "name", None)
    assert conf is not None and conf < NAME_FROM
    assert weak.value is None and weak.problem == "low_confidence"


def test_a_label_with_swollen_boxes_takes_its_baseline_from_its_ink() -> None:
    """Ink bleed: boxes twice the print with their bottoms well under its baseline. The
    value on the line below starts right under the print, not under the boxes."""
    from ocr.base import Word

    im = Image.new("L", (1600, 400), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((100, 84, 230, 110), fill=0)  # the print "Họ, chữ đệm, tên:", base 110
    for x in range(100, 1500, 9):  # the dotted line below, at 160
        d.rectangle((x, 159, x + 2, 161), fill=0)
    d.line((300, 122, 700, 156), fill=0, width=6)  # the name, rising to 122
    # Boxes from 70 to 140: 70 px tall on a 1600 px wide page, their bottom 30 px under
    # the print.
    words = [Word(t, 96, (x0, 70, x1, 140), (1, 1, 1)) for t, x0, x1 in
             (("Họ,", 100, 130), ("chữ", 135, 165), ("đệm,", 170, 200), ("tên:", 205, 230))]
    (r,) = regions(im, words)
    assert r.key == "name" and r.below
    x0, y0, x1, y1 = ink_box(im, r)
    assert y0 <= 122 and y1 >= 156 and x0 <= 300 and x1 >= 700


def test_the_date_label_is_found_without_its_first_word() -> None:
    from extract.handregions import find_labels

    # Ink bleed: "Ngày," read "Mày,".
    words = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
             (("Mày,", 200), ("tháng,", 260), ("năm", 320), ("sinh:......24", 380))]
    assert [w.text for w in find_labels(words, (1600, 2200))["birth_date"]] == [
        "tháng,", "năm", "sinh:......24"]


def test_swollen_boxes_of_the_lines_around_still_bound_the_crop() -> None:
    """Ink bleed: the line above's boxes reach a pixel under the label's top and the next
    label's top is over the label's bottom; the print above is whitened in the crop and
    the next line's writing is left out of it."""
    from extract.handfields import clean_crop

    im = Image.new("L", (1600, 600), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((260, 70, 420, 96), fill=0)  # "Dân tộc: Kinh", its print to 96
    d.rectangle((100, 134, 235, 159), fill=0)  # "Ngày, tháng, năm sinh:", base 159
    for x in range(240, 1500, 9):  # the date's dotted line right of its label
        d.rectangle((x, 159, x + 2, 161), fill=0)
    d.line((300, 120, 500, 156), fill=0, width=6)  # the date
    d.rectangle((100, 184, 185, 212), fill=0)  # "Nơi sinh:"
    d.line((300, 170, 900, 210), fill=0, width=6)  # the place under it, close by
    words = [_word("Dân", 260, 330, (1, 1, 1), y=(60, 125)),
             _word("tộc:", 340, 420, (1, 1, 1), y=(60, 125)),
             *(_word(t, x0, x1, (1, 2, 1), y=(124, 190)) for t, x0, x1 in
               (("Ngày,", 100, 140), ("tháng,", 145, 185), ("năm", 190, 210),
                ("sinh:", 215, 235))),
             _word("Nơi", 100, 140, (1, 3, 1), y=(160, 240)),
             _word("sinh:", 145, 185, (1, 3, 1), y=(160, 240))]
    date_region = next(r for r in regions(im, words) if r.key == "birth_date")
    box = ink_box(im, date_region)
    assert not date_region.below and box[1] <= 120 and box[3] <= 168
    crop = clean_crop(im, date_region, box)
    assert np.asarray(crop)[max(0, 94 - box[1]), 400 - box[0]] > 200  # the print is paper


def test_what_every_reading_needs_is_built_once_before_the_first_form() -> None:
    from extract.handcheck import units_by_group
    from extract.handdecode import syllables
    from extract.handfields import warm

    warm()
    assert syllables.cache_info().currsize == 1
    assert units_by_group.cache_info().currsize == 1


def test_the_units_standing_on_a_day_are_filtered_by_province_when_asked() -> None:
    from extract.handcheck import _units_on, units_by_group

    day = date(2005, 1, 1)
    units = _units_on(day)
    provinces = units[("province", "")]
    assert provinces and all(u.stands_on(day) for u in provinces)
    code = provinces[0].province_code
    assert units[("in", code)] == [u for u in units_by_group()[("in", code)]
                                   if u.stands_on(day)]
    assert ("in", provinces[1].province_code) not in units.groups  # not asked: not filtered


def test_a_stray_letter_before_an_address_is_not_its_ward() -> None:
    from extract.handcheck import place_candidates

    # "r" (the dots' remains) read before the ward: it was looked for as the ward.
    assert "Xã Trung Thành, huyện Vụ Bản, tỉnh Nam Định" in place_candidates(
        "r Xã Trng Thành, hyn Vy Bản, tỉnh Nạm Định", date(1990, 1, 1))


@pytest.mark.parametrize(("raw", "problem"), [
    # A kind of care a letter from a usual one, its place matching no unit.
    ("Bệnh viện đa khaa Hãu I, tỉnh Hậu Giang", "place_care_misread"),
    ("Bệnh viện Phụ Sơn Hà Nội, thành phố Hà Nội", "place_care_misread"),
    ("Bệnh viện đa khoa Hậu Giang, tỉnh Hậu Giang", None),
    ("Bệnh viện Nhà Bè, thành phố Hồ Chí Minh", None),  # a name, not "Nhi" misread
    # Two letters from a kind of six letters or more (fresh draw 1223: proposed).
    ("Bệnh viện Phai sản Hồ Chí Minh, thành phố Hồ Chí Minh", "place_care_misread"),
    # Another kind of hospital, far from every kind of care.
    ("Bệnh viện Da liễu Hà Nội, thành phố Hà Nội", None),
])
def test_a_hospitals_kind_of_care_a_letter_off_is_not_proposed(raw: str,
                                                               problem: str | None) -> None:
    assert check("birth_place", raw, date(2005, 1, 1)).problem == problem


def test_a_number_label_past_the_headers_half_gives_no_region_rather_than_a_failure() -> None:
    from extract.handfields import read_fields

    # "Số:" read right of the page's middle (a dirty drum's smear): its value's crop would
    # run from the label's end back to the middle of the page.
    im = Image.new("L", (1653, 2339), 255)
    words = [_word("Số:", 797, 901, (1, 1, 1), y=(507, 546))]
    assert [r for r in regions(im, words) if r.key == "number"] == []
    assert read_fields(im, words, None, None, ["number"]) == []


def test_a_line_wider_than_the_model_takes_is_squeezed_to_it() -> None:
    from extract.handread import HEIGHT, MAX_WIDTH, LineReader

    # A flat crop (a long line at a small height): 1564 pixels once at the model's
    # height, past its 256 positions.
    flat = Image.new("L", (1564, 32), 255)
    assert LineReader.tensor(flat).shape == (1, 3, HEIGHT, MAX_WIDTH)
    assert LineReader.tensor(Image.new("L", (400, 32), 255)).shape[3] == 400
    pytest.importorskip("asterocr")
    from extract.handread import shared_reader

    assert shared_reader().frames(flat).shape[0] == MAX_WIDTH // 4


@pytest.mark.parametrize(("raw", "written", "issued"), [
    # A kind read a letter off and a stray letter before the ward's kind (fresh draw
    # 1223): the province was looked for as "tinMH Đến 1re", the ward as "r Xã …".
    ("h Thị trấp Bình Đại, huyện Định Đại, tinMH Đến 1re",
     "Thị trấn Bình Đại, huyện Bình Đại, tỉnh Bến Tre", date(2000, 1, 1)),
    ("r Xã Thiểu Tác tuyển Thếu Hữi tảnh Thanh Hứa",
     "Xã Thiệu Toán, huyện Thiệu Hóa, tỉnh Thanh Hóa", date(1990, 1, 1)),
    # A comma read inside the ward's name: its units cut at their kinds as well.
    ("ơ. Vã Hòa, Lông, huyệên. Lai Nạng, tỉnh Đồng Tháp.",
     "Xã Hòa Long, huyện Lai Vung, tỉnh Đồng Tháp", date(2001, 1, 1)),
    # A facility whose province's kind was read a letter off, no comma before it.
    ("Tràm Ý tẽ Đồng Tấm tỉình Bắc kan", "Trạm Y tế Đồng Tâm, tỉnh Bắc Kạn",
     date(2008, 1, 1)),
])
def test_the_written_address_is_a_candidate_when_kinds_or_commas_are_misread(
        raw: str, written: str, issued: date) -> None:
    from extract.handcheck import place_candidates

    assert written in place_candidates(raw, issued)


def test_a_name_a_letter_off_a_kind_is_still_looked_for_as_a_name() -> None:
    from extract.handcheck import place_candidates

    # "Quảng" is a letter from "quận": the province's name is not taken for its kind.
    assert "Xã Hạ Long, huyện Vân Đồn, tỉnh Quảng Ninh" in place_candidates(
        "Xã Hạ Long, huyện Vân Đồn, Quảng Ninh", date(2001, 1, 1))


def test_writing_below_its_label_rising_past_the_labels_baseline_stays_in_the_crop() -> None:
    im, d, words = _place_label()  # "Nơi sinh:" alone, its baseline about 105
    d.line((300, 100, 700, 155), fill=0, width=6)  # the place, its first letter tall
    (r,) = regions(im, words)
    assert r.below
    x0, y0, x1, y1 = ink_box(im, r)
    assert y0 <= 97 and y1 >= 158 and x0 <= 300 and x1 >= 700
    # The label's own print is whitened in the crop, not read as the value: its words'
    # boxes and the halo of its strokes around them (ink bleed), down to its baseline.
    d.rectangle((95, 76, 235, 106), fill=0)
    dark, _ = region_dark(im, r)
    assert not dark[:106 - r.box[1], :240 - r.box[0]].any()


def test_a_label_word_whose_box_swallowed_the_writing_ends_at_its_letters() -> None:
    """"tên:" read right, its box reaching over the name written after it: the crop
    starts where the label's letters end, not after the writing's start."""
    im = Image.new("L", (1600, 700), 255)
    d = ImageDraw.Draw(im)
    for x in range(720, 1500, 9):  # the dotted line after the name
        d.rectangle((x, 524, x + 2, 526), fill=0)
    d.rectangle((440, 495, 690, 522), fill=0)  # the name, from 440
    words = [_word(t, x0, x1, (1, 1, 1)) for t, x0, x1 in
             (("Họ,", 200, 240), ("chữ", 250, 300), ("đệm,", 310, 370), ("tên:", 380, 700))]
    (r,) = regions(im, words)
    assert r.key == "name" and not r.below and r.box[0] <= 440


def test_writing_over_a_labels_dotted_line_keeps_the_value_right_of_it() -> None:
    """A place filling its line with the dots lost under it (ink bleed, a faint scan) is
    not looked for on the line below."""
    im, d, words = _place_label()
    for x in range(250, 700, 16):  # letters' bodies over the line, no dot left free
        d.rectangle((x, 85, x + 12, 104), fill=0)
    (r,) = regions(im, words)
    assert not r.below and r.box[1] < 85 and r.box[0] <= 250


def test_a_two_letter_label_word_a_letter_off_among_words_read_right() -> None:
    from extract.handregions import find_labels

    # Ink bleed: "Họ," read "Hü,".
    words = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
             (("Hü,", 200), ("chữ", 260), ("đệm,", 320), ("tên:", 380))]
    assert find_labels(words, (1600, 2200))["name"][0].text == "Hü,"
    # Not in a label of two words: "Hi tên" is not "Họ tên".
    two = [_word(t, x, x + 50, (1, 1, 1)) for t, x in (("Hi", 200), ("tên:", 260))]
    assert "name" not in find_labels(two, (1600, 2200))


def test_a_name_label_under_the_birth_date_is_not_the_holders() -> None:
    from extract.handregions import find_labels

    date_label = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
                  (("Ngày,", 200), ("tháng,", 260), ("năm", 320), ("sinh:", 380))]
    # The father's label, its "tên người cha:" lost to a dirty drum.
    father = [_word(t, x, x + 50, (1, 2, 1), y=(700, 730)) for t, x in
              (("Họ,", 200), ("chữ", 260), ("đệm,", 320))]
    found = find_labels([*date_label, *father], (1600, 2200))
    assert "birth_date" in found and "name" not in found
    holder = [_word(t, x, x + 50, (1, 0, 1), y=(300, 330)) for t, x in
              (("Họ,", 200), ("chữ", 260), ("đệm,", 320))]
    assert "name" in find_labels([*holder, *date_label, *father], (1600, 2200))


class _Spelled:
    """A CTC line model that spells one text per reading, each letter sure (frames as the
    grammar decodes them), in the order given: the crop as cut, then set upright."""

    def __init__(self, *texts: str) -> None:
        self.texts = list(texts)
        letters = sorted({c for t in texts for c in t})
        self.chars = {k + 1: c for k, c in enumerate(letters)}
        self.blank = 0

    def frames(self, crop: Image.Image) -> np.ndarray:
        index = {c: k for k, c in self.chars.items()}
        rows = []
        for c in self.texts.pop(0):
            for k in (index[c], 0):  # the letter, then a blank
                row = np.full(len(self.chars) + 1, 1e-6)
                row[k] = 1.0
                rows.append(np.log(row / row.sum()))
        return np.asarray(rows, dtype=np.float32)

    def greedy(self, frames: np.ndarray) -> object:
        from extract.handread import LineReader

        return LineReader.greedy(self, frames)  # type: ignore[arg-type]

    def read(self, crop: Image.Image) -> object:
        return self.greedy(self.frames(crop))


def _leaning_name_form() -> tuple[Image.Image, list]:
    """A name's label and writing leaning right on its dotted line (read again upright)."""
    im = Image.new("L", (1600, 700), 255)
    d = ImageDraw.Draw(im)
    for x in range(420, 1500, 9):
        d.rectangle((x, 526, x + 2, 528), fill=0)
    for x in (500, 540, 580):
        d.polygon([(x + 8, 470), (x + 14, 470), (x + 6, 524), (x, 524)], fill=0)
    words = [_word(t, x, x + 50, (1, 1, 1)) for t, x in
             (("Họ,", 100), ("chữ", 160), ("đệm,", 220), ("tên:", 280))]
    return im, words


def test_a_rare_name_read_the_same_twice_as_the_ink_spells_it_is_proposed() -> None:
    from extract.handfields import read_fields

    im, words = _leaning_name_form()
    # "Sỹ" is a real given name off the common list: one reading of it is held back
    # (most such readings are a misread common name), two that agree are not.
    (f,) = read_fields(im, words, date(1984, 5, 1), _Spelled("ĐỖ THẾ SỸ", "ĐỖ THẾ SỸ"),
                       ["name"])
    assert f.value == "ĐỖ THẾ SỸ" and "asterocr_upright" in f.readings
    # Read otherwise upright: left for keying.
    (f,) = read_fields(im, words, date(1984, 5, 1), _Spelled("ĐỖ THẾ SỸ", "ĐỖ THẾ SỶ"),
                       ["name"])
    assert f.value is None and f.problem == "name_rare_syllable"


def test_two_readings_agree_only_on_a_usual_value_both_best_paths_spell() -> None:
    from extract.handcheck import Checked
    from extract.handfields import agree

    def held(name: str) -> Checked:
        return Checked(None, "name_rare_syllable", name)

    assert agree(held("ĐỖ THẾ SỸ"), "Đỗ Thế Sỹ", held("ĐỖ THẾ SỸ"), "tên: Đỗ Thế Sỹ.")
    # The grammar's same mending of a syllable neither best path spells ('Truyế', 'Tuyế').
    truế = held("NGUYỄN KHÁNH TRUẾ")
    assert not agree(truế, "Nguyễn Khánh Truyế", truế, "Nguyễn Khánh Tuyế")
    # Spelled by one view only.
    pực = held("LÊ MẠNH PỰC")
    assert not agree(pực, ": LÊ MẠNH PỰC", pực, "N. PÊ MẠNH PỰC")
    # Both spell it, but "Diêu" is a mark off the usual "Diệu".
    diêu = held("NGUYỄN DIÊU TRÂM")
    assert not agree(diêu, "Nguyễn Diêu Trâm..", diêu, "Nguyễn Diêu Trâm.")
    # Different values; and what the value is, not how likely: a number too long.
    assert not agree(held("ĐỖ THẾ SỸ"), "Đỗ Thế Sỹ", held("ĐỖ THẾ SỸ Y"), "Đỗ Thế Sỹ Y")
    long = Checked(None, "number_long", "49198")
    assert not agree(long, "49198", long, "49198")


def _line(texts: tuple[str, ...], line: tuple[int, int, int], y: tuple[int, int]) -> list:
    return [_word(t, 200 + 70 * i, 260 + 70 * i, line, y=y) for i, t in enumerate(texts)]


def test_a_garbled_body_label_is_found_between_its_neighbours() -> None:
    from extract.handregions import find_labels

    # Dirty drum and ink bleed (fresh draw 1409): "Ngày, tháng, năm sinh:" read with its
    # "N" lost and "năm" read "năng"; "Nơi sinh:" read "Nơi snt:".
    name = _line(("Họ,", "chữ", "đệm,", "tên:"), (1, 1, 1), (300, 330))
    date = _line(("Š", "gày,", "tháng,", "năng", "sÌnh"), (1, 2, 1), (400, 430))
    place = _line(("Nơi", "snt:...."), (1, 3, 1), (450, 480))
    mother = _line(("Họ,", "chữ", "đệm,", "tên", "người", "mẹ:"), (1, 4, 1), (500, 530))
    found = find_labels([*name, *date, *place, *mother], (1600, 2200))
    assert [w.text for w in found["birth_date"]] == ["gày,", "tháng,", "năng", "sÌnh"]
    assert [w.text for w in found["birth_place"]] == ["Nơi", "snt:...."]
    # Not when asked for the labels read right only (the label column is then read again).
    assert set(find_labels([*name, *date, *place], (1600, 2200), loose=False)) == {"name"}
    # Nor without a neighbour found: a garbled line anywhere would pass.
    assert find_labels([*date, *mother], (1600, 2200)) == {}
    # Nor further from the neighbour than the form's lines allow.
    far = _line(("Nơi", "snt:...."), (1, 3, 1), (650, 680))
    assert "birth_place" not in find_labels([*name, *date, *far], (1600, 2200))


def test_a_label_glued_by_a_hyphen_is_found_loosely() -> None:
    from extract.handregions import find_labels

    date = _line(("Ngày,", "tháng,", "năm", "sinh:"), (1, 2, 1), (400, 430))
    place = _line(("Nơi-Šnh:",), (1, 3, 1), (450, 480))
    assert [w.text for w in find_labels([*date, *place], (1600, 2200))["birth_place"]] == [
        "Nơi-Šnh:"]
    # A speck read as a word well left of the labels' column: the label itself is in it.
    speck = [_word("ề", 80, 95, (1, 3, 1), y=(450, 480)), *place]
    assert "birth_place" in find_labels([*date, *speck], (1600, 2200))


def test_another_labels_word_does_not_pass_for_a_label_word_a_letter_off() -> None:
    from extract.handregions import find_labels

    # "Giới tính" read "ới tính": "oi" is the place pattern's first word, "tinh" a letter
    # from "sinh", but it is the gender's word.
    gender = _line(("ới", "tính:", "Nam"), (1, 1, 1), (350, 380))
    assert "birth_place" not in find_labels(gender, (1600, 2200))
    date = _line(("Ngày,", "tháng,", "năm", "sinh:"), (1, 2, 1), (300, 330))
    assert "birth_place" not in find_labels([*date, *gender], (1600, 2200))


def test_the_number_line_is_found_under_an_agency_boxed_too_tall() -> None:
    # Ink bleed: tesseract boxes the agency's print about twice its height, the last
    # line's box reaching down to the number's dotted line (fresh draw 1409).
    im = Image.new("L", (1600, 2200), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((220, 120, 400, 150), fill=0)  # the agency's print
    d.rectangle((240, 170, 400, 200), fill=0)
    for x in range(300, 700, 9):
        d.rectangle((x, 262, x + 2, 264), fill=0)
    d.line((360, 230, 480, 258), fill=0, width=6)
    agency = [_word("ỦY", 220, 260, (1, 1, 1), y=(120, 190)),
              _word("BAN", 270, 400, (1, 1, 1), y=(120, 190)),
              _word("XÃ", 240, 290, (1, 2, 1), y=(170, 240)),
              _word("HỒNG", 300, 400, (1, 2, 1), y=(170, 240))]
    (r,) = regions(im, agency)
    # The writing and its dotted line inside the crop (not a row of the page below).
    assert r.key == "number" and abs(r.baseline - 263) <= 12
    assert r.box[1] <= 230 and r.box[3] >= 264


# The marriage form (issue 21): an A4 page at 200 dpi, one spouse's block under the other.
MARRIAGE_PAGE = (1654, 2339)


def _printed_line(texts: tuple[str, ...], y: int, n: int, x: int = 200) -> list:
    out = []
    for t in texts:
        out.append(_word(t, x, x + 14 * len(t), (n, 1, 1), y=(y, y + 30)))
        x += 14 * len(t) + 12
    return out


def _marriage_words(*, wife_label: bool = True) -> list:
    words = [*_printed_line(("Họ", "và", "tên", "chồng:"), 400, 1),
             *_printed_line(("Ngày,", "tháng,", "năm", "sinh:"), 460, 2),
             *_printed_line(("Dân", "tộc:", "Kinh"), 520, 3),
             *_printed_line(("Số", "Giấy", "CMND:"), 640, 4),
             *_printed_line(("Ngày,", "tháng,", "năm", "sinh:"), 760, 6),
             *_printed_line(("Số:......", "Quyển", "số:"), 1000, 7),
             *_printed_line(("(Ký,", "ghi", "rõ", "họ", "tên)"), 1150, 8)]
    if wife_label:
        words += _printed_line(("Họ", "và", "tên", "vợ:"), 700, 5)
    return words


def test_the_marriage_forms_spouses_and_their_birth_dates_are_told_apart() -> None:
    from extract.handregions import find_labels

    found = find_labels(_marriage_words(), MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    tops = {k: min(w.bbox[1] for w in v) for k, v in found.items()}
    assert tops == {"husband_name": 400, "husband_birth_date": 460, "wife_name": 700,
                    "wife_birth_date": 760, "number": 1000}
    # "Số Giấy CMND:" is the ID's label, not the number's.
    assert found["number"][0].text == "Số:......"
    # The birth form's labels do not take a spouse's name for the holder's.
    assert "name" not in find_labels(_marriage_words(), MARRIAGE_PAGE)


def test_a_lost_spouse_label_leaves_the_dates_to_the_forms_order() -> None:
    from extract.handregions import find_labels

    words = _marriage_words(wife_label=False)
    found = find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    assert min(w.bbox[1] for w in found["wife_birth_date"]) == 760
    # The husband's date label lost too: the one left is too far under his name to be
    # his, and whose it is the page does not say.
    words = [w for w in words if w.bbox[1] != 460]
    found = find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    assert "husband_birth_date" not in found and "wife_birth_date" not in found


def test_a_spouse_label_whose_last_word_is_the_writing_ends_where_its_print_does() -> None:
    from extract.handregions import find_labels

    # "chồng:" lost, the husband's written "CÔNG" read a letter off it, far to the right.
    words = [w for w in _marriage_words() if w.text != "chồng:"]
    words.append(_word("CÔNG", 650, 740, (1, 1, 1), conf=88, y=(390, 440)))
    found = find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    label = found["husband_name"]
    assert [w.text for w in label] == ["Họ", "và", "tên", "chồng:"]
    assert label[-1].bbox[2] < 650


def test_the_marriage_forms_number_ends_before_the_book() -> None:
    from extract.handregions import FormKind, regions

    im = Image.new("L", MARRIAGE_PAGE, 255)
    words = _marriage_words()
    quyen = next(w for w in words if w.text == "Quyển")
    found = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    assert found["number"].box[2] < quyen.bbox[0]
    assert set(found) == {"husband_name", "husband_birth_date", "wife_name",
                          "wife_birth_date", "number"}


def test_a_spouses_birth_date_under_the_legal_age_of_marriage_is_keyed() -> None:
    from extract.handfields import MARRIAGE_AGES, line_reading

    crop = Image.new("L", (200, 32), 255)
    on = date(2005, 7, 17)
    # 17 on the day: under the husband's 20; the same date is a wife of 18's.
    _, checked, _ = line_reading(_Spelled("12-2-1988"), crop, "birth_date", on,
                                 marriage_age=MARRIAGE_AGES["husband_birth_date"])
    assert checked.value is None and checked.problem == "date_under_marriage_age"
    _, checked, _ = line_reading(_Spelled("12-2-1987"), crop, "birth_date", on,
                                 marriage_age=MARRIAGE_AGES["wife_birth_date"])
    assert checked.value == "1987-02-12"
    # 95 on the day: a year misread by its tens digit more likely than such a spouse.
    _, checked, _ = line_reading(_Spelled("16-2-1911"), crop, "birth_date", on,
                                 marriage_age=MARRIAGE_AGES["husband_birth_date"])
    assert checked.value is None and checked.problem == "date_old_at_marriage"
    # The birth form's date is not bound so.
    _, checked, _ = line_reading(_Spelled("12-2-1988"), crop, "birth_date", on)
    assert checked.value == "1988-02-12"


def test_the_marriage_forms_number_label_misread_is_made_up_before_the_book() -> None:
    from extract.handregions import find_labels

    # "Số:" read "S0" glued to the writing; "Quyển" after it read well.
    words = [w for w in _marriage_words() if w.text != "Số:......"]
    words.append(_word("S0", 196, 240, (7, 1, 1), conf=23, y=(1000, 1030)))
    (label,) = find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)["number"]
    quyen = next(w for w in words if w.text == "Quyển")
    assert label.bbox[0] == 200 and label.bbox[2] < quyen.bbox[0]
    assert label.line == quyen.line


def test_a_label_found_out_of_the_forms_order_is_dropped_and_its_field_placed() -> None:
    from extract.handregions import find_labels
    from ingest.handwriting import placed_box

    # Fresh draw 4723 m0002 (fax): the number's "Số:" misread, a "Số:" read in the
    # signatures far under the wife's birth date; its crop was cut from the signatures.
    words = [w for w in _marriage_words() if w.bbox[1] != 1000]
    words += _printed_line(("Số:",), 1700, 9)
    found = find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    assert "number" not in found and "wife_birth_date" in found
    # Placed from the wife's birth date instead: where the form's number is.
    _, y0, _, y1 = placed_box("number", found, MARRIAGE_PAGE, FormKind.MARRIAGE)
    assert y0 <= 1000 and y1 >= 1030 and y1 < 1700
    # The birth form: a place label far under the birth date is not the holder's.
    name = _line(("Họ,", "chữ", "đệm,", "tên:"), (1, 1, 1), (300, 330))
    date_ = _line(("Ngày,", "tháng,", "năm", "sinh:"), (1, 2, 1), (400, 430))
    far = _line(("Nơi", "sinh:"), (1, 3, 1), (1000, 1030))
    found = find_labels([*name, *date_, *far], (1600, 2200))
    assert set(found) == {"name", "birth_date"}
    # In the form's order and within its reach, all are kept.
    near = _line(("Nơi", "sinh:"), (1, 3, 1), (450, 480))
    assert set(find_labels([*name, *date_, *near], (1600, 2200))) == {
        "name", "birth_date", "birth_place"}


def test_a_spouses_date_label_read_garbled_is_found_under_the_spouses_name() -> None:
    from extract.handregions import find_labels

    # Ink bleed (fresh draw 1049 m0016): "năm" read "mấrn", two letters off.
    words = [w for w in _marriage_words() if w.bbox[1] != 760]
    words += _printed_line(("Ngày.", "thắng.", "mấrn", "sinh...."), 760, 6)
    found = find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    assert min(w.bbox[1] for w in found["wife_birth_date"]) == 760
    # Not where the form puts no spouse's date: far under the wife's name.
    words = [w for w in _marriage_words() if w.bbox[1] != 760]
    words += _printed_line(("Ngày.", "thắng.", "mấrn", "sinh...."), 1100, 6)
    assert "wife_birth_date" not in find_labels(words, MARRIAGE_PAGE, form=FormKind.MARRIAGE)


def test_a_number_begun_over_the_labels_colon_is_cropped_from_its_first_stroke() -> None:
    """"Số:" read with the number glued to it ("sø.45/1984"): the crop starts where the
    strokes its left edge cuts start (dev h0025: 21 px of the "4" cut off), not at the
    label's end estimated from its letters; the colon's dots are not taken for writing."""
    im = Image.new("L", (1654, 2339), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((300, 245, 318, 272), fill=0)  # "Số", printed
    d.rectangle((326, 252, 329, 255), fill=0)  # its colon
    d.rectangle((326, 265, 329, 268), fill=0)
    d.line((337, 236, 372, 264), fill=0, width=5)  # the number, from 337
    d.line((372, 264, 540, 240), fill=0, width=5)
    for x in range(545, 820, 9):  # its dotted line
        d.rectangle((x, 272, x + 2, 274), fill=0)
    words = [_word("sø.45/1984", 293, 541, (1, 1, 1), conf=49, y=(229, 279))]
    (r,) = regions(im, words)
    assert r.key == "number" and not r.below
    assert 329 < r.box[0] <= 337 and ink_box(im, r)[0] <= 337
    # Print the strokes run on into (ink bleed joining "Số:" to the writing) is no
    # writing: the crop starts at the label's end.
    d.rectangle((318, 236, 340, 241), fill=0)
    (r,) = regions(im, words)
    assert r.box[0] == 358


def test_two_labels_read_among_noise_do_not_outweigh_one_read_exactly() -> None:
    """The form's order check keeps the chain of labels read best, not the longest: on a
    noisy top, the wife's two labels read a letter off and unsure far above where the
    form puts them do not drop the number's "Số:" read exactly (they do when read as
    well as it)."""
    from extract.handregions import find_labels
    from ocr.base import Word

    number = _printed_line(("Số:......", "Quyển", "số:"), 1000, 7)
    noisy = [*_printed_line(("Họ", "và", "tan", "vợ:"), 100, 1),
             *_printed_line(("Ngay,", "thang,", "nim", "sinh:"), 160, 2)]
    unsure = [Word(w.text, 45, w.bbox, w.line) for w in noisy]
    found = find_labels([*unsure, *number], MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    assert set(found) == {"number"}
    found = find_labels([*noisy, *number], MARRIAGE_PAGE, form=FormKind.MARRIAGE)
    assert set(found) == {"wife_name", "wife_birth_date"}


def test_a_faint_number_broken_in_pieces_is_cropped_from_its_first_piece() -> None:
    """A low-ink page breaks a digit's strokes a pixel apart (dev h0066: the "5" of
    "5/1976"): the piece the crop's edge cuts and the stem a pixel above it are one
    stroke, followed to where the stem starts."""
    im = Image.new("L", (1654, 2339), 255)
    d = ImageDraw.Draw(im)
    d.rectangle((345, 240, 348, 260), fill=0)  # the "5"'s stem, from 345
    d.rectangle((345, 262, 375, 265), fill=0)  # its bar, a pixel under it, across 358
    d.line((380, 262, 540, 240), fill=0, width=5)  # "/1976"
    words = [_word("sø.5/1976", 293, 541, (1, 1, 1), conf=79, y=(229, 279))]
    (r,) = regions(im, words)
    assert r.box[0] == 345


def _words_at(texts: list[str], x0: int, y: tuple[int, int], line: tuple[int, int, int],
              gap: int = 12, per: int = 16) -> list:
    """Words of ``texts`` laid left to right from ``x0``, ``per`` pixels a letter."""
    from ocr.base import Word

    out = []
    for t in texts:
        out.append(Word(t, 96, (x0, y[0], x0 + per * len(t), y[1]), line))
        x0 += per * len(t) + gap
    return out


def _side_table(columns: list[int], rows: list[int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A page with a ruled table: vertical rules at ``columns``, horizontal at ``rows``."""
    im = Image.new("L", (1700, 900), 255)
    d = ImageDraw.Draw(im)
    for x in columns:
        d.line((x, rows[0], x, rows[-1]), fill=0, width=2)
    for y in rows:
        d.line((columns[0], y, columns[-1], y), fill=0, width=2)
    return im, d


# Each spouse's name and birth date written in their cell of ``_side_table``'s rows.
SPOUSE_STROKES = {"husband_name": (600, 195, 900, 232), "wife_name": (1120, 195, 1400, 232),
                  "husband_birth_date": (600, 275, 800, 312),
                  "wife_birth_date": (1120, 275, 1300, 312)}


def _spouses_written(d: ImageDraw.ImageDraw) -> dict[str, tuple[int, int, int, int]]:
    """``SPOUSE_STROKES`` drawn as pen strokes; returned for the crops to be checked."""
    for box in SPOUSE_STROKES.values():
        d.line(box, fill=0, width=6)
    return SPOUSE_STROKES


def _in_spouse_columns(got: dict[str, Region], key: str, x0: int, x1: int) -> Region:
    """The region cut for ``key``, checked to start and end inside its spouse's column
    (the husband's between the rules at 550 and 1075, the wife's 1075–1600)."""
    left, right = (550, 1075) if key.startswith("husband") else (1075, 1600)
    r = got[key]
    assert left < r.box[0] <= x0 and x1 <= r.box[2] < right, key
    return r


def test_side_by_side_spouses_are_cut_from_their_columns_of_a_label_column_table() -> None:
    """Thông tư 04/2020's template: the labels in a column of their own, each spouse's
    value in their column (the husband's the middle one, the wife's the right one), the
    cells' rules bounding the crops; both spouses keyed to the row's label."""
    from extract.handregions import find_labels

    im, d = _side_table([100, 550, 1075, 1600], [100, 170, 250, 330])
    words = [*_words_at(["Thông", "tin", "người", "chồng"], 640, (120, 150), (1, 1, 1)),
             *_words_at(["Thông", "tin", "người", "vợ"], 1180, (120, 150), (1, 1, 1)),
             *_words_at(["Họ,", "chữ", "đệm,", "tên"], 115, (205, 235), (2, 1, 1)),
             *_words_at(["Ngày,", "tháng,", "năm", "sinh"], 115, (285, 315), (3, 1, 1))]
    strokes = _spouses_written(d)
    found = find_labels(words, im.size, form=FormKind.MARRIAGE)
    assert found["husband_name"] == found["wife_name"] == words[8:12]
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    assert set(got) == set(strokes)
    for key, (x0, y0, x1, y1) in strokes.items():
        r = _in_spouse_columns(got, key, x0, x1)
        crop = ink_box(im, r)
        assert crop[0] <= x0 and crop[2] >= x1 and crop[1] <= y0 + 3 and crop[3] >= y1 - 3, key
        # Inside the row's rules: neither the row above's nor the next one's ink.
        row = (170, 250) if key.endswith("name") else (250, 330)
        assert row[0] < r.box[1] and r.box[3] < row[1], key


def test_side_by_side_labels_repeated_in_each_column_cut_the_wifes_value_below_hers() -> None:
    """Older printings: each spouse's column repeats the label ("Bên chồng" / "Bên vợ").
    The husband wrote right of his label on its dotted line, the wife under hers (her
    label alone on its line): each crop is in its own column, hers on the line below."""
    im, d = _side_table([100, 850, 1600], [100, 170, 310, 390])
    words = [*_words_at(["Bên", "chồng"], 400, (120, 150), (1, 1, 1)),
             *_words_at(["Bên", "vợ"], 1160, (120, 150), (1, 1, 1)),
             *_words_at(["Họ,", "chữ", "đệm,", "tên:"], 115, (205, 235), (2, 1, 1)),
             *_words_at(["Họ,", "chữ", "đệm,", "tên:"], 865, (205, 235), (2, 1, 1)),
             *_words_at(["Ngày,", "tháng,", "năm", "sinh:"], 115, (345, 375), (3, 1, 1))]
    for x in range(345, 830, 9):
        d.rectangle((x, 230, x + 2, 232), fill=0)  # his dotted line, right of his label
    for x in range(870, 1580, 9):
        d.rectangle((x, 285, x + 2, 287), fill=0)  # hers, under her label
    his, hers = (380, 198, 700, 230), (900, 252, 1300, 283)
    d.line(his, fill=0, width=6)
    d.line(hers, fill=0, width=6)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    h, w = got["husband_name"], got["wife_name"]
    assert not h.below and 300 < h.box[0] <= his[0] and his[2] <= h.box[2] < 850
    assert w.below and 850 < w.box[0] <= hers[0] and hers[2] <= w.box[2] < 1600
    crop = ink_box(im, w)
    assert crop[1] <= hers[1] + 3 and crop[3] >= hers[3] - 3 and crop[0] <= hers[0]
    # Her label's print is whitened, not read into her value.
    assert any(m[0] <= 865 and m[2] >= 1000 for m in w.masks)


def test_the_sequential_forms_signature_heads_are_no_side_by_side_table() -> None:
    """"Chồng" and "Vợ" over the spouses' signatures (the sequential form) head no table:
    no name or date row follows them."""
    from extract.handregions import side_table

    words = [*_words_at(["Chồng"], 180, (600, 630), (5, 1, 1)),
             *_words_at(["Vợ"], 860, (600, 630), (5, 1, 1)),
             *_words_at(["(Ký,", "ghi", "rõ", "họ", "tên)"], 180, (650, 680), (6, 1, 1))]
    assert side_table(words, (1700, 2400)) is None


def test_a_side_by_side_row_label_read_as_one_word_is_still_its_label() -> None:
    """"Họ và tên" read without its spaces ("Hovàtên", "Hovàtn": clean 300 dpi pages of
    draws 3163 and 4451) is the name row's label, in either spouse's column."""
    from extract.handregions import find_labels, side_table

    words = [*_words_at(["Bên", "chồng"], 400, (120, 150), (1, 1, 1)),
             *_words_at(["Bên", "vợ"], 1160, (120, 150), (1, 1, 1)),
             *_words_at(["Hovàtn"], 115, (205, 235), (2, 1, 1)),
             *_words_at(["Hovàtên:"], 865, (205, 235), (2, 1, 1))]
    found = find_labels(words, (1700, 900), form=FormKind.MARRIAGE)
    assert found["husband_name"] == [words[4]] and found["wife_name"] == [words[5]]
    # A value's word is no label: "Hoàng" is three letters from "hoten" (and without the
    # row's label, the table is not taken for one).
    words[4] = _words_at(["Hoàng"], 115, (205, 235), (2, 1, 1))[0]
    words[5] = _words_at(["Hoàng"], 865, (205, 235), (2, 1, 1))[0]
    assert side_table(words, (1700, 900)) is None


def test_a_side_by_side_wifes_header_read_a_mark_off_still_heads_the_table() -> None:
    """"Vợ" read "Vự" (its horned vowel's marks misread: clean 300 dpi page of draw 1249)
    still names the wife's column of a label-column table: both spouses' fields are cut,
    each from their column. Without it the table is not found and only the number is read."""
    im, d = _side_table([100, 550, 1075, 1600], [100, 170, 250, 330])
    words = [*_words_at(["Chồng"], 700, (120, 150), (1, 1, 1)),
             *_words_at(["Vự"], 1300, (120, 150), (1, 1, 1)),
             *_words_at(["Họ", "và", "tên"], 115, (205, 235), (2, 1, 1)),
             *_words_at(["Ngày,", "tháng,", "năm", "sinh"], 115, (285, 315), (3, 1, 1))]
    strokes = _spouses_written(d)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    assert set(got) == set(strokes)
    for key, (x0, _, x1, _) in strokes.items():
        _in_spouse_columns(got, key, x0, x1)


def test_a_side_by_side_crop_right_of_a_repeated_label_starts_where_the_writing_starts(
        ) -> None:
    """Tesseract glued the writing's first letters to the label's last word ("tên:Lê..Thành",
    fax page of draw 1249): the label's end estimated from that word falls inside the
    writing. As right of a sequential label (``_ink_start``), the crop starts where the
    strokes its edge cuts start, not where the label's word says it ends."""
    im, d = _side_table([100, 850, 1600], [100, 170, 250, 330])
    words = [*_words_at(["Bên", "chồng"], 400, (120, 150), (1, 1, 1)),
             *_words_at(["Bên", "vợ"], 1160, (120, 150), (1, 1, 1)),
             *_words_at(["Họ,", "chữ", "đệm,", "tên:Lê..Thành"], 115, (205, 235), (2, 1, 1)),
             *_words_at(["Họ,", "chữ", "đệm,", "tên:"], 865, (205, 235), (2, 1, 1)),
             *_words_at(["Ngày,", "tháng,", "năm", "sinh:"], 115, (285, 315), (3, 1, 1))]
    label_end = words[7].bbox[0] + 3 * 16  # "tên"'s print, at the label's letter pitch
    for x in range(label_end + 10, 830, 9):
        d.rectangle((x, 230, x + 2, 232), fill=0)  # his dotted line
    first = label_end + 12  # the "L", a little right of the print, left of the word's end
    d.rectangle((first, 196, first + 4, 229), fill=0)
    d.line((first, 229, first + 60, 229), fill=0, width=4)
    d.line((first + 60, 200, 700, 229), fill=0, width=6)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    h = got["husband_name"]
    assert not h.below and words[7].bbox[0] < h.box[0] <= first
    assert ink_box(im, h)[0] <= first


def test_a_wifes_header_is_not_any_word_of_two_letters_after_v() -> None:
    """Noise over a noisy-top photocopy reads "công:" and "Vệ" on one row above the
    husband's date row (marriage dev m0053, a sequential form): "Vệ" is not "Vợ" misread
    (only its horned vowel read as the other horned one, "Vự", is): no table is found."""
    from extract.handregions import side_table

    words = [*_words_at(["công:"], 336, (395, 459), (1, 1, 1)),
             *_words_at(["Vệ"], 1162, (395, 427), (1, 1, 1)),
             *_words_at(["Ngày:", "tháng:", "năm"], 196, (443, 491), (2, 1, 1))]
    assert side_table(words, (1654, 2339)) is None


def test_a_flat_sliver_of_a_word_is_no_part_of_a_side_by_side_row_label() -> None:
    """A dropped word joined back to its line as a sliver ("và" 2 px high beside the
    read "và": low-ink page of draw 1277) is no printed word: the row's label is "Họ và
    tên:" (with the sliver "Họ và và tên:" matched no label and the name row was lost),
    and each spouse's name crop stays in the name row."""
    from ocr.base import Word

    im, d = _side_table([100, 550, 1075, 1600], [100, 170, 250, 330])
    name = _words_at(["Họ", "và", "tên:"], 115, (205, 235), (2, 1, 1))
    sliver = Word("và", 40, (name[1].bbox[0] + 2, 233, name[1].bbox[2], 235), (2, 1, 1))
    words = [*_words_at(["Chồng"], 700, (120, 150), (1, 1, 1)),
             *_words_at(["Vợ"], 1300, (120, 150), (1, 1, 1)),
             name[0], name[1], sliver, name[2],
             *_words_at(["Ngày,", "tháng,", "năm", "sinh"], 115, (285, 315), (3, 1, 1))]
    d.line((600, 200, 900, 232), fill=0, width=6)
    d.line((1120, 200, 1400, 232), fill=0, width=6)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    for key in ("husband_name", "wife_name"):
        assert key in got
        assert got[key].box[3] < 250 and got[key].label_box[2] > name[1].bbox[2], key


def test_the_sequential_husbands_label_is_no_side_by_side_header() -> None:
    """"Họ và tên chồng:" of the sequential form, with noise read "Vu" far right of it on a
    noisy-top photocopy (marriage test half m0034) and the date's label under it, heads
    no table: a column's header has no colon after the spouse's word."""
    from extract.handregions import side_table

    words = [*_words_at(["Họ", "và", "tên", "chồng:"], 191, (435, 478), (1, 1, 1)),
             *_words_at(["Vu"], 1508, (449, 467), (2, 1, 1)),
             *_words_at(["Ngày,", "tháng,", "năm", "sinh:"], 191, (565, 600), (3, 1, 1))]
    assert side_table(words, (1654, 2339)) is None
    # The same row read as a table's header ("Chồng", no colon) still heads one.
    words[3] = _words_at(["chồng"], words[3].bbox[0], (435, 478), (1, 1, 1))[0]
    words[4] = _words_at(["Vợ"], 1508, (435, 478), (1, 1, 1))[0]
    assert side_table(words, (1654, 2339)) is not None


def test_a_dotted_lines_dot_under_a_letter_is_whitened_a_stroke_touching_the_line_kept(
        ) -> None:
    """The dotted line's dots under the writing's letters (ink over them, so the dot test
    keeps them) are read as a dot below ("MỊNH HƯỢNG" for Minh Hương): a dot with paper
    between it and the letter over it is whitened; a stroke that reaches down onto the
    line (its ink joined to the dot) is kept. Names and dates only."""
    from extract.handfields import clean_crop
    from extract.handregions import Region

    im = Image.new("L", (600, 120), 255)
    d = ImageDraw.Draw(im)
    for x in range(10, 590, 12):
        d.rectangle((x, 83, x + 3, 86), fill=0)  # the dotted line, baseline 84
    d.rectangle((98, 40, 120, 75), fill=0)  # a letter over the dot at 106, 7 px above it
    d.rectangle((190, 40, 196, 84), fill=0)  # a stroke down onto the dot at 190
    d.rectangle((220, 40, 260, 75), fill=0)  # more writing over the line
    out = {key: np.asarray(clean_crop(im, Region(key, (0, 0, 600, 120), False,
                                                 (0, 0, 0, 0), 84, 30), (0, 0, 600, 120)))
           for key in ("name", "number")}
    name = out["name"]
    assert name[83:87, 106:110].min() > 200  # the dot under the letter: paper
    assert name[83:87, 226:230].min() > 200  # and under the other writing
    assert name[80:85, 190:197].max() < 100  # the stroke down to the line: whole
    assert name[40:75, 100:118].max() < 100  # the letter: untouched
    # A number's crop keeps such dots (no gain there, and noise read as digits).
    assert out["number"][83:87, 106:110].min() < 100


def test_a_side_by_side_table_whose_header_is_unread_is_found_by_its_rules() -> None:
    """A fax or ink-bleed page whose header row ("Thông tin người chồng" / "… vợ") is not
    read at all: the row labels name no spouse, but they start the first cell of a ruled
    table of two spouses' columns, and each spouse's value is cut from their column (on
    main no region: the rows were only taken under a header read). Without the rules (a
    sequential page whose "chồng:" is lost) no table is made up."""
    from extract.handregions import ruled_table

    im, d = _side_table([100, 550, 1075, 1600], [60, 170, 250, 330, 410])
    words = [*_words_at(["Họ,", "chữ", "đệm,", "tên"], 115, (205, 235), (2, 1, 1)),
             *_words_at(["Ngày,", "tháng,", "năm", "sinh"], 115, (285, 315), (3, 1, 1))]
    strokes = _spouses_written(d)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    assert set(got) == set(strokes)
    for key, (x0, y0, x1, y1) in strokes.items():
        crop = ink_box(im, _in_spouse_columns(got, key, x0, x1))
        assert crop[0] <= x0 and crop[2] >= x1 and crop[1] <= y0 + 3 and crop[3] >= y1 - 3, key
    # The same labels on a page without the table's rules: no table.
    plain = Image.new("L", im.size, 255)
    assert ruled_table(np.asarray(plain) < 128, words) is None


def test_a_side_by_side_table_with_its_header_read_and_no_row_label_is_cut_by_its_rules(
        ) -> None:
    """Ink bleed: the header row is read ("Bên chồng" / "Bên vợ") but none of the row
    labels of the label column. The first row under the header is the name's, the next
    the date's; each spouse's value is cut from their column's cell. A dotted line run
    together just over a row's rule is no rule (the fuller of the two is)."""
    from extract.handregions import header_regions, page_dark

    im, d = _side_table([100, 550, 1075, 1600], [60, 170, 250, 330, 410])
    d.line((560, 322, 1590, 322), fill=0, width=2)  # the date row's dots run together
    for x in range(560, 1590, 4):
        d.point((x, 322), fill=255)
    words = [*_words_at(["Bên", "chồng"], 700, (120, 150), (1, 1, 1)),
             *_words_at(["Bên", "vợ"], 1250, (120, 150), (1, 1, 1))]
    strokes = _spouses_written(d)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    assert set(got) == set(strokes)
    for key, (x0, y0, x1, y1) in strokes.items():
        row = (170, 250) if key.endswith("name") else (250, 330)
        r = _in_spouse_columns(got, key, x0, x1)
        assert row[0] < r.box[1] <= y0 and y1 <= r.box[3] < row[1], key
    # The same header over no table (the sequential form's signatures): nothing cut.
    plain = Image.new("L", im.size, 255)
    assert header_regions(page_dark(plain), words) == []


def test_a_side_by_side_name_label_glued_and_a_letter_off_is_still_the_rows_label() -> None:
    """"Họ,chữ đệm, tan" (the comma's space lost, "tên" read a letter off: draw 1249
    m0002) is the name row's label; a name written at a line's start ("Hồ Văn Tân", as
    near "Họ và tên" as that) is none."""
    from extract.handregions import _row_labels

    glued = _words_at(["Họ,chữ", "đệm,", "tan"], 115, (205, 235), (2, 1, 1))
    got = _row_labels(glued, "name", 1700, 850)
    assert got is not None and got[0] == glued
    assert _row_labels(_words_at(["Hồ", "Văn", "Tân"], 115, (205, 235), (2, 1, 1)),
                       "name", 1700, 850) is None


def test_a_side_by_side_rows_baseline_is_not_the_tables_rule_its_swollen_boxes_cross() -> None:
    """Ink bleed swells a row label's word boxes over the row's top rule (draw 23001
    m0014): the print's baseline is its letters', not the rule's row, which is the
    densest inside the boxes; the crop stays in the label's row."""
    from ocr.base import Word

    im, d = _side_table([100, 550, 1075, 1600], [100, 170, 250, 330])
    words = [*_words_at(["Chồng"], 700, (120, 150), (1, 1, 1)),
             *_words_at(["Vợ"], 1300, (120, 150), (1, 1, 1))]
    x = 115
    for t in ("Họ", "và", "tên"):
        x1 = x + 16 * len(t)
        for bar in range(x, x1, 8):  # the print's strokes, under half the row inked
            d.rectangle((bar, 208, bar + 2, 235), fill=0)
        words.append(Word(t, 96, (x, 160, x1, 245), (2, 1, 1)))  # swollen over the rule
        x = x1 + 12
    strokes = {"husband_name": (600, 200, 900, 234), "wife_name": (1120, 200, 1400, 234)}
    for box in strokes.values():
        d.line(box, fill=0, width=6)
    got = {r.key: r for r in regions(im, words, FormKind.MARRIAGE)}
    for key, (_, y0, _, y1) in strokes.items():
        r = got[key]
        assert 170 < r.box[1] <= y0 and y1 <= r.box[3] < 250, key
        assert 225 <= r.baseline <= 240, key
