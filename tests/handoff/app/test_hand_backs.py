"""Hand-backs: a solved ticket releases as a release does; a handoff soon after one reopens its ticket for its agent."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from handoff import metrics
from handoff.app.stats import collect_stats
from handoff.app.turns import TurnInput
from handoff.bootstrap import build_runtime
from handoff.core.decide import initial_state
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings
from handoff.storage.tables import AgentStatusRow, ConversationRow, DeliveryRow, HandoffEventRow, HandoffRow

TICKET = 4242


@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock())  # Monday, on shift
    yield rt
    rt.close()


async def hand_off(rt, cid="c-1", text="get me an agent pls"):
    result = await rt.service.post_message(cid, TurnInput(role="customer", text=text))
    assert result["decision"] == "handoff"
    return result


def ticket_is(rt, hid, ticket_id=TICKET):
    """As the ticket delivery's outcome records it."""
    with rt.sessions() as s:
        s.get(HandoffRow, hid).zendesk_ticket_id = ticket_id
        s.commit()


def row(rt, hid):
    with rt.sessions() as s:
        return s.get(HandoffRow, hid)


def kinds(rt, hid):
    with rt.sessions() as s:
        return [e.kind for e in s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == hid)
                                          .order_by(HandoffEventRow.id))]


def deliveries(rt, hid):
    with rt.sessions() as s:
        return {d.dedupe_key.split(":", 1)[1]: d.payload
                for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}


def hand_backs(source):
    return metrics.HAND_BACKS.labels(source=source)._value.get()


async def test_a_solved_ticket_gives_the_conversation_back_to_the_ai(runtime):
    hid = (await hand_off(runtime))["handoff_id"]
    ticket_is(runtime, hid)
    assert (await runtime.operations.claim(hid, "sam"))["ok"]
    runtime.clock.advance(minutes=40)
    before = hand_backs("zendesk_solved")
    assert runtime.operations.ticket_event(TICKET, "solved", {"actor_id": 1}, runtime.clock()) == hid

    h = row(runtime, hid)
    assert (h.status, h.released_via, h.solved_at, h.released_at) == (
        "released", "zendesk_solved", runtime.clock(), runtime.clock())
    assert hand_backs("zendesk_solved") == before + 1
    with runtime.sessions() as s:
        conv = s.get(ConversationRow, "c-1")
    assert conv.handoff_id is None and conv.state == initial_state().to_json()  # the decision starts afresh
    view = runtime.service.conversation("c-1")
    assert (view["owner"], view["status"], view["handoff_id"]) == ("ai", "released", hid)
    assert kinds(runtime, hid)[-2:] == ["released", "solved"]
    sent = deliveries(runtime, hid)
    assert sent["slack:solved"]["state"] == "solved"  # the card says solved, without Claim or Hand back
    assert "zendesk:released" not in sent  # the ticket is solved already: no note on it
    # the AI answers again, and the earlier request for a human does not fire again
    answer = await runtime.service.post_message("c-1", TurnInput(role="customer", text="thanks! how do I export invoices?"))
    assert (answer["decision"], answer["owner"]) == ("continue", "ai")
    # the solved handoff still counts as solved in the metrics
    stats = collect_stats(runtime.sessions, runtime.config.settings.quality, now=runtime.clock())
    assert stats["resolution_seconds"]["count"] == 1
    assert stats["hand_backs"]["by_source"] == {"zendesk_solved": 1}

    # a redelivered "solved" changes nothing
    assert runtime.operations.ticket_event(TICKET, "solved", {"actor_id": 1}, runtime.clock()) == hid
    assert kinds(runtime, hid).count("released") == 1 and kinds(runtime, hid).count("solved") == 1


async def test_a_ticket_solved_after_a_release_only_records_when(runtime):
    hid = (await hand_off(runtime))["handoff_id"]
    ticket_is(runtime, hid)
    await runtime.service.release(hid, None)
    runtime.clock.advance(minutes=5)
    runtime.operations.ticket_event(TICKET, "solved", {"actor_id": 1}, runtime.clock())
    h = row(runtime, hid)
    assert (h.status, h.released_via, h.solved_at) == ("released", "api", runtime.clock())
    assert kinds(runtime, hid).count("released") == 1


@pytest.mark.parametrize(("how", "source"), [("api", "api"), ("slack", "slack")])
async def test_a_release_says_where_it_came_from(runtime, how, source):
    hid = (await hand_off(runtime))["handoff_id"]
    before = hand_backs(source)
    if how == "api":
        await runtime.service.release(hid, "done")
    else:
        assert (await runtime.operations.release(hid, "sam"))["ok"]
    h = row(runtime, hid)
    assert (h.status, h.released_via, h.released_at) == ("released", source, runtime.clock())
    assert hand_backs(source) == before + 1
    with runtime.sessions() as s:
        event = s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == hid,
                                                        HandoffEventRow.kind == "released")).one()
    assert event.data["source"] == source


async def claimed_and_handed_back(rt, *, solved: bool = False):
    """A handoff claimed by an agent routing would not pick first, then handed back; (handoff id, first pick, claimer)."""
    first = await hand_off(rt)
    hid = first["handoff_id"]
    picked = row(rt, hid).agent
    claimer = next(a for a in ("sam", "lucas", "alex") if a != picked)
    ticket_is(rt, hid)
    assert (await rt.operations.claim(hid, claimer))["ok"]
    if solved:
        rt.operations.ticket_event(TICKET, "solved", {"actor_id": 1}, rt.clock())
    else:
        await rt.service.release(hid, None)
    return hid, picked, claimer


@pytest.mark.parametrize("solved", [False, True], ids=["released", "solved"])
async def test_a_handoff_within_the_window_reopens_the_ticket_for_the_same_agent(runtime, solved):
    hid, _picked, claimer = await claimed_and_handed_back(runtime, solved=solved)
    window = runtime.config.settings.routing.rehandoff_window_minutes
    assert window == 60
    runtime.clock.advance(minutes=window)  # the last minute of the window still counts
    before = metrics.REHANDOFFS.labels(to="same_agent")._value.get()
    again = await hand_off(runtime, text="actually, get me a human again please")

    new = row(runtime, again["handoff_id"])
    assert new.id != hid and (new.agent, new.rehandoff_of, new.zendesk_ticket_id) == (claimer, hid, TICKET)
    names = {a.id: a.name for a in runtime.config.settings.routing.agents}
    assert again["agent"] == names[claimer] and again["status"] == "assigned"
    ticket = deliveries(runtime, new.id)["zendesk_ticket"]
    assert (ticket["ticket_id"], ticket["status"]) == (TICKET, "open")  # the same ticket, reopened: no new one
    assert ticket["note"].startswith(f"The customer is back soon after the hand-back of {hid}: reopened for")
    assert "handoff_rehandoff" in ticket["tags"]
    with runtime.sessions() as s:
        event = s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == new.id,
                                                        HandoffEventRow.kind == "rehandoff")).one()
    assert event.data == {"previous": hid, "agent": claimer, "same_agent": True, "ticket_id": TICKET}
    assert metrics.REHANDOFFS.labels(to="same_agent")._value.get() == before + 1
    assert collect_stats(runtime.sessions, runtime.config.settings.quality, now=runtime.clock())["rehandoffs"] == {
        "within_window": 1, "same_agent": 1}


async def test_a_handoff_after_the_window_is_a_new_one(runtime):
    hid, picked, _claimer = await claimed_and_handed_back(runtime)
    runtime.clock.advance(minutes=61)
    again = await hand_off(runtime, text="actually, get me a human again please")
    new = row(runtime, again["handoff_id"])
    assert (new.agent, new.rehandoff_of, new.zendesk_ticket_id) == (picked, None, None)  # a fresh route
    ticket = deliveries(runtime, new.id)["zendesk_ticket"]
    assert ticket["ticket_id"] is None and ticket["status"] is None  # a ticket of its own
    assert "rehandoff" not in kinds(runtime, new.id)


async def test_within_the_window_an_agent_who_is_away_means_the_ticket_but_a_fresh_route(runtime):
    hid, picked, claimer = await claimed_and_handed_back(runtime)
    with runtime.sessions() as s:
        s.add(AgentStatusRow(agent=claimer, available=False, updated_at=runtime.clock()))
        s.commit()
    runtime.clock.advance(minutes=10)
    again = await hand_off(runtime, text="actually, get me a human again please")
    new = row(runtime, again["handoff_id"])
    assert new.agent != claimer and (new.rehandoff_of, new.zendesk_ticket_id) == (hid, TICKET)
    assert "away or off shift" in deliveries(runtime, new.id)["zendesk_ticket"]["note"].split("\n")[0]


async def test_a_zero_window_turns_rehandoffs_off(make_config, tmp_path):
    text = shipped_settings(tmp_path / "outbox", {"rehandoff_window_minutes = 60": "rehandoff_window_minutes = 0"})
    rt = build_runtime(make_config(text), clock=Clock())
    try:
        hid, _picked, _claimer = await claimed_and_handed_back(rt)
        rt.clock.advance(timedelta(minutes=1).total_seconds())
        again = await hand_off(rt, text="actually, get me a human again please")
        assert row(rt, again["handoff_id"]).rehandoff_of is None
    finally:
        rt.close()
