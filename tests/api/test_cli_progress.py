"""What `sohoa ingest` shows while it works, and that a folder's every file is
accounted for: ingested, skipped or reported with its reason."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from cli.main import Progress, main
from ingest.outcome import FileOutcome
from specimens import generate, render_page
from tests.support.reuse import make_record


def _wait_for(stream: io.StringIO, text: str, deadline_s: float = 10) -> str:
    deadline = time.monotonic() + deadline_s
    while text not in stream.getvalue():
        assert time.monotonic() < deadline, stream.getvalue()
        time.sleep(0.02)
    return stream.getvalue()


def test_without_a_terminal_one_line_per_file_and_a_periodic_summary() -> None:
    out = io.StringIO()
    progress = Progress(3, enabled=True, stream=out, summary_every=0.05)
    record = make_record("birth_certificate", [], issued_on="2011-12-02", seed="progress-a")
    progress.step(FileOutcome.ingested("a.png", record, pages=2))
    progress.step(FileOutcome.failed("thumbs.db", "unsupported_type", "Định dạng không được "
                                     "hỗ trợ"))
    shown = _wait_for(out, "Đang số hóa: 2/3 tệp xong, 2 trang")
    progress.close()
    lines = shown.splitlines()
    assert lines[0].startswith("[1/3] Đã số hóa a.png (2 trang) · ")
    assert "trang/phút · còn khoảng" in lines[0]
    assert lines[1].startswith("[2/3] Lỗi thumbs.db: Định dạng không được hỗ trợ")


def test_no_estimate_from_files_refused_in_a_blink() -> None:
    out = io.StringIO()
    progress = Progress(10, enabled=True, stream=out, summary_every=0)
    progress.step(FileOutcome.failed("Thumbs.db", "unsupported_type", "không hỗ trợ"))
    progress.close()
    assert out.getvalue().rstrip().endswith("còn —")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_a_live_bar_with_files_rate_and_time_left() -> None:
    out = _Terminal()
    progress = Progress(2, enabled=True, stream=out)
    record = make_record("birth_certificate", [], issued_on="2011-12-02", seed="progress-b")
    progress.step(FileOutcome.ingested("a.png", record, pages=3))
    shown = _wait_for(out, "1/2")
    progress.close()
    assert "trang/phút" in shown and "còn khoảng" in shown
    assert "\x1b[" in shown  # drawn in place, not line after line


@pytest.mark.slow
def test_every_file_in_a_folder_is_accounted_for(
    sohoa_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "lô"
    folder.mkdir()
    page = render_page(generate("birth_certificate", 5), dpi=150)
    page.save(folder / "scan.bmp", format="PNG", dpi=(150, 150))  # a PNG misnamed
    page.convert("RGB").save(folder / "khai-sinh", format="PDF", resolution=150)  # no suffix
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500)
    (folder / "ghi chú.txt").write_text("không phải giấy tờ", encoding="utf-8")
    (folder / "manifest.csv").write_text("filename,archive_box\nscan.bmp,H-1\n",
                                         encoding="utf-8")
    code = main(["ingest", str(folder), "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    by_name = {line["source"]["filename"]: line for line in lines}
    assert set(by_name) == {"scan.bmp", "khai-sinh", "Thumbs.db", "ghi chú.txt"}  # no manifest
    assert by_name["scan.bmp"]["location"]["box"] == "H-1"  # the manifest's archive box
    for name in ("scan.bmp", "khai-sinh"):
        assert by_name[name]["status"] in ("ready", "needs_review"), by_name[name]
    assert by_name["Thumbs.db"]["code"] == "unsupported_type"
    assert by_name["ghi chú.txt"]["status"] == "skipped"  # a note beside the scans
    assert by_name["ghi chú.txt"]["code"] == "not_a_scan"
    assert code == 1  # Thumbs.db failed, and the exit code says so
