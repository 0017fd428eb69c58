"""The few errors the rest of the code sees from any outside system."""
from __future__ import annotations


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
