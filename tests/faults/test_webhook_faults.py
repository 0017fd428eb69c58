"""Zendesk webhooks repeated, retried, out of order, about unknown tickets, or arriving while Zendesk is
down: one handoff per ticket, nothing lost, the state ends right, and the log says why an event waited."""
from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from handoff.bootstrap import Runtime, build_runtime
from handoff.storage.tables import HandoffEventRow, HandoffRow, InboundEventRow
from handoff.core.formats.zendesk_events import sign
from jobs.inbound import ORPHAN_GRACE_SECONDS
from tests.faults.conftest import FAULT_SETTINGS
from tests.faults.support import alerts_by_handoff, heal, vendor_env

SECRET = "zd-signing-secret-fault-0123456789"
BOT_ID = 900001


@pytest.fixture
def hooks(make_config, fake_zendesk, fake_slack, clock) -> Iterator[Runtime]:
    """A runtime that accepts signed Zendesk webhooks and processes them in the background."""
    settings = FAULT_SETTINGS.replace("[zendesk]\n", f"[zendesk]\nbot_user_id = {BOT_ID}\n")
    rt = build_runtime(make_config(settings, ZENDESK_WEBHOOK_SECRET=SECRET, **vendor_env(fake_zendesk, fake_slack)),
                       clock=clock)
    try:
        yield rt
    finally:
        rt.close()


def headers(body: bytes, now: datetime, invocation: str) -> dict[str, str]:
    ts = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    return {"x-zendesk-webhook-signature": sign(SECRET, ts, body), "x-zendesk-webhook-signature-timestamp": ts,
            "x-zendesk-webhook-id": "01HWEBHOOK", "x-zendesk-webhook-invocation-id": invocation,
            "content-type": "application/json"}


def subscription(kind: str, ticket_id: int, event_id: str, event: dict) -> bytes:
    return json.dumps({
        "type": f"zen:event-type:ticket.{kind}", "id": event_id, "time": "2026-03-02T15:00:00Z",
        "subject": f"zen:ticket:{ticket_id}", "account_id": 22129848,
        "detail": {"id": str(ticket_id), "status": "OPEN", "actor_id": "424242"}, "event": event,
    }).encode()


def comment(ticket_id: int, event_id: str) -> bytes:
    return subscription("comment_added", ticket_id, event_id,
                        {"comment": {"id": "1", "body": "x", "is_public": True, "author": {"id": "1"}}})


def solved(ticket_id: int, event_id: str) -> bytes:
    return subscription("status_changed", ticket_id, event_id, {"current": "SOLVED", "previous": "OPEN"})


def assigned(ticket_id: int, event_id: str) -> bytes:
    return subscription("agent_assignment_changed", ticket_id, event_id, {"current": "777", "previous": None})


def trigger(ticket: dict) -> bytes:
    """The recommended trigger body, as Zendesk renders it for the requester's new comment."""
    req = str(ticket["requester_id"])
    return json.dumps({"ticket_id": str(ticket["id"]), "status": "Open", "requester_id": req, "assignee_id": "",
                       "current_user_id": req, "comment_author_id": req, "comment_public": "true",
                       "satisfaction_score": "Unoffered", "updated_at": "2026-03-02T15:00:00Z"}).encode()


async def post(rt: Runtime, clock, body: bytes, invocation: str) -> httpx.Response:
    """Deliver one webhook call and let the background processing (and the deliveries it queues) finish."""
    transport = httpx.ASGITransport(app=rt.app(jobs=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as c:
        r = await c.post("/webhooks/zendesk", content=body, headers=headers(body, clock(), invocation))
    await settle(rt)
    return r


async def settle(rt: Runtime) -> None:
    await rt.inbound.idle()
    await rt.dispatcher.idle()
    await rt.inbound.idle()


def bot_ticket(fake_zendesk) -> dict:
    return fake_zendesk.add_ticket(subject="Chat with Acme bot", requester_email="ana@example.com",
                                   comments=["My export fails and I want to talk to a human please"])


def rows(rt: Runtime, table):
    with rt.sessions() as s:
        return s.scalars(select(table)).all()


def assert_one_handoff_delivered(rt: Runtime, fake_zendesk, fake_slack, ticket_id: int) -> HandoffRow:
    [h] = rows(rt, HandoffRow)
    assert h.zendesk_ticket_id == ticket_id
    assert len(fake_zendesk.tickets) == 1  # the bot's own ticket got the note; no second ticket
    notes = [c for c in fake_zendesk.comments[ticket_id] if c["public"] is False]
    assert len(notes) == 1 and f"handoff-ref: {h.id}" in notes[0]["body"]
    assert alerts_by_handoff(fake_slack) == {h.id: 1}
    return h


REPEATS = {
    "same event id twice": lambda t: [(comment(t["id"], "e-1"), "inv-a", 202), (comment(t["id"], "e-1"), "inv-b", 200)],
    "same invocation retried": lambda t: [(trigger(t), "inv-1", 202), (trigger(t), "inv-1", 200)],
    "one comment through two webhooks": lambda t: [(comment(t["id"], "e-1"), "inv-a", 202), (trigger(t), "inv-2", 202)],
    "event id repeated after processing": lambda t: [(comment(t["id"], "e-1"), "inv-a", 202),
                                                     (comment(t["id"], "e-2"), "inv-b", 202),
                                                     (comment(t["id"], "e-1"), "inv-c", 200)],
}


@pytest.mark.parametrize("case", list(REPEATS))
async def test_repeated_webhooks_make_one_handoff(hooks, clock, fake_zendesk, fake_slack, case):
    ticket = bot_ticket(fake_zendesk)
    for body, invocation, status in REPEATS[case](ticket):
        r = await post(hooks, clock, body, invocation)
        assert r.status_code == status, r.text
    assert_one_handoff_delivered(hooks, fake_zendesk, fake_slack, ticket["id"])
    assert {e.status for e in rows(hooks, InboundEventRow)} == {"done"}


async def test_solved_before_the_comment_that_hands_off_waits_for_the_handoff(hooks, clock, fake_zendesk, fake_slack):
    ticket = bot_ticket(fake_zendesk)
    with capture_logs() as logs:
        assert (await post(hooks, clock, solved(ticket["id"], "e-solved"), "inv-1")).status_code == 202
    [early] = rows(hooks, InboundEventRow)
    assert early.status == "pending" and rows(hooks, HandoffRow) == []  # waiting, not dropped, not failed
    assert any(e["event"] == "webhook event waits for its handoff" and e["ticket_id"] == ticket["id"] for e in logs)

    assert (await post(hooks, clock, comment(ticket["id"], "e-comment"), "inv-2")).status_code == 202
    h = assert_one_handoff_delivered(hooks, fake_zendesk, fake_slack, ticket["id"])
    assert h.status == "open"

    clock.advance(60)
    await hooks.inbound.run_due()
    await settle(hooks)
    with hooks.sessions() as s:
        h = s.get(HandoffRow, h.id)
        kinds = s.scalars(select(HandoffEventRow.kind).where(HandoffEventRow.handoff_id == h.id)).all()
    assert h.status == "released" and h.solved_at is not None  # a solved ticket hands back to the AI
    assert kinds.count("solved") == 1 and kinds.count("released") == 1
    assert {e.status for e in rows(hooks, InboundEventRow)} == {"done"}
    assert_one_handoff_delivered(hooks, fake_zendesk, fake_slack, ticket["id"])

    # the same "solved" delivered again later changes nothing
    assert (await post(hooks, clock, solved(ticket["id"], "e-solved-again"), "inv-3")).status_code == 202
    with hooks.sessions() as s:
        kinds = s.scalars(select(HandoffEventRow.kind).where(HandoffEventRow.handoff_id == h.id)).all()
    assert kinds.count("solved") == 1 and kinds.count("released") == 1


@pytest.mark.parametrize("make_event", [assigned, solved], ids=["assignment", "solved"])
async def test_event_for_an_unknown_ticket_waits_then_is_let_go(hooks, clock, fake_zendesk, make_event):
    with capture_logs() as logs:
        assert (await post(hooks, clock, make_event(987654, "e-1"), "inv-1")).status_code == 202
        [event] = rows(hooks, InboundEventRow)
        assert event.status == "pending"
        looks = 0
        while event.status == "pending":  # each look is rescheduled with backoff until the grace ends
            looks += 1
            assert looks <= ORPHAN_GRACE_SECONDS / 60 + 2, "the event kept waiting past the grace period"
            clock.advance(61)
            await hooks.inbound.run_due()
            [event] = rows(hooks, InboundEventRow)
    assert event.status == "done" and event.last_error is None
    assert rows(hooks, HandoffRow) == [] and rows(hooks, HandoffEventRow) == []
    assert fake_zendesk.tickets == {}
    waited = [e for e in logs if e["event"] == "webhook event waits for its handoff"]
    assert len(waited) >= 2
    assert any(e["event"] == "webhook event about a ticket without a handoff; nothing to record" and
               e["ticket_id"] == 987654 for e in logs)


async def test_comment_while_zendesk_is_down_is_retried_into_one_handoff(hooks, clock, fake_zendesk, fake_slack):
    ticket = bot_ticket(fake_zendesk)
    fake_zendesk.fail_next(503, times=10_000)
    with capture_logs() as logs:
        assert (await post(hooks, clock, comment(ticket["id"], "e-1"), "inv-1")).status_code == 202
    [event] = rows(hooks, InboundEventRow)
    assert event.status == "pending" and "503" in event.last_error
    assert any(e["event"] == "webhook event failed; will retry" and "503" in e["error"] for e in logs)
    assert rows(hooks, HandoffRow) == []

    heal(fake_zendesk)
    clock.advance(60)
    await hooks.inbound.run_due()
    await settle(hooks)
    assert_one_handoff_delivered(hooks, fake_zendesk, fake_slack, ticket["id"])
    assert {e.status for e in rows(hooks, InboundEventRow)} == {"done"}
