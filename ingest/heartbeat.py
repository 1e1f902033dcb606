"""A running task keeps its claim on its message, so only a silent worker loses it.

With Redis as broker, a delivered, unacknowledged message sits in the
``unacked_index`` sorted set, scored by its delivery time; any worker's sweep hands it
out again once that time is older than the visibility timeout. A short timeout brings
back the task of a worker killed whole (``kill -9``, a lost machine) in minutes,
instead of the hour it took, but would hand out a long document a second time while
its first worker is still reading it. So while a task runs, a thread of its process
re-scores its message every quarter of the timeout: the message only comes back once
that process has been silent for a whole timeout, i.e. is gone.

The score is updated only while the message is still there (``ZADD XX``): a message
already acknowledged, or already handed out again, is never put back.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger("sohoa.distributed")

# kombu.transport.redis.Channel's keys: tag -> [raw message, exchange, routing key],
# and tag -> time of delivery.
UNACKED_KEY = "unacked"
UNACKED_INDEX_KEY = "unacked_index"
BEATS_PER_TIMEOUT = 4


def restore_options(visibility_timeout: int) -> dict[str, Any]:
    """The Redis transport's options: the timeout, and a sweep for expired claims often
    enough (every tenth of it, at most every 10 s) that recovery takes about the
    timeout, not a multiple of it."""
    return {
        "visibility_timeout": visibility_timeout,
        "unacked_restore_interval": max(1, min(10, visibility_timeout // 10)),
        "unacked_restore_throttle": 1,
    }


def _key(transport_options: dict[str, Any], name: str, default: str) -> str:
    prefix = str(transport_options.get("global_keyprefix") or "")
    return prefix + str(transport_options.get(name) or default)


def delivery_tag(client: Any, transport_options: dict[str, Any], task_id: str) -> str | None:
    """The broker's tag for the message of task ``task_id``, found among the messages
    delivered and not acknowledged (a handful: workers × prefetch). Celery does not
    hand the tag to the task."""
    key = _key(transport_options, "unacked_key", UNACKED_KEY)
    for tag, value in client.hscan_iter(key):
        try:
            headers = json.loads(value)[0].get("headers") or {}
        except (ValueError, TypeError, AttributeError, IndexError):
            continue
        if headers.get("id") == task_id:
            return tag.decode() if isinstance(tag, bytes) else str(tag)
    return None


@contextmanager
def claim_kept(client: Any, transport_options: dict[str, Any], task_id: str | None,
               visibility_timeout: int) -> Iterator[None]:
    """Renew the claim on task ``task_id``'s message while the block runs."""
    try:
        tag = delivery_tag(client, transport_options, task_id) if task_id else None
    except Exception as exc:  # the broker is away: the task runs, unrenewed
        log.warning("no claim renewal for task %s: %s", task_id, exc)
        tag = None
    if tag is None:  # run eagerly or by hand: no message to keep
        yield
        return
    key = _key(transport_options, "unacked_index_key", UNACKED_INDEX_KEY)
    every = max(0.5, visibility_timeout / BEATS_PER_TIMEOUT)
    stop = threading.Event()

    def beat() -> None:
        while not stop.wait(every):
            try:
                client.zadd(key, {tag: time.time()}, xx=True)
            except Exception as exc:  # the broker is away: the next beat tries again
                log.warning("could not renew the claim on task %s: %s", task_id, exc)

    thread = threading.Thread(target=beat, name="sohoa-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
