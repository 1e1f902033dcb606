"""Worker processes that die with the process that started them.

A ``kill -9`` of ``sohoa ingest`` or ``sohoa serve`` gives the process no chance to
stop its pool. Children forked from it used to live on: blocked on a queue nobody
reads, holding the SQLite index open and (for ``serve``) the listening socket, so the
restart failed with "address already in use". Three things prevent it:

- the pool starts its processes from a *forkserver*: a fresh interpreter started
  with only its own pipes, so no child holds the parent's socket or files, and which
  exits as soon as the parent's end of its pipe closes (the parent is gone);
- each child asks Linux to kill it when its parent dies (``PR_SET_PDEATHSIG``);
- a watchdog thread in each child exits it when its parent changes or the driver
  process is gone: the fallback where ``prctl`` is not available.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def pool_context() -> Any:
    """The start method of every process pool sohoa makes (see the module's doc)."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(method)


def die_with_parent(driver_pid: int, *, deathsig: bool = True) -> None:
    """In a pool child: end this process when its parent or ``driver_pid`` ends.

    ``deathsig=False`` where the child may have been started by a thread that ends
    before its process does (Linux sends the signal when that *thread* exits): the
    watchdog alone then."""
    parent = os.getppid()
    if deathsig and sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if not _alive(driver_pid):  # it died before prctl took effect
        os._exit(1)
    thread = threading.Thread(target=_watch, args=(parent, driver_pid),
                              name="sohoa-lifeline", daemon=True)
    thread.start()


def _watch(parent: int, driver_pid: int) -> None:
    while os.getppid() == parent and _alive(driver_pid):
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, killed but not yet reaped, counts as gone)."""
    if os.path.isdir("/proc/self"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            return False
        return state not in (b"Z", b"X")
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _start(driver_pid: int, initializer: Any) -> None:
    die_with_parent(driver_pid)
    if initializer is not None:
        initializer()


def tethered_pool(size: int, initializer: Any = None) -> ProcessPoolExecutor:
    """A process pool whose children die with this process (``initializer`` runs
    after the tether, in each child)."""
    return ProcessPoolExecutor(max_workers=size, mp_context=pool_context(),
                               initializer=_start, initargs=(os.getpid(), initializer))
