"""Reading ISO-8601 times, the one way: a trailing Z allowed, a time without an offset taken as UTC."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_iso(text: str) -> datetime:
    """An aware datetime from ISO-8601 text; ValueError when it is not one."""
    parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # no offset given: UTC


def parse_iso_or_none(value: Any) -> datetime | None:
    """`parse_iso` for data from outside that may be missing or malformed: None instead of an error."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None
