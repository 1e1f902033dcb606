"""Validity is judged on Vietnam's day, not the server's: a container's clock runs in
UTC, and from 17:00 UTC it is already the next day in Vietnam. A paper valid until
4 December must not be offered at 01:00 on the 5th in Hà Nội (18:00 UTC on the 4th)."""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo

import pytest

import records.vntime
from records.vntime import vietnam_today
from reuse.lookup import conditions_for

EVENING_UTC = datetime(2026, 12, 4, 18, 0, tzinfo=UTC)


class _Clock(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        return EVENING_UTC.astimezone(tz) if tz is not None else EVENING_UTC


@pytest.fixture
def utc_evening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(records.vntime, "datetime", _Clock)


@pytest.mark.usefixtures("utc_evening")
def test_today_is_vietnam_s_day() -> None:
    assert vietnam_today() == date(2026, 12, 5)


@pytest.mark.usefixtures("utc_evening")
def test_a_lookup_without_a_day_judges_validity_on_vietnam_s_day() -> None:
    conditions = conditions_for(None, None, accept_development_signatures=False)
    assert conditions.today == conditions.as_of == date(2026, 12, 5)
    expired_at_midnight = date(2026, 12, 4)
    assert expired_at_midnight < conditions.today
