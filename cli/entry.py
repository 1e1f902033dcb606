"""The ``sohoa`` entry point (pyproject.toml): starts the OCR workers' server first when
the command is a local batch, then loads the command line.

Loading the command line costs about 1.3 s of CPU (pyHanko, extraction's tables, the
index and store clients); the pool's forkserver then loads the workers' modules and
official-unit indexes (``ingest.preload``, about as long). One after the other, a
batch's first page waited for both; started here, the server loads on the other core
while this process loads, reads the settings, checks dependencies and admits files.
``ingest.lifeline.pool_context`` finds the server running (it reads its preload list
once, when it starts: ``tests/test_cli_entry.py`` keeps the two lists equal). Kept
free of sohoa imports but ``ingest.lifeline`` (standard library only): anything imported
here is loaded before the server starts.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from collections.abc import Callable, Mapping, Sequence

# The commands that run a batch's OCR in a local process pool (unless a broker is
# configured: then Celery's workers do).
LOCAL_BATCH_COMMANDS = frozenset({"ingest", "watch"})
PRELOAD = ["ingest.preload"]


def runs_local_batch(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether ``sohoa ARGV`` will start a local worker pool: a batch command, without
    ``--help`` and without a broker URL (the distributed driver enqueues instead)."""
    command = next((a for a in argv if not a.startswith("-")), None)
    if command not in LOCAL_BATCH_COMMANDS or environ.get("SOHOA_BROKER_URL"):
        return False
    return not any(a in ("-h", "--help") for a in argv)


def main() -> int:
    if (runs_local_batch(sys.argv[1:], os.environ)
            and "forkserver" in multiprocessing.get_all_start_methods()):
        # Standard library only (``ingest`` loads its names on first use).
        from ingest.lifeline import start_forkserver

        start_forkserver(PRELOAD)
    return load_command_line()()  # after the server has started: see the module doc


def load_command_line() -> Callable[[], int]:
    """``cli.main.main``, imported with the garbage collector held off, then its
    modules frozen out of the collector's scans.

    The import makes about 100 000 objects that live as long as the process; with the
    collector on, each few thousand new ones set off a collection that walked all of them
    again (~0.06 s of a batch's start), and every full collection of the batch after
    that (about one per three documents: results coming back from the workers) walked
    them too (~30 ms each). Frozen without a collection first: the import leaves about
    two thousand objects of garbage, which would cost more to find (0.08 s) than to keep.
    """
    gc.disable()
    try:
        from cli.main import main as run
    finally:
        gc.freeze()
        gc.enable()
    return run


if __name__ == "__main__":  # ``python -m cli.entry``: the tests' way to run the command
    raise SystemExit(main())
