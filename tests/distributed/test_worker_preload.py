"""``sohoa worker`` prepares its pool's parent as the embedded driver's forkserver is
prepared (``ingest.preload``): unit indexes built once, imports frozen out of the
collector's scans before the children are forked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from celery.signals import worker_init

from application.settings import Settings
from ingest.distributed import _prepare_pool_parent, make_celery

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json
from extract import places
from ingest.distributed import _prepare_pool_parent
before = gc.get_freeze_count()
_prepare_pool_parent(sender=None)
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "warm": places._legacy_index.cache_info().currsize == 1
                          and places._new_index.cache_info().currsize == 1}))
"""


def test_the_worker_parent_freezes_its_imports_and_builds_the_indexes() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["before"] == 0
    assert got["after"] > 10_000  # the imported modules and the unit indexes
    assert got["warm"] is True


def test_the_preparation_runs_when_the_worker_starts(sohoa_env: dict[str, str]) -> None:
    make_celery(Settings.from_env({**sohoa_env, "SOHOA_BROKER_URL": "redis://127.0.0.1:1/0"}))
    # Connected strongly (``weak=False``): the receiver is the function itself.
    assert _prepare_pool_parent in [receiver for _, receiver in worker_init.receivers]
