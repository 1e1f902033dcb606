"""Pages per minute on Celery workers (1 and 2 processes) next to the in-process mode.

Same batch, same machine, same run. Redis (Debian redis-server) is the broker and
SeaweedFS (S3) the object store for the distributed runs; the in-process run uses the
embedded defaults. Then, to say where the bottleneck moves at N machines, it times
each stage of the pipeline on a few documents (OCR, PDF/A, extraction, signature,
storage put, index upsert) and the broker's round trip.

    .venv/bin/python bench/distributed_bench.py [--pages 200] [--seed 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from specimens import generate, render_page  # noqa: E402
from tests.support.redis_server import RedisServer  # noqa: E402
from tests.support.seaweed import SeaweedServer  # noqa: E402

SOHOA = str(Path(sys.executable).with_name("sohoa"))
TYPES = ["birth_certificate", "marital_status_certificate", "household_business_registration",
         "criminal_record_certificate"]


def make_pages(folder: Path, count: int, seed: int) -> None:
    folder.mkdir(parents=True)
    for i in range(count):
        spec = generate(TYPES[i % len(TYPES)], seed=seed * 10_000 + i)
        render_page(spec, dpi=200).convert("L").save(folder / f"p{i:04d}.png", dpi=(200, 200))


def run_ingest(env: dict[str, str], folder: Path) -> tuple[float, int]:
    start = time.perf_counter()
    proc = subprocess.run([SOHOA, "ingest", str(folder), "--json"], env=env,
                          capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    ok = sum(1 for line in proc.stdout.splitlines()
             if json.loads(line).get("status") in ("ready", "needs_review"))
    return elapsed, ok


def distributed(folder: Path, work: Path, processes: int, redis: RedisServer,
                weed: SeaweedServer) -> tuple[float, int]:
    redis_flush(redis)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1", "SOHOA_DATA": str(work / f"d{processes}"),
           "SOHOA_STORAGE_URL": weed.url(f"bench-{processes}"),
           "SOHOA_S3_ACCESS_KEY": weed.access_key, "SOHOA_S3_SECRET_KEY": weed.secret_key,
           "SOHOA_S3_SECURE": "false", "SOHOA_BROKER_URL": redis.url}
    worker = subprocess.Popen(
        [SOHOA, "worker", "--queues", "ocr,default", "--concurrency", str(processes)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        return run_ingest(env, folder)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(60)


def redis_flush(server: RedisServer) -> None:
    import redis

    redis.Redis.from_url(server.url).flushdb()


def stage_costs(folder: Path, work: Path, weed: SeaweedServer, redis: RedisServer,
                samples: int) -> dict[str, float]:
    """Median seconds per document of each stage, measured on ``samples`` documents."""
    import redis as redis_client

    from extract import analyze
    from ingest.pipeline import receive
    from ocr import assemble_pdf, plan_pages, run_page
    from records import Record, Source, record_id_for
    from search import open_index
    from signing import SigningSettings, ensure_dev_identity, load_signer
    from storage import open_store

    os.environ["OMP_THREAD_LIMIT"] = "1"
    identity = ensure_dev_identity(work / "stage-signing", "bench")
    signer = load_signer(SigningSettings(agency_name="bench"), identity)
    store = open_store(weed.url("bench-stages"), access_key=weed.access_key,
                       secret_key=weed.secret_key, secure=False)
    index = open_index(f"sqlite:///{work / 'stage-index.sqlite3'}")
    broker = redis_client.Redis.from_url(redis.url)
    times: dict[str, list[float]] = {k: [] for k in
                                     ("ocr", "pdfa", "extract", "sign", "store", "index",
                                      "broker_roundtrip")}
    for path in sorted(folder.iterdir())[:samples]:
        received = receive(path, work=work / "stage-docs" / path.name, agency="bench",
                           max_bytes=1 << 30)
        t = time.perf_counter()
        pages = [run_page(job) for job in plan_pages(str(received.path),
                                                     received.source.media_type,
                                                     out_dir=str(received.work))]
        times["ocr"].append(time.perf_counter() - t)
        t = time.perf_counter()
        pdf = assemble_pdf(pages, title=path.name)
        times["pdfa"].append(time.perf_counter() - t)
        t = time.perf_counter()
        analyze([p.text for p in pages], [p.words for p in pages])
        times["extract"].append(time.perf_counter() - t)
        t = time.perf_counter()
        signed = signer.sign(pdf).data
        times["sign"].append(time.perf_counter() - t)
        t = time.perf_counter()
        rid = record_id_for("bench", received.source.sha256)
        store.put(f"bench/{rid}/original.png", path.read_bytes())
        store.put(f"bench/{rid}/archival.pdf", signed)
        times["store"].append(time.perf_counter() - t)
        record = Record(id=rid, agency="bench", source=Source(
            filename=path.name, sha256=received.source.sha256, media_type="image/png",
            size=received.source.size, pages=len(pages)), text=pages[0].text)
        t = time.perf_counter()
        index.upsert(record)
        times["index"].append(time.perf_counter() - t)
        t = time.perf_counter()
        broker.lpush("bench-q", json.dumps({"doc": rid}))
        broker.brpop(["bench-q"], timeout=5)
        times["broker_roundtrip"].append(time.perf_counter() - t)
    signer.close()
    index.close()
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=200)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--stage-samples", type=int, default=8)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="sohoa-dist-bench-"))
    redis = RedisServer(work / "redis")
    weed = SeaweedServer(work / "weed")
    try:
        folder = work / "pages"
        make_pages(folder, args.pages, args.seed)
        redis.start()
        weed.start()
        rows = []
        env = {**os.environ, "OMP_THREAD_LIMIT": "1", "SOHOA_DATA": str(work / "embedded"),
               "SOHOA_WORKERS": "2"}
        rows.append(("in-process, 2 processes (embedded)", *run_ingest(env, folder)))
        for processes in (1, 2):
            rows.append((f"Celery, {processes} worker process(es), S3",
                         *distributed(folder, work, processes, redis, weed)))
        print(f"batch: {args.pages} pages (200 dpi, one page per document), 2 cores")
        print(f"{'mode':40} {'seconds':>8} {'records':>8} {'pages/min':>10}")
        for name, seconds, ok in rows:
            print(f"{name:40} {seconds:8.1f} {ok:8d} {ok / seconds * 60:10.1f}")
        costs = stage_costs(folder, work, weed, redis, args.stage_samples)
        total = sum(v for k, v in costs.items() if k != "broker_roundtrip")
        print("\nmedian seconds per document by stage (one process):")
        for name, seconds in costs.items():
            print(f"  {name:18} {seconds * 1000:9.1f} ms  {seconds / total:6.1%}")
    finally:
        weed.stop()
        redis.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
