"""Uploads through the API with a broker configured: real Redis, a real Celery worker
subprocess (``sohoa worker``), the API over real HTTP, a filesystem store shared
through ``SOHOA_DATA``. The API shows the progress the Redis ledger holds, which any
replica (here: the test process itself) reads the same."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api.batches import LedgerBatches, load_report
from application import Settings
from signing import ensure_dev_identity
from specimens import generate, render_page
from storage import open_store
from tests.api.live import LiveServer, running_server, server_env, server_log
from tests.support.redis_server import RedisServer

pytestmark = pytest.mark.slow

SOHOA = str(Path(sys.executable).with_name("sohoa"))


def _page(seed: int, doc_type: str) -> bytes:
    out = io.BytesIO()
    # Small pages keep the OCR of this test to a few seconds on 2 cores.
    render_page(generate(doc_type, seed=seed), dpi=110).convert("L").save(
        out, format="PNG", dpi=(110, 110)
    )
    return out.getvalue()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis-api"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def distributed(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("api-distributed")
    env = server_env(data, SOHOA_BROKER_URL=redis_server.url)
    settings = Settings.from_env(env)
    # Made once, before the worker and the server could race to create it.
    ensure_dev_identity(settings.data_dir / "signing", settings.agency)
    log = (data / "worker.log").open("wb")
    worker = subprocess.Popen(
        [SOHOA, "worker", "--queues", "ocr,default", "--concurrency", "1"],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    try:
        with running_server(data, SOHOA_BROKER_URL=redis_server.url) as server:
            yield server
        assert "unhandled error" not in server_log(server)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
        log.close()


def _wait_done(server: LiveServer, batch_id: str, deadline_s: float = 300) -> dict[str, Any]:
    with server.client("archivist") as client:
        body: dict[str, Any] = server.wait_batch(client, batch_id, deadline_s)
    return body


def _worker_log(server: LiveServer) -> str:
    return (server.data_dir / "worker.log").read_text(encoding="utf-8", errors="replace")


def test_upload_is_digitized_by_a_worker_and_progress_comes_from_the_ledger(
    distributed: LiveServer, redis_server: RedisServer
) -> None:
    files = [
        ("file", ("khai-sinh.png", _page(11, "birth_certificate"), "image/png")),
        ("file", ("tinh-trang-hon-nhan.png", _page(12, "marital_status_certificate"),
                  "image/png")),
        ("file", ("ghi-chu.txt", b"not a scan", "text/plain")),
    ]
    with distributed.client("archivist") as client:
        started = time.monotonic()
        response = client.post("/api/v1/documents", files=files)
        assert response.status_code == 202, response.text
        batch = response.json()
        assert time.monotonic() - started < 30  # staged and queued, not digitized inline
    assert [f["status"] for f in batch["files"]] == ["pending", "pending", "rejected"]
    batch_id = batch["id"]

    # Any process reading the ledger sees the batch, not only the replica that took it.
    other_replica = LedgerBatches(redis_server.url).get(batch_id)
    assert other_replica is not None and other_replica.agency == "ubnd-a"
    assert len(other_replica.files) == 3

    try:
        done = _wait_done(distributed, batch_id)
    except TimeoutError:
        pytest.fail(f"batch not done; worker log:\n{_worker_log(distributed)[-3000:]}")
    assert done["status"] == "done", done
    by_name = {f["filename"]: f for f in done["files"]}
    assert by_name["ghi-chu.txt"]["status"] == "rejected"
    assert by_name["ghi-chu.txt"]["code"] == "unsupported_type"
    for name in ("khai-sinh.png", "tinh-trang-hon-nhan.png"):
        entry = by_name[name]
        assert entry["status"] == "ingested", entry
        assert entry["record_status"] in ("ready", "needs_review"), entry
        assert entry["pages"] == 1 and entry["record_id"]
    assert done["counts"] == {"total": 3, "done": 3, "ingested": 2, "rejected": 1}
    progress = done["progress"]
    assert progress["done"] == 2 and progress["pending"] == 0 and progress["pages"] == 2

    with distributed.client("archivist") as client:
        for name in ("khai-sinh.png", "tinh-trang-hon-nhan.png"):
            record = client.get(f"/api/v1/records/{by_name[name]['record_id']}")
            assert record.status_code == 200, record.text
            assert record.json()["source"]["filename"] == name
            pdf = client.get(f"/api/v1/records/{by_name[name]['record_id']}/archival.pdf")
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    report = load_report(open_store(distributed.settings.storage_url), "ubnd-a", batch_id)
    assert report is not None and report.status == "done"
    assert {f.filename: f.record_id for f in report.files} == {
        n: f["record_id"] for n, f in by_name.items()
    }


def test_a_scan_already_archived_is_skipped_at_once(distributed: LiveServer) -> None:
    page = _page(21, "criminal_record_certificate")
    with distributed.client("archivist") as client:
        first = client.post("/api/v1/documents", files=[("file", ("ll-tp.png", page, "image/png"))])
        assert first.status_code == 202
        assert _wait_done(distributed, first.json()["id"])["files"][0]["status"] == "ingested"
        again = client.post(
            "/api/v1/documents",
            files=[("file", ("ll-tp.png", page, "image/png")),
                   ("file", ("ll-tp.png", page, "image/png"))],
        )
        assert again.status_code == 202
        body = _wait_done(distributed, again.json()["id"], deadline_s=60)
    assert body["status"] == "done"
    # Two uploads of one name in a batch stay two entries (the ledger keys by name).
    assert sorted(f["filename"] for f in body["files"]) == ["ll-tp (2).png", "ll-tp.png"]
    assert {f["status"] for f in body["files"]} == {"skipped"}
    assert {f["code"] for f in body["files"]} == {"already_stored"}
