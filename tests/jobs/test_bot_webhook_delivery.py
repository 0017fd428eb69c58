"""Customer updates reach the bot's webhook through the outbox: signed, retried with backoff, never in a turn's way."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest
from sqlalchemy import select

from connectors.bot_webhook import verify
from handoff.app.turns import TurnInput
from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import DeliveryRow
from tests.waiting_support import SETTINGS, Receiver, queued_handoff

SECRET = "bot-secret-0123456789"


def bot_runtime(make_config, url, **env):
    settings = SETTINGS + f'\n[bot]\nwebhook_url = "{url}"\ntimeout_seconds = 1\n'
    return build_runtime(make_config(settings, **env), clock=Clock())


def bot_rows(rt):
    with rt.sessions() as s:
        return s.scalars(select(DeliveryRow).where(DeliveryRow.kind == "bot_webhook").order_by(DeliveryRow.id)).all()


async def test_an_update_reaches_the_bot_signed(make_config):
    with Receiver() as bot:
        rt = bot_runtime(make_config, bot.url, HANDOFF_BOT_WEBHOOK_SECRET=SECRET)
        try:
            assert rt.targets["bot"] == "bot"
            hid = (await queued_handoff(rt, "c-1"))["handoff_id"]
            rt.clock.advance(75)
            [key] = await rt.run_waiting_updates()
            await rt.dispatcher.idle()
            [row] = bot_rows(rt)
        finally:
            rt.close()
    assert row.status == "sent" and row.target == "bot"
    [(headers, raw)] = bot.requests
    assert verify(SECRET, headers["x-handoff-timestamp"], raw, headers["x-handoff-signature"], now=time.time())
    import json

    body = json.loads(raw)
    assert (body["conversation_id"], body["handoff_id"], body["owner"], body["status"]) == ("c-1", hid, "human", "queued")
    assert body["update"]["id"] == key and body["update"]["text"].startswith("You're next in line.")


async def test_a_failing_bot_is_retried_with_backoff_until_it_answers(make_config):
    with Receiver([503, 503]) as bot:  # both quick in-process attempts fail
        rt = bot_runtime(make_config, bot.url, HANDOFF_BOT_WEBHOOK_SECRET=SECRET)
        try:
            await queued_handoff(rt, "c-1")
            rt.clock.advance(75)
            await rt.run_waiting_updates()
            await rt.dispatcher.idle()
            [row] = bot_rows(rt)
            assert row.status == "pending" and row.attempts == 1 and row.next_attempt_at > rt.clock()
            assert "503" in (row.last_error or "")
            assert await rt.dispatcher.run_due() == 0  # not before its backoff
            rt.clock.set(row.next_attempt_at)
            assert await rt.dispatcher.run_due() == 1
            [row] = bot_rows(rt)
        finally:
            rt.close()
    assert row.status == "sent" and len(bot.requests) == 3


async def test_a_hanging_bot_never_delays_a_turn(make_config):
    hold = threading.Event()
    with Receiver(hold=hold) as bot:
        rt = bot_runtime(make_config, bot.url, HANDOFF_BOT_WEBHOOK_SECRET=SECRET)
        try:
            hid = (await queued_handoff(rt, "c-1"))["handoff_id"]
            await rt.operations.set_available("sam", True)
            assert (await rt.operations.claim(hid, "sam"))["ok"]  # queues the warm intro and wakes the outbox
            deadline = time.monotonic() + 10
            while not bot.requests and time.monotonic() < deadline:
                await asyncio.sleep(0.01)  # the intro's POST is now held open by the bot
            assert bot.requests
            started = time.monotonic()
            answer = await rt.service.post_message("c-1", TurnInput(role="customer", text="Hello? Anyone?"))
            assert time.monotonic() - started < 0.5  # the bot's timeout is 1 s: the turn did not wait on it
            assert answer["status"] == "claimed"
            hold.set()
            await rt.dispatcher.idle()
        finally:
            rt.close()


def test_without_its_secret_the_webhook_is_not_called_unsigned(make_config):
    rt = bot_runtime(make_config, "https://bot.example.com/hooks")
    try:
        assert rt.targets["bot"] == "local"
        assert any("HANDOFF_BOT_WEBHOOK_SECRET" in n for n in rt.notes)
    finally:
        rt.close()


@pytest.mark.parametrize("url", ["ftp://bot.example.com", "bot.example.com/hooks", "https://"])
def test_a_webhook_url_must_be_http(make_config, url):
    from handoff.settings import SettingsError

    with pytest.raises(SettingsError, match="webhook_url"):
        bot_runtime(make_config, url)
