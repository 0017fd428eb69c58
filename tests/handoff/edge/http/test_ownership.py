"""Who owns a conversation: `owner`/`status` in every turn answer and `GET /v1/conversations/{id}`."""
from __future__ import annotations

import httpx
import pytest

from handoff.bootstrap import build_runtime
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings

HUMAN = {"role": "customer", "text": "I want to talk to a real person please", "customer": {"email": "ana@example.com"}}


@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox"), HANDOFF_API_KEYS="k-one-123456"), clock=Clock())
    yield rt
    rt.close()


def client_for(rt, key="k-one-123456"):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False), client=("127.0.0.1", 5555)),
                             base_url="http://handoff.test", headers={"Authorization": f"Bearer {key}"} if key else {})


async def test_turn_answers_say_who_owns_the_conversation(runtime):
    async with client_for(runtime) as c:
        first = (await c.post("/v1/conversations/c-1/messages", json={"role": "customer", "text": "How do I export?"})).json()
        handoff = (await c.post("/v1/conversations/c-1/messages", json=HUMAN)).json()
        later = (await c.post("/v1/conversations/c-1/messages", json={"role": "customer", "text": "Still nothing??"})).json()
    assert first["owner"] == "ai" and first["status"] is None
    assert handoff["decision"] == "handoff" and handoff["owner"] == "human"
    assert handoff["status"] in ("queued", "assigned", "callback_scheduled")
    assert later["decision"] == "handoff" and later["owner"] == "human" and later["status"] == handoff["status"]


async def test_get_conversation_follows_the_handoff_through_a_claim(runtime):
    async with client_for(runtime) as c:
        await c.post("/v1/conversations/c-2/messages", json={"role": "customer", "text": "How do I export?"})
        before = await c.get("/v1/conversations/c-2")
        hid = (await c.post("/v1/conversations/c-2/messages", json=HUMAN)).json()["handoff_id"]
        queued = (await c.get("/v1/conversations/c-2")).json()
        routed = (await c.get(f"/v1/handoffs/{hid}")).json()["agent"]
        taker, name = ("sam", "Sam Rivera") if routed != "sam" else ("priya", "Priya Shah")
        claim = await runtime.operations.claim(hid, taker)
        claimed = (await c.get("/v1/conversations/c-2")).json()
        turn = (await c.post("/v1/conversations/c-2/messages", json={"role": "customer", "text": "Hello?"})).json()
    assert before.status_code == 200
    assert before.json()["owner"] == "ai" and before.json()["handoff_id"] is None and before.json()["message_count"] == 1
    assert queued["owner"] == "human" and queued["handoff_id"] == hid
    assert queued["status"] in ("queued", "assigned", "callback_scheduled") and queued["customer_message"]
    assert claim["ok"]
    assert claimed["status"] == "claimed" and claimed["owner"] == "human"
    assert claimed["agent"] == name  # the claimer by name, not the agent routing picked
    assert claimed["queue_position"] is None and claimed["expected_wait_seconds"] is None  # nobody waits now
    assert turn["status"] == "claimed" and turn["agent"] == name


async def test_get_conversation_unknown_is_404_and_needs_the_key(runtime):
    async with client_for(runtime) as c:
        missing = await c.get("/v1/conversations/nope")
    async with client_for(runtime, key=None) as anonymous:
        refused = await anonymous.get("/v1/conversations/nope")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    assert refused.status_code == 401


async def test_release_gives_the_conversation_back_to_the_ai_and_decides_afresh(runtime):
    async with client_for(runtime) as c:
        first = (await c.post("/v1/conversations/c-3/messages", json=HUMAN)).json()
        hid = first["handoff_id"]
        released = await c.post(f"/v1/handoffs/{hid}/release", json={"reason": "answered by the agent"})
        view = (await c.get("/v1/conversations/c-3")).json()
        # an ordinary question after the release is the AI's: the old request for a human does not fire again
        after = (await c.post("/v1/conversations/c-3/messages", json={"role": "customer", "text": "How do I export invoices?"})).json()
        again = await c.post(f"/v1/handoffs/{hid}/release")
        # a new request for a human is a new handoff
        second = (await c.post("/v1/conversations/c-3/messages", json=HUMAN)).json()
        view2 = (await c.get("/v1/conversations/c-3")).json()
    assert released.status_code == 200
    assert released.json() == {"handoff_id": hid, "conversation_id": "c-3", "owner": "ai", "status": "released"}
    assert view["owner"] == "ai" and view["status"] == "released" and view["handoff_id"] == hid
    assert after["decision"] == "continue" and after["owner"] == "ai"
    assert again.status_code == 409 and "released" in again.json()["error"]
    assert second["decision"] == "handoff" and second["handoff_id"] != hid and second["owner"] == "human"
    assert view2["handoff_id"] == second["handoff_id"] and view2["owner"] == "human"
    with runtime.sessions() as s:
        from sqlalchemy import select

        from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow
        assert s.get(HandoffRow, hid).status == "released"
        event = s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == hid,
                                                        HandoffEventRow.kind == "released")).one()
        assert event.data["previous_status"] == first_status(first) and event.data["reason"] == "answered by the agent"
        kinds = {d.kind for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}
        assert {"slack_update", "zendesk_update"} <= kinds  # the agent's side hears of it
        assert "zendesk_comment" not in kinds  # the message after the release stayed with the AI


def first_status(answer):
    return "callback_scheduled" if answer["status"] == "callback_scheduled" else "open"


async def test_release_of_an_unknown_handoff_is_404_and_needs_the_key(runtime):
    async with client_for(runtime) as c:
        missing = await c.post("/v1/handoffs/h_0000/release")
    async with client_for(runtime, key=None) as anonymous:
        refused = await anonymous.post("/v1/handoffs/h_0000/release")
    assert missing.status_code == 404 and "h_0000" in missing.json()["error"]
    assert refused.status_code == 401
