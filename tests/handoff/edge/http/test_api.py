"""The /v1 HTTP API on the embedded default (SQLite or PostgreSQL, no vendor credentials)."""
from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import func, select

from handoff.bootstrap import build_runtime
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
        ("/v1/conversations/c/messages", {"role": "customer", "text": "x", "sunshine_conversation_id": "a b"},
         "sunshine_conversation_id"),
        ("/v1/conversations/c/messages", {"role": "customer", "text": "x", "sunshine_conversation_id": "x" * 65},
         "sunshine_conversation_id"),
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


async def test_sent_at_without_offset_is_a_422_naming_the_offset(runtime):
    """A time without an offset is ambiguous (the bot's local time? UTC?): it was taken as UTC silently."""
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-tz/messages",
                         json={"role": "customer", "text": "hello", "sent_at": "2026-03-02T10:00:00"})
    assert r.status_code == 422
    assert r.json()["problems"] == [{"field": "sent_at", "message": "Value error, must carry a UTC offset (Z or "
                                                                   "+hh:mm), e.g. 2026-03-02T10:00:00Z"}]
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 0


# -- local-only mode (no HANDOFF_API_KEYS) -------------------------------------------------------------

TURN = {"role": "customer", "text": "hi"}


@pytest.mark.parametrize(("host", "status"), [
    ("127.0.0.1", 200), ("::1", 200), ("::ffff:127.0.0.1", 200),
    ("127.0.0.2", 401), ("127.1.2.3", 401), ("::ffff:127.0.0.2", 401),  # loopback range, but not this peer
    ("localhost", 401), ("testclient", 401), ("", 401),  # names are not peer addresses
    ("0.0.0.0", 401), ("203.0.113.9", 401), ("::ffff:203.0.113.9", 401), ("fe80::1", 401),
])
async def test_without_keys_only_the_loopback_peer_itself_is_accepted(runtime, host, status):
    async with client_for(runtime, host=host) as c:
        r = await c.post("/v1/conversations/c/messages", json=TURN)
    assert r.status_code == status, r.text
    if status == 401:
        assert "only local requests" in r.json()["error"]
        with runtime.sessions() as s:
            assert s.scalar(select(func.count()).select_from(MessageRow)) == 0


@pytest.mark.parametrize("header", [
    {"X-Forwarded-For": "127.0.0.1"}, {"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=127.0.0.1"},
    {"X-Real-IP": "127.0.0.1"}, {"X-Forwarded-Proto": "https"}, {"Via": "1.1 nginx"},
])
async def test_without_keys_a_request_a_proxy_forwarded_is_refused_even_from_loopback(runtime, header):
    """Behind a proxy on this machine every request comes from loopback: the proxy's headers give it away."""
    async with client_for(runtime, host="127.0.0.1") as c:
        r = await c.post("/v1/conversations/c/messages", json=TURN, headers=header)
    assert r.status_code == 401 and "proxy" in r.json()["error"] and "HANDOFF_API_KEYS" in r.json()["error"]


async def test_without_keys_uvicorns_proxy_header_rewrite_cannot_make_a_remote_caller_local(runtime):
    """uvicorn rewrites the client from X-Forwarded-For when it trusts the peer ($FORWARDED_ALLOW_IPS="*" is a
    common setting); the decision must not follow the rewritten address."""
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    app = ProxyHeadersMiddleware(runtime.app(jobs=False), trusted_hosts="*")
    transport = httpx.ASGITransport(app=app, client=("203.0.113.9", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as c:
        r = await c.post("/v1/conversations/c/messages", json=TURN, headers={"X-Forwarded-For": "127.0.0.1"})
    assert r.status_code == 401


async def test_with_keys_the_peer_address_does_not_matter(keyed_runtime):
    async with client_for(keyed_runtime, host="127.0.0.1") as c:
        local = await c.post("/v1/conversations/c/messages", json=TURN)
    async with client_for(keyed_runtime, host="203.0.113.9") as c:
        proxied = await c.post("/v1/conversations/c/messages", json=TURN, headers={
            "Authorization": "Bearer k-one-123456", "X-Forwarded-For": "198.51.100.7"})
    assert local.status_code == 401 and "bearer" in local.json()["error"]
    assert proxied.status_code == 200


# -- /metrics and the API documents -------------------------------------------------------------------

OPERATIONS = ["/metrics", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"]


@pytest.mark.parametrize("path", OPERATIONS)
async def test_with_keys_metrics_and_documents_need_a_key_by_default(keyed_runtime, path):
    async with client_for(keyed_runtime, host="203.0.113.9") as c:
        anonymous = await c.get(path)
        wrong = await c.get(path, headers={"Authorization": "Bearer nope"})
        keyed = await c.get(path, headers={"Authorization": "Bearer k-two-654321"})
        health = await c.get("/healthz")
    assert anonymous.status_code == 401 and wrong.status_code == 401
    assert anonymous.headers["www-authenticate"] == "Bearer"
    assert keyed.status_code == 200
    assert health.status_code == 200  # liveness probes need no key


async def test_the_gate_matches_paths_as_the_router_does_under_a_root_path(keyed_runtime):
    transport = httpx.ASGITransport(app=keyed_runtime.app(jobs=False), root_path="/api", client=("203.0.113.9", 5555))
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as c:
        metrics = await c.get("/api/metrics")
        turn = await c.post("/api/v1/conversations/c/messages", content=b'{"role": ', headers={"content-type": "application/json"})
        keyed = await c.get("/api/metrics", headers={"Authorization": "Bearer k-one-123456"})
    assert metrics.status_code == 401 and turn.status_code == 401 and keyed.status_code == 200


@pytest.mark.parametrize("path", OPERATIONS)
async def test_metrics_require_key_false_keeps_them_open(make_config, path):
    rt = build_runtime(make_config("[service]\nmetrics_require_key = false\n", HANDOFF_API_KEYS="k-one-123456"))
    try:
        async with client_for(rt, host="203.0.113.9") as c:
            r = await c.get(path)
            turn = await c.post("/v1/conversations/c/messages", json=TURN)
        assert r.status_code == 200 and turn.status_code == 401
    finally:
        rt.close()


@pytest.mark.parametrize("path", OPERATIONS)
async def test_without_keys_metrics_are_open_unless_required_then_local_only(runtime, make_config, path):
    async with client_for(runtime, host="203.0.113.9") as c:
        assert (await c.get(path)).status_code == 200  # the default without keys: as before
    rt = build_runtime(make_config("[service]\nmetrics_require_key = true\n"))
    try:
        async with client_for(rt, host="203.0.113.9") as c:
            remote = await c.get(path)
        async with client_for(rt, host="127.0.0.1") as c:
            local = await c.get(path)
        assert remote.status_code == 401 and local.status_code == 200
    finally:
        rt.close()


# -- sent_at ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sent_at", [
    "9999-12-31T23:59:59-23:59",  # past year 9999 in UTC: was an OverflowError, a 500 logging the turn
    "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: the same
    "0001-01-01T00:00:00", "1999-12-31T23:59:59Z", "2101-01-01T00:00:00Z", "2100-12-31T23:59:59-01:00",
    "2100-12-31T23:00:00Z",  # in range, but far ahead of the server's clock
    253402300799,  # 9999-12-31 as a unix time
    -1, "yesterday", "2026-02-30T10:00:00Z", "2026-03-02T25:00:00Z", "", "x",
])
async def test_a_sent_at_outside_2000_to_2100_or_unreadable_is_a_422_and_stores_nothing(runtime, sent_at):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-ts/messages",
                         json={"role": "customer", "text": "my card 4111 1111 1111 1111", "sent_at": sent_at})
    assert r.status_code == 422, r.text
    assert r.json()["problems"][0]["field"] == "sent_at"
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 0


@pytest.mark.parametrize(("sent_at", "stored"), [
    ("2000-01-01T00:00:00Z", "2000-01-01T00:00:00+00:00"),
    ("2026-03-02T10:00:00+14:00", "2026-03-01T20:00:00+00:00"),
    (1772445600, "2026-03-02T10:00:00+00:00"),  # a unix time, as pydantic reads it
])
async def test_a_sent_at_within_the_range_is_kept_in_utc(runtime, sent_at, stored):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-ts/messages", json={"role": "customer", "text": "hi", "sent_at": sent_at})
    assert r.status_code == 200, r.text
    with runtime.sessions() as s:
        assert s.scalars(select(MessageRow)).one().sent_at.isoformat() == stored


async def test_get_handoff_pages_the_transcript_by_query(runtime):
    async with client_for(runtime) as c:
        for i in range(3):
            await c.post("/v1/conversations/pg/messages", json={"role": "customer", "text": f"question {i} about exports"})
            await c.post("/v1/conversations/pg/messages", json={"role": "ai", "text": f"answer {i}", "confidence": 0.9})
        hid = (await c.post("/v1/conversations/pg/messages", json={"role": "customer", "text": "agent pls"})).json()["handoff_id"]
        page = (await c.get(f"/v1/handoffs/{hid}", params={"transcript_offset": 2, "transcript_limit": 3})).json()["transcript"]
        assert [m["index"] for m in page["messages"]] == [2, 3, 4] and page["next_offset"] == 5 and page["total"] == 7
        assert (await c.get(f"/v1/handoffs/{hid}", params={"transcript_limit": 0})).status_code == 422
        assert (await c.get(f"/v1/handoffs/{hid}", params={"transcript_offset": -1})).status_code == 422


# -- fields the API refuses, and message ids reused -------------------------------------------------------

@pytest.mark.parametrize(("body", "field", "says"), [
    ({"role": "ai", "text": "x", "confidance": 0.2}, "confidance", "unknown field"),
    ({"role": "customer", "text": "x", "customer": {"emial": "a@example.com"}}, "customer.emial", "unknown field"),
    ({"role": "customer", "text": "x", "kb_articles": [{"id": "kb-1", "tilte": "t"}]}, "kb_articles", "unknown field"),
    ({"role": "customer", "text": "x", "confidence": 0.4}, "confidence", "only AI turns"),
    ({"role": "customer", "text": "x", "page_url": "not a url"}, "page_url", "pattern"),
    ({"role": "customer", "text": "x", "page_url": "ftp://files.example.com/x"}, "page_url", "pattern"),
    ({"role": "customer", "text": "x", "page_url": "https://[::1/x"}, "page_url", "absolute http(s) URL"),
])
async def test_unknown_and_invalid_fields_are_a_422_naming_the_field(runtime, body, field, says):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-f/messages", json=body)
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["field"].startswith(field) and says in problem["message"]
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 0


async def test_an_unknown_field_in_a_handoff_request_is_a_422(runtime):
    async with client_for(runtime) as c:
        r = await c.post("/v1/conversations/c-f/handoff", json={"reasn": "the customer asked"})
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "reasn"


async def test_a_sent_at_a_few_hours_ahead_is_accepted_a_day_and_more_is_not(runtime):
    from datetime import UTC, datetime, timedelta

    soon = (datetime.now(UTC) + timedelta(hours=3)).isoformat()
    later = (datetime.now(UTC) + timedelta(hours=25)).isoformat()
    async with client_for(runtime) as c:
        ok = await c.post("/v1/conversations/c-s/messages", json={"role": "customer", "text": "hi", "sent_at": soon})
        bad = await c.post("/v1/conversations/c-s/messages", json={"role": "customer", "text": "hi", "sent_at": later})
    assert ok.status_code == 200
    assert bad.status_code == 422 and "ahead of the server's clock" in bad.json()["error"]


async def test_a_reused_message_id_with_other_content_is_a_409_and_the_same_content_the_stored_answer(runtime):
    first = {"role": "customer", "text": "how do I export my invoices?", "message_id": "m-1"}
    async with client_for(runtime) as c:
        answer = (await c.post("/v1/conversations/c-r/messages", json=first)).json()
        again = await c.post("/v1/conversations/c-r/messages", json=first)
        urgent = await c.post("/v1/conversations/c-r/messages",
                              json={**first, "text": "cancel my account, I want a human NOW"})
        as_ai = await c.post("/v1/conversations/c-r/messages", json={**first, "role": "ai"})
    assert again.status_code == 200 and again.json() == answer
    assert urgent.status_code == 409 and "m-1" in urgent.json()["error"] and "different message" in urgent.json()["error"]
    assert as_ai.status_code == 409
    with runtime.sessions() as s:
        assert s.scalar(select(func.count()).select_from(MessageRow)) == 1
