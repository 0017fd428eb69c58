"""POST /webhooks/zendesk: signed calls accepted fast and processed durably; the whole webhook flow."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from handoff.bootstrap import build_runtime
from handoff.storage.tables import HandoffRow, InboundEventRow

SECRET = "zd-signing-secret-0123456789"
BOT_ID = 900001


def signed(body: bytes, *, secret: str = SECRET, at: datetime | None = None, invocation: str = "inv-1") -> dict[str, str]:
    """Headers exactly as Zendesk builds them: base64(HMAC-SHA256(secret, timestamp + body))."""
    ts = (at or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = base64.b64encode(hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    return {"x-zendesk-webhook-signature": sig, "x-zendesk-webhook-signature-timestamp": ts,
            "x-zendesk-webhook-id": "01HWEBHOOK", "x-zendesk-webhook-invocation-id": invocation,
            "x-zendesk-account-id": "22129848", "content-type": "application/json"}


def comment_event(ticket_id: int, event_id: str = "evt-1") -> bytes:
    return json.dumps({
        "type": "zen:event-type:ticket.comment_added", "id": event_id, "time": "2026-03-02T10:00:00Z",
        "subject": f"zen:ticket:{ticket_id}", "account_id": 22129848,
        "detail": {"id": str(ticket_id), "status": "OPEN"},
        "event": {"comment": {"id": "1", "body": "x", "is_public": True, "author": {"id": "1"}}},
    }).encode()


@pytest.fixture
def runtime(make_config, fake_zendesk, fake_slack):
    config = make_config(
        f"[zendesk]\nsubdomain = 'acme'\nbot_user_id = {BOT_ID}\n[slack]\ndefault_channel = 'C0HANDOFF'\n",
        ZENDESK_WEBHOOK_SECRET=SECRET, ZENDESK_EMAIL=fake_zendesk.email, ZENDESK_API_TOKEN=fake_zendesk.token,
        ZENDESK_URL=fake_zendesk.url, SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.api_url,
    )
    rt = build_runtime(config)
    yield rt
    rt.close()


def client(rt):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False)), base_url="http://handoff.test")


def count(rt, table):
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(table))


@pytest.mark.parametrize(
    ("mutate", "status", "error"),
    [
        (lambda b, h: (b, {**h, "x-zendesk-webhook-signature": "AAAA"}), 401, "signature"),
        (lambda b, h: (b + b" ", h), 401, "signature"),  # body changed after signing
        (lambda b, h: (json.dumps(json.loads(b), indent=2).encode(), h), 401, "signature"),  # re-serialised
        (lambda b, h: (b, {k: v for k, v in h.items() if k != "x-zendesk-webhook-signature"}), 401, "signature"),
        (lambda b, h: (b, signed(b, at=datetime.now(UTC) - timedelta(hours=1))), 401, "stale"),
        (lambda b, h: (b, signed(b, secret="another-secret")), 401, "signature"),
        (lambda b, h: (b"{not json", signed(b"{not json")), 400, "JSON"),
        (lambda b, h: (b'{"hello": 1}', signed(b'{"hello": 1}')), 422, "ticket"),
    ],
)
async def test_refused_calls_store_nothing(runtime, mutate, status, error):
    body, headers = mutate(comment_event(5), signed(comment_event(5)))
    async with client(runtime) as c:
        r = await c.post("/webhooks/zendesk", content=body, headers=headers)
    assert r.status_code == status
    assert error.lower() in r.json()["error"].lower()
    assert count(runtime, InboundEventRow) == 0


async def test_without_a_secret_every_call_is_refused(make_config):
    rt = build_runtime(make_config())
    try:
        body = comment_event(5)
        async with client(rt) as c:
            r = await c.post("/webhooks/zendesk", content=body, headers=signed(body))
        assert r.status_code == 503 and "ZENDESK_WEBHOOK_SECRET" in r.json()["error"]
    finally:
        rt.close()


async def test_repeats_of_one_event_are_stored_once(runtime):
    body = comment_event(5, "evt-same")
    async with client(runtime) as c:
        first = await c.post("/webhooks/zendesk", content=body, headers=signed(body, invocation="a"))
        again = await c.post("/webhooks/zendesk", content=body, headers=signed(body, invocation="b"))
    assert first.status_code == 202 and first.json()["status"] == "accepted"
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert count(runtime, InboundEventRow) == 1


async def test_customer_comment_on_bot_ticket_hands_off_into_that_ticket(runtime, fake_zendesk, fake_slack):
    ticket = fake_zendesk.add_ticket(subject="Chat with Acme bot", requester_email="ana@example.com",
                                     comments=["my invoice export fails"])
    tid = ticket["id"]
    fake_zendesk.comments[tid].append({**fake_zendesk.comments[tid][0], "id": 7001, "author_id": BOT_ID,
                                       "body": "Try Settings > Export again.", "plain_body": "Try Settings > Export again."})
    fake_zendesk.comments[tid].append({**fake_zendesk.comments[tid][0], "id": 7002,
                                       "body": "that didn't work, let me talk to a human please",
                                       "plain_body": "that didn't work, let me talk to a human please"})
    async with client(runtime) as c:
        for i, event_id in enumerate(("e-1", "e-2", "e-1")):  # a repeat among them
            body = comment_event(tid, event_id)
            await c.post("/webhooks/zendesk", content=body, headers=signed(body, invocation=f"i{i}"))
    await runtime.inbound.idle()
    await runtime.dispatcher.idle()

    with runtime.sessions() as s:
        handoffs = s.scalars(select(HandoffRow)).all()
        events = s.scalars(select(InboundEventRow)).all()
    assert len(handoffs) == 1 and handoffs[0].zendesk_ticket_id == tid
    assert {e.status for e in events} == {"done"} and len(events) == 2
    assert len(fake_zendesk.tickets) == 1  # the bot's ticket was updated, no new ticket
    updated = fake_zendesk.tickets[tid]
    assert "handoff" in updated["tags"]
    notes = [c for c in fake_zendesk.comments[tid] if c["public"] is False]
    assert len(notes) == 1 and "talk to a human" in notes[0]["body"]
    alerts = [m for m in fake_slack.messages if m["channel"] == "C0HANDOFF"]
    assert len(alerts) == 1


async def test_solved_event_closes_the_handoff_and_updates_the_alert(runtime, fake_zendesk, fake_slack):
    ticket = fake_zendesk.add_ticket(subject="Chat", requester_email="ana@example.com",
                                     comments=["I want to speak to a manager"])
    tid = ticket["id"]
    async with client(runtime) as c:
        body = comment_event(tid, "c-1")
        await c.post("/webhooks/zendesk", content=body, headers=signed(body))
        await runtime.inbound.idle()
        await runtime.dispatcher.idle()
        solved = json.dumps({"type": "zen:event-type:ticket.status_changed", "id": "s-1",
                             "time": "2026-03-02T11:00:00Z", "subject": f"zen:ticket:{tid}",
                             "detail": {"id": str(tid), "status": "SOLVED"},
                             "event": {"current": "SOLVED", "previous": "OPEN"}}).encode()
        r = await c.post("/webhooks/zendesk", content=solved, headers=signed(solved, invocation="s"))
    assert r.status_code == 202
    await runtime.inbound.idle()
    await runtime.dispatcher.idle()
    with runtime.sessions() as s:
        h = s.scalars(select(HandoffRow)).one()
    # the conversation is back with the AI, as after a release; the solved time stays for the metrics
    assert h.status == "released" and h.released_via == "zendesk_solved" and h.solved_at is not None
    assert runtime.service.conversation(h.conversation_id)["owner"] == "ai"
    assert fake_slack.calls_to("chat.update")  # the alert changed in place
