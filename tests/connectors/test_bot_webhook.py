"""The bot webhook sender against a local receiving server: signed JSON, and each failure mapped for the outbox."""
from __future__ import annotations

import json
import threading
import time

import pytest

from connectors.bot_webhook import BotWebhook, sign, verify
from connectors.errors import AuthFailed, RateLimited, Rejected, Unavailable
from tests.waiting_support import Receiver

SECRET = "s3cret-for-the-bot"


def test_the_signature_is_an_hmac_of_timestamp_dot_body():
    import hashlib
    import hmac

    body = b'{"a":1}'
    expected = hmac.new(SECRET.encode(), b"1767225600." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, "1767225600", body) == f"v1={expected}"
    assert verify(SECRET, "1767225600", body, f"v1={expected}", now=1767225600 + 10)
    assert not verify(SECRET, "1767225600", b'{"a":2}', f"v1={expected}", now=1767225600)  # body changed
    assert not verify("other", "1767225600", body, f"v1={expected}", now=1767225600)  # another secret
    assert not verify(SECRET, "1767225600", body, f"v1={expected}", now=1767225600 + 301)  # stale
    assert not verify(SECRET, None, body, f"v1={expected}", now=1767225600)


async def test_an_update_is_posted_as_signed_json():
    with Receiver() as bot:
        sink = BotWebhook(bot.url, SECRET, clock=lambda: 1767225600.5)
        body = {"conversation_id": "c-1", "handoff_id": "h_1", "owner": "human", "status": "queued",
                "update": {"id": "h_1:waiting:1", "kind": "waiting", "text": "Você é o próximo da fila."}}
        assert await sink.post(body) == {"status": 200}
    [(headers, raw)] = bot.requests
    assert headers["content-type"] == "application/json" and headers["x-handoff-timestamp"] == "1767225600"
    assert verify(SECRET, headers["x-handoff-timestamp"], raw, headers["x-handoff-signature"], now=1767225601)
    assert json.loads(raw) == body
    assert SECRET not in repr(sink)


@pytest.mark.parametrize(("status", "error", "transient"), [
    (500, Unavailable, True), (503, Unavailable, True), (429, RateLimited, True), (401, AuthFailed, False),
    (403, AuthFailed, False), (400, Rejected, False), (404, Rejected, False),
])
async def test_failures_say_whether_a_retry_may_help(status, error, transient):
    with Receiver([status], headers={"Retry-After": "7"}) as bot:
        with pytest.raises(error) as caught:
            await BotWebhook(bot.url, SECRET).post({"update": {}})
    assert caught.value.transient is transient
    if status == 429:
        assert caught.value.retry_after == 7


async def test_a_bot_that_is_not_there_or_too_slow_is_unavailable():
    with Receiver() as bot:
        url = bot.url
    with pytest.raises(Unavailable):  # nothing listens any more
        await BotWebhook(url, SECRET, timeout_seconds=1).post({})
    hold = threading.Event()
    with Receiver(hold=hold) as slow:
        started = time.monotonic()
        with pytest.raises(Unavailable, match="Timeout"):
            await BotWebhook(slow.url, SECRET, timeout_seconds=0.3).post({})
        assert time.monotonic() - started < 5
