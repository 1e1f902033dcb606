"""Synthetic Vietnamese administrative papers with ground truth, for tests and benchmarks.

Offers:
- ``generate(doc_type, seed) -> Specimen`` and ``generate_set(n, seed)``: the eight paper
  types (``DOC_TYPES``) with their exact lines and the values an extractor should find;
- ``render_page(specimen, dpi=300, font=None) -> PIL.Image``: a clean A4 page (``FONTS``);
- ``degrade(image, seed=..., ...)`` and ``degradation_profile(seed)``: scan defects;
  ``degraded_pages(specimen, profile, seed)`` renders and degrades (plus a blank back);
- ``save(images, path, fmt)``: PNG, JPEG, multi-page TIFF (G4 for bilevel), image PDF;
- ``make_batch(out_dir, n, seed, degraded)`` / ``load_ground_truth(out_dir)``: files plus
  ``ground_truth.jsonl``; also ``python -m specimens OUT_DIR --count N --seed S``;
- ``make_cccd``, ``decode_cccd``, ``cccd_matches``: the 12-digit personal number rules;
- ``number_words``, ``date_words``, ``money_words``: numbers spelled out in Vietnamese.

Everything is reproducible from the seed; only Pillow and numpy are needed (img2pdf
optional).
"""

from specimens.degrade import (
    back_side,
    degradation_profile,
    degrade,
    degraded_page,
    degraded_pages,
)
from specimens.documents import DOC_TYPES, Line, Specimen, generate, generate_set
from specimens.idnumbers import CccdInfo, cccd_matches, decode_cccd, make_cccd, make_cmnd
from specimens.numbers import date_words, money_words, number_words
from specimens.render import FONTS, FontMissingError, draw_seal, page_size, render_page
from specimens.write import load_ground_truth, make_batch, save

__all__ = [
    "DOC_TYPES",
    "FONTS",
    "CccdInfo",
    "FontMissingError",
    "Line",
    "Specimen",
    "back_side",
    "cccd_matches",
    "date_words",
    "decode_cccd",
    "degradation_profile",
    "degrade",
    "degraded_page",
    "degraded_pages",
    "draw_seal",
    "generate",
    "generate_set",
    "load_ground_truth",
    "make_batch",
    "make_cccd",
    "make_cmnd",
    "money_words",
    "number_words",
    "page_size",
    "render_page",
    "save",
]
