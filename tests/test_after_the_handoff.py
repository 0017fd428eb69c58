"""After the decision, end to end with real processes: a `handoff serve` (API, Slack app and every job) against
the local fake Zendesk and Slack and a bot webhook receiver. One conversation is followed from the handoff
through the updates while it waits, a re-offer when the first agent does not pick up, the claim in Slack and
the warm introduction, later customer messages on the ticket and in the thread (once each), the hand-back,
and the AI answering again."""
from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest

from connectors.bot_webhook import verify
from handoff.devtools.support.processes import free_port, start_process, stop_process, wait_healthy, wait_until
from tests.faults.support import vendor_env
from tests.handoff.edge.slack.support import action_body, sign
from tests.waiting_support import Receiver

API_KEY = "after-the-handoff-key-0123"
BOT_SECRET = "bot-webhook-secret-0123456789"
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CHANNEL = "C0SUPPORT1"
DEADLINE = 30.0

SETTINGS = f"""
[zendesk]
subdomain = "acme"
[slack]
default_channel = "{CHANNEL}"
[delivery]
poll_seconds = 0.3
backoff_initial_seconds = 0.5
[jobs]
reoffer_check_seconds = 0.3
[waiting]
min_expected_wait_seconds = 0
update_every_seconds = 1
alternatives = false
check_seconds = 0.3
[bot]
webhook_url = "{{webhook}}"
[routing]
default_team = "billing"
claim_timeout_seconds = 2

[[routing.teams]]
name = "billing"
label = "billing"

[[routing.agents]]
id = "sam"
name = "Sam Rivera"
teams = ["billing"]
slack_user_id = "U0SAM"
zendesk_user_id = 9001

[[routing.agents]]
id = "lee"
name = "Lee Chen"
teams = ["billing"]
slack_user_id = "U0LEE"
zendesk_user_id = 9002
"""


@pytest.fixture
def bot():
    with Receiver() as receiver:
        yield receiver


@pytest.fixture
def server(tmp_path: Path, database_url: str, fake_zendesk, fake_slack, bot):
    port = free_port()
    settings = tmp_path / "settings.toml"
    settings.write_text(SETTINGS.replace("{webhook}", bot.url)
                        + f'\n[service]\noutbox_dir = "{(tmp_path / "outbox").as_posix()}"\n', encoding="utf-8")
    env = {**vendor_env(fake_zendesk, fake_slack), "DATABASE_URL": database_url, "HANDOFF_SETTINGS": str(settings),
           "HANDOFF_API_KEYS": API_KEY, "HANDOFF_BOT_WEBHOOK_SECRET": BOT_SECRET, "SLACK_SIGNING_SECRET": SLACK_SECRET}
    log = tmp_path / "server.log"
    proc = start_process(["serve", "--host", "127.0.0.1", "--port", str(port)], env, tmp_path, log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base, proc, log)
        yield base
    finally:
        stop_process(proc)


def bot_updates(bot: Receiver) -> list[dict]:
    """The updates the bot received, each checked as the README tells a bot to check it."""
    out = []
    for headers, body in list(bot.requests):
        assert verify(BOT_SECRET, headers.get("x-handoff-timestamp"), body, headers.get("x-handoff-signature"),
                      now=time.time()), "an unsigned or badly signed update"
        out.append(json.loads(body))
    return out


def thread_texts(fake_slack, ts: str) -> list[str]:
    return [m["text"] for m in fake_slack.messages if m.get("thread_ts") == ts and m["ts"] != ts]


def test_a_conversation_from_the_handoff_back_to_the_ai(server, fake_zendesk, fake_slack, bot):
    base = server
    headers = {"Authorization": f"Bearer {API_KEY}"}
    http = httpx.Client(base_url=base, headers=headers, timeout=10)
    customer = {"email": "ana@example.com", "name": "Ana Silva", "language": "en"}

    def say(text: str, message_id: str, role: str = "customer", **extra) -> dict:
        body = {"role": role, "text": text, "message_id": message_id, **extra}
        return http.post("/v1/conversations/conv-after/messages", json=body).raise_for_status().json()

    say("I want a refund on invoice INV-7731", "m1", customer=customer)
    say("That invoice is within the return window.", "m2", role="ai", confidence=0.9)
    handed = say("I want to talk to a real person", "m3")
    assert handed["decision"] == "handoff" and handed["owner"] == "human"
    hid = handed["handoff_id"]
    first = handed["agent"]
    assert first in ("Sam Rivera", "Lee Chen") and handed["status"] == "assigned"

    # the ticket and the alert
    ticket = wait_until(lambda: next((t for t in fake_zendesk.tickets.values() if t["external_id"] == hid), None),
                        DEADLINE, "the Zendesk ticket")
    alert = wait_until(lambda: next((m for m in fake_slack.messages if hid in json.dumps(m.get("blocks") or [])
                                     and m.get("thread_ts") is None), None), DEADLINE, "the Slack alert")

    # while it waits: updates, in GET /v1/conversations/{id} and signed to the bot
    waiting = wait_until(lambda: [u for u in bot_updates(bot) if u["update"]["kind"] == "waiting"], DEADLINE,
                         "a waiting update at the bot")
    assert waiting[0]["handoff_id"] == hid and waiting[0]["owner"] == "human"
    view = http.get("/v1/conversations/conv-after").json()
    assert view["owner"] == "human" and view["update"]["kind"] == "waiting" and view["update"]["text"]

    # nobody picks up within the claim timeout: offered to the other agent, nudged in Slack, ticket reassigned
    second = "Lee Chen" if first == "Sam Rivera" else "Sam Rivera"
    second_slack, second_zendesk = ("U0LEE", 9002) if second == "Lee Chen" else ("U0SAM", 9001)
    wait_until(lambda: http.get("/v1/conversations/conv-after").json()["agent"] == second, DEADLINE,
               "the re-offer to the other agent")
    wait_until(lambda: any(f"<@{second_slack}>" in t for t in thread_texts(fake_slack, alert["ts"])), DEADLINE,
               "the Slack nudge naming the new agent")
    wait_until(lambda: fake_zendesk.tickets[ticket["id"]].get("assignee_id") == second_zendesk, DEADLINE,
               "the ticket reassigned")

    # the second agent claims in Slack: the customer hears who is coming, in the guides' warm words
    body = action_body(fake_slack, "handoff_claim", user=second_slack, value=hid)
    claimed = httpx.post(f"{base}/slack/events", content=body.encode(), timeout=10,
                         headers={"Content-Type": "application/x-www-form-urlencoded", **sign(body, secret=SLACK_SECRET)})
    assert claimed.status_code == 200
    intro = wait_until(lambda: next((u for u in bot_updates(bot) if u["update"]["kind"] == "warm_intro"), None),
                       DEADLINE, "the warm introduction at the bot")
    assert second.split()[0] in intro["update"]["text"] and "Ana" in intro["update"]["text"]
    assert http.get("/v1/conversations/conv-after").json()["status"] == "claimed"

    # later messages reach the agent, once each and in order: a public comment, a reply in the thread
    for i, text in enumerate(["Still nothing?? We have a client demo in one hour", "It is invoice INV-7731"]):
        answer = say(text, f"m{4 + i}")
        assert answer["owner"] == "human" and answer["handoff_id"] == hid  # the bot stays quiet
    say("It is invoice INV-7731", "m5")  # the bot retried a turn: it must not reach the agent twice

    def comments() -> list[str]:
        return [c["body"] for c in fake_zendesk.comments[ticket["id"]] if c["public"]]

    wait_until(lambda: len(comments()) >= 2, DEADLINE, "the customer's comments on the ticket")
    wait_until(lambda: sum("INV-7731" in t and t.startswith("Customer:") for t in thread_texts(fake_slack, alert["ts"]))
               >= 1, DEADLINE, "the customer's replies in the thread")
    wait_until(lambda: all(d["status"] == "sent" for d in http.get(f"/v1/handoffs/{hid}").json()["deliveries"]
                           if d["kind"] in ("zendesk_comment", "slack_reply")), DEADLINE, "the forwarded messages sent")
    shown = http.get(f"/v1/handoffs/{hid}").json()["deliveries"]
    assert sum(d["kind"] == "zendesk_comment" for d in shown) == 2 and sum(d["kind"] == "slack_reply" for d in shown) == 2
    assert comments() == ["Still nothing?? We have a client demo in one hour", "It is invoice INV-7731"]
    replies = [t for t in thread_texts(fake_slack, alert["ts"]) if t.startswith("Customer:")]
    assert replies == ["Customer: Still nothing?? We have a client demo in one hour", "Customer: It is invoice INV-7731"]

    # handed back: the AI answers again, and what was said before does not trigger again
    released = http.post(f"/v1/handoffs/{hid}/release", json={"reason": "refund approved"})
    assert released.status_code == 200 and released.json()["owner"] == "ai"
    assert http.post(f"/v1/handoffs/{hid}/release", json={}).status_code == 409
    again = say("Thanks! How do I download the credit note?", "m6")
    assert again["decision"] == "continue" and again["owner"] == "ai"
    view = http.get("/v1/conversations/conv-after").json()
    assert (view["owner"], view["status"], view["handoff_id"]) == ("ai", "released", hid)
