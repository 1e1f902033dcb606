"""Characters no value a person types or reads may hold, checked the same everywhere.

Controls (NUL, escape sequences), format characters (bidi overrides such as U+202E,
zero-width spaces), line/paragraph separators and lone surrogates (which no UTF-8 can
encode, so they fail wherever text is written) are invisible or reorder what is shown:
``evil\\u202egnp.exe`` displays as "evilexe.png". Object keys, agency names, upload file
names and corrected values are all refused or cleaned by these two functions.
"""

from __future__ import annotations

import unicodedata

# Cc control, Cf format, Cs surrogate, Zl/Zp line and paragraph separators.
INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def has_invisible(text: str) -> bool:
    """Whether ``text`` holds a control, format, separator or surrogate character."""
    return any(unicodedata.category(c) in INVISIBLE_CATEGORIES for c in text)


def strip_invisible(text: str) -> str:
    """``text`` without its control, format, separator and surrogate characters."""
    return "".join(c for c in text if unicodedata.category(c) not in INVISIBLE_CATEGORIES)


def shown(text: str, limit: int = 60) -> str:
    """``text`` as safe to echo in an error message: invisible characters spelled out as
    escapes (a lone surrogate would make the message itself unencodable), cut to
    ``limit`` characters."""
    out = "".join(
        c if unicodedata.category(c) not in INVISIBLE_CATEGORIES else f"\\u{ord(c):04x}"
        for c in text[: limit + 1]
    )
    return out if len(out) <= limit else out[: limit - 1] + "…"
