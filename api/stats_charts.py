"""The charts of the "Thống kê" screen, drawn on the server as inline SVG.

Why SVG drawn here rather than a charting library: the screen must work on office
networks without internet (no CDN) and print the same as it shows; three simple charts
(bars with a target line, a rate line toward 80 %, bars of the backlog) are a few
dozen lines of SVG, cheaper to keep than a vendored JavaScript bundle to pin and
audit, and they need no script at all (the screens use none but the upload's).

Every mark carries a class (``bar``, ``point``, ``target``) and ``data-month``, so
tests count them against the figures, and a ``<title>`` that browsers show on hover
and screen readers read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


@dataclass(frozen=True)
class Series:
    """One value per month (None where there is none)."""

    months: Sequence[str]  # labels, e.g. 03/2025
    values: Sequence[float | None]


def _ticks(top: float, count: int = 4) -> list[float]:
    return [top * i / count for i in range(count + 1)]


def _nice_top(value: float) -> float:
    """A round axis maximum at or above ``value``."""
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return float(step * magnitude)
    return float(10 * magnitude)


class _Frame:
    """Coordinates of a chart: months along x, values up y from 0 to ``top``."""

    def __init__(self, months: int, top: float) -> None:
        self.top = top
        self.step = (WIDTH - LEFT - RIGHT) / max(months, 1)

    def x(self, i: int) -> float:
        return LEFT + self.step * (i + 0.5)

    def y(self, value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - min(value, self.top) / self.top)


def _axes(frame: _Frame, months: Sequence[str], label: str, percent: bool) -> list[str]:
    parts = []
    for tick in _ticks(frame.top):
        y = frame.y(tick)
        text = f"{tick * 100:.0f} %" if percent else f"{tick:,.0f}".replace(",", ".")
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{text}</text>'
        )
    every = max(1, len(months) // 12)
    for i, month in enumerate(months):
        if i % every == 0:
            parts.append(
                f'<text class="tick" x="{frame.x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" '
                f'text-anchor="middle">{escape(month)}</text>'
            )
    parts.append(f'<text class="axis" x="{LEFT}" y="{HEIGHT - 6}">{escape(label)}</text>')
    return parts


def _svg(title: str, parts: list[str]) -> Markup:
    body = "".join(parts)
    return Markup(
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def bar_chart(title: str, bars: Series, target: Series | None = None,
              unit: str = "") -> Markup:
    """A bar per month; ``target`` as a stepped line over the months that have one."""
    values = [v or 0 for v in bars.values]
    targets = [] if target is None else [t for t in target.values if t is not None]
    frame = _Frame(len(bars.months), _nice_top(max([*values, *targets, 0])))
    parts = _axes(frame, bars.months, unit, percent=False)
    width = frame.step * 0.6
    for i, (month, value) in enumerate(zip(bars.months, values, strict=True)):
        y = frame.y(value)
        parts.append(
            f'<rect class="bar" data-month="{escape(month)}" data-value="{value:g}" '
            f'x="{frame.x(i) - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{frame.y(0) - y:.1f}"><title>{escape(month)}: {value:g}</title></rect>'
        )
    if target is not None:
        for i, (month, goal) in enumerate(zip(target.months, target.values, strict=True)):
            if goal is None:
                continue
            y = frame.y(goal)
            parts.append(
                f'<line class="target" data-month="{escape(month)}" data-value="{goal:g}" '
                f'x1="{frame.x(i) - frame.step / 2:.1f}" x2="{frame.x(i) + frame.step / 2:.1f}" '
                f'y1="{y:.1f}" y2="{y:.1f}"><title>Chỉ tiêu {escape(month)}: {goal:g}</title>'
                "</line>"
            )
    return _svg(title, parts)


def rate_chart(title: str, rates: Series, target: float) -> Markup:
    """A share per month as a line with a point per month that has one; the target as
    a dashed line across."""
    frame = _Frame(len(rates.months), 1.0)
    parts = _axes(frame, rates.months, "", percent=True)
    y = frame.y(target)
    parts.append(
        f'<line class="target" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}">'
        f"<title>Chỉ tiêu {target * 100:.0f} %</title></line>"
        f'<text class="target-label" x="{WIDTH - RIGHT}" y="{y - 5:.1f}" text-anchor="end">'
        f"chỉ tiêu {target * 100:.0f} %</text>"
    )
    points = [
        (i, month, value)
        for i, (month, value) in enumerate(zip(rates.months, rates.values, strict=True))
        if value is not None
    ]
    if len(points) > 1:
        path = " ".join(f"{frame.x(i):.1f},{frame.y(v):.1f}" for i, _, v in points)
        parts.append(f'<polyline class="rate" points="{path}"/>')
    for i, month, value in points:
        parts.append(
            f'<circle class="point" data-month="{escape(month)}" data-value="{value:.4f}" '
            f'cx="{frame.x(i):.1f}" cy="{frame.y(value):.1f}" r="4">'
            f"<title>{escape(month)}: {value * 100:.1f} %</title></circle>"
        )
    return _svg(title, parts)
