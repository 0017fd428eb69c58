"""The few errors the rest of the code sees from any outside system, and the Retry-After they may carry."""
from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any


class UpstreamError(Exception):
    """An outside system failed; `transient` says whether a retry may help."""

    transient: bool = True

    def __init__(self, source: str, reason: str, *, retry_after: float | None = None) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
        self.retry_after = retry_after


class RateLimited(UpstreamError):
    """429: try again after `retry_after` seconds."""


class Unavailable(UpstreamError):
    """Timeout, connection failure, 5xx or an answer that is not what the API promises."""


class AuthFailed(UpstreamError):
    """401/403: credentials missing or wrong; retrying will not help."""

    transient = False


class Rejected(UpstreamError):
    """4xx other than auth and rate limits: the request itself is wrong; retrying will not help."""

    transient = False


class NotFound(UpstreamError):
    """The object does not exist upstream."""

    transient = False


def parse_retry_after(value: Any, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    try:
        return max(float(text), 0.0)
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)
