"""Vietnamese-aware text folding: the one definition every package matches text with.

The catalogs' phrases and the extractor's labels (``fold_phrase``), the index backends,
the snippets and the reuse lookup (``fold``, ``fold_name``) all fold here, so a word
typed without diacritics meets the same word printed with them the same way everywhere.

Folding makes a query typed without diacritics ("nguyen van hung", "dang ky") meet text
written with them ("NGUYỄN VĂN HÙNG", "đăng ký"). Unicode decomposition alone is not
enough: đ/Đ is a letter of its own, not d plus a mark, so it is mapped explicitly.
Changing what ``fold`` returns changes what is in an index: bump ``FOLD_VERSION`` so that
indexes built with the old folding ask for a reindex.
"""

from __future__ import annotations

import re
import unicodedata

FOLD_VERSION = 1

# Letters that do not decompose into a base letter plus combining marks. Ð (U+00D0) is
# what OCR and some keyboards produce for Đ.
_EXTRA = {"đ": "d", "Đ": "d", "Ð": "d", "ð": "d"}

# Token characters as SQLite's unicode61 tokenizer sees them: letters and digits;
# the underscore and punctuation separate tokens.
TOKEN_RE = re.compile(r"[^\W_]+")


def _fold_char(ch: str) -> str:
    if ch in _EXTRA:
        return _EXTRA[ch]
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    return base.lower()


def _build_table() -> tuple[dict[int, str | None], dict[int, str]]:
    """Translation tables over the Latin blocks Vietnamese uses (plus combining marks).

    The first drops combining marks (for ``fold``); the second keeps every character in
    place so that positions in folded text are positions in the original (for snippets).
    """
    drop: dict[int, str | None] = {}
    keep: dict[int, str] = {}
    ranges = [range(0x00C0, 0x0250), range(0x1E00, 0x1F00)]
    for block in ranges:
        for cp in block:
            folded = _fold_char(chr(cp))
            if folded != chr(cp) and len(folded) == 1:
                drop[cp] = folded
                keep[cp] = folded
    for cp in range(0x0300, 0x0370):
        drop[cp] = None
    return drop, keep


_DROP_TABLE, _KEEP_TABLE = _build_table()


def nfc(text: str) -> str:
    """Composed form: Vietnamese typed with combining tone marks becomes one letter each."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lowercase, strip Vietnamese diacritics and map đ/Đ to d: "Đăng KÝ" -> "dang ky"."""
    return nfc(text).lower().translate(_DROP_TABLE)


def fold_phrase(text: str) -> str:
    """``fold`` with single spaces and no edge spaces: the form phrases, labels and page
    lines are compared in (OCR often drops or changes diacritics in labels, so recognition
    never depends on them)."""
    return " ".join(fold(text).split())


def fold_aligned(text: str) -> str:
    """Like ``fold`` but one output character per character of ``nfc(text)``, so spans
    found in the folded text are spans of the composed text (the snippets' highlights,
    the extractor's value positions).

    Characters whose fold is not a single character (rare outside Vietnamese) are kept as
    they are, so indexes map back.
    """
    text = nfc(text)
    lowered = text.lower()
    if len(lowered) != len(text):
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return lowered.translate(_KEEP_TABLE)


def tokens(text: str) -> list[str]:
    """The tokens of already-folded or exact text, split like the index tokenizer."""
    return TOKEN_RE.findall(text)


def has_diacritics(text: str) -> bool:
    """True when folding changes more than letter case: the user typed marks or đ."""
    composed = nfc(text)
    return fold(composed) != composed.lower()


def fold_name(name: str) -> str:
    """A person's name in the form stored for identity lookups: folded, single-spaced."""
    return " ".join(tokens(fold(name)))


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between two (folded) words: letters changed, missing or
    added. Where a reading is matched against a word it should be (a label, the national
    motto's), one definition for every package."""
    row = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, y in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (x != y))
    return row[-1]
