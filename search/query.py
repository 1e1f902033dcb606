"""The user's query text, parsed once for every backend.

Syntax: words are ANDed; ``"double quoted words"`` must appear as a phrase. Nothing
else is an operator: every character the user types is searched for, never interpreted
by the engine (so ``AND``, ``*``, ``:`` or ``NEAR(`` cannot change the query's shape).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from records.folding import fold, has_diacritics, nfc, tokens

_CLAUSE_RE = re.compile(r'"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Clause:
    """One word or phrase of the query, as typed (NFC) and as tokens."""

    text: str
    phrase: bool

    @property
    def exact_tokens(self) -> list[str]:
        return tokens(self.text.lower())

    @property
    def folded_tokens(self) -> list[str]:
        return tokens(fold(self.text))

    @property
    def marked(self) -> bool:
        """Typed with diacritics: exact matches of this clause rank first."""
        return has_diacritics(self.text)

    @property
    def single_word(self) -> bool:
        return len(self.folded_tokens) == 1


def parse_text(text: str) -> list[Clause]:
    """Split ``text`` into clauses, dropping those with nothing searchable in them.

    An unclosed quote runs to the end of the text, as users expect when typing.
    """
    clauses: list[Clause] = []
    for match in _CLAUSE_RE.finditer(nfc(text)):
        quoted, word = match.group(1), match.group(2)
        clause = Clause(text=quoted, phrase=True) if quoted is not None else Clause(word, False)
        if clause.folded_tokens:
            clauses.append(clause)
    return clauses
