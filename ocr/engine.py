"""Tesseract, called once per page: the text-only PDF layer and the TSV words together."""

from __future__ import annotations

import bisect
import csv
import dataclasses
import functools
import itertools
import os
import re
import subprocess
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from ocr import tessapi
from ocr.base import Word
from ocr.prepare import as_gray, median3, otsu_threshold, regions_of
from records.folding import edit_distance

TESSERACT = "tesseract"


@dataclass(frozen=True)
class Recognition:
    words: list[Word]
    text_pdf: bytes | None  # tesseract's one-page text-only PDF (None when not asked for)
    notes: tuple[str, ...] = ()  # a step skipped or failed on the way (the reading stands)
    # Words read but left out of ``words`` as noise (see ``PageResult.dropped_words``).
    dropped: tuple[Word, ...] = ()
    # The words as read, when ``words`` carries confidences checked since
    # (``digits_checked``): the text is laid out from these, so that a confidence the
    # check changed cannot move a line in or out of the page text's noise.
    as_read: tuple[Word, ...] | None = None

    @functools.cached_property
    def text(self) -> str:
        """The words laid out as text (``words_to_text``), made when first asked for:
        most readings (a turn that lost, the first pass before the second look) are
        only scored by their words, and the layout cost ~15 ms each."""
        return words_to_text(list(self.as_read) if self.as_read is not None else self.words)


def tesseract_env() -> dict[str, str]:
    """One thread per page: pages run in parallel processes, and OpenMP inside each
    tesseract only fights them for the same cores (about 4× slower on 2 cores)."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def version() -> str:
    out = subprocess.run([TESSERACT, "--version"], capture_output=True, text=True, check=True)
    first = (out.stdout or out.stderr).splitlines()[0]
    return first.strip()


def recognize(
    image: Image.Image,
    workdir: Path,
    *,
    dpi: int,
    languages: str,
    want_pdf: bool = True,
    psm: int = 3,
) -> Recognition:
    """OCR ``image`` (upright, gray) and return its words, text and text-only PDF page:
    one tesseract pass (``first_pass``), then the second look at what it misread or
    skipped (``looked_again``)."""
    return looked_again(image, first_pass(image, workdir, dpi=dpi, languages=languages,
                                          want_pdf=want_pdf, psm=psm),
                        workdir, dpi=dpi, languages=languages)


def first_pass(image: Image.Image, workdir: Path, *, dpi: int, languages: str,
               want_pdf: bool = True, psm: int = 3) -> Recognition:
    """One tesseract reading of ``image``: its words, text and text-only PDF page (one
    recognition gives both outputs), without the second look.

    A page whose turn is not yet settled is read this way at each candidate turn; only
    the reading kept gets the second look (it cost up to two seconds a page on the
    readings of a page turned the wrong way, which are thrown away).
    """
    tsv, text_pdf = tesseract(image, workdir / "ocr-output", dpi=dpi, languages=languages,
                              psm=psm, want_pdf=want_pdf)
    words = drop_duplicates(parse_tsv(tsv))
    return Recognition(words=words, text_pdf=text_pdf)


def looked_again(image: Image.Image, first: Recognition, workdir: Path, *, dpi: int,
                 languages: str) -> Recognition:
    """``first`` (a ``first_pass`` of ``image``) after the second look (``second_look``)
    and a second reading of the signer's block where it is in doubt (``signer_read_again``)."""
    dropped: list[Word] = []
    words, notes = second_look(image, first.words, workdir, dpi=dpi, languages=languages,
                               dropped=dropped)
    words, signer = signer_read_again(image, words, workdir, dpi=dpi, languages=languages)
    notes += signer
    if words is first.words and not notes:
        return first
    return Recognition(words=words, text_pdf=first.text_pdf,
                       notes=(*first.notes, *notes), dropped=(*first.dropped, *dropped))


def second_look(image: Image.Image, words: list[Word], workdir: Path, *, dpi: int,
                languages: str, dropped: list[Word] | None = None
                ) -> tuple[list[Word], tuple[str, ...]]:
    """``words`` after one more look at what the first pass got wrong or skipped, and
    notes on what happened; the words read in skipped ink but not kept (noise lines) are
    added to ``dropped`` when given.

    Two kinds of places are read again, all in ONE extra tesseract call (starting
    tesseract with the Vietnamese model costs about as much as reading a small crop):
    misread header pieces (``header_noise``, replaced by their new reading when it is
    text) and ink the layout skipped (``unread_ink``, whose text lines are added). It
    is an improvement, never a condition: whatever happens to it, the first reading
    stands.
    """
    notes: tuple[str, ...] = ()
    pieces = header_noise(words, image.height)
    if len(pieces) > MAX_REREAD_PIECES:
        # Two header blocks make one or two misread pieces; dozens are a noisy page
        # (speckle, a photocopier's dirty drum), which re-reading would not mend.
        notes += (f"header re-read skipped: {len(pieces)} noise pieces",)
        pieces = []
    piece_boxes = [_padded(_box(piece), image) for piece in pieces]
    tops: list[tuple[int, int, int, int]] = []
    skipped = unread_ink(image, words, dpi, also_covered=piece_boxes,
                         noisy_tops=tops) if words else []
    if not piece_boxes and not skipped and not tops:
        return words, notes
    # The patches read again despeckled below (``_despeckled_if_better``).
    noisy = [noisy_header_patch(image, box) for box in skipped]
    try:
        readings = read_crops(image, piece_boxes + skipped, workdir, dpi=dpi,
                              languages=languages,
                              despeckled_too=[False] * len(piece_boxes) + noisy
                              ) if piece_boxes or skipped else []
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
        return words, (*notes, f"second look failed, first reading kept: {str(exc)[:160]}")
    header = [[] if not got or _is_noise(got) else
              [dataclasses.replace(w, line=piece[0].line) for w in got]
              for piece, got in zip(pieces, readings, strict=False)]
    words = drop_duplicates(splice(words, pieces, header))
    # Only words the text keeps count as read: where the first pass left a noise piece
    # (a signer's name under a pen stroke read "NGUY ẾN xài" at 26–90), the patch around
    # it was read again, and a confident reading of it ("NGUYÊN HÁI QUYÊN" at 58–93)
    # replaces the noise piece instead of being taken for a repeat of it (dev e0057).
    text_words = [w for line in _lines(words) for w in _without_noise(line)]
    # A noisy top is only read with its specks lifted: read as it is (``--psm 6``), a
    # quarter page of noise cost seconds of tesseract and gave nothing. The words kept
    # aside as dropped are those of the patches as read (``as_read``).
    as_read = readings[len(pieces):]
    readings = readings[:len(pieces)] + [
        _despeckled_if_better(image, box, got, workdir, dpi=dpi, languages=languages,
                              words=text_words, noisy=is_noisy)
        for box, got, is_noisy in zip(skipped + tops, as_read + [[] for _ in tops],
                                      noisy + [None for _ in tops], strict=True)]
    added = [line for k, got in enumerate(readings[len(pieces):])
             for line in _new_lines(got, text_words, key=10_000 + k)]
    if added:
        new_words = [w for line in added for w in line]
        words = [w for w in words
                 if not any(_overlap(w.bbox, n.bbox) > DUPLICATE_OVERLAP for n in new_words)]
        words = _insert_lines(words, added)
        notes += (f"read {len(added)} line(s) in ink the layout skipped",)
    kept = {(w.text, w.bbox) for line in added for w in line}
    left = [w for got in as_read for w in got if (w.text, w.bbox) not in kept]
    numbered = list_numbers(words, left)
    if numbered is not words:
        notes += (f"put back {len(numbered) - len(words)} number(s) of a numbered list",)
        words = numbered
    # A printed label followed by handwriting reads as a noise line: kept aside, not lost.
    if dropped is not None:
        dropped += rekeyed(left, DROPPED_BLOCKS)
    return words, notes


# A numbered list's number: "1.", "10." — read in skipped ink, often with a piece of the
# line's first letter after it ("2.IỆ", "5.(C").
LIST_NUMBER = re.compile(r"^(\d{1,2})[.,]")
# So many numbers (at least), and this share of those found, must count up line by line.
LIST_NUMBERS = 3
LIST_AGREEMENT = 0.6


def _text_start(line: list[Word]) -> int:
    """Where a line's text starts: its first word, or its second after a lone dot."""
    return line[1].bbox[0] if len(line) > 1 and line[0].text in {".", ","} else line[0].bbox[0]


def list_numbers(words: list[Word], found: Sequence[Word]) -> list[Word]:
    """``words`` with the numbers of a numbered list put back at the start of their
    lines, where the layout left them out and a reading of the skipped ink (``found``)
    has them; ``words`` itself when there is no such list.

    Tesseract's layout often leaves a list's numbers ("1. Họ và tên: …", "2. Giới tính:
    …") out of its lines when blurred or bled (dev e0056, e0020, e0079; fresh draw 4703's
    e0017, e0026): the patch read again gives them as a column of low-confidence words,
    with a piece of each line's first letter ("2.IỆ"), a noise line the page drops.
    A number is put back only where the numbers agree with each other: one per line of
    the list (lines starting at one x, right of their numbers, at their heights), each
    the one before plus one; a misread number ("q.Í" for "3.") is not guessed."""
    lines = _lines(words)
    if not lines or not found:
        return words
    height = _height(words)
    candidates: list[tuple[int, int, Word]] = []
    for word in found:
        match = LIST_NUMBER.match(word.text)
        if not match:
            continue
        centre = (word.bbox[1] + word.bbox[3]) / 2
        at = next((k for k, line in enumerate(lines)
                   if abs(_centre(line) - centre) < height / 2
                   and 0 < _text_start(line) - word.bbox[0] <= 3 * height
                   and not LIST_NUMBER.match(line[0].text)), None)
        if at is not None:
            candidates.append((at, int(match.group(1)), word))
    if len(candidates) < LIST_NUMBERS:
        return words
    # The list's lines: those starting where the numbered ones do, from the first to
    # the last numbered one; a number's line counts from the list's first line.
    starts = sorted(_text_start(lines[k]) for k, _, _ in candidates)
    start = starts[len(starts) // 2]
    first, last = min(k for k, _, _ in candidates), max(k for k, _, _ in candidates)
    listed = [k for k in range(first, last + 1) if abs(_text_start(lines[k]) - start) < height]
    rank = {k: i for i, k in enumerate(listed)}
    offsets = [value - rank[k] for k, value, _ in candidates if k in rank]
    if not offsets:
        return words
    offset = max(set(offsets), key=offsets.count)
    agreed = [(k, value, word) for k, value, word in candidates
              if k in rank and value - rank[k] == offset]
    if len(agreed) < max(LIST_NUMBERS, LIST_AGREEMENT * len(candidates)):
        return words
    for k, value, word in agreed:
        line = lines[k]
        # The number's dot, read as the line's first word (". Họ và tên"), is replaced.
        dot = len(line) > 1 and line[0].text in {".", ","}
        rest = line[1:] if dot else line
        top, bottom = min(w.bbox[1] for w in line), max(w.bbox[3] for w in line)
        right = max(word.bbox[0] + 1, min(word.bbox[2], rest[0].bbox[0] - 1))
        lines[k] = [Word(text=f"{value}.", confidence=word.confidence,
                         bbox=(word.bbox[0], top, right, bottom), line=line[0].line), *rest]
    return [w for line in lines for w in line]


# A patch whose share of specks (dark pixels a 3×3 median removes) is above this is
# densely speckled: a photocopier's noisy top. Sparse specks (0.2 % and more gets the
# page's median filter) leave the layout its lines; dense ones hide them.
DENSE_SPECKS = 0.01
# Print is as dark under the specks as on the rest of the page (one toner, one copy):
# in a densely speckled patch, a pixel lighter than the page's print by more than this
# share of the way from print to paper is a speck (or the soft edge of a stroke, which
# tesseract does without) and becomes paper. The levels are measured on the words the
# page read with confidence, outside the patch: the patch's own darkest pixels are
# specks as much as print, and its "paper" is the specks' gray, so levels taken inside
# it lifted too little (the header lines read at 50 % CER against 18.5 % this way, on
# the noisy tops of the fresh draws used for tuning; 0.12 and 0.18 read at 22–23 %).
DESPECKLE_SHARE = 0.15
# Words whose pixels measure the print: read this confidently, this long (a short word
# is mostly a box of paper), at most this many (the measure is a percentile).
PRINT_WORD_CONFIDENCE = 90.0
PRINT_WORD_CHARS = 3
PRINT_WORDS = 80
PRINT_PERCENTILE = 2.0


def noisy_header_patch(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    """A patch of the header band that is densely speckled: a photocopier's noisy top,
    which the second look reads once more with its specks lifted."""
    return box[1] < HEADER_FRACTION * image.height and densely_speckled(image, box)


def densely_speckled(image: Image.Image, box: tuple[int, int, int, int]) -> bool:
    crop = as_gray(image).crop(box)
    raw = np.asarray(crop) < 128
    cleaned = np.asarray(median3(crop)) < 128
    return float((raw & ~cleaned).mean()) > DENSE_SPECKS


def print_levels(gray: np.ndarray, words: Sequence[Word],
                 box: tuple[int, int, int, int]) -> tuple[float, float] | None:
    """(print, paper): the darkest pixels' level (``PRINT_PERCENTILE``) and the median
    inside the boxes of the words read with confidence outside ``box``; None without
    such words."""
    chosen = [w for w in words if w.confidence >= PRINT_WORD_CONFIDENCE
              and len(w.text) >= PRINT_WORD_CHARS
              and _overlap(w.bbox, box) == 0.0][:PRINT_WORDS]
    if not chosen:
        return None
    pixels = np.concatenate([gray[w.bbox[1]:w.bbox[3], w.bbox[0]:w.bbox[2]].ravel()
                             for w in chosen])
    if not pixels.size:
        return None
    return float(np.percentile(pixels, PRINT_PERCENTILE)), float(np.median(pixels))


def read_despeckled(image: Image.Image, box: tuple[int, int, int, int], workdir: Path, *,
                    dpi: int, languages: str, words: Sequence[Word] = (),
                    psm: int = 3, share: float = DESPECKLE_SHARE) -> list[Word]:
    """The words of ``box`` (page coordinates) read with its layout (``--psm 3``: a
    header's two blocks; ``psm`` otherwise) after the specks are lifted: a pixel lighter
    than the page's print (``print_levels`` of ``words``, the page's reading outside the
    patch) by ``share`` of the way to its paper becomes paper. A page with no
    such words takes the levels from the patch itself (its 1st percentile and its
    median)."""
    gray = as_gray(image)
    crop = np.asarray(gray.crop(box))
    levels = print_levels(np.asarray(gray), words, box)
    ink, paper = levels if levels is not None else (float(np.percentile(crop, 1)),
                                                    float(np.median(crop)))
    pixels = crop.copy()
    pixels[crop >= ink + share * (paper - ink)] = 255
    tsv, _ = tesseract(Image.fromarray(pixels, mode="L"), workdir / "despeckled", dpi=dpi,
                       languages=languages, psm=psm, want_pdf=False)
    x0, y0 = box[0], box[1]
    # Its blocks (a header's two) become paragraphs of one block: the lines added from a
    # patch share its block number (``_new_lines``), and two blocks' first lines must
    # not become one line.
    return [dataclasses.replace(w, bbox=(w.bbox[0] + x0, w.bbox[1] + y0, w.bbox[2] + x0,
                                         w.bbox[3] + y0),
                                line=(0, w.line[0] * 1000 + w.line[1], w.line[2]))
            for w in parse_tsv(tsv)]


def _despeckled_if_better(image: Image.Image, box: tuple[int, int, int, int],
                          got: list[Word], workdir: Path, *, dpi: int,
                          languages: str, words: Sequence[Word] = (),
                          noisy: bool | None = None) -> list[Word]:
    """A skipped patch of the header band that is densely speckled (a photocopier's
    noisy top), read again once its specks are lifted (``read_despeckled``, the print's
    level measured on ``words``): band by band (``text_bands``), the text lines of the
    reading that adds more confidently read characters there (``_new_lines``: what each
    would add to the page). Any other patch: ``got``.

    Judged on the lines each would add, not on all their words: read as it is, a patch
    of specks gives hundreds of noise "words" at 50–60, whose sum outweighed a
    despeckled reading with the header's lines in it (fresh draw 3187's e0023). Band by
    band, not the patch as a whole: the two readings get different lines right (draw
    8629's e0024: the agency read only as it is, the motto only despeckled).
    ``noisy``: ``noisy_header_patch`` of ``box`` when the caller knows it already.
    """
    if not (noisy_header_patch(image, box) if noisy is None else noisy):
        return got
    try:
        again = read_despeckled(image, box, workdir, dpi=dpi, languages=languages,
                                words=words)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError):
        return got  # an improvement, never a condition: the patch's first reading stands
    # Distinct keys: the two readings' lines must not run together.
    first = [w for line in _new_lines(got, words, key=1) for w in line]
    despeckled = [w for line in _new_lines(again, words, key=2) for w in line]
    return better_by_band(first, despeckled)


def better_by_band(ours: list[Word], theirs: list[Word], *, margin: float = 0.0
                   ) -> list[Word]:
    """Two readings of the same place (same geometry, distinct line keys), band by band
    (``text_bands``): the lines of ``theirs`` where they hold more than ``margin`` more
    confidently read characters (``_confident``) than those of ``ours``, else ours."""
    kept: list[Word] = []
    for band in text_bands(ours, theirs):
        mine, other = lines_in(ours, band), lines_in(theirs, band)
        kept += other if _confident(other) > _confident(mine) + margin else mine
    return kept


# ---------------------------------------------------------------- the signer's block

# The signer's block of an official paper sits under its place-and-date line ("Hải
# Phòng, ngày 01 tháng 10 năm 2024"): the signer's title, "(Ký, ghi rõ họ tên, đóng
# dấu)", the seal and the pen signature, the signer's name last. Seal and pen cross the
# name's first words; tesseract's layout often takes the whole block for a picture.
# Its words are often misread on the pages that need the block most (ink bleed, blur:
# "Hồ Tĩnh, ngày 13 thông 9 năm 2026", "Tây \"'“\" ¬¬ày 18 tháng 11 năm 2026", fresh draw
# 4703): a day, a word, a month, a word and a four-digit year also make the line.
SIGNER_DATE = re.compile(r"\bNGAY\s+\S+\s+THANG\s+\S+\s+NAM\b"
                         r"|\b\d{1,2}\s+\S{2,6}\s+\d{1,2}\s+\S{2,4}\s+\d{4}\b")
# Below the date line, this many text heights hold the block: the name lies 5–11 below
# it on most dev pages (titles, the instruction line, a signature's height), 13 on dev
# e0080 (three title lines and a tall signature).
SIGNER_BLOCK_LINES = 16
# The block's lowest line of text holding a word read below this is in doubt (a seal's
# ring or a pen stroke across the name): the block is read once more.
SIGNER_DOUBT = 60.0
# The block's second reading replaces a band of the page's only where it holds this
# many more confidently read characters (``_confident``), about three letters: the two
# readings of a title line read well differ by a letter's mark either way (dev e0071:
# "TM. UY BẠN" lifted against "TM. ỦY BAN" as read), a name lost under the seal by a
# whole word or more.
SIGNER_MARGIN = 3.0
# In the signer's block, a pixel lighter than the page's print by this share of the way
# to paper becomes paper: a seal's ring (gray, or red made light by the colour drop) and
# the lighter edge of a pen stroke go, the print's own soft edges stay. The noisy tops'
# share (0.15, against dense specks) ate thin blurred print here: fresh draw 7127's e0018
# read its name "VỮ(0) MỸ(0) MỸ(18)" at 0.15, "VŨ MỸ MỸ" at 96 at 0.3; at 0.5 the seal's
# ring stays and reads as noise over the name (dev e0069 lost its name).
SIGNER_LIFT_SHARE = 0.3
# A name lies under the titles and the signature, at least this many text heights below
# the date line (4.8–10.8 on the dev half; titles and the instruction to sign end by 4.4):
# a block whose last line read is higher has lost its name.
SIGNER_NAME_BELOW = 4.5
# Line keys of the block's second reading, apart from the page's and the patches'.
SIGNER_KEY = 30_000


def signer_block(image: Image.Image, words: list[Word]) -> tuple[int, int, int, int] | None:
    """The box (page pixels) of the signer's block: under the last place-and-date line
    of the page's lower part, as wide as it and a text height more on each side,
    ``SIGNER_BLOCK_LINES`` text heights deep; without such a line, from the top of the
    signer's titles (``_signer_titles``); None without either."""
    if not words:
        return None
    lower = [line for line in _lines(words)
             if _box(line)[1] > SIGNER_BLOCK_BELOW * image.height]
    dated = [line for line in lower if SIGNER_DATE.search(_fold(" ".join(w.text for w in line)))]
    height = _height(words)
    if dated:
        x0, _, x1, y1 = _box(dated[-1])
    else:
        titles = _signer_titles(lower, height)
        if not titles:
            return None
        x0, top, x1, _ = _box([w for line in titles for w in line])
        # Titles are narrower than the date line the block would hang from: as wide, about
        # their middle, as a place-and-date line (the name may be wider than "CHỦ TỊCH").
        middle, half = (x0 + x1) // 2, max((x1 - x0) // 2, round(SIGNER_HALF_WIDTH * image.width))
        x0, x1, y1 = middle - half, middle + half, max(0, top - height // 2)
    return (max(0, x0 - height), y1, min(image.width, x1 + height),
            min(image.height, y1 + SIGNER_BLOCK_LINES * height))


# Many papers have no place-and-date line over the signer (birth, death and marriage
# extracts give "Ngày, tháng, năm đăng ký" in the body; a business registration may have
# none): the block is then found from the signer's titles, a short upper-case line that
# names who signs for the office ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ GIÁM ĐỐC",
# "TRƯỞNG PHÒNG", "NGƯỜI KÝ GIẤY KHAI SINH"; Nghị định 30/2020/NĐ-CP, Phụ lục I: "TM.",
# "KT.", "TL.", "TUQ.", "Q." before the office or the title).
SIGNER_TITLE = re.compile(
    r"^(?:(?:TM|KT|TL|TUQ|Q)\s*[.,:]\s*)?(?:PHO\s+)?"
    r"(?:CHU\s+TICH|GIAM\s+DOC|TRUONG\s+(?:PHONG|BAN)|CHANH\s+VAN\s+PHONG|THU\s+TRUONG"
    r"|UY\s+BAN\s+NHAN\s+DAN|NGUOI\s+KY\b|CAN\s+BO\s+TU\s+PHAP)")
# A title line is short (the office's name on "TM." lines runs to four words or so).
SIGNER_TITLE_WORDS = 7
# Title lines of one block follow each other within this many text heights (top to top).
SIGNER_TITLE_STEP = 2.5
# Half the width of a block headed by titles, as a share of the page: a place-and-date
# line in the signer's column is about 0.4 of an A4 page wide.
SIGNER_HALF_WIDTH = 0.2


def _signer_titles(lines: list[list[Word]], height: int) -> list[list[Word]]:
    """The last run of signer's title lines (``SIGNER_TITLE``, upper case) among
    ``lines``, the first one heading the block; [] without one."""
    def is_title(line: list[Word]) -> bool:
        text = " ".join(w.text for w in line)
        letters = [c for c in text if c.isalpha()]
        return (len(line) <= SIGNER_TITLE_WORDS and len(letters) >= 4
                and sum(c.isupper() for c in letters) >= 0.8 * len(letters)
                and SIGNER_TITLE.match(_fold(text).lstrip(" .,:;-'\"")) is not None)

    titles = sorted((line for line in lines if is_title(line)), key=lambda line: _box(line)[1])
    if not titles:
        return []
    run = [titles[-1]]
    for line in reversed(titles[:-1]):
        if _box(run[0])[1] - _box(line)[1] > SIGNER_TITLE_STEP * height:
            break
        run.insert(0, line)
    return run


# The place-and-date line of the signer's block lies below this share of the page (the
# date of birth or of registration in a paper's body reads "Ngày, tháng, năm …").
SIGNER_BLOCK_BELOW = 0.4


def _in_box(word: Word, box: tuple[int, int, int, int]) -> bool:
    x, y = (word.bbox[0] + word.bbox[2]) / 2, (word.bbox[1] + word.bbox[3]) / 2
    return box[0] <= x < box[2] and box[1] <= y < box[3]


def _signer_in_doubt(block_words: list[Word], top: int, height: int) -> bool:
    """No line of text in the block (whose top is ``top``; ``height`` the page's text
    height), or its lowest (the name's place) too high for a name (``SIGNER_NAME_BELOW``),
    holding a word read with little confidence (what a seal's ring or a pen stroke
    across the name leaves) or being the instruction to sign. A block read well costs
    nothing more."""
    lines = [line for line in _lines(block_words)
             if any(sum(c.isalnum() for c in w.text) >= 2 for w in line)]
    if not lines:
        return True
    lowest = max(lines, key=lambda line: _box(line)[1])
    if _box(lowest)[1] - top < SIGNER_NAME_BELOW * height:
        return True  # titles read, the name under the signature not (fresh draw 7127's e0018)
    # The instruction "(Ký, ghi rõ họ tên, đóng dấu)" read last: the name under the
    # signature, always printed below it, was not read at all (dev e0080).
    if lowest[0].text.startswith("("):
        return True
    # A Vietnamese name is two words or more (family name and given name): one word left
    # is what the seal and the pen left of it (dev e0091: "KIỀU PHƯƠNG MỸ" read "MỸ").
    if sum(sum(c.isalpha() for c in w.text) >= 2 for w in lowest) < 2:
        return True
    return any(w.confidence < SIGNER_DOUBT for w in lowest
               if any(c.isalnum() for c in w.text))


def signer_read_again(image: Image.Image, words: list[Word], workdir: Path, *, dpi: int,
                      languages: str) -> tuple[list[Word], tuple[str, ...]]:
    """``words`` with the signer's block (``signer_block``) read once more where the
    page's reading of it is in doubt (``_signer_in_doubt``): as one block of text
    (``--psm 6``: tesseract's layout no longer takes the block for a picture) with what
    is lighter than the page's print lifted (``read_despeckled`` at
    ``SIGNER_LIFT_SHARE``: a seal's ring, a faded seal). Band by band (``better_by_band``), its text
    lines replace the page's only where they hold clearly more confidently read
    characters (``SIGNER_MARGIN``); elsewhere the page's reading stands."""
    box = signer_block(image, words)
    if box is None:
        return words, ()
    ours = [w for w in words if _in_box(w, box)]
    if not _signer_in_doubt(ours, box[1], _height(words)):
        return words, ()
    try:
        again = read_despeckled(image, box, workdir, dpi=dpi, languages=languages,
                                words=words, psm=6, share=SIGNER_LIFT_SHARE)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError):
        return words, ()  # an improvement, never a condition: the page's reading stands
    theirs = [w for line in _new_lines(again, (), key=SIGNER_KEY, short_words=True)
              for w in line]
    kept = {id(w) for w in better_by_band(ours, theirs, margin=SIGNER_MARGIN)}
    added = [line for line in _lines(theirs) if id(line[0]) in kept]
    if not added:
        return words, ()
    replaced = {id(w) for w in ours if id(w) not in kept}
    out = _insert_lines([w for w in words if id(w) not in replaced], added)
    return out, (f"signer's block read again: {len(added)} line(s) replaced",)


def _confident(words: list[Word]) -> float:
    """Characters read with some confidence, weighted by it: noise adds little."""
    return sum(len(w.text) * max(0.0, w.confidence - 50.0) / 50.0 for w in words)


def _padded(box: tuple[int, int, int, int], image: Image.Image) -> tuple[int, int, int, int]:
    x0, y0, x1, y1 = box
    margin = round(REREAD_MARGIN * (y1 - y0))
    return (max(0, x0 - margin), max(0, y0 - margin), min(image.width, x1 + margin),
            min(image.height, y1 + margin))


# A long number (a 12-digit CCCD, a 9-digit CMND, a phone number) is one tesseract word
# with one confidence for all its digits: a weak reading cannot say which digit it doubts,
# and tesseract's per-symbol confidences do not either (a misread "8" for "6" scores 98.6
# inside a word at 88). Such a word is read a second time, alone and with digits only:
# when that reading spells the same digits, two readings agree and the word takes the
# better confidence of the two; when it spells others, one of them is wrong and the word's
# confidence drops to DIGITS_DISAGREE, so no check downstream lets its number through
# unreviewed.
DIGIT_WORD = re.compile(r"\d{9,12}")
DIGITS = "0123456789"
DIGIT_WORD_PSM = 8  # one word
DIGIT_REREAD_MARGIN = 0.2  # of the word's height, on every side
# Digit words already read at this confidence pass every check on their own: not re-read.
DIGIT_CONFIDENT = 85.0
# Below the least confidence extraction accepts a number at, even corroborated (30). The
# page text is laid out from the words as read (``digits_checked``), so no mark or raise
# here moves a line in or out of it.
DIGITS_DISAGREE = 25.0


def digits_checked(image: Image.Image, reading: Recognition, workdir: Path, *, dpi: int,
                   languages: str) -> Recognition:
    """The page's final ``reading`` (of ``image``) with its long numbers' confidences
    checked (``digits_read_again``); its text, PDF text layer and every choice made on
    the way (turn, guard) stay those of the reading."""
    words = digits_read_again(image, reading.words, workdir, dpi=dpi, languages=languages)
    if words is reading.words:
        return reading
    return dataclasses.replace(reading, words=words, as_read=tuple(reading.words))


def digits_read_again(image: Image.Image, words: list[Word], workdir: Path, *, dpi: int,
                      languages: str) -> list[Word]:
    """``words`` with each weakly read 9–12-digit word checked by a digits-only reading
    of its crop (see ``DIGIT_WORD``); the text of every word is unchanged."""
    out = words
    for index, word in enumerate(words):
        if word.confidence >= DIGIT_CONFIDENT or not DIGIT_WORD.fullmatch(word.text):
            continue
        x0, y0, x1, y1 = word.bbox
        margin = round(DIGIT_REREAD_MARGIN * (y1 - y0))
        crop = image.crop((max(0, x0 - margin), max(0, y0 - margin),
                           min(image.width, x1 + margin), min(image.height, y1 + margin)))
        tsv, _ = tesseract(crop, workdir / "digit-word", dpi=dpi, languages=languages,
                           psm=DIGIT_WORD_PSM, want_pdf=False, whitelist=DIGITS)
        again = parse_tsv(tsv)
        same = len(again) == 1 and again[0].text == word.text
        confidence = (max(word.confidence, again[0].confidence) if same
                      else min(word.confidence, DIGITS_DISAGREE))
        if out is words:
            out = list(words)
        out[index] = dataclasses.replace(word, confidence=confidence)
    return out


def tesseract(image: Image.Image, base: Path, *, dpi: int, languages: str, psm: int,
              want_pdf: bool, whitelist: str = "", invert: bool | None = None
              ) -> tuple[str, bytes | None]:
    """One recognition of ``image``: its TSV and (``want_pdf``) its text-only PDF page.

    In this process's loaded tesseract when it can be used (``tessapi``: no start-up
    cost), else by the command, fed uncompressed PGM (writing it costs milliseconds,
    where PNG would cost a tenth of a second per page). Both give the same words.
    ``invert``: tesseract's inverted retries of unsure lines (None: where
    ``may_hold_reversed_text`` finds a dark band in ``image``).
    """
    if invert is None:  # the caller may know better (``read_crops``)
        invert = may_hold_reversed_text(image, dpi)
    if tessapi.available():
        out = tessapi.read(image, languages=languages, dpi=dpi, psm=psm,
                           pdf_base=base if want_pdf else None, invert=invert,
                           whitelist=whitelist)
        return out.tsv, out.pdf
    return tesseract_command(image, base, dpi=dpi, languages=languages, psm=psm,
                             want_pdf=want_pdf, invert=invert, whitelist=whitelist)


# Tesseract 5.3 reads every line it is unsure of a second time, inverted, in case it is
# light print on a dark band (a reversed title bar). On a faint, noisy or blurred page
# that is most of its lines read twice for nothing (~6 % of ``run_page``'s CPU on the
# dev half, where no page has reversed print). Reversed print needs a dark band at least
# a line tall behind it: an image without one is read without the inverted retries; an
# image with one (or with any large dark area: a shadow, a blot, a speckled header) is
# read as tesseract reads it by default.
REVERSED_BAND_MM = (2, 8)  # tall, wide: the smallest band a reversed line could sit in
# A millimetre square of the band is at least half ink (the light letters take less).
REVERSED_BAND_LEVEL = 128


def may_hold_reversed_text(image: Image.Image, dpi: int) -> bool:
    """Whether ``image`` has a dark band light print could be reversed out of: some
    REVERSED_BAND_MM block of millimetre squares each darker than REVERSED_BAND_LEVEL
    on average."""
    cell = max(1, round(dpi / 25.4))
    tall, wide = REVERSED_BAND_MM
    dark = np.asarray(as_gray(image).reduce(cell)) < REVERSED_BAND_LEVEL
    if dark.shape[0] < tall or dark.shape[1] < wide:
        return False
    rows = dark[: dark.shape[0] - tall + 1].copy()
    for k in range(1, tall):  # squares dark in ``tall`` rows running down
        rows &= dark[k : dark.shape[0] - tall + 1 + k]
    runs = np.cumsum(np.pad(rows, ((0, 0), (1, 0))), axis=1, dtype=np.int32)
    return bool((runs[:, wide:] - runs[:, :-wide] == wide).any())


def orientation(image: Image.Image, *, dpi: int) -> tuple[int, float] | None:
    """Tesseract's orientation detection on the middle of ``image`` (see
    ``tessapi.orientation``): degrees the text is turned clockwise and its confidence.

    Only with the loaded library: by the command it would cost a start of tesseract
    (about a second), more than the reading it is meant to spare. The middle half of the
    page (two thirds of its width) holds text on every paper, away from the header,
    the signature and the margins' noise, and costs less to look at than the whole.
    """
    if not tessapi.available():
        return None
    width, height = image.size
    middle = image.crop((width // 6, height // 4, width - width // 6, height - height // 4))
    return tessapi.orientation(middle, dpi=dpi)


def tesseract_command(image: Image.Image, base: Path, *, dpi: int, languages: str, psm: int,
                      want_pdf: bool, invert: bool = True,
                      whitelist: str = "") -> tuple[str, bytes | None]:
    """``tesseract`` by the command (a new process, which loads the model again);
    ``invert`` and ``whitelist`` as ``tessapi.read``'s."""
    source = base.with_suffix(".pgm")
    image.convert("L").save(source)
    cmd = [TESSERACT, str(source), str(base), "-l", languages, "--dpi", str(dpi),
           "--psm", str(psm)]
    if not invert:
        cmd += ["-c", f"{tessapi.INVERT_THRESHOLD.decode()}={tessapi.NO_INVERT.decode()}"]
    if whitelist:
        cmd += ["-c", f"{tessapi.WHITELIST.decode()}={whitelist}"]
    if want_pdf:
        cmd += ["-c", "textonly_pdf=1", "pdf"]
    _run([*cmd, "tsv"])
    return (base.with_suffix(".tsv").read_text(encoding="utf-8"),
            base.with_suffix(".pdf").read_bytes() if want_pdf else None)


def _run(cmd: list[str]) -> None:
    done = subprocess.run(cmd, capture_output=True, env=tesseract_env(), timeout=600)
    if done.returncode != 0:
        raise RuntimeError(
            f"tesseract failed ({done.returncode}): {done.stderr.decode(errors='replace')[-500:]}"
        )


# Misread pieces this high on the page are the header's two blocks (agency | national
# motto) sitting at slightly different heights, which tesseract's layout joins into
# one line and then misreads: they are worth reading again on their own.
HEADER_FRACTION = 0.2
REREAD_MARGIN = 0.3  # of the piece's height, above and below
MAX_REREAD_PIECES = 6
# A piece taller than this many median word heights is a blot, a fold or a seal, not a
# line of the header: stacking such pieces made sheets tesseract refused.
MAX_PIECE_HEIGHTS = 3.0


def header_noise(words: list[Word], page_height: int) -> list[list[Word]]:
    """Noise pieces (see ``_is_noise``) starting in the top HEADER_FRACTION of the page."""
    limit = HEADER_FRACTION * page_height
    tallest = MAX_PIECE_HEIGHTS * _height(words) if words else 0
    return [piece for line in _lines(words) for piece in _segments(line)
            if _is_noise(piece) and piece[0].bbox[1] < limit
            and _box(piece)[3] - _box(piece)[1] <= tallest]


def _box(piece: list[Word]) -> tuple[int, int, int, int]:
    return (min(w.bbox[0] for w in piece), min(w.bbox[1] for w in piece),
            max(w.bbox[2] for w in piece), max(w.bbox[3] for w in piece))


def read_crops(image: Image.Image, boxes: list[tuple[int, int, int, int]], workdir: Path, *,
               dpi: int, languages: str, despeckled_too: Sequence[bool] = ()
               ) -> list[list[Word]]:
    """The words in each box (page coordinates), read in one tesseract call (``--psm 6``)
    on the crops stacked with blank space between them.

    ``despeckled_too`` marks the boxes (in order) that are read again with their specks
    lifted: their dense specks darken whole millimetre squares, which
    ``may_hold_reversed_text`` takes for a band light print could be reversed out of, and
    tesseract then read every line of the noise a second time, inverted (dev e0061's sheet:
    1.5 s). Whether the sheet is read with those retries is judged on the other crops
    alone; reversed print in a noisy patch is still read, with its retries, by the
    despeckled reading, whose solid bands stay dark.

    The space is a few text heights, not the tallest crop's height: stacking many tall
    crops that far apart made sheets tesseract refused ("Image too large").
    """
    gray = as_gray(image)
    crops = [(gray.crop(box), (box[0], box[1])) for box in boxes]
    gap = max(CROP_GAP_MIN, min(c.height for c, _ in crops))
    width = max(c.width for c, _ in crops) + 2 * gap
    sheet = Image.new("L", (width, sum(c.height + gap for c, _ in crops) + gap), 255)
    starts: list[int] = []
    y = gap
    for crop, _ in crops:
        sheet.paste(crop, (gap, y))
        starts.append(y)
        y += crop.height + gap
    invert = (any(may_hold_reversed_text(crop, dpi) for (crop, _), noisy
                  in zip(crops, despeckled_too, strict=True) if not noisy)
              if any(despeckled_too) else None)
    tsv, _ = tesseract(sheet, workdir / "second-look", dpi=dpi, languages=languages, psm=6,
                       want_pdf=False, invert=invert)
    found = parse_tsv(tsv)
    out: list[list[Word]] = [[] for _ in boxes]
    for word in found:
        middle = (word.bbox[1] + word.bbox[3]) // 2
        # The crop whose band (itself plus half the blank space around it) holds the word.
        k = max(0, bisect.bisect_right(starts, middle + gap // 2) - 1)
        (left, top), start = crops[k][1], starts[k]
        dx, dy = left - gap, top - start
        x0, y0, x1, y1 = word.bbox
        out[k].append(Word(text=word.text, confidence=word.confidence,
                           bbox=(x0 + dx, y0 + dy, x1 + dx, y1 + dy), line=word.line))
    return out


CROP_GAP_MIN = 40  # pixels of blank paper between stacked crops, at least


# ---------------------------------------------------------------- ink tesseract skipped

# Tesseract's layout analysis takes a block it judges to be a picture (the signature
# block under a seal and a pen signature, a stamp beside text) out of the text and reads
# nothing there. Such ink, with no confidently read word on it, is cut out and read on
# its own as a block of text (``--psm 6``); only lines that read as text are kept.
UNREAD_CELL_DPI = 10  # grid on which ink and words are compared
UNREAD_MIN_CELLS = 12  # smaller patches are specks, rules or a lone mark
UNREAD_MAX_REGIONS = 3
UNREAD_MAX_HEIGHT = 0.25  # of the page
# Larger patches (share of the page's area) below the header are not read either. On
# the dev half the patches whose reading added a line covered 0.8–4.3 % of the page (a
# signature block, a header block); those over 8 % below the header (12–19 %: a fold's
# shadow, a wide stretch of speckle round the signature) added nothing and cost up to
# 0.9 s of tesseract each: noise is what tesseract is slowest on. A noisy photocopy's
# top (18 %, up to 2 s) is still read: its header lines are there (the test half lost
# 1.9 points on that class without them).
UNREAD_MAX_AREA = 0.08


def _cells(mask: np.ndarray, factor: int) -> np.ndarray:
    """OR-reduce a boolean mask by ``factor`` in both directions.

    One axis at a time: the rows of each band of ``factor`` rows first (contiguous
    memory), then the columns of that much smaller array. The same cells as numpy's
    ``any`` over both axes of a 4-d view at once, which strides across the page and cost
    ~5 ms a 300-dpi page instead of ~0.5."""
    h, w = (mask.shape[0] // factor) * factor, (mask.shape[1] // factor) * factor
    rows = np.asarray(mask[:h].reshape(h // factor, factor, mask.shape[1]).any(axis=1),
                      dtype=bool)
    return np.asarray(rows[:, :w].reshape(h // factor, w // factor, factor).any(axis=2),
                      dtype=bool)


def unread_ink(image: Image.Image, words: list[Word], dpi: int, *,
               also_covered: Sequence[tuple[int, int, int, int]] = (),
               noisy_tops: list[tuple[int, int, int, int]] | None = None
               ) -> list[tuple[int, int, int, int]]:
    """Boxes (page pixels) of ink patches that no confidently read word covers (nor
    ``also_covered``, places read again anyway); the header-band tops of densely
    speckled patches too tall to be read as a block of text go to ``noisy_tops`` when
    given."""
    gray = as_gray(image)
    factor = max(1, round(dpi / UNREAD_CELL_DPI))
    pixels = np.asarray(gray, dtype=np.uint8)
    # Otsu on a subsample: the split between paper and ink, at a sixteenth of the cost.
    ink = pixels < otsu_threshold(pixels[::4, ::4])
    covered = np.zeros_like(ink)
    height = _height(words) if words else factor
    pad = height // 2
    for piece in (p for line in _lines(words) for p in _segments(line)):
        if _is_noise(piece):
            continue
        x0, y0, x1, y1 = _box(piece)
        covered[max(0, y0 - pad):y1 + pad, max(0, x0 - pad):x1 + pad] = True
    for x0, y0, x1, y1 in also_covered:
        covered[y0:y1, x0:x1] = True
    cells = _cells(ink & ~covered, factor)
    # The page's edges (scanner shadow, punch holes, a photo's background) are not text.
    my, mx = max(1, cells.shape[0] // 25), max(1, cells.shape[1] // 25)
    cells[:my], cells[-my:], cells[:, :mx], cells[:, -mx:] = False, False, False, False
    # Grown by a cell, so that the words of one block (a title over a signature over a
    # name) make one patch, cut out whole with a cell of margin.
    grown = cells.copy()
    grown[1:] |= cells[:-1]
    grown[:-1] |= cells[1:]
    grown[:, 1:] |= grown[:, :-1].copy()
    grown[:, :-1] |= grown[:, 1:].copy()
    boxes = []
    for x0, y0, x1, y1, _count, _own in regions_of(grown)[:UNREAD_MAX_REGIONS]:
        if int(cells[y0:y1, x0:x1].sum()) < UNREAD_MIN_CELLS:
            continue
        box = (x0 * factor, y0 * factor, min(ink.shape[1], x1 * factor),
               min(ink.shape[0], y1 * factor))
        if (y1 - y0) > UNREAD_MAX_HEIGHT * cells.shape[0]:
            # Too tall for a block of text: a blot, a fold — or a photocopier's noise
            # spread from the top of the page down past the header, whose lines the
            # layout lost with it (fresh draw 3571's e0004: agency, motto, title and
            # the first lines under them, all unread). Densely speckled, its top is
            # read once its specks are lifted (``second_look``).
            top = (box[0], box[1], box[2], box[1] + round(UNREAD_MAX_HEIGHT * gray.height))
            if (noisy_tops is not None and y0 < HEADER_FRACTION * cells.shape[0]
                    and densely_speckled(gray, top)):
                noisy_tops.append(top)
            continue
        if ((y1 - y0) * (x1 - x0) > UNREAD_MAX_AREA * cells.size
                and y0 >= HEADER_FRACTION * cells.shape[0]):
            continue  # a fold or a noisy stretch of page, not a block of text
        boxes.append(box)
    return boxes


def _new_lines(found: list[Word], words: Sequence[Word], *, key: int,
               short_words: bool = False) -> list[list[Word]]:
    """The text lines among words read in a skipped patch: not noise, letters rather
    than a pen signature's strokes (``_looks_like_text``; ``short_words``: see there),
    not already read by the first pass. Each gets its own line key (past tesseract's),
    so it stays its own line of text."""
    lines = []
    for line in _lines(found):
        kept = [w for piece in _segments(line) if not _is_noise(piece) for w in piece
                if any(c.isalnum() for c in w.text) and w.confidence >= NOISE_LINE_CONFIDENCE
                and not _already_read(w, words)]
        if _looks_like_text(kept, short_words=short_words):
            lines.append([dataclasses.replace(w, line=(key, *w.line[1:])) for w in kept])
    return lines


# Two word boxes overlapping by more than this share of the smaller one hold the same ink.
DUPLICATE_OVERLAP = 0.4


def _already_read(word: Word, words: Sequence[Word]) -> bool:
    return any(_overlap(word.bbox, other.bbox) > DUPLICATE_OVERLAP for other in words)


def _looks_like_text(line: list[Word], *, short_words: bool = False) -> bool:
    """A line worth adding: some word of three letters or more, not a scatter of
    single letters (what a pen signature reads as). With ``short_words`` (a signer's
    name: "VŨ MỸ MỸ"), also two words or more of two letters or more, each read with
    ``SURE_SHORT_WORD`` confidence: a pen stroke does not read that surely."""
    letters = [sum(c.isalnum() for c in w.text) for w in line]
    if short_words and len(line) >= 2 and all(
            n >= 2 and w.confidence >= SURE_SHORT_WORD for n, w in zip(letters, line,
                                                                        strict=True)):
        return True
    return bool(letters) and max(letters) >= 3 and sum(letters) >= 4


SURE_SHORT_WORD = 90.0


def _insert_lines(words: list[Word], added: list[list[Word]]) -> list[Word]:
    """``words`` with each added line placed before the first line that starts below it."""
    lines = _lines(words)
    for new in sorted(added, key=lambda line: min(w.bbox[1] for w in line)):
        top = min(w.bbox[1] for w in new)
        at = next((i for i, line in enumerate(lines) if min(w.bbox[1] for w in line) > top),
                  len(lines))
        lines.insert(at, new)
    return [w for line in lines for w in line]


def splice(words: list[Word], pieces: list[list[Word]],
           readings: list[list[Word]]) -> list[Word]:
    """``words`` with each piece replaced, in place, by its new reading (when it has one)."""
    replace = {id(piece[0]): (piece, new) for piece, new in zip(pieces, readings, strict=True)
               if new}
    skip: set[int] = set()
    out: list[Word] = []
    for word in words:
        if id(word) in skip:
            continue
        if id(word) in replace:
            piece, new = replace[id(word)]
            skip.update(id(w) for w in piece)
            out.extend(new)
            continue
        out.append(word)
    return out


def parse_tsv(tsv: str) -> list[Word]:
    rows = csv.reader(tsv.splitlines()[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    words: list[Word] = []
    for row in rows:
        if len(row) < 12 or row[0] != "5":
            continue
        text = row[11].strip()
        conf = float(row[10])
        if not text or conf < 0:
            continue
        left, top, width, height = (int(v) for v in row[6:10])
        words.append(
            Word(
                text=text,
                confidence=conf,
                bbox=(left, top, left + width, top + height),
                line=(int(row[2]), int(row[3]), int(row[4])),
            )
        )
    return words


# A gap wider than this many text heights inside a tesseract line separates columns.
COLUMN_GAP_HEIGHTS = 1.6
# Lines read with a median confidence below NOISE_LINE_CONFIDENCE, or without a single
# word above NOISE_LINE_BEST, are seal, signature or rule remnants, not text: they stay
# in ``words`` (with their confidences) but not in the page text.
NOISE_LINE_CONFIDENCE = 55.0
NOISE_LINE_BEST = 70.0


def _lines(words: list[Word]) -> list[list[Word]]:
    lines: list[list[Word]] = []
    for word in words:
        if lines and lines[-1][-1].line == word.line:
            lines[-1].append(word)
        else:
            lines.append([word])
    return lines


# A page whose confidence (the mean over its characters) is below the noise line level
# was read with no confidence anywhere (a barely legible 150-dpi fax): its low lines are
# its text, not remnants among good lines, and dropping them left a few words of a page
# whose every word, kept, reads better than bare tesseract. On the dev half the one such
# page scores 37; every other page 84 or more (bench/README_ocr.md). Weighted by
# characters so that a few one-letter specks do not make a well-read page weak.
# At the noise line's own level (55) the rule sat on a knife edge: speck faxes read at
# 60–63 lost whole lines of their text as "noise" (fresh fax draw 28002: "2. Giới tính:
# Nam" gone), while every page read fairly (faxes whose print held, clean and degraded
# scans) measured 84 or more.
WEAK_PAGE_CONFIDENCE = 70.0


def character_confidence(words: list[Word]) -> float:
    """The mean confidence over the characters of ``words`` (100 without any): a few
    one-letter specks weigh little against the page's words."""
    chars = sum(len(w.text) for w in words)
    return sum(len(w.text) * w.confidence for w in words) / chars if chars else 100.0


def _weak_page(words: list[Word]) -> bool:
    return character_confidence(words) < WEAK_PAGE_CONFIDENCE


def _without_noise(line: list[Word]) -> list[Word]:
    """The line without its noise pieces, judged piece by piece (split at column gaps):
    a header line that tesseract joined with a misread neighbour keeps its good half."""
    return [w for piece in _segments(line) if not _is_noise(piece) for w in piece]


def _is_noise(line: list[Word]) -> bool:
    confidences = sorted(w.confidence for w in line)
    median = confidences[len(confidences) // 2]
    return median < NOISE_LINE_CONFIDENCE or confidences[-1] < NOISE_LINE_BEST


def _height(words: list[Word]) -> int:
    heights = sorted(w.bbox[3] - w.bbox[1] for w in words)
    return max(1, heights[len(heights) // 2])


@functools.lru_cache(maxsize=4096)
def _fold(text: str) -> str:
    """Upper case without marks: "CÔNG", "CỘNG" and "Cộng" all fold to "CONG".

    Cached: laying out a page's text folds the same few hundred words tens of thousands
    of times (the motto search runs for every pair of words of every line)."""
    decomposed = unicodedata.normalize("NFD", text.upper().replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _motto_x(lines: list[list[Word]]) -> int | None:
    """Where the national motto starts across the page, if the first lines have it."""
    for line in lines[:HEADER_SEARCH_LINES]:
        for index in range(len(line) - 1):
            if _motto_starts(line, index):
                return line[index].bbox[0]
    return None


@functools.lru_cache(maxsize=8192)
def _one_edit(word: str, target: str) -> bool:
    """Whether ``word`` is ``target`` or one letter away from it (one changed, missing
    or added). Cached as ``_fold`` is: the motto search asks it of every word of a
    page's lines, against the motto's few words."""
    return word == target or (abs(len(word) - len(target)) <= 1
                               and edit_distance(word, target) <= 1)


# Words after "CỘNG" within which the motto's "VIỆT NAM" ends its line.
MOTTO_WORDS = 8


# The national motto's words, folded.
MOTTO = ("CONG", "HOA", "XA", "HOI", "CHU", "NGHIA", "VIET", "NAM")
# Motto words in place (one letter of slack each) a start read with a letter wrong needs.
MOTTO_MISREAD_MIN = 3


def _motto_score(line: list[Word], index: int) -> int:
    """How many of the motto's words stand in their place from ``line[index]`` on."""
    return sum(_one_edit(_fold(w.text), m) for w, m in zip(line[index:], MOTTO, strict=False))


def _motto_candidate(line: list[Word], index: int) -> bool:
    if index + 1 >= len(line):
        return False
    first, second = _fold(line[index].text), _fold(line[index + 1].text)
    if first == "CONG" and second.startswith("HOA"):
        return True
    if not _one_edit(first, "CONG"):
        return False
    if _one_edit(second, "HOA"):
        return _motto_score(line, index) >= MOTTO_MISREAD_MIN
    after = [_fold(w.text) for w in line[index + 1:index + 1 + MOTTO_WORDS]]
    return any(_one_edit(a, "VIET") and b.startswith("NAM")
               for a, b in itertools.pairwise(after))


def _motto_starts(line: list[Word], index: int) -> bool:
    """Whether the national motto starts at ``line[index]``: "CỘNG HÒA …" compared
    without marks; one letter of either word allowed wrong ("ÔNG HÒA": fresh draw 8017's
    e0025) when more of the motto's words follow in their places (a ward "LONG HÒA" is
    one letter from it); or "CỘNG" followed on its line by "VIỆT NAM" (the layout split
    the motto's line and read "CỌNG Tai nh VIỆT NAM" for it: draw 3613's e0046). Missed,
    the header's right block had no start and its two blocks were read interleaved.

    An agency named like the motto's first words ("UBND PHƯỜNG ĐỊNH CÔNG", "UBND XÃ
    CỘNG HÒA") read on one line with the motto: the start is the candidate whose
    following words are the motto's, not the first (specimen 0018 gave "ĐỊNH" | "CÔNG
    CỘNG HÒA …": the ward's name cut)."""
    if not _motto_candidate(line, index):
        return False
    score = _motto_score(line, index)
    return not any(_motto_candidate(line, later) and _motto_score(line, later) > score
                   for later in range(index + 1, min(len(line), index + 1 + MOTTO_WORDS)))


# The header sits within the page's first lines of text.
HEADER_SEARCH_LINES = 8


def _starts_national_motto(line: list[Word], index: int) -> bool:
    """"CỘNG HÒA XÃ HỘI…" (quốc hiệu) heads the right-hand block of every Vietnamese
    administrative paper (Decree 30/2020/NĐ-CP); a long agency name on the left can
    leave almost no gap before it, so the split does not wait for a wide one. Compared
    without marks: tesseract often reads "CÔNG" for "CỘNG"."""
    if index == 0:
        return False
    return _motto_starts(line, index)


def _segments(line: list[Word]) -> list[list[Word]]:
    height = _height(line)
    segments = [[line[0]]]
    for index, (previous, word) in enumerate(itertools.pairwise(line), start=1):
        gap = word.bbox[0] - previous.bbox[2]
        motto = _starts_national_motto(line, index)
        if gap > COLUMN_GAP_HEIGHTS * height or motto:
            segments.append([word])
        else:
            segments[-1].append(word)
    return segments


# What a table's vertical border reads as. Between two words of a line it is the border
# between two cells, however close the words sit: a value that fills its cell leaves less
# than a column gap before the rule (dev e0006: "xã Hợp Minh, | Thôn 1, xã Bình Trưng"),
# and without the rule the two spouses' addresses were one piece, the row not a row.
VERTICAL_RULE_CHARACTERS = frozenset("|¦│┃")


def _is_vertical_rule(word: Word) -> bool:
    return all(c in VERTICAL_RULE_CHARACTERS for c in word.text)


def _pieces(line: list[Word]) -> list[list[Word]]:
    """A line's pieces for laying out the text: split at column gaps (``_segments``) and
    at a table's vertical rules read as words, the rules themselves left out."""
    pieces: list[list[Word]] = []
    for segment in _segments(line):
        current: list[Word] = []
        for word in segment:
            if _is_vertical_rule(word):
                if current:
                    pieces.append(current)
                current = []
            else:
                current.append(word)
        if current:
            pieces.append(current)
    return pieces


def _column_run(lines: list[list[Word]], start: int,
                middle: float) -> tuple[list[list[Word]], int]:
    """Side-by-side blocks (the agency | national motto header) read column by column.

    Tesseract often joins the two header blocks of a Vietnamese administrative paper
    into one line, or gives the motto's line first because it sits a little higher; a
    reader (and the extractor) wants the left block, then the right. The run is the
    page's first lines, or a line that joins a piece with the motto, down to the first
    line that spans the middle of the text (the centred title). Further down, two
    pieces on one line are a label and its value (a boxed table, "Họ và tên  NGUYỄN
    VĂN AN"), which are read across.
    Returns the reordered pieces and the index of the first line after the run.
    """
    first = _pieces(lines[start])
    motto = any(_starts_national_motto(lines[start], i) for i in range(1, len(lines[start])))
    if not (start == 0 or (motto and len(first) == 2)):
        return [lines[start]], start + 1
    left: list[list[Word]] = []
    right: list[list[Word]] = []
    bottom: int | None = None
    height = _height(lines[start])
    end = start
    while end < len(lines):
        line = lines[end]
        top = min(w.bbox[1] for w in line)
        pieces = _pieces(line)
        if bottom is not None and top - bottom > (
                HEADER_NUMBER_GAP if _is_document_number(pieces) else HEADER_LINE_GAP) * height:
            break
        if any(p[0].bbox[0] < middle < p[-1].bbox[2] for p in pieces):
            break  # spans both columns: the run is over
        for piece in pieces:
            (right if piece[0].bbox[0] >= middle else left).append(piece)
        bottom = max(bottom or 0, max(w.bbox[3] for w in line))
        end += 1
    if end == start:
        return [lines[start]], start + 1
    return _top_down(left) + _top_down(right), end


# The header's lines follow each other within this many text heights (bottom to top).
HEADER_LINE_GAP = 1.5
# The document's number ("Số: 12D38970546") closes the agency's block, under the short
# rule that underlines the agency's name (Decree 30/2020/NĐ-CP, Phụ lục I): it lies a
# little further down, 1.5 text heights and more below the name (fresh draw 8017's
# e0042: 1.52), and was read after the motto when the run ended above it.
HEADER_NUMBER_GAP = 3.0


def _is_document_number(pieces: list[list[Word]]) -> bool:
    """Whether a line of pieces is the document's number alone: one piece, "Số …"."""
    return len(pieces) == 1 and _fold(pieces[0][0].text).rstrip(":.") == "SO"


def _top_down(column: list[list[Word]]) -> list[list[Word]]:
    """A header column's pieces top to bottom: a piece lying wholly above the one before
    it goes up. The layout joins lines of the two blocks that lean into each other (a
    photographed page: "PHÒNG TÀI CHÍNH | Độc lập - Tự do…" one line, fresh draw
    4703's e0021) and gives the motto's first line, a block of its own, after them."""
    out: list[list[Word]] = []
    for piece in column:
        at = len(out)
        while at > 0 and max(w.bbox[3] for w in piece) <= min(w.bbox[1] for w in out[at - 1]):
            at -= 1
        out.insert(at, piece)
    # Pieces of one row, one after the other, are one line read left to right: the layout
    # splits a line whose words lean into the other block's lines among two of its lines
    # (the motto read "ÔNG HÒA XÃ Ủ NGHĨA VIỆT" and "HỘI CHỮ TỆT NAM" in two lines, each
    # joined to a line of the agency's block: fresh draw 8017's e0025).
    rows: list[list[Word]] = []
    for piece in out:
        if rows and abs(_centre(rows[-1]) - _centre(piece)) < 0.5 * _height(rows[-1] + piece):
            rows[-1] = sorted(rows[-1] + piece, key=lambda w: w.bbox[0])
        else:
            rows.append(piece)
    return rows


def _overlap(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection area over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / max(1, smaller)


def text_bands(*readings: list[Word]) -> list[tuple[int, int]]:
    """Horizontal bands of the page (top, bottom pixel rows) holding text in any of
    ``readings`` (same geometry): lines overlapping by more than a third of a line's
    height fall in one band, so a header's two blocks, or a line two readings cut
    differently, are one band."""
    spans = sorted((min(w.bbox[1] for w in line), max(w.bbox[3] for w in line))
                   for words in readings for line in _lines(words))
    bands: list[list[int]] = []
    for top, bottom in spans:
        if bands and top < bands[-1][1] - (bottom - top) / 3:
            bands[-1][1] = max(bands[-1][1], bottom)
        else:
            # Half-open and disjoint: a line's middle falls in exactly one band.
            bands.append([max(top, bands[-1][1]) if bands else top, bottom])
    return [(top, bottom) for top, bottom in bands]


def lines_in(words: list[Word], band: tuple[int, int]) -> list[Word]:
    """The words of the lines of ``words`` whose middle lies in ``band`` (half-open)."""
    return [w for line in _lines(words)
            if band[0] <= (min(w.bbox[1] for w in line) + max(w.bbox[3] for w in line)) / 2
            < band[1] for w in line]


# Block numbers of dropped words, apart from the page's (their crops' own numbering).
DROPPED_BLOCKS = 20_000


def rekeyed(words: list[Word], block_offset: int) -> list[Word]:
    """``words`` with their block numbers moved past another reading's, so that lines
    from two readings never share a line key (``_lines`` groups by key)."""
    return [dataclasses.replace(w, line=(w.line[0] + block_offset, *w.line[1:]))
            for w in words]


def drop_duplicates(words: list[Word]) -> list[Word]:
    """Words read twice: keep the more confident of two boxes covering the same ink.

    When two text lines sit a few pixels apart (a header block beside the national
    motto) tesseract sometimes builds two overlapping lines and reads the same
    letters in both.
    """
    order = sorted(range(len(words)), key=lambda i: words[i].bbox[1])
    dropped: set[int] = set()
    for position, i in enumerate(order):
        a = words[i]
        for j in order[position + 1 :]:
            b = words[j]
            if b.bbox[1] >= a.bbox[3]:
                break
            if a.line != b.line and _overlap(a.bbox, b.bbox) > 0.4:
                dropped.add(i if a.confidence < b.confidence else j)
    return [w for k, w in enumerate(words) if k not in dropped]


# What a table's ruled borders read as: not text.
RULE_CHARACTERS = frozenset("|¦│┃[]")
# The punctuation these papers are typed with. A "word" of marks only, one of them
# outside this set ("¡", "ˆ", "†", "⁄", "`{", "~"), is what tesseract makes of a rule's
# end, a pen stroke's tail or a speck: not text.
TYPED_PUNCTUATION = frozenset("-–—.,:;()/%+*\"'“”‘’…!?&=#")
# Symbols tesseract puts for a misread letter or digit ("€)" for "c)", "§." for "5."):
# they stand for text, so they stay (the misreading costs less than a gap).
MISREAD_GLYPHS = frozenset("€§©®£¥@$")


def _is_rule(word: Word) -> bool:
    text = word.text
    if all(c in RULE_CHARACTERS for c in text):
        return True
    return (not any(_is_text_char(c) or c in MISREAD_GLYPHS for c in text)
            and any(c not in TYPED_PUNCTUATION for c in text))


def _is_text_char(char: str) -> bool:
    # Modifier letters ("ˆ", "ˇ") count as letters to Python, not to a reader.
    return char.isalnum() and unicodedata.category(char) != "Lm"


def _span(lines: list[list[Word]], axis: int) -> tuple[int, int]:
    return (min(w.bbox[axis] for line in lines for w in line),
            max(w.bbox[axis + 2] for line in lines for w in line))


def _centre(line: list[Word]) -> float:
    return sum(w.bbox[1] + w.bbox[3] for w in line) / (2 * len(line))


# Side-by-side blocks whose lines pair up row by row (at least this share of the
# longer block, and at least two rows) are the columns of one table.
ROW_PAIRED_SHARE = 0.75


def _rows_of(left: list[list[Word]], right: list[list[Word]]) -> list[list[Word]] | None:
    """The rows of two side-by-side blocks that are columns of one table, or None.

    Tesseract lays out a boxed table ("Họ và tên | NGUYỄN VĂN AN", "Giới tính | Nam")
    as one block per column, so a label and its value end up lines apart. When the
    blocks do not overlap across and their lines sit at the same heights, they are
    read as rows: each label beside its value. The header's two blocks (agency |
    national motto) also pair up, but are read column by column (``_column_run``).
    """
    (ax0, ax1), (bx0, bx1) = _span(left, 0), _span(right, 0)
    if ax1 > bx0 and bx1 > ax0:
        return None  # overlapping across: one above the other, not side by side
    if any(_starts_national_motto(line, i) or (i == 0 and _fold(line[0].text) == "CONG")
           for line in left + right for i in range(len(line))):
        return None
    height = max(_height([w for line in left + right for w in line]), 1)
    shorter, longer = sorted((left, right), key=len)
    paired = sum(1 for line in shorter
                 if any(abs(_centre(line) - _centre(other)) < 0.5 * height for other in longer))
    if paired < max(2, ROW_PAIRED_SHARE * len(longer)):
        return None
    ordered = sorted(left + right, key=_centre)
    rows: list[list[Word]] = []
    for line in ordered:
        if rows and abs(_centre(line) - _centre(rows[-1])) < 0.5 * height:
            rows[-1] = sorted(rows[-1] + line, key=lambda w: w.bbox[0])
        else:
            rows.append(list(line))
    return rows


def _rejoined(left: list[list[Word]], right: list[list[Word]]) -> list[list[Word]] | None:
    """``left`` with each line of ``right`` put back at the end of the line it continues,
    or None unless every line of ``right`` continues one.

    Tesseract's layout sometimes cuts a block of text down the middle (a photographed
    page's crease or light edge read as a gutter: fresh draw 3571's e0022), and the
    right halves of its lines come out as a block of their own, after every left half.
    A line of ``right`` continues a line of ``left`` when it sits at the same height
    and starts after it by no more than a gap between words (the gap ``_segments``
    splits columns at): halves of one line, not two columns. The header's blocks (the
    national motto) are never joined.
    """
    if any(_starts_national_motto(line, i) or (i == 0 and _fold(line[0].text) == "CONG")
           for line in left + right for i in range(len(line))):
        return None
    height = max(_height([w for line in left + right for w in line]), 1)
    joined = [list(line) for line in left]
    for line in right:
        start = line[0].bbox[0]
        partner = next((k for k, other in enumerate(left)
                        if abs(_centre(other) - _centre(line)) < 0.5 * height
                        and 0 <= start - other[-1].bbox[2] <= COLUMN_GAP_HEIGHTS * height),
                       None)
        if partner is None:
            return None
        joined[partner] += line
    return joined


def _blocks_of(lines: list[list[Word]]) -> list[list[list[Word]]]:
    """Consecutive lines of one tesseract block, together."""
    blocks: list[list[list[Word]]] = []
    for line in lines:
        if blocks and blocks[-1][-1][0].line[0] == line[0].line[0]:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    return blocks


def _blocks_in_place(lines: list[list[Word]]) -> list[list[Word]]:
    """``lines`` with a block that the layout gave after a block lying wholly below it,
    across from it, moved back up among the lines before: after the last line that
    reads before it (above it, or on its row and left of it).

    Tesseract's layout sometimes takes a piece of a line out of its block (on a noisy
    photocopy the second half of "Ngày sinh: …; ghi bằng chữ: …", its first half read
    apart: fresh draw 3187's e0023) and gives it after the block under it, a page
    further down the text. Text that overlaps another block across cannot stand beside
    it, so only its height says where it is read; blocks side by side (the header's
    two, a table's columns) do not overlap across and are left alone.
    """
    out: list[list[Word]] = []
    previous: list[list[Word]] | None = None
    for block in _blocks_of(lines):
        moved = previous is not None and _above_across(block, previous)
        previous = block
        if not moved:
            out += block
            continue
        first = block[0]
        height = _height([w for line in block for w in line])
        at = len(out)
        while at > 0 and not _reads_before(out[at - 1], first, height):
            at -= 1
        out[at:at] = block
    return out


def _stacked(line: list[Word]) -> bool:
    """Whether the "line" is a column of words one under the other, no two side by side.

    Tesseract's layout sometimes reads a column as a line: a numbered list's numbers
    ("2.", "3.", "4.", "5." down the margin: fresh draw 3613's e0021 read "C2 + ƠI Œ",
    confidences 62–71, dev e0079 "B C2 + ƠI Ơ œ") or a rule's pieces. It is no line of
    text: kept in the page's words, it is left out of the text, where it stood between
    the header's lines and ended its column run (60 errors of reading order on e0021).
    One under the other means overlapping across as well: a title with a rule's piece
    read just under it and to its left ("_—_ CHỦTỊCH") is a line."""
    return len(line) > 1 and all(
        (b.bbox[1] >= a.bbox[3] or a.bbox[1] >= b.bbox[3])  # not side by side...
        and min(a.bbox[2], b.bbox[2]) > max(a.bbox[0], b.bbox[0])  # ...but one under the other
        for a, b in itertools.pairwise(line))


def _rows_rejoined(lines: list[list[Word]]) -> list[list[Word]]:
    """``lines`` with a block of one line that lies on the row of an earlier line of
    another block, right of it, put at that line's end.

    Tesseract's layout sometimes takes a line's last piece for a block of its own and
    gives it after the block holding the rest of the line (a photographed page: "Giới
    tính: Nam  Dân tộc: Kinh" in one block, "Quốc tịch: Việt Nam" after it, four lines
    further down the text: fresh draw 3613's e0009). A piece on a line's row, right of
    its end, is read after it whatever block the layout made of it. Only a lone line is
    moved, and only into the width of the block beside it (its other lines reach past the
    piece's start): a block of two lines or more beside another is a column (the header's
    two blocks, a table's), and a line right of a narrow block ("GIÁM ĐỐC" beside "Nơi
    nhận:") stands beside it, both read by the later steps in their own order."""
    out: list[list[Word]] = []
    for block in _blocks_of(lines):
        line = block[0]
        row = None
        if len(block) == 1 and out:
            height = _height(line)
            row = next((k for k in range(len(out) - 1, -1, -1)
                        if out[k][0].line[0] != line[0].line[0]
                        and abs(_centre(out[k]) - _centre(line)) < 0.5 * height
                        and _beside_within(line, out[k], _block_span(out, out[k][0].line[0]))),
                       None)
        if row is None or (row == len(out) - 1 and line[0].bbox[0] > out[row][-1].bbox[2]):
            out += block  # none, or already read right after the row's line
            continue
        key = out[row][0].line
        out[row] = sorted(out[row] + [dataclasses.replace(w, line=key) for w in line],
                          key=lambda w: w.bbox[0])
    return out


def _beside_within(line: list[Word], row: list[Word], span: tuple[int, int]) -> bool:
    """Whether ``line`` lies wholly right or wholly left of ``row`` and reaches into
    ``span`` (the width of ``row``'s block)."""
    x0, x1 = line[0].bbox[0], line[-1].bbox[2]
    beside = x0 > row[-1].bbox[2] or x1 < row[0].bbox[0]
    return beside and x0 < span[1] and x1 > span[0]


def _block_span(lines: list[list[Word]], block: int) -> tuple[int, int]:
    """Where ``lines`` of tesseract block ``block`` start and end across."""
    mine = [line for line in lines if line[0].line[0] == block]
    return min(line[0].bbox[0] for line in mine), max(line[-1].bbox[2] for line in mine)


def _above_across(block: list[list[Word]], other: list[list[Word]]) -> bool:
    """Whether ``block`` lies wholly above ``other`` and across from it (overlapping
    by half the narrower one's width or more)."""
    (x0, x1), (ox0, ox1) = _span(block, 0), _span(other, 0)
    return (_span(block, 1)[1] <= _span(other, 1)[0]
            and min(x1, ox1) - max(x0, ox0) >= min(x1 - x0, ox1 - ox0) / 2)


def _reads_before(line: list[Word], other: list[Word], height: int) -> bool:
    """Whether ``line`` is read before ``other``: above it, or on its row and left of it."""
    if abs(_centre(line) - _centre(other)) < 0.5 * height:
        return line[0].bbox[0] < other[0].bbox[0]
    return _centre(line) < _centre(other)


# Lines of one tesseract block closer than this many text heights (a line's spacing
# leaves about half a height between them) are one cell's wrapped text; a table's next
# row lies further down, past its rule and the cells' padding.
CELL_WRAP_GAP_HEIGHTS = 0.75
# A labelled table read cell by cell has at least this many rows with a value.
LABELLED_ROWS = 3


def _cells_of(blocks: list[list[list[Word]]], height: int) -> list[list[list[Word]]]:
    """The blocks' cells: consecutive lines of one block close under each other
    (``CELL_WRAP_GAP_HEIGHTS``) and overlapping across are one cell."""
    cells: list[list[list[Word]]] = []
    for block in blocks:
        for line in block:
            if cells and cells[-1][-1][0].line[0] == line[0].line[0]:
                (x0, x1), (lx0, lx1) = _span(cells[-1], 0), _span([line], 0)
                gap = min(w.bbox[1] for w in line) - _span(cells[-1], 1)[1]
                # Or one line the layout cut in two ("Họ, chữ" | "đệm, tên"): at the
                # height of the cell's last line, right after it.
                cut = abs(_centre(line) - _centre(cells[-1][-1])) < height / 2 \
                    and 0 <= lx0 - cells[-1][-1][-1].bbox[2] <= COLUMN_GAP_HEIGHTS * height
                if cut or (gap <= CELL_WRAP_GAP_HEIGHTS * height and lx0 < x1 and x0 < lx1):
                    cells[-1].append(line)
                    continue
            cells.append([line])
    return cells


def _labelled_rows(blocks: list[list[list[Word]]]) -> list[list[Word]] | None:
    """The rows of a labelled table whose cells the layout gave as blocks of their own,
    or None when ``blocks`` are not such a table.

    Tesseract sometimes reads a boxed label | value table cell by cell (fresh draw
    4703's e0025, a marriage certificate on folded paper: the labels a column of blocks,
    the values a block after them, each spouse's address and ID a block of its own
    after those). Where a label wraps ("Ngày, tháng, năm / sinh") its value sits
    between the label's two lines, so no two blocks pair line by line (``_rows_of``).
    Read as a person reads it: the label column is the cells overlapping the leftmost
    one across; every other cell lies right of it and beside exactly one label (its
    row); each row is its label, then its cells left to right, each cell's lines top
    to bottom. Anything else — a cell beside no label or two, a value left of the
    labels' right edge, fewer than ``LABELLED_ROWS`` labels with a value, the header —
    is not such a table."""
    lines = [line for block in blocks for line in block]
    if any(_starts_national_motto(line, i) or (i == 0 and _fold(line[0].text) == "CONG")
           for line in lines for i in range(len(line))):
        return None
    height = max(_height([w for line in lines for w in line]), 1)
    cells = _cells_of(blocks, height)
    first = min(cells, key=lambda cell: _span(cell, 0)[0])
    fx0, fx1 = _span(first, 0)
    labels = [cell for cell in cells if _span(cell, 0)[0] < fx1 and fx0 < _span(cell, 0)[1]]
    edge = max(_span(cell, 0)[1] for cell in labels)
    values: dict[int, list[list[list[Word]]]] = {}
    for cell in cells:
        if any(cell is label for label in labels):
            continue
        if _span(cell, 0)[0] < edge - height / 2:
            return None
        top, bottom = _span(cell, 1)
        beside = [k for k, label in enumerate(labels)
                  if min(bottom, _span(label, 1)[1]) - max(top, _span(label, 1)[0])
                  >= 0.5 * min(bottom - top, _span(label, 1)[1] - _span(label, 1)[0])]
        if len(beside) != 1:
            return None
        values.setdefault(beside[0], []).append(cell)
    if len(values) < LABELLED_ROWS:
        return None
    rows = []
    for k in sorted(range(len(labels)), key=lambda k: _span(labels[k], 1)[0]):
        row = [labels[k], *sorted(values.get(k, []), key=lambda cell: _span(cell, 0)[0])]
        rows.append([w for cell in row for line in cell for w in line])
    return rows


Box = tuple[int, int, int, int]


def _beside_any(box: Box, run: Sequence[Box]) -> bool:
    """Whether ``box`` (a block's) sits beside one of ``run``: at its height, apart across."""
    return any(min(box[3], other[3]) > max(box[1], other[1])
               and (box[2] <= other[0] or other[2] <= box[0]) for other in run)


def _under(box: Box, previous: Box, height: int) -> bool:
    """Whether ``box`` lies under ``previous`` (a text ``height`` of slack), overlapping
    it across."""
    return box[0] < previous[2] and previous[0] < box[2] and box[1] >= previous[3] - height


def _cells_in_rows(lines: list[list[Word]]) -> list[list[Word]]:
    """``lines`` with a labelled table given cell by cell, as blocks, read row by row
    (``_labelled_rows``). A candidate table is a run of consecutive blocks, each beside
    one before it in the run or under the block before it; the longest run from each
    block that reads as a labelled table is taken (a block beside another is needed)."""
    blocks = _blocks_of(lines)
    boxes = [(*_span(block, 0), *_span(block, 1)) for block in blocks]
    boxes = [(x0, y0, x1, y1) for x0, x1, y0, y1 in boxes]
    height = _height([w for line in lines for w in line]) if lines else 1
    out: list[list[Word]] = []
    start = 0
    while start < len(blocks):
        end, last_beside = start + 1, start
        while end < len(blocks):
            if _beside_any(boxes[end], boxes[start:end]):
                last_beside = end
            elif not _under(boxes[end], boxes[end - 1], height):
                break
            end += 1
        # From the longest run down, each ending on a block beside an earlier one.
        rows = None
        while last_beside > start and rows is None:
            rows = _labelled_rows(blocks[start:last_beside + 1])
            end = last_beside + 1
            last_beside = max((k for k in range(start + 1, last_beside)
                               if _beside_any(boxes[k], boxes[start:k])), default=start)
        if rows is None:
            out += blocks[start]
            start += 1
        else:
            out += rows
            start = end
    return out


def _table_rows(lines: list[list[Word]]) -> list[list[Word]]:
    """``lines`` with side-by-side table columns (consecutive blocks) merged into rows,
    and a block of the right halves of lines the layout cut put back (``_rejoined``)."""
    blocks = _blocks_of(lines)
    out: list[list[Word]] = []
    current = blocks[0] if blocks else []
    for block in blocks[1:]:
        rows = _rows_of(current, block)
        if rows is None:
            rows = _rejoined(current, block)
        if rows is None:
            out += current
            current = block
        else:
            current = rows
    return _columns_put_back(out + current)


def _columns_put_back(lines: list[list[Word]]) -> list[list[Word]]:
    """``lines`` with a table's column that the layout gave last, as blocks of its own,
    put back beside the rows it belongs to.

    Tesseract sometimes reads a boxed table column by column, each cell a block (fresh
    draw 1741's e0017: the wife's column after every label and every husband's value),
    so no two consecutive blocks pair up (``_rows_of``). A column is consecutive
    lines that start at one x (its cells are left-aligned), each below the one before;
    when each of its lines (two or more) sits at the height of an earlier line that
    ends left of it, it is that
    table's column: the earlier lines from the first such one on, all within the
    column's height, and the column's own lines are read again as rows, top to bottom,
    lines at one height side by side. The header's two blocks, merged so, are still
    read column by column (``_column_run`` splits the page's first lines at the middle).
    """
    start = 0
    while start < len(lines):
        end = start + 1
        x0 = lines[start][0].bbox[0]
        while end < len(lines):
            height = _height(lines[end])
            top = min(w.bbox[1] for w in lines[end])
            if abs(lines[end][0].bbox[0] - x0) > height or \
                    top < max(w.bbox[3] for w in lines[end - 1]) - height:
                break  # not the next cell down the same column (cells start at its left)
            end += 1
        merged = _beside(lines[:start], lines[start:end]) if end - start >= 2 else None
        if merged is None:
            start += 1
            continue
        first, rows = merged
        lines = lines[:first] + rows + lines[end:]
        start = first + len(rows)
    return lines


def _beside(before: list[list[Word]],
            column: list[list[Word]]) -> tuple[int, list[list[Word]]] | None:
    """Where ``column`` goes back among ``before`` (see ``_columns_put_back``): the
    index of the first earlier line it pairs with and the rows from there on, or None."""
    if any(_starts_national_motto(line, i) or (i == 0 and _fold(line[0].text) == "CONG")
           for line in column for i in range(len(line))):
        return None
    left = _span(column, 0)[0]
    height = max(_height([w for line in column for w in line]), 1)
    partners = []
    for line in column:
        found = [k for k, other in enumerate(before)
                 if abs(_centre(other) - _centre(line)) < 0.5 * height
                 and other[-1].bbox[2] <= left]
        if not found:
            return None
        partners.append(min(found))
    first = min(partners)
    top, bottom = _span(column, 1)
    region = before[first:]
    if any(min(w.bbox[1] for w in line) < top - height
           or max(w.bbox[3] for w in line) > bottom + height for line in region):
        return None
    rows: list[list[Word]] = []
    for line in sorted(region + column, key=_centre):
        if rows and abs(_centre(line) - _centre(rows[-1])) < 0.5 * height:
            rows[-1] = sorted(rows[-1] + line, key=lambda w: w.bbox[0])
        else:
            rows.append(list(line))
    return first, rows


# A table row starts on a line read as a label and at least two values side by side.
CELL_ROW_SEGMENTS = 3


def _cell_flow(lines: list[list[Word]]) -> list[list[Word]]:
    """``lines`` with the wrapped cells of a table's rows read cell by cell.

    In a boxed table whose value cells wrap ("Nơi cư trú | Số 34 Võ Thị Sáu, xã Tiên
    Lộc, | Tổ 33, xã Bình Phú, …"), tesseract reads across, so the two spouses'
    addresses come out interleaved line by line. A row starts on a line with a label
    and two or more values (split at column gaps, ``_segments``); the lines under it
    with fewer pieces, each starting in one of its columns and none straddling two,
    continue its cells. Each such row becomes one line: the label, then each column's text top to
    bottom. Anything else (the header, a paragraph, a two-column label/value list,
    where reading across is reading cell by cell) is left as it is.
    """
    out: list[list[Word]] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        pieces = _pieces(line)
        if len(pieces) < CELL_ROW_SEGMENTS or any(
                _starts_national_motto(line, i) for i in range(len(line))):
            out.append(line)
            continue
        starts = [piece[0].bbox[0] for piece in pieces]
        height = _height(line)
        under: list[list[Word]] = []
        while index < len(lines):
            below = _pieces(lines[index])
            # A label and two values start the next row, unless the "label" is the
            # wrapped tail of this row's (lower case: "Giấy tờ / tùy thân"); fewer
            # pieces, each in one of this row's columns, may continue its cells.
            if any(_column_of(piece, starts, height) is None for piece in below) or (
                    len(below) >= CELL_ROW_SEGMENTS and not below[0][0].text[:1].islower()):
                break
            under.append(lines[index])
            index += 1
        row, rest = _gathered(list(enumerate(pieces)), under, starts, height, in_order=True)
        out.append(row)
        # What did not continue this row's cells is the values of rows whose label was
        # lost (read elsewhere, or not at all): each is read cell by cell in turn.
        while rest:
            head = [(slot, piece) for piece in _pieces(rest[0])
                    if (slot := _column_of(piece, starts, height)) is not None]
            row, rest = _gathered(head, rest[1:], starts, height, in_order=False)
            out.append(row)
    return out


def _gathered(head: list[tuple[int, list[Word]]], lines: list[list[Word]], starts: list[int],
              height: int, *, in_order: bool) -> tuple[list[Word], list[list[Word]]]:
    """One table row read cell by cell, from its first line's pieces (``head``: column,
    piece) and the ``lines`` under it that continue its cells; returns the row and the
    lines that do not continue it. A line continues the row when each of its pieces
    wraps the lowest line of its column (``_wrapped``) and, once a line was passed over
    or when the lines are not the layout's own sequence (``in_order``), sits right
    under it (``_just_below``); a piece in a column the row has no text in yet belongs
    to it at the height of its first line (a column the layout gave as a block of its
    own, after the others). A label's wrapped tail is lower case ("Giấy tờ / tùy
    thân"): a capital in the label column starts the next row's label (draw 2389's
    e0031, whose values the layout gave as blocks of their own)."""
    columns = {slot: list(piece) for slot, piece in head}
    last = dict(head)
    top = min(w.bbox[1] for _, piece in head for w in piece)
    rest: list[list[Word]] = []
    for line in lines:
        placed = [(slot, piece) for piece in _pieces(line)
                  if (slot := _column_of(piece, starts, height)) is not None]
        strict = bool(rest) or not in_order
        if not placed or not all(
                (abs(min(w.bbox[1] for w in piece) - top) < height / 2) if slot not in last
                else _wrapped(piece, last[slot], columns[slot], height)
                and not (slot == 0 and piece[0].text[:1].isupper())
                and (not strict or _just_below(piece, last[slot], height))
                for slot, piece in placed):
            rest.append(line)
            continue
        for slot, piece in placed:
            columns.setdefault(slot, []).extend(piece)
            last[slot] = piece
    return [w for slot in sorted(columns) for w in columns[slot]], rest


# A wrapped cell's next line sits under its last one by a line's spacing; lines of the
# next row are further down, past the row's rule and the cells' padding.
CELL_LINE_GAP_HEIGHTS = 1.0


def _wrapped(piece: list[Word], above: list[Word], column: list[Word], height: int) -> bool:
    """Whether ``piece`` can be the wrapped continuation of ``above``, the lowest line
    of its cell so far: a line wraps because its next word did not fit, so the piece's
    first word (and a word gap) must not fit after ``above`` within the width the cell's
    text already reaches. A value of the next row that would have fit there is not this
    cell's (dev e0065: the ID number under the address's short last line)."""
    reach = max(w.bbox[2] for w in column)
    first = piece[0].bbox[2] - piece[0].bbox[0]
    return above[-1].bbox[2] + first + height > reach


def _just_below(piece: list[Word], above: list[Word], height: int) -> bool:
    """Whether ``piece`` sits right under ``above`` (the next line of one cell)."""
    top = min(w.bbox[1] for w in piece)
    bottom = max(w.bbox[3] for w in above)
    return bottom - height / 2 < top <= bottom + CELL_LINE_GAP_HEIGHTS * height


def _column_of(piece: list[Word], starts: list[int], height: int) -> int | None:
    """The column (index into ``starts``) a continuation piece sits in, or None when it
    starts between columns or runs into the next one."""
    tolerance = height
    x = piece[0].bbox[0]
    # A piece starting at a column's start (within the tolerance) is in that column,
    # even a pixel left of it: taken for the tail of the column before, the second
    # spouse's ID number under "Căn cước công dân số" broke the row (draw 3571's e0027).
    nearest = min(range(len(starts)), key=lambda k: abs(x - starts[k]))
    for k in (nearest, *range(len(starts))):
        start = starts[k]
        end = starts[k + 1] if k + 1 < len(starts) else None
        if abs(x - start) <= tolerance or (start <= x and (end is None or x < end)):
            if end is not None and piece[-1].bbox[2] > end - tolerance / 2:
                return None
            return k
    return None


def words_to_text(words: list[Word]) -> str:
    """Lines joined by newlines, paragraphs by a blank line, side-by-side blocks in
    reading order (the header's left block before its right block; a table's columns
    read across, row by row)."""
    weak = _weak_page(words)
    read = [kept for line in _lines(words) if not _stacked(line) and (
        kept := _ruled_text(line if weak else _without_stray_marks(_without_noise(line))))]
    lines = _cell_flow(_table_rows(_cells_in_rows(_rows_rejoined(_blocks_in_place(read)))))
    out: list[str] = []
    previous: tuple[int, int, int] | None = None
    index = 0
    # The header's right block starts where the motto does (often left of the page's
    # centre: the motto is long); without a motto, at the centre of the text.
    motto_x = _motto_x(lines)
    middle = motto_x - 1 if motto_x is not None else (sum(_span(lines, 0)) / 2 if lines else 0)
    while index < len(lines):
        pieces, index = _column_run(lines, index, middle)
        for piece in pieces:
            key = piece[0].line
            if previous is not None:
                out.append("\n\n" if key[:2] != previous[:2] else "\n")
            out.append(_joined([w.text for w in piece if not _is_rule(w)]))
            previous = key
    return "".join(out)


# A mark standing this many text heights or more from the words on each side of it is
# no word's punctuation (a comma or a dash is read against its word or between two).
STRAY_MARK_GAP = 0.5


def _without_stray_marks(line: list[Word]) -> list[Word]:
    """The line without its stray marks: words of marks only (no letter, no digit, not a
    table's rule), read with little confidence (``NOISE_LINE_CONFIDENCE``), standing
    apart from the words on both sides (``STRAY_MARK_GAP``). A speck or a rule's end read
    as "'" or ":" between a table's cells (fresh draw 8017's e0017, a photo: "Xã Đăk '
    Số 171", ": 095090725925" in the label column) made the cells one too many, or a
    value a row of its own, and the row was no longer read cell by cell. Not on a weak
    page (``_weak_page``), whose every word is kept."""
    if not line:
        return line
    gap = STRAY_MARK_GAP * _height(line)
    kept = []
    for k, word in enumerate(line):
        left = word.bbox[0] - line[k - 1].bbox[2] if k > 0 else None
        right = line[k + 1].bbox[0] - word.bbox[2] if k + 1 < len(line) else None
        stray = (word.confidence < NOISE_LINE_CONFIDENCE and word.text
                 and not any(c.isalnum() for c in word.text) and not _is_vertical_rule(word)
                 and all(g is None or g > gap for g in (left, right)))
        if not stray:
            kept.append(word)
    return kept


# A word ending in one full stop after a letter or a digit ("Họ.", "Vương.", "1.").
STOP_AFTER_WORD = re.compile(r"(?<=\w)\.$")


def _joined(texts: list[str]) -> str:
    """A piece's words joined by spaces, a full stop before a word starting in lower
    case read as the comma it is.

    A comma whose tail is lost (blur, bled or faded ink, a dirty drum) reads as a full
    stop: "Họ. chữ đệm. tên", "Số 61 Hùng Vương. phường Bình Thủy" — the commonest
    misread letter of the dev half and two fresh draws (143 of 750 single substitutions
    on non-fax pages). A Vietnamese sentence starts with a capital, so a stop followed on
    its line by a lower-case word is no stop; abbreviations ("TP. Hồ Chí Minh", "TM.")
    are followed by capitals and numbers ("200.000.000") do not end in a stop."""
    out = list(texts)
    for k in range(len(out) - 1):
        after = out[k + 1]
        if after[:1].islower() and STOP_AFTER_WORD.search(out[k]) and out[k].count(".") == 1:
            out[k] = out[k][:-1] + ","
    return " ".join(out)


def _ruled_text(line: list[Word]) -> list[Word]:
    """The line's text words, with the vertical rules between two of them kept as the
    cell borders they are (``_pieces`` splits there; the text leaves them out)."""
    text = [k for k, w in enumerate(line) if not _is_rule(w)]
    kept = set(text)
    if not text:
        return []
    return [w for k, w in enumerate(line[text[0]:text[-1] + 1], start=text[0])
            if k in kept or _is_vertical_rule(w)]


def mean_confidence(words: list[Word]) -> float | None:
    """The mean over words (a record's mean is over all its pages' words, not pages)."""
    if not words:
        return None
    return round(sum(w.confidence for w in words) / len(words), 2)
