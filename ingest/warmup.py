"""The OCR workers' initializer, in a module of its own.

A process pool pickles its initializer by reference, and each worker imports the module
that names it before its first job. Named in ``ingest.batch``, it made every worker
import the batch driver and, through ``application.runtime``, the whole command:
pyHanko, aiohttp, fontTools, the search and statistics stores (~0.35 s of CPU a worker
and batch, twice a batch, ~4 % of a batch of a dozen pages). Here it costs nothing: this
module imports no more than the standard library until the function runs.
"""

from __future__ import annotations


def warm() -> None:
    """The official-unit indexes built (a no-op where the workers' server built them,
    ``ingest.preload``). Not ``extract.places.warm`` itself: pickling that for the pool
    would load the indexes' module in the command, which never uses it."""
    from extract.places import warm as build

    build()
