"""`sunshine_conversation_id` through the /v1 API: a turn or the bot's request says the conversation lives in
Zendesk messaging; its handoff and release become Switchboard actions (here, with no Sunshine key, kept in
the local outbox), and a wrong id is a 422 that stores nothing."""
from __future__ import annotations

import json

import httpx
import pytest
from sqlalchemy import func, select

from handoff.bootstrap import build_runtime
from handoff.storage.tables import DeliveryRow, HandoffRow

CONV = "5e4af71a81966cfff3ef6550"
HUMAN = "I want to talk to a real person please"


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config('[sunshine]\napp_id = "5963c0d619a30a2e00de36b8"\n'))
    yield rt
    rt.close()


def client_for(rt):
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False), client=("127.0.0.1", 5555)),
                             base_url="http://handoff.test")


def kept(tmp_path, name: str) -> dict:
    return json.loads((tmp_path / "outbox" / "updates" / name).read_text())["payload"]


async def test_a_turn_in_messaging_hands_off_and_releases_through_the_switchboard(runtime, tmp_path):
    async with client_for(runtime) as c:
        first = await c.post("/v1/conversations/c-1/messages",
                             json={"role": "customer", "text": "Hi there", "sunshine_conversation_id": CONV})
        assert first.status_code == 200 and first.json()["decision"] == "continue"
        answer = (await c.post("/v1/conversations/c-1/messages", json={"role": "customer", "text": HUMAN})).json()
        hid = answer["handoff_id"]
        await runtime.dispatcher.idle()
        released = await c.post(f"/v1/handoffs/{hid}/release", json={"reason": "the bot can take it"})
        assert released.status_code == 200
        await runtime.dispatcher.idle()
    passed = kept(tmp_path, f"{hid}_sunshine_pass.json")
    assert passed["action"] == "pass" and passed["conversation_id"] == CONV
    assert passed["app_id"] == "5963c0d619a30a2e00de36b8" and passed["metadata"]["handoff_id"] == hid
    assert kept(tmp_path, f"{hid}_sunshine_release.json")["metadata"] == {
        "handoff_id": hid, "handoff_release_reason": "the bot can take it"}


async def test_the_bots_request_can_say_where_the_conversation_lives(runtime, tmp_path):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-2/handoff", json={"reason": "asked for an agent",
                                                                 "sunshine_conversation_id": CONV})
        assert r.status_code == 201
        await runtime.dispatcher.idle()
    assert kept(tmp_path, f"{r.json()['handoff_id']}_sunshine_pass.json")["conversation_id"] == CONV


async def test_a_wrong_id_on_the_bots_request_is_a_422_and_hands_nothing_off(runtime):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-3/handoff", json={"sunshine_conversation_id": "../../apps"})
    assert r.status_code == 422 and "sunshine_conversation_id" in r.json()["error"]
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(HandoffRow)) == 0
        assert s.scalar(select(func.count()).select_from(DeliveryRow)) == 0


async def test_the_field_is_in_the_api_schema(runtime):
    async with client_for(runtime) as c:
        schema = (await c.get("/openapi.json")).json()["components"]["schemas"]
    for name in ("MessageIn", "HandoffRequestIn"):
        field = schema[name]["properties"]["sunshine_conversation_id"]
        assert "Zendesk messaging" in field["description"]
