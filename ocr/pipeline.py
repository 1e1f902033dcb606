"""One page from source to archival one-page PDF (``run_page``), and a whole document."""

from __future__ import annotations

import dataclasses
import functools
import io
import math
import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image, ImageOps

from ocr import engine, pdfpage, prepare
from ocr.base import VIEW_DPI, VIEW_SHARE, PageJob, PageResult, PageView, Word
from ocr.plan import (
    MIN_RENDER_DPI,
    check_page_pixels,
    check_pixels,
    display_size,
    input_error,
    is_pdf,
    open_pdf,
    pixel_limit,
    too_large,
)

DEFAULT_DPI = 300
STANDARD_DPIS = (150, 200, 240, 300, 400, 600)
A4_SHORT_INCHES = 8.27
# Fewer visible characters than this is a stamp or a "scanned by" line, not a text layer.
MIN_TEXT_CHARS = 20
# Share of pixels that are isolated specks above which the OCR input is median-filtered.
SPECKLE_FRACTION = 0.002


@dataclass
class Loaded:
    image: Image.Image  # mode 1, L or RGB
    dpi: int
    dpi_assumed: bool
    jpeg: bytes | None  # the source JPEG, passable through unchanged
    png: bytes | None = None  # the source PNG's Flate data, likewise (pdfpage.passable_png)


@dataclass
class Prepared:
    ocr_input: Image.Image  # upright, straight, coloured ink dropped
    rotated: int
    deskew: float
    blank: bool
    changed: bool  # turned or deskewed
    steps: tuple[str, ...] = ()  # what changed the pixels beyond turning and deskewing


# ---------------------------------------------------------------- loading images


def _plausible_dpi(size: tuple[int, int], dpi: float | None) -> bool:
    """Metadata DPI is believed when it makes a paper between A7 and A0 in size."""
    if not dpi or dpi < 50 or dpi > 2400:
        return False
    long_inches = max(size) / dpi
    return 3.5 <= long_inches <= 47


def assumed_dpi(size: tuple[int, int]) -> int:
    """Without usable metadata: the standard DPI at which the paper is A4, else 300."""
    estimate = min(size) / A4_SHORT_INCHES
    nearest = min(STANDARD_DPIS, key=lambda d: abs(d - estimate))
    return nearest if abs(nearest - estimate) <= 0.15 * nearest else DEFAULT_DPI


def _metadata_dpi(image: Image.Image) -> float | None:
    dpi = image.info.get("dpi")
    if isinstance(dpi, tuple) and dpi:
        try:
            return float(dpi[0])
        except (TypeError, ValueError):
            return None
    return None


def _normalise_mode(image: Image.Image) -> Image.Image:
    """Mode 1, L or RGB; transparency composited over white paper."""
    if image.mode in ("1", "L", "RGB"):
        return image
    if image.mode == "P" and "transparency" not in image.info:
        return image.convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "P", "La", "RGBa"):
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    if image.mode.startswith("I") or image.mode == "F":
        pixels = np.asarray(image, dtype=np.float64)
        top = pixels.max() or 1.0
        return Image.fromarray((pixels * (255.0 / top)).astype(np.uint8), mode="L")
    return image.convert("RGB")


def load_image(path: Path, index: int, *, max_pixels: int,
               known_dpi: int | None = None) -> Loaded:
    # The file is read once, and decoded from memory: the JPEG or PNG passed through
    # comes from the same bytes, and the decoded image is used as it is (a copy made to
    # outlive the open file cost ~5 ms a page).
    data = path.read_bytes()
    source = Image.open(io.BytesIO(data))
    source.seek(index)
    check_pixels(source.size, max_pixels)
    is_jpeg = source.format == "JPEG"
    is_png = source.format == "PNG" and index == 0
    orientation = source.getexif().get(0x0112, 1) if is_jpeg else 1
    # Only gray and RGB JPEGs are passed through: CMYK/YCCK ones need converting.
    passable = is_jpeg and orientation == 1 and source.mode in ("L", "RGB")
    meta_dpi = _metadata_dpi(source)
    source.load()
    image = ImageOps.exif_transpose(source) if orientation != 1 else source
    image = _normalise_mode(image)
    if known_dpi is not None:
        dpi, assumed = known_dpi, False
    elif _plausible_dpi(image.size, meta_dpi):
        dpi, assumed = round(meta_dpi or DEFAULT_DPI), False
    else:
        dpi, assumed = assumed_dpi(image.size), True
    jpeg = data if passable else None
    png = pdfpage.passable_png(data, image.mode) if is_png else None
    return Loaded(image=image, dpi=dpi, dpi_assumed=assumed, jpeg=jpeg, png=png)


# ---------------------------------------------------------------- preparing


def _speckled(gray: Image.Image) -> bool:
    """Salt-and-pepper noise: many dark specks that a 3×3 median removes.

    Judged on the central ninth of the page at full resolution (specks vanish when
    downscaled), which is where text is and costs a ninth of a full filter.
    """
    w, h = gray.size
    centre = gray.crop((w // 3, h // 3, 2 * w // 3, 2 * h // 3))
    raw = np.asarray(centre) < 128
    cleaned = np.asarray(prepare.median3(centre)) < 128
    return float((raw & ~cleaned).mean()) > SPECKLE_FRACTION


def orientation_plan(found: prepare.Analysis) -> list[int]:
    """Clockwise turns to try, best guess first; more than one when the guess is unsure.

    Line shape settles the common case, a page whose orientation it reads clearly, for
    free. Otherwise the page is OCR'd at the best guess and only if that reads poorly
    (see ``READS_WELL``) at the alternatives: charts, photographs, all-capitals or odd
    typefaces can mislead the line-shape measure, and a wrongly turned page is worse
    than an extra OCR pass.
    """
    upside_down = found.upside_down
    proposed = prepare.clockwise_turn(found, bool(upside_down))
    if found.axis_ratio < prepare.CONFIDENT_AXIS_RATIO:
        return [proposed] + [t for t in (0, 180, 90, 270) if t != proposed]
    if upside_down is not None and proposed == 0:
        return [0]
    return [proposed, (proposed + 180) % 360]


# Tesseract's orientation detection this sure of a turn (its confidence: on the dev half
# 3.3–8.6 where it was right, at most 1.24 where it was not) puts that turn first.
OSD_CONFIDENCE = 2.0


def checked_plan(plan: list[int], gray: Image.Image, dpi: int) -> list[int]:
    """``plan`` with the turn tesseract's orientation detection is sure of put first.

    Only where line shape left the turn unsure (more than one turn to try): there its
    first guess was wrong on 5 of the 11 such dev pages (a fold or a noisy top reads as
    the lines' shape upside down), and each wrong guess cost a whole reading of the page
    (~0.8 s) where the detection costs ~0.1 s. The other turns stay in the plan, tried
    as before when the first does not read well: the detection orders, never decides.
    """
    if len(plan) < 2:
        return plan
    found = engine.orientation(gray, dpi=dpi)
    if found is None or found[1] < OSD_CONFIDENCE:
        return plan
    # The text is turned ``found[0]`` clockwise: turning it back makes it upright.
    upright = (360 - found[0]) % 360
    if upright not in plan:
        return plan
    return [upright] + [t for t in plan if t != upright]


def left_out(plan: list[int]) -> list[int]:
    """The turns ``plan`` did not try, upright first."""
    return [t for t in (0, 180, 90, 270) if t not in plan]


# A first OCR pass reading this well is not second-guessed.
READS_WELL_CONFIDENCE = 70.0
READS_WELL_WORDS = 8


def _reads_well(words: list[Word]) -> bool:
    confidence = engine.mean_confidence(words) or 0.0
    return (len(words) >= READS_WELL_WORDS and confidence >= READS_WELL_CONFIDENCE
            and _upright_words(words))


# Share of longer words that must be wider than tall for a reading to count as upright.
UPRIGHT_WORDS = 0.7


def _upright_words(words: list[Word]) -> bool:
    """Tesseract reads a page lying on its side too (it finds vertical text lines), with
    good confidence and every word box taller than wide: such a reading does not
    confirm the turn it was made at."""
    return _wide_share(words) >= UPRIGHT_WORDS


# A reading with fewer of its longer words wider than tall than this share is one of a
# page lying on its side (0 % on the sideways readings seen; 70 % and more upright).
SIDEWAYS_WORDS = 0.3


def _wide_share(words: list[Word]) -> float:
    """The share of the longer words (3 characters or more) whose box is wider than
    tall (1.0 when there are none)."""
    longer = [w for w in words if len(w.text) >= 3]
    if not longer:
        return 1.0
    wide = sum(1 for w in longer if w.bbox[2] - w.bbox[0] > w.bbox[3] - w.bbox[1])
    return wide / len(longer)


def _score(words: list[Word]) -> int:
    if not _upright_words(words):
        return 0
    return sum(len(w.text) for w in words if w.confidence > 60 and len(w.text) > 1)


def _rank(words: list[Word]) -> tuple[int, float]:
    """``_score``, ties broken by the characters read with confidence whatever the words'
    shape: where no turn's words count as upright (ink bleed makes every word's box
    tall), every score is 0, and the first turn tried — line shape's guess, wrong on
    fresh draw 8819's e0033, read at mean confidence 27 against 79 upright — was kept."""
    return _score(words), _confident_chars(words)


def _beats(turn: int, words: list[Word], best_turn: int, best_words: list[Word]) -> bool:
    """Whether the reading ``words`` at ``turn`` beats ``best_words`` at ``best_turn``.

    Readings a quarter turn apart rank by ``_rank``: the share of word boxes wider than
    tall tells which axis the lines run along. Readings half a turn apart lie on the same
    axis, and that share says nothing about which way up the page is: ink bleed or noise
    can leave an upright reading's boxes just under ``UPRIGHT_WORDS`` (fresh draw 7331's
    bled e0041: 65 % at mean confidence 90) and the upside-down reading's over it (75 %
    at 34), which then won on ``_score`` alone. Those two rank by the characters read
    with confidence, which does not look at the boxes' shape.
    """
    if (turn - best_turn) % 360 == 180:
        return _confident_chars(words) > _confident_chars(best_words)
    return _rank(words) > _rank(best_words)


def _prepared_at(gray: Image.Image, turn: int, deskew: float,
                 steps: tuple[str, ...]) -> Prepared:
    ocr_input = prepare.straighten(prepare.turn(gray, turn), deskew)
    # Upright, the light lines of a worn cartridge run along the page's rows (it prints
    # upright): closed there, before the median filter sees the cut strokes as specks.
    if "strokes-closed" in steps:
        ocr_input = prepare.close_strokes(ocr_input)
    if "median" in steps:
        ocr_input = prepare.median3(ocr_input)
    return Prepared(ocr_input=ocr_input, rotated=turn, deskew=round(deskew, 2),
                    blank=False, changed=bool(turn or deskew), steps=steps)


@dataclass(frozen=True)
class Cleaned:
    """What ``clean`` made of a page."""

    gray: Image.Image
    steps: tuple[str, ...]  # the steps that changed its pixels
    # ``_speckled(gray)`` when it was judged on these very pixels on the way, else None
    # (the caller judges it: the check is a median filter of a ninth of the page).
    speckled: bool | None = None


def clean(loaded: Loaded) -> Cleaned:
    """The gray OCR copy and the names of the steps that changed its pixels.

    Each step is decided from what this page measures (``prepare.measure``), so that a
    page that does not need it is left as the scanner made it: colour ink dropped only
    where there is colour; a seal lifted only where its ring is found; the background
    flattened only where it varies across the page.
    """
    steps: list[str] = []
    gray = prepare.dropout_gray(loaded.image)
    if prepare.has_coloured_ink(loaded.image):
        steps.append("colour-dropout")
    if loaded.image.mode == "1":
        # The scanner's threshold printed the red seal black: no colour left to drop.
        dropped = prepare.drop_black_seal(gray, loaded.dpi)
        steps += ["seal"] if dropped is not gray else []
        if not prepare.print_in_specks(dropped, loaded.dpi):
            return Cleaned(dropped, tuple(steps))
        # A fax whose print came out as specks: read the density of the specks, never
        # median-filtered (the filter takes the letters' dots for noise). Dev fax e0093
        # 544 → 501 errors; with 17 such generated faxes 10,787 → 8,078 (bench/README_ocr.md).
        return Cleaned(prepare.specks_to_density(dropped, loaded.dpi),
                       (*steps, "specks-joined"), speckled=False)
    # The paper's local lightness, shared by the two looks at the same pixels below.
    page_background = prepare.background(gray, loaded.dpi)
    outside = prepare.outside_page(gray, loaded.dpi, page_background)
    if outside is not None:
        gray = prepare.paint_outside(gray, outside)
        steps.append("background")
    levels = prepare.measure(gray, loaded.dpi, None if outside is not None else page_background)
    if levels.unevenness > prepare.UNEVEN_LEVELS:
        gray = prepare.flatten(gray, loaded.dpi)
        steps.append("flatten")
        levels = prepare.measure(gray, loaded.dpi)
    speckled, judged = _speckled(gray), gray
    if speckled:
        lifted = prepare.drop_loose_gray(gray, loaded.dpi)
        steps += ["loose-gray"] if lifted is not gray else []
        gray = lifted
    if loaded.image.mode == "L":
        dropped = prepare.drop_gray_seal(gray, loaded.dpi, levels)
        steps += ["seal"] if dropped is not gray else []
        gray = dropped
    # Closed once the page is upright (``_prepared_at``); judged here, where the print's
    # lines still run as scanned (``broken_strokes`` looks along rows and columns).
    steps += ["strokes-closed"] if prepare.broken_strokes(gray) else []
    return Cleaned(gray, tuple(steps), speckled if gray is judged else None)


def plain_input(loaded: Loaded, prepared: Prepared) -> Image.Image:
    """The page as the scanner made it, only turned and straightened like ``prepared``:
    what bare tesseract would read, in the same geometry (the text layer and word
    boxes of either reading fit the same archival page)."""
    gray = prepare.as_gray(loaded.image)
    return prepare.straighten(prepare.turn(gray, prepared.rotated), prepared.deskew)


# A prepared reading at least this confident (mean word confidence) and this long is
# not second-guessed by the plain one: the guard's extra OCR pass is for pages the
# preparation may have hurt, and a page that reads this well was not hurt.
GUARD_CONFIDENCE = 85.0
GUARD_WORDS = 20
# ... unless this share of its text bands is read unsure (a band's mean confidence, over
# its characters, under GUARD_UNSURE_BAND): a step that ruins part of a page leaves the
# rest read well, and the page's mean then says little (a page whose top half was blurred
# away reads 84.9 or 85.2 with tesseract's inverted retries on or off; 5 of its 12 bands
# are unsure). On the dev half's prepared pages the share is at most 0.14 where the mean
# does not already call the guard.
GUARD_UNSURE_BAND = 60.0
GUARD_UNSURE_SHARE = 0.2
# The plain reading replaces the prepared one only when it is clearly better: this many
# times the confidently read characters.
GUARD_MARGIN = 1.05


def _confident_chars(words: list[Word]) -> float:
    """Characters read with some confidence, weighted by it: noise adds little."""
    return sum(len(w.text) * max(0.0, w.confidence - 50.0) / 50.0 for w in words)


def _unsure_band_share(words: list[Word]) -> float:
    """The share of the page's text bands (``engine.text_bands``) read unsure: their
    mean confidence over their characters under GUARD_UNSURE_BAND."""
    bands = engine.text_bands(words)
    unsure = 0
    for band in bands:
        inside = engine.lines_in(words, band)
        chars = sum(len(w.text) for w in inside)
        unsure += sum(len(w.text) * w.confidence for w in inside) < GUARD_UNSURE_BAND * chars
    return unsure / len(bands) if bands else 0.0


# A block counts in the reading order check when it holds this many confidently read
# characters (a seal's or a rule's specks read as "|" or "~" do not).
ORDER_BLOCK_CHARS = 8


def _goes_back_up(words: list[Word]) -> bool:
    """Whether tesseract's layout read a block of text after one lying below it in the
    same column: a later block wholly above an earlier one it overlaps across by half
    its width or more (the title read after the paragraphs under it).

    Mean confidence does not see this: each line is read well, the page comes out in
    the wrong order (fresh draw 6607's low-ink e0027, seal lifted and median-filtered:
    confidence 85.9, its layout cut into blocks read bottom-up, CER 58 % where the
    plain page reads 4 %). A header's two blocks, or a table's columns, side by side
    do not overlap across and are not counted.
    """
    boxes: dict[int, list[int]] = {}
    weight: dict[int, int] = {}
    for word in words:
        box = boxes.setdefault(word.line[0], list(word.bbox))
        box[:] = [min(box[0], word.bbox[0]), min(box[1], word.bbox[1]),
                  max(box[2], word.bbox[2]), max(box[3], word.bbox[3])]
        if word.confidence > 60 and len(word.text) > 1:
            weight[word.line[0]] = weight.get(word.line[0], 0) + len(word.text)
    # Dicts keep the order blocks first appear in: the reading's order.
    read = [box for key, box in boxes.items() if weight.get(key, 0) >= ORDER_BLOCK_CHARS]
    for i, earlier in enumerate(read):
        for later in read[i + 1:]:
            across = min(earlier[2], later[2]) - max(earlier[0], later[0])
            narrower = min(earlier[2] - earlier[0], later[2] - later[0])
            if later[3] <= earlier[1] and across >= narrower / 2:
                return True
    return False


def _merged_by_band(ours: list[Word], theirs: list[Word]
                    ) -> tuple[list[Word], int, int, int]:
    """Two readings of the page in one geometry (distinct line keys), band by band
    (``engine.text_bands``): the lines of ``theirs`` where they hold clearly more
    confidently read characters (``GUARD_MARGIN``), else those of ``ours``. Also the
    number of bands, those taken from ``theirs`` and those kept from ``ours`` that say
    something (a band neither reading read with any confidence decides nothing)."""
    bands = engine.text_bands(ours, theirs)
    merged: list[Word] = []
    taken = kept = 0
    for band in bands:
        mine, other = engine.lines_in(ours, band), engine.lines_in(theirs, band)
        if _confident_chars(other) > GUARD_MARGIN * _confident_chars(mine):
            merged += other
            taken += 1
        else:
            merged += mine
            kept += _confident_chars(mine) > 0
    return merged, len(bands), taken, kept


def guarded(loaded: Loaded, prepared: Prepared, reading: engine.Recognition,
            languages: str, workdir: Path) -> tuple[Prepared, engine.Recognition]:
    """The prepared reading of a page, with each band of text the preparation read
    clearly worse replaced by the plain reading of that band.

    Preparation rescues some pages and can ruin others, or parts of one (a median
    filter that clears a speckled stripe also thins a faint line). Where it changed
    pixels and the page reads less than well, the unprepared page is read too, and band
    by band (``engine.text_bands``: both readings share the page's geometry) the reading
    with more confidently read text wins; the record says how many bands came from the
    plain reading (``PageResult.notes``).
    """
    confidence = engine.mean_confidence(reading.words) or 0.0
    if not prepared.steps or (confidence >= GUARD_CONFIDENCE
                              and len(reading.words) >= GUARD_WORDS
                              and _unsure_band_share(reading.words) < GUARD_UNSURE_SHARE
                              and not _goes_back_up(reading.words)):
        return prepared, reading
    plain = engine.recognize(plain_input(loaded, prepared), workdir, dpi=loaded.dpi,
                             languages=languages)
    plain_words = engine.rekeyed(plain.words, PLAIN_BLOCKS)
    merged, bands, from_plain, from_prepared = _merged_by_band(reading.words, plain_words)
    if not from_plain:
        return prepared, reading
    if not from_prepared:
        kept = "preparation (" + ", ".join(prepared.steps) + ") read worse: plain reading kept"
        return (dataclasses.replace(prepared, steps=()),
                dataclasses.replace(plain, notes=(*plain.notes, kept)))
    note = (f"preparation ({', '.join(prepared.steps)}) read {from_plain} of {bands} "
            "text bands worse: the plain reading kept there")
    # The archival text layer is one tesseract page: the reading that gave more text.
    plain_share = sum(len(w.text) for w in merged if w.line[0] >= PLAIN_BLOCKS)
    text_pdf = plain.text_pdf if 2 * plain_share > sum(len(w.text) for w in merged) \
        else reading.text_pdf
    return prepared, engine.Recognition(
        words=merged, text_pdf=text_pdf,
        notes=(*reading.notes, *plain.notes, note),
        dropped=(*reading.dropped, *engine.rekeyed(list(plain.dropped), PLAIN_BLOCKS)))


# Block numbers of the plain reading's words are moved this far in a merged reading.
PLAIN_BLOCKS = 50_000
# ... and those of a weak fax's density reading (``fax_density_checked``) this far.
DENSITY_BLOCKS = 2 * PLAIN_BLOCKS

# A bilevel page at a fax's resolution whose print broke into strokes cut to pieces
# rather than specks (too few isolated dots for ``prepare.print_in_specks``: fresh fax
# draw 28003, 0.032 of its ink in specks) reads weakly, its thin letters in fragments.
# When its reading's confidence over characters is under this, the density of its ink
# (``prepare.specks_to_density``, which joins the fragments) is read too and kept band
# by band where it reads clearly better (``GUARD_MARGIN``). Faxes whose print held read
# at 85 or more and are not read again (on 16 such pages the density alone read 934 →
# 1,042 errors); 28003 reads at 62.
FAX_DENSITY_CONFIDENCE = 70.0


def fax_density_checked(loaded: Loaded, prepared: Prepared, reading: engine.Recognition,
                        languages: str, workdir: Path) -> tuple[Prepared, engine.Recognition]:
    """``reading``, with the bands the density of a weak fax's ink reads clearly better
    taken from that reading (``FAX_DENSITY_CONFIDENCE``)."""
    if (loaded.image.mode != "1" or loaded.dpi > prepare.FAX_DPI_MAX
            or "specks-joined" in prepared.steps
            or engine.character_confidence(reading.words) >= FAX_DENSITY_CONFIDENCE):
        return prepared, reading
    try:
        density = engine.recognize(prepare.specks_to_density(prepared.ocr_input, loaded.dpi),
                                   workdir, dpi=loaded.dpi, languages=languages)
    except (RuntimeError, OSError, ValueError, subprocess.SubprocessError) as exc:
        # A second reading is a chance to read better, never a reason to fail the page.
        note = f"fax density reading failed, first reading kept: {str(exc)[:160]}"
        return prepared, dataclasses.replace(reading, notes=(*reading.notes, note))
    merged, bands, taken, _ = _merged_by_band(
        reading.words, engine.rekeyed(density.words, DENSITY_BLOCKS))
    if not taken:
        return prepared, reading
    note = f"fax read weakly: {taken} of {bands} text bands kept from its ink's density"
    return prepared, dataclasses.replace(
        reading, words=merged, notes=(*reading.notes, *density.notes, note),
        dropped=(*reading.dropped, *engine.rekeyed(list(density.dropped), DENSITY_BLOCKS)))


def _read_turns(turns: list[int], best: tuple[Prepared, engine.Recognition] | None,
                gray: Image.Image, deskew: float, steps: tuple[str, ...], dpi: int,
                languages: str, workdir: Path) -> tuple[Prepared, engine.Recognition] | None:
    """The best-scoring of ``best`` and the page read at each of ``turns`` in order, up
    to the first that reads well; a turn whose axis an earlier reading settled
    (``_settles_axis``) is not read."""
    settled: set[int] = set()
    for turn in turns:
        if turn in settled:
            continue
        prepared = _prepared_at(gray, turn, deskew, steps)
        reading = engine.first_pass(prepared.ocr_input, workdir, dpi=dpi, languages=languages)
        if best is None or _beats(turn, reading.words, best[0].rotated, best[1].words):
            best = (prepared, reading)
        if _reads_well(reading.words):
            break
        if _settles_axis(reading.words):
            settled |= {(turn + 90) % 360, (turn + 270) % 360}
    return best


# The unfiltered page read at the opposite turn turns the page over only with this many
# times the confidently read characters of the unfiltered page at the chosen turn.
TURN_OVER_MARGIN = 2.0


def _way_up_unfiltered(best: tuple[Prepared, engine.Recognition], gray: Image.Image,
                       deskew: float, steps: tuple[str, ...], dpi: int, languages: str,
                       workdir: Path) -> tuple[Prepared, engine.Recognition]:
    """``best``, or the page read at the opposite turn where the page without the median
    filter reads clearly better that way up.

    Only for a median-filtered page whose chosen reading is weak (not ``_reads_well``)
    and whose way up was in question: the filter that clears specks also joins bled or
    noisy letters, and then neither way up reads much, the wrong one sometimes a little
    more (fresh draw 4157's photocopy e0015: 6 words upright, 7 upside down, the upright
    ones' boxes under ``UPRIGHT_WORDS``; unfiltered, 36 words at mean confidence 57
    upright against 9 upside down). Its two unfiltered readings decide which way up, by
    the characters read with confidence; the reading kept is still the filtered one.
    """
    unfiltered = tuple(step for step in steps if step != "median")
    turn = best[0].rotated
    opposite = (turn + 180) % 360
    chosen, other = (
        _confident_chars(engine.first_pass(_prepared_at(gray, t, deskew, unfiltered).ocr_input,
                                           workdir, dpi=dpi, languages=languages).words)
        for t in (turn, opposite))
    if other <= TURN_OVER_MARGIN * chosen:
        return best
    prepared = _prepared_at(gray, opposite, deskew, steps)
    return prepared, engine.first_pass(prepared.ocr_input, workdir, dpi=dpi,
                                       languages=languages)


# A reading with at least this many longer words (3 characters or more), nearly all
# wider than tall (``UPRIGHT_WORDS``), found the page's lines running across it.
AXIS_WORDS = 40


def _settles_axis(words: list[Word]) -> bool:
    """Whether a reading that does not read well (``_reads_well``: a faint, noisy or
    upside-down page) still shows the page's lines run across it at this turn: many
    longer words, nearly all wider than tall. A quarter turn from it would lay those
    lines down the page, where tesseract's words are taller than wide (``_wide_share``)
    and ``_score`` counts nothing: those readings cannot win, and cost a whole reading
    each (~0.3–0.5 s). Only the half turn (the page upside down) stays in question."""
    longer = sum(1 for w in words if len(w.text) >= 3)
    return longer >= AXIS_WORDS and _upright_words(words)


def prepare_and_read(loaded: Loaded, languages: str,
                     workdir: Path) -> tuple[Prepared, engine.Recognition | None]:
    """The upright page and tesseract's reading of it (None for a blank page)."""
    cleaned = clean(loaded)
    gray, steps = cleaned.gray, cleaned.steps
    found = prepare.analyse(prepare.analysis_copy(gray, loaded.dpi))
    if found.blank:
        blank = Prepared(ocr_input=gray, rotated=0, deskew=0.0,
                         blank=True, changed=False)
        return blank, None
    deskew = found.deskew if abs(found.deskew) >= prepare.MIN_SKEW else 0.0
    if cleaned.speckled if cleaned.speckled is not None else _speckled(gray):
        steps += ("median",)
    plan = checked_plan(orientation_plan(found), gray, loaded.dpi)
    best = _read_turns(plan, None, gray, deskew, steps, loaded.dpi, languages, workdir)
    assert best is not None
    tried = list(plan)
    if _wide_share(best[1].words) < SIDEWAYS_WORDS:
        # Every planned turn read the page lying on its side (its longer words' boxes
        # taller than wide): line shape was sure of the wrong axis (a photographed
        # certificate's light fall-off and table rules made the rows of an upright photo
        # read as columns: fresh draw 8629's e0010, kept turned at CER 32 % where bare
        # tesseract read 13 %). The turns it left out are read too. A page read upright,
        # or nearly (a blurred page's boxes are taller: dev e0049, 70 % wide), at some
        # planned turn never gets here.
        best = _read_turns(left_out(plan), best, gray, deskew, steps, loaded.dpi, languages,
                           workdir)
        assert best is not None
        tried += left_out(plan)
    if ("median" in steps and (best[0].rotated + 180) % 360 in tried
            and not _reads_well(best[1].words)):
        best = _way_up_unfiltered(best, gray, deskew, steps, loaded.dpi, languages, workdir)
    prepared, first = best
    reading = engine.looked_again(prepared.ocr_input, first, workdir, dpi=loaded.dpi,
                                  languages=languages)
    prepared, reading = guarded(loaded, prepared, reading, languages, workdir)
    prepared, reading = fax_density_checked(loaded, prepared, reading, languages, workdir)
    # Last, once the guard has chosen the reading: the check of long numbers changes
    # confidences only, and no choice above is made on them.
    return prepared, engine.digits_checked(prepared.ocr_input, reading, workdir,
                                           dpi=loaded.dpi, languages=languages)


# ---------------------------------------------------------------- one page


def top_view(image: Image.Image, dpi: int, turn: int, deskew: float) -> PageView:
    """The top of the page as the archival page shows ``image`` (``PageView``): turned,
    straightened about the whole page's centre as ``prepare.straighten`` does (only the
    rows needed are rotated), gray, reduced to ``VIEW_DPI``."""
    upright = prepare.turn(image, turn)
    width, height = upright.size
    rows = min(height, math.ceil(height * VIEW_SHARE))
    if abs(deskew) >= prepare.MIN_SKEW:
        # Source rows that can land in the top ``rows`` once rotated, and a margin so
        # that no sample is taken at the cut.
        reach = min(height, rows + math.ceil(width * abs(math.sin(math.radians(deskew)))) + 4)
        band = upright.crop((0, 0, width, reach))
        if band.mode != "RGB":
            band = prepare.as_gray(band)
        band = band.rotate(deskew, resample=Image.Resampling.BILINEAR,
                           center=(width / 2, height / 2),
                           fillcolor=255 if band.mode == "L" else (255, 255, 255))
        band = band.crop((0, 0, width, rows))
    else:
        band = upright.crop((0, 0, width, rows))
    band = prepare.as_gray(band)
    if dpi > VIEW_DPI:
        band = band.resize((max(1, round(width * VIEW_DPI / dpi)),
                            max(1, round(rows * VIEW_DPI / dpi))), Image.Resampling.BOX)
    return PageView(gray=band.tobytes(), width=band.width, height=band.height,
                    dpi=dpi * band.width / width)


def _written(job: PageJob, pdf_page: bytes) -> str:
    """The page's one-page PDF written where the job says (``PageJob.out_path``)."""
    path = Path(job.out_path)
    path.write_bytes(pdf_page)
    return str(path)


def _result(job: PageJob, prepared: Prepared, loaded: Loaded,
            reading: engine.Recognition | None, pdf_page: bytes,
            view: bool = True) -> PageResult:
    """The page's result, its PDF written out; ``view``: the archival page shows
    ``loaded`` as read, so the top of page 1 is taken from it (``PageView``)."""
    words = reading.words if reading else []
    # The page's confidence as read, before the check of long numbers (``as_read``).
    as_read = list(reading.as_read) if reading and reading.as_read is not None else words
    number = job.index + 1
    return PageResult(
        number=number, text=reading.text if reading else "", words=words,
        width_px=prepared.ocr_input.width, height_px=prepared.ocr_input.height,
        dpi=loaded.dpi, dpi_assumed=loaded.dpi_assumed, rotated=prepared.rotated,
        deskew=prepared.deskew, mean_confidence=engine.mean_confidence(as_read),
        blank=prepared.blank, had_text=False, pdf_path=_written(job, pdf_page),
        notes=list(reading.notes) if reading else [],
        dropped_words=list(reading.dropped) if reading else [],
        # Only page 1 carries the stamp.
        view=top_view(loaded.image, loaded.dpi, prepared.rotated, prepared.deskew)
        if view and number == 1 else None,
    )


def _archival_page(loaded: Loaded, prepared: Prepared, text_pdf: bytes | None) -> bytes:
    return pdfpage.image_page(loaded.image, loaded.dpi, text_pdf, loaded.jpeg,
                              turn=prepared.rotated, deskew=prepared.deskew, png=loaded.png)


def _ocr_image_page(job: PageJob, loaded: Loaded, workdir: Path) -> PageResult:
    prepared, reading = prepare_and_read(loaded, job.languages, workdir)
    if reading is None:
        return _result(job, prepared, loaded, None, _archival_page(loaded, prepared, None))
    page = _archival_page(loaded, prepared, reading.text_pdf)
    return _result(job, prepared, loaded, reading, page)


def _pdftotext(path: Path, number: int, *extra: str) -> str:
    done = subprocess.run(
        ["pdftotext", "-q", "-enc", "UTF-8", *extra, "-f", str(number), "-l", str(number),
         str(path), "-"],
        capture_output=True, timeout=120,
    )
    return done.stdout.decode("utf-8", errors="replace")


_BBOX_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def _text_layer_words(path: Path, number: int, scale: float) -> list[Word]:
    """Words of an existing text layer, in pixels at DEFAULT_DPI of the displayed page."""
    words = []
    for line, match in enumerate(_BBOX_WORD.finditer(_pdftotext(path, number, "-bbox"))):
        x0, y0, x1, y1 = (round(float(v) * scale) for v in match.groups()[:4])
        words.append(Word(text=unescape(match.group(5)), confidence=100.0,
                          bbox=(x0, y0, x1, y1), line=(0, 0, line)))
    return words


def _render_dpi(page: pikepdf.Page, max_pixels: int) -> int:
    """The page's own scan resolution (its largest image), within 200–600 and the limit."""
    width_pt, height_pt = display_size(page)
    best = 0.0
    for image in page.images.values():
        try:
            best = max(best, int(image.Width) * 72 / max(width_pt, height_pt, 1.0),
                       int(image.Height) * 72 / max(width_pt, height_pt, 1.0))
        except (AttributeError, TypeError, ValueError):
            continue
    dpi = min(600, max(200, round(best))) if best else DEFAULT_DPI
    area_in = max(width_pt * height_pt / 72 / 72, 1e-6)
    return max(MIN_RENDER_DPI, min(dpi, int(math.sqrt(max_pixels / area_in))))


def _render_mode(page: pikepdf.Page) -> str:
    """pdftoppm colour option matching the page's images: bilevel stays bilevel."""
    depths, gray = set(), True
    for image in page.images.values():
        depths.add(int(image.get("/BitsPerComponent", 8)))
        gray = gray and image.get("/ColorSpace") in (pikepdf.Name.DeviceGray, None)
        if image.get("/ImageMask"):
            depths.add(1)
    if depths == {1}:
        return "-mono"
    return "-gray" if depths and gray else ""


def _run_pdf_page(job: PageJob, workdir: Path) -> PageResult:
    path = Path(job.source_path)
    number = job.index + 1
    with open_pdf(path) as pdf:
        page = pdf.pages[job.index]
        width_pt, height_pt = display_size(page)
        text = _pdftotext(path, number)
        if len("".join(text.split())) >= MIN_TEXT_CHARS:
            scale = DEFAULT_DPI / 72
            words = _text_layer_words(path, number, scale)
            return PageResult(
                number=number, text=text.strip(), words=words,
                width_px=round(width_pt * scale), height_px=round(height_pt * scale),
                dpi=DEFAULT_DPI, dpi_assumed=False, rotated=0, deskew=0.0,
                mean_confidence=None, blank=False, had_text=True,
                pdf_path=_written(job, pdfpage.copy_page(pdf, job.index)),
            )
        dpi = _render_dpi(page, job.max_pixels)
        check_page_pixels(page, dpi, job.max_pixels)
        out = workdir / "render"
        mode = _render_mode(page)
        # pdftoppm's -mono output differs from run to run (its dithering), and so did the
        # OCR of the page (CER 8.7 % or 19 % on one dev page): a bilevel page is
        # rendered gray, which is repeatable, and thresholded here.
        bilevel = mode == "-mono"
        cmd = ["pdftoppm", "-r", str(dpi), "-f", str(number), "-l", str(number),
               "-singlefile", *(["-gray"] if bilevel else [mode] if mode else []),
               str(path), str(out)]
        done = subprocess.run(cmd, capture_output=True, timeout=600)
        rendered = next(workdir.glob("render.p?m"), None)
        if done.returncode != 0 or rendered is None:
            raise input_error("pdf_corrupt")
        try:
            loaded = load_image(rendered, 0, max_pixels=job.max_pixels, known_dpi=dpi)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_large(job.max_pixels) from exc
        if bilevel:
            loaded = dataclasses.replace(
                loaded, image=loaded.image.convert("1", dither=Image.Dither.NONE))
        prepared, reading = prepare_and_read(loaded, job.languages, workdir)
        # The page kept as it is shows what pdftoppm rendered (its media box) only when
        # it has no crop or turn of its own.
        as_rendered = (int(page.obj.get("/Rotate", 0)) % 360 == 0
                       and [float(v) for v in page.cropbox] == [float(v) for v in page.mediabox])
        if reading is None:
            return _result(job, prepared, loaded, None, pdfpage.copy_page(pdf, job.index),
                           view=as_rendered and not prepared.changed)
        assert reading.text_pdf is not None
        if not prepared.changed and int(page.obj.get("/Rotate", 0)) % 360 == 0:
            # The page's own content (original image encoding, vectors) stays untouched.
            pdf_bytes = pdfpage.graft_text(pdf, job.index, reading.text_pdf)
            return _result(job, prepared, loaded, reading, pdf_bytes, view=as_rendered)
        pdf_bytes = _archival_page(loaded, prepared, reading.text_pdf)
        return _result(job, prepared, loaded, reading, pdf_bytes)


def run_page(job: PageJob) -> PageResult:
    """Prepare, OCR and lay out one page, its PDF written to ``job.out_path``. Touches
    nothing else: runs in any worker process."""
    with pixel_limit(job.max_pixels), tempfile.TemporaryDirectory(prefix="sohoa-ocr-") as tmp:
        workdir = Path(tmp)
        if is_pdf(job.media_type):
            return _run_pdf_page(job, workdir)
        try:
            loaded = load_image(Path(job.source_path), job.index, max_pixels=job.max_pixels)
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_large(job.max_pixels) from exc
        except (OSError, SyntaxError, EOFError, ValueError) as exc:
            raise input_error("image_corrupt") from exc
        return _ocr_image_page(job, loaded, workdir)


# ---------------------------------------------------------------- a document


@functools.cache
def engine_name() -> str:
    return engine.version()
