"""Business hours: weekly schedules in an IANA time zone, holidays, and the next opening."""
from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = {
    **{d: i for i, d in enumerate(WEEKDAYS)},
    **{d: i for i, d in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))},
    "tues": 1, "wed": 2, "thur": 3, "thurs": 3,
}
_DAY_GROUPS = {
    "weekdays": (0, 1, 2, 3, 4),
    "weekend": (5, 6),
    "weekends": (5, 6),
    "daily": tuple(range(7)),
    "everyday": tuple(range(7)),
}
_INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_DAY_MINUTES = 24 * 60
# How far ahead next_opening looks; a year covers any realistic run of holidays.
_HORIZON_DAYS = 400

Interval = tuple[int, int]  # minutes after local midnight; end > 1440 means it runs past midnight
WeeklyHours = tuple[tuple[Interval, ...], ...]  # index 0 = Monday
ALWAYS_OPEN: WeeklyHours = tuple(((0, _DAY_MINUTES),) for _ in range(7))


def parse_days(key: str) -> tuple[int, ...]:
    """Weekday numbers (0 = Monday) for `mon`, `monday`, `mon-fri`, `fri-mon`, `weekdays`, `weekends`, `daily`."""
    k = key.strip().lower()
    if k in _DAY_GROUPS:
        return _DAY_GROUPS[k]
    if k in _DAY_NAMES:
        return (_DAY_NAMES[k],)
    if "-" in k:
        first, _, last = k.partition("-")
        if first.strip() in _DAY_NAMES and last.strip() in _DAY_NAMES:
            a, b = _DAY_NAMES[first.strip()], _DAY_NAMES[last.strip()]
            # A range may wrap round the week end (fri-mon), as night and weekend rotas do.
            return tuple((a + i) % 7 for i in range((b - a) % 7 + 1))
    raise ValueError(
        f"unknown weekday {key!r}: use mon..sun, a range such as mon-fri, weekdays, weekends or daily"
    )


def parse_interval(text: str) -> Interval:
    """Minutes of one `HH:MM-HH:MM` span; an end at or before the start runs past midnight."""
    m = _INTERVAL.match(text)
    if not m:
        raise ValueError(f"bad hours {text!r}: expected HH:MM-HH:MM such as 09:00-18:00")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise ValueError(f"bad hours {text!r}: hours run 00-23 (24:00 only as an end), minutes 00-59")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if start == end:
        raise ValueError(f"bad hours {text!r}: start and end are equal (use 00:00-24:00 for all day)")
    if end < start:
        end += _DAY_MINUTES
    return start, end


def parse_hours(value: str | Sequence[str]) -> tuple[Interval, ...]:
    """The spans of one day: `"09:00-18:00"`, a list of such strings, `"closed"` or `"24h"`."""
    items = [value] if isinstance(value, str) else list(value)
    spans: list[Interval] = []
    for item in items:
        word = item.strip().lower()
        if word in ("closed", "off", ""):
            continue
        spans.append((0, _DAY_MINUTES) if word in ("24h", "all day", "all-day") else parse_interval(item))
    return tuple(sorted(spans))


def parse_weekly(mapping: Mapping[str, str | Sequence[str]]) -> WeeklyHours:
    """A week of spans from `{"mon-fri": "09:00-18:00", "sat": "10:00-14:00"}`; later keys replace earlier days."""
    week: list[tuple[Interval, ...]] = [() for _ in range(7)]
    for key, value in mapping.items():
        spans = parse_hours(value)
        for day in parse_days(key):
            week[day] = spans
    return tuple(week)


def load_zone(name: str) -> ZoneInfo:
    """The IANA zone `name`, or a ValueError that says it is unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}: use an IANA time zone name such as America/New_York") from exc


def check_calendar(country: str, subdivision: str | None = None) -> None:
    """Raise a ValueError if the holidays package has no calendar for this country/subdivision."""
    try:
        holidays_lib.country_holidays(country, subdiv=subdivision, years=2026)
    except (NotImplementedError, KeyError, ValueError) as exc:
        where = f"{country}/{subdivision}" if subdivision else country
        raise ValueError(f"no holiday calendar for {where!r}: {exc}") from exc


@lru_cache(maxsize=256)
def _public_holidays(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    # Building a calendar costs milliseconds; routing asks for the same year again and again.
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdivision, years=year).keys())


@dataclass(frozen=True)
class Schedule:
    """Opening hours: a weekly pattern in one time zone, minus holidays and closed dates."""

    timezone: str = "UTC"
    weekly: WeeklyHours = ALWAYS_OPEN
    country: str | None = None
    subdivision: str | None = None
    closed_dates: frozenset[date] = frozenset()
    open_dates: frozenset[date] = frozenset()  # country holidays the team works anyway

    @property
    def zone(self) -> ZoneInfo:
        """The schedule's time zone."""
        return ZoneInfo(self.timezone)

    @classmethod
    def always(cls, timezone_name: str = "UTC") -> "Schedule":
        """A schedule open around the clock, every day."""
        return cls(timezone=timezone_name)


def is_closed_date(schedule: Schedule, day: date) -> bool:
    """True if `day` (local) is an explicit closed date or a country holiday not listed in open_dates."""
    if day in schedule.closed_dates:
        return True
    if schedule.country and day not in schedule.open_dates:
        return day in _public_holidays(schedule.country, schedule.subdivision, day.year)
    return False


def _windows(schedule: Schedule, first: date) -> Iterator[tuple[datetime, datetime]]:
    """Open spans in UTC, in order, for the days starting at `first`; a span belongs to the day it starts on."""
    zone = schedule.zone
    for offset in range(_HORIZON_DAYS):
        day = first + timedelta(days=offset)
        if is_closed_date(schedule, day):
            continue
        midnight = datetime.combine(day, time())
        for start, end in schedule.weekly[day.weekday()]:
            # Wall-clock arithmetic on naive times, then localise: 09:00 stays 09:00 across DST.
            yield (
                (midnight + timedelta(minutes=start)).replace(tzinfo=zone).astimezone(timezone.utc),
                (midnight + timedelta(minutes=end)).replace(tzinfo=zone).astimezone(timezone.utc),
            )


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(timezone.utc)


def is_open(schedule: Schedule, now: datetime) -> bool:
    """True if the schedule is open at the aware instant `now`."""
    now_utc = _require_aware(now)
    local_day = now_utc.astimezone(schedule.zone).date()
    for start, end in _windows(schedule, local_day - timedelta(days=1)):
        if start > now_utc:
            return False
        if now_utc < end:
            return True
    return False


def next_opening(schedule: Schedule, now: datetime) -> datetime:
    """The earliest instant at or after `now` when the schedule is open, in the schedule's zone."""
    now_utc = _require_aware(now)
    local_day = now_utc.astimezone(schedule.zone).date()
    # Windows come sorted by start, so the first one still running or ahead is the answer.
    for start, end in _windows(schedule, local_day - timedelta(days=1)):
        if end > now_utc:
            return max(start, now_utc).astimezone(schedule.zone)
    raise ValueError(f"schedule never opens within {_HORIZON_DAYS} days of {now.isoformat()}")


def next_closing(schedule: Schedule, now: datetime) -> datetime | None:
    """When the span open at `now` ends (joined with spans that follow without a gap), or None if closed."""
    now_utc = _require_aware(now)
    local_day = now_utc.astimezone(schedule.zone).date()
    closing: datetime | None = None
    for start, end in _windows(schedule, local_day - timedelta(days=1)):
        if closing is None:
            if start > now_utc:
                return None
            if now_utc < end:
                closing = end
        elif start <= closing:
            closing = max(closing, end)
        else:
            break
    return closing.astimezone(schedule.zone) if closing else None
