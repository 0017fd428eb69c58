"""Claims, availability and feedback: one winner per claim, every change recorded and announced."""
from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from handoff.bootstrap import build_runtime
from handoff.app.turns import TurnInput
from handoff.storage.tables import AgentStatusRow, DeliveryRow, HandoffEventRow, HandoffRow
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings



@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock())
    yield rt
    rt.close()


async def handoff(rt, cid="c-1", text="I need to talk to a human now"):
    result = await rt.service.post_message(cid, TurnInput(role="customer", text=text))
    assert result["decision"] == "handoff"
    await rt.dispatcher.idle()
    return result["handoff_id"]


async def test_two_agents_claiming_at_once_one_wins(runtime):
    hid = await handoff(runtime)
    results = await asyncio.gather(runtime.operations.claim(hid, "sam"), runtime.operations.claim(hid, "priya"))
    winners = [r for r in results if r["ok"]]
    assert len(winners) == 1
    loser = next(r for r in results if not r["ok"])
    assert "claimed" in loser["message"]
    with runtime.sessions() as s:
        h = s.get(HandoffRow, hid)
        assert h.status == "claimed" and h.claimed_by == winners[0]["claimed_by"]
        kinds = [e.kind for e in s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == hid))]
        assert kinds == ["claimed"]
        queued = {d.kind for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}
    assert {"slack_update", "zendesk_update"} <= queued


async def test_claim_refusals(runtime):
    hid = await handoff(runtime)
    unknown = await runtime.operations.claim(hid, "nobody")
    missing = await runtime.operations.claim("h_000000", "sam")
    again = [await runtime.operations.claim(hid, "sam") for _ in range(2)]
    assert not unknown["ok"] and "not an agent" in unknown["message"]
    assert not missing["ok"] and "no handoff" in missing["message"]
    assert again[0]["ok"] and again[1]["ok"] and "already" in again[1]["message"]


async def test_claim_updates_alert_and_ticket_locally(runtime, tmp_path):
    hid = await handoff(runtime)
    await runtime.operations.claim(hid, "sam")
    await runtime.dispatcher.idle()
    with runtime.sessions() as s:
        statuses = {d.kind: d.status for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}
    assert set(statuses.values()) == {"sent"}
    kept = sorted((tmp_path / "outbox" / "updates").glob(f"{hid}*"))
    assert kept, "follow-up writes are kept locally like the first ones"
    update = json.loads(next(p for p in kept if "slack" in p.name).read_text())
    assert update["payload"]["state"] == "claimed" and update["payload"]["agent_name"]


async def test_availability_feeds_routing(runtime):
    for agent in ("sam", "priya", "lucas", "dana", "alex", "morgan"):
        await runtime.operations.set_available(agent, False)
    result = await runtime.service.post_message("c-away", TurnInput(role="customer", text="get me a real person"))
    assert result["agent"] is None  # nobody available: queued, not assigned
    assert result["queue_position"] >= 1
    back = await runtime.operations.set_available("sam", True)
    assert back == {"agent_id": "sam", "available": True, "active": 0}
    with runtime.sessions() as s:
        assert s.get(AgentStatusRow, "sam").available is True


async def test_unnecessary_is_recorded_once(runtime):
    hid = await handoff(runtime)
    first = await runtime.operations.mark_unnecessary(hid, "U0AGENT01")
    second = await runtime.operations.mark_unnecessary(hid, "U0AGENT01")
    assert first["ok"] and second["ok"] and "Already" in second["message"]
    with runtime.sessions() as s:
        assert s.get(HandoffRow, hid).unnecessary is True
        assert len(s.scalars(select(HandoffEventRow).where(HandoffEventRow.kind == "unnecessary")).all()) == 1


async def test_queue_status_and_callbacks_reads(runtime):
    hid = await handoff(runtime)
    queue = await runtime.operations.queue()
    status = await runtime.operations.status(hid)
    assert [q["handoff_id"] for q in queue["open"]] == [hid]
    assert status["handoff_id"] == hid and status["deliveries"]
    assert await runtime.operations.status("h_nope") is None
    assert await runtime.operations.callbacks() == []


async def test_claim_and_feedback_feed_prometheus(runtime):
    from prometheus_client import generate_latest

    from handoff.metrics import REGISTRY

    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    claims = sample("handoff_time_to_claim_seconds_count")
    claimed = sample("handoff_events_total", kind="claimed")
    explicit = sample("handoff_reasons_total", trigger="explicit_request")
    hid = await handoff(runtime)
    runtime.clock.advance(90)
    await runtime.operations.claim(hid, "sam")
    assert sample("handoff_time_to_claim_seconds_count") == claims + 1
    assert sample("handoff_events_total", kind="claimed") == claimed + 1
    assert sample("handoff_reasons_total", trigger="explicit_request") == explicit + 1
    assert b"handoff_time_to_claim_seconds_bucket" in generate_latest(REGISTRY)


async def test_status_carries_the_masked_summary_customer_and_delivery_errors(runtime):
    from handoff.core.models import Customer
    from handoff.core.render.slack_replies import status_reply

    customer = Customer(email="ana.lima@example.com", name="Ana 4111 1111 1111 1111")
    result = await runtime.service.post_message("c-st", TurnInput(
        role="customer", text="Charged twice on 4111 1111 1111 1111, pw hunter2. Human now!", customer=customer))
    hid = result["handoff_id"]
    await runtime.dispatcher.idle()
    with runtime.sessions() as s:
        s.add(DeliveryRow(handoff_id=hid, kind="slack_message", target="slack", dedupe_key=f"{hid}:x",
                          payload={}, status="dead", attempts=5, last_error="rejected: card 4111111111111111",
                          next_attempt_at=runtime.clock(), created_at=runtime.clock(), updated_at=runtime.clock()))
        s.commit()
    status = await runtime.operations.status(hid)
    dumped = json.dumps(status)
    assert "4111" not in dumped.replace("•••• 1111", "") and "hunter2" not in dumped and "ana.lima@" not in dumped
    assert status["briefing"]["customer"] == {"name": "Ana •••• 1111", "email": "a***@example.com"}
    assert {"target": "slack", "last_error": "rejected: card •••• 1111"}.items() <= status["deliveries"][-1].items()
    # and the reply shows them (it read a briefing the status did not carry)
    text = json.dumps(status_reply(status, hid).kwargs(), ensure_ascii=False)
    assert "Ana •••• 1111 (a***@example.com)" in text and "(rejected: card •••• 1111)" in text


async def test_thread_notes_are_rendered_for_slack_and_the_ticket_note_for_zendesk(make_config, tmp_path):
    settings = shipped_settings(tmp_path / "outbox", {'name = "Sam Rivera"': 'name = "Sam <!here> *Rivera* 4111 1111 1111 1111"'})
    rt = build_runtime(make_config(settings), clock=Clock())
    try:
        hid = await handoff(rt)
        await rt.operations.claim(hid, "sam")
        with rt.sessions() as s:
            rows = {d.kind: d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}
    finally:
        rt.close()
    assert rows["slack_update"]["note"] == "Claimed by Sam &lt;!here&gt; ＊Rivera＊ •••• 1111."
    assert rows["zendesk_update"]["note"] == "Handoff claimed in Slack by Sam <!here> *Rivera* •••• 1111."


async def test_an_agent_hands_a_handoff_back_once(runtime):
    """The Slack button and `/handoff release`: the conversation is the AI's again; a second time is refused."""
    from sqlalchemy import select

    from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffRow

    hid = await handoff(runtime)
    first = await runtime.operations.release(hid, "sam")
    assert first == {"ok": True, "handoff_id": hid, "message": ""}
    with runtime.sessions() as s:
        assert s.get(HandoffRow, hid).status == "released"
        assert s.get(ConversationRow, "c-1").handoff_id is None
        keys = set(s.scalars(select(DeliveryRow.dedupe_key).where(DeliveryRow.handoff_id == hid)))
    assert {f"{hid}:slack:released", f"{hid}:zendesk:released"} <= keys
    again = await runtime.operations.release(hid, "sam")
    assert again["ok"] is False and "already released" in again["message"]
    assert (await runtime.operations.release("h_nope", "sam"))["ok"] is False
    answer = await runtime.service.post_message("c-1", TurnInput(role="customer", text="thanks, where is my invoice?"))
    assert answer["owner"] == "ai"
