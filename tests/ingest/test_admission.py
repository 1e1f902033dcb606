"""One admission stage for every way a file comes in: the CLI batch, Celery, uploads.

It was written three times with different messages, and only the distributed driver
renamed repeated names."""

from __future__ import annotations

import hashlib
import io
import os
import socket
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.service import Part, _save_part
from application import Runtime, Settings
from ingest import Admission, InputFile
from ingest.outcome import FileOutcome as Outcome
from ingest.pipeline import Received
from ingest.workfolder import WorkFolder
from tests.support.ocr import render_page, save_image

MAX = 200_000


@pytest.fixture
def runtime(sohoa_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[Runtime]:
    monkeypatch.setenv("SOHOA_MAX_UPLOAD_BYTES", str(MAX))
    rt = Runtime.open(Settings.from_env())
    yield rt
    rt.close()


@pytest.fixture
def work(tmp_path: Path) -> Iterator[WorkFolder]:
    with WorkFolder(tmp_path) as folder:
        yield folder


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
    runtime: Runtime, scans: Path, work: WorkFolder
) -> None:
    admission = Admission(runtime, runtime.settings.agency, work)
    first = admission.admit(InputFile(scans / "s1" / "a.png"))
    second = admission.admit(InputFile(scans / "s2" / "a.png"))
    again = admission.admit(InputFile(scans / "s1" / "a.png"))

    assert isinstance(first, Received) and first.source.filename == "a.png"
    assert isinstance(second, Received) and second.source.filename == "a (2).png"
    assert _outcome(again) == ("a (3).png", "skipped", "duplicate_in_batch")
    assert first.record_id != second.record_id


def test_refusals_name_the_file_and_why(runtime: Runtime, tmp_path: Path,
                                        work: WorkFolder) -> None:
    (tmp_path / "empty.pdf").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"just text, not a scan")
    (tmp_path / "big.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * MAX)
    admission = Admission(runtime, runtime.settings.agency, work)

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
    runtime: Runtime, tmp_path: Path, work: WorkFolder
) -> None:
    data = b"%PDF-1.7\n" + b"0" * MAX
    (tmp_path / "big.pdf").write_bytes(data)
    admission = Admission(runtime, runtime.settings.agency, work)
    on_disk = admission.admit(InputFile(tmp_path / "big.pdf"))
    uploaded = _save_part(Part("big.pdf", io.BytesIO(data)), tmp_path / "up" / "big.pdf", MAX)

    assert isinstance(on_disk, Outcome)
    assert (uploaded.code, f"{uploaded.code}: {uploaded.message}") == (on_disk.code,
                                                                       on_disk.reason)
    assert not uploaded.accepted and not (tmp_path / "up" / "big.pdf").exists()


def test_an_already_stored_document_is_skipped(runtime: Runtime, scans: Path,
                                              work: WorkFolder) -> None:
    from ingest import run_batch

    done = run_batch([InputFile(scans / "s1" / "a.png")], runtime)
    assert [o.status for o in done] == ["ingested"]
    admission = Admission(runtime, runtime.settings.agency, work)
    admitted = admission.admit(InputFile(scans / "s1" / "a.png"))
    assert _outcome(admitted) == ("a.png", "skipped", "already_stored")


def test_an_admitted_file_is_read_from_its_own_copy(runtime: Runtime, scans: Path,
                                                   work: WorkFolder) -> None:
    """Admission copies the file into the document's work folder while hashing it:
    what is read, archived and stored later is the copy, whatever becomes of the file;
    a file not admitted leaves no folder behind."""
    original = scans / "s1" / "a.png"
    as_received = original.read_bytes()
    admission = Admission(runtime, runtime.settings.agency, work)
    admitted = admission.admit(InputFile(original))
    original.write_bytes(b"overwritten while the batch runs")
    again = admission.admit(InputFile(scans / "s2" / "a.png"))
    (scans / "empty.png").write_bytes(b"")
    refused = admission.admit(InputFile(scans / "empty.png"))

    assert isinstance(admitted, Received) and isinstance(again, Received)
    assert admitted.path.parent == admitted.work and admitted.work.parent == work.root
    assert admitted.path.read_bytes() == as_received
    assert hashlib.sha256(as_received).hexdigest() == admitted.source.sha256
    assert _outcome(refused) == ("empty.png", "failed", "empty_file")
    assert sorted(p.name for p in work.root.iterdir()) == [admitted.work.name,
                                                            again.work.name]


def test_a_batch_leaves_no_work_folder_behind(runtime: Runtime, scans: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    (scans / "s1" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    seen: list[list[str]] = []

    def during(_outcome: Outcome) -> None:
        seen.append(sorted(p.name for p in temporary.iterdir()))

    from ingest import run_batch

    done = run_batch([InputFile(scans / "s1" / "a.png"), InputFile(scans / "s1" / "broken.png"),
                      InputFile(scans / "s2" / "a.png")], runtime, on_outcome=during)

    assert sorted(o.status for o in done) == ["failed", "ingested", "ingested"]
    # The batch's folder existed while it ran; nothing of it is left.
    assert seen and all(len(names) == 1 and names[0].startswith("sohoa-work-")
                        for names in seen)
    assert list(temporary.iterdir()) == []


def test_the_work_folders_of_a_killed_driver_are_swept(tmp_path: Path) -> None:
    """A driver killed mid-batch leaves citizens' papers in its work folder: the next
    batch made beside it removes the folders whose process is gone, and only those."""
    host = socket.gethostname()
    dead = tmp_path / f"sohoa-work-{host}.999999999.abc"  # beyond any pid Linux hands out
    (dead / "000001").mkdir(parents=True)
    (dead / "000001" / "source.pdf").write_bytes(b"%PDF-1.7 a citizen's paper")
    living = tmp_path / f"sohoa-work-{host}.{os.getpid()}.xyz"
    elsewhere = tmp_path / "sohoa-work-other-host.999999999.abc"  # not ours to judge
    unrelated = tmp_path / "sohoa-work-notes"
    for folder in (living, elsewhere, unrelated):
        folder.mkdir()

    with WorkFolder(tmp_path) as work:
        assert work.root.name.startswith(f"sohoa-work-{host}.{os.getpid()}.")
        assert not dead.exists()
        assert living.is_dir() and elsewhere.is_dir() and unrelated.is_dir()
    assert not work.root.exists()
