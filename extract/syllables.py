"""Vietnamese syllables: the closed set of spellings a name's words must belong to.

A syllable is an onset, a rhyme (optional medial o/u, a nucleus, an optional coda) and
one tone mark. OCR slips often leave a string no Vietnamese word is spelled as ("Nhungg",
"Hồnq", "Thi̇̀", two tone marks, "ngh" before "a"): such a name cannot be trusted. A slip
that yields another real syllable ("Hông" for "Hồng") passes here; the name's other
mention on the page catches it (``extract.names.name_readings``).
"""

from __future__ import annotations

import functools
import unicodedata

# Combining tone marks (NFD): sắc, huyền, hỏi, ngã, nặng.
TONES = {"\u0301": "sac", "\u0300": "huyen", "\u0309": "hoi", "\u0303": "nga", "\u0323": "nang"}

ONSETS = (
    "ngh",
    "ng",
    "nh",
    "ch",
    "gh",
    "gi",
    "kh",
    "ph",
    "qu",
    "th",
    "tr",
    "b",
    "c",
    "d",
    "đ",
    "g",
    "h",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "t",
    "v",
    "x",
    "",
)


def _expand(nucleus: str, codas: str) -> set[str]:
    return {nucleus + coda for coda in codas.split()}


# Rhymes without tone (nucleus + coda, with the medial o/u where it is written).
_OPEN = "a e ê i y o ô ơ u ư ia ua ưa"
_SEMIVOWEL_CODAS = "ai ao au ay âu ây eo êu iu oi ôi ơi ui ưi ưu iêu yêu uôi ươi ươu"
_MEDIAL = "oa oă oe uê uy uơ uya oai oay oao oeo uây uyu uêu"
_RHYMES: set[str] = set(f"{_OPEN} {_SEMIVOWEL_CODAS} {_MEDIAL}".split())
for _nucleus, _codas in {
    "a": "c ch m n ng nh p t",
    "ă": "c m n ng p t",
    "â": "c m n ng p t",
    "e": "c m n ng p t",
    "ê": "ch m n nh p t",
    "i": "ch m n nh p t",
    "o": "c m n ng p t",
    "oo": "c ng",
    "ô": "c m n ng p t",
    "ơ": "m n p t",
    "u": "c m n ng p t",
    "ư": "c m n ng t",
    "iê": "c m n ng p t",
    "yê": "m n ng t",
    "uô": "c m n ng t",
    "ươ": "c m n ng p t",
    "oa": "c ch m n ng nh p t",
    "oă": "c m n ng t",
    "oe": "n t",
    "uâ": "n ng t",
    "uê": "ch nh",
    "uy": "ch n nh p t",
    "uyê": "n t",
}.items():
    _RHYMES |= _expand(_nucleus, _codas)
RHYMES = frozenset(_RHYMES)

# Rhymes ending in a stop take only the sắc or nặng tone.
_STOPS = ("c", "ch", "p", "t")
# Letters that make k/gh/ngh (and forbid c/g/ng): the front vowels.
_FRONT = ("i", "e", "ê", "y")


def split_tone(word: str) -> tuple[str, list[str]]:
    """The word without tone marks (vowel shapes kept: ă â ê ô ơ ư) and the marks found."""
    base = []
    tones = []
    for char in unicodedata.normalize("NFD", word.lower()):
        if char in TONES:
            tones.append(TONES[char])
        else:
            base.append(char)
    return unicodedata.normalize("NFC", "".join(base)), tones


def _rhyme_ok(onset: str, rhyme: str) -> bool:
    if rhyme not in RHYMES:
        return False
    front = rhyme.startswith(_FRONT)
    if onset in ("k", "gh", "ngh"):
        return front
    if onset in ("c", "g", "ng"):
        return not front
    return onset != "q"


@functools.lru_cache(maxsize=4096)
def is_syllable(word: str) -> bool:
    """Whether ``word`` (any case, NFC or not) is spelled as a Vietnamese syllable."""
    base, tones = split_tone(word)
    if not base or len(tones) > 1 or not base.isalpha():
        return False
    tone = tones[0] if tones else None
    for onset in ONSETS:
        if not base.startswith(onset):
            continue
        rhyme = base[len(onset) :]
        parses = [rhyme]
        if onset == "qu":
            # "quy", "quyên", "quân": the u is the medial, written after q.
            parses = [rhyme, "u" + rhyme] if rhyme else []
        if onset == "gi":
            # "gì", "gìn": the i of gi is the vowel when no other follows.
            parses = [rhyme, "i" + rhyme] if rhyme else ["i"]
        for candidate in parses:
            if not candidate or not _rhyme_ok(onset, candidate):
                continue
            if candidate.endswith(_STOPS) and tone not in ("sac", "nang"):
                continue
            return True
    return False


# A syllable of one letter is spelled right ("ỉ", "ơ") but makes no person's name but
# "Y"/"Ý" (Như Ý; the "Y" of Ê Đê men's names): in a name it is a piece of a misread word,
# an L or a cut-off Li read as "I" ("Lê Quỳnh I Inh" for Lê Quỳnh Linh, draw 21002's
# e0015, marked ready with that name before this rule).
NAME_LONE_LETTERS = frozenset("y")


def invalid_words(name: str) -> list[str]:
    """The words of the person's name ``name`` that are no Vietnamese syllable, or a lone
    letter no name is made of (``NAME_LONE_LETTERS``)."""
    return [
        word
        for word in name.split()
        if not is_syllable(word) or (len(base := split_tone(word)[0]) == 1
                                     and base.lower() not in NAME_LONE_LETTERS)
    ]
