"""The entry point starts the OCR workers' server before loading the command line, for
local batches only (``cli.entry``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.entry import PRELOAD, runs_local_batch
from ingest.batch import PRELOAD as POOL_PRELOAD

ROOT = Path(__file__).resolve().parents[1]


def test_the_early_server_preloads_what_the_pool_asks_for() -> None:
    # The server reads its list once: a different list here would be the one in force.
    assert list(POOL_PRELOAD) == PRELOAD


@pytest.mark.parametrize(
    ("argv", "env", "expected"),
    [
        (["ingest", "scans/"], {}, True),
        (["-v", "watch", "/srv/scans"], {}, True),
        (["ingest", "scans/"], {"SOHOA_BROKER_URL": "redis://localhost:6379/0"}, False),
        (["ingest", "--help"], {}, False),
        (["search", "Nguyễn"], {}, False),
        (["serve"], {}, False),
        ([], {}, False),
    ],
)
def test_only_local_batches_start_the_server(argv: list[str], env: dict[str, str],
                                             expected: bool) -> None:
    assert runs_local_batch(argv, env) is expected


PROBE = """
import json, sys
from multiprocessing import forkserver
sys.argv = ["sohoa", *sys.argv[1:]]
from cli import entry
code = entry.main()
print(json.dumps({"code": code,
                  "server": forkserver._forkserver._forkserver_pid is not None}))
"""


@pytest.mark.parametrize(("command", "server"), [("ingest", True), ("search", False)])
def test_the_server_is_started_by_a_local_batch_command(
    tmp_path: Path, command: str, server: bool, sohoa_env: dict[str, str]
) -> None:
    # A missing folder: the command stops at its own checks (exit 2), after the entry
    # point has or has not started the server.
    missing = str(tmp_path / "không-có")
    argv = [command, missing] if command == "ingest" else [command, "x", "--json"]
    env = {k: v for k, v in os.environ.items() if k != "SOHOA_BROKER_URL"}  # + sohoa_env
    done = subprocess.run([sys.executable, "-c", PROBE, *argv], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    last = json.loads(done.stdout.strip().splitlines()[-1])
    assert last["server"] is server, done.stderr
    if command == "ingest":
        assert last["code"] == 2 and "Không tìm thấy" in done.stderr


FREEZE_PROBE = """
import gc, json
from cli import entry
before = gc.get_freeze_count()
run = entry.load_command_line()
print(json.dumps({"before": before, "after": gc.get_freeze_count(),
                  "enabled": gc.isenabled(), "run": run.__module__}))
"""


def test_the_command_lines_modules_are_frozen_out_of_the_collectors_scans() -> None:
    # Loaded with the collector off and frozen: no full collection of the batch walks
    # them again; the collector is on again for the command's own objects.
    done = subprocess.run([sys.executable, "-c", FREEZE_PROBE], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=True)
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["before"] == 0
    assert got["after"] > 50_000
    assert got["enabled"] is True
    assert got["run"] == "cli.main"
