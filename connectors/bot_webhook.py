"""The bot's webhook: each customer update POSTed as JSON, signed so the bot can tell it came from Handoff.

Headers: `X-Handoff-Timestamp` (Unix seconds) and `X-Handoff-Signature: v1=<hex HMAC-SHA256 of
"{timestamp}.{body}">`, keyed with HANDOFF_BOT_WEBHOOK_SECRET, in the style of Slack's `v0=` signatures that
the service itself verifies. A failure is an UpstreamError, so the outbox retries it with its usual backoff.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from connectors.errors import AuthFailed, RateLimited, Rejected, Unavailable, parse_retry_after

SIGNATURE_VERSION = "v1"
SOURCE = "bot_webhook"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Handoff-Signature` value of a body sent at `timestamp`."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(secret: str, timestamp: str | None, body: bytes, signature: str | None, *, now: float,
           tolerance_seconds: float = 300.0) -> bool:
    """Whether a request is genuine and fresh (what a bot does on its side; the tests use it too)."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature) and abs(now - int(timestamp)) <= tolerance_seconds


class BotWebhook:
    """POSTs signed JSON to the bot's webhook URL."""

    def __init__(self, url: str, secret: str, *, timeout_seconds: float = 5.0,
                 clock: Callable[[], float] = time.time, client: httpx.AsyncClient | None = None) -> None:
        self.url = url
        self._secret = secret
        self._timeout = timeout_seconds
        self._clock = clock
        self._client = client

    def __repr__(self) -> str:
        return f"BotWebhook(url={self.url!r}, secret=<set>)"

    async def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """Send one update; the answer's status, or an UpstreamError saying whether a retry may help."""
        raw = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
        timestamp = str(int(self._clock()))
        headers = {"Content-Type": "application/json", "X-Handoff-Timestamp": timestamp,
                   "X-Handoff-Signature": sign(self._secret, timestamp, raw)}
        try:
            if self._client is not None:
                response = await self._client.post(self.url, content=raw, headers=headers, timeout=self._timeout)
            else:
                async with httpx.AsyncClient(timeout=self._timeout) as client:
                    response = await client.post(self.url, content=raw, headers=headers)
        except httpx.HTTPError as e:
            raise Unavailable(SOURCE, f"request failed: {type(e).__name__}") from None
        status = response.status_code
        if 200 <= status < 300:
            return {"status": status}
        if status == 429:
            raise RateLimited(SOURCE, "HTTP 429", retry_after=parse_retry_after(response.headers.get("retry-after")))
        if status in (401, 403):
            raise AuthFailed(SOURCE, f"HTTP {status}: does the bot have the same HANDOFF_BOT_WEBHOOK_SECRET?")
        if status >= 500 or status in (408, 425):
            raise Unavailable(SOURCE, f"HTTP {status}", retry_after=parse_retry_after(response.headers.get("retry-after")))
        raise Rejected(SOURCE, f"HTTP {status}")
