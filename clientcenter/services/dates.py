"""The one date format: what people read, in the agency's time zone.

Stored values stay UTC; only what is shown is converted, to ``branding.time_zone``. Dates read
"Dec 1, 2026"; moments read "Dec 1, 2026, 3:04 PM CST". Calendar dates (a due date, an
effective date) have no zone and are shown as they are."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from clientcenter.settings import Settings, get_settings


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def agency_zone(settings: Settings | None = None) -> ZoneInfo:
    return _zone((settings or get_settings()).branding.time_zone)


def local(moment: datetime, settings: Settings | None = None) -> datetime:
    """``moment`` on the agency's clock. Naive values are UTC (SQLite hands them back so)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(agency_zone(settings))


def date_text(value: date | datetime | None, settings: Settings | None = None) -> str:
    """ "Dec 1, 2026" ("" for None); a moment is first put on the agency's clock."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = local(value, settings).date()
    return f"{value:%b} {value.day}, {value:%Y}"


def time_text(moment: datetime | None, settings: Settings | None = None) -> str:
    """ "Dec 1, 2026, 3:04 PM CST" ("" for None), on the agency's clock."""
    if moment is None:
        return ""
    at = local(moment, settings)
    hour = at.hour % 12 or 12
    return f"{date_text(at.date())}, {hour}:{at:%M} {at:%p} {at.tzname()}"
