"""The /v1 HTTP API on the embedded default (SQLite or PostgreSQL, no vendor credentials)."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import func, select

from handoff.compose import build_runtime
from handoff.storage.tables import DeliveryRow, HandoffRow, MessageRow

HUMAN = {"role": "customer", "text": "I want to talk to a real person please", "customer": {"email": "ana@example.com", "name": "Ana"}}


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config())
    yield rt
    rt.close()


@pytest.fixture
def keyed_runtime(make_config):
    rt = build_runtime(make_config(HANDOFF_API_KEYS="k-one-123456,k-two-654321"))
    yield rt
    rt.close()


def client_for(rt, host="127.0.0.1"):
    app = rt.app(jobs=False)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(host, 5555)), base_url="http://handoff.test")


async def test_explicit_request_hands_off_and_keeps_ticket_and_alert_locally(runtime, tmp_path):
    async with client_for(runtime) as c:
        r1 = await c.post("/v1/conversations/c-1/messages", json={"role": "customer", "text": "Hi, how do I export invoices?"})
        assert r1.status_code == 200 and r1.json()["decision"] == "continue"
        r2 = await c.post("/v1/conversations/c-1/messages", json={"role": "ai", "text": "Go to Billing > Invoices.", "confidence": 0.9})
        assert r2.json()["decision"] == "continue"
        r3 = await c.post("/v1/conversations/c-1/messages", json=HUMAN)
    body = r3.json()
    assert r3.status_code == 200
    assert body["decision"] == "handoff" and body["handoff_id"].startswith("h_")
    assert body["message_index"] == 2
    assert any(r["trigger"] == "explicit_request" and r["message_index"] == 2 for r in body["reasons"])
    assert body["team"] and body["priority"] in ("low", "normal", "high", "urgent")
    assert body["customer_message"]
    for key in ("expected_wait_seconds", "queue_position", "callback_at"):
        assert key in body
    await runtime.dispatcher.idle()
    outbox = tmp_path / "outbox"
    ticket = json.loads((outbox / "zendesk" / f"{body['handoff_id']}.json").read_text())["ticket"]
    assert ticket["external_id"] == body["handoff_id"]
    assert "handoff" in ticket["tags"]
    assert "real person" in ticket["note"]  # the transcript travels with the ticket
    alert = json.loads((outbox / "slack" / f"{body['handoff_id']}.json").read_text())["alert"]
    assert alert["blocks"] and alert["text"]
    with runtime.sessions() as s:
        assert {d.status for d in s.scalars(select(DeliveryRow))} == {"sent"}


async def test_get_handoff_shows_status_briefing_and_deliveries(runtime):
    async with client_for(runtime) as c:
        hid = (await c.post("/v1/conversations/c-2/messages", json=HUMAN)).json()["handoff_id"]
        await runtime.dispatcher.idle()
        r = await c.get(f"/v1/handoffs/{hid}")
        missing = await c.get("/v1/handoffs/h_0000")
    assert r.status_code == 200
    data = r.json()
    assert data["status"] == "open" and data["conversation_id"] == "c-2"
    assert data["briefing"]["summary"]
    assert [d["kind"] for d in data["deliveries"]] == ["zendesk_ticket", "slack_alert"]
    assert all(d["target"] == "local" and d["status"] == "sent" for d in data["deliveries"])
    assert missing.status_code == 404 and "h_0000" in missing.json()["error"]


async def test_repeated_message_id_gets_the_same_answer_and_is_stored_once(runtime):
    msg = {**HUMAN, "message_id": "m-1"}
    async with client_for(runtime) as c:
        answers = await asyncio.gather(*(c.post("/v1/conversations/c-3/messages", json=msg) for _ in range(8)))
    bodies = [a.json() for a in answers]
    assert all(a.status_code == 200 for a in answers)
    assert len({b["handoff_id"] for b in bodies}) == 1
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 1
        assert s.scalar(select(func.count()).select_from(HandoffRow)) == 1
        assert s.scalar(select(func.count()).select_from(DeliveryRow)) == 2


async def test_concurrent_turns_of_one_conversation_are_all_kept_in_order(runtime):
    async with client_for(runtime) as c:
        answers = await asyncio.gather(*(
            c.post("/v1/conversations/c-4/messages", json={"role": "customer", "text": f"question number {i}"})
            for i in range(10)
        ))
    assert sorted(a.json()["message_index"] for a in answers) == list(range(10))


async def test_messages_after_a_handoff_return_the_same_handoff(runtime):
    async with client_for(runtime) as c:
        first = (await c.post("/v1/conversations/c-5/messages", json=HUMAN)).json()
        later = (await c.post("/v1/conversations/c-5/messages", json={"role": "customer", "text": "hello?"})).json()
    assert later["decision"] == "handoff" and later["handoff_id"] == first["handoff_id"]
    assert later["message_index"] == 1
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(HandoffRow)) == 1


async def test_bot_requested_handoff_is_created_once(runtime):
    async with client_for(runtime) as c:
        await c.post("/v1/conversations/c-6/messages", json={"role": "customer", "text": "my export is stuck"})
        r1 = await c.post("/v1/conversations/c-6/handoff", json={"reason": "needs account access I don't have"})
        r2 = await c.post("/v1/conversations/c-6/handoff", json={})
        r3 = await c.post("/v1/conversations/new-conv/handoff")
    assert r1.status_code == 201 and r2.status_code == 200 and r3.status_code == 201
    assert r1.json()["handoff_id"] == r2.json()["handoff_id"]
    assert r1.json()["reasons"][0]["trigger"] == "bot_request"
    assert "account access" in r1.json()["reasons"][0]["evidence"]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/v1/conversations/c/messages", {"text": "hi"}, "role"),
        ("/v1/conversations/c/messages", {"role": "robot", "text": "hi"}, "role"),
        ("/v1/conversations/c/messages", {"role": "customer"}, "text"),
        ("/v1/conversations/c/messages", {"role": "customer", "text": "   "}, "text"),
        ("/v1/conversations/c/messages", {"role": "ai", "text": "x", "confidence": 1.5}, "confidence"),
        ("/v1/conversations/c/messages", {"role": "customer", "text": "x", "sent_at": "yesterday"}, "sent_at"),
        ("/v1/conversations/c/messages", {"role": "customer", "text": "x", "customer": {"email": "nope"}}, "customer.email"),
        ("/v1/conversations/c/messages", {"role": "customer", "text": "x", "customer": {"timezone": "Mars/Base"}}, "customer.timezone"),
        ("/v1/conversations/c/messages", {"role": "customer", "text": "x", "ai_actions": ["a"] * 51}, "ai_actions"),
        ("/v1/conversations/bad%20id!/messages", {"role": "customer", "text": "x"}, "conversation_id"),
        ("/v1/conversations/c/messages", ["not", "an", "object"], "body"),
    ],
)
async def test_bad_input_is_a_clear_422_and_stores_nothing(runtime, path, body, field):
    async with client_for(runtime) as c:
        r = await c.post(path, json=body)
    assert r.status_code == 422
    assert field in r.json()["error"]
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 0


async def test_malformed_json_and_wrong_utf8_are_refused(runtime):
    async with client_for(runtime) as c:
        r1 = await c.post("/v1/conversations/c/messages", content=b'{"role": "customer", "text": ', headers={"content-type": "application/json"})
        r2 = await c.post("/v1/conversations/c/messages", content=b'{"role": "customer", "text": "\xff\xfe"}', headers={"content-type": "application/json"})
    assert r1.status_code == 400 and "JSON" in r1.json()["error"]
    assert r2.status_code == 400 and r2.json()["error"]


async def test_body_over_the_limit_is_413(make_config):
    rt = build_runtime(make_config("[service]\nmax_body_bytes = 2048\n"))
    try:
        async with client_for(rt) as c:
            big = {"role": "customer", "text": "x" * 5000}
            r1 = await c.post("/v1/conversations/c/messages", json=big)

            async def chunks():
                yield b'{"role": "customer", "text": "'
                for _ in range(10):
                    yield b"y" * 1000
                yield b'"}'

            r2 = await c.post("/v1/conversations/c/messages", content=chunks(), headers={"content-type": "application/json"})
        assert r1.status_code == 413 and "2048" in r1.json()["detail"]
        assert r2.status_code == 413
        with rt.sessions() as s:
            assert s.scalar(select(func.count()).select_from(MessageRow)) == 0
    finally:
        rt.close()


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Bearer wrong-key"}, 401),
        ({"Authorization": "Basic k-one-123456"}, 401),
        ({"Authorization": "Bearer k-one-123456"}, 200),
        ({"Authorization": "bearer k-two-654321"}, 200),
    ],
)
async def test_bearer_keys(keyed_runtime, headers, status):
    async with client_for(keyed_runtime, host="203.0.113.9") as c:
        r = await c.post("/v1/conversations/c/messages", json={"role": "customer", "text": "hi"}, headers=headers)
    assert r.status_code == status
    if status == 401:
        assert r.json()["error"]


async def test_without_keys_only_local_callers_are_accepted(runtime):
    async with client_for(runtime, host="203.0.113.9") as c:
        remote = await c.post("/v1/conversations/c/messages", json={"role": "customer", "text": "hi"})
    async with client_for(runtime, host="::1") as c:
        local = await c.post("/v1/conversations/c/messages", json={"role": "customer", "text": "hi"})
    assert remote.status_code == 401 and "local" in remote.json()["error"]
    assert local.status_code == 200


async def test_health_openapi_and_metrics(runtime):
    async with client_for(runtime) as c:
        await c.post("/v1/conversations/c-9/messages", json={"role": "customer", "text": "hello"})
        health = await c.get("/healthz")
        spec = await c.get("/openapi.json")
        metrics = await c.get("/metrics")
    assert health.status_code == 200 and health.json()["database"] == "ok"
    paths = spec.json()["paths"]
    for p in ("/v1/conversations/{conversation_id}/messages", "/v1/conversations/{conversation_id}/handoff", "/v1/handoffs/{handoff_id}"):
        assert p in paths
    assert 'handoff_turns_total{decision="continue",role="customer"}' in metrics.text


async def test_sent_at_without_offset_is_utc(runtime):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-tz/messages",
                         json={"role": "customer", "text": "hello", "sent_at": "2026-03-02T10:00:00"})
    assert r.status_code == 200
    with runtime.sessions() as s:
        stored = s.scalars(select(MessageRow)).one()
    assert stored.sent_at.isoformat() == "2026-03-02T10:00:00+00:00"
