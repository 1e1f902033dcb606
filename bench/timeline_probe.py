"""Trace points for ``bench/ingest_timeline.py`` (imported by the traced command, its
workers' server and its workers; not used by sohoa itself).

Each event is one line ``<unix time> <pid> <process CPU s> <label>`` appended to the file named by
``SOHOA_TIMELINE``; the workers find this module on the path the command hands its
server (``ingest.lifeline.start_forkserver``) and unpickle the wrapped jobs from it.
Importing it logs ``import timeline_probe``: named first in the server's preload
list, that is the server's start.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from typing import Any

_PATH = os.environ.get("SOHOA_TIMELINE", "")


def mark(label: str) -> None:
    if not _PATH:
        return
    # Wall clock, this process's CPU seconds (all its threads), what happened.
    line = f"{time.time():.6f} {os.getpid()} {time.process_time():.4f} {label}\n".encode()
    fd = os.open(_PATH, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def traced(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` logging ``<label> start`` / ``<label> end`` round each call."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        mark(f"{label} start")
        try:
            return fn(*args, **kwargs)
        finally:
            mark(f"{label} end")

    return wrapper


# Jobs the workers run: module-level, so a pool pickles them by name.
def run_page(job: Any) -> Any:
    from ocr import run_page as real

    name = (f"{os.path.basename(os.path.dirname(str(job.source_path)))[:8]}#{job.index + 1}"
            f" {os.path.getsize(str(job.source_path)) / 1e3:.0f}kB")
    mark(f"page start {name}")
    try:
        return real(job)
    finally:
        mark(f"page end {name}")


def compose(*args: Any, **kwargs: Any) -> Any:
    from ingest.pipeline import compose as real

    mark("compose start")
    try:
        return real(*args, **kwargs)
    finally:
        mark("compose end")


def warm() -> None:
    from extract.places import warm as real

    mark("worker warm start")
    try:
        real()
    finally:
        mark("worker warm end")


mark("import timeline_probe")


# Full collections (``gc.collect``) timed where they run: the archival PDF's assembly
# collects before its PDF/A check (``ocr.assemble``).
if os.environ.get("SOHOA_TIMELINE_GC"):
    import gc

    gc.collect = traced("gc.collect", gc.collect)
