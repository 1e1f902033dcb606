"""Exit codes and the checks made before any work: what a batch needs is missing or
unreachable → one Vietnamese message, the right exit code, nothing stored, no traceback
(instead of every file failing one by one after its OCR)."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Iterator
from multiprocessing import forkserver
from pathlib import Path

import pytest

from cli.main import main
from records.errors import ExitCode
from tests.support.ocr import render_page, save_image

SMALL_DPI = 150


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    folder = tmp_path / "batch"
    folder.mkdir()
    save_image(render_page(dpi=SMALL_DPI), folder / "a.png", dpi=SMALL_DPI)
    return folder


def _nothing_stored(env: dict[str, str]) -> bool:
    objects = Path(env["SOHOA_DATA"]) / "objects"
    return not objects.exists() or not any(
        p.is_file() for p in objects.rglob("*") if ".sohoa" not in p.parts
    )


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def forkserver_restarted() -> Iterator[None]:
    """The batch's pool starts multiprocessing's forkserver, once per process, with the
    environment of that moment: started under this test's empty PATH, it would give
    every later test's workers no pdftotext or tesseract. Stopped after the test (a
    private call: only a test changes PATH under a running process), the next pool
    starts it again with the PATH restored."""
    yield
    # Private and left out of typeshed's ForkServer stub, hence the ignore.
    forkserver._forkserver._stop()  # type: ignore[attr-defined]


@pytest.mark.usefixtures("forkserver_restarted")
def test_tesseract_missing_stops_the_batch_with_one_message(
    sohoa_env: dict[str, str], batch: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))

    assert main(["ingest", str(batch), "--json"]) == ExitCode.MISSING_DEPENDENCY == 3

    captured = capsys.readouterr()
    assert "Chưa cài chương trình nhận dạng chữ tesseract" in captured.err
    assert "Traceback" not in captured.err and "FileNotFoundError" not in captured.err
    assert captured.out == ""  # not one failed file per line: no file was tried
    assert _nothing_stored(sohoa_env)


def test_a_language_not_installed_stops_the_batch_before_any_file(
    sohoa_env: dict[str, str], batch: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SOHOA_OCR_LANGUAGES", "vie+xyz")

    assert main(["ingest", str(batch), "--json"]) == ExitCode.MISSING_DEPENDENCY

    captured = capsys.readouterr()
    assert "Tesseract chưa có ngôn ngữ xyz" in captured.err
    assert "vie," not in captured.err.split("yêu cầu")[0]  # only the missing one is named
    assert captured.out == ""
    assert _nothing_stored(sohoa_env)


def test_installed_languages_pass(sohoa_env: dict[str, str]) -> None:
    from application.preflight import check_ocr, installed_languages

    assert "vie" in installed_languages()
    check_ocr("vie")  # no error


def test_an_unreachable_index_is_named_with_its_own_exit_code(
    sohoa_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}/sohoa"
    monkeypatch.setenv("SOHOA_INDEX_URL", url)

    assert main(["search", "Nguyễn"]) == ExitCode.UNAVAILABLE == 4

    err = capsys.readouterr().err
    assert f"Không kết nối được chỉ mục tìm kiếm ({url})" in err
    assert "Traceback" not in err


def test_an_unreachable_store_is_named_with_its_own_exit_code(
    sohoa_env: dict[str, str], batch: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = f"s3://127.0.0.1:{_closed_port()}/sohoa"
    monkeypatch.setenv("SOHOA_STORAGE_URL", url)
    monkeypatch.setenv("SOHOA_S3_SECURE", "false")
    monkeypatch.setenv("SOHOA_S3_ACCESS_KEY", "test")
    monkeypatch.setenv("SOHOA_S3_SECRET_KEY", "test-secret")
    monkeypatch.setenv("SOHOA_STORAGE_RETRY_SECONDS", "0")  # give up at once

    assert main(["ingest", str(batch), "--json"]) == ExitCode.UNAVAILABLE

    captured = capsys.readouterr()
    assert f"Không kết nối được kho lưu trữ ({url})" in captured.err
    assert "test-secret" not in captured.err
    assert captured.out == ""


def test_a_worker_without_its_language_refuses_to_start(
    sohoa_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Checked before the broker is even contacted (nothing listens on this one)."""
    monkeypatch.setenv("SOHOA_BROKER_URL", f"redis://127.0.0.1:{_closed_port()}/0")
    monkeypatch.setenv("SOHOA_OCR_LANGUAGES", "xyz")

    assert main(["worker"]) == ExitCode.MISSING_DEPENDENCY
    assert "Tesseract chưa có ngôn ngữ xyz" in capsys.readouterr().err


def test_usage_errors_exit_2_as_documented(
    sohoa_env: dict[str, str], capsys: pytest.CaptureFixture[str],
) -> None:
    # It exited 1 (SystemExit with a message) where the docs say 2.
    assert main(["review", "0" * 24, "--set", "issued_on"]) == ExitCode.USAGE == 2
    assert "--set cần dạng TRƯỜNG=GIÁ_TRỊ" in capsys.readouterr().err
    assert main(["reuse", "--procedure", "1.000894"]) == ExitCode.USAGE
    assert "Cần --subject" in capsys.readouterr().err
    assert main(["batch", "0" * 16]) == ExitCode.USAGE  # no broker configured
    assert main(["ingest", "/no/such/folder"]) == ExitCode.USAGE


def test_bad_configuration_exits_2(
    sohoa_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("SOHOA_WORKERS", "many")
    assert main(["search", "x"]) == ExitCode.USAGE
    assert "Cấu hình không hợp lệ" in capsys.readouterr().err
    monkeypatch.setenv("SOHOA_WORKERS", "1")
    monkeypatch.setenv("SOHOA_INDEX_URL", "ftp://nowhere/index")
    assert main(["search", "x"]) == ExitCode.USAGE
    assert "SOHOA_INDEX_URL" in capsys.readouterr().err


def test_a_bug_exits_15_with_a_vietnamese_line_last(
    sohoa_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import application.operations

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(application.operations, "find_record", broken)
    assert main(["show", "0" * 24]) == ExitCode.INTERNAL == 15
    err = capsys.readouterr().err
    assert err.rstrip().splitlines()[-1].startswith("Lỗi hệ thống không lường trước")


def test_the_console_command_reports_a_missing_tesseract_without_traceback(
    sohoa_env: dict[str, str], batch: Path, tmp_path: Path,
) -> None:
    """The real process: logs in English, the message in Vietnamese, exit 3."""
    import os

    env = {**os.environ, "PATH": str(tmp_path), "PYTHONPATH": str(Path(__file__).parents[2])}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "ingest", str(batch)],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )
    assert done.returncode == 3, done.stderr
    assert "Traceback" not in done.stderr
    assert "tesseract cannot be run" in done.stderr  # the log line, English
    assert done.stderr.rstrip().splitlines()[-1].startswith("Chưa cài chương trình")


def test_an_uploaded_batch_without_its_language_fails_each_file_with_one_reason(
    sohoa_env: dict[str, str], batch: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The HTTP side: the batch is not started, and its progress says why."""
    from api.batches import BatchRunner, BatchState, FileProgress, MemoryBatches
    from application import Settings

    monkeypatch.setenv("SOHOA_OCR_LANGUAGES", "xyz")
    tracker = MemoryBatches()
    runner = BatchRunner(Settings.from_env(), tracker)
    state = BatchState(id="b" * 16, agency="ubnd-phuong-test", actor="test",
                       files=[FileProgress(filename="a.png", accepted=True, status="pending")])
    runner.submit(state, batch, [batch / "a.png"])
    runner.shutdown()

    done = tracker.get(state.id)
    assert done is not None and done.status == "failed"
    assert [(f.status, f.code) for f in done.files] == [("failed", "dependency_unavailable")]
    assert "Tesseract chưa có ngôn ngữ xyz" in (done.files[0].message or "")
    objects = Path(sohoa_env["SOHOA_DATA"]) / "objects"
    stored = [p.relative_to(objects).parts for p in objects.rglob("*") if p.is_file()
              and ".sohoa" not in p.parts]
    assert all("batches" in parts for parts in stored)  # the batch's report, no record


def test_an_unreachable_broker_stops_a_distributed_batch_before_staging(
    sohoa_env: dict[str, str], batch: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    port = _closed_port()
    monkeypatch.setenv("SOHOA_BROKER_URL", f"redis://:hunter2@127.0.0.1:{port}/0")

    assert main(["ingest", str(batch)]) == ExitCode.UNAVAILABLE

    err = capsys.readouterr().err
    assert f"Không kết nối được hàng đợi (redis://***@127.0.0.1:{port}/0)" in err
    assert "hunter2" not in err
    assert _nothing_stored(sohoa_env)  # no original staged for a batch nobody will run
