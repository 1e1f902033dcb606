"""Inputs that once stopped a batch or damaged the archive: malformed image headers,
the same document twice at once, a file changed while it was being digitized."""

from __future__ import annotations

import hashlib
import io
import random
import shutil
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from application import Runtime, Settings
from application.operations import run_fixity
from ingest import discover, run_batch
from ingest.pipeline import (
    Composed,
    Received,
    commit_once,
    compose,
    flag_archive,
    plan,
    receive,
)
from ocr import OcrInputError, plan_pages, run_page
from ocr.pipeline import engine_name
from records import Record, Status
from tests.support.ocr import render_page, save_image
from tests.support.search import make_record

SMALL_DPI = 150


@pytest.fixture
def runtime(sohoa_env: dict[str, str]) -> Iterator[Runtime]:
    rt = Runtime.open(Settings.from_env())
    yield rt
    rt.close()


def _encoded(image: Image.Image, fmt: str) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt)
    return buffer.getvalue()


def _png_with_truncated_ihdr() -> bytes:
    """IHDR declaring 9 data bytes instead of 13: Pillow raises ValueError, which once
    escaped the batch loop and stopped every file after it."""
    png = bytearray(_encoded(Image.new("L", (64, 48), 255), "PNG"))
    png[8:12] = struct.pack(">I", 9)
    return bytes(png)


def _tiff_without_width() -> bytes:
    data = bytearray(_encoded(Image.new("L", (64, 48), 255), "TIFF"))
    # Rename tag 256 (ImageWidth) in the first directory to an unknown private tag.
    offset = struct.unpack("<I", data[4:8])[0]
    entries = struct.unpack("<H", data[offset:offset + 2])[0]
    for i in range(entries):
        at = offset + 2 + 12 * i
        if struct.unpack("<H", data[at:at + 2])[0] == 256:
            data[at:at + 2] = struct.pack("<H", 65000)
    return bytes(data)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_mangled_image_headers_only_ever_fail_as_bad_input(tmp_path: Path) -> None:
    """Byte flips in the header of each image type: planning either works or says the
    file is unusable; no other exception may escape into the batch."""
    rng = random.Random(20261123)
    page = Image.new("L", (64, 48), 255)
    seeds = {"image/png": _encoded(page, "PNG"), "image/jpeg": _encoded(page, "JPEG"),
             "image/tiff": _encoded(page, "TIFF")}
    target = tmp_path / "mangled"
    escaped: list[str] = []
    for _ in range(600):
        media_type = rng.choice(list(seeds))
        data = bytearray(seeds[media_type])
        for _ in range(rng.randint(1, 6)):
            data[rng.randrange(4, min(len(data), 300))] = rng.randrange(256)
        target.write_bytes(bytes(data))
        try:
            plan_pages(str(target), media_type, out_dir=str(tmp_path))
        except OcrInputError:
            pass
        except Exception as exc:
            escaped.append(f"{media_type}: {type(exc).__name__}: {exc}")
    assert escaped == []


@pytest.mark.slow
def test_malformed_files_fail_alone_and_a_repeat_is_digitized_once(
    runtime: Runtime, tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "ihdr-cut.png").write_bytes(_png_with_truncated_ihdr())
    (batch / "no-width.tif").write_bytes(_tiff_without_width())
    save_image(render_page(dpi=SMALL_DPI), batch / "a.png", dpi=SMALL_DPI)
    shutil.copy(batch / "a.png", batch / "b-same-as-a.png")

    outcomes = {o.filename: o for o in run_batch(discover([batch]), runtime)}

    assert {name: (o.status, o.code) for name, o in outcomes.items()} == {
        "ihdr-cut.png": ("failed", "image_corrupt"),
        "no-width.tif": ("failed", "image_corrupt"),
        "a.png": ("ingested", None),
        "b-same-as-a.png": ("skipped", "duplicate_in_batch"),
    }
    report = run_fixity(runtime)
    assert report["problems"] == [], report


def _composed_twice(runtime: Runtime, path: Path) -> tuple[Received, Composed, Composed]:
    settings = runtime.settings
    received = receive(path, work=path.parent / "work", agency=settings.agency,
                       max_bytes=settings.max_upload_bytes)
    pages = [run_page(job) for job in plan(received, languages=settings.languages,
                                           max_pixels=settings.max_pixels)]
    first, second = (compose(received, pages, engine=engine_name(),
                             languages=settings.languages) for _ in range(2))
    return received, first, second


@pytest.mark.slow
def test_two_attempts_at_once_commit_the_document_once(
    runtime: Runtime, tmp_path: Path
) -> None:
    """Two batches given the same scan at the same moment: one commits, the other finds
    the record under the lock and stops, and the committed objects stay whole."""
    path = save_image(render_page(dpi=SMALL_DPI), tmp_path / "scan.png", dpi=SMALL_DPI)
    received, first, second = _composed_twice(runtime, path)
    start = threading.Barrier(2)
    results: list[Record | None] = []

    def attempt(composed: Composed) -> None:
        start.wait()
        results.append(commit_once(
            received, composed, store=runtime.store, index=runtime.index,
            signer=runtime.signer(), lock=runtime.record_lock(received.record_id),
        ))

    threads = [threading.Thread(target=attempt, args=(c,)) for c in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r is None for r in results) == [False, True]
    assert run_fixity(runtime)["problems"] == []
    assert runtime.index.count() == 1


@pytest.mark.slow
def test_a_file_changed_after_it_was_received_is_stored_as_received(
    runtime: Runtime, tmp_path: Path
) -> None:
    """The record's checksum is what fixity, deduplication and release trust: whatever
    becomes of the file once received, the original stored is the very bytes hashed,
    read and archived (the private copy ``receive`` took)."""
    path = save_image(render_page(dpi=SMALL_DPI), tmp_path / "scan.png", dpi=SMALL_DPI)
    as_received = path.read_bytes()
    received, composed, _ = _composed_twice(runtime, path)
    path.write_bytes(as_received + b"appended later")

    record = commit_once(received, composed, store=runtime.store, index=runtime.index,
                         signer=runtime.signer(), lock=runtime.record_lock(received.record_id))

    assert record is not None and record.files.original is not None
    stored = runtime.store.get(record.files.original)
    assert stored == as_received
    assert hashlib.sha256(stored).hexdigest() == record.source.sha256 == received.source.sha256
    assert run_fixity(runtime)["problems"] == []


def _pdf(*, script: bool) -> bytes:
    pdf = pikepdf.new()
    pdf.add_blank_page()
    if script:
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                 JS=pikepdf.String("app.alert(1)"))
    buffer = io.BytesIO()
    pdf.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("kept_original", "is_pdfa", "script", "reason"), [
    (False, True, False, None),
    (False, False, False, "not_pdfa"),
    (True, False, False, None),  # a signed original kept as is: not PDF/A by design
    (True, False, True, "active_content"),  # ... but its scripts could not be removed
])
def test_what_the_agency_should_not_sign_unseen_goes_to_review(
    kept_original: bool, is_pdfa: bool, script: bool, reason: str | None
) -> None:
    record = make_record("r1")
    flag_archive(record, _pdf(script=script), kept_original=kept_original, is_pdfa=is_pdfa)
    assert record.review.reasons == ([reason] if reason else [])
    assert record.status == (Status.NEEDS_REVIEW if reason else Status.READY)


def test_a_key_that_cannot_sign_stops_the_batch_before_any_work(
    sohoa_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Not one failure per file after each was OCRed: one clear message, nothing done."""
    from cli.main import main

    batch = tmp_path / "batch"
    batch.mkdir()
    save_image(render_page(dpi=SMALL_DPI), batch / "a.png", dpi=SMALL_DPI)
    monkeypatch.setenv("SOHOA_SIGNING_PKCS12", str(tmp_path / "missing-key.p12"))

    assert main(["ingest", str(batch), "--json"]) == 2

    captured = capsys.readouterr()
    assert "Không ký số được" in captured.err and "missing-key.p12" in captured.err
    assert captured.out == ""
    objects = Path(sohoa_env["SOHOA_DATA"]) / "objects"
    assert not objects.exists() or not any(p.is_file() for p in objects.rglob("*")
                                           if ".sohoa" not in p.parts)
