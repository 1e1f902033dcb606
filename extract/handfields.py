"""Read the handwritten fields of a printed form: regions → crops → readings → checks.

Two readings per field: asterocr's line model on the crop, and the words tesseract
already read inside the crop during the page's OCR (free: no second tesseract run). The
line model's output is decoded with the field's grammar (``handdecode``: the most
probable date, number or name of Vietnamese syllables that passes the checks; for a
birth place, the most probable of the official addresses near the reading), and that
reading is proposed unless its confidence is below the field's floor; otherwise the field
is left for keying. Tesseract's words only say whether the two agree (``agreed``).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol, runtime_checkable

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from PIL import Image, ImageFilter

from extract.handcheck import (
    HOSPITAL,
    MAX_AGE_YEARS,
    Checked,
    anchored_candidates,
    check,
    date_bounds,
    official_address,
    place_candidates,
    units_by_group,
)
from extract.handdecode import (
    DateGrammar,
    Grammar,
    NameGrammar,
    NumberGrammar,
    beam_search,
    best_path_log_prob,
    confidence,
    ctc_log_prob,
    decode,
    syllables,
    year_range,
)
from extract.handread import Reading, columns
from extract.handregions import FormKind, Region, field_kind, ink, ink_box, regions
from extract.names import FAMILY_NAMES, common_syllables, family_name_rank, usual_spellings
from ocr.base import Word
from records.folding import fold_aligned, fold_phrase


class Reader(Protocol):
    def read(self, crop: Image.Image) -> object: ...


@runtime_checkable
class FrameReader(Reader, Protocol):
    """A CTC line model whose per-frame probabilities can be decoded with a grammar."""

    chars: dict[int, str]
    blank: int

    def frames(self, crop: Image.Image) -> np.ndarray[Any, Any]: ...

    def greedy(self, frames: np.ndarray[Any, Any]) -> Reading: ...


@dataclass(frozen=True)
class HandField:
    key: str
    box: tuple[int, int, int, int]  # the crop in the upright page
    readings: dict[str, str] = field(default_factory=dict)  # source → raw text
    value: str | None = None  # proposed, to be confirmed; None: left for keying
    source: str | None = None  # which reading was proposed
    problem: str | None = None  # why nothing was proposed (the line model's failure)
    agreed: bool = False  # both readings passed and gave the same value
    # Of the proposed line-model reading against the best path any reading had (0..1).
    confidence: float | None = None


def clean_crop(image: Image.Image, region: Region, box: tuple[int, int, int, int]
               ) -> Image.Image:
    """The crop in gray with the dotted line's dots and the print reaching in from the line
    above whitened (a line model reads dots as letters: "Đông..." or a trailing "..."),
    its paper evened out under a shadow (``flattened``)."""
    gray = np.array(image.crop(box).convert("L"))
    h = region.line_height
    paper = int(np.percentile(gray, 90))
    # The print of the line above that reaches into the crop (``Region.masks``).
    for mx0, my0, mx1, my1 in region.masks:
        gray[max(0, my0 - box[1]):max(0, my1 - box[1]),
             max(0, mx0 - box[0]):max(0, mx1 - box[0])] = paper
    y = region.baseline - box[1]
    _unrule(gray, paper, y, h)
    dark = ink(gray, paper)
    lo, hi = max(0, y - int(0.15 * h)), max(0, y + int(0.12 * h))
    above = dark[max(0, y - int(0.5 * h)):max(0, y - int(0.2 * h))].any(axis=0)
    beneath = dark[y + int(0.2 * h):y + int(0.45 * h)].any(axis=0)
    alone = dark[lo:hi].any(axis=0) & ~above & ~beneath
    gray[lo:hi, alone] = paper
    if field_kind(region.key) in TRIMMED:
        _undot_under(gray, dark, paper, lo, hi, h)
    _unrule_above(gray, paper, y, h)
    if field_kind(region.key) in TRIMMED:
        gray = _trimmed(gray, paper, h)
    return flattened(Image.fromarray(gray))


DOT_WIDE = 0.25  # of the line height: the widest a dotted line's dot is
DOT_GAP = 0.08  # of the line height: paper between a dot and the letter over it


def _undot_under(gray: np.ndarray[Any, Any], dark: np.ndarray[Any, Any], paper: int,
                 lo: int, hi: int, h: int) -> None:
    """Whiten (in place) the dotted line's dots under the writing's letters: a run of
    inked columns in the dotted line's band no wider than a dot, with paper for a few
    rows above and below it (apart from the letter over it). The dot test above keeps
    every dot with ink over it, and the line model reads such a dot as a dot below
    ("MỊNH HƯỢNG" for Minh Hương, "ĐỘNG" for Đông: marriage dev). Names and dates only
    (``TRIMMED``): numbers gained none on the dev halves and one wrong ("31" made of an
    ink-bleed crop's noise)."""
    if hi <= lo:
        return
    gap = max(2, round(DOT_GAP * h))
    band = np.asarray(dark[lo:hi].any(axis=0))
    over = np.asarray(dark[max(0, lo - gap):lo].any(axis=0))
    under = np.asarray(dark[hi:hi + gap].any(axis=0))
    edges = np.diff(np.concatenate(([0], band.astype(np.int8), [0])))
    for a, b in zip(np.nonzero(edges == 1)[0], np.nonzero(edges == -1)[0], strict=True):
        if b - a > DOT_WIDE * h:
            continue
        a0, b0 = max(0, a - 1), min(band.size, b + 1)
        if over[a0:b0].any() or under[a0:b0].any():
            continue
        gray[lo:hi, a:b] = paper


def _unrule_above(gray: np.ndarray[Any, Any], paper: int, baseline: int, h: int) -> None:
    """Whiten (in place) everything from a solid rule well above the baseline up: the
    line above's dotted line run together (ink bleed) and the value written on it, which
    the crop takes in when that line's label was not read (dev: +2 right, an ink-bleed
    place under a date whose label was lost, and a number; −1 wrong)."""
    # Well above the baseline: the writing's own strokes do not fill a row's width.
    dark = ink(gray, paper)
    top = max(0, baseline - int(0.7 * h))
    ruled = [y for y in range(top) if dark[y].mean() > RULE_FILL]
    if not ruled:
        return
    # The lowest run of such rows, thin (a broad dark band is a shadow's edge).
    run = [ruled[-1]]
    for y in reversed(ruled[:-1]):
        if run[-1] - y > 2:
            break
        run.append(y)
    # Paper above it: a shadow's or a photo's dark side fills rows as well (dev: whitening
    # under a shadow lost a right place).
    above = dark[max(0, run[-1] - int(0.3 * h)):run[-1]]
    if run[0] - run[-1] > 0.3 * h or (above.size and float(above.mean()) > 0.3):
        return
    gray[:ruled[-1] + max(2, int(0.1 * h)) + 1] = paper


# Fields whose crop is cut after the writing (``_trimmed``): dev names and dates +3 right
# (an ink-bleed name read "CAO THÌN THIỂN" whole is "CAO THỊ THẢO" trimmed), +1 wrong
# (a fax's "DƯƠNG" read "ĐƯƠNG"). Not numbers (−2 right, +4 wrong: "385" read "35" once
# cut) nor places (−3 right, no wrong one fewer).
TRIMMED = ("name", "mother_name", "father_name", "birth_date")
TRIM_GAP = 3.0  # line heights of paper that end the writing


def _trimmed(gray: np.ndarray[Any, Any], paper: int, h: int) -> np.ndarray[Any, Any]:
    """The crop without the paper right of the writing once the dotted line is whitened:
    the writing is the run of inked columns from the first one, gaps of up to a few line
    heights bridged; faint remains of a bled line further right are read as letters."""
    dark = ink(gray, paper)
    cols = np.nonzero(dark.sum(axis=0) > 1)[0]
    if cols.size == 0:
        return gray
    gaps = np.nonzero(np.diff(cols) > TRIM_GAP * h)[0]
    end = int(cols[gaps[0]]) if gaps.size else int(cols[-1])
    return gray[:, :min(gray.shape[1], end + max(4, int(0.25 * h)) + 1)]


# Share of a row's pixels a dotted line's ink fills once its dots have run together (ink
# bleed, a fax's smear): a clean dotted line fills about a third, a line of writing less.
RULE_FILL = 0.6


def _unrule(gray: np.ndarray[Any, Any], paper: int, baseline: int, h: int) -> None:
    """Whiten (in place) a solid rule near the baseline where no stroke crosses it: the
    dots of a dotted line run together, which the line model reads as letters ("mmm",
    quotes) and the dot test above does not see (no single dots)."""
    if gray.size == 0:
        return
    dark = ink(gray, paper)
    near = range(max(0, baseline - int(0.4 * h)), min(gray.shape[0], baseline + int(0.4 * h)))
    ruled = [y for y in near if dark[y].mean() > RULE_FILL]
    # A rule is thin: a broad dark band is a shadow's or a photo's edge (dev: whitening
    # those lost two right fields). It is found on other pages than ink bleed's too
    # (blurred, shadowed, photo: 26 dev crops, 7 of them ink bleed's).
    if not ruled or ruled[-1] - ruled[0] > 0.3 * h:
        return
    # The rule's rows and its blurred edges (the bleed swells its dots by a tenth of a
    # line); a column inked past them is a stroke crossing the rule, left whole.
    pad = max(2, int(0.1 * h))
    r0, r1 = max(0, ruled[0] - pad), min(gray.shape[0], ruled[-1] + pad + 1)
    above = dark[max(0, r0 - 2 * pad):r0].any(axis=0)
    beneath = dark[r1:r1 + 2 * pad].any(axis=0)
    gray[r0:r1, ~(above | beneath)] = paper


# A crop whose paper varies this much (the spread of its background's levels against the
# brightest) is under a shadow or a photo's light: divided by its background before the
# line model reads it. Dev: +3 right on shadow pages, −1 on photo pages (the only other
# class whose crops reach 0.2); flattening every crop lost 2 right.
FLATTEN_FROM = 0.3


def _background(gray: Image.Image) -> np.ndarray[Any, Any]:
    """The paper's level around each pixel: the local maximum (strokes are thinner than
    the window), smoothed."""
    smooth = local_max(gray, 9).filter(ImageFilter.BoxBlur(15))
    return np.asarray(smooth, dtype=np.float32)


def local_max(gray: Image.Image, size: int) -> Image.Image:
    """Each pixel's maximum over the ``size`` × ``size`` window around it, edges
    repeated: PIL's ``MaxFilter(size)`` to the pixel, computed as a row maximum then a
    column maximum (``MaxFilter`` compares the whole window: 85 ms on a name's crop
    under a shadow against 6 ms, two crops of a photocopy's page)."""
    r = size // 2
    padded = np.pad(np.asarray(gray.convert("L")), r, mode="edge")
    rows = sliding_window_view(padded, size, axis=0).max(axis=-1)
    return Image.fromarray(np.ascontiguousarray(sliding_window_view(rows, size, axis=1)
                                                .max(axis=-1)))


def _uneven(background: np.ndarray[Any, Any]) -> bool:
    top = float(np.percentile(background, 95))
    return (top - float(np.percentile(background, 5))) / max(1.0, top) > FLATTEN_FROM


def flattened(crop: Image.Image) -> Image.Image:
    """``crop`` (gray) with an uneven paper evened out and its contrast stretched; as it
    was when the paper is even."""
    # Judged on a quarter-size copy first (the window's maximum costs 30 ms a crop at
    # full size, and most crops are even).
    small = crop.reduce(4) if min(crop.size) >= 16 else crop
    rough = np.asarray(small.filter(ImageFilter.MaxFilter(3)).filter(ImageFilter.BoxBlur(4)),
                       dtype=np.float32)
    if not _uneven(rough):
        return crop
    background = _background(crop)
    if not _uneven(background):
        return crop
    even = np.clip(np.asarray(crop, dtype=np.float32) / np.maximum(background, 1) * 255, 0, 255)
    lo, hi = np.percentile(even, 2), np.percentile(even, 90)
    return Image.fromarray(np.clip((even - lo) * 255 / max(1.0, hi - lo), 0, 255).astype(np.uint8))


# The steepest slant tried when writing is set upright (horizontal shift per row, of the
# height): handwriting leans up to about 15 degrees. Dev: ±0.25 in 13 steps; at ±0.6 the
# estimate ran to its ends on print and rules left in the crop.
MAX_SLANT = 0.25
SLANT_STEPS = 13


def slant(gray: np.ndarray[Any, Any], paper: int) -> float:
    """The shear that makes the writing's strokes most upright: the one whose columns'
    ink is most concentrated (the sum of the squared column counts), measured on the
    crop's own dark pixels."""
    ys, xs = np.nonzero(ink(gray, paper))
    if xs.size < 20:
        return 0.0
    rows = ys - gray.shape[0] / 2
    best, chosen = -1.0, 0.0
    for shear in np.linspace(-MAX_SLANT, MAX_SLANT, SLANT_STEPS):
        cols = np.round(xs + shear * rows).astype(np.int64)
        score = float((np.bincount(cols - cols.min()).astype(np.float64) ** 2).sum())
        if score > best:
            best, chosen = score, float(shear)
    return chosen


# Digits from which a plain number is a misreading rather than a register's entry.
LONG_NUMBER = 5
# Digits of a register's entry from which the first is more likely the label's tail.
ENTRY_DIGITS_FROM = 4


def upright(crop: Image.Image) -> Image.Image | None:
    """``crop`` (gray) with its writing's slant taken out (``slant``); None when it has
    none. Every slant found is worth the second reading: on fresh draw 2193 the right
    values it gave came from crops at the range's end (0.25) and near upright (0.04);
    reading again only between 0.06 and 0.25 (chosen on draw 2171) lost 3 right there."""
    gray = np.asarray(crop)
    paper = int(np.percentile(gray, 90)) if gray.size else 255
    shear = slant(gray, paper)
    if shear == 0.0:
        return None
    h = crop.height
    pad = int(abs(shear) * h / 2) + 1
    # The output's (x, y) takes the crop's (x - pad - shear·(y - h/2), y).
    return crop.transform((crop.width + 2 * pad, h), Image.Transform.AFFINE,
                          (1, -shear, -pad + shear * h / 2, 0, 1, 0),
                          resample=Image.Resampling.BILINEAR, fillcolor=paper)


def words_inside(words: Sequence[Word], box: tuple[int, int, int, int],
                 label: tuple[int, int, int, int]) -> str:
    """Tesseract's words whose centre is in the crop and not in the label, dots dropped."""
    out = []
    for w in sorted(words, key=lambda w: (w.line, w.bbox[0])):
        cx, cy = (w.bbox[0] + w.bbox[2]) / 2, (w.bbox[1] + w.bbox[3]) / 2
        in_label = label[0] <= cx <= label[2] and label[1] <= cy <= label[3]
        if box[0] <= cx <= box[2] and box[1] <= cy <= box[3] and not in_label:
            text = w.text.strip(".…")
            if text:
                out.append(text)
    return " ".join(out)


# A spouse's birth date on a marriage certificate is proposed only from this confidence,
# as names and numbers are: the birth form's floor (0.15) holds where the registration
# pins the year (the holder a child at the issue, ``age_prior``), while a spouse's year
# spans half a century and a weak reading's digits are the grammar's pick among many.
# Marriage dev and fresh draw 4723: 5 dates proposed under 0.5, all wrong (0.27–0.49);
# the right ones from 0.54.
SPOUSE_DATE_FROM = 0.5
# Below this confidence (per character, ``handdecode.confidence``) a reading is left for
# keying. Tuned on the dev half: of places proposed under 0.25 none was right (8 wrong),
# of dates under 0.15 one was right and two wrong; of numbers under 0.5 none was right
# (3 wrong); names read wrong as confidently as right.
# Names: a weak reading still spells a real name ("LÊ IM MỜ" 0.33, "ĐỖ SỰ" 0.45 for Hồ Gia
# Sơn read 'nạ'; fresh draw 2171: no right name under 0.5, every one 1.0).
NAME_FROM = 0.5
PROPOSE_FROM = {"birth_place": 0.25, "birth_date": 0.15, "number": 0.5,
                **dict.fromkeys(("name", "mother_name", "father_name"), NAME_FROM)}


# How much less probable (natural log) a name in usual spellings may be than the best
# reading and still be proposed instead: a mark the ink barely shows ("LỊNH" for LINH,
# "TRONG" for TRỌNG) is more often the usual name's. Tuned on the dev half.
USUAL_MARGIN = 3.0


def common_given(name: str) -> bool:
    """Every word of the name after the family name is a common middle or given name's
    syllable as spelled (``extract/data/name_syllables.json``)."""
    common = common_syllables()
    for word in name.split()[1:]:
        spelled = unicodedata.normalize("NFC", word).lower()
        if spelled not in common.get(fold_phrase(spelled), frozenset()):
            return False
    return True


# A name of common syllables searched for apart (``line_reading``) is taken for one with a
# rare syllable when it is no more than COMMON_MARGIN less probable (natural log, family
# prior included) and its own confidence is at least COMMON_FROM: forced into common
# syllables, a reading the ink does not spell ("TRẦN BÁ THU" from 'TRẦN BÃ 1OUC', 0.62;
# "NGUYỄN AN HOÀNG" from ': MOUYỄN ĐN: HOÀNG', 0.62) still makes a name, but a poor one.
# Tuned on dev and fresh draws 4253 and 5939: right ones 1.6–4.1 nats below at 0.84–1.0
# ("QUÁCH TUYẾT GIANG" read 'TUẾT GIANH', "NGUYỄN GIA QUÂN" read 'QUẬN', "TRẦN NGỌC
# KIÊN" read 'TRÂN NGỌI'); at 3 nats and no floor +2 right and +1 wrong.
COMMON_MARGIN = 4.0
COMMON_FROM = 0.8


@functools.cache
def common_given_words() -> frozenset[str]:
    """The common middle and given names' syllables in capitals (NFC)."""
    return frozenset(unicodedata.normalize("NFC", w).upper()
                     for spellings in common_syllables().values() for w in spellings)


def usual_name(name: str) -> bool:
    """No word of the name after the family name has a more usual spelling with its
    letters (``extract.names.usual_spellings``)."""
    return not any(usual_spellings(w) for w in name.split()[1:])


def usual_common(name: str) -> bool:
    """A name in usual spellings whose middle and given syllables are all common ones:
    preferred within ``USUAL_MARGIN`` over a more probable one that has a rare syllable
    (which ``line_reading`` would leave for keying: "HOÀNG NGỌA NGHĨA" read, "HOÀNG NGỌC
    NGHĨA" written; dev unchanged, draws 3301 and 6389 one right name more each)."""
    return usual_name(name) and common_given(name)


# The family-name prior: a family name borne by the r-th most common name is taken as
# FAMILY_WEIGHT·log(1/r) more likely (natural log), the others as past the common list
# ("TẦN" and "CA" read for Trần and Cao are real but rare names). Tuned on the dev half.
FAMILY_WEIGHT = 1.0


# A name whose family name is none of the common ones is proposed only from this
# confidence: dev proposed "ÔNG MIM NHỤNG" (0.38) and "XA THỊ THẲN" (0.83, ink bleed)
# wrong, "TỪ HỒNG HOA" (1.0) right.
RARE_FAMILY_FROM = 0.9
NAME_KEYS = ("name", "mother_name", "father_name")


def _rank(name: str) -> int:
    """The rank of the name's family name (``extract.names.family_name_rank``), past the
    common ones when unlisted."""
    words = name.split()
    return (family_name_rank(words[0]) if words else None) or len(FAMILY_NAMES) + 1


def family_prior(name: str) -> float:
    return -FAMILY_WEIGHT * math.log(_rank(name))


def warm() -> None:
    """Build what every form's reading needs once per process, as the line model's
    session is loaded once: the syllable set of names (0.7 s) and the official units by
    province (1.1 s). Otherwise the first form of each process pays for them."""
    syllables()
    units_by_group()


# The age at the form's issue from which a birth date is taken as less likely a priori
# (natural log, ADULT_WEIGHT): a birth is registered within weeks, and a certificate
# issued to an adult is a late registration or a later copy, far rarer among old papers.
# A digit the ink leaves open ("1917" or "1977" on a form issued in 1980) is then read
# as the child's year. Weight e³ (an adult's registration taken as 1 in 20): on dev and
# fresh draws 3301 and 6389 one wrong year became right at 3 and 5, none at 1 or 2, and
# no right date changed at any of them.
ADULT_YEARS = 18
ADULT_WEIGHT = 3.0
# The paper type that registers its holder's birth: the only one whose holder was a child
# at its issue (an extract or a copy may be issued to an adult; a marriage certificate's
# holders are adults).
BIRTH_CERTIFICATE = "birth_certificate"


def adult_at(born: str, issued_on: date) -> bool:
    """Whether the holder born on ``born`` (ISO) was an adult when the form was issued."""
    return age_at(born, issued_on) >= ADULT_YEARS


def age_prior(issued_on: date | None) -> Callable[[str], float] | None:
    """The prior of a birth date (ISO) given the form's issue date: 0 for a child at
    issue, −ADULT_WEIGHT for an adult."""
    if issued_on is None:
        return None

    def prior(value: str) -> float:
        return -ADULT_WEIGHT if adult_at(value, issued_on) else 0.0
    return prior


def age_at(born: str, on: date) -> int:
    """Whole years from ``born`` (ISO) to ``on``."""
    day = date.fromisoformat(born)
    return on.year - day.year - ((on.month, on.day) < (day.month, day.day))


@dataclass(frozen=True)
class MarriageAge:
    """A spouse's age on the marriage's registration: no younger than the law allows
    (Law on Marriage and Family of 1959, 1986 and 2000: men from 20, women from 18; a
    reading under it disagrees with the paper and is left for keying), and past
    ``likely_oldest`` less likely a priori (``ADULT_WEIGHT``): first marriages are
    mostly in the twenties, and a digit the ink leaves open ("1911" or "1971" on a form
    of 2006) is then read as the likelier year. From ``keyed_from`` a reading is left for
    keying as the birth form's adult holder is: a marriage at seventy is rare enough that
    a year misread by its tens digit is the likelier story (dev: "1911" for 1971 kept
    its lead over the prior, a spouse of 95)."""

    youngest: int
    likely_oldest: int = 50
    keyed_from: int = 70

    def prior(self, issued_on: date) -> Callable[[str], float]:
        def prior(value: str) -> float:
            return -ADULT_WEIGHT if age_at(value, issued_on) > self.likely_oldest else 0.0
        return prior


# The marriage form's birth dates, by field.
MARRIAGE_AGES = {"husband_birth_date": MarriageAge(20), "wife_birth_date": MarriageAge(18)}


def grammar_for(key: str, issued_on: date | None) -> Grammar | None:
    if key in ("name", "mother_name", "father_name"):
        return NameGrammar()
    if key == "birth_date":
        return DateGrammar(year_range(issued_on, MAX_AGE_YEARS), date_bounds(issued_on))
    if key == "number":
        return NumberGrammar()
    return None


_PLACE_START = re.compile(r"(xa|phuong|thi tran|benh|tram|trung tam|nha ho|phong kham)",
                          re.IGNORECASE)


def _around_place(raw: str) -> tuple[str, str]:
    """What a birth place's reading holds before the address ("1: ", "h: " of "sinh:") and
    after it (dots, quotes): a few marks and letters before its first unit's or facility's
    kind, the marks after its last letter."""
    m = _PLACE_START.search(fold_aligned(raw))
    before = raw[:m.start()] if m and m.start() <= 4 else ""
    tail = re.search(r"[\W_\d]*$", raw)
    after = tail.group(0) if tail else ""
    return before, after


def _place_value(text: str, issued_on: date | None) -> str | None:
    """The candidate address as checked on the form's day, or as the list stands today
    when that is how it is written: checked on the form's day alone, an address of today
    ("thành phố Thủ Đức", a city since 2021) was rewritten into the unit of the day
    ("quận Thủ Đức") or given a province it no longer has ("thành phố Huế, tỉnh Thừa
    Thiên Huế"), which is not what the paper says."""
    days = (issued_on, None) if issued_on is not None else (None,)
    # An address of the list as the candidates write it is its own value, whatever the
    # issuer matcher makes of it (``official_address``).
    if any(official_address(text, on) for on in days):
        return text
    values = [check("birth_place", text, on).value for on in days]
    passing = [v for v in values if v is not None]
    return next((v for v in passing if v == text), passing[0] if passing else None)


def best_place(frames: np.ndarray[Any, Any], reader: FrameReader, raw: str, greedy: Checked,
               issued_on: date | None) -> tuple[Checked, float | None]:
    """The official address near the reading that the ink is most probably written as (the
    model's probability of each, over all alignments) and passes the place checks."""
    texts = place_candidates(raw, issued_on)
    # The units as they stand today too, beside those of the form's day: an address may
    # be written as it stands now (a form filled in or copied later than its date; the
    # set's generator writes today's units on every form, fresh draw 1907: "Xã Mê Linh,
    # huyện Mê Linh, thành phố Hà Nội" on a form of 1977 was no candidate). The ink
    # chooses: a form that names the province of its day still reads as that one.
    if issued_on is not None:
        texts += [t for t in place_candidates(raw, None) if t not in texts]
    # The addresses of the province the reading ends with nearest its letters
    # (``anchored_candidates``), of both days: beside the cuts' candidates too, which a
    # unit's name misread by two letters ("huyện Gan lộn" for Can Lộc) leaves out.
    anchored = anchored_candidates(raw, issued_on)
    if issued_on is not None:
        anchored += [t for t in anchored_candidates(raw, None) if t not in anchored]
    texts += [t for t in anchored if t not in texts]
    # A facility's name as read ("Tuyên Quạng") is no candidate when names from the list
    # are: the ink would choose it over the right spelling.
    if greedy.value is not None and not (texts and HOSPITAL.match(greedy.value)):
        texts.append(greedy.value)
    index = {c: k for k, c in reader.chars.items()}
    before, after = _around_place(raw)
    # Each with what the ink holds around the address (the label's tail, the dots) as
    # read: without them a right address pays for ink it does not spell.
    scored = sorted(((max(ctc_log_prob(frames, f"{b}{t}{a}", index, reader.blank)
                          for b in {"", before} for a in {"", after}), t) for t in set(texts)),
                    reverse=True)
    best = best_path_log_prob(frames)
    for lp, text in scored:
        value = _place_value(text, issued_on)
        if value is not None and lp > -math.inf:
            return Checked(value), confidence(lp, best, text)
    return greedy, None


def line_reading(reader: Reader, crop: Image.Image, key: str, issued_on: date | None, *,
                 registers_birth: bool = False, marriage_age: MarriageAge | None = None,
                 frames: np.ndarray[Any, Any] | None = None
                 ) -> tuple[str, Checked, float | None]:
    """The line model's raw (greedy) reading, and what is proposed from it: the best
    reading the field's grammar allows that passes the checks (with its confidence), else
    the greedy reading's check. ``registers_birth``: the paper registers the holder's
    birth (a birth certificate), so the holder was a child at its issue; on other papers
    (a marriage certificate's spouses) the holder's age says nothing. ``marriage_age``:
    the reading is a spouse's birth date on a marriage certificate, whose age on the
    paper's day the law bounds (``MarriageAge``). ``frames``: the line model's output on
    ``crop`` when already computed."""
    if not isinstance(reader, FrameReader):
        raw = str(getattr(reader.read(crop), "text", ""))
        return raw, check(key, raw, issued_on), None
    if frames is None:
        frames = reader.frames(crop)
    raw = reader.greedy(frames).text
    greedy = check(key, raw, issued_on)
    if key == "birth_place":
        checked, conf = best_place(frames, reader, raw, greedy, issued_on)
    else:
        grammar = grammar_for(key, issued_on)
        if grammar is None:
            return raw, greedy, None
        names = key in NAME_KEYS
        prior = value_prior(key, issued_on, registers_birth, marriage_age)
        found = decode(frames, reader.chars, reader.blank, grammar,
                       lambda text: check(key, text, issued_on).value,
                       prefer=usual_common if names else None, margin=USUAL_MARGIN,
                       prior=prior)
        if found is None:
            # The greedy reading passes the checks but no reading of the grammar does (a
            # number glued to the label's tail): too odd to propose.
            return raw, Checked(None, greedy.problem or "grammar_refused"), None
        checked, conf = Checked(found[0]), found[1].confidence
        if names and not common_given(found[0]):
            # A syllable off the common list is most often a letter or a mark misread
            # (below): the most probable name of common syllables, searched for with its
            # own beam (a beam over every syllable had pruned it), is taken instead when
            # the ink barely prefers the rare one.
            common = decode(frames, reader.chars, reader.blank, NameGrammar(common_given_words()),
                            lambda text: check(key, text, issued_on).value, prior=prior)
            if common is not None and common[1].log_prob + family_prior(common[0]) >= (
                    found[1].log_prob + family_prior(found[0]) - COMMON_MARGIN) \
                    and common[1].confidence >= COMMON_FROM:
                checked, conf = Checked(common[0]), common[1].confidence
    return raw, judged(key, raw, checked, conf, issued_on, registers_birth=registers_birth,
                       marriage_age=marriage_age), conf


def value_prior(key: str, issued_on: date | None, registers_birth: bool,
                marriage_age: MarriageAge | None) -> Callable[[str], float] | None:
    """How usual a value of the field is a priori (natural log), or None: the family name's
    rank for names, the holder's age at the paper's issue for birth dates."""
    if key in NAME_KEYS:
        return family_prior
    if key == "birth_date" and registers_birth:
        return age_prior(issued_on)
    if key == "birth_date" and marriage_age is not None and issued_on is not None:
        return marriage_age.prior(issued_on)
    return None


def judged(key: str, raw: str, checked: Checked, conf: float | None, issued_on: date | None,
           *, registers_birth: bool = False, marriage_age: MarriageAge | None = None
           ) -> Checked:
    """``checked`` (a decoded value with its confidence, ``raw`` the line model's best
    path) as proposed, or held back for keying by what the field's value may be."""
    floor = PROPOSE_FROM.get(key, 0.0)
    if key == "birth_date" and marriage_age is not None:
        floor = max(floor, SPOUSE_DATE_FROM)
    if conf is not None and conf < floor:
        return Checked(None, "low_confidence", checked.value)
    # A number or a date where the line model's best path holds no digit at all: the
    # grammar made the digits up from noise (dev: "2" from an ink-bleed crop read 'ST:::"',
    # at confidence 1.0; no right one so).
    if key in ("number", "birth_date") and checked.value is not None \
            and not any(c.isdigit() for c in raw):
        return Checked(None, "no_digit")
    # A birth date that makes the holder an adult at the form's issue even after the
    # prior above: the paper registers a birth, so the reading disagrees with the rest of
    # the paper (a late registration is rare among old papers) and is left for keying
    # rather than proposed. Fresh draw 7717: "1906-09-25" (1986, form of 1986) and
    # "1929-11-02" (1990, form of 1990) read so; no right date of dev, 1223 or 7717 made
    # the holder older than 8. (The set's generator never writes a late registration,
    # so what this costs on real papers, such registrations keyed, is not measured.)
    if key == "birth_date" and registers_birth and checked.value is not None \
            and issued_on is not None and adult_at(checked.value, issued_on):
        return Checked(None, "date_adult_at_issue")
    # A spouse younger than the law allows on the marriage's day, or as old as a spouse
    # seldom is: the reading disagrees with the paper (``MarriageAge``).
    if key == "birth_date" and marriage_age is not None and checked.value is not None \
            and issued_on is not None:
        age = age_at(checked.value, issued_on)
        if age < marriage_age.youngest:
            return Checked(None, "date_under_marriage_age")
        if age >= marriage_age.keyed_from:
            return Checked(None, "date_old_at_marriage")
    # Five digits and nothing after: a number and its year whose slash was lost ("49198"
    # for 95/1983 on fresh draw 2171); a ward's register runs to a few
    # thousand a year at most.
    if key == "number" and checked.value is not None and checked.value.isdigit() \
            and len(checked.value) >= LONG_NUMBER:
        return Checked(None, "number_long")
    # Four digits or more before the year or the register's symbol: on the tuning draws
    # always the label's tail read as a first digit ("số:1111/KS" for 111/KS, "1148/k8"
    # for 148/KS, "a128" read 4128 for 128; dev, 1907, 3359), never a right entry. A
    # ward's register numbers its entries from 1 each year; one past 999 is keyed.
    if key == "number" and checked.value is not None \
            and len(checked.value.split("/")[0]) >= ENTRY_DIGITS_FROM:
        return Checked(None, "number_entry_long")
    # A name with a syllable off the common list is most often a letter or a mark misread
    # into another word ("ĐỖ NGẠC TRÂM", "NGUYỄN THA HẠNH", "TRẦN ĐỨC KHÂU"): fresh draw
    # 2171 2 wrong of 3 such names, 2193 (validation) 7 wrong of 7.
    if key in NAME_KEYS and checked.value is not None and not common_given(checked.value):
        return Checked(None, "name_rare_syllable", checked.value)
    # A name of two words where the ink shows a word more before them: the word dropped
    # as the label's tail ("VI HỲNH TRANG" → "HUỲNH TRANG" for Vũ Quỳnh Trang, ".Xõ Hoàng
    # Quyết" → "HOÀNG QUYẾT" for Võ Hoàng Quyết: tuning draws 3517 and 4723) is as likely
    # the family name misread, and most names have three words or more.
    if key in NAME_KEYS and checked.value is not None and len(checked.value.split()) == 2 \
            and len(_letter_words(raw)) > 2:
        return Checked(None, "name_word_dropped", checked.value)
    if conf is not None and checked.value is not None and key in NAME_KEYS \
            and conf < RARE_FAMILY_FROM and _rank(checked.value) > len(FAMILY_NAMES):
        return Checked(None, "name_rare_family", checked.value)
    return checked


def _letter_words(raw: str) -> list[str]:
    """The runs of letters of a name's reading after the label's colon, if any."""
    _, colon, tail = raw.rpartition(":")
    return re.findall(r"[^\W\d_]+", tail if colon else raw)


# A spouse's birth date proposed under this confidence is read again set upright, and
# left for keying when that view gives another date (a view that gives none says
# nothing). The year of a spouse spans half a century, so where the ink is unsure the
# grammar's digits are a guess that a second view of the ink often does not repeat:
# marriage dev and fresh draw 4723, 3 wrong dates so held, no right one ("1938-02-01"
# read '01//198', upright '0112/958.', for 1958-12-01). Held for every field under 0.9
# the rule also lost right birth dates and numbers for as many wrong ones (the birth
# form's registration pins the year: its weak readings are right more often).
CONFIRM_BELOW = 0.9


def confirmed(proposed: Checked, again: Checked) -> Checked:
    """``proposed`` unless the other view of the ink makes the field another value (held
    or proposed): then the value is the ink's guess, not its reading, and is left for
    keying. A view that gives no value says nothing either way."""
    other = again.value or again.held
    if other is None or other == proposed.value:
        return proposed
    return Checked(None, "views_disagree", proposed.value)


# Of each view, the most probable readings with distinct values (grammar and checks
# passed) that ``joint_reading`` scores under both views.
JOINT_TEXTS = 4
# Fields read by both views together when neither passes alone: names, whose checks (the
# syllables, the family names, the common given names) refuse most of what noise makes.
# Numbers' grammar takes any digits: dev h0040, 'Hẹy"' and 'Hẹạ31', gave a wrong "3".
JOINT_KEYS = NAME_KEYS


def joint_reading(reader: FrameReader, views: Sequence[np.ndarray[Any, Any]], raw: str,
                  key: str, issued_on: date | None, *, registers_birth: bool = False,
                  marriage_age: MarriageAge | None = None) -> tuple[Checked, float | None]:
    """The value the views of the same ink (the line model's frames of the crop and of
    it set upright) make most probable together, judged as one reading is (``judged``).
    Each view's best readings are the candidates; each is scored by the product of its
    probabilities under every view (summed over its alignments in each: the views' frames
    do not line up, so they are not averaged frame by frame), and its confidence is
    against the product of the views' best paths, per character and view. ``raw``: the
    views' best paths, for the rules that look at what the ink shows."""
    grammar = grammar_for(key, issued_on)
    if grammar is None:
        return Checked(None, "grammar_refused"), None
    texts: dict[str, str] = {}
    for frames in views:
        values: set[str] = set()
        for d in beam_search(frames, reader.chars, reader.blank, grammar):
            value = check(key, d.text, issued_on).value
            if value is None or value in values:
                continue
            values.add(value)
            texts.setdefault(d.text, value)
            if len(values) >= JOINT_TEXTS:
                break
    if not texts:
        return Checked(None, "grammar_refused"), None
    index = {c: k for k, c in reader.chars.items()}
    prior = value_prior(key, issued_on, registers_birth, marriage_age)
    scored = []
    for text, value in texts.items():
        lp = sum(ctc_log_prob(frames, text, index, reader.blank) for frames in views)
        scored.append((lp + (prior(value) if prior else 0.0), lp, text, value))
    _, lp, text, value = max(scored)
    best = sum(best_path_log_prob(frames) for frames in views)
    conf = math.exp(min(0.0, lp - best) / (len(views) * max(1, len(text))))
    return judged(key, raw, Checked(value), conf, issued_on, registers_birth=registers_birth,
                  marriage_age=marriage_age), conf


# Fields read a second time, set upright (``upright``), when the first reading failed its
# checks. Dev: +4 right (two numbers, a name, a date), +1 wrong (an ink-bleed number);
# reading every crop upright instead lost 6 right.
UPRIGHT_AGAIN = ("name", "mother_name", "father_name", "birth_date", "number")


# Why a reading was held back that a second reading of the same ink agreeing on the same
# value overrules (``agree``).
AGREE_OVERRULES = frozenset({"name_rare_syllable", "name_rare_family", "low_confidence"})


def _squeezed(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).upper().split())


def agree(first: Checked, first_raw: str, second: Checked, second_raw: str) -> bool:
    """Both readings (the crop as cut, then set upright) held back the same value for a
    reason about how likely it is, not what it is; the line model's best path of each
    spells that value itself (spaces and case aside); and no word of it has a more usual
    spelling of its letters (``usual_name``). Two views of the ink that the model reads
    alike make a misreading less likely than either alone. Without the second condition
    both can be the grammar's same mending of a syllable the ink does not spell ("TRUẾ"
    from 'Truyế' and 'Tuyế', fresh draw 1907; "LÊ MẠNH PỰC" from ': LÊ MẠNH PỰC' and
    'N. PÊ MẠNH PỰC', 2297); without the third a mark both views lose ("NGUYỄN DIÊU
    TRÂM" for Diệu, 2297) is proposed."""
    if first.held is None or first.held != second.held or not (
            first.problem in AGREE_OVERRULES and second.problem in AGREE_OVERRULES):
        return False
    value = _squeezed(first.held)
    return (value in _squeezed(first_raw) and value in _squeezed(second_raw)
            and usual_name(first.held))


# The line model's input columns (``handread.columns``) a page's fields may use with their
# second views (a crop read again set upright, or a spouse's unsure date confirmed so):
# each field's first reading is always made, the second views only while the page's
# columns, first readings included, stay under this. A run costs about 0.2 ms of CPU a
# column on this machine (quiet), so the model's share of a page is bounded near 0.7 s;
# in columns, not seconds, so that a page reads the same whatever the machine's load.
# Marriage dev's costliest pages used 3,600–3,650 columns (1,700 of them second views).
PAGE_COLUMNS = 3000


@dataclass
class _Reading:
    """A field between its first reading and its second view (``read_fields``)."""

    region: Region
    box: tuple[int, int, int, int]
    marriage_age: MarriageAge | None
    readings: dict[str, str] = field(default_factory=dict)
    checked: dict[str, Checked] = field(default_factory=dict)
    confidence: float | None = None
    crop: Image.Image | None = None
    frames: np.ndarray[Any, Any] | None = None

    @property
    def kind(self) -> str:
        return field_kind(self.region.key)

    @property
    def unsure(self) -> bool:
        """A spouse's birth date proposed under ``CONFIRM_BELOW``: confirmed by the
        upright view."""
        return self.checked["asterocr"].value is not None and self.confidence is not None \
            and self.confidence < CONFIRM_BELOW and self.marriage_age is not None \
            and self.kind == "birth_date"

    @property
    def second_view(self) -> bool:
        """Read again set upright: nothing passed, or an unsure spouse's date. Not places
        (dev: none gained, and their readings cost the most)."""
        return self.kind in UPRIGHT_AGAIN and (self.checked["asterocr"].value is None
                                               or self.unsure)


def read_fields(image: Image.Image, words: Sequence[Word], issued_on: date | None,
                reader: Reader | None, keys: Sequence[str] | None = None,
                labels: Sequence[Word] | None = None, *,
                registers_birth: bool = False, form: FormKind = FormKind.BIRTH,
                page_columns: int | None = None) -> list[HandField]:
    """Each field whose label was found, read and checked (``reader`` None: tesseract's
    words only). ``labels``: the words to find labels in, when more than the page's
    (a second reading of the label column). ``registers_birth``: as ``line_reading``.
    ``form``: whose labels are looked for; a field of the marriage form is read and
    checked as the birth form's field of its kind (``handregions.field_kind``: a
    spouse's name as a name). ``page_columns``: the line model's budget for the page
    (``PAGE_COLUMNS``): every field is read once, then the second views are made,
    confirmations first, in the form's order, as long as they fit."""
    pending = []
    budget = PAGE_COLUMNS if page_columns is None else page_columns
    spent = 0
    for region in regions(image, words if labels is None else labels, form):
        if keys is not None and region.key not in keys:
            continue
        f = _Reading(region, ink_box(image, region),
                     MARRIAGE_AGES.get(region.key) if form is FormKind.MARRIAGE else None)
        if reader is not None:
            f.crop = clean_crop(image, region, f.box)
            f.frames = reader.frames(f.crop) if isinstance(reader, FrameReader) else None
            f.readings["asterocr"], f.checked["asterocr"], f.confidence = line_reading(
                reader, f.crop, f.kind, issued_on, registers_birth=registers_birth,
                marriage_age=f.marriage_age, frames=f.frames)
            spent += columns(f.crop.size)
        pending.append(f)
    if reader is not None:
        # The confirmations first: a date they do not confirm is left for keying, one
        # they cannot afford too (below); the readings again only gain fields.
        for f in sorted((f for f in pending if f.second_view), key=lambda f: not f.unsure):
            spent += _second_view(reader, f, issued_on, registers_birth,
                                  budget - spent)
    return [_finished(f, words, reader is not None, issued_on) for f in pending]


def _second_view(reader: Reader, f: _Reading, issued_on: date | None, registers_birth: bool,
                 left: int) -> int:
    """Read ``f``'s crop again set upright (``upright``) if its columns fit in ``left``,
    and take what that view gives; the columns spent. An unsure spouse's date whose
    confirmation does not fit is left for keying (``unconfirmed``): proposed unconfirmed
    it would be the guess ``CONFIRM_BELOW`` holds back."""
    assert f.crop is not None
    straight = upright(f.crop)
    if straight is None:
        return 0
    cost = columns(straight.size)
    first, first_raw = f.checked["asterocr"], f.readings["asterocr"]
    if cost > left:
        if f.unsure:
            f.checked["asterocr"] = Checked(None, "unconfirmed", first.value)
        return 0
    kind, marriage_age = f.kind, f.marriage_age
    if f.unsure:
        raw, again, _ = line_reading(reader, straight, kind, issued_on,
                                     registers_birth=registers_birth,
                                     marriage_age=marriage_age)
        f.readings["asterocr_upright"] = raw
        f.checked["asterocr"] = confirmed(first, again)
        return cost
    frames_up = reader.frames(straight) if isinstance(reader, FrameReader) else None
    raw, again, conf = line_reading(reader, straight, kind, issued_on,
                                    registers_birth=registers_birth,
                                    marriage_age=marriage_age, frames=frames_up)
    f.readings["asterocr_upright"] = raw
    if again.value is not None:
        f.checked["asterocr"], f.confidence = again, conf
    elif agree(first, first_raw, again, raw):
        f.checked["asterocr"], f.confidence = Checked(first.held), conf
    elif kind in JOINT_KEYS and isinstance(reader, FrameReader) \
            and f.frames is not None and frames_up is not None:
        # Neither view alone: both together (``joint_reading``).
        joint, conf = joint_reading(reader, (f.frames, frames_up), f"{first_raw} {raw}",
                                    kind, issued_on, registers_birth=registers_birth,
                                    marriage_age=marriage_age)
        if joint.value is not None:
            f.checked["asterocr"], f.confidence = joint, conf
    return cost


def _finished(f: _Reading, words: Sequence[Word], read: bool, issued_on: date | None
              ) -> HandField:
    """The field as proposed or left for keying, tesseract's words beside the reading."""
    readings, checked = f.readings, f.checked
    readings["tesseract"] = words_inside(words, f.box, f.region.label_box)
    checked["tesseract"] = check(f.kind, readings["tesseract"], issued_on)
    passing = {src: c.value for src, c in checked.items() if c.value is not None}
    # Only the line model's reading is proposed: on the dev half tesseract's words in
    # the crop never gave a right value the line model missed, and gave six wrong
    # ones ("2" for 232, a date a digit off). They still say when both agree.
    source = "asterocr" if read else "tesseract"
    if source not in passing:
        return HandField(f.region.key, f.box, readings, problem=checked[source].problem)
    agreed = len(passing) == 2 and len(set(passing.values())) == 1
    return HandField(f.region.key, f.box, readings, passing[source], source,
                     agreed=agreed, confidence=f.confidence)
