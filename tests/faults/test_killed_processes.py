"""``kill -9`` of ``sohoa serve`` and ``sohoa ingest`` mid-batch: no process outlives
them, the port is free again, and an accepted upload batch is taken up after the
restart (nothing lost, nothing stored twice, nothing left staged)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from api.tokens import Role
from application.settings import Settings
from tests.api.live import LiveServer, free_port, server_env
from tests.faults.census import take_census
from tests.faults.procs import (
    alive,
    command_line,
    descendants,
    kill_hard,
    poll,
    scan_pngs,
    serve,
    sohoa,
)

pytestmark = pytest.mark.slow

# A pool child must go at once (PR_SET_PDEATHSIG); a tesseract it started may finish
# its page first.
CHILD_DEADLINE_S = 10
# A uvicorn worker of `serve --workers N` sets up its lifeline when it loads the app: one
# killed while still importing (seconds; tens of seconds on a loaded machine) lives until
# then, and then exits at once, as its driver is gone. It never serves.
LOADING_DEADLINE_S = 90
PAGE_DEADLINE_S = 120


def _pool_started(pid: int) -> set[int]:
    """The descendants once the process pool is up (Python processes below ``pid``)."""
    found = descendants(pid)
    return found if any("python" in command_line(p) for p in found) else set()


def _assert_all_gone(left: set[int], child_deadline_s: float = CHILD_DEADLINE_S) -> None:
    assert left, "the killed process had no children: nothing was tested"
    python = {p for p in left if "tesseract" not in command_line(p)
              and "pdftoppm" not in command_line(p)}
    poll(lambda: not any(alive(p) for p in python), child_deadline_s,
         f"pool processes outlived their parent: {[command_line(p) for p in python if alive(p)]}")
    poll(lambda: not any(alive(p) for p in left), PAGE_DEADLINE_S, "tools outlived the pool")


def test_killed_server_leaves_no_process_and_its_batch_is_finished_after_restart(
        tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    env = server_env(data, SOHOA_WORKERS="2")
    port = free_port()
    scans = scan_pngs(tmp_path / "scans", 6, seed=170)
    server = serve(data, port, env)
    process = server.process
    assert process is not None  # serve() runs `sohoa serve` as a child process
    try:
        with server.client(Role.ARCHIVIST) as client:
            answer = client.post("/api/v1/documents", files=[
                ("file", (p.name, p.read_bytes(), "image/png")) for p in scans])
        assert answer.status_code == 202, answer.text
        batch_id = answer.json()["id"]
        assert (data / "uploads" / batch_id / "batch.json").is_file()
        poll(lambda: _pool_started(process.pid), 120, "the process pool started")
        left = kill_hard(process)
    finally:
        if process.poll() is None:
            process.kill()
    _assert_all_gone(left)
    # The port is free: no child kept the listening socket.
    again = serve(data, port, env)
    try:
        with again.client(Role.ARCHIVIST) as client:
            body = again.wait_batch(client, batch_id, deadline_s=600)
            assert body["status"] == "done", body
            files = body["files"]
            assert sorted(f["filename"] for f in files) == sorted(p.name for p in scans)
            assert all(f["status"] in ("ingested", "skipped") for f in files), files
            ids = {f["record_id"] for f in files if f["status"] == "ingested"}
        census = take_census(again.settings)
        # Stored exactly once each, all indexed, nothing staged left.
        assert census.lost(scans, failed=set()) == [] and census.duplicated() == []
        assert len(census.stored) == len(scans) and ids <= set(census.stored)
        assert census.index_matches_storage
        poll(lambda: not any((data / "uploads").iterdir()), 30, "staged uploads removed")
    finally:
        _stop_server(again)


def _stop_server(server: LiveServer) -> None:
    assert server.process is not None
    server.process.terminate()
    server.process.wait(timeout=30)


def test_killed_ingest_leaves_no_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = server_env(data, SOHOA_WORKERS="2")
    scans = scan_pngs(tmp_path / "scans", 4, seed=180)
    ingest = sohoa(["ingest", str(tmp_path / "scans")], env, tmp_path / "ingest.log")
    try:
        poll(lambda: _pool_started(ingest.pid), 120, "the process pool started")
        left = kill_hard(ingest)
    finally:
        if ingest.poll() is None:
            ingest.kill()
    _assert_all_gone(left)
    # Nothing holds the index any more: a new run finishes the batch, once.
    done = sohoa(["ingest", str(tmp_path / "scans")], env, tmp_path / "ingest.log")
    assert done.wait(timeout=600) == 0, (tmp_path / "ingest.log").read_text()
    census = take_census(Settings.from_env(env))
    assert census.lost(scans, failed=set()) == [] and census.duplicated() == []
    assert census.index_matches_storage


def _kill_two_worker_server(
    data: Path, env: dict[str, str], port: int, ready: Callable[[int], bool], what: str
) -> set[int]:
    """Start ``sohoa serve --workers 2``, wait until ``ready(pid)``, ``kill -9`` it and
    return the processes it left."""
    process = sohoa(["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                    env, data / "server.log")
    try:
        poll(lambda: ready(process.pid), 120, what)
        return kill_hard(process)
    finally:
        if process.poll() is None:
            process.kill()


def _workers(pid: int, marker: str) -> int:
    return len([p for p in descendants(pid) if marker in command_line(p)])


def test_killed_multiworker_server_leaves_no_process(tmp_path: Path) -> None:
    """``sohoa serve --workers 2``: uvicorn's worker processes end with it."""
    data = tmp_path / "data"
    data.mkdir()
    env = server_env(data)
    port = free_port()

    def serving(pid: int) -> bool:
        try:
            up = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200
        except httpx.TransportError:
            return False
        return up and _workers(pid, "python") >= 2

    left = _kill_two_worker_server(data, env, port, serving, "both workers up")
    _assert_all_gone(left, LOADING_DEADLINE_S)
    again = serve(data, port, env)  # the port is free again
    _stop_server(again)


def test_server_killed_while_its_workers_load_leaves_none(tmp_path: Path) -> None:
    """The race the full suite found: ``serve --workers 2`` killed after spawning its
    workers but before they loaded the app. They must not take their adoptive parent
    for the supervisor and live on."""
    data = tmp_path / "data"
    data.mkdir()
    left = _kill_two_worker_server(data, server_env(data), free_port(),
                                   lambda pid: _workers(pid, "spawn_main") >= 2,
                                   "both workers spawned")
    _assert_all_gone(left, LOADING_DEADLINE_S)
