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

The forkserver is also where the workers' start-up is paid once instead of once per
worker: it imports the ``preload`` modules a pool names before it forks any child, and
it is started as soon as the pool is made, so those imports overlap the caller's own
work (a batch's checks and admission) instead of following it.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver
from typing import Any

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def pool_context(preload: Sequence[str] = ()) -> Any:
    """The start method of every process pool sohoa makes (see the module's doc).

    With the forkserver, ``preload`` names modules it imports before forking any child,
    and the server is started now. A child forked from it has them already; without
    that, each child imported them itself, and more: a forkserver child re-imports the
    command's ``__main__`` (for ``sohoa``, the whole command line) before its first job
    (about 1.4 s of CPU per worker and batch on the reference machine). The server is
    one per process and reads the list once, when it starts; a later list is ignored.
    """
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver" and preload:
        # Starting the server does not wait for its imports: the first child's start
        # does, by when the caller has usually done its own checks.
        start_forkserver(preload)
    return context


def start_forkserver(preload: Sequence[str]) -> None:
    """Start this process's forkserver (if not running) importing ``preload``, from the
    same ``sys.path`` as this process.

    CPython's server is a fresh ``python -c`` that ignores the path it is handed: it
    imported its preload from the *current directory* first. ``sohoa ingest`` run from
    inside another checkout (or any folder with an ``ocr/`` or ``extract/`` of its own)
    had its workers run that folder's code while the batch's own process ran the
    installed one; benches of two checkouts compared one with itself. The server now
    gets this process's path (PYTHONPATH) and no current directory (PYTHONSAFEPATH),
    set only while it is started.
    """
    multiprocessing.get_context("forkserver").set_forkserver_preload(list(preload))
    names = ("PYTHONPATH", "PYTHONSAFEPATH")
    saved = {name: os.environ.get(name) for name in names}
    # An empty entry is this process's current directory (``python -m``/``-c``).
    os.environ["PYTHONPATH"] = os.pathsep.join(entry or os.getcwd() for entry in sys.path)
    os.environ["PYTHONSAFEPATH"] = "1"
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


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


def tethered_pool(size: int, initializer: Any = None,
                  preload: Sequence[str] = ()) -> ProcessPoolExecutor:
    """A process pool whose children die with this process (``initializer`` runs
    after the tether, in each child; ``preload``: see ``pool_context``)."""
    return ProcessPoolExecutor(max_workers=size, mp_context=pool_context(preload),
                               initializer=_start, initargs=(os.getpid(), initializer))
