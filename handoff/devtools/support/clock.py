"""A clock tests move by hand."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta


class Clock:
    """Callable returning a fixed, movable aware datetime."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # a Monday, 10:00 in New York

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 0, **kw: float) -> None:
        """Move forward."""
        self.now += timedelta(seconds=seconds, **kw)

    def set(self, when: datetime) -> None:
        """Jump to a time."""
        self.now = when
