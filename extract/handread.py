"""A handwriting-capable line recognizer that runs offline: asterocr's ONNX model.

`asterocr` (PyPI, MIT per its metadata) ships its weights inside the wheel
(`asterocr/assets/asternet.onnx`, 42.7 MB; input `[1, 3, 32, W]`, output CTC log
probabilities over its 227-symbol vocabulary). Only the model file and the vocabulary are
used, through our own onnxruntime session: `asterocr.AsterOCR` would fall back to
downloading from the Hugging Face Hub if the asset were missing, scales pixels to
[-1, 1] where its trainer used [0, 1] (worse on our crops), and runs with onnxruntime's
default thread count. Nothing here opens a socket: the session is made from the file in
site-packages, one thread, and onnxruntime's telemetry is switched off before it loads
(its Linux wheel otherwise keeps a device id and an upload queue under ~/.cache).
"""

from __future__ import annotations

import functools
import importlib.resources
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from extract.handregions import ink

HEIGHT = 32
# The widest line the model takes: its language head's positional encoding has 256
# positions, one per 4 pixels (a crop of 1564 pixels at this height failed onnxruntime's
# broadcast, 391 by 256, and with it the page's reading: fresh draw 9437). A wider
# crop is squeezed to it.
MAX_WIDTH = 256 * 4


# The print of the line above, cut by the crop's top edge: ink in the crop's first rows that
# ends in paper before this share of the height, then paper for at least PRINT_GAP of it
# before the writing. On ink bleed the line above's print ("Dân tộc: Kinh" over a birth
# date) swells into the crop and the line model reads it with the value ("3842:5"m" for
# 28/4/2009). The writing's own strokes that reach the top edge run on into the line, and
# a stroke's light spot leaves a row or two of paper, not PRINT_GAP (without it the top of
# a "1" on a blurred page, dev h0022's "100", was whitened).
PRINT_ABOVE_TO = 0.4
PRINT_GAP = 0.06


def without_print_above(crop: Image.Image) -> Image.Image:
    """``crop`` with the print of the line above it whitened (``PRINT_ABOVE_TO``), as it
    was when there is none. Measured on the crop: its paper is its 90th percentile level,
    ink as ``handregions.ink`` says."""
    gray = np.array(crop.convert("L"))
    if gray.size == 0:
        return crop
    paper = float(np.percentile(gray, 90))
    inked: np.ndarray[Any, Any] = np.asarray(ink(gray, paper).any(axis=1))
    if not inked[:2].any():
        return crop
    blank = np.nonzero(~inked)[0]
    if blank.size == 0 or blank[0] > PRINT_ABOVE_TO * crop.height:
        return crop
    end = int(blank[0])
    below = np.nonzero(inked[end:])[0]
    # Writing under it after enough paper: otherwise the ink at the top is the writing's.
    if below.size == 0 or below[0] < PRINT_GAP * crop.height:
        return crop
    gray[:end] = int(paper)
    return Image.fromarray(gray)


def columns(size: tuple[int, int]) -> int:
    """The line model's input width for a crop of ``size`` (width, height): the crop
    scaled to ``HEIGHT`` rows, rounded up to the model's 4-pixel frames, at most
    ``MAX_WIDTH``. A run's CPU grows with it (about 0.2 ms a column and 3 ms a run on this
    machine, quiet): what ``handfields.read_fields`` budgets a page's second views by."""
    width, height = size
    target = max(HEIGHT, int(width * HEIGHT / max(1, height)))
    return min(MAX_WIDTH, (target + 3) // 4 * 4)


class ReaderUnavailable(RuntimeError):
    """asterocr (the `handwriting` extra) is not installed."""


@dataclass(frozen=True)
class Reading:
    text: str
    confidence: float  # mean probability of the emitted characters, 0..1
    weakest: float  # the least probable emitted character


def model_path() -> Path:
    try:
        path = importlib.resources.files("asterocr") / "assets" / "asternet.onnx"
    except ModuleNotFoundError as exc:
        raise ReaderUnavailable("asterocr is not installed: pip install 'sohoa[handwriting]'"
                                ) from exc
    if not path.is_file():
        raise ReaderUnavailable(f"asterocr's bundled model is missing: {path}")
    return Path(str(path))


class LineReader:
    """One onnxruntime session on one thread; `read` one line crop at a time."""

    def __init__(self, threads: int = 1) -> None:
        # Before onnxruntime's first import in this process: no telemetry, no device id.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        import onnxruntime as ort
        from asterocr.vocab import default_vocab  # optional extra `handwriting`

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(model_path()), sess_options=options,
                                            providers=["CPUExecutionProvider"])
        self.input_name: str = self.session.get_inputs()[0].name
        self.chars: dict[int, str] = dict(default_vocab.idx2char)
        self.blank: int = int(default_vocab.blank_idx)

    @staticmethod
    def tensor(crop: Image.Image) -> np.ndarray[Any, Any]:
        rgb = without_print_above(crop).convert("RGB").resize((columns(crop.size), HEIGHT),
                                                              Image.Resampling.BILINEAR)
        arr = np.asarray(rgb, dtype=np.float32) / 255.0
        return np.transpose(arr, (2, 0, 1))[np.newaxis, ...]

    def frames(self, crop: Image.Image) -> np.ndarray[Any, Any]:
        """The model's output on the crop: [T, C] log probabilities of the CTC symbols,
        one row per four pixels of the height-normalised line."""
        log_probs = self.session.run(None, {self.input_name: self.tensor(crop)})[0]
        return np.asarray(log_probs[:, 0, :], dtype=np.float32)

    def read(self, crop: Image.Image) -> Reading:
        return self.greedy(self.frames(crop))

    def greedy(self, frames: np.ndarray[Any, Any]) -> Reading:
        """Greedy CTC: the text and the probabilities of the characters it emitted."""
        best = frames.argmax(axis=-1).tolist()
        probs = np.exp(frames.max(axis=-1))
        out: list[str] = []
        char_probs: list[float] = []
        previous = -1
        for t, idx in enumerate(best):
            if idx != previous and idx != self.blank:
                out.append(self.chars.get(idx, ""))
                char_probs.append(float(probs[t]))
            elif idx == previous and idx != self.blank:
                char_probs[-1] = max(char_probs[-1], float(probs[t]))
            previous = idx
        if not char_probs:
            return Reading("", 0.0, 0.0)
        return Reading("".join(out).strip(), float(np.mean(char_probs)), min(char_probs))


@functools.cache
def shared_reader() -> LineReader:
    """One session per process (it costs about a second to load; compose runs many pages
    in each worker process)."""
    return LineReader()
