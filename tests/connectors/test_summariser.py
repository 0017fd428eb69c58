"""The optional LLM summariser against a respx-mocked OpenAI-compatible endpoint."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import respx

from connectors.summariser import LLMSummariser
from handoff.core.brief import Briefing, BriefingSettings, SummariserSettings, build_briefing
from handoff.core.models import AccountContext, AccountSignals, Customer, Decision, Message, Reason, SourceResult

BASE = "http://llm.test/v1"
ENDPOINT = f"{BASE}/chat/completions"
KEY = "sk-test-DO-NOT-LOG-1234567890"


def briefing() -> Briefing:
    msgs = (
        Message("customer", "My card 4242 4242 4242 4242 was charged twice, mail me at ana@example.com", 0),
        Message("ai", "I think it is a pending authorization.", 1, confidence=0.5),
        Message("customer", "Get me a human. token sk_live_abcdefgh12345678", 2),
    )
    return build_briefing(
        conversation_id="c-1",
        messages=msgs,
        decision=Decision(True, (Reason("explicit_request", 2, "Get me a human"),), "billing_dispute", "high"),
        account=AccountContext(
            (SourceResult("stripe", "ok", {"mrr": {"amount": 99.0, "currency": "usd"}}),), AccountSignals(tier="pro")
        ),
        route=None,
        customer=Customer(name="Ana"),
        page_url="https://app.example.com/settings/billing",
        settings=BriefingSettings(),
    )


def completion(content: Any, finish_reason: str = "stop") -> dict[str, Any]:
    return {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}],
    }


def summariser(timeout: float = 2.0, client: httpx.AsyncClient | None = None, key: str | None = KEY) -> LLMSummariser:
    return LLMSummariser(BASE + "/", "test-model", key, timeout, client)


@respx.mock
async def test_success_returns_one_clean_line() -> None:
    route = respx.post(ENDPOINT).mock(
        return_value=httpx.Response(200, json=completion('  "Pro customer double-charged,\n wants a human."  '))
    )
    out = await summariser().summarise(briefing())
    assert out == "Pro customer double-charged, wants a human."
    assert route.call_count == 1
    req = route.calls.last.request
    assert req.headers["Authorization"] == f"Bearer {KEY}"
    body = json.loads(req.content)
    assert body["model"] == "test-model"
    assert body["messages"][0]["role"] == "system"
    assert body["max_tokens"] == 120 and body["temperature"] == 0


@respx.mock
async def test_what_is_sent_is_masked() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion("A fine summary line.")))
    await summariser().summarise(briefing())
    sent = route.calls.last.request.content.decode()
    for secret in ("4242 4242 4242 4242", "ana@example.com", "sk_live_abcdefgh12345678"):
        assert secret not in sent
    prompt = json.loads(sent)["messages"][1]["content"]
    assert "Customer: My card •••• 4242 was charged twice" in prompt
    assert "Category: billing_dispute" in prompt and "stripe MRR: $99.00" in prompt


@respx.mock
async def test_bare_messages_are_accepted() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion("Customer wants a refund now.")))
    out = await summariser().summarise([Message("customer", "refund please", 0)])
    assert out == "Customer wants a refund now."
    assert "Customer: refund please" in json.loads(route.calls.last.request.content)["messages"][1]["content"]


@respx.mock
async def test_no_key_sends_no_authorization_header() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion("Local model summary here.")))
    await summariser(key=None).summarise(briefing())
    assert "Authorization" not in route.calls.last.request.headers


FAILURES = [
    ("500", httpx.Response(500, json={"error": {"message": "boom"}})),
    ("401", httpx.Response(401, json={"error": {"message": "bad key"}})),
    ("429", httpx.Response(429, headers={"Retry-After": "5"})),
    ("garbage", httpx.Response(200, content=b"<html>not json</html>")),
    ("missing choices", httpx.Response(200, json={"id": "x", "object": "chat.completion"})),
    ("empty choices", httpx.Response(200, json={"choices": []})),
    ("null content", httpx.Response(200, json=completion(None))),
    ("non-string content", httpx.Response(200, json=completion(["a"]))),
    ("blank content", httpx.Response(200, json=completion("   "))),
    ("content filter", httpx.Response(200, json=completion("Something long enough here", "content_filter"))),
    ("json list", httpx.Response(200, json=[1, 2, 3])),
]


@pytest.mark.parametrize("response", [f[1] for f in FAILURES], ids=[f[0] for f in FAILURES])
@respx.mock
async def test_failures_return_none(response: httpx.Response) -> None:
    respx.post(ENDPOINT).mock(return_value=response)
    assert await summariser().summarise(briefing()) is None


@pytest.mark.parametrize(
    "error", [httpx.ConnectError("refused"), httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("bad")]
)
@respx.mock
async def test_transport_errors_return_none(error: Exception) -> None:
    respx.post(ENDPOINT).mock(side_effect=error)
    assert await summariser().summarise(briefing()) is None


@respx.mock
async def test_overall_timeout_returns_none_quickly() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()  # an upstream that never answers
        return httpx.Response(200, json=completion("too late"))

    respx.post(ENDPOINT).mock(side_effect=slow)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await summariser(timeout=0.2).summarise(briefing()) is None
    assert loop.time() - started < 5


@respx.mock
async def test_uses_the_given_client() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion("Summary from shared client.")))
    async with httpx.AsyncClient() as client:
        out = await summariser(client=client).summarise(briefing())
        assert not client.is_closed
    assert out == "Summary from shared client."
    assert route.call_count == 1


@respx.mock
async def test_key_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(401, json={"error": {"message": f"bad key {KEY}"}}))
    s = summariser()
    with caplog.at_level(logging.DEBUG):
        assert await s.summarise(briefing()) is None
    assert caplog.records, "the failure is logged"
    assert KEY not in caplog.text
    assert KEY not in repr(s)


@respx.mock
async def test_long_answer_is_clipped_and_masked() -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion("Customer ana@example.com " + "word " * 200)))
    out = await summariser().summarise(briefing())
    assert out is not None and len(out) <= 300
    assert "ana@example.com" not in out


async def test_long_transcript_keeps_recent_turns() -> None:
    msgs = [Message("customer", f"message {i} " + "x" * 500, i) for i in range(100)]
    s = LLMSummariser(BASE, "m", None, 1.0, max_transcript_chars=2000)
    prompt = s.request_body(msgs)["messages"][1]["content"]
    assert "[earlier messages omitted]" in prompt
    assert "message 99 " in prompt and "message 0 " not in prompt
    assert len(prompt) < 3000


def test_from_settings() -> None:
    assert LLMSummariser.from_settings(SummariserSettings(), KEY) is None
    s = LLMSummariser.from_settings(SummariserSettings(enabled=True, url=BASE, model="m", max_tokens=50), KEY)
    assert s is not None
    assert s.request_body([])["max_tokens"] == 50


@respx.mock
async def test_briefing_falls_back_to_extractive_summary() -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(500))
    b = briefing()
    line = await summariser().summarise(b)
    final = b.with_summary(line) if line else b
    assert final.summary == b.extractive_summary and final.summary_source == "extractive"
