"""Tesseract kept loaded in the process (``ocr.tessapi``) reads as the command does."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from ocr import engine, tessapi

pytestmark = pytest.mark.skipif(not tessapi.available(), reason="libtesseract not usable")


@pytest.fixture(scope="module")
def small_page(page: Image.Image) -> Image.Image:
    """The top third of the clean page (header, title, first fields): quick to read."""
    gray = page.convert("L")
    return gray.crop((0, 0, gray.width, gray.height // 3))


def test_loaded_tesseract_gives_the_commands_words_and_text_layer(
        small_page: Image.Image, tmp_path: Path) -> None:
    """Same engine, model, segmentation and resolution: the same TSV, byte for byte, and
    a text-only PDF page that carries the text."""
    command_tsv, _ = engine.tesseract_command(small_page, tmp_path / "cmd", dpi=300,
                                              languages="vie", psm=3, want_pdf=True)
    loaded = tessapi.read(small_page, languages="vie", dpi=300, psm=3,
                          pdf_base=tmp_path / "lib")
    assert loaded.tsv == command_tsv
    assert len(engine.parse_tsv(loaded.tsv)) > 20
    assert loaded.pdf is not None and loaded.pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(tmp_path / "lib.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "CỘNG HÒA" in text.upper() or "CONG HOA" in text.upper()


def test_one_reading_does_not_change_the_next(small_page: Image.Image, tmp_path: Path) -> None:
    """The instance is reused from page to page: a page read after another page, and
    with another segmentation mode, reads as it did first."""
    first = tessapi.read(small_page, languages="vie", dpi=300, psm=3, pdf_base=None)
    other = small_page.rotate(180).crop((0, 0, small_page.width // 2, small_page.height))
    tessapi.read(other, languages="vie", dpi=200, psm=6, pdf_base=None)
    again = tessapi.read(small_page, languages="vie", dpi=300, psm=3, pdf_base=None)
    assert again.tsv == first.tsv and again.pdf is None


def test_an_image_tesseract_refuses_raises_instead_of_crashing(tmp_path: Path) -> None:
    """What the command refused with "Image too large" is an error the caller handles
    (``engine.second_look`` keeps the first reading), not a crashed worker."""
    with pytest.raises(RuntimeError, match="Image too large"):
        tessapi.read(Image.new("L", (100, tessapi.MAX_SIDE + 1), 255), languages="vie",
                     dpi=300, psm=6, pdf_base=None)


FORK_PROBE = """
import json, os, sys
from PIL import Image, ImageDraw
from ocr import tessapi

page = Image.new("L", (900, 120), 255)
ImageDraw.Draw(page).text((20, 40), "CONG HOA XA HOI CHU NGHIA 2023", fill=0)
tessapi.preload("vie")
parent = tessapi.read(page, languages="vie", dpi=300, psm=3, pdf_base=None).tsv
made = []
init = tessapi._Engine.__init__
def counted(self, *args, **kwargs):
    made.append(args[-1])
    init(self, *args, **kwargs)
tessapi._Engine.__init__ = counted
read_end, write_end = os.pipe()
pid = os.fork()
if pid == 0:
    tsv = tessapi.read(page, languages="vie", dpi=300, psm=3, pdf_base=None).tsv
    tessapi.orientation(page, dpi=300)  # the orientation model: loaded by the parent too
    os.write(write_end, json.dumps({"made": made, "same": tsv == parent}).encode())
    os._exit(0)
os.close(write_end)
os.waitpid(pid, 0)
print(os.read(read_end, 100000).decode())
"""


def test_a_forked_worker_reads_with_the_models_its_server_loaded(tmp_path: Path) -> None:
    # The pool's forkserver loads them once (``ingest.preload``); each worker it forks
    # reads with its own copy, the same words, without loading a model again.
    done = subprocess.run([sys.executable, "-c", FORK_PROBE], capture_output=True, text=True,
                          timeout=120, check=True, cwd=Path(__file__).resolve().parents[2])
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["made"] == []
    assert got["same"] is True
