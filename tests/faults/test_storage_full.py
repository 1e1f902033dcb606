"""A full disk, simulated where each layer writes (fast); the real one is in
``test_full_disk.py``. Each layer names it ``StorageFull``; the API answers 507
(503 for a sign-in), the CLI a Vietnamese sentence and exit 4, never a traceback."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.errors import install_handlers
from application import Runtime, Settings
from cli.main import main
from ingest import discover, run_batch
from records.errors import ExitCode, StorageFull
from search.sqlite import SqliteIndex
from storage.filestore import FileStore
from tests.api.conftest import AN
from tests.support.ocr import text_pdf
from tests.support.reuse import make_record


def _enospc(*_: Any, **__: Any) -> int:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def test_a_full_disk_leaves_no_object_and_no_temporary_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FileStore(tmp_path / "store")
    store.put("a/first", b"stored before the disk filled")
    monkeypatch.setattr("storage.filestore.os.write", _enospc)
    with pytest.raises(StorageFull) as full:
        store.put("a/second", b"no room for this")
    assert "đầy" in full.value.user_message()
    assert store.head("a/second") is None
    assert list((tmp_path / "store" / ".sohoa" / "tmp").iterdir()) == []
    assert store.get("a/first") == b"stored before the disk filled"


def test_a_full_index_rolls_back_and_says_so(tmp_path: Path) -> None:
    index = SqliteIndex(f"sqlite:///{tmp_path / 'index.sqlite3'}")
    kept = make_record("birth_certificate", AN, issued_on="2020-01-02", seed="kept")
    index.upsert(kept)
    conn = index._conn()
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own "disk is full"
    big = make_record("birth_certificate", AN, issued_on="2020-01-02", seed="big")
    big.text = "chữ " * 50_000
    with pytest.raises(StorageFull):
        index.upsert(big)
    assert index.get(big.id) is None and index.get(kept.id) is not None
    index.close()


class _FullIndex:
    """The runtime's index, its writes failing as on a full disk."""

    def __init__(self, index: Any) -> None:
        self._index = index

    def upsert(self, record: Any) -> None:
        raise StorageFull("index (simulated)")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._index, name)


def test_a_stored_record_is_ingested_though_the_index_is_full(
        sohoa_env: dict[str, str], tmp_path: Path) -> None:
    """All of the file's objects are stored: it is ingested, not failed (the index
    catches up at the next attempt or repair)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(text_pdf(["GIAY KHAI SINH", "Ho ten: Tran Van Binh",
                                             "So: 12/2019"]))
    runtime = Runtime.open(Settings.from_env())
    try:
        real = runtime.index
        runtime.index = _FullIndex(real)
        [outcome] = run_batch(discover([folder]), runtime)
        assert outcome.status == "ingested", outcome.reason
        assert outcome.record is not None and real.get(outcome.record.id) is None
        runtime.index = real
        [again] = run_batch(discover([folder]), runtime)
        assert again.status == "skipped" and real.get(outcome.record.id) is not None
    finally:
        runtime.close()


def test_a_full_store_stops_the_batch_with_exit_4_and_no_traceback(
        sohoa_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(text_pdf(["GIAY KHAI SINH", "Ho ten: Le Thi Hoa"]))
    monkeypatch.setattr("storage.filestore.FileStore._write_temp", _enospc)
    code = main(["ingest", str(folder)])
    err = capsys.readouterr().err
    assert code == ExitCode.UNAVAILABLE
    assert StorageFull.message_vi in err and "Traceback" not in err


def test_the_api_answers_507_and_503_for_a_sign_in() -> None:
    app = FastAPI()
    install_handlers(app)

    @app.post("/api/v1/documents")
    def upload() -> None:
        raise StorageFull("upload staging")

    @app.post("/api/v1/other")
    def other() -> None:
        _enospc()  # a write no layer named

    @app.post("/login")
    def login() -> None:
        raise StorageFull("object store (session)")

    client = TestClient(app, raise_server_exceptions=False)
    for path, status in (("/api/v1/documents", 507), ("/api/v1/other", 507), ("/login", 503)):
        answer = client.post(path)
        assert answer.status_code == status, path
        error = answer.json()["error"]
        assert error["code"] == "storage_full" and error["message_vi"] == StorageFull.message_vi
