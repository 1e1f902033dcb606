"""The second reading of one line of a page (``ocr.reread``): the page rebuilt from its
file in the geometry of its words, the line cut to its own rows, read alone."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

import ocr
from evalset.generate import doc_seed, make_document
from ocr import reread
from ocr.plan import plan_pages
from ocr.prepare import straighten
from ocr.reread import LineRequest, PageGeometry, TurnedPage, read_lines


@pytest.mark.parametrize("deskew", [0.0, 0.8, -2.3, 4.9])
def test_a_part_straightened_alone_is_that_part_of_the_straightened_page(deskew: float) -> None:
    """Straightening the whole page for a line cost 40–95 ms: the part is rotated alone,
    and its pixels are the very ones the whole page's rotation gives."""
    rng = np.random.default_rng(7)
    page = Image.fromarray(rng.integers(0, 256, (700, 500), dtype=np.uint8), mode="L")
    whole = straighten(page, deskew)
    for box in [(0, 0, 120, 40), (180, 300, 420, 340), (380, 640, 500, 700)]:
        part = TurnedPage(page, deskew).crop(box)
        assert np.array_equal(np.asarray(part), np.asarray(whole.crop(box)))


def test_a_blurred_header_number_the_page_misread_is_read_right_alone(tmp_path: Path) -> None:
    """Fresh draw 7919's e0009 (a construction permit at 200 dpi under ink bleed): the
    page reading gives "Số: 988/GPXD" at 43 for 886/GPXD; its line cut out of the plain
    page and read alone gives 886. The first reading's box of "Số:" reaches into the
    line above (241–306 for a 34-pixel line): the line is cut to its own rows first."""
    truth = make_document(tmp_path, "e0009", doc_seed(7919, 9), "ink_bleed",
                          "construction_permit", "dev")
    path, printed = tmp_path / truth.file, truth.document_number or "?"
    (job,) = plan_pages(str(path), "application/pdf", out_dir=str(tmp_path))
    page = ocr.run_page(job)
    number = next(w for w in page.words if w.text.endswith("/GPXD"))
    first = [w for w in page.words if w.line == number.line]
    assert first[0].text.startswith("Số")
    assert not any(printed in w.text for w in page.words)
    box = (min(w.bbox[0] for w in first), min(w.bbox[1] for w in first),
           max(w.bbox[2] for w in first), max(w.bbox[3] for w in first))
    (again,) = read_lines(path, "application/pdf", [PageGeometry.of(page)],
                          [LineRequest(0, box)], languages="vie")
    assert printed in "".join(w.text for w in again.words)
    # In the page's pixels, inside the box asked for.
    assert all(box[0] - 20 <= w.bbox[0] and w.bbox[2] <= box[2] + 20 for w in again.words)


def test_a_page_not_in_its_words_geometry_is_not_read(tmp_path: Path) -> None:
    """A file that changed, or a page geometry that does not fit it: no reading rather
    than one of the wrong pixels."""
    path = tmp_path / "page.png"
    Image.new("L", (800, 600), 255).save(path)
    geometry = PageGeometry(number=1, dpi=200, rotated=0, deskew=0.0, width=600, height=800)
    (again,) = read_lines(path, "image/png", [geometry], [LineRequest(0, (10, 10, 200, 40))],
                          languages="vie")
    assert again.words == ()
    unread = PageGeometry(number=1, dpi=200, rotated=0, deskew=0.0, width=800, height=600,
                          read=False)
    assert read_lines(path, "image/png", [unread], [LineRequest(0, (10, 10, 200, 40))],
                      languages="vie")[0].words == ()


def test_the_raw_line_is_read_where_the_line_mode_finds_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tesseract's single-line mode still lays the crop out, and found no text on e0009's
    blurred line that its raw-line mode reads right: the raw line is read then, only then."""
    page = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(page).rectangle((50, 80, 400, 110), fill=0)
    asked: list[int] = []
    row = "5\t1\t1\t1\t1\t1\t10\t5\t100\t30\t80.0\tSố:886/GPXD\n"

    def fake(image: Image.Image, base: Path, **kwargs: int) -> tuple[str, None]:
        asked.append(kwargs["psm"])
        rows = row if kwargs["psm"] == reread.RAW_LINE_PSM else ""
        return ocr.engine.tessapi.TSV_HEADER + rows, None

    monkeypatch.setattr(reread, "tesseract", fake)
    got = reread.read_line(TurnedPage(page, 0.0), LineRequest(0, (40, 70, 420, 120)),
                           tmp_path, dpi=200, languages="vie")
    assert asked == [reread.LINE_PSM, reread.RAW_LINE_PSM]
    assert [w.text for w in got.words] == ["Số:886/GPXD"]
    asked.clear()
    row = "5\t1\t1\t1\t1\t1\t10\t5\t100\t30\t80.0\tSố:\n"
    monkeypatch.setattr(reread, "RAW_LINE_PSM", reread.LINE_PSM)
    reread.read_line(TurnedPage(page, 0.0), LineRequest(0, (40, 70, 420, 120)), tmp_path,
                     dpi=200, languages="vie")
    assert asked == [reread.LINE_PSM]


def test_a_line_under_a_shadow_is_black_and_white_by_its_neighbourhood() -> None:
    """``LOCAL``: a faint stroke on paper is lighter than a shadow on the other half of
    the line: no one level for the crop keeps the stroke without blackening the shadow;
    the neighbourhood's level keeps both strokes and the paper white."""
    pixels = np.full((60, 400), 230, dtype=np.uint8)
    pixels[:, 200:] = 120  # the shadow
    pixels[20:40, 60:64] = 140  # a faint stroke on paper, lighter than the shadow
    pixels[20:40, 300:304] = 30  # a stroke in the shadow
    binary = np.asarray(reread.local_binary(Image.fromarray(pixels), 60))
    assert set(np.unique(binary)) <= {0, 255}
    assert (binary[25:35, 60:64] == 0).all() and (binary[25:35, 300:304] == 0).all()
    assert (binary[5:15, 100:160] == 255).all() and (binary[5:15, 240:280] == 255).all()


def test_the_line_model_reads_the_crop_and_its_words_fall_on_the_page(tmp_path: Path) -> None:
    """``MODEL``: the plain crop handed to the caller's line model, its words put back in
    the page's pixels (the crop was enlarged); no line model, no words."""
    page = Image.new("L", (600, 200), 255)
    ImageDraw.Draw(page).rectangle((50, 90, 400, 106), fill=0)
    seen: list[tuple[int, int]] = []

    def model(image: Image.Image) -> list[tuple[str, float, int, int]]:
        seen.append(image.size)
        return [("Số:", 97.0, 0, image.width // 4), ("886/GPXD", 88.0, image.width // 2,
                                                       image.width)]

    request = LineRequest(0, (40, 85, 420, 111), reread.Preparation.MODEL)
    crop = reread.line_crop(TurnedPage(page, 0.0), request.box)
    assert crop is not None and crop.scale > 1.0
    got = reread.recognized(crop, request, tmp_path, dpi=200, languages="vie",
                            line_model=model)
    assert seen == [crop.image.size]
    assert [(w.text, w.confidence) for w in got.words] == [("Số:", 97.0), ("886/GPXD", 88.0)]
    left, top, right, bottom = crop.box
    assert got.words[0].bbox[0] == left and got.words[1].bbox[2] == right
    assert all(w.bbox[1] == top and abs(w.bbox[3] - bottom) <= 1 for w in got.words)
    assert reread.recognized(crop, request, tmp_path, dpi=200, languages="vie").words == ()


def test_a_page_asked_for_again_is_not_rebuilt_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second reading asks in rounds (plain, then the line model, then the other
    preparations): the page is decoded once for them all, and each line cut once."""
    path = tmp_path / "page.png"
    Image.new("L", (600, 800), 255).save(path)
    geometry = PageGeometry(number=1, dpi=200, rotated=0, deskew=0.0, width=600, height=800)
    built: list[int] = []
    turned = reread.turned_page

    def counted(*args: object, **kwargs: object) -> TurnedPage | None:
        built.append(1)
        return turned(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(reread, "turned_page", counted)
    monkeypatch.setattr(reread, "_last", [])
    box = (10, 10, 200, 40)
    for preparation in (reread.Preparation.MODEL, reread.Preparation.MODEL):
        read_lines(path, "image/png", [geometry], [LineRequest(0, box, preparation)],
                   languages="vie", line_model=lambda image: [])
    assert built == [1]
    Image.new("L", (600, 800), 250).save(path)  # the file changed: rebuilt
    read_lines(path, "image/png", [geometry], [LineRequest(0, box, reread.Preparation.MODEL)],
               languages="vie", line_model=lambda image: [])
    assert built == [1, 1]


def test_without_a_line_model_its_round_rebuilds_no_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``SOHOA_LINE_MODEL=off`` (the default): extraction still asks its model round, and
    it costs nothing — no page decoded, no line cut, nothing read."""
    path = tmp_path / "page.png"
    Image.new("L", (600, 800), 255).save(path)
    geometry = PageGeometry(number=1, dpi=200, rotated=0, deskew=0.0, width=600, height=800)

    def never(*args: object, **kwargs: object) -> TurnedPage | None:
        raise AssertionError("the page was rebuilt for a model that is not there")

    monkeypatch.setattr(reread, "turned_page", never)
    monkeypatch.setattr(reread, "_last", [])
    asked = [LineRequest(0, (10, 10, 200, 40), reread.Preparation.MODEL),
             LineRequest(0, (10, 50, 200, 80), reread.Preparation.MODEL)]
    got = read_lines(path, "image/png", [geometry], asked, languages="vie")
    assert [(g.request, g.words) for g in got] == [(r, ()) for r in asked]
