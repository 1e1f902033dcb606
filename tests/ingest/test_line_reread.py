"""The compose stage reads again, on the received file, the header lines extraction doubts
(``extract.reread`` deciding, ``ocr.reread`` reading), and only those."""

from __future__ import annotations

from pathlib import Path

import pytest

import ingest.pipeline as pipeline
from evalset.generate import doc_seed, make_document
from ingest.pipeline import compose, receive
from ocr import PageResult, plan_pages, run_page
from ocr.pipeline import engine_name
from ocr.reread import LineReading, LineRequest, PageGeometry, Preparation
from records import ReviewReason, Status


@pytest.fixture(scope="module")
def permit(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, list[PageResult]]:
    """Fresh draw 7919's e0000, generated: a marital status certificate (300 dpi colour
    JPEG) whose "Số: 311/UBND-TP" the page reading gives at 43, and nothing else doubted."""
    folder = tmp_path_factory.mktemp("reread")
    truth = make_document(folder, "e0000", doc_seed(7919, 0), "jpeg",
                          "marital_status_certificate", "test")
    path = folder / truth.file
    pages = [run_page(job) for job in plan_pages(str(path), "image/jpeg", out_dir=str(folder))]
    return path, truth.document_number or "", pages


@pytest.mark.slow
def test_a_weak_number_read_alike_on_the_file_makes_the_record_ready(
        permit: tuple[Path, str, list[PageResult]], tmp_path: Path) -> None:
    path, number, pages = permit
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie").record
    assert record.document_number == number
    assert ReviewReason("low_confidence", "document_number") not in record.review.reasons
    assert record.status == Status.READY


def test_the_second_reading_gets_the_received_file_and_the_pages_geometry(
        permit: tuple[Path, str, list[PageResult]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    path, _, pages = permit
    calls: list[tuple[Path, str, list[PageGeometry], list[LineRequest]]] = []
    models: list[object] = []

    def fake(source: Path, media_type: str, geometries: list[PageGeometry],
             requests: list[LineRequest], **kwargs: object) -> list[LineReading]:
        calls.append((source, media_type, geometries, requests))
        models.append(kwargs.get("line_model"))
        return [LineReading(r, ()) for r in requests]

    monkeypatch.setattr(pipeline, "read_lines", fake)
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie").record
    (source, media_type, geometries, requests), *rounds = calls
    assert source == received.path and media_type == "image/jpeg"
    assert geometries == [PageGeometry.of(p) for p in pages]
    assert len(requests) == 1  # the "Số:" line alone
    # Left in doubt by the plain reading: the same line's value, after its "Số:", asked
    # of the line model (``extract.reread.value_span``), which ingest hands over
    # (asterocr's, when the extra is installed).
    ((model,),) = [asked for *_, asked in rounds]
    plain = requests[0].box
    assert model.preparation is Preparation.MODEL
    assert (model.box[1], model.box[2], model.box[3]) == (plain[1], plain[2], plain[3])
    assert plain[0] < model.box[0]
    assert all(callable(m) for m in models) or all(m is None for m in models)
    # Nothing read the second time: the first reading's doubt stands.
    assert ReviewReason("low_confidence", "document_number") in record.review.reasons


def test_the_line_model_reads_again_only_when_turned_on(
        permit: tuple[Path, str, list[PageResult]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``SOHOA_LINE_MODEL`` (``Settings.line_model``, off by default): off, tesseract's
    readings only, the model never loaded, whether the extra is installed or not."""
    from application.settings import Settings

    path, _, pages = permit
    models: list[object] = []

    def fake(source: Path, media_type: str, geometries: list[PageGeometry],
             requests: list[LineRequest], **kwargs: object) -> list[LineReading]:
        models.append(kwargs.get("line_model"))
        return [LineReading(r, ()) for r in requests]

    monkeypatch.setattr(pipeline, "read_lines", fake)
    monkeypatch.setattr("extract.reread.line_model", lambda: (lambda image: []))
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    assert Settings.from_env({}).line_model is False
    assert Settings.from_env({"SOHOA_LINE_MODEL": "on"}).line_model is True
    compose(received, pages, engine=engine_name(), languages="vie")
    assert models and all(m is None for m in models)
    models.clear()
    compose(received, pages, engine=engine_name(), languages="vie", line_model=True)
    assert models and all(callable(m) for m in models)


def test_a_second_reading_that_fails_leaves_the_first_reading_and_says_so(
        permit: tuple[Path, str, list[PageResult]], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # One failing step must never fail the document (issue 13): a render or a tesseract
    # run that breaks during the second reading leaves the record as the first reading
    # made it, doubts included, with the failure in its stages.
    path, _, pages = permit

    def broken(*args: object, **kwargs: object) -> list[LineReading]:
        raise RuntimeError("tesseract failed (1): simulated")

    monkeypatch.setattr(pipeline, "read_lines", broken)
    received = receive(path, work=tmp_path / "work", agency="UBND", max_bytes=50_000_000)
    record = compose(received, pages, engine=engine_name(), languages="vie").record
    assert ReviewReason("low_confidence", "document_number") in record.review.reasons
    assert record.status == Status.NEEDS_REVIEW
    (event,) = [e for e in record.stages if e.stage == "reread"]
    assert "simulated" in event.detail["failed"]
