"""Edit-distance-1 matching for OCR slips ("NGUYCN" for "NGUYỄN", "HUNQ" for "HÙNG").

Uses the symmetric-delete scheme: a vocabulary term is stored under itself and each of
its one-character deletions; two words within one edit (insertion, deletion,
substitution or transposition of neighbours) always share such a key. Candidates are
then verified, because sharing a key does not by itself prove distance 1.
"""

from __future__ import annotations

MIN_FUZZY_LENGTH = 4  # shorter words have too many neighbours to be useful
MIN_VOCAB_LENGTH = MIN_FUZZY_LENGTH - 1


def delete_keys(term: str) -> set[str]:
    """The term and every string made by deleting one of its characters."""
    return {term} | {term[:i] + term[i + 1 :] for i in range(len(term))}


def within_one_edit(a: str, b: str) -> bool:
    """Optimal-string-alignment distance between ``a`` and ``b`` is at most 1."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diffs = [i for i in range(la) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        return (
            len(diffs) == 2
            and diffs[1] == diffs[0] + 1
            and a[diffs[0]] == b[diffs[1]]
            and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1 :]


def fuzzy_eligible(term: str) -> bool:
    """Words worth expanding: long enough and alphabetic (IDs and numbers match exactly)."""
    return len(term) >= MIN_FUZZY_LENGTH and term.isalpha()


def vocab_eligible(term: str) -> bool:
    return len(term) >= MIN_VOCAB_LENGTH and term.isalpha()
