"""Tesseract kept loaded in the worker process: libtesseract's C API through ctypes.

Starting the ``tesseract`` command with the ``vie`` model costs about 0.25 s of CPU
before it reads a pixel, and a page takes two to four such starts (the reading, the
second look at misread header pieces and skipped ink, the guard's plain reading, an
orientation retry): on the held-out set that was a third of a page's OCR time. One
``TessBaseAPI`` per process and thread, initialised once, reads every image after the
first without that cost, with the same engine, model, page segmentation, resolution and
outputs (TSV rows, the text-only PDF page) as the command, so the words are the same.

When the library cannot be used safely (not found, or OpenMP already started in this
process without a one-thread limit, where tesseract would spread one page over every
core and fight the other workers), ``available()`` is false and the caller runs the
command instead.
"""

from __future__ import annotations

import atexit
import ctypes
import ctypes.util
import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

# Setting ``SOHOA_TESSERACT_COMMAND=1`` makes every reading run the command, as before
# (for comparing the two paths, or a library build that misbehaves).
FORCE_COMMAND_ENV = "SOHOA_TESSERACT_COMMAND"
# Tesseract refuses images wider or taller than this (MAX_INT16), as the command does.
MAX_SIDE = 32767
# Tesseract 5.3+ reads again, inverted, each line whose mean confidence is below this
# variable (light print on a dark band); ``NO_INVERT`` turns that off for one reading.
INVERT_THRESHOLD = b"invert_threshold"
NO_INVERT = b"0"
# The characters a reading may produce (empty: any); set on every reading, so one
# reading's restriction never carries over to the next on the same engine.
WHITELIST = b"tessedit_char_whitelist"
TSV_HEADER = ("level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\t"
              "height\tconf\ttext\n")


@dataclass(frozen=True)
class Output:
    tsv: str  # with its header row, as the command writes it
    pdf: bytes | None


def _openmp_loaded() -> bool:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            return "libgomp" in maps.read()
    except OSError:
        return True  # cannot tell: assume the worst


@functools.cache
def _library() -> ctypes.CDLL | None:
    if os.environ.get(FORCE_COMMAND_ENV) == "1":
        return None
    if _openmp_loaded() and os.environ.get("OMP_THREAD_LIMIT") != "1":
        return None
    # OpenMP reads its limit when it loads, with libtesseract, just below.
    os.environ["OMP_THREAD_LIMIT"] = "1"
    name = ctypes.util.find_library("tesseract") or "libtesseract.so.5"
    try:
        lib = ctypes.CDLL(name)
    except OSError:
        return None
    handle, text, char_p = ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p
    signatures: dict[str, tuple[object, list[object]]] = {
        "TessBaseAPICreate": (handle, []),
        "TessBaseAPIDelete": (None, [handle]),
        "TessBaseAPIInit3": (ctypes.c_int, [handle, char_p, char_p]),
        "TessBaseAPISetPageSegMode": (None, [handle, ctypes.c_int]),
        "TessBaseAPISetVariable": (ctypes.c_int, [handle, char_p, char_p]),
        "TessBaseAPIGetDoubleVariable": (ctypes.c_int, [handle, char_p,
                                                        ctypes.POINTER(ctypes.c_double)]),
        "TessBaseAPISetImage": (None, [handle, ctypes.c_void_p, ctypes.c_int, ctypes.c_int,
                                       ctypes.c_int, ctypes.c_int]),
        "TessBaseAPISetSourceResolution": (None, [handle, ctypes.c_int]),
        "TessBaseAPIRecognize": (ctypes.c_int, [handle, ctypes.c_void_p]),
        "TessBaseAPIGetTsvText": (text, [handle, ctypes.c_int]),
        "TessBaseAPIGetDatapath": (char_p, [handle]),
        "TessBaseAPIClear": (None, [handle]),
        "TessBaseAPIDetectOrientationScript": (
            ctypes.c_int, [handle, ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_float),
                           ctypes.POINTER(ctypes.c_char_p), ctypes.POINTER(ctypes.c_float)]),
        "TessDeleteText": (None, [text]),
        "TessPDFRendererCreate": (handle, [char_p, char_p, ctypes.c_int]),
        "TessResultRendererBeginDocument": (ctypes.c_int, [handle, char_p]),
        "TessResultRendererAddImage": (ctypes.c_int, [handle, handle]),
        "TessResultRendererEndDocument": (ctypes.c_int, [handle]),
        "TessDeleteResultRenderer": (None, [handle]),
    }
    try:
        for symbol, (restype, argtypes) in signatures.items():
            function = getattr(lib, symbol)
            function.restype = restype
            function.argtypes = argtypes
    except AttributeError:
        return None
    return lib


def available() -> bool:
    return _library() is not None


class _Engine:
    """One initialised ``TessBaseAPI`` (not thread-safe: one per thread)."""

    def __init__(self, lib: ctypes.CDLL, languages: str) -> None:
        self.lib = lib
        self.handle = lib.TessBaseAPICreate()
        if lib.TessBaseAPIInit3(self.handle, None, languages.encode()) != 0:
            lib.TessBaseAPIDelete(self.handle)
            raise RuntimeError(f"tesseract failed: cannot load languages {languages!r}")
        self.datapath: bytes = lib.TessBaseAPIGetDatapath(self.handle) or b""
        # Tesseract's progress lines ("Detected 276 diacritics") went to the command's
        # captured stderr; in the worker they would fill the service's log.
        lib.TessBaseAPISetVariable(self.handle, b"debug_file", os.devnull.encode())
        # Tesseract's own threshold for reading a line again inverted, put back on the
        # readings that keep it (``read``'s ``invert``).
        threshold = ctypes.c_double()
        self.invert_threshold: bytes | None = (
            repr(threshold.value).encode()
            if lib.TessBaseAPIGetDoubleVariable(self.handle, INVERT_THRESHOLD,
                                                ctypes.byref(threshold))
            else None)

    def read(self, image: Image.Image, *, dpi: int, psm: int,
             pdf_base: Path | None, invert: bool = True, whitelist: str = "") -> Output:
        lib, handle = self.lib, self.handle
        gray = image if image.mode == "L" else image.convert("L")
        width, height = gray.size
        if width > MAX_SIDE or height > MAX_SIDE:
            raise RuntimeError(f"tesseract failed: Image too large: ({width}, {height})")
        pixels = gray.tobytes()
        lib.TessBaseAPISetPageSegMode(handle, psm)
        # The command's ``--dpi``: the resolution tesseract assumes for the image.
        lib.TessBaseAPISetVariable(handle, b"user_defined_dpi", str(dpi).encode())
        if self.invert_threshold is not None:  # a tesseract without it always inverts
            lib.TessBaseAPISetVariable(handle, INVERT_THRESHOLD,
                                       self.invert_threshold if invert else NO_INVERT)
        lib.TessBaseAPISetVariable(handle, WHITELIST, whitelist.encode())
        lib.TessBaseAPISetImage(handle, pixels, width, height, 1, width)
        lib.TessBaseAPISetSourceResolution(handle, dpi)
        try:
            if lib.TessBaseAPIRecognize(handle, None) != 0:
                raise RuntimeError(f"tesseract failed: recognition of a {width}×{height} "
                                   "image did not run")
            pdf = self._pdf(pdf_base) if pdf_base is not None else None
            raw = lib.TessBaseAPIGetTsvText(handle, 0)
            if not raw:
                raise RuntimeError("tesseract failed: no TSV")
            try:
                rows = ctypes.string_at(raw).decode("utf-8", errors="replace")
            finally:
                lib.TessDeleteText(raw)
        finally:
            lib.TessBaseAPIClear(handle)
        return Output(tsv=TSV_HEADER + rows, pdf=pdf)

    def orientation(self, image: Image.Image, *, dpi: int) -> tuple[int, float] | None:
        """Tesseract's orientation detection on ``image`` (an engine loaded with the
        ``osd`` model): (degrees the text is turned clockwise, confidence), or None."""
        lib, handle = self.lib, self.handle
        gray = image if image.mode == "L" else image.convert("L")
        pixels = gray.tobytes()
        lib.TessBaseAPISetImage(handle, pixels, gray.width, gray.height, 1, gray.width)
        lib.TessBaseAPISetSourceResolution(handle, dpi)
        degrees, confidence = ctypes.c_int(), ctypes.c_float()
        script, script_confidence = ctypes.c_char_p(), ctypes.c_float()
        try:
            found = lib.TessBaseAPIDetectOrientationScript(
                handle, ctypes.byref(degrees), ctypes.byref(confidence), ctypes.byref(script),
                ctypes.byref(script_confidence))
        finally:
            lib.TessBaseAPIClear(handle)
        return (int(degrees.value) % 360, float(confidence.value)) if found else None

    def _pdf(self, base: Path) -> bytes:
        """The text-only PDF page, written by tesseract's own renderer (as the command's
        ``-c textonly_pdf=1 pdf``) from the recognition just made."""
        lib = self.lib
        renderer = lib.TessPDFRendererCreate(str(base).encode(), self.datapath, 1)
        if not renderer:
            raise RuntimeError("tesseract failed: no PDF renderer")
        try:
            done = (lib.TessResultRendererBeginDocument(renderer, b"")
                    and lib.TessResultRendererAddImage(renderer, self.handle)
                    and lib.TessResultRendererEndDocument(renderer))
        finally:
            lib.TessDeleteResultRenderer(renderer)  # closes the file
        path = base.with_suffix(".pdf")
        if not done or not path.exists():
            raise RuntimeError("tesseract failed: the text-only PDF was not written")
        return path.read_bytes()


# Keyed by process and thread: an instance is used by one thread only. A forked child
# takes over the instances of the thread that forked it (``_after_fork``), not others.
_engines: dict[tuple[int, int, str], _Engine] = {}
_engines_lock = threading.Lock()


def _after_fork() -> None:
    """In a forked child: the forking thread's instances are its own copies now, kept
    for the one thread the child starts with (the pool's forkserver loads them once for
    every worker it forks: ``preload``); other threads' instances are not touched again."""
    global _engines_lock
    _engines_lock = threading.Lock()  # another thread may have held it at the fork
    me, pid = threading.get_ident(), os.getpid()
    kept = {(pid, me, languages): instance
            for (_, thread, languages), instance in _engines.items() if thread == me}
    _engines.clear()
    _engines.update(kept)


os.register_at_fork(after_in_child=_after_fork)


def preload(languages: str) -> None:
    """Load ``languages`` and the orientation model in this thread, for the processes it
    forks: each forked worker starts with both loaded (``_after_fork``) instead of
    loading them on its first page (~0.1 s and ~0.07 s of CPU per worker and batch).
    Nothing when the library cannot be used or a model is missing: the workers then
    load or fall back as they would have."""
    if not available():
        return
    try:
        _engine(languages)
    except RuntimeError:
        return
    try:
        _engine(OSD_MODEL)
    except RuntimeError:
        _osd_missing.append(True)


def _engine(languages: str) -> _Engine:
    lib = _library()
    assert lib is not None
    key = (os.getpid(), threading.get_ident(), languages)
    with _engines_lock:
        if key not in _engines:
            if not _engines:
                atexit.register(_release)
            _engines[key] = _Engine(lib, languages)
            if languages == OSD_MODEL:
                lib.TessBaseAPISetVariable(_engines[key].handle, b"min_characters_to_try",
                                           OSD_CHARACTERS)
        return _engines[key]


def _release() -> None:
    """Delete this process's instances at exit (else libtesseract's cache warns of
    leaks on stderr as the process ends)."""
    with _engines_lock:
        for key in [k for k in _engines if k[0] == os.getpid()]:
            engine = _engines.pop(key)
            engine.lib.TessBaseAPIDelete(engine.handle)


# The orientation model (``osd.traineddata``, installed with tesseract's data).
OSD_MODEL = "osd"
# Characters the orientation detection classifies before it may stop (tesseract's
# default 50): on a crop of the page's middle, 15 gave the same answer on every dev page
# it was sure of, in a third of the time (~0.1 s).
OSD_CHARACTERS = b"15"


def orientation(image: Image.Image, *, dpi: int) -> tuple[int, float] | None:
    """Degrees clockwise the text of ``image`` is turned (0/90/180/270) and tesseract's
    confidence in it, from this thread's loaded orientation model; None when the model
    is missing or tesseract found too little text to tell."""
    if _osd_missing:
        return None
    try:
        engine = _engine(OSD_MODEL)
    except RuntimeError:
        _osd_missing.append(True)  # not tried again for every page
        return None
    return engine.orientation(image, dpi=dpi)


_osd_missing: list[bool] = []


def read(image: Image.Image, *, languages: str, dpi: int, psm: int,
         pdf_base: Path | None, invert: bool = True, whitelist: str = "") -> Output:
    """Recognise ``image`` with this thread's loaded tesseract: its TSV and, when
    ``pdf_base`` is given, its text-only PDF page (written at ``pdf_base``.pdf).
    ``invert``: whether tesseract may read unconfident lines again inverted (its
    default); False skips those second readings (``engine.may_hold_reversed_text``).
    ``whitelist``: the only characters the reading may produce (empty: any)."""
    return _engine(languages).read(image, dpi=dpi, psm=psm, pdf_base=pdf_base, invert=invert,
                                   whitelist=whitelist)
