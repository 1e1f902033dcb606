"""Storage benchmarks: S3 throughput against the raw minio client, and reindex streaming.

Run from the repository root::

    .venv/bin/python bench/storage_bench.py                 # modest default run
    .venv/bin/python bench/storage_bench.py --scale 4 --records 10000,100000

1. Upload and read-back throughput on a local SeaweedFS, for 100 KB, 1 MB and 5 MB
   objects, through sohoa's ``S3Store`` (checksum, conditional write, verification)
   next to the raw ``minio`` client's put_object/get_object in the same run.
2. ``iter_latest_records`` over N small record JSONs on the filesystem store: time and
   peak Python memory (tracemalloc) for each N, to show memory stays flat.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from minio import Minio

from records.model import Files, Record, Source, Subject
from storage import (
    RetryPolicy,
    archival_key,
    iter_latest_records,
    open_store,
    original_key,
    save_record,
    text_key,
)
from storage.filestore import FileStore
from storage.s3store import S3Store
from tests.support.seaweed import SeaweedServer, running_seaweed

SIZES = [(100 * 1024, 40), (1024 * 1024, 16), (5 * 1024 * 1024, 6)]


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _raw_put(client: Minio, bucket: str, keys: list[str], data: bytes) -> None:
    for key in keys:
        client.put_object(bucket, key, io.BytesIO(data), len(data))


def _raw_get(client: Minio, bucket: str, keys: list[str]) -> None:
    for key in keys:
        response = client.get_object(bucket, key)
        try:
            response.read()
        finally:
            response.close()
            response.release_conn()


def _sohoa_put(store: S3Store, keys: list[str], data: bytes) -> None:
    for key in keys:
        store.put(key, data)


def _sohoa_get(store: S3Store, keys: list[str]) -> None:
    for key in keys:
        store.get(key)


def bench_s3(server: SeaweedServer, scale: float, rounds: int) -> list[dict[str, float]]:
    store = open_store(
        server.url("bench-sohoa"),
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=False,
        retry=RetryPolicy(max_wait=30),
    )
    assert isinstance(store, S3Store)
    # Like with like: the raw client gets the same urllib3 pool (size, retries, timeouts)
    # as the store, only the sohoa layer differs.
    client = Minio(
        server.endpoint,
        access_key=server.access_key,
        secret_key=server.secret_key,
        secure=False,
        http_client=store.client._http,
    )
    if not client.bucket_exists("bench-raw"):
        client.make_bucket("bench-raw")
    rows = []
    for size, base_count in SIZES:
        count = max(2, int(base_count * scale))
        data = os.urandom(size)
        times: dict[str, list[float]] = {
            "raw_put": [],
            "sohoa_put": [],
            "raw_get": [],
            "sohoa_get": [],
        }
        for r in range(rounds):
            keys = [f"s{size}/r{r}/obj-{i:05d}" for i in range(count)]
            # Alternate who goes first so cache warm-up does not favour one side.
            order = ["raw", "sohoa"] if r % 2 == 0 else ["sohoa", "raw"]
            steps = {
                "raw_put": functools.partial(_raw_put, client, "bench-raw", keys, data),
                "sohoa_put": functools.partial(_sohoa_put, store, keys, data),
                "raw_get": functools.partial(_raw_get, client, "bench-raw", keys),
                "sohoa_get": functools.partial(_sohoa_get, store, keys),
            }
            for phase in ("put", "get"):
                for who in order:
                    times[f"{who}_{phase}"].append(_timed(steps[f"{who}_{phase}"]))
        row: dict[str, float] = {"size": size, "count": count, "sha_ms": sha256_ms(data)}
        for name, values in times.items():
            seconds = statistics.median(values)
            row[f"{name}_mbs"] = count * size / seconds / 1e6
            row[f"{name}_ops"] = count / seconds
        rows.append(row)
    return rows


def _record(agency: str, n: int, version: int) -> Record:
    rid = f"{n:024x}"
    return Record(
        id=rid,
        agency=agency,
        source=Source(
            filename=f"giấy khai sinh {n}.jpg",
            sha256="0" * 64,
            media_type="image/jpeg",
            size=123456,
        ),
        doc_type="giay_khai_sinh",
        title="Giấy khai sinh",
        document_number=f"{n}/2024/KS",
        issuer="UBND phường Bến Nghé",
        subjects=[
            Subject(name="Nguyễn Thị Minh Khai", id_number=f"{n:012d}", birth_date="2024-01-02")
        ],
        fields={"noi_sinh": "Bệnh viện Từ Dũ", "quoc_tich": "Việt Nam"},
        files=Files(
            original=original_key(agency, rid, ".jpg"),
            archival_pdf=archival_key(agency, rid),
            text=text_key(agency, rid),
        ),
        version=version,
        created_at="2024-05-01T08:00:00+00:00",
    )


def seed_records(root: Path, count: int) -> FileStore:
    store = FileStore(root, fsync=False)  # seeding only: durability is not measured here
    for n in range(count):
        save_record(store, _record("ubnd-ben-nghe", n, 1))
        if n % 10 == 0:  # some corrected records: the latest version must win
            save_record(store, _record("ubnd-ben-nghe", n, 2))
    return store


def _count_latest(store: FileStore) -> int:
    return sum(1 for _ in iter_latest_records(store, "ubnd-ben-nghe"))


def sha256_rate(size: int = 5 * 1024 * 1024, repeat: int = 8) -> float:
    """Plain hashlib SHA-256 speed on this CPU: the floor of the read verification."""
    data = os.urandom(size)
    start = time.perf_counter()
    for _ in range(repeat):
        hashlib.sha256(data).digest()
    return size * repeat / (time.perf_counter() - start) / 1e6


def sha256_ms(data: bytes, repeat: int = 5) -> float:
    """Median milliseconds of one SHA-256 pass over ``data``: what verification adds."""
    times = [_timed(functools.partial(hashlib.sha256, data)) for _ in range(repeat)]
    return statistics.median(times) * 1000


def bench_reindex(counts: list[int], workdir: Path) -> list[dict[str, float]]:
    rows = []
    for count in counts:
        root = workdir / f"records-{count}"
        seed_seconds = _timed(functools.partial(seed_records, root, count))
        consume = functools.partial(_count_latest, FileStore(root))
        start = time.perf_counter()
        seen = consume()
        seconds = time.perf_counter() - start
        assert seen == count, (seen, count)
        tracemalloc.start()
        consume()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append(
            {
                "count": count,
                "seconds": seconds,
                "per_s": count / seconds,
                "peak_mb": peak / 1e6,
                "seed_s": seed_seconds,
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="multiply object counts (default 1)"
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds per size; the median is kept")
    parser.add_argument(
        "--records", default="2000,20000", help="record counts for the reindex part"
    )
    parser.add_argument("--skip-s3", action="store_true")
    parser.add_argument("--skip-reindex", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="sohoa-bench-") as tmp:
        if not args.skip_s3:
            load_before = _load()
            with running_seaweed(Path(tmp) / "weed") as server:
                rows = bench_s3(server, args.scale, args.rounds)
            print(f"\nload average (1/5/15 min) before: {load_before}, after: {_load()}")
            print("\nS3 (SeaweedFS on loopback), median of", args.rounds, "rounds")
            print(f"(SHA-256 alone on this CPU: {sha256_rate():.0f} MB/s)")
            print(
                f"{'size':>8} {'n':>4} | {'put raw':>16} {'put sohoa':>16} {'ovh':>6} | "
                f"{'get raw':>16} {'get sohoa':>16} {'ovh':>6} | "
                f"{'ms/get raw':>10} {'sohoa':>6} {'sha256':>6}"
            )
            for r in rows:
                put_ovh = 1 - r["sohoa_put_mbs"] / r["raw_put_mbs"]
                get_ovh = 1 - r["sohoa_get_mbs"] / r["raw_get_mbs"]
                print(
                    f"{_size(r['size']):>8} {int(r['count']):>4} | "
                    f"{r['raw_put_mbs']:6.1f} MB/s {r['raw_put_ops']:5.0f}/s "
                    f"{r['sohoa_put_mbs']:6.1f} MB/s {r['sohoa_put_ops']:5.0f}/s {put_ovh:6.1%} | "
                    f"{r['raw_get_mbs']:6.1f} MB/s {r['raw_get_ops']:5.0f}/s "
                    f"{r['sohoa_get_mbs']:6.1f} MB/s {r['sohoa_get_ops']:5.0f}/s {get_ovh:6.1%} | "
                    f"{1000 / r['raw_get_ops']:10.2f} {1000 / r['sohoa_get_ops']:6.2f} "
                    f"{r['sha_ms']:6.2f}"
                )
        if not args.skip_reindex:
            counts = [int(c) for c in args.records.split(",") if c]
            rows = bench_reindex(counts, Path(tmp))
            print("\niter_latest_records on the filesystem store (10% of records have 2 versions)")
            print(
                f"{'records':>8} | {'time':>8} {'records/s':>10} | "
                f"{'peak py mem':>12} | {'seed':>8}"
            )
            for r in rows:
                print(
                    f"{int(r['count']):>8} | {r['seconds']:7.2f}s {r['per_s']:10.0f} | "
                    f"{r['peak_mb']:9.2f} MB | {r['seed_s']:7.1f}s"
                )


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _size(n: float) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n / 1024:g} KB"


if __name__ == "__main__":
    main()
