"""What every OCR worker needs, imported and built once in the pool's forkserver.

``ingest.batch`` names this module as its pool's forkserver preload
(``ingest.lifeline.pool_context``): the server imports it before forking any worker,
and each worker starts with the modules its jobs unpickle (pages: ``ocr``; documents:
``ingest.pipeline``, signing's placement and the rest, and extraction; the
PDF/A checker, about 0.1 s on a document's first use), with the official-unit
indexes built (``extract.places.warm``: about 0.1 s loaded from their file in the user's
cache, 0.25 s built) and the seal search's spectra for A4 pages
(``ocr.prepare.warm_seal_search``, about 0.06 s), instead of paying them again in every
worker of every batch; and with all of it frozen out of the garbage collector's reach,
without a collection (below).

Importing it has that one effect on purpose. The workers' own initializer still warms
(a no-op when this ran), so a pool whose server started without this list, or a
failure here, costs time and nothing else.
"""

from __future__ import annotations

import gc
import importlib
import logging
import os

# What the workers' jobs unpickle and run: pages (``ocr``), documents (``ingest.pipeline``,
# and the extraction and handwriting readers it imports where it runs them) and the PDF/A
# check ``ocr.assemble`` loads on first use.
MODULES = ("pikepdf.pdfa", "ingest.pipeline", "extract.analyze", "extract.reread",
           "ingest.handwriting", "ocr.pipeline",
           # Loaded on first use inside the pages' code (``np.isin`` loads ``numpy.ma``,
           # the loose-pixel sample ``numpy.random``; ``Image.open`` Pillow's common
           # formats, ``preinit`` below): each worker of each batch paid ~12 ms for them.
           "numpy.ma", "numpy.random", "PIL.ImageSequence")


def _load() -> None:
    # The imports and the indexes make several hundred thousand objects that live as
    # long as the workers. With the collector on, every few thousand new objects set off
    # a collection that walks all of them again (six full ones, ~0.2 s CPU, on the
    # batch's critical path: no worker is forked before this ends); none runs.
    gc.disable()
    try:
        for name in MODULES:
            importlib.import_module(name)
        from PIL import Image

        Image.preinit()
        from extract.places import warm
        from ocr import tessapi
        from ocr.base import configured_languages

        # Tesseract's model (and its orientation model) loaded once for every worker.
        tessapi.preload(configured_languages(os.environ))
        # The seal search's ring spectra for A4 pages (47 MB, shared by the workers).
        from ocr.prepare import warm_seal_search

        warm_seal_search()

        try:
            warm()
        except Exception:  # the server must start whatever happens: workers warm themselves
            logging.getLogger("sohoa.ingest").exception("preloading the workers' indexes failed")
    finally:
        # Everything above lives as long as the workers: kept out of the collector's
        # scans. ``ocr.assemble`` runs a full collection before each PDF/A check, and
        # walking these modules and indexes made it cost about 80 ms a document (the
        # workers' own objects, made after the fork, are collected as before).
        # Frozen without a collection first (as ``cli.entry`` does): the ~1 800 objects
        # of garbage the imports leave among ~290 000 would take a full walk, ~0.07 s
        # CPU, to find — 8 % of this server's start, which is the longer of the two
        # starts a batch's first page waits for (``bench/ingest_timeline.py``:
        # ~0.9 s here against ~0.75 s of the command's own) — and cost a few hundred
        # kB kept, shared by the workers.
        gc.freeze()
        gc.enable()


_load()
