"""S3 backend on a real SeaweedFS: credentials, object lock, outages."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from minio.error import S3Error

from storage import RetryPolicy, StorageError, StorageUnavailable, lock_status, open_store
from storage.s3store import _conditional_put, put_headers, retention_of
from tests.storage.conftest import new_bucket, s3_store
from tests.support.seaweed import SeaweedServer, free_ports


def test_secrets_stay_out_of_reprs_messages_and_logs(
    seaweed: SeaweedServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    store = s3_store(seaweed)
    assert store.conditional_writes  # SeaweedFS honours If-None-Match
    store.put("k", b"v")
    assert [i.key for i in store.list()] == ["k"]  # the probe object is never listed
    assert seaweed.secret_key not in repr(store) + store.url + str(vars(store))
    with pytest.raises(StorageError) as caught:
        open_store(
            seaweed.url(new_bucket()),
            access_key=seaweed.access_key,
            secret_key="not-the-secret",
            secure=False,
            retry=RetryPolicy(max_wait=1),
        )
    assert "not-the-secret" not in str(caught.value)
    with pytest.raises(StorageError) as in_url:
        open_store(f"s3://{seaweed.access_key}:{seaweed.secret_key}@{seaweed.endpoint}/b1x")
    assert seaweed.secret_key not in str(in_url.value)
    with pytest.raises(StorageError, match="SOHOA_S3_ACCESS_KEY"):
        open_store(seaweed.url("bucket"), secure=False)
    assert seaweed.secret_key not in caplog.text
    assert "not-the-secret" not in caplog.text


def test_wrong_credentials_fail_fast_without_retry(seaweed: SeaweedServer) -> None:
    start = time.monotonic()
    with pytest.raises(
        StorageError, match=r"SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied"
    ):
        open_store(
            seaweed.url(new_bucket()),
            access_key=seaweed.access_key,
            secret_key="wrong",
            secure=False,
            retry=RetryPolicy(max_wait=30),
        )
    assert time.monotonic() - start < 5


def test_object_lock_applied_or_reported(seaweed: SeaweedServer) -> None:
    store = s3_store(seaweed, object_lock_days=1)
    status = lock_status(store)
    assert status.requested_days == 1
    store.put("locked/original.pdf", b"%PDF-1.7 locked")
    mode, until = retention_of(store, "locked/original.pdf")
    if status.active:
        assert mode == "GOVERNANCE"
        assert until is not None
        assert timedelta(hours=23) < until - datetime.now(UTC) < timedelta(hours=25)
    else:
        assert "unsupported" in status.detail and mode is None


def test_object_lock_on_unlocked_bucket_is_reported_not_fatal(seaweed: SeaweedServer) -> None:
    bucket = new_bucket()
    s3_store(seaweed, bucket)  # created without object lock
    store = s3_store(seaweed, bucket, object_lock_days=7)
    status = lock_status(store)
    assert not status.active
    assert bucket in status.detail
    store.put("k", b"still works")
    assert store.get("k") == b"still works"


def test_dead_endpoint_fails_cleanly_after_bounded_retries(seaweed: SeaweedServer) -> None:
    (port,) = free_ports(1)
    start = time.monotonic()
    with pytest.raises(StorageUnavailable) as caught:
        open_store(
            f"s3://127.0.0.1:{port}/bucket",
            access_key=seaweed.access_key,
            secret_key=seaweed.secret_key,
            secure=False,
            retry=RetryPolicy(max_wait=1.0, first_delay=0.1, max_delay=0.3),
        )
    assert time.monotonic() - start < 5
    assert caught.value.attempts >= 3
    assert "storage unavailable" in str(caught.value)


@pytest.mark.slow
def test_outage_pauses_a_put_which_completes_after_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="storage.retry")
    server = SeaweedServer(data_dir=tmp_path / "weed")
    server.start()
    try:
        store = s3_store(server, retry=RetryPolicy(max_wait=120, first_delay=0.1, max_delay=1))
        store.put("batch/0001", b"before the outage")
        server.kill()

        # Bounded failure first: nothing is left behind by a put that gave up.
        store.retry = RetryPolicy(max_wait=1.0, first_delay=0.1, max_delay=0.3)
        with pytest.raises(StorageUnavailable):
            store.put("batch/gave-up", b"lost?")
        store.retry = RetryPolicy(max_wait=120, first_delay=0.1, max_delay=1)

        outcome: dict[str, object] = {}

        def waiting_put() -> None:
            try:
                outcome["info"] = store.put("batch/0002", b"during the outage")
            except Exception as exc:
                outcome["error"] = exc

        worker = threading.Thread(target=waiting_put)
        worker.start()
        deadline = time.monotonic() + 30
        while "retrying" not in caplog.text or "batch/0002" not in caplog.text:
            assert time.monotonic() < deadline, "the put never started retrying"
            assert worker.is_alive(), outcome
            time.sleep(0.05)
        server.start()
        worker.join(120)
        assert not worker.is_alive()
        assert "error" not in outcome, outcome.get("error")
        assert store.get("batch/0002") == b"during the outage"
        assert store.get("batch/0001") == b"before the outage"
        assert store.head("batch/gave-up") is None
    finally:
        server.stop()


def test_upload_damaged_after_hashing_is_refused_and_nothing_stored(
    seaweed: SeaweedServer,
) -> None:
    """Bytes that change between hashing and the server (bad RAM, a NIC, a bug) must not
    be stored: the server checks the x-amz-checksum-sha256 that ``put`` sends."""
    store = s3_store(seaweed)
    good = b"%PDF-1.7 " + bytes(range(256)) * 64
    digest, headers = put_headers(good, "application/pdf", {})
    assert digest == hashlib.sha256(good).hexdigest()
    damaged = good[:-1] + b"X"
    with pytest.raises(S3Error) as caught:
        _conditional_put(store.client, store.bucket, "x/archival.pdf", damaged, headers)
    assert caught.value.code in ("BadDigest", "XAmzContentChecksumMismatch", "InvalidDigest")
    assert store.head("x/archival.pdf") is None
    # The same headers with the bytes they were computed from go through (signed with
    # the precomputed digest, not a second hash).
    _conditional_put(store.client, store.bucket, "x/archival.pdf", good, headers)
    assert store.get("x/archival.pdf") == good
