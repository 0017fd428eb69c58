"""Zendesk's webhook signature: base64(HMAC-SHA256(secret, timestamp + body)), checked before the age."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timezone

from handoff.core.formats.zendesk_events.model import WebhookRejected

def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's signature: base64(HMAC-SHA256(secret, timestamp + body))."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_timestamp(value: str) -> datetime | None:
    """An ISO-8601 time (UTC when it names no zone), or None when it is not one."""
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def verify_signature(
    secret: str,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    *,
    now: datetime,
    tolerance_seconds: float = 300,
) -> None:
    """Accept a correctly signed, fresh request; raise WebhookRejected(401) otherwise.

    The HMAC is checked before the age, so "stale" is only ever said of a genuine but old request
    (a replay or a long-delayed retry).
    """
    if not secret:
        raise WebhookRejected(401, "webhook secret not configured")
    if not timestamp or not signature:
        raise WebhookRejected(401, "missing signature headers")
    sent_at = parse_timestamp(timestamp)
    if sent_at is None:
        raise WebhookRejected(401, "signature timestamp is not ISO-8601")
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookRejected(401, "signature is not base64") from None
    expected = base64.b64decode(sign(secret, timestamp, body))
    if not hmac.compare_digest(given, expected):
        raise WebhookRejected(401, "signature mismatch")
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    if abs((now - sent_at).total_seconds()) > tolerance_seconds:
        raise WebhookRejected(401, "stale signature timestamp")
