"""Filesystem backend: crash safety, sidecars, URLs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage import IntegrityError, StorageError, lock_status, open_store
from storage.filestore import FileStore

REPO = Path(__file__).resolve().parents[2]

# Runs a real put in a child process and freezes it at a chosen point (first fsync =
# while the temporary file is being written; second rename = sidecar committed, data
# not yet), so the parent can SIGKILL it exactly there: a crash, not a simulation.
CHILD = """
import os, sys, time
from pathlib import Path
from storage.filestore import FileStore

root, key, stage, marker = sys.argv[1:5]
store = FileStore(Path(root))
real_replace = os.replace
renames = []

def freeze(*_args):
    Path(marker).write_text("frozen")
    time.sleep(600)

def replace(src, dst):
    renames.append(dst)
    if len(renames) == 2:
        freeze()
    return real_replace(src, dst)

if stage == "write":
    os.fsync = freeze
else:
    os.replace = replace
store.put(key, b"x" * 1_000_000)
"""


def _crash_during_put(root: Path, key: str, stage: str, tmp_path: Path) -> None:
    marker = tmp_path / f"frozen-{stage}"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(root), key, stage, str(marker)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert child.poll() is None, "child exited before reaching the crash point"
            assert time.monotonic() < deadline, "child never reached the crash point"
            time.sleep(0.01)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)


@pytest.mark.parametrize("stage", ["write", "commit"])
def test_crash_mid_put_leaves_nothing_visible(tmp_path: Path, stage: str) -> None:
    root = tmp_path / "objects"
    store = FileStore(root)
    store.put("a/records/r1/text.txt", b"already there")
    key = "a/records/r1/archival.pdf"
    _crash_during_put(root, key, stage, tmp_path)

    temps = list((root / ".sohoa" / "tmp").iterdir())
    assert temps, "the crash should have left a temporary file"
    reopened = FileStore(root)  # young temps may belong to a live writer: kept
    assert [i.key for i in reopened.list()] == ["a/records/r1/text.txt"]
    assert reopened.head(key) is None
    assert sorted(reopened.clean_temp(older_than=0)) == sorted(p.name for p in temps)
    assert list((root / ".sohoa" / "tmp").iterdir()) == []
    # The key is still free: the interrupted write can be done again, with any bytes.
    reopened.put(key, b"%PDF-1.7 retried")
    assert reopened.get(key) == b"%PDF-1.7 retried"


def test_stale_temp_cleaned_on_open(tmp_path: Path) -> None:
    root = tmp_path / "objects"
    FileStore(root)
    stale = root / ".sohoa" / "tmp" / "4242-deadbeef.tmp"
    stale.write_bytes(b"half a scan")
    old = time.time() - 2 * 3600
    os.utime(stale, (old, old))
    fresh = root / ".sohoa" / "tmp" / "4243-cafe.tmp"
    fresh.write_bytes(b"being written")
    store = FileStore(root)
    assert not stale.exists()
    assert fresh.exists()
    assert list(store.list()) == []


def test_sidecar_holds_checksum_and_missing_sidecar_is_integrity_error(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "objects")
    info = store.put("a/b/giấy tờ.pdf", b"%PDF", content_type="application/pdf")
    sidecar = tmp_path / "objects" / ".sohoa" / "meta" / "a" / "b" / "giấy tờ.pdf.json"
    assert json.loads(sidecar.read_text(encoding="utf-8"))["sha256"] == info.sha256
    sidecar.unlink()
    with pytest.raises(IntegrityError, match="no checksum"):
        store.get("a/b/giấy tờ.pdf")


def test_delete_prunes_empty_directories(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "objects")
    store.put("a/records/r1/text.txt", b"t")
    store.delete("a/records/r1/text.txt")
    assert not (tmp_path / "objects" / "a").exists()
    assert not (tmp_path / "objects" / ".sohoa" / "meta" / "a").exists()


def test_file_urls(tmp_path: Path) -> None:
    target = tmp_path / "kho lưu trữ"
    store = open_store(target.as_uri(), object_lock_days=30)
    assert isinstance(store, FileStore) and store.root == target
    assert not lock_status(store).active and lock_status(store).requested_days == 30
    for bad in ("file://otherhost/x", "ftp://x/y", "file:relative"):
        with pytest.raises(StorageError):
            open_store(bad)


def test_huge_directories_list_in_order_in_batches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import storage.filestore

    monkeypatch.setattr(storage.filestore, "_SORT_BATCH", 3)
    store = FileStore(tmp_path / "objects", fsync=False)
    keys = [f"a/records/r{n:02d}/text.txt" for n in range(20)] + ["a/records/r05-x", "a/z"]
    for key in reversed(keys):
        store.put(key, b"t")
    assert [i.key for i in store.list()] == sorted(keys)
    assert [i.key for i in store.list("a/records/r1")] == sorted(k for k in keys if "/r1" in k)


def test_objects_are_readable_by_the_service_account_only(tmp_path: Path) -> None:
    """Citizens' papers on a shared machine: no other local user may read them, whatever
    the umask the service was started with."""
    previous = os.umask(0o022)
    try:
        store = FileStore(tmp_path / "objects")
        store.put("ubnd-a/records/r1/original.png", b"scan of a birth certificate")
    finally:
        os.umask(previous)
    paths = [p for p in (tmp_path / "objects").rglob("*")]
    assert any(p.name == "original.png" for p in paths)
    exposed = {str(p.relative_to(tmp_path)): oct(p.stat().st_mode & 0o077)
               for p in [tmp_path / "objects", *paths] if p.stat().st_mode & 0o077}
    assert exposed == {}
