"""The page model the content builders fill and the renderer draws.

A page is a list of blocks in reading order; the ground-truth text is derived from the
same blocks (`text_lines`), after wrapping, so that truth and pixels cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Style = Literal["r", "b", "i", "bi"]


@dataclass(frozen=True)
class Span:
    text: str
    style: Style = "r"


@dataclass
class Para:
    """A paragraph wrapped to the body width (or a single line in a column)."""

    spans: list[Span]
    align: Literal["left", "center", "right", "justify"] = "left"
    size: float = 0.0  # points added to the body size (titles +2..+3)
    indent_mm: float = 0.0  # first-line indent
    hang_mm: float = 0.0  # indent of continuation lines
    space_before: float = 0.0  # in line heights
    columns: list[list[Span]] | None = None  # several fields on one line, at tab stops


@dataclass
class Header:
    """Agency block at top left, national motto at top right (each centred in its column)."""

    left: list[list[Span]]
    right: list[list[Span]]
    left_rule_after: int  # a short rule under this line index of `left` (-1: none)
    right_rule_after: int
    right_raise_mm: float = 0.0  # the motto is sometimes printed higher than the agency
    left_size: float = 0.0
    right_size: float = 0.0


@dataclass
class Table:
    """Ruled table; each row is read left to right as one ground-truth line."""

    rows: list[list[list[Span]]]
    widths: list[float]  # fractions of the body width
    space_before: float = 0.3
    header_rows: int = 0


@dataclass
class SignBlock:
    """Dateline and signature block in the right column; seal and pen strokes on it."""

    dateline: list[Span] | None
    titles: list[list[Span]]
    name: str
    note: list[Span] | None = None  # "(Ký, ghi rõ họ tên, đóng dấu)"
    space_before: float = 0.8


Block = Header | Para | Table | SignBlock


@dataclass
class Page:
    blocks: list[Block]
    seal_ring: str  # text around the seal
    seal_center: list[str] = field(default_factory=list)  # short lines under the star
