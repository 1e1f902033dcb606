"""The watcher in distributed mode: files staged and queued for a real Celery worker
(real Redis, real S3), outcomes followed from the ledger, files moved as they land."""

from __future__ import annotations

from pathlib import Path

from application import Runtime, Settings
from storage import iter_latest_records
from tests.distributed.test_celery import (  # the same servers as the Celery tests
    Workers,
    distributed_env,
    redis_server,
    seaweed,
)
from tests.support.scans import text_pdf
from watch import Watcher, WatchOptions, distributed
from watch.folder import DONE_DIR

__all__ = ["distributed_env", "redis_server", "seaweed"]  # fixtures, used by name


def test_watch_enqueues_for_workers_and_moves_what_they_finish(
        distributed_env: dict[str, str], tmp_path: Path) -> None:
    root = tmp_path / "hot"
    text_pdf(root / "hop=H-2" / "a.pdf", "Giay to phan tan 1")
    text_pdf(root / "b.pdf", "Giay to phan tan 2")
    runtime = Runtime.open(Settings.from_env())
    workers = Workers(distributed_env, tmp_path)
    workers.start()
    try:
        options = WatchOptions(settle_seconds=0.2, poll_seconds=0.1, use_inotify=False)
        Watcher(root, distributed(runtime), agency="ubnd-phuong-test",
                options=options).run(once=True)
        stored = {r.source.filename: r for r in iter_latest_records(runtime.store)}
    finally:
        workers.stop()
        runtime.close()
    assert sorted(stored) == ["a.pdf", "b.pdf"]
    assert stored["a.pdf"].location.box == "H-2"  # the folder's box travelled with the task
    assert sorted(p.relative_to(root / DONE_DIR).as_posix()
                  for p in (root / DONE_DIR).rglob("*.pdf")) == ["b.pdf", "hop=H-2/a.pdf"]
