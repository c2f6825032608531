"""The one date format, on the agency's clock (branding.time_zone), across daylight saving."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from clientcenter.models import OutboxMessage
from clientcenter.services.accounts import when
from clientcenter.services.dates import date_text, time_text
from clientcenter.services.notify.activity import record_action
from clientcenter.services.principal import Principal
from clientcenter.settings import SettingsError, get_settings, load_settings
from tests.support.factories import make_people
from tests.support.settings import use_settings


@pytest.fixture
def chicago(monkeypatch):
    use_settings(monkeypatch, BRANDING__TIME_ZONE="America/Chicago")


def test_moments_are_shown_on_the_agency_clock_in_winter_and_summer(chicago):
    assert time_text(datetime(2026, 12, 1, 21, 4, tzinfo=UTC)) == "Dec 1, 2026, 3:04 PM CST"
    assert time_text(datetime(2026, 7, 4, 21, 4, tzinfo=UTC)) == "Jul 4, 2026, 4:04 PM CDT"
    # SQLite hands back naive values: they were written as UTC.
    assert when(datetime(2026, 12, 1, 6, 0)) == "Dec 1, 2026, 12:00 AM CST"


def test_the_clock_changes_on_the_night_daylight_saving_starts_and_ends(chicago):
    # Mar 8, 2026: 2 AM CST jumps to 3 AM CDT. Nov 1, 2026: 2 AM CDT falls back to 1 AM CST.
    assert time_text(datetime(2026, 3, 8, 7, 59, tzinfo=UTC)) == "Mar 8, 2026, 1:59 AM CST"
    assert time_text(datetime(2026, 3, 8, 8, 0, tzinfo=UTC)) == "Mar 8, 2026, 3:00 AM CDT"
    assert time_text(datetime(2026, 11, 1, 6, 30, tzinfo=UTC)) == "Nov 1, 2026, 1:30 AM CDT"
    assert time_text(datetime(2026, 11, 1, 7, 30, tzinfo=UTC)) == "Nov 1, 2026, 1:30 AM CST"


def test_a_moment_late_in_the_utc_day_is_the_agency_day_before(chicago):
    late = datetime(2026, 12, 2, 3, 0, tzinfo=UTC)
    assert date_text(late) == "Dec 1, 2026"
    assert date_text(date(2026, 12, 2)) == "Dec 2, 2026"  # calendar dates have no zone
    assert date_text(None) == "" and time_text(None) == ""


def test_the_zone_is_a_setting_and_a_wrong_name_stops_start_up_naming_it(monkeypatch):
    use_settings(monkeypatch, BRANDING__TIME_ZONE="America/Chicgo")
    with pytest.raises(SettingsError, match=r"branding\.time_zone.*America/Chicgo"):
        load_settings()
    monkeypatch.delenv("CC_BRANDING__TIME_ZONE")
    assert load_settings().branding.time_zone == "America/New_York"  # the documented default


def test_messages_say_when_on_the_agency_clock(session, chicago):
    people = make_people(session)
    record_action(
        session,
        Principal.customer(people.account.id, people.primary.id),
        "customer.general_request",
        summary="Please call me",
    )
    session.commit()
    assert get_settings().branding.time_zone == "America/Chicago"
    bodies = [m.body_text for m in session.exec(select(OutboxMessage)).all()]
    assert bodies and any(" CST" in b or " CDT" in b for b in bodies), bodies
