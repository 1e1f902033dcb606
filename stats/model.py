"""The figures leaders are held to, as plain typed values, and the period they cover.

``StatsReport.to_dict`` is the one place they become JSON (``sohoa stats --json``, the
HTTP API); the workbook, the CSV and the screen read the same values.
"""

from __future__ import annotations

import calendar
import math
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from records.errors import UsageError
from records.vntime import VN_TZ

# Targets the press articles set (../shared/seeds/): every resolved result digitized
# (100 % by 2025), and 80 % of citizens never asked again for a paper already accepted.
DIGITIZED_TARGET = 1.0
REUSE_TARGET = 0.8


class StatsInputError(UsageError):
    """A date, month or CSV line the figures cannot be computed from."""


def parse_day(value: str | date) -> date:
    """A calendar date typed as officers write it (15/03/2025) or as ISO (2025-03-15)."""
    if isinstance(value, date):
        return value
    text = value.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise StatsInputError(f"Ngày '{value}' không hợp lệ (dùng dạng 15/03/2025 hoặc 2025-03-15).")


def parse_month(value: str) -> str:
    """A month as ``YYYY-MM``, typed as 03/2025, 2025-03 or a day of it."""
    text = value.strip()
    for fmt in ("%m/%Y", "%Y-%m"):
        try:
            return datetime.strptime(text, fmt).strftime("%Y-%m")
        except ValueError:
            continue
    try:
        return parse_day(text).strftime("%Y-%m")
    except StatsInputError:
        raise StatsInputError(
            f"Tháng '{value}' không hợp lệ (dùng dạng 03/2025 hoặc 2025-03)."
        ) from None


def vn_day(instant: str | None) -> str | None:
    """The Vietnam-time calendar day (ISO) of an ISO instant; None when unreadable."""
    if not instant:
        return None
    try:
        moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:  # sohoa stores instants in UTC
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(VN_TZ).date().isoformat()


def month_label(month: str) -> str:
    """``2025-03`` as people read it: ``03/2025``."""
    return f"{month[5:7]}/{month[:4]}"


def month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year, mon, calendar.monthrange(year, mon)[1])


@dataclass(frozen=True)
class Period:
    """Calendar days ``start`` … ``end`` (inclusive), Vietnam time."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise StatsInputError("Ngày kết thúc phải sau ngày bắt đầu.")
        if (self.end - self.start).days > 3700:
            raise StatsInputError("Khoảng thời gian tối đa là 10 năm.")

    @classmethod
    def parse(cls, start: str | date | None, end: str | date | None, today: date) -> Period:
        """Default: the twelve months up to ``today`` (from the 1st of the month eleven
        months before), which is what a monthly report looks back on."""
        last = parse_day(end) if end else today
        back = last.year * 12 + last.month - 1 - 11
        first = parse_day(start) if start else date(back // 12, back % 12 + 1, 1)
        return cls(first, last)

    def months(self) -> list[str]:
        out: list[str] = []
        day = self.start.replace(day=1)
        while day <= self.end:
            out.append(day.strftime("%Y-%m"))
            day = (day + timedelta(days=32)).replace(day=1)
        return out

    def covers_month(self, month: str) -> bool:
        return self.start <= date.fromisoformat(f"{month}-01") and month_end(month) <= self.end


def share(part: int, whole: int | None) -> float | None:
    return part / whole if whole else None


@dataclass(frozen=True)
class MonthFigures:
    """One month's figures (the days of it inside the period), or the period's total
    (``month`` = ``"total"``)."""

    month: str
    # digitized
    digitized: int = 0  # records received and kept (ready or waiting for review)
    signed: int = 0
    pages: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    issued: int | None = None  # results the office issued (imported), whole months only
    # quality
    ready: int = 0
    ready_without_review: int = 0
    backlog_end: int | None = None  # records waiting for review at the end of the month
    median_ready_seconds: float | None = None
    # reuse
    lookups: int = 0
    lookups_served: int = 0  # lookups where at least one required paper was offered
    required_total: int = 0
    required_served: int = 0
    releases: int = 0
    requested_again: int = 0  # see docs/stats.md: required papers held but not offered

    @property
    def share_issued(self) -> float | None:
        return share(self.digitized, self.issued)

    @property
    def share_without_review(self) -> float | None:
        return share(self.ready_without_review, self.digitized)

    @property
    def share_lookups_served(self) -> float | None:
        return share(self.lookups_served, self.lookups)

    @property
    def share_required_served(self) -> float | None:
        return share(self.required_served, self.required_total)

    @property
    def digitized_target(self) -> int | None:
        """Results the month should have digitized: the issued ones times the target
        (rounded up: a target is met by whole results)."""
        return None if self.issued is None else math.ceil(self.issued * DIGITIZED_TARGET)

    def to_dict(self) -> dict[str, Any]:
        return {
            "month": self.month,
            "digitized": self.digitized,
            "signed": self.signed,
            "pages": self.pages,
            "by_type": dict(self.by_type),
            "issued": self.issued,
            "share_issued": self.share_issued,
            "digitized_target": self.digitized_target,
            "ready": self.ready,
            "ready_without_review": self.ready_without_review,
            "share_without_review": self.share_without_review,
            "backlog_end": self.backlog_end,
            "median_ready_seconds": self.median_ready_seconds,
            "lookups": self.lookups,
            "lookups_served": self.lookups_served,
            "share_lookups_served": self.share_lookups_served,
            "required_total": self.required_total,
            "required_served": self.required_served,
            "share_required_served": self.share_required_served,
            "releases": self.releases,
            "requested_again": self.requested_again,
        }


@dataclass(frozen=True)
class Backlog:
    """Records waiting for review now, and how long they have waited (days)."""

    count: int
    oldest_days: float | None
    median_days: float | None

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "oldest_days": self.oldest_days,
                "median_days": self.median_days}


@dataclass(frozen=True)
class BatchRun:
    """A run of records one agency digitized without a pause (see docs/stats.md)."""

    agency: str
    started_at: str
    finished_at: str
    records: int
    pages: int

    @property
    def minutes(self) -> float:
        start = datetime.fromisoformat(self.started_at)
        finish = datetime.fromisoformat(self.finished_at)
        return max((finish - start).total_seconds(), 1.0) / 60

    @property
    def pages_per_minute(self) -> float:
        return self.pages / self.minutes

    def to_dict(self) -> dict[str, Any]:
        return {"agency": self.agency, "started_at": self.started_at,
                "finished_at": self.finished_at, "records": self.records,
                "pages": self.pages, "minutes": self.minutes,
                "pages_per_minute": self.pages_per_minute}


@dataclass(frozen=True)
class StatsReport:
    """The figures of ``agencies`` (None: every agency) over ``period``."""

    agencies: tuple[str, ...] | None
    period: Period
    months: tuple[MonthFigures, ...]
    total: MonthFigures
    backlog: Backlog
    batches: tuple[BatchRun, ...]
    digitized_target: float = DIGITIZED_TARGET
    reuse_target: float = REUSE_TARGET

    @property
    def pages_per_minute(self) -> float | None:
        minutes = sum(b.minutes for b in self.batches)
        return sum(b.pages for b in self.batches) / minutes if minutes else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "agencies": None if self.agencies is None else list(self.agencies),
            "from": self.period.start.isoformat(),
            "to": self.period.end.isoformat(),
            "targets": {"digitized": self.digitized_target, "reuse": self.reuse_target},
            "months": [m.to_dict() for m in self.months],
            "total": self.total.to_dict(),
            "backlog": self.backlog.to_dict(),
            "throughput": {
                "pages_per_minute": self.pages_per_minute,
                "batches": [b.to_dict() for b in self.batches],
            },
        }
