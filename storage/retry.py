"""Bounded retry with exponential backoff for transient backend failures.

An outage during a batch should pause the batch, not lose work: each call is retried
until it succeeds or the policy's total wait is spent, then fails with
``StorageUnavailable``. Only errors the caller classifies as transient are retried.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from storage.base import StorageUnavailable

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How long to keep retrying one call.

    ``max_wait`` bounds the total time spent (attempts plus pauses) before giving up;
    pauses start at ``first_delay`` and double up to ``max_delay``, with jitter so that
    many workers resuming after an outage do not hit the server in lockstep.
    """

    max_wait: float = 300.0
    first_delay: float = 0.2
    max_delay: float = 10.0
    multiplier: float = 2.0

    def delays(self) -> list[float]:
        """The nominal pauses (without jitter) that fit in ``max_wait``; for docs/tests."""
        out: list[float] = []
        delay, total = self.first_delay, 0.0
        while total + delay <= self.max_wait:
            out.append(delay)
            total += delay
            delay = min(delay * self.multiplier, self.max_delay)
        return out


NO_RETRY = RetryPolicy(max_wait=0.0)


def call_with_retry(
    fn: Callable[[], T],
    *,
    policy: RetryPolicy,
    is_transient: Callable[[BaseException], bool],
    operation: str,
    key: str,
    on_retry: Callable[[int, BaseException], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Run ``fn`` until it succeeds, a non-transient error is raised, or the budget is
    spent (then ``StorageUnavailable`` chained to the last error)."""
    start = clock()
    delay = policy.first_delay
    attempt = 0
    while True:
        attempt += 1
        try:
            return fn()
        except Exception as exc:
            if not is_transient(exc):
                raise
            waited = clock() - start
            pause = min(delay, policy.max_delay) * random.uniform(0.5, 1.0)
            if waited + pause > policy.max_wait:
                raise StorageUnavailable(operation, key, attempt, waited, _describe(exc)) from exc
            log.warning(
                "storage %s %r failed (attempt %d, %s); retrying in %.2fs",
                operation,
                key,
                attempt,
                _describe(exc),
                pause,
            )
            if on_retry is not None:
                on_retry(attempt, exc)
            sleep(pause)
            delay = delay * policy.multiplier


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else ""
    return f"{type(exc).__name__}: {text}"[:300]
