"""Dates and times as people read them: Vietnam time, dd/mm/yyyy (HH:MM).

The one formatter for every screen, CLI line and the signature stamp; JSON keeps ISO
8601 with its offset. Light on purpose (standard library only) so any package can use it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

# Vietnam has kept UTC+7 without daylight saving since 1975.
VN_TZ = timezone(timedelta(hours=7))
MISSING = "—"


def _instant(value: datetime | str) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    # An instant without an offset is taken as UTC, which is how sohoa stores them.
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def vietnam_today() -> date:
    """Today in Vietnam, whatever the server's clock zone (containers run in UTC, and
    from 17:00 UTC it is already tomorrow in Vietnam): the day a paper's validity, a
    month's figures and a date read from a page are judged against."""
    return datetime.now(VN_TZ).date()


def vietnam_time(value: datetime | str | None) -> str:
    """``dd/mm/yyyy HH:MM`` in Vietnam time; "—" for nothing, text that is not an
    ISO 8601 instant unchanged."""
    if value is None or value == "":
        return MISSING
    moment = _instant(value)
    if moment is None:
        return str(value)
    return moment.astimezone(VN_TZ).strftime("%d/%m/%Y %H:%M")


def vietnam_date(value: date | str | None) -> str:
    """``dd/mm/yyyy``: a calendar date as written on papers, or the Vietnam-time day of
    an instant; "—" for nothing, anything else unchanged."""
    if value is None or value == "":
        return MISSING
    if isinstance(value, datetime) or (isinstance(value, str) and "T" in value):
        moment = _instant(value)
        return str(value) if moment is None else moment.astimezone(VN_TZ).strftime("%d/%m/%Y")
    try:
        day = value if isinstance(value, date) else date.fromisoformat(value)
    except ValueError:
        return str(value)
    return day.strftime("%d/%m/%Y")


_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")


def parse_person_date(value: str) -> date:
    """A date as a person types it: ``dd/mm/yyyy`` (as printed on Vietnamese papers, also
    with ``.`` or ``-``) or ISO ``yyyy-mm-dd``. ``ValueError`` names both forms."""
    text = value.strip()
    try:
        if match := _DMY.fullmatch(text):
            day, month, year = (int(g) for g in match.groups())
            return date(year, month, day)
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"ngày không hợp lệ: {value!r} (cần dạng dd/mm/yyyy, ví dụ 04/09/1954, "
            "hoặc yyyy-mm-dd)"
        ) from exc
