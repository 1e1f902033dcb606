"""Held-out evaluation set: realistic scans of Vietnamese result papers, exact truth.

Independent of `specimens` (other fonts, layout code, name pools, places from the
official unit list, degradations partly by the third-party `augraphy`), so that OCR and
extraction are measured on pages we did not tune on. See docs/evalset.md.

    evalset.generate(out, count, seed, profile="both") -> list[Truth]
    evalset.load_truth(dir) -> list[Truth]
    evalset.make_page(workdir, "blur_yellow_skew", seed=1) -> Truth
"""

from evalset.content import DOC_TYPES
from evalset.degrade import EASY_CLASSES, HARD_CLASSES
from evalset.generate import generate, make_page, split_of
from evalset.truth import Truth, load_truth

__all__ = ["DOC_TYPES", "EASY_CLASSES", "HARD_CLASSES", "Truth", "generate", "load_truth",
           "make_page", "split_of"]
