"""Whether two written forms of a person's name are the same name, for identity decisions.

Folding (``search.fold_name``) finds candidates, but it is not an identity test: it
drops the tone marks, and "Nguyễn Thị Hà" and "Nguyễn Thị Hạ" are two names (twins
are often named so). Here names are compared with their marks, composed (NFC), case
and spacing ignored. Only a name written without any mark at all (typed without them,
or all lost by OCR) is compared folded, and then the two are merely ``UNMARKED``
alike: the writing cannot tell them apart, it does not show they are the same. A name
written with marks is taken as written: many syllables carry none ("An", "Minh"), so
a word without a mark in it is not a mark lost ("Nguyễn Văn An" is not "Nguyễn Văn Ân").
"""

from __future__ import annotations

from enum import Enum

from records.folding import fold_name, has_diacritics, nfc, tokens

# Ð (U+00D0, Icelandic eth) is what OCR and some keyboards produce for Đ: a misreading
# of the same letter, not another name.
_SAME_LETTER = str.maketrans({"ð": "đ"})


class NameMatch(Enum):
    SAME = "same"  # the same words, marks included
    UNMARKED = "unmarked"  # alike once folded, one of them written without any mark
    DIFFERENT = "different"


def name_words(name: str) -> list[str]:
    """The words of ``name`` with their marks: composed, lower case, spacing and
    punctuation ignored."""
    return tokens(nfc(name).lower().translate(_SAME_LETTER))


def compare_names(a: str, b: str) -> NameMatch:
    """How the names ``a`` and ``b`` compare: two names both written with marks are
    the same only when every mark is."""
    words_a = name_words(a)
    if not words_a:
        return NameMatch.DIFFERENT
    if words_a == name_words(b):
        return NameMatch.SAME
    if fold_name(a) != fold_name(b) or (has_diacritics(a) and has_diacritics(b)):
        return NameMatch.DIFFERENT
    return NameMatch.UNMARKED
