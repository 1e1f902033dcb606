"""One attempt at a time per record: the lock around committing a document.

Two attempts at the same document (the same file twice in a batch, two batches or
processes given it at once, a task redelivered while its first worker still runs) must
not interleave: each clears what it takes for an unfinished attempt's leftovers, and
the second one's archival PDF differs from the first (another signing time). Under the
lock an attempt first looks for a committed record and stops there if one exists.

- Embedded (one machine): ``fcntl`` locks on files under ``$SOHOA_DATA/locks``, 256
  of them chosen by the record id's first two hex digits, so the files stay few and an
  unrelated record waits at most for one commit (a second or two).
- Distributed: a Redis lock on the broker that expires with the broker's visibility
  timeout, so a worker that dies holding it does not hold up the task handed out again.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any


@contextmanager
def file_lock(directory: Path, record_id: str) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{record_id[:2]}.lock").open("a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextmanager
def redis_lock(client: Any, record_id: str, expiry_seconds: int) -> Iterator[None]:
    """``expiry_seconds`` is the broker's visibility timeout: the time after which a
    worker that went silent is taken for dead and its task handed out again. Its lock
    must not outlive that, or the redelivered task would wait on a dead holder (a
    commit itself takes seconds)."""
    lock = client.lock(f"sohoa:commit:{record_id}", timeout=expiry_seconds,
                       blocking_timeout=expiry_seconds + 5)
    if not lock.acquire():
        # Not the file's fault: the Celery task retries it.
        raise TimeoutError(f"record {record_id} stayed locked for {expiry_seconds} s")
    try:
        yield
    finally:
        from redis.exceptions import LockError  # redis only with a Redis lock URL

        # Expired and taken by another meanwhile: nothing of ours left to release.
        with contextlib.suppress(LockError):
            lock.release()
