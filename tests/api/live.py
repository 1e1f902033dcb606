"""A real sohoa API server for tests: uvicorn in a subprocess on a free loopback port.

The test process shares the server's data directory, so it can create tokens and seed
records (store + index, no OCR) exactly as ``sohoa token create`` and the pipeline do.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from api.protocol import PROTOCOL
from api.tokens import Role, create_token
from application.settings import Settings
from records import Record
from storage import open_store, save_record
from tests.support.reuse import small_pdf

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SOHOA_")}
    env.update(
        SOHOA_DATA=str(data_dir),
        SOHOA_AGENCY="ubnd-a",
        SOHOA_WORKERS="1",
        OMP_THREAD_LIMIT="1",
        PYTHONPATH=str(ROOT),
    )
    env.update(extra)
    return env


@dataclass
class LiveServer:
    base_url: str
    data_dir: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    tokens: dict[str, str] = field(default_factory=dict)

    @property
    def settings(self) -> Settings:
        return Settings.from_env(self.env)

    def token(self, role: Role | str, agency: str = "ubnd-a") -> str:
        """A token for ``role`` at ``agency``, created once per server."""
        key = f"{role}@{agency}"
        if key not in self.tokens:
            store = open_store(self.settings.storage_url)
            self.tokens[key] = create_token(store, role=Role(role), agency=agency, label=key)
        return self.tokens[key]

    def client(self, role: Role | str | None = None, agency: str = "ubnd-a",
               timeout: float = 60.0) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.token(role, agency)}"} if role else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=timeout)

    def seed(self, *records: Record) -> list[Record]:
        """Store records with a small real PDF as archival copy and index them."""
        from search import open_index

        settings = self.settings
        store = open_store(settings.storage_url)
        index = open_index(settings.index_url)
        try:
            with self._signer() as signer:
                for record in records:
                    if record.files.archival_pdf:
                        signed = signer.sign(small_pdf(record.id), record_id=record.id).data
                        store.put(record.files.archival_pdf, signed,
                                  content_type="application/pdf")
                    save_record(store, record)
            index.upsert_many(records)
        finally:
            index.close()
        return list(records)

    def _signer(self) -> Any:
        """The server's own (development) identity: what it verifies releases against."""
        from signing import SigningSettings, ensure_dev_identity, load_signer

        settings = self.settings
        identity = ensure_dev_identity(settings.data_dir / "signing", settings.agency)
        return load_signer(
            SigningSettings(agency_name=settings.agency, visible=False),
            identity,
        )

    def wait_batch(self, client: httpx.Client, batch_id: str, deadline_s: float = 300) -> Any:
        """Poll a batch until it is done (or the deadline passes)."""
        deadline = time.monotonic() + deadline_s
        while True:
            body = client.get(f"/api/v1/batches/{batch_id}").json()
            if body.get("status") in ("done", "failed"):
                return body
            if time.monotonic() > deadline:
                raise TimeoutError(f"batch {batch_id} still {body.get('status')}")
            time.sleep(0.25)


def wait_healthy(base_url: str, process: subprocess.Popen[bytes], deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"{base_url} not healthy after {deadline_s}s")


@contextmanager
def running_server(data_dir: Path, *, workers: int = 1, **env_extra: str) -> Iterator[LiveServer]:
    data_dir.mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_env(data_dir, **env_extra)
    log = (data_dir / "server.log").open("ab")
    command = [
        sys.executable, "-m", "uvicorn", "--factory", "api.app:app_from_env",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
        "--workers", str(workers), "--http", PROTOCOL,  # as ``sohoa serve`` runs it
    ]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=log)
    server = LiveServer(f"http://127.0.0.1:{port}", data_dir, env, process)
    try:
        wait_healthy(server.base_url, process)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def server_log(server: LiveServer) -> str:
    return (server.data_dir / "server.log").read_text(encoding="utf-8", errors="replace")
