"""Real processes for the fault tests: start sohoa commands, find their descendants,
kill them and wait (on a condition, with a deadline) until everything they left ends."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from specimens import DOC_TYPES, generate, render_page
from tests.api.live import ROOT, LiveServer, wait_healthy

T = TypeVar("T")


def sohoa(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``sohoa ARGS`` of this tree, in its own session (its output appended to ``log``)."""
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "cli.entry", *args], env=env, cwd=ROOT,
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def serve(data: Path, port: int, env: dict[str, str], log: Path | None = None) -> LiveServer:
    """``sohoa serve`` on ``port``, once it answers (its log in ``data`` unless given)."""
    process = sohoa(["serve", "--host", "127.0.0.1", "--port", str(port)], env,
                    log or data / "server.log")
    server = LiveServer(f"http://127.0.0.1:{port}", data, env, process)
    wait_healthy(server.base_url, process, deadline_s=120)
    return server


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, None when it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return None
    fields = raw.rsplit(b")", 1)[1].split()
    return fields[0].decode(), int(fields[1])


def alive(pid: int) -> bool:
    """Running: a zombie (killed, not yet reaped by whoever adopted it) counts as gone."""
    stat = _stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid``."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[0] not in ("Z", "X"):
                children.setdefault(stat[1], []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def poll(check: Callable[[], T], deadline_s: float, what: str, step: float = 0.1) -> T:
    """``check()`` once it is truthy; fails with ``what`` when the deadline passes."""
    deadline = time.monotonic() + deadline_s
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {deadline_s:.0f} s: {what}")
        time.sleep(step)


def kill_hard(process: subprocess.Popen[bytes]) -> set[int]:
    """``kill -9`` of the process alone (not its group); the descendants it had."""
    left = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    return left


def command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def scan_pngs(folder: Path, count: int, seed: int = 0, dpi: int = 100) -> list[Path]:
    """``count`` small synthetic scans (one page each, distinct content)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        specimen = generate(DOC_TYPES[n % len(DOC_TYPES)], seed + n)
        out = io.BytesIO()
        render_page(specimen, dpi=dpi).save(out, format="PNG", dpi=(dpi, dpi))
        path = folder / f"scan-{seed + n:03d}.png"
        path.write_bytes(out.getvalue())
        paths.append(path)
    return paths
