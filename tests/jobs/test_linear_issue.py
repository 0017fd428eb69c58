"""Bug reports end to end: a technical handoff files one Linear issue (quoted error, page, tier and MRR, the
handoff and ticket links), a second one with the same error adds a comment to it, the link reaches the handoff's
briefing, its ticket and its Slack thread, and a Linear that is down or rate limiting delays neither the ticket
nor the alert and loses no report.

Real connectors against the local fakes (Zendesk, Slack, Linear); the test drives the dispatcher and the clock.
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC
from typing import Any

import pytest
from sqlalchemy import select

from handoff.app.turns import TurnInput
from handoff.bootstrap import Runtime, build_runtime
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.models import Customer
from handoff.devtools.fakes.linear import FakeLinear
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import DeliveryRow
from tests.faults.conftest import FAULT_SETTINGS
from tests.faults.support import alerts_by_handoff, tickets_by_handoff, vendor_env

PAGE = "https://app.example.com/projects/48213/editor?draft=ana@example.com"
BROKEN = ("The editor crashes every time I press save, it shows `TypeError: Cannot read properties of undefined "
          "(reading 'blocks')` and my work is gone. I want to talk to a real person please.")


def linear_env(fake: FakeLinear) -> dict[str, str]:
    return {"LINEAR_API_KEY": fake.api_key, "LINEAR_API_URL": f"{fake.url}/graphql"}


def linear_settings(fake: FakeLinear) -> str:
    return (f'[linear]\nteam_id = "{fake.team_id}"\nlabel_ids = ["lbl-bug"]\nproduct_areas = ["*/editor"]\n'
            'timeout_seconds = 0.5\n')


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def runtime(make_config, fake_zendesk, fake_slack, fake_linear, fake_stripe, clock) -> Iterator[Runtime]:
    ana = fake_stripe.add_customer("ana@example.com", name="Ana Souza")
    fake_stripe.add_subscription(ana["id"], unit_amount=49_900)  # $499.00 a month: a "pro" account
    config = make_config(FAULT_SETTINGS + linear_settings(fake_linear), **vendor_env(fake_zendesk, fake_slack),
                         **linear_env(fake_linear), STRIPE_API_KEY=fake_stripe.api_key, STRIPE_API_BASE=fake_stripe.url)
    rt = build_runtime(config, clock=clock)
    rt.service.on_handoff = lambda _id: None  # the test drives the dispatcher itself
    rt.service.on_deliveries = lambda: None
    try:
        yield rt
    finally:
        rt.close()


async def say(rt: Runtime, cid: str, text: str = BROKEN, *, name: str = "Ana Souza",
              email: str = "ana@example.com") -> dict[str, Any]:
    answer: dict[str, Any] = await rt.service.post_message(cid, TurnInput(
        role="customer", text=text, message_id="m-1", page_url=PAGE,
        customer=Customer(email=email, name=name, language="en")))
    assert answer["decision"] == "handoff", answer
    return answer


async def drain(rt: Runtime, clock: Clock, rounds: int = 6) -> None:
    """Run the dispatcher until nothing is due, moving the clock past any backoff."""
    for _ in range(rounds):
        while await rt.dispatcher.run_due() > 0:
            pass
        clock.advance(120)


def reports(rt: Runtime) -> list[DeliveryRow]:
    with rt.sessions() as s:
        return list(s.scalars(select(DeliveryRow).where(DeliveryRow.kind == DeliveryKind.LINEAR_ISSUE)
                              .order_by(DeliveryRow.id)))


def thread_texts(fake_slack, handoff_id: str) -> list[str]:
    with fake_slack._lock:
        alert = next(m for m in fake_slack.messages if m["thread_ts"] is None
                     and ((m.get("metadata") or {}).get("event_payload") or {}).get("handoff_id") == handoff_id)
        return [m["text"] for m in fake_slack.messages if m["thread_ts"] == alert["ts"]]


def ticket_comments(fake_zendesk, handoff_id: str) -> list[str]:
    with fake_zendesk._lock:
        ticket = next(t for t in fake_zendesk.tickets.values() if t.get("external_id") == handoff_id)
        return [c["body"] for c in fake_zendesk.comments[ticket["id"]]]


async def test_a_technical_handoff_files_one_issue_with_the_facts_and_links(runtime, clock, fake_linear,
                                                                          fake_zendesk, fake_slack):
    hid = (await say(runtime, "c-bug-1"))["handoff_id"]
    await drain(runtime, clock)

    [issue] = fake_linear.issues.values()
    body = issue["description"]
    assert "> TypeError: Cannot read properties of undefined (reading 'blocks')" in body
    assert "`app.example.com/projects/:id/editor`" in body  # ids and the query (an e-mail here) dropped
    assert "- Account tier: pro" in body and "- MRR: $499.00" in body  # from Stripe
    assert f"/v1/handoffs/{hid}" in body and "- Zendesk ticket: http" in body  # the ticket went first
    assert "ana@example.com" not in body and "Ana" not in body  # no e-mail, no name unless the settings say so
    assert issue["label_ids"] == ["lbl-bug"] and issue["title"].startswith("TypeError: Cannot read")
    [row] = reports(runtime)
    assert (row.status, row.target, row.dedupe_key) == ("sent", "linear", f"{hid}:linear")

    briefing = runtime.service.get_handoff(hid)["briefing"]
    assert briefing["bug_report"] == {"tracker": "linear", "action": "created", "identifier": issue["identifier"],
                                      "url": issue["url"], "comment_url": None}
    note = f"Filed as {issue['identifier']} in Linear: {issue['url']}"
    assert any(note in c for c in ticket_comments(fake_zendesk, hid))
    assert any(note in t for t in thread_texts(fake_slack, hid))
    assert tickets_by_handoff(fake_zendesk)[hid] == 1 and alerts_by_handoff(fake_slack)[hid] == 1


async def test_a_second_similar_handoff_comments_on_the_same_issue(runtime, clock, fake_linear, fake_zendesk,
                                                                   fake_slack):
    await say(runtime, "c-bug-1")
    await drain(runtime, clock)
    # another customer, other words, the same error (its numbers may differ)
    other = ("Saving fails for me too: `TypeError: Cannot read properties of undefined (reading 'blocks')`. "
             "Can a human help?")
    hid = (await say(runtime, "c-bug-2", other, name="Bo", email="bo@example.com"))["handoff_id"]
    await drain(runtime, clock)

    assert fake_linear.created == 1 and fake_linear.commented == 1
    [issue] = fake_linear.issues.values()
    [comment] = issue["comments"]
    assert f"handoff-id:{hid}" in comment["body"] and "bo@example.com" not in comment["body"]
    briefing = runtime.service.get_handoff(hid)["briefing"]
    assert briefing["bug_report"]["action"] == "commented"
    assert briefing["bug_report"]["identifier"] == issue["identifier"]
    note = f"Added to the open bug {issue['identifier']} in Linear: {issue['url']}"
    assert any(note in c for c in ticket_comments(fake_zendesk, hid))
    assert any(note in t for t in thread_texts(fake_slack, hid))


async def test_a_billing_handoff_files_no_bug_report(runtime, clock, fake_linear):
    await say(runtime, "c-bill", "I was charged twice this month, can I talk to a real person?")
    await drain(runtime, clock)
    assert reports(runtime) == [] and fake_linear.requests == []


async def test_linear_down_delays_neither_the_ticket_nor_the_alert_and_the_report_is_retried(
        runtime, clock, fake_linear, fake_zendesk, fake_slack):
    fake_linear.fail_next(503, times=3)
    hid = (await say(runtime, "c-bug-1"))["handoff_id"]
    await runtime.dispatcher.run_due()
    assert tickets_by_handoff(fake_zendesk)[hid] == 1 and alerts_by_handoff(fake_slack)[hid] == 1
    [row] = reports(runtime)
    # the in-process retries share a wall-clock budget: on a loaded machine it runs out before the third 503,
    # and the report is rescheduled saying "timed out" instead; either way it waits, named, for its next turn
    assert row.status == "pending" and ("503" in row.last_error or row.last_error == "linear: timed out")
    assert row.next_attempt_at.replace(tzinfo=UTC) > clock()
    await drain(runtime, clock)
    assert fake_linear.created == 1 and reports(runtime)[0].status == "sent"


async def test_rate_limited_report_waits_for_the_reset(runtime, clock, fake_linear, fake_zendesk):
    fake_linear.rate_limit(times=2)  # the reset is a minute away: past the in-process cap, rescheduled
    hid = (await say(runtime, "c-bug-1"))["handoff_id"]
    await runtime.dispatcher.run_due()
    assert tickets_by_handoff(fake_zendesk)[hid] == 1
    [row] = reports(runtime)
    assert row.status == "pending" and "rate limited" in row.last_error
    await drain(runtime, clock)
    assert fake_linear.created == 1 and reports(runtime)[0].status == "sent"


async def test_a_lost_answer_never_files_twice(runtime, clock, fake_linear):
    fake_linear.lose_write_answers = 1  # Linear files the issue; its answer comes after the 0.5 s timeout
    fake_linear.stall_seconds = 1.0
    hid = (await say(runtime, "c-bug-1"))["handoff_id"]
    await drain(runtime, clock)
    assert fake_linear.created == 1 and len(fake_linear.issues) == 1 and fake_linear.commented == 0
    queries = [r.json["query"] for r in fake_linear.requests]
    assert sum("issueCreate" in q for q in queries) == 1 and sum("HandoffFindBug" in q for q in queries) >= 2
    [row] = reports(runtime)
    assert row.status == "sent" and row.result["action"] == "created"
    assert runtime.service.get_handoff(hid)["briefing"]["bug_report"]["identifier"] == "ENG-1"


async def test_a_wrong_key_gives_up_on_the_report_only(runtime, clock, fake_linear, fake_zendesk, fake_slack):
    fake_linear.api_key = "lin_api_rotated"
    hid = (await say(runtime, "c-bug-1"))["handoff_id"]
    await drain(runtime, clock)
    [row] = reports(runtime)
    assert row.status == "dead" and row.attempts == 1 and "LINEAR_API_KEY" in row.last_error
    assert tickets_by_handoff(fake_zendesk)[hid] == 1 and alerts_by_handoff(fake_slack)[hid] == 1


async def test_without_a_key_the_report_is_kept_in_the_local_outbox(make_config, fake_zendesk, fake_slack,
                                                                   fake_linear, clock, tmp_path):
    outbox = tmp_path / "outbox"
    config = make_config(FAULT_SETTINGS + linear_settings(fake_linear) + f'[service]\noutbox_dir = "{outbox}"\n',
                         **vendor_env(fake_zendesk, fake_slack))
    rt = build_runtime(config, clock=clock)
    rt.service.on_handoff = lambda _id: None
    rt.service.on_deliveries = lambda: None
    try:
        assert any("LINEAR_API_KEY is not set" in n for n in rt.notes)
        hid = (await say(rt, "c-bug-1"))["handoff_id"]
        await drain(rt, clock)
        [row] = reports(rt)
        assert (row.status, row.target) == ("sent", "local")
        kept = (outbox / "updates" / f"{hid}_linear.json").read_text(encoding="utf-8")
        assert "TypeError: Cannot read properties of undefined" in kept and "ana@example.com" not in kept
        assert fake_linear.requests == [] and "bug_report" not in rt.service.get_handoff(hid)["briefing"]
    finally:
        rt.close()


async def test_without_a_team_there_are_no_reports(make_config, fake_zendesk, fake_slack, fake_linear, clock):
    rt = build_runtime(make_config(FAULT_SETTINGS, **vendor_env(fake_zendesk, fake_slack), **linear_env(fake_linear)),
                       clock=clock)
    rt.service.on_handoff = lambda _id: None
    rt.service.on_deliveries = lambda: None
    try:
        assert any("[linear] team_id is not" in n for n in rt.notes)
        await say(rt, "c-bug-1")
        await drain(rt, clock)
        assert reports(rt) == [] and fake_linear.requests == []
    finally:
        rt.close()
