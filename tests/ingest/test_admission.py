"""One admission stage for every way a file comes in: the CLI batch, Celery, uploads.

It was written three times with different messages, and only the distributed driver
renamed repeated names."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.service import Part, _save_part
from application import Runtime, Settings
from ingest import Admission, InputFile
from ingest.outcome import FileOutcome as Outcome
from ingest.pipeline import Received
from tests.support.ocr import render_page, save_image

MAX = 200_000


@pytest.fixture
def runtime(sohoa_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SOHOA_MAX_UPLOAD_BYTES", str(MAX))
    rt = Runtime.open(Settings.from_env())
    yield rt
    rt.close()


@pytest.fixture
def scans(tmp_path: Path) -> Path:
    for folder, seed in (("s1", 1), ("s2", 2)):
        (tmp_path / folder).mkdir()
        image = render_page(dpi=100)
        image.putpixel((seed, seed), 0)  # two different documents, one name
        save_image(image, tmp_path / folder / "a.png", dpi=100)
    return tmp_path


def _outcome(admitted: Received | Outcome) -> tuple[str, str, str | None]:
    assert isinstance(admitted, Outcome), admitted
    return admitted.filename, admitted.status, admitted.code


def test_repeated_names_are_told_apart_and_repeated_documents_skipped(
    runtime: Runtime, scans: Path
) -> None:
    admission = Admission(runtime, runtime.settings.agency)
    first = admission.admit(InputFile(scans / "s1" / "a.png"))
    second = admission.admit(InputFile(scans / "s2" / "a.png"))
    again = admission.admit(InputFile(scans / "s1" / "a.png"))

    assert isinstance(first, Received) and first.source.filename == "a.png"
    assert isinstance(second, Received) and second.source.filename == "a (2).png"
    assert _outcome(again) == ("a (3).png", "skipped", "duplicate_in_batch")
    assert first.record_id != second.record_id


def test_refusals_name_the_file_and_why(runtime: Runtime, tmp_path: Path) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"just text, not a scan")
    (tmp_path / "big.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * MAX)
    admission = Admission(runtime, runtime.settings.agency)

    assert _outcome(admission.admit(InputFile(tmp_path / "empty.pdf"))) == (
        "empty.pdf", "failed", "empty_file")
    assert _outcome(admission.admit(InputFile(tmp_path / "notes.pdf"))) == (
        "notes.pdf", "failed", "unsupported_type")
    big = admission.admit(InputFile(tmp_path / "big.pdf"))
    assert _outcome(big) == ("big.pdf", "failed", "file_too_large")
    assert isinstance(big, Outcome) and f"tối đa {MAX} byte" in (big.reason or "")
    gone = admission.admit(InputFile(tmp_path / "gone.png"))
    assert _outcome(gone) == ("gone.png", "failed", "unreadable")


def test_an_upload_is_refused_with_the_same_message_as_a_file_on_disk(
    runtime: Runtime, tmp_path: Path
) -> None:
    data = b"%PDF-1.7\n" + b"0" * MAX
    (tmp_path / "big.pdf").write_bytes(data)
    on_disk = Admission(runtime, runtime.settings.agency).admit(InputFile(tmp_path / "big.pdf"))
    uploaded = _save_part(Part("big.pdf", io.BytesIO(data)), tmp_path / "up" / "big.pdf", MAX)

    assert isinstance(on_disk, Outcome)
    assert (uploaded.code, f"{uploaded.code}: {uploaded.message}") == (on_disk.code,
                                                                       on_disk.reason)
    assert not uploaded.accepted and not (tmp_path / "up" / "big.pdf").exists()


def test_an_already_stored_document_is_skipped(runtime: Runtime, scans: Path) -> None:
    from ingest import run_batch

    done = run_batch([InputFile(scans / "s1" / "a.png")], runtime)
    assert [o.status for o in done] == ["ingested"]
    admitted = Admission(runtime, runtime.settings.agency).admit(InputFile(scans / "s1" / "a.png"))
    assert _outcome(admitted) == ("a.png", "skipped", "already_stored")
