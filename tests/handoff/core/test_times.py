"""One ISO-8601 reader: Z and offsets kept, naive times as UTC, garbage refused (or None where data is lenient)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from handoff.core.times import parse_iso, parse_iso_or_none


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-06T22:00:00Z", datetime(2026, 3, 6, 22, tzinfo=UTC)),
    ("2026-03-06T22:00:00+01:00", datetime(2026, 3, 6, 22, tzinfo=timezone(timedelta(hours=1)))),
    ("2026-03-06T22:00:00", datetime(2026, 3, 6, 22, tzinfo=UTC)),
    (" 2026-03-06 ", datetime(2026, 3, 6, tzinfo=UTC)),
])
def test_parse_iso(text: str, expected: datetime) -> None:
    assert parse_iso(text) == expected and parse_iso(text).tzinfo is not None


@pytest.mark.parametrize("bad", ["", "yesterday", "2026-13-01", "06/03/2026"])
def test_parse_iso_refuses_what_is_not_a_time(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_iso(bad)
    assert parse_iso_or_none(bad) is None


def test_parse_iso_or_none_takes_anything() -> None:
    assert parse_iso_or_none(None) is None and parse_iso_or_none(1234) is None
    assert parse_iso_or_none("2026-03-06T22:00:00Z") == datetime(2026, 3, 6, 22, tzinfo=UTC)
