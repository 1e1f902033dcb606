"""The retry loop's budget and classification (clock injected, no sleeping)."""

from __future__ import annotations

import pytest

from storage import RetryPolicy, StorageUnavailable
from storage.retry import call_with_retry
from storage.s3store import is_transient


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.pauses: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


def test_gives_up_within_budget_with_growing_pauses() -> None:
    clock = Clock()
    calls = []

    def failing() -> None:
        calls.append(clock.now)
        raise ConnectionRefusedError("refused")

    policy = RetryPolicy(max_wait=10.0, first_delay=0.5, max_delay=4.0)
    with pytest.raises(StorageUnavailable) as caught:
        call_with_retry(
            failing,
            policy=policy,
            is_transient=is_transient,
            operation="put",
            key="k",
            clock=clock,
            sleep=clock.sleep,
        )
    assert clock.now <= 10.0
    assert caught.value.attempts == len(calls) >= 4
    assert all(p <= 4.0 for p in clock.pauses)
    assert clock.pauses[-1] > clock.pauses[0]
    assert isinstance(caught.value.__cause__, ConnectionRefusedError)


def test_recovers_and_does_not_retry_permanent_errors() -> None:
    clock = Clock()
    attempts = iter([ConnectionResetError("reset"), TimeoutError("slow"), None])

    def flaky() -> str:
        error = next(attempts)
        if error is not None:
            raise error
        return "done"

    assert (
        call_with_retry(
            flaky,
            policy=RetryPolicy(),
            is_transient=is_transient,
            operation="get",
            key="k",
            clock=clock,
            sleep=clock.sleep,
        )
        == "done"
    )
    assert len(clock.pauses) == 2

    def permanent() -> None:
        raise PermissionError("denied")

    with pytest.raises(PermissionError):
        call_with_retry(
            permanent,
            policy=RetryPolicy(),
            is_transient=is_transient,
            operation="get",
            key="k",
            clock=clock,
            sleep=clock.sleep,
        )
    assert len(clock.pauses) == 2
