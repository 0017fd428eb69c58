"""Offers not claimed within [routing] claim_timeout_seconds go to the next agent, then the fallback team; once a step."""
from __future__ import annotations

import json
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from handoff import metrics
from handoff.app.turns import TurnInput
from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow
from jobs.callbacks import fire_due_callbacks
from jobs.reminders import remind_unclaimed
from jobs.reoffer import reoffer_unclaimed

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York: every team on shift
SATURDAY = datetime(2026, 3, 7, 15, 0, tzinfo=UTC)
MONDAY_OPENING = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
GENERAL = {"sam", "lucas", "alex"}  # the shipped general team


@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock(MONDAY))
    yield rt
    rt.close()


def reoffer(rt):
    return reoffer_unclaimed(rt.sessions, rt.config.settings, rt.clock, rt.targets)


def handoff(rt, hid):
    with rt.sessions() as s:
        return s.get(HandoffRow, hid)


def events(rt, hid, kind):
    with rt.sessions() as s:
        return [e.data for e in s.scalars(select(HandoffEventRow).where(
            HandoffEventRow.handoff_id == hid, HandoffEventRow.kind == kind).order_by(HandoffEventRow.id))]


def payloads(rt, hid):
    with rt.sessions() as s:
        return {d.dedupe_key.split(":", 1)[1]: d.payload
                for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}


def agent(rt, agent_id):
    return next(a for a in rt.config.settings.routing.agents if a.id == agent_id)


async def hand_off(rt, cid="c-1"):
    result = await rt.service.post_message(cid, TurnInput(role="customer", text="get me an agent pls"))
    assert result["decision"] == "handoff" and result["status"] == "assigned"
    return result["handoff_id"]


async def test_an_unclaimed_offer_goes_to_the_next_agent_after_the_timeout(runtime):
    hid = await hand_off(runtime)
    first = handoff(runtime, hid).agent
    timeout = runtime.config.settings.routing.claim_timeout_seconds
    assert timeout == 120  # the default, like a TaskRouter reservation timeout
    runtime.clock.advance(timeout - 1)
    assert reoffer(runtime) == []
    runtime.clock.advance(1)
    assert reoffer(runtime) == [hid]
    assert reoffer(runtime) == []  # the new agent's own time starts now

    h = handoff(runtime, hid)
    second = agent(runtime, h.agent)
    assert h.status == "open" and h.claimed_by is None and second.id != first
    assert h.offered_to == [first, second.id] and h.reoffers == 1 and h.offered_at == runtime.clock()
    assert events(runtime, hid, "reoffered") == [{"from": first, "to": second.id, "team": h.team, "step": 1}]
    sent = payloads(runtime, hid)
    assert f"<@{second.slack_user_id}>" in sent["slack:reoffer:1"]["note"]  # the nudge in the alert's thread
    assert sent["slack:reoffer:1"]["state"] == "offered"  # the card shows whom it waits for now
    assert sent["slack:reoffer-dm:1"]["dm_user_id"] == second.slack_user_id
    ticket = sent["zendesk:reoffer:1"]
    assert ticket["assignee_id"] == second.zendesk_user_id and ticket["unassign"] is False
    # the bot is told who it waits for now, on a turn and in the conversation's view
    view = runtime.service.conversation("c-1")
    assert (view["owner"], view["status"], view["agent"]) == ("human", "assigned", second.name)
    answer = await runtime.service.post_message("c-1", TurnInput(role="customer", text="hello?"))
    assert answer["agent"] == second.name


async def test_with_nobody_left_it_waits_unassigned_in_the_fallback_team(runtime):
    hid = await hand_off(runtime)
    timeout = runtime.config.settings.routing.claim_timeout_seconds
    offered = [handoff(runtime, hid).agent]
    for step in (1, 2):
        runtime.clock.advance(timeout)
        assert reoffer(runtime) == [hid]
        offered.append(handoff(runtime, hid).agent)
    assert set(offered) == GENERAL and len(offered) == 3  # each agent once, never one offered before
    runtime.clock.advance(timeout)
    assert reoffer(runtime) == [hid]
    h = handoff(runtime, hid)
    assert (h.agent, h.team, h.status, h.reoffers) == (None, "general", "open", 3)
    ticket = payloads(runtime, hid)["zendesk:reoffer:3"]
    general = runtime.config.settings.routing.team_map["general"]
    assert ticket["unassign"] is True and ticket["assignee_id"] is None and ticket["group_id"] == general.zendesk_group_id
    assert "slack:reoffer-dm:3" not in payloads(runtime, hid)
    runtime.clock.advance(hours=1)
    assert reoffer(runtime) == []  # nobody to pass it on to: it waits in the queue
    view = runtime.service.conversation("c-1")
    assert (view["status"], view["agent"]) == ("queued", None)


async def test_a_claimed_handoff_is_never_reoffered_and_a_late_claim_is_counted(runtime):
    hid = await hand_off(runtime)
    runtime.clock.advance(600)
    assert reoffer(runtime) == [hid]
    second = handoff(runtime, hid).agent
    before = metrics.CLAIMS_AFTER_REOFFER._value.get()
    assert (await runtime.operations.claim(hid, second))["ok"]
    assert metrics.CLAIMS_AFTER_REOFFER._value.get() == before + 1
    assert events(runtime, hid, "claimed")[0]["reoffers"] == 1
    runtime.clock.advance(hours=2)
    assert reoffer(runtime) == []
    assert handoff(runtime, hid).claimed_by == second


async def test_each_step_happens_once_with_several_processes_racing(runtime):
    hid = await hand_off(runtime)
    runtime.clock.advance(runtime.config.settings.routing.claim_timeout_seconds)
    start = threading.Barrier(4)
    won: list[list[str]] = []

    def race():
        start.wait()
        won.append(reoffer(runtime))

    threads = [threading.Thread(target=race) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(won, key=len) == [[], [], [], [hid]]
    assert handoff(runtime, hid).reoffers == 1
    assert len(events(runtime, hid, "reoffered")) == 1
    with runtime.sessions() as s:
        keys = s.scalars(select(DeliveryRow.dedupe_key).where(DeliveryRow.handoff_id == hid)).all()
    assert sum(k.endswith(":slack:reoffer:1") for k in keys) == 1


async def test_the_sla_reminder_still_fires_past_the_sla(runtime):
    hid = await hand_off(runtime)
    priority = handoff(runtime, hid).priority
    minutes = runtime.config.settings.sla.unclaimed_minutes[priority]
    remind = lambda: remind_unclaimed(runtime.sessions, runtime.config.settings, runtime.clock, runtime.targets)  # noqa: E731
    runtime.clock.advance(minutes=2)
    assert reoffer(runtime) == [hid]
    runtime.clock.advance(minutes=minutes - 2)
    assert remind() == [hid]
    assert "slack:sla" in payloads(runtime, hid)


async def test_a_callbacks_claim_timeout_starts_when_it_fires(runtime):
    runtime.clock.set(SATURDAY)
    result = await runtime.service.post_message("c-w", TurnInput(role="customer", text="I want to speak to a real person"))
    hid = result["handoff_id"]
    assert result["status"] == "callback_scheduled"
    runtime.clock.set(MONDAY_OPENING)
    assert fire_due_callbacks(runtime.sessions, runtime.config.settings, runtime.clock, runtime.targets) == [hid]
    h = handoff(runtime, hid)
    assert h.agent and h.offered_at == MONDAY_OPENING and h.offered_to == [h.agent]
    runtime.clock.advance(119)
    assert reoffer(runtime) == []
    runtime.clock.advance(1)
    assert reoffer(runtime) == [hid]


async def test_a_zero_timeout_never_reoffers(make_config, tmp_path):
    text = shipped_settings(tmp_path / "outbox", {"claim_timeout_seconds = 120": "claim_timeout_seconds = 0"})
    rt = build_runtime(make_config(text), clock=Clock(MONDAY))
    try:
        await hand_off(rt)
        rt.clock.advance(hours=3)
        assert reoffer(rt) == []
    finally:
        rt.close()


async def test_the_job_is_registered_with_the_others(runtime):
    jobs = {j.id: j for j in runtime.scheduler().get_jobs()}
    assert "reoffers" in jobs and "sla_reminders" in jobs
    assert jobs["reoffers"].trigger.interval.total_seconds() == runtime.config.settings.jobs.reoffer_check_seconds


async def test_a_reoffer_reaches_slack_and_zendesk(make_config, fake_zendesk, fake_slack):
    """Through the outbox to the fakes: the thread nudge mentions the new agent, the card names them, the ticket is
    theirs, and they get a DM."""
    config = make_config(
        "[zendesk]\nsubdomain = 'acme'\n[slack]\ndefault_channel = 'C0HANDOFF'\n"
        "[[routing.teams]]\nname = 'general'\nslack_channel = 'C0SUPPORT'\nzendesk_group_id = 77\n"
        "[[routing.agents]]\nid = 'sam'\nname = 'Sam Rivera'\nteams = ['general']\nslack_user_id = 'U0SAM'\n"
        "zendesk_user_id = 501\n"
        "[[routing.agents]]\nid = 'alex'\nname = 'Alex Johnson'\nteams = ['general']\nslack_user_id = 'U0ALEX'\n"
        "zendesk_user_id = 502\n",
        ZENDESK_EMAIL=fake_zendesk.email, ZENDESK_API_TOKEN=fake_zendesk.token, ZENDESK_URL=fake_zendesk.url,
        SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.api_url)
    rt = build_runtime(config, clock=Clock(MONDAY))
    try:
        hid = await hand_off(rt)
        await rt.dispatcher.idle()
        [ticket] = fake_zendesk.tickets.values()
        assert ticket["assignee_id"] == 501
        rt.clock.advance(120)
        assert await rt.run_reoffers() == [hid]
        await rt.dispatcher.idle()
        with rt.sessions() as s:
            assert {d.status for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))} == {"sent"}
        assert ticket["assignee_id"] == 502 and ticket["group_id"] == 77
        assert any("offered to Alex Johnson" in c["body"] for c in fake_zendesk.comments[ticket["id"]])
        alert = next(m for m in fake_slack.messages if m["channel"] == "C0SUPPORT" and m["thread_ts"] is None)
        thread = [m["text"] for m in fake_slack.messages if m["thread_ts"] == alert["ts"] and m["ts"] != alert["ts"]]
        assert any("<@U0ALEX>" in t for t in thread)
        assert "offered to <@U0ALEX>" in json.dumps(alert["blocks"])  # the card, updated in place
        assert any(m["channel"] != "C0SUPPORT" and "offered to you" in m["text"] for m in fake_slack.messages)
    finally:
        rt.close()
