"""Handwritten fields of printed forms, in the compose stage (``SOHOA_HANDWRITING=on``).

The OCR worker hands back words in the geometry of the upright, deskewed page but not
the page itself (it would weigh megabytes per page between processes); the page is
rebuilt here the way the OCR built it (same turn, same deskew, same render dpi), so
that the label boxes tesseract found fall on the same pixels.
"""

from __future__ import annotations

import logging
import re
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

from extract.handfields import BIRTH_CERTIFICATE, read_fields, warm
from extract.handread import ReaderUnavailable, shared_reader
from extract.handregions import (
    FORM_ORDER,
    MARGIN,
    FormKind,
    find_labels,
    form_of,
    joined,
    label_height,
    label_reach,
    number_label,
    page_dark,
)
from ocr import PageResult, Word, reread
from ocr.engine import read_crops, rekeyed
from ocr.reread import PageGeometry
from records import FieldRegion, Record, ReviewReason, Status, Subject

log = logging.getLogger("sohoa.ingest")


def upright_page(source: Path, media_type: str, page: PageResult, max_pixels: int
                 ) -> Image.Image | None:
    """Page ``page.number`` of ``source`` in gray, as the OCR read it; None for a page that
    was not OCR'd (it carried text, or was blank) (``ocr.reread.upright_page``)."""
    return reread.upright_page(source, media_type, PageGeometry.of(page), max_pixels)


# The label column read again: the left of the page's upper half, at no more than this
# resolution (13-point labels read well at 150 dpi, and tesseract's time goes with pixels).
LABEL_STRIP = (0.40, 0.50)  # of the width, of the height
LABEL_DPI = 150
NUMBER_STRIP = 0.3  # of the height: "Số:" sits under the agency's name


# The form's order and how far its labels are apart: ``handregions`` checks found labels
# against them (``in_order``).
ORDER = FORM_ORDER
LABEL_ORDER, MARRIAGE_ORDER = ORDER[FormKind.BIRTH], ORDER[FormKind.MARRIAGE]
# How far down the page the label column is read again, of the height: the marriage
# form's number is printed under both spouses' fields (about two thirds down).
STRIP_BOTTOM = {FormKind.BIRTH: LABEL_STRIP[1], FormKind.MARRIAGE: 0.75}


def label_band(missing: list[str], found: dict[str, list[Word]], size: tuple[int, int],
               form: FormKind = FormKind.BIRTH) -> tuple[int, int]:
    """Rows of the page where the missing labels are: between the found labels printed
    before and after them, or, with none found on a side, no further from the nearest
    found than the form puts them (``REACH``; tesseract's time goes with the pixels it
    reads). The birth form's number is in the header (the top 30 %)."""
    width, height = size
    pad = int(height * 0.02)  # about a line
    top, bottom = height, 0
    order = ORDER[form]
    for key in missing:
        if key == "number" and form is FormKind.BIRTH:
            # Under the agency's name, above the title: the header (its band from the
            # found labels lost the label on dev pages).
            top, bottom = 0, max(bottom, int(height * NUMBER_STRIP))
            continue
        i = order.index(key)
        before = [k for k in order[:i] if found.get(k)]
        after = [k for k in order[i + 1:] if found.get(k)]
        limit = int(height * STRIP_BOTTOM[form])
        if before:
            key_top = max(max(w.bbox[3] for w in found[k]) for k in before) - pad
        else:
            key_top = 0
            reach = label_reach(order, key, after[0]) if after else None
            if after and reach is not None:
                label = found[after[0]]
                key_top = min(w.bbox[1] for w in label) - int(reach * label_height(label, width))
        if after:
            key_bottom = min(min(min(w.bbox[1] for w in found[k]) for k in after) + pad, limit)
        else:
            key_bottom = limit
            reach = label_reach(order, before[-1], key) if before else None
            if before and reach is not None:
                label = found[before[-1]]
                key_bottom = min(limit, max(w.bbox[3] for w in label)
                                 + int(reach * label_height(label, width)))
        top, bottom = min(top, key_top), max(bottom, key_bottom)
    return max(0, top), min(height, max(bottom, top + 2 * pad))


# A field's usual place on the upright page when no label of the form is found to place
# it from, as shares (x0, y0, x1, y1) of the width and height: the span of its value's
# ink over the dev halves of both generated sets (birth 42 pages, marriage 28, every
# class but photos, whose boxes are unknown), widened by about three hundredths each way.
# For a person to look in: about a fifth of the page's height.
SHARES: dict[FormKind, dict[str, tuple[float, float, float, float]]] = {
    FormKind.BIRTH: {"number": (0.15, 0.04, 0.40, 0.19), "name": (0.08, 0.15, 0.72, 0.34),
                     "birth_date": (0.26, 0.20, 0.60, 0.39),
                     "birth_place": (0.08, 0.22, 0.94, 0.42)},
    FormKind.MARRIAGE: {"husband_name": (0.08, 0.11, 0.72, 0.29),
                        "husband_birth_date": (0.26, 0.14, 0.60, 0.32),
                        "wife_name": (0.07, 0.24, 0.65, 0.47),
                        "wife_birth_date": (0.25, 0.27, 0.57, 0.50),
                        "number": (0.10, 0.36, 0.36, 0.61)},
}
# In line heights of a found neighbour's print: how far under the top of the label after
# the field the field's writing may reach (its descenders), and how far under the label
# before it, past the form's ``REACH``, a value written on the dotted line under its own
# label reaches (``handregions.regions``: 2.6 lines to that line's writing's bottom, with
# a line of slack).
PLACED_OVER = 0.5
PLACED_UNDER = 3.6
PLACED_SLACK = 0.06  # of the width, right of the field's usual end


def placed_box(key: str, found: dict[str, list[Word]], size: tuple[int, int],
               form: FormKind = FormKind.BIRTH) -> tuple[int, int, int, int]:
    """Where field ``key``'s value is on a page whose label for it was not found, for a
    person to look at (never read by the model): between the nearest found labels before
    and after it in the form's order, no further from one found on a side alone than the
    form puts them (``REACH``), across from the label column to where the field's value
    usually ends; with no label to place it from, the field's usual share of the page
    (``SHARES``). Generous: it holds the neighbours' print and may hold a neighbour's
    value."""
    width, height = size
    order = ORDER[form]
    sx0, sy0, sx1, sy1 = SHARES[form][key]
    share = (int(sx0 * width), int(sy0 * height), int(sx1 * width), int(sy1 * height))
    if key not in order or (key == "number" and form is FormKind.BIRTH):
        return share  # the birth form's number is in the header, above every label
    i = order.index(key)
    before = next((k for k in reversed(order[:i]) if found.get(k)
                   and label_reach(order, k, key) is not None), None)
    after = next((k for k in order[i + 1:] if found.get(k)
                  and label_reach(order, key, k) is not None), None)
    if before is None and after is None:
        return share
    top = bottom = 0
    if before is not None:
        label = found[before]
        lh = label_height(label, width)
        # Under the label before: its print is in the crop (the clerk sees where it is).
        top = min(w.bbox[1] for w in label)
        reach = label_reach(order, before, key) or 0.0
        bottom = max(w.bbox[3] for w in label) + int((reach + PLACED_UNDER) * lh)
    if after is not None:
        label = found[after]
        lh = label_height(label, width)
        after_top = min(w.bbox[1] for w in label)
        bottom = after_top + int(PLACED_OVER * lh)
        if before is None:
            reach = label_reach(order, key, after) or 0.0
            top = after_top - int((reach + 1.0) * lh)
    # Across: from the label column (the value may start under its label) to where the
    # field's value usually ends, with slack for a page shifted right.
    anchors = [w for k in (before, after) if k is not None for w in found[k]]
    left = min(w.bbox[0] for w in anchors) - int(label_height(anchors, width))
    x0 = max(0, min(share[0], left))
    x1 = min(width - int(MARGIN * width), share[2] + int(PLACED_SLACK * width))
    return (x0, max(0, top), x1, min(height, bottom))


def label_words(image: Image.Image, page: PageResult, languages: str, wanted: list[str],
                form: FormKind = FormKind.BIRTH) -> list[Word]:
    """The page's words with those of lines the OCR dropped as noise (a printed label
    followed by handwriting often is one: "Họ, chữ đệm, tên: ⁄//7.../:"), and those of
    the label column read on its own when a wanted label is still missing (read again
    in black and white when some still are)."""
    # The words of lines the OCR dropped as noise first: they hold such labels for free.
    known = joined(page.words, page.dropped_words)
    found = find_labels(known, image.size, loose=False, form=form)
    if form is FormKind.BIRTH and "number" in wanted and "number" not in found \
            and number_label(page_dark(image), known):
        found["number"] = []  # its dotted line under the agency's name: no reading needed
    if all(k in found for k in wanted):
        return known
    missing = [k for k in wanted if k not in found]
    top, bottom = label_band(missing, found, image.size, form)
    strip = image.crop((0, top, int(image.width * LABEL_STRIP[0]), bottom))
    # Block numbers apart from the page's, so that no line of one joins a line of the other.
    words = [*known, *rekeyed(_read_strip(strip, top, page.dpi, languages), 100_000)]
    again = find_labels(words, image.size, loose=False, form=form)
    # Ink bleed: the print's strokes swell into gray halos and tesseract loses whole
    # labels next to the handwriting ("Ngày, tháng, năm sinh:" not read at all); at the
    # stroke's core the print is print again (fresh draw 3301 and dev: a page's two body
    # labels each time). Not for "Số:" alone: read so, it was found on no page (3 tried).
    body = [k for k in missing if k not in again and k != "number"]
    # Not when no label was found at all, by the OCR or that reading: a halo hides some
    # labels next to the writing, not the form's every label, and such a page would read
    # its whole column twice (0.4–0.6 s a reading down to 75 % of the marriage form; no
    # page of the dev halves nor of draw 5413 came to it). With a label found, the band
    # of its missing neighbours is small (``REACH``).
    anchored = {k: v for k, v in {**found, **again}.items() if v}
    if not body or not anchored:
        return words
    top, bottom = label_band(body, anchored, image.size, form)
    strip = image.crop((0, top, int(image.width * LABEL_STRIP[0]), bottom))
    paper = float(np.percentile(np.asarray(strip)[::2, ::2], 90)) if strip.size[1] else 255.0
    cores = strip.point(lambda v: 255 if v > CORE * paper else 0)
    return [*words, *rekeyed(_read_strip(cores, top, page.dpi, languages), 200_000)]


# The print's core, of the paper's level: darker pixels are the strokes' middles.
CORE = 0.43


def _read_strip(strip: Image.Image, top: int, dpi: int | None, languages: str) -> list[Word]:
    """Tesseract's words of a strip of the label column (``top``: its first row in the
    page), at no more than ``LABEL_DPI``, in the page's pixels."""
    scale = min(1.0, LABEL_DPI / (dpi or LABEL_DPI))
    small = strip.resize((max(1, int(strip.width * scale)), max(1, int(strip.height * scale))),
                         Image.Resampling.BILINEAR)
    with tempfile.TemporaryDirectory(prefix="sohoa-hand-") as tmp:
        (read,) = read_crops(small, [(0, 0, small.width, small.height)], Path(tmp),
                             dpi=round((dpi or LABEL_DPI) * scale), languages=languages)
    return [Word(w.text, w.confidence, (round(w.bbox[0] / scale), round(w.bbox[1] / scale) + top,
                                        round(w.bbox[2] / scale), round(w.bbox[3] / scale) + top),
                 w.line) for w in read]


# Where each handwritten field goes on the record.
PATHS = {"name": "subjects[0].name", "birth_date": "subjects[0].birth_date",
         "number": "document_number", "birth_place": "fields.birth_place"}
# The marriage certificate's: its two subjects, the husband then the wife.
MARRIAGE_PATHS = {"husband_name": "subjects[0].name",
                  "husband_birth_date": "subjects[0].birth_date",
                  "wife_name": "subjects[1].name", "wife_birth_date": "subjects[1].birth_date",
                  "number": "document_number"}
PATHS_OF = {FormKind.BIRTH: PATHS, FormKind.MARRIAGE: MARRIAGE_PATHS}
# The subjects' roles, in the order of their index in the paths.
ROLES = {FormKind.BIRTH: ("người được khai sinh",), FormKind.MARRIAGE: ("chồng", "vợ")}
_SUBJECT_PATH = re.compile(r"subjects\[(\d+)\]\.(\w+)")


def _subject(record: Record, i: int, roles: tuple[str, ...], make: bool) -> Subject | None:
    """The record's subject of the path's index: the birth form's first subject; the
    subject printed extraction gave that role (the marriage form's "Chồng"/"Vợ" may have
    given one spouse alone); else (``make``) a new one with that role."""
    if len(roles) == 1 and record.subjects:
        return record.subjects[0]
    by_role = next((s for s in record.subjects if s.role == roles[i]), None)
    if by_role is not None:
        return by_role
    if not make:
        return None
    subject = Subject(role=roles[i])
    record.subjects.append(subject)
    return subject


def _current(record: Record, path: str, roles: tuple[str, ...]) -> str | None:
    if path == "document_number":
        return record.document_number
    if path.startswith("fields."):
        value = record.fields.get(path.removeprefix("fields."))
        return str(value) if value else None
    m = _SUBJECT_PATH.fullmatch(path)
    assert m is not None, path
    subject = _subject(record, int(m.group(1)), roles, make=False)
    return getattr(subject, m.group(2)) if subject else None


def _resolved(record: Record, path: str, roles: tuple[str, ...]) -> str:
    """``path`` with the index of its subject as the record holds it: a marriage form's
    spouse is the subject of that role wherever print put it, made when missing, so that
    the review's path names that spouse (printed extraction may have given the wife
    alone, at index 0). The birth form's paths are as they are."""
    m = _SUBJECT_PATH.fullmatch(path)
    if m is None or len(roles) == 1:
        return path
    subject = _subject(record, int(m.group(1)), roles, make=True)
    index = next(i for i, s in enumerate(record.subjects) if s is subject)
    return f"subjects[{index}].{m.group(2)}"


def _set(record: Record, path: str, value: str, roles: tuple[str, ...]) -> None:
    """Set a resolved path (``_resolved``); the birth form's holder made when missing."""
    if path == "document_number":
        record.document_number = value
    elif path.startswith("fields."):
        record.fields[path.removeprefix("fields.")] = value
    else:
        m = _SUBJECT_PATH.fullmatch(path)
        assert m is not None, path
        index = int(m.group(1))
        while len(record.subjects) <= index:
            record.subjects.append(Subject(role=roles[min(len(record.subjects), len(roles) - 1)]))
        setattr(record.subjects[index], m.group(2), value)


def _found_quietly(labels: list[Word] | None, size: tuple[int, int], form: FormKind
                   ) -> dict[str, list[Word]]:
    """The labels found among ``labels`` (None: not read), none when finding them fails
    too: after a failed step the page's crops fall back to the form's usual places."""
    if not labels:
        return {}
    try:
        return find_labels(labels, size, form=form)
    except Exception:  # the failure already noted is the one that matters
        return {}


def read_handwriting(record: Record, received_path: Path, media_type: str,
                     pages: list[PageResult], languages: str) -> None:
    """Fill the fields print did not give from the handwriting of page 1, each proposed
    for a person to confirm (``handwriting_unconfirmed``); a field whose reading fails its
    checks is left for keying (``handwriting_unread``). Printed values are never
    replaced. The record goes to review whenever a handwritten field is involved."""

    form = form_of(record.doc_type)
    paths, roles = PATHS_OF[form], ROLES[form]
    wanted = [k for k, path in paths.items() if not _current(record, path, roles)]
    if not wanted or not pages:
        return
    page = pages[0]
    labels: list[Word] | None = None
    try:
        image = upright_page(received_path, media_type, page,
                             max_pixels=page.width_px * page.height_px + 1)
        if image is None:
            return
        try:
            reader = shared_reader()
        except ReaderUnavailable as exc:
            record.note("handwriting", skipped=str(exc))
            return
        warm()
        issued = date.fromisoformat(record.issued_on) if record.issued_on else None
        labels = label_words(image, page, languages, wanted, form)
        fields = read_fields(image, page.words, issued, reader, wanted, labels,
                             registers_birth=record.doc_type == BIRTH_CERTIFICATE, form=form)
    except Exception as exc:
        # A step that fails (a render, tesseract, the line model) never fails the paper:
        # its handwritten fields are left for keying and the record says why. Nothing was
        # written on the record before this point.
        log.warning("handwriting reading failed on %s: %s", received_path.name, exc)
        record.note("handwriting", failed=f"{type(exc).__name__}: {exc}"[:300])
        # On a paper classified as the form, each field's crop placed from the labels
        # found before the failure, else where the form usually has it: the clerk keys
        # from the page, not blind.
        size = (page.width_px, page.height_px)
        found = _found_quietly(labels, size, form)
        for key in wanted:
            path = _resolved(record, paths[key], roles)
            record.review.reasons.append(ReviewReason("handwriting_unread", path))
            if record.doc_type == form.value:
                record.regions.append(FieldRegion(path, page.number,
                                                  placed_box(key, found, size, form), size,
                                                  estimated=True))
        if record.status == Status.READY:
            record.status = Status.NEEDS_REVIEW
        return
    resolved = [_resolved(record, paths[f.key], roles) for f in fields]
    for f, path in zip(fields, resolved, strict=True):
        # Kept for the keying screen, which shows a person this part of the page.
        record.regions.append(FieldRegion(path, page.number, f.box, image.size))
        if f.value is not None:
            _set(record, path, f.value, roles)
            record.review.reasons.append(ReviewReason("handwriting_unconfirmed", path))
        else:
            record.review.reasons.append(ReviewReason("handwriting_unread", path))
    # On a paper classified as the form, a field whose label was not found is left for
    # keying too, with a region placed from the form's layout (``placed_box``; not read:
    # the model is given found labels' crops only), so that the clerk keys from the page,
    # not blind. Other papers are read for labels only (``form_of``: the birth form's by
    # default), and a label not found there says nothing.
    read = {f.key for f in fields}
    unfound = [k for k in wanted if k not in read] if record.doc_type == form.value else []
    if unfound:
        found = find_labels(labels, image.size, form=form)
        for key in unfound:
            path = _resolved(record, paths[key], roles)
            record.regions.append(FieldRegion(path, page.number,
                                              placed_box(key, found, image.size, form),
                                              image.size, estimated=True))
            record.review.reasons.append(ReviewReason("handwriting_unread", path))
    if (fields or unfound) and record.status == Status.READY:
        record.status = Status.NEEDS_REVIEW
    record.note("handwriting", fields=[
        {"field": path, "box": list(f.box), "proposed": f.value is not None,
         "source": f.source, "agreed": f.agreed, "problem": f.problem}
        for f, path in zip(fields, resolved, strict=True)],
        placed=[_resolved(record, paths[k], roles) for k in unfound])
