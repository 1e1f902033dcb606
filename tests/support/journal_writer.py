"""A separate process writing through its own ``AuditJournal``, for the crash tests.

``python -m tests.support.journal_writer MODE STORE_URL JOURNAL_DIR COUNT LABEL``
journals COUNT entries tagged LABEL (with a shipper that would wait an hour), prints
``journaled`` and then, by MODE:

- ``hold``: waits for a line on stdin, then closes the journal (ships it) and exits;
- ``die-before-put`` / ``die-after-put``: ships, and SIGKILLs itself just before or
  just after the first segment reaches the store (a crash in the middle of a shipment).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from audit import AuditJournal, AuditLog
from storage import open_store
from storage.base import ObjectInfo, Store


class DyingStore:
    """A real store that kills its process around the first ``put``."""

    def __init__(self, inner: Store, when: str) -> None:
        self.inner, self.when, self.url = inner, when, inner.url

    def put(self, key: str, data: bytes, *, content_type: str = "application/octet-stream",
            metadata: dict[str, str] | None = None) -> ObjectInfo:
        if self.when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        info = self.inner.put(key, data, content_type=content_type, metadata=metadata)
        os.kill(os.getpid(), signal.SIGKILL)
        return info

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


def main(argv: list[str]) -> int:
    mode, url, directory, count, label = argv[0], argv[1], Path(argv[2]), int(argv[3]), argv[4]
    store: Store = open_store(url)
    if mode.startswith("die-"):
        store = DyingStore(store, mode.removeprefix("die-").removesuffix("-put"))  # type: ignore[assignment]
    journal = AuditJournal(AuditLog(store), directory, ship_seconds=3600)
    for i in range(count):
        journal.append("test.append", label, i=i)
    print("journaled", flush=True)
    if mode == "hold":
        sys.stdin.readline()
        journal.close()
        return 0
    journal.flush()
    return 1  # not reached: the store kills this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
