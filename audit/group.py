"""Group commit: callers queue items, one writer thread writes whatever has queued as one
durable write, and each caller's future resolves once its own item is durable.

Used by ``AuditLog`` written directly (one segment object per write): N concurrent
callers pay one durable write instead of N. Not used on the API's hot path: there, the
GIL handoffs between an event loop and a writer thread cost more than the write
itself (see ``audit.journal``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from audit.errors import AuditError

Item = TypeVar("Item")
Result = TypeVar("Result")

# A writer thread with nothing to write for this long ends; the next item starts one.
IDLE_SECONDS = 2.0


@dataclass
class _Queued(Generic[Item, Result]):
    item: Item
    future: Future[Result] = field(default_factory=Future)


class GroupCommit(Generic[Item, Result]):
    """``submit(item)`` queues ``item``; a writer thread (started on demand, gone after
    ``IDLE_SECONDS`` without work) hands every item queued at that moment, at most
    ``max_batch``, to ``write``, which must return one result per item, in order, once
    they are all durable. A failed write fails the futures of that batch only."""

    def __init__(
        self, write: Callable[[list[Item]], list[Result]], *, max_batch: int, name: str,
    ) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._write = write
        self.max_batch = max_batch
        self._name = name
        self._changed = threading.Condition()
        self._queue: list[_Queued[Item, Result]] = []
        # The process whose writer thread is running, if any: a forked child inherits
        # the flag but not the thread, and starts its own.
        self._writer_pid: int | None = None

    def queued(self) -> int:
        """Items waiting for a write that has not started yet."""
        with self._changed:
            return len(self._queue)

    def submit(self, item: Item) -> Future[Result]:
        queued: _Queued[Item, Result] = _Queued(item)
        with self._changed:
            self._queue.append(queued)
            if self._writer_pid != os.getpid():
                self._writer_pid = os.getpid()
                threading.Thread(target=self._write_loop, name=self._name, daemon=True).start()
            else:
                self._changed.notify()
        return queued.future

    def _write_loop(self) -> None:
        while True:
            with self._changed:
                if not self._queue:
                    self._changed.wait(timeout=IDLE_SECONDS)
                if not self._queue:
                    self._writer_pid = None
                    return
                batch = self._queue[: self.max_batch]
                del self._queue[: len(batch)]
            try:
                results = self._write([queued.item for queued in batch])
            except BaseException as exc:  # handed to every waiting caller
                failure = AuditError(f"audit entry not written: {type(exc).__name__}: {exc}")
                failure.__cause__ = exc
                for queued in batch:
                    queued.future.set_exception(failure)
                continue
            for queued, result in zip(batch, results, strict=True):
                queued.future.set_result(result)

