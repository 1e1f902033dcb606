"""The ``sohoa`` command as a person meets it: Vietnamese words for codes, records to
review named after a batch, unknown ids said plainly, and every command over a pipe
whose reader has gone (``| head -1``) ending without a traceback."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from api.labels import path_label, reason_vi, verify_note_vi
from application import Runtime, Settings
from cli.args import VietnameseParser
from cli.main import Progress, Tally, format_record, format_verification, main
from ingest.outcome import FileOutcome
from records import ReviewReason, Status
from records.vntime import parse_person_date
from signing import VerificationReport
from tests.api.conftest import AN, MARITAL, Seeded
from tests.api.live import ROOT, LiveServer
from tests.support.reuse import make_record

# Words of English or raw codes that once reached a person (issue 18).
ENGLISH = ("birth_certificate", "needs_review", "missing:", "id_not_cmnd", "registered_on",
           "unreadable", "signed bytes", "revocation", "DEVELOPMENT ONLY", "usage:",
           "positional arguments", "options:", "error:", "Traceback")


def test_review_reasons_and_paths_are_vietnamese() -> None:
    assert reason_vi("missing:subjects") == "Người được cấp: không đọc được"
    assert reason_vi("id_not_cmnd:subjects[0].id_number").startswith(
        "Số định danh (người 1): nhãn ghi CCCD")
    assert reason_vi("doc_type_unsure") == "Không chắc loại giấy tờ"
    assert path_label("fields.registered_on") == "Ngày đăng ký"
    note = "Signature1: signed bytes were changed: the document digest does not match"
    assert verify_note_vi(note) == "Signature1: nội dung đã ký bị thay đổi: mã băm không khớp"
    assert "PHÁT TRIỂN" in verify_note_vi("signed with a DEVELOPMENT ONLY identity")


def test_dates_typed_by_a_person_take_both_forms() -> None:
    assert parse_person_date("04/09/1954").isoformat() == "1954-09-04"
    assert parse_person_date("4.9.1954").isoformat() == "1954-09-04"
    assert parse_person_date("1954-09-04").isoformat() == "1954-09-04"
    with pytest.raises(ValueError, match="dd/mm/yyyy"):
        parse_person_date("31/02/1954")


def test_summary_names_the_records_to_review_and_the_next_command() -> None:
    waiting = make_record("birth_certificate", [], issued_on="2011-12-02",
                          status=Status.NEEDS_REVIEW, seed="tally-review")
    waiting.review.reasons = [ReviewReason("missing", "subjects")]
    tally = Tally(False, Progress(None, enabled=False))  # a disabled bar prints nothing
    tally.add(FileOutcome.ingested("a.png", waiting, pages=1))
    tally.add(FileOutcome.failed("thumbs.db", "unsupported_type", "không phải ảnh quét"))
    summary = tally.summary()
    assert "cần rà soát: 1" in summary
    assert waiting.id in summary and "sohoa review" in summary
    assert "Người được cấp: không đọc được" in summary
    assert "thumbs.db: không phải ảnh quét" in summary


def test_record_and_verification_print_no_raw_code() -> None:
    record = make_record("birth_certificate", [AN], issued_on="2011-12-02",
                         status=Status.NEEDS_REVIEW, seed="format-review")
    record.review.reasons = [ReviewReason("id_not_cmnd", "subjects[0].id_number")]
    text = format_record(record)
    assert "Giấy khai sinh" in text and "Cần rà soát" in text and "02/12/2011" in text
    assert "sohoa review" in text
    report = VerificationReport(valid=False, unsigned=True, reasons=["not signed"],
                                signatures=[])
    for shown in (text, format_verification(report)):
        assert not [w for w in ENGLISH if w in shown], shown


def test_argparse_speaks_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    parser = VietnameseParser(prog="sohoa")
    parser.add_argument("id", metavar="MÃ")
    parser.add_argument("--birth-date")
    parser.print_help()
    with pytest.raises(SystemExit):
        parser.parse_args([])
    out = capsys.readouterr()
    assert "Cách dùng:" in out.out and "tùy chọn" in out.out and "--birth-date NGÀY" in out.out
    assert "thiếu đối số bắt buộc: MÃ" in out.err
    assert not [w for w in ENGLISH if w in out.out + out.err]


# --- every command over a pipe --------------------------------------------------------


def _commands(seeded: Seeded, tmp: Path) -> list[list[str]]:
    thumbs = tmp / "thumbs.db"
    thumbs.write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 60)
    assert AN.id_number is not None  # the seeded citizen holds an ID card: reuse by number
    return [
        ["--help"], ["search", "--help"],
        ["show", seeded.a_private.id], ["show", "nonexistent123"],
        ["search", ""], ["search", "binh", "--json"],
        ["verify", seeded.a_private.id], ["verify", "nonexistent123"],
        ["review"], ["review", "nonexistent123", "--approve"],
        ["reuse", "--subject", AN.id_number, "--procedure", MARITAL],
        ["reuse", "--name", AN.name, "--birth-date", "01/05/1990", "--procedure", MARITAL],
        ["fixity", "--agency", "ubnd-a"], ["reindex", "--repair"],
        ["export", str(tmp / "bag"), "--agency", "ubnd-a"],
        ["audit", "verify"], ["token", "list"],
        ["ingest", str(thumbs)],
        ["delete", "nonexistent123", "--actor", "a", "--reason", "b"],
        ["batch", "x"], ["retry", "x"],
    ]


def _run(argv: list[str], env: dict[str, str], stdout: int) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "cli.main", *argv], stdout=stdout,
                          stderr=subprocess.PIPE, env=env, cwd=ROOT, timeout=120, check=False)


@pytest.mark.slow
def test_every_command_ends_quietly_when_the_pipe_closes(
    live: LiveServer, seeded: Seeded, tmp_path: Path
) -> None:
    env = {**live.env, "PYTHONPATH": str(ROOT)}
    # Its own record waiting for review: the module's shared one may have been approved
    # by an earlier test of the session.
    waiting = make_record("birth_certificate", [AN], issued_on="2011-12-02", agency="ubnd-a",
                          status=Status.NEEDS_REVIEW, seed="pipe-review")
    waiting.review.reasons = [ReviewReason("low_confidence", "issued_on")]
    live.seed(waiting)
    for argv in _commands(seeded, tmp_path):
        # A pipe whose reader has already gone: the write fails at once, every time,
        # as it does after `head -1` has read its line and exited.
        read, write = os.pipe()
        os.close(read)
        try:
            closed = _run(argv, env, write)
        finally:
            os.close(write)
        err = closed.stderr.decode()
        assert "Traceback" not in err and "BrokenPipe" not in err, (argv, err)
        assert closed.returncode in (0, 1, 2, 4), (argv, closed.returncode, err)
        assert not [w for w in ENGLISH if w in err], (argv, err)
        if "nonexistent123" in argv:
            assert "Không tìm thấy hồ sơ nonexistent123" in err, (argv, err)
    # And through a real `| head -1`, for commands printing many lines: the first line.
    for argv, first in ((["--help"], "Cách dùng: sohoa"),
                        (["show", seeded.a_review.id], "Mã hồ sơ số"),
                        # The queue's first line is a record (oldest first), not the count.
                        (["review"], "- ")):
        piped = subprocess.run(
            f"{shlex.quote(sys.executable)} -m cli.main {shlex.join(argv)} | head -1",
            shell=True, capture_output=True, env=env, cwd=ROOT, timeout=120, check=False,
        )
        assert piped.stdout.decode().startswith(first), (argv, piped.stdout)
        assert piped.stderr == b"", (argv, piped.stderr)


def test_the_review_list_names_each_file(sohoa_env: dict[str, str],
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Each waiting record's line names its scanned file (the queue's JSON keeps it in
    ``source.filename``, where the list once looked for a ``filename`` it never had)."""
    waiting = make_record("birth_certificate", [AN], issued_on="2011-12-02",
                          status=Status.NEEDS_REVIEW, seed="list-review")
    waiting.review.reasons = [ReviewReason("missing", "subjects")]
    runtime = Runtime.open(Settings.from_env())
    try:
        runtime.index.upsert(waiting)
    finally:
        runtime.close()
    assert main(["review"]) == 0
    out = capsys.readouterr().out
    assert f"- {waiting.id}  Giấy khai sinh  list-review.tif: Người được cấp: không đọc được" in out
