"""Plain data passed between the OCR stages (picklable: page jobs run in worker processes)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from records.errors import CodedError


class OcrInputError(CodedError):
    """The input cannot be turned into pages (corrupt, encrypted, too large…).

    ``code`` is a stable English identifier for scripts and the API; ``message`` is
    the Vietnamese explanation shown to officers.
    """


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0–100, as tesseract reports it
    bbox: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels of the upright page image
    line: tuple[int, int, int]  # (block, paragraph, line) numbers within the page


# The defaults every caller shares (``Settings``, ``plan_pages``, ``PageJob``): the OCR
# languages, and the largest page in pixels decoded (a decompression bomb is refused).
DEFAULT_LANGUAGES = "vie"
DEFAULT_MAX_PIXELS = 200_000_000


def configured_languages(environ: Mapping[str, str]) -> str:
    """The OCR languages a deployment sets (``SOHOA_OCR_LANGUAGES``), else the default:
    read by ``Settings`` and, before any settings exist, by the workers' server
    (``ingest.preload``), which loads them for every worker it forks."""
    return environ.get("SOHOA_OCR_LANGUAGES") or DEFAULT_LANGUAGES


@dataclass(frozen=True)
class PageJob:
    """One page to make archival. ``source_path`` is a file every worker can read;
    ``out_dir`` a folder every worker can write, where the page's one-page PDF goes
    (``out_path``).

    Pages are handed back by path, as OCRmyPDF hands its pages between stages in a work
    folder: only the text and words travel between processes, the page's PDF (the scan
    itself, megabytes) is written once and read once, by the assembly."""

    source_path: str
    media_type: str
    index: int  # 0-based page (or TIFF frame) index
    languages: str = DEFAULT_LANGUAGES
    max_pixels: int = DEFAULT_MAX_PIXELS
    out_dir: str = field(kw_only=True)

    @property
    def out_path(self) -> str:
        return str(Path(self.out_dir) / f"page-{self.index + 1:05d}.pdf")


# How much of a page ``PageView`` keeps, from the top, and at what resolution: the
# signer's stamp goes in the top quarter (``signing.placement``, rendered at 144 dpi).
VIEW_SHARE = 0.3
VIEW_DPI = 144


@dataclass(frozen=True)
class PageView:
    """The top ``VIEW_SHARE`` of a page as a reader of the archival PDF sees it (turned
    and straightened as the page shows the scan), 8-bit gray at ``dpi``, rows top down.

    Taken from the image OCR decoded anyway, for the stamp's placement: rendering page
    1 of the archival PDF again to find its ink cost a ``pdftoppm`` run that decodes the
    whole scan (0.1–0.2 s of CPU a document)."""

    gray: bytes
    width: int
    height: int
    dpi: float


@dataclass
class PageResult:
    number: int  # 1-based
    text: str
    words: list[Word]
    width_px: int
    height_px: int
    dpi: int | None
    dpi_assumed: bool
    rotated: int  # degrees clockwise applied to make the page upright: 0/90/180/270
    deskew: float  # degrees of skew corrected
    mean_confidence: float | None
    blank: bool
    had_text: bool  # the PDF page already carried text: not OCR'd again
    pdf_path: str  # a one-page PDF (``PageJob.out_path``): the upright image, its text layer
    # What went differently from the usual path and the record should say (English, for
    # operators): a step that failed and was skipped, the plain reading kept…
    notes: list[str] = field(default_factory=list)
    # Words tesseract read in ink its layout skipped but that were left out of ``words``
    # as a noise line (a printed label followed by handwriting reads as one): for a
    # consumer that looks for something specific in them, never part of the page's text.
    dropped_words: list[Word] = field(default_factory=list)
    # Page 1's top as shown (``PageView``); None on other pages, and where the archival
    # page is not the image read (a PDF page kept with a crop or turn of its own).
    view: PageView | None = None
