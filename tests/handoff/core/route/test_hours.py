"""Weekly schedules, holidays and next openings, across time zones and daylight-saving changes."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from handoff.core.route.hours import (
    Schedule,
    is_open,
    next_closing,
    next_opening,
    parse_days,
    parse_interval,
    parse_weekly,
)

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc

US_BUSINESS = Schedule(
    timezone="America/New_York",
    weekly=parse_weekly({"mon-fri": "09:00-18:00"}),
    country="US",
    closed_dates=frozenset({date(2026, 12, 24)}),
)
BERLIN_BUSINESS = Schedule(
    timezone="Europe/Berlin", weekly=parse_weekly({"weekdays": "09:00-17:00"}), country="DE", subdivision="BY"
)
NIGHTS = Schedule(timezone="America/New_York", weekly=parse_weekly({"daily": "22:00-06:00"}))


@pytest.mark.parametrize(
    ("key", "days"),
    [
        ("mon", (0,)),
        ("Sunday", (6,)),
        ("mon-fri", (0, 1, 2, 3, 4)),
        ("fri-mon", (4, 5, 6, 0)),
        ("weekends", (5, 6)),
        ("daily", (0, 1, 2, 3, 4, 5, 6)),
    ],
)
def test_parse_days(key: str, days: tuple[int, ...]) -> None:
    assert parse_days(key) == days


@pytest.mark.parametrize("key", ["mnday", "mon-xyz", "", "8"])
def test_parse_days_rejects_unknown_names(key: str) -> None:
    with pytest.raises(ValueError, match="unknown weekday"):
        parse_days(key)


@pytest.mark.parametrize(
    ("text", "span"),
    [("09:00-18:00", (540, 1080)), ("0:00-24:00", (0, 1440)), ("22:00-06:00", (1320, 1800)), (" 9:30 - 12:15 ", (570, 735))],
)
def test_parse_interval(text: str, span: tuple[int, int]) -> None:
    assert parse_interval(text) == span


@pytest.mark.parametrize("text", ["9-5", "09:00", "25:00-26:00", "09:60-10:00", "09:00-09:00", "24:30-01:00", "09:00-24:30"])
def test_parse_interval_rejects_bad_hours(text: str) -> None:
    with pytest.raises(ValueError, match="bad hours"):
        parse_interval(text)


def test_later_weekly_keys_replace_earlier_days() -> None:
    week = parse_weekly({"mon-fri": "09:00-18:00", "fri": "09:00-16:00", "sat": ["10:00-12:00", "13:00-15:00"]})
    assert week[0] == ((540, 1080),)
    assert week[4] == ((540, 960),)
    assert week[5] == ((600, 720), (780, 900))
    assert week[6] == ()


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        (US_BUSINESS, datetime(2026, 3, 2, 9, 0, tzinfo=NY), True),  # opening minute
        (US_BUSINESS, datetime(2026, 3, 2, 8, 59, tzinfo=NY), False),
        (US_BUSINESS, datetime(2026, 3, 2, 17, 59, tzinfo=NY), True),
        (US_BUSINESS, datetime(2026, 3, 2, 18, 0, tzinfo=NY), False),  # closing is exclusive
        (US_BUSINESS, datetime(2026, 3, 7, 12, 0, tzinfo=NY), False),  # Saturday
        (US_BUSINESS, datetime(2026, 11, 26, 12, 0, tzinfo=NY), False),  # Thanksgiving
        (US_BUSINESS, datetime(2026, 7, 3, 12, 0, tzinfo=NY), False),  # Independence Day observed
        (US_BUSINESS, datetime(2026, 12, 24, 12, 0, tzinfo=NY), False),  # explicit closed date
        (US_BUSINESS, datetime(2026, 3, 2, 15, 0, tzinfo=UTC), True),  # 10:00 EST given in UTC
        (US_BUSINESS, datetime(2026, 3, 9, 13, 30, tzinfo=UTC), True),  # 09:30 EDT after spring forward
        (US_BUSINESS, datetime(2026, 3, 9, 12, 30, tzinfo=UTC), False),  # 08:30 EDT, would be 07:30 EST
        (BERLIN_BUSINESS, datetime(2026, 3, 2, 10, 0, tzinfo=NY), True),  # 16:00 in Berlin
        (BERLIN_BUSINESS, datetime(2026, 3, 2, 11, 0, tzinfo=NY), False),  # 17:00 in Berlin
        (BERLIN_BUSINESS, datetime(2026, 1, 6, 10, 0, tzinfo=BERLIN), False),  # Epiphany in Bavaria
        (NIGHTS, datetime(2026, 3, 3, 5, 30, tzinfo=NY), True),  # span started the evening before
        (NIGHTS, datetime(2026, 3, 3, 6, 0, tzinfo=NY), False),
        (NIGHTS, datetime(2026, 3, 8, 5, 30, tzinfo=NY), True),  # across the spring-forward night
        (Schedule.always(), datetime(2026, 12, 25, 3, 0, tzinfo=UTC), True),
    ],
)
def test_is_open(schedule: Schedule, now: datetime, expected: bool) -> None:
    assert is_open(schedule, now) is expected


def test_open_dates_override_a_country_holiday() -> None:
    working = Schedule(
        timezone="America/New_York", weekly=US_BUSINESS.weekly, country="US", open_dates=frozenset({date(2026, 10, 12)})
    )
    columbus_day = datetime(2026, 10, 12, 10, 0, tzinfo=NY)
    assert not is_open(US_BUSINESS, columbus_day)
    assert is_open(working, columbus_day)


@pytest.mark.parametrize(
    ("schedule", "now", "opening_utc"),
    [
        # Friday evening to Monday morning, no clock change.
        (US_BUSINESS, datetime(2026, 2, 27, 19, 0, tzinfo=NY), datetime(2026, 3, 2, 14, 0, tzinfo=UTC)),
        # US spring forward (Sun 8 Mar 2026): Monday 09:00 is EDT, 13:00 UTC.
        (US_BUSINESS, datetime(2026, 3, 6, 19, 0, tzinfo=NY), datetime(2026, 3, 9, 13, 0, tzinfo=UTC)),
        # US fall back (Sun 1 Nov 2026): Monday 09:00 is EST, 14:00 UTC.
        (US_BUSINESS, datetime(2026, 10, 30, 18, 30, tzinfo=NY), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),
        # EU spring forward (Sun 29 Mar 2026): Monday 09:00 CEST is 07:00 UTC.
        (BERLIN_BUSINESS, datetime(2026, 3, 27, 18, 0, tzinfo=BERLIN), datetime(2026, 3, 30, 7, 0, tzinfo=UTC)),
        # EU fall back (Sun 25 Oct 2026): Monday 09:00 CET is 08:00 UTC.
        (BERLIN_BUSINESS, datetime(2026, 10, 23, 17, 30, tzinfo=BERLIN), datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),
        # Thanksgiving Thursday: Friday morning.
        (US_BUSINESS, datetime(2026, 11, 25, 19, 0, tzinfo=NY), datetime(2026, 11, 27, 14, 0, tzinfo=UTC)),
        # Closed 24th, Christmas on Friday: the Monday after.
        (US_BUSINESS, datetime(2026, 12, 23, 18, 30, tzinfo=NY), datetime(2026, 12, 28, 14, 0, tzinfo=UTC)),
        # Early morning: today.
        (US_BUSINESS, datetime(2026, 3, 3, 7, 15, tzinfo=NY), datetime(2026, 3, 3, 14, 0, tzinfo=UTC)),
        # Already open: now.
        (US_BUSINESS, datetime(2026, 3, 3, 11, 0, tzinfo=NY), datetime(2026, 3, 3, 16, 0, tzinfo=UTC)),
        (NIGHTS, datetime(2026, 3, 3, 12, 0, tzinfo=NY), datetime(2026, 3, 4, 3, 0, tzinfo=UTC)),
    ],
)
def test_next_opening(schedule: Schedule, now: datetime, opening_utc: datetime) -> None:
    opening = next_opening(schedule, now)
    assert opening == opening_utc
    assert opening.tzinfo == schedule.zone  # returned in the schedule's zone, local time readable
    assert is_open(schedule, opening)


def test_opening_stays_nine_local_across_dst() -> None:
    before = next_opening(US_BUSINESS, datetime(2026, 3, 6, 8, 0, tzinfo=NY))
    after = next_opening(US_BUSINESS, datetime(2026, 3, 9, 8, 0, tzinfo=NY))
    assert before.utcoffset() != after.utcoffset()
    assert before.hour == after.hour == 9
    assert before.astimezone(UTC).hour == 14 and after.astimezone(UTC).hour == 13


def test_next_closing() -> None:
    assert next_closing(US_BUSINESS, datetime(2026, 3, 2, 10, 0, tzinfo=NY)) == datetime(2026, 3, 2, 18, 0, tzinfo=NY)
    assert next_closing(US_BUSINESS, datetime(2026, 3, 2, 19, 0, tzinfo=NY)) is None


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_open(US_BUSINESS, datetime(2026, 3, 2, 10, 0))
    with pytest.raises(ValueError, match="aware"):
        next_opening(US_BUSINESS, datetime(2026, 3, 2, 10, 0))


def test_a_schedule_that_never_opens_says_so() -> None:
    with pytest.raises(ValueError, match="never opens"):
        next_opening(Schedule(weekly=tuple(() for _ in range(7))), datetime(2026, 3, 2, tzinfo=UTC))
