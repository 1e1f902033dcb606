"""A bilevel fax whose thin print broke into fragments (not specks) reads weakly; the
density of its ink is read too and kept where it reads clearly better (issue 13)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

import ocr
from evalset.generate import make_page
from evalset.score import cer
from ocr import engine, pipeline, prepare
from ocr.base import Word
from ocr.engine import Recognition
from ocr.plan import plan_pages


@pytest.mark.slow
def test_a_weak_fax_of_broken_strokes_reads_its_density(tmp_path: Path) -> None:
    # Fresh fax draw 28003: a 150-dpi business registration whose strokes are cut to
    # pieces, 0.032 of its ink in specks (not on the speck path); read at 62. Without
    # the density's bands 441 errors of 883 (50 %), with them 325.
    truth = make_page(tmp_path, "fax", seed=28003)
    path = tmp_path / truth.file
    loaded = pipeline.load_image(path, 0, max_pixels=50_000_000)
    assert loaded.image.mode == "1" and loaded.dpi <= prepare.FAX_DPI_MAX
    assert "specks-joined" not in pipeline.clean(loaded).steps
    assert path.suffix == ".tif"
    (job,) = plan_pages(str(path), "image/tiff", out_dir=str(tmp_path))
    page = ocr.run_page(job)
    assert any("density" in note for note in page.notes)
    assert cer(truth.pages[0], page.text) < 0.42


@pytest.mark.slow
def test_a_fax_whose_print_held_is_read_once(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Fresh fax draw 28000: print held, read at 93; its density is never read.
    truth = make_page(tmp_path, "fax", seed=28000)
    path = tmp_path / truth.file
    read: list[int] = []
    density = prepare.specks_to_density

    def counted(gray: Image.Image, dpi: int) -> Image.Image:
        read.append(dpi)
        return density(gray, dpi)

    monkeypatch.setattr(prepare, "specks_to_density", counted)
    assert path.suffix == ".tif"
    (job,) = plan_pages(str(path), "image/tiff", out_dir=str(tmp_path))
    page = ocr.run_page(job)
    assert not read
    assert cer(truth.pages[0], page.text) < 0.05


def test_a_failed_density_reading_keeps_the_first_reading(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    # A second reading may fail (tesseract refusing an image): the page keeps its first
    # reading, says so, and is not failed.
    image = Image.new("1", (1200, 1600), 1)
    loaded = pipeline.Loaded(image=image, dpi=150, dpi_assumed=False, jpeg=None)
    prepared = pipeline.Prepared(ocr_input=image.convert("L"), rotated=0, deskew=0.0,
                                 blank=False, changed=False)
    weak = [Word("Giói", 40.0, (100, 100, 180, 130), (1, 1, 1)),
            Word("tính", 45.0, (190, 100, 260, 130), (1, 1, 1))]
    first = Recognition(words=weak, text_pdf=None)

    def refused(*args: object, **kwargs: object) -> Recognition:
        raise RuntimeError("tesseract refused the image")

    monkeypatch.setattr(engine, "recognize", refused)
    kept, reading = pipeline.fax_density_checked(loaded, prepared, first, "vie", tmp_path)
    assert kept is prepared
    assert reading.words == weak
    assert any("density reading failed" in note for note in reading.notes)
