"""Page geometry for the visible stamp: what a reader shows of a page, and where.

Plain arithmetic on boxes, kept apart from ``signing.stamp`` (which draws the stamp
with pyHanko and fontTools) so that measuring a page for the stamp
(``signing.placement``, in the OCR workers) does not load the signing libraries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Rect = tuple[float, float, float, float]


def _normalized(box: Sequence[float]) -> Rect:
    x0, y0, x1, y1 = (float(v) for v in box)
    return (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))


def visible_box(media_box: Sequence[float], crop_box: Sequence[float] | None) -> Rect:
    """What a reader shows: the CropBox clipped to the MediaBox (ISO 32000-1, 14.11.2)."""
    media = _normalized(media_box)
    if crop_box is None:
        return media
    crop = _normalized(crop_box)
    clipped = (
        max(media[0], crop[0]),
        max(media[1], crop[1]),
        min(media[2], crop[2]),
        min(media[3], crop[3]),
    )
    # A CropBox entirely off the MediaBox is broken; readers then fall back to the media.
    return clipped if clipped[0] < clipped[2] and clipped[1] < clipped[3] else media


def normalized_rotation(rotate: object) -> int:
    """/Rotate as 0, 90, 180 or 270; values that are not multiples of 90 count as 0."""
    try:
        degrees = int(str(rotate)) % 360
    except ValueError:
        return 0
    return degrees if degrees % 90 == 0 else 0


@dataclass(frozen=True)
class PageFrame:
    """A page as a reader displays it: its visible box (user space) turned clockwise by
    ``rotate``. Display coordinates start at the displayed bottom left, y pointing up."""

    box: Rect
    rotate: int = 0

    @property
    def display_size(self) -> tuple[float, float]:
        width, height = self.box[2] - self.box[0], self.box[3] - self.box[1]
        return (height, width) if self.rotate in (90, 270) else (width, height)

    def _point_to_display(self, x: float, y: float) -> tuple[float, float]:
        left, bottom, right, top = self.box
        return {
            0: (x - left, y - bottom),
            90: (y - bottom, right - x),
            180: (right - x, top - y),
            270: (top - y, x - left),
        }[self.rotate]

    def _point_from_display(self, x: float, y: float) -> tuple[float, float]:
        left, bottom, right, top = self.box
        return {
            0: (left + x, bottom + y),
            90: (right - y, bottom + x),
            180: (right - x, top - y),
            270: (left + y, top - x),
        }[self.rotate]

    def to_display(self, rect: Rect) -> Rect:
        return _normalized(
            self._point_to_display(rect[0], rect[1]) + self._point_to_display(rect[2], rect[3])
        )

    def from_display(self, rect: Rect) -> Rect:
        return _normalized(
            self._point_from_display(rect[0], rect[1]) + self._point_from_display(rect[2], rect[3])
        )
