"""The hot folder's rules without digitizing: names taken or left, subfolder keys,
settling, the journal read back after a torn write."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from watch import Entry, Event, Journal, Seen, Settle, folder_values, ignored, scan
from watch.folder import FolderKeyError, unique_destination


@pytest.mark.parametrize("name", [
    "scan.pdf.part", "scan.pdf~", "scan.tmp", ".hidden.pdf", "~$lock.pdf", "manifest.csv",
    "a.pdf.crdownload", "SCAN.PDF.PART",
])
def test_names_being_written_hidden_or_not_scans_are_left(name: str) -> None:
    assert ignored(name)


@pytest.mark.parametrize("name", ["scan.pdf", "Giấy khai sinh 01.tif", "a.b.jpg"])
def test_scans_are_taken(name: str) -> None:
    assert not ignored(name)


def test_scan_skips_dot_folders_and_partial_names(tmp_path: Path) -> None:
    for relative in ("a.pdf", "hop=1/b.pdf", ".done/c.pdf", ".failed/d.pdf", "e.pdf.part"):
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_bytes(b"x")
    assert [s.relative for s in scan(tmp_path)] == ["a.pdf", "hop=1/b.pdf"]


def test_subfolders_give_agency_and_archive_location() -> None:
    values = folder_values("coquan=ubnd-phuong-1/Kho=K1/giá=G2/Hộp=H-12/cặp=3/đợt 1/x.pdf")
    assert values == {"agency": "ubnd-phuong-1", "archive_store": "K1", "archive_shelf": "G2",
                      "archive_box": "H-12", "archive_file": "3"}
    assert folder_values("x.pdf") == {}
    assert folder_values("hop=1/hop=2/x.pdf") == {"archive_box": "2"}  # the deepest wins


@pytest.mark.parametrize("relative", ["hpo=12/x.pdf", "hop=/x.pdf"])
def test_a_mistyped_folder_key_is_refused_not_ignored(relative: str) -> None:
    with pytest.raises(FolderKeyError) as caught:
        folder_values(relative)
    assert "Thư mục" in caught.value.message


def test_a_file_settles_only_after_it_stops_changing(tmp_path: Path) -> None:
    now = [100.0]
    settle = Settle(2.0, clock=lambda: now[0])
    path = tmp_path / "a.pdf"
    path.write_bytes(b"1")
    old = time.time_ns() - 10 * 10**9
    os.utime(path, ns=(old, old))
    assert settle.poll(list(scan(tmp_path))) == []  # first sight
    now[0] += 1.0
    assert settle.poll(list(scan(tmp_path))) == []  # unchanged, but not for 2 s yet
    with path.open("ab") as fh:  # written to again: the clock starts over
        fh.write(b"2")
    os.utime(path, ns=(old, old + 1))
    now[0] += 1.5
    assert settle.poll(list(scan(tmp_path))) == []
    now[0] += 1.5
    assert settle.poll(list(scan(tmp_path))) == []
    now[0] += 1.0
    assert [s.relative for s in settle.poll(list(scan(tmp_path)))] == ["a.pdf"]


def test_a_freshly_modified_file_waits_even_when_polls_are_far_apart(tmp_path: Path) -> None:
    now = [0.0]
    settle = Settle(30.0, clock=lambda: now[0])
    (tmp_path / "a.pdf").write_bytes(b"1")  # mtime: just now
    settle.poll(list(scan(tmp_path)))
    now[0] += 60.0  # our clock says long enough, the file's own mtime says not
    assert settle.poll(list(scan(tmp_path))) == []


def test_journal_survives_a_torn_last_line(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    seen = Seen("a.pdf", 3, 7)
    journal.write(Entry(Event.TAKEN, seen.key, seen.relative, "ab" * 32))
    journal.write(Entry(Event.FINISHED, seen.key, seen.relative, "ab" * 32, status="ingested",
                        record_id="r1"))
    journal.close()
    with path.open("a", encoding="utf-8") as fh:
        fh.write('{"event": "taken", "key": "b.pd')  # the process died here
    again = Journal(path)
    finished = again.finished(seen.key)
    assert finished is not None and finished.record_id == "r1" and finished.at
    assert again.finished(Seen("a.pdf", 4, 7).key) is None  # same name, other content
    again.close()


def test_a_second_drop_of_a_name_does_not_overwrite_the_first(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(b"1")
    assert unique_destination(tmp_path / "a.pdf").name == "a (2).pdf"
    assert unique_destination(tmp_path / "b.pdf").name == "b.pdf"


def test_journal_compaction_keeps_only_what_is_still_pending(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    journal = Journal(path)
    gone, pending = Seen("gone.pdf", 1, 1), Seen("still.pdf", 2, 2)
    for seen in (gone, pending):
        journal.write(Entry(Event.TAKEN, seen.key, seen.relative, "ab" * 32))
    journal.write(Entry(Event.FINISHED, gone.key, gone.relative, "ab" * 32, status="ingested"))
    assert journal.compact(lambda e: e.relative == "still.pdf") == 1
    journal.write(Entry(Event.FINISHED, pending.key, pending.relative, "ab" * 32,
                        status="failed"))
    journal.close()
    again = Journal(path)
    assert set(again.latest) == {pending.key}
    assert again.finished(pending.key) is not None
    assert len(path.read_text(encoding="utf-8").splitlines()) == 2
    again.close()
