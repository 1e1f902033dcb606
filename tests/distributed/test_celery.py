"""Crash-safe batches on real Celery workers, real Redis and a real S3 server.

Workers run as subprocesses (``sohoa worker``) and are killed with SIGKILL at random
moments while a batch runs; the batch must still end with exactly one record per
document, every signature valid, and the index matching storage.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from application import Runtime, Settings
from ingest.distributed import BatchProgress, Ledger, staging_key
from signing import ensure_dev_identity, verify_pdf
from specimens import generate, render_page
from storage import iter_latest_records
from tests.support.redis_server import RedisServer
from tests.support.seaweed import SeaweedServer

SOHOA = str(Path(sys.executable).with_name("sohoa"))


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    server = SeaweedServer(tmp_path_factory.mktemp("weed"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def distributed_env(
    sohoa_env: dict[str, str], redis_server: RedisServer, seaweed: SeaweedServer,
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> dict[str, str]:
    bucket = f"sohoa-{tmp_path.name[-8:].lower().replace('_', '-')}"
    env = {
        **sohoa_env,
        "SOHOA_STORAGE_URL": seaweed.url(bucket),
        "SOHOA_S3_ACCESS_KEY": seaweed.access_key,
        "SOHOA_S3_SECRET_KEY": seaweed.secret_key,
        "SOHOA_S3_SECURE": "false",
        "SOHOA_BROKER_URL": redis_server.url,
        # Short, so that the task of a worker killed whole is handed out again soon.
        "SOHOA_BROKER_VISIBILITY_TIMEOUT": "20",
        "SOHOA_WORKERS": "1",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    redis_server_flush(redis_server)
    return env


def redis_server_flush(server: RedisServer) -> None:
    import redis

    redis.Redis.from_url(server.url).flushdb()


def _make_batch(folder: Path, count: int) -> None:
    folder.mkdir()
    types = ["birth_certificate", "marital_status_certificate", "criminal_record_certificate"]
    for i in range(count):
        spec = generate(types[i % len(types)], seed=1000 + i)
        # Small pages keep 50 documents of OCR within a couple of minutes on 2 cores.
        render_page(spec, dpi=110).convert("L").save(folder / f"doc-{i:03d}.png", dpi=(110, 110))


class Workers:
    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env, "OMP_THREAD_LIMIT": "1"}
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen[bytes]] = []
        self.started = 0

    def start(self) -> None:
        self.started += 1
        log = (self.log_dir / f"worker-{self.started}.log").open("wb")
        self.procs.append(subprocess.Popen(
            [SOHOA, "worker", "--queues", "ocr,default", "--concurrency", "1"],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        ))

    def kill_one(self, rng: random.Random) -> None:
        alive = [p for p in self.procs if p.poll() is None]
        victim = rng.choice(alive)
        os.killpg(victim.pid, signal.SIGKILL)  # the worker and its pool child, mid-task
        victim.wait()

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


@pytest.mark.slow
def test_batch_survives_killed_workers(distributed_env: dict[str, str], tmp_path: Path) -> None:
    count = 50
    batch = tmp_path / "batch"
    _make_batch(batch, count)
    settings = Settings.from_env()
    # The development identity is made once, before workers race to create it.
    ensure_dev_identity(settings.data_dir / "signing", settings.agency)

    workers = Workers(distributed_env, tmp_path)
    workers.start()
    workers.start()
    try:
        batch_id = _submit(batch, distributed_env)
        ledger = Ledger(settings.broker_url or "")
        rng = random.Random(20261123)
        kills = 0
        deadline = time.monotonic() + 900
        while True:
            progress = ledger.progress(batch_id)
            assert progress is not None
            if progress.pending == 0:
                break
            assert time.monotonic() < deadline, f"batch stuck: {progress.to_dict()}"
            # A chaos schedule, not synchronization: kill a worker now and then while
            # work is under way, and start a fresh one in its place.
            if kills < 4 and progress.done >= (kills + 1) * 8:
                workers.kill_one(rng)
                workers.start()
                kills += 1
            time.sleep(rng.uniform(0.2, 1.0))
        assert kills == 4
    finally:
        workers.stop()

    outcomes = ledger.outcomes(batch_id)
    assert len(outcomes) == count
    statuses = {name: e["outcome"]["status"] for name, e in outcomes.items()}
    assert set(statuses.values()) <= {"ready", "needs_review"}, statuses

    runtime = Runtime.open(settings)
    try:
        records = list(iter_latest_records(runtime.store))
        assert len(records) == count
        assert len({r.id for r in records}) == count
        assert sorted(r.source.filename for r in records) == sorted(outcomes)
        roots = runtime.trust_roots()
        for record in records:
            assert record.files.archival_pdf is not None  # an ingested record is signed
            signed = runtime.store.get(record.files.archival_pdf)
            report = verify_pdf(signed, trust_roots=roots)
            assert report.valid, (record.source.filename, report.reasons)
            assert runtime.store.head(staging_key(record.agency, record.source.sha256)) is None
        assert runtime.index.count() == count
        for record in records:
            assert runtime.index.get(record.id) is not None
    finally:
        runtime.close()


@pytest.mark.slow
def test_failed_after_retries_is_reported_and_retry_requeues(
    distributed_env: dict[str, str], tmp_path: Path
) -> None:
    batch = tmp_path / "batch"
    _make_batch(batch, 2)
    settings = Settings.from_env()
    ensure_dev_identity(settings.data_dir / "signing", settings.agency)
    env = {**os.environ, **distributed_env}
    # Submitted with no worker running, so the staged original can be taken away first:
    # every attempt then fails the same way (as when the object store lost it).
    batch_id = _submit(batch, distributed_env)
    runtime = Runtime.open(settings)
    ledger = Ledger(settings.broker_url or "")
    try:
        lost = ledger.submitted(batch_id)["doc-001.png"]
        staged = runtime.store.get(staging_key(lost["agency"], lost["sha256"]))
        runtime.store.delete(staging_key(lost["agency"], lost["sha256"]))

        workers = Workers(distributed_env, tmp_path)
        workers.start()
        try:
            progress = _wait_complete(ledger, batch_id)
            assert (progress.done, progress.failed) == (1, 1)
            failed = ledger.outcomes(batch_id)["doc-001.png"]["outcome"]
            assert failed["status"] == "failed"
            assert failed["code"] == "failed_after_retries"
            assert "3 lần thử" in failed["reason"]

            # Once the original is back, `sohoa retry` re-queues just that document.
            runtime.store.put(staging_key(lost["agency"], lost["sha256"]), staged)
            retried = subprocess.run([SOHOA, "retry", batch_id, "--json"], env=env,
                                     capture_output=True, text=True, check=True)
            assert json.loads(retried.stdout) == {"requeued": 1}
            progress = _wait_complete(ledger, batch_id)
            assert (progress.done, progress.failed) == (2, 0)
        finally:
            workers.stop()
        assert len(list(iter_latest_records(runtime.store))) == 2
    finally:
        runtime.close()


def _submit(batch: Path, env: dict[str, str]) -> str:
    """``sohoa ingest --no-wait`` as an archivist runs it; the batch id it prints."""
    submitted = subprocess.run(
        [SOHOA, "ingest", str(batch), "--no-wait", "--json"],
        env={**os.environ, **env}, capture_output=True, text=True, check=True,
    )
    return str(json.loads(submitted.stdout.splitlines()[-1])["batch_id"])


def _wait_complete(ledger: Ledger, batch_id: str, timeout: float = 300) -> BatchProgress:
    deadline = time.monotonic() + timeout
    while True:
        progress = ledger.progress(batch_id)
        assert progress is not None
        if progress.pending == 0:
            return progress
        assert time.monotonic() < deadline, f"batch stuck: {progress.to_dict()}"
        time.sleep(0.2)


def test_a_redelivered_task_after_commit_reports_the_record(
    sohoa_env: dict[str, str], tmp_path: Path
) -> None:
    """A worker that died after committing (and after removing the staged original) but
    before indexing or acknowledging gets its task delivered again: same record, nothing
    new in storage, and the record indexed."""
    from ingest.distributed import digitize_staged

    batch = tmp_path / "batch"
    _make_batch(batch, 1)
    path = batch / "doc-000.png"
    runtime = Runtime.open(Settings.from_env())
    try:
        import hashlib

        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        spec = {"filename": path.name, "agency": runtime.settings.agency, "sha256": sha}
        runtime.store.put(staging_key(spec["agency"], sha), path.read_bytes())
        first = digitize_staged(runtime, spec)
        assert first.status == "ingested" and first.record is not None
        assert runtime.store.head(staging_key(spec["agency"], sha)) is None
        objects = sorted(info.key for info in runtime.store.list(""))
        # The worst moment to die: the record committed in storage, not yet indexed.
        runtime.index.delete(first.record.id)

        again = digitize_staged(runtime, spec)

        assert again.status == "ingested" and again.record is not None
        assert again.record.id == first.record.id
        assert sorted(info.key for info in runtime.store.list("")) == objects
        indexed = runtime.index.get(first.record.id)
        assert indexed is not None and indexed["version"] == first.record.version
    finally:
        runtime.close()


def test_the_scheduled_index_repair_runs_on_a_worker(
    distributed_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler's index repair, sent the way beat sends it, heals a record that
    reached storage but not the index."""
    from ingest.distributed import DEFAULT_QUEUE, make_celery
    from storage import save_record
    from tests.support.search import make_record

    monkeypatch.setenv("SOHOA_INDEX_REPAIR_INTERVAL", "600")
    settings = Settings.from_env()
    app = make_celery(settings)
    entry = app.conf.beat_schedule["repair-index"]
    assert (entry["task"], entry["schedule"]) == ("sohoa.repair_index", 600)

    runtime = Runtime.open(settings)
    try:
        save_record(runtime.store, make_record("chi-trong-kho", agency=settings.agency))
        assert runtime.index.get("chi-trong-kho") is None
        workers = Workers(distributed_env, tmp_path)
        workers.start()
        try:
            app.send_task(entry["task"], queue=DEFAULT_QUEUE)
            deadline = time.monotonic() + 60
            while runtime.index.get("chi-trong-kho") is None:
                assert time.monotonic() < deadline, "the repair task did not run"
                time.sleep(0.2)
        finally:
            workers.stop()
    finally:
        runtime.close()


@pytest.mark.slow
def test_names_repeated_across_folders_and_repeated_documents_finish_the_batch(
    distributed_env: dict[str, str], tmp_path: Path
) -> None:
    """Two files named alike in different folders each get an outcome (the batch once
    waited for ever); a second copy of a document is skipped before any work; a file
    that fails for good leaves no staged original behind."""
    batch = tmp_path / "batch"
    _make_batch(batch, 2)
    (batch / "s1").mkdir()
    (batch / "s2").mkdir()
    (batch / "doc-000.png").rename(batch / "s1" / "001.png")
    (batch / "doc-001.png").rename(batch / "s2" / "001.png")
    (batch / "z-copy.png").write_bytes((batch / "s1" / "001.png").read_bytes())
    png = (batch / "s2" / "001.png").read_bytes()
    (batch / "broken.png").write_bytes(png[:8] + b"\x00\x00\x00\x09" + png[12:])
    settings = Settings.from_env()
    ensure_dev_identity(settings.data_dir / "signing", settings.agency)
    workers = Workers(distributed_env, tmp_path)
    workers.start()
    runtime = Runtime.open(settings)
    try:
        batch_id = _submit(batch, distributed_env)
        ledger = Ledger(settings.broker_url or "")
        _wait_complete(ledger, batch_id)
        outcomes = {name: (_kind(e["outcome"]["status"]), e["outcome"].get("code"))
                    for name, e in ledger.outcomes(batch_id).items()}
        staged = [info.key for info in runtime.store.list("_staging/")]
    finally:
        workers.stop()
        runtime.close()

    assert outcomes == {
        "001.png": ("ingested", None),
        "001 (2).png": ("ingested", None),
        "z-copy.png": ("skipped", "duplicate_in_batch"),
        "broken.png": ("failed", "image_corrupt"),
    }
    assert staged == []


def _kind(status: str) -> str:
    """An ingested document's outcome carries its record's status."""
    return "ingested" if status in ("ready", "needs_review") else status


def test_a_dead_holders_commit_lock_lasts_no_longer_than_the_visibility_timeout(
    redis_server: RedisServer,
) -> None:
    """A worker killed while committing leaves its lock behind; the task handed out
    again after the visibility timeout must get it then, not minutes later (a 600 s
    expiry once stalled the killed-workers batch past its deadline)."""
    import redis

    from application.locks import redis_lock

    client = redis.Redis.from_url(redis_server.url)
    killed = redis_lock(client, "r-dead-holder", expiry_seconds=2)
    killed.__enter__()  # ... and never left: its worker was killed mid-commit
    start = time.monotonic()
    with redis_lock(client, "r-dead-holder", expiry_seconds=2):
        waited = time.monotonic() - start
    assert waited < 5, waited
    client.close()
