"""One scan, many papers: split a multi-page scan (a stack) into one file per paper.

Backlog scanning feeds a whole stack through the scanner into one PDF. Before the
pipeline, each page is looked at cheaply (``page_facts``): a separator sheet's QR code
(decoded with zxing-cpp), a blank page (ink share), and the national header "CỘNG HÒA
XÃ HỘI CHỦ NGHĨA VIỆT NAM" in the top strip (tesseract on that strip only).
``plan_parts`` decides where papers start:

- with separator sheets anywhere in the stack, only the sheets split it (exactly: the
  sheet is a mark put there by a person), and the sheets (with the blank back that
  follows a sheet in duplex) are left out of every paper;
- without, a paper starts where a page (not blank) has the header at its top, or where
  the result type changes: the same strip's text is classified (``extract.classify``),
  and a page without the header whose title, printed in capitals at its top, names
  another type than the paper in hand starts a new paper (a paper whose header was cut
  off or never printed). A page whose header is half-read, a page after a blank one
  with no header, or a title at the top of a page whose type cannot be told apart from
  the paper in hand's may or may not start a paper: the stack is not cut there, and the
  paper is sent to review (``StackRef.unsure``) instead of guessed.

Each paper is written as its own PDF of the stack's pages (``write_parts``, the bytes
deterministic, so a stack dropped twice gives the same parts and the archive skips
them) and digitized as an ordinary file carrying its ``StackRef`` (stack file, SHA-256,
page range) in ``given``. Every page of the stack is stored once, in the original of
the one record it belongs to; separator sheets are not kept.
"""

from __future__ import annotations

import io
import logging
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pikepdf
import pytesseract
from PIL import Image, ImageDraw, ImageFont

from extract.classify import classify
from extract.lines import lines_from_text
from ingest.admission import InputFile
from ingest.pipeline import sha256_file
from ocr.base import DEFAULT_LANGUAGES
from records import StackRef
from records.result_types import cached_result_types

log = logging.getLogger("sohoa.stack")

SEPARATOR_MARK = "SOHOA-SEPARATOR"
# The national header, folded (no marks, upper case), word by word.
NATIONAL_HEADER = ("CONG", "HOA", "XA", "HOI", "CHU", "NGHIA", "VIET", "NAM")
HEADER_SURE = 0.6  # share of the header's words read: a paper starts here
HEADER_MAYBE = 0.25  # some of them: perhaps; the stack is not cut, the paper reviewed
HEADER_SLACK = 2  # stray tokens (garbled words, speckles) allowed between two header words
TOP_STRIP = 0.22  # of the page height, where the header and the title sit
TITLE_CAPITALS = 0.8  # share of a title's letters in capitals: printed as a title, not
# a body line that cites another paper ("Giấy khai sinh số 12 ngày …")
BLANK_INK = 0.002  # share of dark pixels below which a page is blank
FACTS_DPI = 150


@dataclass(frozen=True)
class SeparatorSheet:
    """What a separator sheet's QR code says: a sheet, and optionally the archive box
    and the doc type of the paper that follows it."""

    box: str | None = None
    doc_type: str | None = None

    def to_text(self) -> str:
        parts = [SEPARATOR_MARK]
        if self.box:
            parts.append(f"box={self.box}")
        if self.doc_type:
            parts.append(f"type={self.doc_type}")
        return "|".join(parts)

    @classmethod
    def parse(cls, text: str) -> SeparatorSheet | None:
        """The sheet ``text`` encodes, or None for any other code (a QR on a paper)."""
        head, *rest = text.split("|")
        if head != SEPARATOR_MARK:
            return None
        values = dict(item.partition("=")[::2] for item in rest)
        return cls(box=values.get("box") or None, doc_type=values.get("type") or None)

    def given(self) -> dict[str, str]:
        out = {}
        if self.box:
            out["archive_box"] = self.box
        if self.doc_type:
            out["doc_type"] = self.doc_type
        return out


def separator_sheet_pdf(sheet: SeparatorSheet, font_path: Path | None = None) -> bytes:
    """An A4 page to print and put before each paper of a stack: a large QR code and,
    for the person feeding the scanner, what it is in Vietnamese."""
    import qrcode  # only `sohoa separator-sheet` draws one

    dpi = 150
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    page = Image.new("L", (width, height), 255)
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=12,
                         border=4)
    code.add_data(sheet.to_text())
    code.make(fit=True)
    image = code.make_image().get_image().convert("L")
    page.paste(image, ((width - image.width) // 2, round(height * 0.25)))
    draw = ImageDraw.Draw(page)
    big = _font(font_path, 48)
    small = _font(font_path, 30)
    lines = [("TỜ PHÂN CÁCH", big), ("Đặt tờ này trước mỗi giấy tờ khi quét cả tập.", small)]
    if sheet.box:
        lines.append((f"Hộp: {sheet.box}", small))
    if sheet.doc_type:
        lines.append((f"Loại giấy tờ: {sheet.doc_type}", small))
    y = round(height * 0.25) + image.height + 60
    for text, font in lines:
        box = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (box[2] - box[0])) // 2, y), text, fill=0, font=font)
        y += (box[3] - box[1]) + 30
    out = io.BytesIO()
    page.save(out, "PDF", resolution=dpi)
    return out.getvalue()


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if path is None:
        from signing.stamp import find_font  # the stamp's font: Vietnamese glyphs

        path = find_font()
    return ImageFont.truetype(str(path), size)


@dataclass(frozen=True)
class PageFacts:
    """What the splitter needs to know of one page (``index`` 0-based)."""

    index: int
    separator: SeparatorSheet | None = None
    blank: bool = False
    header: float = 0.0  # share of the national header's words read at the top
    title: bool = False  # a title in capitals at the top (a paper's first page, mostly)
    doc_type: str | None = None  # the result type the top says, when it says one surely


def render(path: Path, index: int, dpi: int = FACTS_DPI) -> Image.Image:
    """Page ``index`` of a PDF, gray, by poppler (already needed for OCR)."""
    done = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-f", str(index + 1), "-l", str(index + 1),
         str(path)], capture_output=True, timeout=120, check=True)
    return Image.open(io.BytesIO(done.stdout)).convert("L")


def read_separator(image: Image.Image) -> SeparatorSheet | None:
    import zxingcpp  # its native library loads only when a stack is split

    for found in zxingcpp.read_barcodes(image):
        sheet = SeparatorSheet.parse(found.text)
        if sheet is not None:
            return sheet
    return None


def is_blank(image: Image.Image) -> bool:
    """Almost no dark ink: a blank back, show-through and speckles aside."""
    pixels = np.asarray(image)
    margin_y, margin_x = pixels.shape[0] // 20, pixels.shape[1] // 20
    inner = pixels[margin_y:-margin_y, margin_x:-margin_x]  # scanner edges are not ink
    return float((inner < 128).mean()) < BLANK_INK


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.upper().replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def header_share(text: str) -> float:
    """How much of the national header ``text`` holds as a share of its words: the
    longest run of them read in order and close together (OCR drops or garbles a word or
    two; the rest still say it is there). Header words scattered through body text
    ("Họ, chữ đệm, tên … năm sinh") are no header."""
    words = [w.strip(".,:;-–") for w in _fold(text).split()]
    best = 0
    for start, word in enumerate(words):
        if word not in NATIONAL_HEADER:
            continue
        wanted, at, found = NATIONAL_HEADER.index(word), start, 1
        for k in range(start + 1, len(words)):
            later = NATIONAL_HEADER[wanted + 1:]
            if words[k] in later:
                following = NATIONAL_HEADER.index(words[k], wanted + 1)
                # the header words skipped, plus a garbled token or two, may lie between
                if k - at <= following - wanted + HEADER_SLACK:
                    wanted, at, found = following, k, found + 1
            if k - at > len(later) + HEADER_SLACK:
                break
        best = max(best, found)
    return best / len(NATIONAL_HEADER)


@dataclass(frozen=True)
class TopRead:
    """What the top of a page says: the national header's share and the result type
    its title names (``extract.classify`` on the same text, so no second OCR)."""

    header: float = 0.0
    title: bool = False
    doc_type: str | None = None


def read_top(image: Image.Image, languages: str, dpi: int = FACTS_DPI) -> TopRead:
    """The national header's share and the title read at the top of the page; a sheet
    turned on the glass has them at another edge, so the other three are read too when
    the top has not got the header (only pages without a header pay for them:
    continuation pages). The edge kept is the one with the most header or, without one,
    with a title: a paper without its header turned on the glass still shows its title."""
    best: TopRead | None = None
    for turn in (0, 180, 90, 270):
        upright = image.rotate(turn, expand=True) if turn else image
        strip = upright.crop((0, 0, upright.width, round(upright.height * TOP_STRIP)))
        text = pytesseract.image_to_string(strip, lang=languages,
                                           config=f"--psm 3 --dpi {dpi}")
        read = TopRead(header_share(text), *title_type(text))
        if best is None or _rank(read) > _rank(best):
            best = read
        if best.header >= HEADER_SURE:
            break
    assert best is not None
    return best


def _rank(top: TopRead) -> tuple[float, bool, float]:
    # A stray header word or two (below HEADER_MAYBE) says less than a title does.
    return (top.header if top.header >= HEADER_MAYBE else 0.0, top.title, top.header)


def title_type(text: str) -> tuple[bool, str | None]:
    """Whether ``text`` (a page's top) holds a title printed in capitals, and the result
    type it names when the classifier is sure of it."""

    found = classify(lines_from_text([text]), cached_result_types())
    if found.title is None:
        return False, None
    letters = [c for c in found.title if c.isalpha()]
    if not letters or sum(c.isupper() for c in letters) < TITLE_CAPITALS * len(letters):
        return False, None
    return True, found.doc_type


def page_facts(path: Path, index: int, languages: str = DEFAULT_LANGUAGES) -> PageFacts:
    image = render(path, index)
    sheet = read_separator(image)
    if sheet is not None:
        return PageFacts(index, separator=sheet)
    if is_blank(image):
        return PageFacts(index, blank=True)
    top = read_top(image, languages)
    return PageFacts(index, header=top.header, title=top.title, doc_type=top.doc_type)


@dataclass(frozen=True)
class Part:
    """One paper of a stack: its pages (0-based stack indices, in order), how its start
    was found, the stack pages (1-based) where a start was unsure, and the separator
    sheet before it, if any."""

    pages: tuple[int, ...]
    boundary: str
    unsure: tuple[int, ...] = ()
    sheet: SeparatorSheet | None = None

    def ref(self, filename: str, sha256: str) -> StackRef:
        return StackRef(filename=filename, sha256=sha256, first_page=self.pages[0] + 1,
                        last_page=self.pages[-1] + 1, boundary=self.boundary,
                        unsure=list(self.unsure))


def plan_parts(facts: list[PageFacts]) -> list[Part]:
    """The papers of a stack, from its pages' facts (see the module's docstring)."""
    if any(f.separator is not None for f in facts):
        return _by_sheets(facts)
    return _by_content(facts)


@dataclass
class _Open:
    pages: list[int] = field(default_factory=list)
    boundary: str = "start"
    unsure: list[int] = field(default_factory=list)
    sheet: SeparatorSheet | None = None
    doc_type: str | None = None  # the type its first titled page names


def _close(current: _Open, parts: list[Part]) -> None:
    # A part of blank pages only (a stack's trailing blanks) is no paper.
    if current.pages:
        parts.append(Part(tuple(current.pages), current.boundary, tuple(current.unsure),
                          current.sheet))


def _by_sheets(facts: list[PageFacts]) -> list[Part]:
    parts: list[Part] = []
    current = _Open()
    after_sheet = False
    for page in facts:
        if page.separator is not None:
            _close(current, parts)
            current = _Open(boundary="sheet", sheet=page.separator)
            after_sheet = True
            continue
        if page.blank and after_sheet:
            continue  # the sheet's own back, scanned in duplex
        after_sheet = False
        current.pages.append(page.index)
    _close(current, parts)
    # Blank pages of a stack before its first paper belong to no paper either.
    return [p for p in parts if not all(facts[i].blank for i in p.pages)]


def _by_content(facts: list[PageFacts]) -> list[Part]:
    parts: list[Part] = []
    current = _Open()
    previous_blank = False
    for page in facts:
        if page.blank:
            current.pages.append(page.index)  # a back: stays with its paper
            previous_blank = True
            continue
        if current.pages:
            cue = _start_cue(page, current.doc_type, previous_blank)
            if cue in ("header", "type"):
                _close(current, parts)
                current = _Open(boundary=cue)
            elif cue == "unsure":
                current.unsure.append(page.index + 1)
        current.pages.append(page.index)
        if current.doc_type is None and page.title:
            current.doc_type = page.doc_type
        previous_blank = False
    _close(current, parts)
    return parts


def _start_cue(page: PageFacts, paper_type: str | None, after_blank: bool) -> str | None:
    """Whether ``page`` starts a new paper, the paper in hand being of ``paper_type``:
    ``header`` or ``type`` (it does, and why), ``unsure`` (perhaps: review), None."""
    if page.header >= HEADER_SURE:
        return "header"
    if page.title and page.doc_type and paper_type and page.doc_type != paper_type:
        return "type"
    if page.header >= HEADER_MAYBE or after_blank or page.title:
        return "unsure"
    return None


def stack_facts(path: Path, languages: str = DEFAULT_LANGUAGES) -> list[PageFacts]:
    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    return [page_facts(path, i, languages) for i in range(count)]


def write_parts(path: Path, parts: list[Part], out_dir: Path) -> list[Path]:
    """Each part as a PDF of the stack's pages, ``<stem>.p003-005.pdf``. The bytes
    depend only on the stack and the pages, so the same stack gives the same parts."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with pikepdf.open(path) as stack:
        for part in parts:
            target = out_dir / f"{path.stem}.p{part.pages[0] + 1:03d}-{part.pages[-1] + 1:03d}.pdf"
            paper = pikepdf.new()
            for index in part.pages:
                paper.pages.append(stack.pages[index])
            paper.save(target, deterministic_id=True)
            written.append(target)
    return written


def split(path: Path, sha256: str, out_dir: Path, *,
          languages: str = DEFAULT_LANGUAGES) -> list[tuple[Path, dict[str, str]]]:
    """The stack's papers as files in ``out_dir``, each with its given values: its
    ``StackRef`` and what the separator sheet before it says (box, doc type)."""
    parts = plan_parts(stack_facts(path, languages))
    files = write_parts(path, parts, out_dir)
    return [(file, {**(part.sheet.given() if part.sheet else {}),
                    **part.ref(path.name, sha256).to_given()})
            for file, part in zip(files, parts, strict=True)]



def page_count(path: Path) -> int:
    """Pages of a PDF; 0 when it cannot be read as one (the pipeline says why later)."""
    try:
        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    except pikepdf.PdfError:
        return 0


def split_input(item: InputFile, out_dir: Path, *, sha256: str | None = None,
                languages: str = DEFAULT_LANGUAGES) -> list[InputFile]:
    """The files to digitize for ``item``: its papers when it is a multi-page PDF (each
    written into ``out_dir``, which the caller removes once they are digitized or
    staged), else ``item`` itself. A PDF that cannot be split goes through whole: the
    pipeline then reports what is wrong with it. Every way in that splits (``sohoa
    ingest --split``, the upload's ``split``, ``sohoa watch --split``) comes here."""
    if item.path.suffix.lower() != ".pdf" or page_count(item.path) < 2:
        return [item]
    if sha256 is None:

        sha256, _ = sha256_file(item.path)
    try:
        papers = split(item.path, sha256, out_dir, languages=languages)
    except Exception as exc:  # an unreadable PDF: the pipeline says the same
        log.warning("cannot split %s: %s", item.path, exc)
        return [item]
    # What the separator sheet says of its paper wins over what the manifest (or the
    # watched folder) says of the whole stack.
    return [InputFile(path, {**item.given, **given}) for path, given in papers]


def split_inputs(items: list[InputFile], out_dir: Path, *,
                 languages: str = DEFAULT_LANGUAGES) -> list[InputFile]:
    """``split_input`` over a batch, each stack's papers in a folder of their own (two
    stacks of one name in a batch keep their papers apart)."""
    out: list[InputFile] = []
    for k, item in enumerate(items):
        out += split_input(item, out_dir / f"{k:04d}", languages=languages)
    return out
