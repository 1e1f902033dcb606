"""The audit chain on real S3 (SeaweedFS): concurrent writers rely on the gateway
honouring put-if-absent (``If-None-Match: *``)."""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from audit import AuditLog
from storage import Store, open_store
from tests.support.seaweed import SeaweedServer, running_seaweed

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    with running_seaweed(tmp_path_factory.mktemp("seaweed-audit")) as server:
        yield server


def _store(server: SeaweedServer, bucket: str) -> Store:
    return open_store(
        server.url(bucket), access_key=server.access_key, secret_key=server.secret_key, secure=False
    )


def test_concurrent_writers_on_s3_keep_one_chain(seaweed: SeaweedServer, tmp_path: Path) -> None:
    bucket = f"audit-{uuid.uuid4().hex[:12]}"
    writers, per_writer = 4, 15
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(label: str) -> None:
        log = AuditLog(_store(seaweed, bucket))  # its own client, cache and lock
        start.wait(timeout=60)
        try:
            for i in range(per_writer):
                log.append("test.append", label, i=i)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(f"w{i}",)) for i in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors and not any(t.is_alive() for t in threads)
    log = AuditLog(_store(seaweed, bucket))
    check = log.verify()
    assert check.ok, check.problems
    assert check.entries == writers * per_writer
    assert Counter(e.actor for e in log.entries()) == {f"w{i}": per_writer for i in range(writers)}
