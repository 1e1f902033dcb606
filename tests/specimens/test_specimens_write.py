from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageSequence

from specimens import DOC_TYPES, degrade, generate_set, load_ground_truth, make_batch, save
from specimens.__main__ import main
from specimens.write import GROUND_TRUTH


def test_multipage_bilevel_tiff_is_group4_with_dpi(page_100dpi: Image.Image,
                                                   tmp_path: Path) -> None:
    pages = [degrade(page_100dpi, seed=s, mode="bilevel") for s in (1, 2)]
    path = save(pages, tmp_path / "scan.tif")
    with Image.open(path) as tiff:
        frames = list(ImageSequence.Iterator(tiff))
        assert len(frames) == 2
        for frame in frames:
            assert frame.mode == "1"
            assert frame.info["compression"] == "group4"
            assert frame.info["dpi"] == pytest.approx((100, 100))
            assert frame.size == page_100dpi.size


def test_multipage_color_tiff(page_100dpi: Image.Image, tmp_path: Path) -> None:
    path = save([page_100dpi, degrade(page_100dpi, seed=1, mode="gray")], tmp_path / "s.tiff")
    with Image.open(path) as tiff:
        modes = [frame.mode for frame in ImageSequence.Iterator(tiff)]
        assert modes == ["RGB", "L"]


@pytest.mark.parametrize("dpi_metadata", [True, False])
def test_pdf_pages_have_the_paper_size(page_100dpi: Image.Image, tmp_path: Path,
                                       dpi_metadata: bool) -> None:
    pages = [page_100dpi, degrade(page_100dpi, seed=1, mode="bilevel")]
    path = save(pages, tmp_path / "scan.pdf", dpi_metadata=dpi_metadata)
    with pikepdf.open(path) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            width, height = (float(v) for v in page.mediabox[2:])
            scale = 72 / 100 if dpi_metadata else 1.0  # no dpi: one pixel per point
            assert width == pytest.approx(page_100dpi.width * scale, abs=1)
            assert height == pytest.approx(page_100dpi.height * scale, abs=1)
            (image,) = page.images.values()
            assert (image.Width, image.Height) == page_100dpi.size


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif"])
def test_dpi_metadata_written_or_omitted(page_100dpi: Image.Image, tmp_path: Path,
                                         suffix: str) -> None:
    with Image.open(save(page_100dpi, tmp_path / f"with{suffix}")) as image:
        assert image.info["dpi"] == pytest.approx((100, 100), abs=0.01)  # PNG: px per metre
    path = save(page_100dpi, tmp_path / f"without{suffix}", dpi_metadata=False)
    with Image.open(path) as image:
        if suffix == ".tif":  # Pillow reports (1, 1) for a TIFF without resolution tags
            assert 282 not in image.tag_v2  # type: ignore[attr-defined]
        else:
            assert "dpi" not in image.info


def test_single_page_formats_refuse_two_pages(page_100dpi: Image.Image,
                                              tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one page"):
        save([page_100dpi, page_100dpi], tmp_path / "x.png")
    with pytest.raises(ValueError, match="unsupported format"):
        save(page_100dpi, tmp_path / "x.bmp")


def test_clean_batch_with_ground_truth(tmp_path: Path) -> None:
    written = make_batch(tmp_path, 8, seed=5)
    assert [spec.doc_type for _, spec in written] == list(DOC_TYPES)
    assert written == [(p, s) for p, s in zip((p for p, _ in written), generate_set(8, 5),
                                               strict=True)]
    lines = (tmp_path / GROUND_TRUTH).read_text(encoding="utf-8").splitlines()
    assert len(lines) == 8
    first = json.loads(lines[0])
    assert first["filename"] == written[0][0].name and first["degradation"] is None
    assert first["pages"] == 1
    for path, spec, profile in load_ground_truth(tmp_path):
        assert profile is None
        with Image.open(path) as image:
            assert image.size == (2480, 3508)
        assert spec in [s for _, s in written]


def test_degraded_batch_from_the_command_line(tmp_path: Path) -> None:
    assert main([str(tmp_path), "--count", "3", "--seed", "11", "--degraded"]) == 0
    rows = load_ground_truth(tmp_path)
    assert len(rows) == 3
    for path, _, profile in rows:
        assert profile is not None
        assert path.suffix == {"png": ".png", "jpeg": ".jpg", "tiff": ".tif",
                               "pdf": ".pdf"}[profile["format"]]
        if path.suffix != ".pdf":
            with Image.open(path) as image:
                width, height = image.size
                expected = 2480 if profile["dpi"] == 300 else 1654
                assert expected in (width, height)
