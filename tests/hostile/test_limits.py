"""Hostile bodies on the /v1 API: each gets a 4xx that says what is wrong (never a 500), and nothing is stored."""
from __future__ import annotations

import json

import anyio
import httpx
import pytest
from sqlalchemy import func, select

from handoff.bootstrap import build_runtime
from handoff.edge.http.limits import MAX_DEPTH, NUL_REPLACEMENT, install_request_limits
from handoff.storage.tables import HandoffRow, MessageRow
from tests.hostile.conftest import hostile_app

KEY = "limits-key-0123456789"
AUTH = {"Authorization": f"Bearer {KEY}"}
TURN = "/v1/conversations/c-1/messages"
LIMIT = 64 * 1024


@pytest.fixture
def runtime(make_config):
    rt = build_runtime(make_config(f"[service]\nmax_body_bytes = {LIMIT}\n", HANDOFF_API_KEYS=KEY))
    yield rt
    rt.close()


@pytest.fixture
async def api(runtime):
    transport = httpx.ASGITransport(app=hostile_app(runtime), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as client:
        yield client


def stored(rt, table=MessageRow) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(table))


def nested(depth: int) -> bytes:
    return b'{"role": "customer", "text": "hi", "extra": ' + b"[" * depth + b"]" * depth + b"}"


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize(
    ("body", "headers", "status", "error"),
    [
        (nested(10_000), JSON, 400, "nested too deeply"),  # json alone would raise RecursionError
        (b"[" * 30_000 + b"]" * 30_000, JSON, 400, "nested too deeply"),
        (nested(MAX_DEPTH), JSON, 400, "nested too deeply"),  # the body object itself is one level
        ('{"role": "customer", "text": "caf\xe9"}'.encode("latin-1"), JSON, 400, "not valid UTF-8"),
        (b'{"role": "customer", "text": "\xed\xa0\x80"}', JSON, 400, "not valid UTF-8"),  # surrogate, UTF-8 encoded
        (json.dumps({"role": "customer", "text": "hi"}).encode("utf-16"), JSON, 400, "not valid UTF-8"),
        (b'{"role": "customer", "text": "hi"', JSON, 400, "not valid JSON"),
        (b'{"role": "ai", "text": "hi", "confidence": NaN}', JSON, 400, "NaN"),
        (b'{"role": "ai", "text": "hi", "n": 1' + b"0" * 5000 + b"}", JSON, 400, "not valid JSON"),
        (b"role=customer&text=hi", {"Content-Type": "application/x-www-form-urlencoded"}, 415, "application/json"),
        (b"hello", {"Content-Type": "text/plain"}, 415, "text/plain"),
        (b'{"role": "customer", "text": "hi"}', {"Content-Type": "application/json; charset=utf-16"}, 415, "charset"),
        (b'{"role": "customer", "text": "hi \\ud800 there"}', JSON, 422, "text: "),
        (b'{"role": "customer", "text": "hi", "\\udfff": 1}', JSON, 422, "lone surrogates"),
        (b'{"role": "customer", "text": "hi", "customer": {"name": "\\ud83d"}}', JSON, 422, "customer.name"),
        (json.dumps({"role": "customer", "text": "x" * 32_001}).encode(), JSON, 422, "text"),
        (json.dumps({"role": "customer", "text": "   "}).encode(), JSON, 422, "blank"),
        (b'"just a string"', JSON, 422, "body"),
    ],
    ids=["deep-10k", "deep-top-level", "one-level-too-deep", "latin-1", "encoded-surrogate", "utf-16",
         "truncated", "nan", "4300-digit-int", "form", "text-plain", "charset-utf-16", "lone-surrogate",
         "surrogate-key", "surrogate-nested", "text-over-field-limit", "blank-text", "not-an-object"],
)
async def test_refused_with_a_clear_4xx_and_nothing_stored(api, runtime, body, headers, status, error):
    r = await api.post(TURN, content=body, headers={**AUTH, **headers})
    assert r.status_code == status, r.text
    assert error in r.json()["error"]
    assert stored(runtime) == 0


async def test_the_deepest_allowed_body_is_handled(api, runtime):
    """Past the depth check, it is parsed and validated: its made-up field is named (fields are not ignored)."""
    r = await api.post(TURN, content=nested(MAX_DEPTH - 1), headers={**AUTH, **JSON})
    assert r.status_code == 422 and r.json()["problems"] == [{"field": "extra", "message": "unknown field (a typo?)"}]


async def test_a_large_body_under_the_byte_limit_is_handled(api, runtime):
    body = json.dumps({"role": "customer", "text": "y" * 30_000, "ai_actions": ["z" * 500] * 50}).encode()
    assert 50_000 < len(body) < LIMIT
    r = await api.post(TURN, content=body, headers={**AUTH, **JSON})
    assert r.status_code == 200, r.text
    assert stored(runtime) == 1


async def test_a_200kb_body_under_the_default_limit_is_handled(make_config):
    rt = build_runtime(make_config(HANDOFF_API_KEYS=KEY))  # default service.max_body_bytes: 256 KiB
    try:
        # padded with white space: an unknown field would be refused
        body = json.dumps({"role": "customer", "text": "hello"}).encode()[:-1] + b" " * 200_000 + b"}"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hostile_app(rt)), base_url="http://t") as c:
            r = await c.post(TURN, content=body, headers={**AUTH, **JSON})
        assert r.status_code == 200 and r.json()["message_index"] == 0
    finally:
        rt.close()


async def test_over_the_limit_declared_is_413_before_reading(api, runtime):
    body = json.dumps({"role": "customer", "text": "x" * LIMIT}).encode()
    r = await api.post(TURN, content=body, headers={**AUTH, **JSON})
    assert r.status_code == 413 and str(LIMIT) in r.json()["detail"]
    assert stored(runtime) == 0


async def test_over_the_limit_chunked_is_413(api, runtime):
    async def chunks():
        yield b'{"role": "customer", "text": "'
        for _ in range(LIMIT // 1024 + 1):
            yield b"x" * 1024
        yield b'"}'

    r = await api.post(TURN, content=chunks(), headers={**AUTH, **JSON})
    assert "content-length" not in r.request.headers  # really chunked
    assert r.status_code == 413
    assert stored(runtime) == 0


async def test_a_lying_content_length_is_400(api):
    r = await api.post(TURN, content=b"{}", headers={**AUTH, **JSON, "Content-Length": "abc"})
    assert r.status_code == 400


@pytest.mark.parametrize("field", ["text", "message_id", "page_url"])
async def test_nul_characters_are_replaced_not_a_500(api, runtime, field):
    """PostgreSQL text refuses NUL (that was a 500 there); the turn is kept with U+FFFD in its place."""
    head = "https://app.example.com/" if field == "page_url" else ""  # a page_url must be a URL
    turn = {"role": "customer", "text": "hi", field: f"{head}a\u0000b"}
    r = await api.post(TURN, content=json.dumps(turn).encode(), headers={**AUTH, **JSON})
    assert r.status_code == 200, r.text
    with runtime.sessions() as s:
        row = s.scalars(select(MessageRow)).one()
    assert getattr(row, field) == f"{head}a{NUL_REPLACEMENT}b"


async def test_a_repeated_message_id_with_nul_is_still_the_same_message(api, runtime):
    turn = json.dumps({"role": "customer", "text": "hi", "message_id": "m\u00001"}).encode()
    first = await api.post(TURN, content=turn, headers={**AUTH, **JSON})
    again = await api.post(TURN, content=turn, headers={**AUTH, **JSON})
    assert first.json() == again.json() and stored(runtime) == 1


async def test_nul_in_a_handoff_reason_is_not_a_500(api, runtime):
    r = await api.post("/v1/conversations/c-2/handoff", json={"reason": "refund\u0000now"}, headers=AUTH)
    assert r.status_code == 201
    assert r.json()["reasons"][0]["evidence"] == f"refund{NUL_REPLACEMENT}now"
    assert stored(runtime, HandoffRow) == 1


async def test_an_empty_handoff_body_needs_no_content_type(api):
    r = await api.post("/v1/conversations/c-3/handoff", headers=AUTH)
    assert r.status_code == 201


async def test_the_api_key_is_checked_before_the_body_is_trusted(api, runtime):
    r = await api.post(TURN, json={"role": "customer", "text": "hi"}, headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and stored(runtime) == 0


def test_install_is_idempotent_and_sits_just_inside_the_body_limit(runtime):
    app = hostile_app(runtime)
    install_request_limits(app)
    names = [m.cls.__name__ for m in app.user_middleware]
    assert names.count("JsonBodyGuard") == 1
    assert names.index("JsonBodyGuard") == names.index("BodyLimit") + 1


def test_openapi_documents_the_error_answers(runtime):
    doc = hostile_app(runtime).openapi()
    assert "Error" in doc["components"]["schemas"]
    turn = doc["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]["responses"]
    assert {"200", "400", "401", "409", "413", "415", "422"} <= set(turn)
    assert turn["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    handoff = doc["paths"]["/v1/conversations/{conversation_id}/handoff"]["post"]["responses"]
    assert handoff["201"]["content"] == handoff["200"]["content"]
    assert "404" in doc["paths"]["/v1/handoffs/{handoff_id}"]["get"]["responses"]


# -- the key before the body ------------------------------------------------------------------------------

UNAUTHENTICATED = [{}, {"Authorization": "Bearer wrong"}, {"Authorization": "Basic " + KEY}]


@pytest.mark.parametrize("headers", UNAUTHENTICATED, ids=["no-key", "wrong-key", "not-bearer"])
@pytest.mark.parametrize(("body", "content_headers"), [
    (b'{"role": "customer", "text": ', JSON),  # not JSON: was a 400 naming the parse error
    (b'{"role": "robot"}', JSON),  # not the schema: was a 422 describing it
    (nested(10_000), JSON),
    (b"role=customer", {"Content-Type": "application/x-www-form-urlencoded"}),
    (b'{"role": "customer", "text": "' + b"x" * (2 * LIMIT) + b'"}', JSON),  # over the limit: was a 413
    (b"{}", {**JSON, "Content-Length": "abc"}),
], ids=["invalid-json", "schema-invalid", "deep", "form", "over-the-limit", "bad-length"])
async def test_without_a_valid_key_every_body_gets_401(api, runtime, headers, body, content_headers):
    r = await api.post(TURN, content=body, headers={**content_headers, **headers})
    assert r.status_code == 401, r.text
    assert r.json() == {"error": r.json()["error"]} and "key" in r.json()["error"]  # nothing about the body
    assert r.headers["connection"] == "close"
    assert stored(runtime) == 0


def asgi_scope(headers: list[tuple[bytes, bytes]]) -> dict:
    """An HTTP scope for a POST of a turn from a remote peer, as a server hands it to the app."""
    return {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
            "path": TURN, "raw_path": TURN.encode(), "query_string": b"", "root_path": "", "headers": headers,
            "client": ("203.0.113.9", 4000), "server": ("127.0.0.1", 8000)}


async def test_an_unauthenticated_body_is_never_read(runtime):
    """The gate answers from the headers: `receive` (the body) is never awaited, so nothing is parsed."""
    app = hostile_app(runtime)
    reads: list[str] = []
    sent: list[dict] = []

    async def receive():
        reads.append("body")
        return {"type": "http.request", "body": b'{"role": ', "more_body": True}

    async def send(message):
        sent.append(message)

    await app(asgi_scope([(b"content-type", b"application/json"), (b"content-length", b"100000000")]), receive, send)
    assert sent[0]["status"] == 401 and reads == []


async def test_without_keys_a_remote_caller_with_a_bad_body_gets_401(make_config):
    rt = build_runtime(make_config())
    try:
        transport = httpx.ASGITransport(app=hostile_app(rt), client=("203.0.113.9", 4000))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            r = await c.post(TURN, content=b'{"role": ', headers=JSON)
        assert r.status_code == 401 and "local" in r.json()["error"]
    finally:
        rt.close()


# -- a body that does not arrive --------------------------------------------------------------------------

async def test_a_body_that_does_not_arrive_in_time_is_408(make_config):
    rt = build_runtime(make_config("[service]\nbody_timeout_seconds = 0.2\n", HANDOFF_API_KEYS=KEY))
    app = hostile_app(rt)
    never = anyio.Event()
    chunks = [b'{"role": "customer", "text": "my card is 4111']
    sent: list[dict] = []

    async def receive():
        if chunks:
            return {"type": "http.request", "body": chunks.pop(), "more_body": True}
        await never.wait()  # a slow-loris client: the rest never comes

    async def send(message):
        sent.append(message)

    scope = asgi_scope([(b"content-type", b"application/json"), (b"authorization", f"Bearer {KEY}".encode())])
    try:
        with anyio.fail_after(10):  # a gross stall, not a timing goal: the deadline is 0.2 s
            await app(scope, receive, send)
        assert sent[0]["status"] == 408
        assert (b"connection", b"close") in sent[0]["headers"]
        assert b"0.2 s" in sent[1]["body"]
        assert stored(rt) == 0
    finally:
        rt.close()
