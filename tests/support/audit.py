"""Helpers for the audit tests.

``python -m tests.support.audit STORE_URL COUNT LABEL GO_FILE`` is a separate writer
process: it waits (bounded) for GO_FILE to exist, so that several writers start
together, then appends COUNT entries tagged with LABEL through its own ``AuditLog``.

``GatedStore`` wraps a real store and holds the first write until the test releases
it, so a test can line up callers behind a writer deterministically.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from audit import AuditLog
from storage import open_store
from storage.base import ObjectInfo, Store


class GatedStore:
    """A real store whose first ``put`` waits for ``release`` (after setting ``entered``),
    then raises ``fail_with`` instead of writing if the test set it (a disk or network
    failure at the worst moment)."""

    def __init__(self, inner: Store) -> None:
        self.inner = inner
        self.url = inner.url
        self.entered = threading.Event()
        self.release = threading.Event()
        self.puts = 0
        self.fail_with: Exception | None = None

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream",
            metadata: dict[str, str] | None = None) -> ObjectInfo:
        self.puts += 1
        if not self.entered.is_set():
            self.entered.set()
            if not self.release.wait(timeout=60):
                raise TimeoutError("the test never released the gated write")
            if self.fail_with is not None:
                raise self.fail_with
        return self.inner.put(key, data, content_type=content_type, metadata=metadata)

    def get(self, key: str) -> bytes:
        return self.inner.get(key)

    def head(self, key: str) -> ObjectInfo | None:
        return self.inner.head(key)

    def list(self, prefix: str = "") -> Iterator[ObjectInfo]:
        return self.inner.list(prefix)

    def delete(self, key: str) -> None:
        self.inner.delete(key)

    def repair(self, key: str, data: bytes, sha256: str) -> bool:
        return self.inner.repair(key, data, sha256)


def main(argv: list[str]) -> int:
    url, count, label, go = argv[0], int(argv[1]), argv[2], Path(argv[3])
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            print("start signal never came", file=sys.stderr)
            return 2
        time.sleep(0.005)
    log = AuditLog(open_store(url))
    for i in range(count):
        log.append("test.append", label, i=i)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
