"""What the customer writes after the handoff reaches the agent: once on the ticket as the requester's public
comment, once in the alert's Slack thread, in the order written, through retries and replays.

Real connectors against the local fakes; the test drives the dispatcher and the clock.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from handoff.app.turns import TurnInput
from handoff.bootstrap import Runtime, build_runtime
from handoff.core.models import Customer
from handoff.storage.tables import DeliveryRow, HandoffRow
from tests.faults.conftest import FAULT_SETTINGS
from tests.faults.support import alert_for, heal, stall_answers, vendor_env
from handoff.devtools.support.clock import Clock

ANA = Customer(email="ana@example.com", name="Ana Souza", language="en")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runtime(make_config, fake_zendesk, fake_slack, clock) -> Iterator[Runtime]:
    rt = build_runtime(make_config(FAULT_SETTINGS, **vendor_env(fake_zendesk, fake_slack)), clock=clock)
    rt.service.on_handoff = lambda _id: None  # the test drives the dispatcher itself
    rt.service.on_deliveries = lambda: None
    try:
        yield rt
    finally:
        rt.close()


async def say(rt: Runtime, text: str, message_id: str, role: str = "customer", cid: str = "c-after",
              **kw: Any) -> dict[str, Any]:
    return await rt.service.post_message(cid, TurnInput(role=role, text=text, message_id=message_id, customer=ANA), **kw)


async def drain(rt: Runtime, clock: Clock, rounds: int = 8) -> None:
    """Run the dispatcher until nothing is due, moving the clock past any backoff."""
    for _ in range(rounds):
        while await rt.dispatcher.run_due() > 0:
            pass
        clock.advance(120)


def customer_comments(fake_zendesk, ticket_id: int) -> list[dict[str, Any]]:
    requester = fake_zendesk.tickets[ticket_id]["requester_id"]
    return [c for c in fake_zendesk.comments[ticket_id] if c["author_id"] == requester]


def thread(fake_slack, alert: dict[str, Any]) -> list[str]:
    return [m["text"] for m in fake_slack.messages if m["thread_ts"] == alert["ts"] and m["ts"] != alert["ts"]]


def rows(rt: Runtime, kind: str) -> list[DeliveryRow]:
    with rt.sessions() as s:
        return list(s.scalars(select(DeliveryRow).where(DeliveryRow.kind == kind).order_by(DeliveryRow.id)))


async def test_later_messages_land_once_on_the_ticket_and_in_the_thread_in_order(runtime, clock, fake_zendesk, fake_slack):
    hid = (await say(runtime, "This is useless, I want to talk to a human right now", "m-1"))["handoff_id"]
    # all before anything is delivered: they must wait for the ticket and the alert, and keep their order
    later = await say(runtime, "Still nothing?? We have a client demo in one hour", "m-2")
    await say(runtime, "I have been waiting for you to connect.", "m-3", role="ai")
    await say(runtime, "My card 4242 4242 4242 4242 was charged twice", "m-4")
    assert later["decision"] == "handoff" and later["owner"] == "human"
    await drain(runtime, clock)

    with runtime.sessions() as s:
        ticket_id = s.get(HandoffRow, hid).zendesk_ticket_id
    comments = fake_zendesk.comments[ticket_id]
    assert comments[0]["public"] is False  # the briefing note first
    mine = customer_comments(fake_zendesk, ticket_id)
    assert len(mine) == 2 and mine[0]["body"] == "Still nothing?? We have a client demo in one hour"
    assert "4242 4242 4242 4242" not in mine[1]["body"] and "charged twice" in mine[1]["body"]  # masked
    assert all(c["public"] for c in mine)
    assert not any("waiting for you to connect" in c["body"] for c in comments)  # the AI's turn stays out

    alert = alert_for(fake_slack, hid)
    replies = thread(fake_slack, alert)
    forwarded = [t for t in replies if t.startswith("Customer:")]
    assert len(forwarded) == 2
    assert "client demo in one hour" in forwarded[0] and "charged twice" in forwarded[1]
    assert "4242 4242 4242 4242" not in forwarded[1]
    assert not any("waiting for you to connect" in t for t in replies)
    assert {d.status for d in rows(runtime, "zendesk_comment") + rows(runtime, "slack_reply")} == {"sent"}


async def test_a_later_message_does_not_overtake_one_that_failed(runtime, clock, fake_zendesk, fake_slack):
    hid = (await say(runtime, "This is useless, I want to talk to a human right now", "m-1"))["handoff_id"]
    await drain(runtime, clock, rounds=1)
    with runtime.sessions() as s:
        ticket_id = s.get(HandoffRow, hid).zendesk_ticket_id
    await say(runtime, "first", "m-2")
    await say(runtime, "second", "m-3")
    fake_zendesk.fail_next(503, times=2, path=f"/api/v2/tickets/{ticket_id}.json")  # both quick tries of "first"
    fake_slack.fail_with("service_unavailable", times=2)  # and of its Slack reply
    while await runtime.dispatcher.run_due() > 0:
        pass
    assert not any(c["body"] in ("first", "second") for c in fake_zendesk.comments[ticket_id])
    assert [t for t in thread(fake_slack, alert_for(fake_slack, hid)) if t.startswith("Customer:")] == []
    assert [d.status for d in rows(runtime, "zendesk_comment")] == ["pending", "pending"]

    await drain(runtime, clock)
    assert [c["body"] for c in customer_comments(fake_zendesk, ticket_id)][-2:] == ["first", "second"]
    assert [t for t in thread(fake_slack, alert_for(fake_slack, hid))] == ["Customer: first", "Customer: second"]


@pytest.mark.parametrize("quick_attempts", [1, 2], ids=["next-run", "in-process"])
async def test_a_lost_answer_is_retried_without_a_second_comment_or_reply(runtime, clock, fake_zendesk, fake_slack,
                                                                          quick_attempts):
    runtime.dispatcher.quick_attempts = quick_attempts  # 1: the retry is the dispatcher's next run
    hid = (await say(runtime, "This is useless, I want to talk to a human right now", "m-1"))["handoff_id"]
    await drain(runtime, clock, rounds=1)
    with runtime.sessions() as s:
        ticket_id = s.get(HandoffRow, hid).zendesk_ticket_id
    await say(runtime, "Still nothing?? We have a client demo in one hour", "m-2")
    # each vendor writes, then its answer comes too late: the dispatcher cannot know it landed
    stall_answers(fake_zendesk, 0.8, lambda http: http.command == "PUT")
    stall_answers(fake_slack, 0.8, lambda http: http.path.endswith("chat.postMessage"))
    while await runtime.dispatcher.run_due() > 0:
        pass
    if quick_attempts == 1:
        assert {d.status for d in rows(runtime, "zendesk_comment") + rows(runtime, "slack_reply")} == {"pending"}
    heal(fake_zendesk)
    heal(fake_slack)
    await drain(runtime, clock)

    assert [c["body"] for c in customer_comments(fake_zendesk, ticket_id)].count(
        "Still nothing?? We have a client demo in one hour") == 1
    assert len([t for t in thread(fake_slack, alert_for(fake_slack, hid)) if "client demo" in t]) == 1
    assert {d.status for d in rows(runtime, "zendesk_comment") + rows(runtime, "slack_reply")} == {"sent"}


async def test_a_replayed_message_id_is_forwarded_once(runtime, clock, fake_zendesk, fake_slack):
    hid = (await say(runtime, "This is useless, I want to talk to a human right now", "m-1"))["handoff_id"]
    first = await say(runtime, "Hello? Anyone?", "m-2")
    again = await say(runtime, "Hello? Anyone?", "m-2")
    assert again == first
    await drain(runtime, clock)
    with runtime.sessions() as s:
        ticket_id = s.get(HandoffRow, hid).zendesk_ticket_id
    assert [c["body"] for c in customer_comments(fake_zendesk, ticket_id)].count("Hello? Anyone?") == 1
    assert thread(fake_slack, alert_for(fake_slack, hid)) == ["Customer: Hello? Anyone?"]
    assert len(rows(runtime, "zendesk_comment")) == 1 and len(rows(runtime, "slack_reply")) == 1


async def test_a_message_from_the_handoffs_own_ticket_is_not_echoed_onto_it(runtime, clock, fake_zendesk, fake_slack):
    ticket = fake_zendesk.add_ticket(subject="Help", requester_email="ana@example.com",
                                     comments=("I want to talk to a human right now",))
    cid = f"zendesk-{ticket['id']}"
    answer = await say(runtime, "This is useless, I want to talk to a human right now", "zd-1", cid=cid,
                       zendesk_ticket_id=ticket["id"])
    await say(runtime, "Still nothing??", "zd-2", cid=cid, zendesk_ticket_id=ticket["id"])
    await drain(runtime, clock)
    assert rows(runtime, "zendesk_comment") == []
    assert [c["body"] for c in fake_zendesk.comments[ticket["id"]]].count("Still nothing??") == 0
    assert thread(fake_slack, alert_for(fake_slack, answer["handoff_id"])) == ["Customer: Still nothing??"]
