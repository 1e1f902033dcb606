"""The fault-injection suite: processes killed at random points (seeded), a full disk,
the S3 server stopped mid-batch; then nothing accepted is lost or stored twice.

Each scenario checks, after its faults:
- every file sent is a record exactly once, or was reported failed (never both, never
  silently missing);
- no process outlives the one killed, nothing is left staged;
- the index equals storage (before any repair), the audit chain verifies;
- no HTTP answer was a 5xx other than 503/507 (those only during an outage).

The seed is ``SOHOA_FAULT_SEED`` (default 17): a failure replays with the same kill
points. The counts are printed at the end (``-s``) and written to bench/README.md.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from api.tokens import Role, create_token
from application import Runtime, Settings
from ingest.distributed import Ledger
from signing import ensure_dev_identity
from tests.api.live import ROOT, LiveServer, free_port, server_env
from tests.faults.census import staged_left, take_census
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
from tests.support.redis_server import RedisServer
from tests.support.seaweed import SeaweedServer

pytestmark = pytest.mark.slow

SEED = int(os.environ.get("SOHOA_FAULT_SEED") or 17)
FILES = 4  # per scenario: small 100 dpi pages keep the suite to a few minutes


@dataclass
class Tally:
    faults: Counter[str] = field(default_factory=Counter)
    files: int = 0
    lost: int = 0
    duplicated: int = 0
    failed_reported: int = 0
    server_errors: int = 0  # 5xx other than 503/507
    outage_answers: Counter[int] = field(default_factory=Counter)

    def line(self) -> str:
        faults = ", ".join(f"{k} {v}" for k, v in sorted(self.faults.items()))
        return (f"seed {SEED}: faults injected {sum(self.faults.values())} ({faults}); "
                f"files {self.files}; lost {self.lost}; duplicated {self.duplicated}; "
                f"reported failed {self.failed_reported}; 5xx other than 503/507 "
                f"{self.server_errors}; answers during the S3 outage "
                f"{dict(sorted(self.outage_answers.items()))}")


TALLY = Tally()


@pytest.fixture(scope="module", autouse=True)
def report() -> Iterator[None]:
    yield
    print(f"\nfault injection: {TALLY.line()}")


def _run(args: list[str], env: dict[str, str],
         timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=timeout)


def _check_archive(settings: Settings, env: dict[str, str], sent: list[Path],
                   failed: set[str]) -> None:
    """The checks every scenario ends with (see the module's doc), counted."""
    census = take_census(settings)
    lost, duplicated = census.lost(sent, failed), census.duplicated()
    TALLY.files += len(sent)
    TALLY.lost += len(lost)
    TALLY.duplicated += len(duplicated)
    TALLY.failed_reported += len(failed)
    assert lost == [] and duplicated == [], (lost, duplicated)
    assert census.unreadable == []
    assert census.index_matches_storage, (census.indexed, census.stored_versions)
    assert staged_left(settings) == []
    flushed = _run(["audit", "flush"], env)
    assert flushed.returncode == 0, flushed.stderr
    verified = _run(["audit", "verify"], env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _assert_gone(left: set[int]) -> None:
    python = {p for p in left if "python" in command_line(p)}
    poll(lambda: not any(alive(p) for p in python), 10,
         f"processes outlived the killed one: {[command_line(p) for p in python if alive(p)]}")


def _ingested(output: str) -> dict[str, str]:
    """File name -> status from ``sohoa ingest --json`` lines."""
    out = {}
    for line in output.splitlines():
        try:
            data = json.loads(line)
        except ValueError:
            continue
        name = (data.get("source") or {}).get("filename")
        if name:
            out[name] = "failed" if data.get("status") == "failed" else "ok"
    return out


# --- sohoa ingest --------------------------------------------------------------------


def test_ingest_killed_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    scans = scan_pngs(tmp_path / "scans", FILES, seed=SEED * 100)
    env = server_env(tmp_path / "data", SOHOA_WORKERS="2")
    for _ in range(2):
        run = sohoa(["ingest", str(tmp_path / "scans"), "--json"], env, tmp_path / "ingest.log")
        pid = run.pid
        poll(lambda: any("python" in command_line(p) for p in descendants(pid)), 120,  # noqa: B023
             "the pool started")
        time.sleep(rng.uniform(0.5, 12.0))  # the kill point: a seeded chaos schedule
        if run.poll() is None:
            _assert_gone(kill_hard(run))
            TALLY.faults["kill -9 sohoa ingest"] += 1
    final = _run(["ingest", str(tmp_path / "scans"), "--json"], env)
    assert final.returncode == 0, final.stderr
    outcomes = _ingested(final.stdout)
    assert sorted(outcomes) == sorted(p.name for p in scans)
    _check_archive(Settings.from_env(env), env, scans,
                   {n for n, s in outcomes.items() if s == "failed"})


# --- sohoa serve ---------------------------------------------------------------------


def _stop(server: LiveServer) -> None:
    assert server.process is not None
    if server.process.poll() is None:
        server.process.terminate()
        server.process.wait(timeout=60)


def _count(status: int) -> None:
    if status >= 500 and status not in (503, 507):
        TALLY.server_errors += 1


def test_serve_killed_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    data = tmp_path / "data"
    data.mkdir()
    env = server_env(data, SOHOA_WORKERS="2")
    port = free_port()
    scans = scan_pngs(tmp_path / "scans", FILES, seed=SEED * 100 + 10)
    server = serve(data, port, env)
    with server.client(Role.ARCHIVIST) as client:
        answer = client.post("/api/v1/documents", files=[
            ("file", (p.name, p.read_bytes(), "image/png")) for p in scans])
    _count(answer.status_code)
    assert answer.status_code == 202, answer.text
    batch_id = answer.json()["id"]
    try:
        for _ in range(2):
            time.sleep(rng.uniform(1.0, 10.0))  # the kill point: a seeded chaos schedule
            _assert_gone(kill_hard(server.process))  # type: ignore[arg-type]
            TALLY.faults["kill -9 sohoa serve"] += 1
            server = serve(data, port, env)  # the same port: nothing kept the socket
        with server.client(Role.ARCHIVIST) as client:
            body = server.wait_batch(client, batch_id, deadline_s=600)
    finally:
        _stop(server)
    files = {f["filename"]: f["status"] for f in body["files"]}
    assert sorted(files) == sorted(p.name for p in scans)
    assert all(s in ("ingested", "skipped", "failed") for s in files.values()), files
    _check_archive(Settings.from_env(env), env, scans,
                   {n for n, s in files.items() if s == "failed"})


# --- sohoa worker --------------------------------------------------------------------


def test_workers_killed_at_random_points(tmp_path: Path, redis_server: RedisServer) -> None:
    rng = random.Random(SEED + 2)
    env = server_env(tmp_path / "data", SOHOA_BROKER_URL=redis_server.url, SOHOA_WORKERS="1",
                     SOHOA_BROKER_VISIBILITY_TIMEOUT="4")
    settings = Settings.from_env(env)
    ensure_dev_identity(settings.data_dir / "signing", settings.agency)
    scans = scan_pngs(tmp_path / "scans", FILES, seed=SEED * 100 + 20)
    started = [0]

    def start() -> subprocess.Popen[bytes]:
        started[0] += 1
        return sohoa(["worker", "--queues", "ocr,default", "--concurrency", "1"], env,
                     tmp_path / f"worker-{started[0]}.log")

    workers = [start(), start()]
    try:
        submitted = _run(["ingest", str(tmp_path / "scans"), "--no-wait", "--json"], env)
        assert submitted.returncode == 0, submitted.stderr
        batch_id = str(json.loads(submitted.stdout.splitlines()[-1])["batch_id"])
        ledger = Ledger(redis_server.url)
        for _ in range(2):
            time.sleep(rng.uniform(2.0, 12.0))  # the kill point: a seeded chaos schedule
            victim = rng.randrange(len(workers))
            _assert_gone(kill_hard(workers[victim]))
            TALLY.faults["kill -9 sohoa worker"] += 1
            workers[victim] = start()
        poll(lambda: (p := ledger.progress(batch_id)) is not None and p.pending == 0, 600,
             "the batch finished")
        outcomes = ledger.file_outcomes(batch_id)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.terminate()
                worker.wait(timeout=60)
    assert sorted(outcomes) == sorted(p.name for p in scans)
    _check_archive(settings, env, scans,
                   {n for n, o in outcomes.items() if o.status == "failed"})


# --- a full disk -----------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs, or a skip saying why there is none."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root or CAP_SYS_ADMIN): "
                    f"{done.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(disk: Path, leave: int) -> Path:
    """A file taking all but ``leave`` bytes of ``disk``."""
    filler = disk / "filler"
    stat = os.statvfs(disk)
    free = stat.f_bavail * stat.f_frsize
    with filler.open("wb") as out:
        out.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = max(0, free - leave)
        while remaining > 0:
            remaining -= out.write(chunk[: min(len(chunk), remaining)])
    return filler


def test_a_full_disk(tmp_path: Path, small_disk: Path) -> None:
    data = small_disk / "data"
    env = server_env(data, SOHOA_WORKERS="2")
    scans = scan_pngs(tmp_path / "scans", FILES, seed=SEED * 100 + 30)
    # Room for the set-up (key, index, audit journal) and about one record.
    assert _run(["reindex"], env).returncode == 0
    filler = _fill(small_disk, leave=900_000)
    full = _run(["ingest", str(tmp_path / "scans"), "--json"], env)
    TALLY.faults["full disk (sohoa ingest)"] += 1
    assert full.returncode == 4, full.stdout + full.stderr
    assert "Ổ đĩa lưu trữ đã đầy" in full.stderr and "Traceback" not in full.stderr
    reported = _ingested(full.stdout)
    census = take_census(Settings.from_env(env))
    stored_names = {p.name for p in scans
                    if any(sha == _sha(p) for sha in census.stored.values())}
    # No file is reported failed whose record was stored, none ingested without one.
    assert {n for n, s in reported.items() if s == "failed"} & stored_names == set()
    assert {n for n, s in reported.items() if s == "ok"} <= stored_names
    assert list((data / "objects" / ".sohoa" / "tmp").iterdir()) == []

    # The upload of a served batch is refused with 507, nothing staged.
    filler.unlink()
    port = free_port()
    server = serve(data, port, env, log=tmp_path / "server.log")
    server.token(Role.ARCHIVIST)  # made while there is room
    filler = _fill(small_disk, leave=0)  # full while it runs
    try:
        with server.client(Role.ARCHIVIST) as client:
            answer = client.post("/api/v1/documents", files=[
                ("file", (p.name, p.read_bytes(), "image/png")) for p in scans])
        TALLY.faults["full disk (upload)"] += 1
        _count(answer.status_code)
        assert answer.status_code == 507, answer.text
        assert answer.json()["error"]["code"] == "storage_full"
        assert not any((data / "uploads").iterdir())
        # Signing in writes a session: the service is unavailable for now (503).
        with server.client() as browser:
            signed_in = browser.post("/login", data={"token": server.token(Role.ARCHIVIST)})
        _count(signed_in.status_code)
        assert signed_in.status_code == 503, signed_in.text
        assert "Ổ đĩa lưu trữ đã đầy" in signed_in.text
    finally:
        _stop(server)
    filler.unlink()
    again = _run(["ingest", str(tmp_path / "scans"), "--json"], env)
    assert again.returncode == 0, again.stderr
    _check_archive(Settings.from_env(env), env, scans, set())


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- the S3 server stopped mid-batch ----------------------------------------------------


def test_s3_stopped_mid_batch(tmp_path: Path, seaweed: SeaweedServer) -> None:
    """The store stops for longer than its retry budget while a served batch runs and
    the API is used: files then are reported failed (or finish once it is back), the
    API answers 503 meanwhile, never another 5xx."""
    rng = random.Random(SEED + 3)
    data = tmp_path / "data"
    data.mkdir()
    env = server_env(
        data, SOHOA_WORKERS="2", SOHOA_STORAGE_URL=seaweed.url("sohoa-faults"),
        SOHOA_S3_ACCESS_KEY=seaweed.access_key, SOHOA_S3_SECRET_KEY=seaweed.secret_key,
        SOHOA_S3_SECURE="false", SOHOA_STORAGE_RETRY_SECONDS="3",
    )
    scans = scan_pngs(tmp_path / "scans", FILES + 2, seed=SEED * 100 + 40)
    port = free_port()
    server = serve(data, port, env)
    runtime = Runtime.open(server.settings)  # the S3 keys: LiveServer.token has none
    try:
        server.tokens[f"{Role.ARCHIVIST}@ubnd-a"] = create_token(
            runtime.store, role=Role.ARCHIVIST, agency="ubnd-a", label="faults")
    finally:
        runtime.close()
    stop = threading.Event()

    def use_the_api() -> None:
        """An officer at work during the outage: progress, search, upload, a record."""
        with server.client(Role.ARCHIVIST, timeout=120) as client:
            tries = 0
            while not stop.is_set():
                answers = [client.get(f"/api/v1/batches/{batch_id}"),
                           client.get("/api/v1/search", params={"q": "giấy"}),
                           client.get(f"/api/v1/records/{record_id}")]
                if tries < 2:  # a couple of uploads, not a flood of batches
                    tries += 1
                    answers.append(client.post("/api/v1/documents", files=[
                        ("file", (scans[-1].name, scans[-1].read_bytes(), "image/png"))]))
                for answer in answers:
                    TALLY.outage_answers[answer.status_code] += 1
                    _count(answer.status_code)
                    if answer.status_code == 202:
                        uploads.append(answer.json()["id"])
                stop.wait(0.5)

    uploads: list[str] = []
    try:
        with server.client(Role.ARCHIVIST) as client:
            answer = client.post("/api/v1/documents", files=[
                ("file", (p.name, p.read_bytes(), "image/png")) for p in scans[:-1]])
            assert answer.status_code == 202, answer.text
            batch_id = answer.json()["id"]
            done = poll(lambda: [f for f in client.get(f"/api/v1/batches/{batch_id}").json()
                                 ["files"] if f["record_id"]], 300, "a first file done")
            record_id = done[0]["record_id"]
            seaweed.kill()
            TALLY.faults["S3 server stopped"] += 1
            officer = threading.Thread(target=use_the_api)
            officer.start()
            time.sleep(rng.uniform(6.0, 12.0))  # the outage's length: seeded
            seaweed.start()
            stop.set()
            officer.join(timeout=300)
            assert not officer.is_alive()
            batches = [server.wait_batch(client, b, deadline_s=600)
                       for b in [batch_id, *uploads]]
        # A batch that ended in the outage kept its journal (its report could not be
        # stored): the next start stores the report and removes the journal.
        _stop(server)
        server = serve(data, port, env)
        poll(lambda: not staged_left(server.settings), 120, "reports of the outage stored")
    finally:
        stop.set()
        _stop(server)
    files = [f for body in batches for f in body["files"]]
    failed = {f["filename"] for f in files if f["status"] == "failed"}
    # Failed for the outage only: a file's store write, or its batch's preflight.
    assert {f["code"] for f in files if f["status"] == "failed"} <= {
        "storage_unavailable", "dependency_unavailable"}
    if not uploads:  # the last scan was never accepted: it was not sent in this sense
        scans = scans[:-1]
    # A file failed in the outage may be stored by a later upload of the same scan.
    sent_failed = {n for n in failed if all(f["status"] == "failed" for f in files
                                            if f["filename"] == n)}
    assert TALLY.server_errors == 0
    _check_archive(Settings.from_env(env), env, scans, sent_failed)
