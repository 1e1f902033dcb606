"""PDF inputs (text layers kept, mixed documents) and refused inputs."""

from __future__ import annotations

import io
import subprocess
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from unittest.mock import Mock

import pikepdf
import pytest
from PIL import Image

import ocr
from ocr.base import OcrInputError
from tests.support.ocr import image_pdf, png_header_only, read_document, text_pdf

TEXT_LINES = ["GIAY CHUNG NHAN KET HON", "Ho ten chong: Tran Van Binh", "So: 45/2019"]


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_pdf_with_text_layer_is_not_ocred_again(tmp_path: Path) -> None:
    source = _write(tmp_path / "text.pdf", text_pdf(TEXT_LINES))
    result = read_document(str(source), "application/pdf")
    page = result.pages[0]
    assert page.had_text and page.mean_confidence is None
    assert "Ho ten chong: Tran Van Binh" in page.text
    assert any(w.text == "Binh" for w in page.words)
    with pikepdf.open(source) as original, pikepdf.open(io.BytesIO(result.pdf)) as out:
        assert out.pages[0].Contents.read_bytes() == original.pages[0].Contents.read_bytes()


def test_mixed_pdf_gets_ocr_only_where_text_is_missing(page: Image.Image, tmp_path: Path) -> None:
    merged = pikepdf.new()
    text_doc = pikepdf.open(io.BytesIO(text_pdf(TEXT_LINES)))
    scan_doc = pikepdf.open(io.BytesIO(image_pdf(page)))
    merged.pages.extend(text_doc.pages)
    merged.pages.extend(scan_doc.pages)
    source = tmp_path / "mixed.pdf"
    merged.save(source)
    with ProcessPoolExecutor(max_workers=2) as pool:
        result = read_document(str(source), "application/pdf", executor=pool)
    first, second = result.pages
    assert first.had_text and not second.had_text
    assert "Tran Van Binh" in first.text
    assert "Nguyễn Thị Hương" in second.text
    assert second.mean_confidence is not None
    assert [p.number for p in result.pages] == [1, 2]
    with pikepdf.open(io.BytesIO(result.pdf)) as out:
        assert len(out.pages) == 2


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    pdf = pikepdf.open(io.BytesIO(text_pdf(TEXT_LINES)))
    source = tmp_path / "locked.pdf"
    pdf.save(source, encryption=pikepdf.Encryption(user="secret", owner="secret"))
    with pytest.raises(OcrInputError) as error:
        ocr.plan_pages(str(source), "application/pdf", out_dir=str(tmp_path))
    assert error.value.code == "pdf_encrypted"
    assert "mật khẩu" in error.value.message


def test_truncated_pdf_is_refused(page: Image.Image, tmp_path: Path) -> None:
    data = image_pdf(page)
    source = _write(tmp_path / "cut.pdf", data[: len(data) // 2])
    with pytest.raises(OcrInputError) as error:
        ocr.plan_pages(str(source), "application/pdf", out_dir=str(tmp_path))
    assert error.value.code == "pdf_corrupt"


def test_zero_byte_file_is_refused(tmp_path: Path) -> None:
    source = _write(tmp_path / "empty.pdf", b"")
    with pytest.raises(OcrInputError) as error:
        ocr.plan_pages(str(source), "application/pdf", out_dir=str(tmp_path))
    assert error.value.code == "empty_document"


def test_decompression_bomb_is_refused_from_its_header(tmp_path: Path) -> None:
    source = _write(tmp_path / "bomb.png", png_header_only(20_000, 20_000))
    with pytest.raises(OcrInputError) as error:
        ocr.plan_pages(str(source), "image/png", out_dir=str(tmp_path))
    assert error.value.code == "image_too_large"
    job = ocr.PageJob(source_path=str(source), media_type="image/png", index=0,
                      out_dir=str(tmp_path))
    with pytest.raises(OcrInputError) as error:
        ocr.run_page(job)
    assert error.value.code == "image_too_large"


def _huge_page_pdf(path: Path) -> Path:
    pdf = pikepdf.new()
    page = pdf.add_blank_page()
    # Beyond PDF's own 14400-unit limit, which pikepdf's helper enforces but readers don't.
    page.obj.MediaBox = pikepdf.Array([0, 0, 30_000, 30_000])
    pdf.save(path)
    return path


def test_huge_pdf_page_is_refused_before_rendering(tmp_path: Path, monkeypatch) -> None:
    """A few hundred bytes declaring a 30000×30000 pt page: refused from its box, at
    planning and again at the page, before pdftoppm runs or a temporary file is written."""
    source = _huge_page_pdf(tmp_path / "huge.pdf")
    assert source.stat().st_size < 1_000
    with pytest.raises(OcrInputError) as error:
        ocr.plan_pages(str(source), "application/pdf", out_dir=str(tmp_path))
    assert error.value.code == "image_too_large"
    assert "Ảnh quá lớn" in error.value.message and "20834×20834" in error.value.message
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setenv("TMPDIR", str(work))
    monkeypatch.setattr("tempfile.tempdir", None)
    run = Mock(wraps=subprocess.run)  # records each call and still makes it
    monkeypatch.setattr(subprocess, "run", run)
    job = ocr.PageJob(source_path=str(source), media_type="application/pdf", index=0,
                      out_dir=str(tmp_path))
    with pytest.raises(OcrInputError) as error:
        ocr.run_page(job)
    assert error.value.code == "image_too_large"
    assert not [c for c in run.call_args_list if "pdftoppm" in str(c.args)]
    assert list(work.iterdir()) == []


def test_unsupported_type_is_refused(tmp_path: Path) -> None:
    source = _write(tmp_path / "notes.txt", "không phải ảnh".encode())
    with pytest.raises(OcrInputError) as error:
        ocr.plan_pages(str(source), "text/plain", out_dir=str(tmp_path))
    assert error.value.code == "unsupported_type"


MEDIA_TYPES = {".pdf": "application/pdf", ".png": "image/png"}


@pytest.mark.slow
def test_every_corpus_file_ends_as_pages_or_a_clear_error(corpus_dir: Path,
                                                          tmp_path: Path) -> None:
    files = sorted(p for p in corpus_dir.iterdir() if p.suffix in MEDIA_TYPES)
    assert files
    errors: dict[Path, OcrInputError] = {}
    jobs: list[ocr.PageJob] = []
    for path in files:
        try:
            # Two pages per file keep the run short; every page goes the same way.
            out_dir = tmp_path / path.name
            out_dir.mkdir()
            jobs += ocr.plan_pages(str(path), MEDIA_TYPES[path.suffix],
                                   out_dir=str(out_dir))[:2]
        except OcrInputError as error:
            errors[path] = error
    pages: dict[Path, list[ocr.PageResult]] = {}
    with ProcessPoolExecutor(max_workers=2) as pool:
        for job, result in zip(jobs, pool.map(ocr.run_page, jobs), strict=True):
            pages.setdefault(Path(job.source_path), []).append(result)
    assert set(errors) | set(pages) == set(files)
    for path, refused in errors.items():
        assert refused.code in {"pdf_corrupt", "pdf_encrypted", "image_too_large",
                                "image_corrupt", "unsupported_type", "empty_document"}
        assert refused.message, path.name
    for path, results in pages.items():
        pdf = ocr.assemble_pdf(results, title=path.name)
        with pikepdf.open(io.BytesIO(pdf)) as out:
            assert len(out.pages) == len(results), path.name
    assert errors[corpus_dir / "invalid.pdf"].code == "pdf_corrupt"
    assert pages[corpus_dir / "graph_ocred.pdf"][0].had_text
    assert pages[corpus_dir / "trivial.pdf"][0].blank
