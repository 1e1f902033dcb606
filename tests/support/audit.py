"""A separate writer process for the audit concurrency test.

``python -m tests.support.audit STORE_URL COUNT LABEL GO_FILE`` waits (bounded) for
GO_FILE to exist, so that several writers start together, then appends COUNT entries
tagged with LABEL through its own ``AuditLog`` and prints how many appends had to retry.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from audit import AuditLog
from storage import open_store


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
