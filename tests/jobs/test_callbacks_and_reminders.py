"""Off-hours callbacks fire once at the team's opening; unclaimed handoffs get one SLA reminder."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handoff.bootstrap import build_runtime
from handoff.app.turns import TurnInput
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow
from jobs.callbacks import fire_due_callbacks
from jobs.reminders import remind_unclaimed
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings

SATURDAY = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)  # 10:00 in New York, team closed
MONDAY_OPENING = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT: US clocks moved on Sunday


@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock(SATURDAY))
    yield rt
    rt.close()


def run_callbacks(rt):
    return fire_due_callbacks(rt.sessions, rt.config.settings, rt.clock, rt.targets)


def kinds(rt, hid):
    with rt.sessions() as s:
        return sorted(d.dedupe_key.split(":", 1)[1] for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid)))


async def test_weekend_handoff_is_called_back_at_monday_opening_once(runtime):
    result = await runtime.service.post_message(
        "c-weekend", TurnInput(role="customer", text="I want to speak to a real person about my account"))
    assert result["decision"] == "handoff"
    assert result["callback_at"] is not None
    assert datetime.fromisoformat(result["callback_at"]).astimezone(UTC) == MONDAY_OPENING
    hid = result["handoff_id"]
    with runtime.sessions() as s:
        assert s.get(HandoffRow, hid).status == "callback_scheduled"

    runtime.clock.set(datetime(2026, 3, 9, 12, 59, tzinfo=UTC))
    assert run_callbacks(runtime) == []  # a minute early
    runtime.clock.set(MONDAY_OPENING)
    assert run_callbacks(runtime) == [hid]
    assert run_callbacks(runtime) == []  # fired exactly once

    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        assert h.status == "open" and h.callback_fired_at is not None and h.agent
        events = [e.kind for e in s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == hid))]
    assert events == ["callback_fired"]
    queued = kinds(runtime, hid)
    assert "zendesk:callback" in queued and "slack:callback" in queued and "slack:callback-dm" in queued


async def test_unclaimed_handoff_gets_one_reminder_after_its_sla(runtime):
    runtime.clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))  # Monday 10:00 New York, open
    result = await runtime.service.post_message("c-sla", TurnInput(role="customer", text="get me an agent pls"))
    hid, priority = result["handoff_id"], result["priority"]
    minutes = runtime.config.settings.sla.unclaimed_minutes[priority]
    remind = lambda: remind_unclaimed(runtime.sessions, runtime.config.settings, runtime.clock, runtime.targets)  # noqa: E731
    runtime.clock.advance(minutes=minutes - 1)
    assert remind() == []
    runtime.clock.advance(minutes=2)
    assert remind() == [hid]
    assert remind() == []
    assert "slack:sla" in kinds(runtime, hid)


async def test_claimed_handoff_is_never_reminded(runtime):
    runtime.clock.set(datetime(2026, 3, 2, 15, 0, tzinfo=UTC))
    result = await runtime.service.post_message("c-claimed", TurnInput(role="customer", text="human please"))
    await runtime.operations.claim(result["handoff_id"], "sam")
    runtime.clock.advance(hours=5)
    assert remind_unclaimed(runtime.sessions, runtime.config.settings, runtime.clock, runtime.targets) == []


async def test_the_customer_name_in_a_callback_is_masked_for_each_destination(runtime):
    from handoff.core.models import Customer

    name = "Ana <!channel> 5555 5555 5555 4444 *boss* 07700 900123"
    result = await runtime.service.post_message("c-name", TurnInput(
        role="customer", text="I want to speak to a real person", customer=Customer(name=name, email="ana@example.com")))
    hid = result["handoff_id"]
    runtime.clock.set(MONDAY_OPENING)
    assert run_callbacks(runtime) == [hid]
    with runtime.sessions() as s:
        payloads = {d.dedupe_key.split(":", 1)[1]: d.payload
                    for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}
    for key in ("slack:callback", "slack:callback-dm"):
        text = payloads[key]["text"]
        assert text.startswith("Callback due now: Ana &lt;!channel&gt; •••• 4444 ＊boss＊ ••••• ••0123 (")
    # in the ticket only the card goes: it is plain text, and agents call customers back
    assert payloads["zendesk:callback"]["note"].startswith(
        "Callback due now: Ana <!channel> •••• 4444 *boss* 07700 900123 (")


async def test_a_callback_routes_the_case_as_it_was_routed_at_handoff_time(runtime):
    """The callback re-routes from the stored request: sentiment and trajectory still raise the priority."""
    await runtime.service.post_message("c-angry", TurnInput(role="customer", text="My card payment failed on the billing page"))
    result = await runtime.service.post_message(
        "c-angry", TurnInput(role="customer", text="This is absolutely terrible, I am furious, your billing is a disgrace!!! Get me a human NOW"))
    assert result["decision"] == "handoff" and result["callback_at"] is not None
    hid, team, priority = result["handoff_id"], result["team"], result["priority"]
    with runtime.sessions() as s:
        stored = s.get(HandoffRow, hid).route["request"]
    assert stored["sentiment"] is not None and "customer_name" not in stored  # the name stays with the briefing
    runtime.clock.set(MONDAY_OPENING)
    assert run_callbacks(runtime) == [hid]
    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        assert (h.team, h.priority) == (team, priority)
        payloads = [d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))
                    if d.dedupe_key.endswith(":zendesk:callback")]
    assert payloads[0]["priority"] == priority


@pytest.mark.parametrize("owner", ["priya.shah@example.com", "lucas.martin@example.com"])
async def test_a_callback_goes_to_the_account_owner_the_handoff_was_routed_for(runtime, owner):
    """The account owner (from HubSpot at handoff time) is in the stored request, not in the briefing."""
    result = await runtime.service.post_message("c-owner", TurnInput(role="customer", text="I want a human about my invoice"))
    hid = result["handoff_id"]
    with runtime.sessions() as s:  # as packaging stores it when HubSpot named the account's owner
        h = s.get(HandoffRow, hid)
        h.route = {**h.route, "request": {**h.route["request"], "owner_email": owner, "tier": "enterprise"}}
        s.commit()
    runtime.clock.set(MONDAY_OPENING)
    assert run_callbacks(runtime) == [hid]
    agent = next(a for a in runtime.config.settings.routing.agents if a.email == owner)
    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        assert h.agent == agent.id
        assert h.route["request"]["owner_email"] == owner  # kept for the next re-route


async def test_the_note_and_the_card_say_the_priority_the_ticket_and_the_api_say(runtime):
    """Routing raises the decision's priority (sentiment here); the briefing carries the raised one."""
    await runtime.service.post_message("c-prio", TurnInput(role="customer", text="My card payment failed on the billing page"))
    result = await runtime.service.post_message(
        "c-prio", TurnInput(role="customer", text="This is absolutely terrible, I am furious, your billing is a disgrace!!! Get me a human NOW"))
    hid, priority = result["handoff_id"], result["priority"]
    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        rows = {d.kind: d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}
    decided = h.route["request"]["priority"]
    assert decided != priority  # the case this guards: routing raised the decision's hint
    assert h.briefing["priority"] == priority == rows["zendesk_ticket"]["priority"]
    assert rows["zendesk_ticket"]["note"].startswith(f"[{priority.upper()}]")
    assert rows["slack_alert"]["text"].startswith(f"{priority.upper()} handoff")
