"""The optional second opinion against a respx-mocked OpenAI-compatible endpoint."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import respx

from connectors.second_opinion import LLMSecondOpinion
from handoff.core.decide.config import SecondOpinion
from handoff.core.decide.second_opinion import Doubt, Verdict

BASE = "http://llm.test/v1"
ENDPOINT = f"{BASE}/chat/completions"
KEY = "sk-test-DO-NOT-LOG-0987654321"
DOUBT = Doubt(4, "billing_dispute", 0.66, 0.7, False)
TEXTS = ("hi, question about my invoice", "my card 4242 4242 4242 4242 shows a charge twice, write to ana@example.com")


def completion(content: Any, finish_reason: str = "stop") -> dict[str, Any]:
    return {"id": "c1", "object": "chat.completion", "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish_reason}]}


def judge(timeout_ms: int = 2000, key: str | None = KEY, **kw: Any) -> LLMSecondOpinion:
    return LLMSecondOpinion(SecondOpinion(enabled=True, url=BASE + "/", model="judge-1", timeout_ms=timeout_ms, **kw), key)


@respx.mock
async def test_a_yes_is_a_verdict_to_escalate_with_its_category_and_why() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion(
        '{"escalate": true, "category": "billing_dispute", "why": "Customer disputes a duplicate charge."}')))
    verdict = await judge().ask(TEXTS, DOUBT)
    assert verdict == Verdict(True, "billing_dispute", "Customer disputes a duplicate charge.")
    sent = json.loads(route.calls.last.request.content)
    assert sent["model"] == "judge-1" and sent["temperature"] == 0
    assert route.calls.last.request.headers["authorization"] == f"Bearer {KEY}"
    prompt = sent["messages"][1]["content"]
    assert prompt.index("invoice") < prompt.index("charge twice")  # oldest first, the turn itself last
    assert "4242 4242 4242 4242" not in prompt and "ana@example.com" not in prompt  # masked before it leaves


@respx.mock
async def test_a_no_is_a_verdict_not_to_escalate() -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion(
        '```json\n{"escalate": false, "category": null, "why": "A routine billing question."}\n```')))
    assert await judge().ask(TEXTS, DOUBT) == Verdict(False, None, "A routine billing question.")


@respx.mock
async def test_no_answer_within_the_budget_is_no_verdict_and_takes_the_budget_only() -> None:
    async def never(_request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()  # an upstream that never answers
        raise AssertionError

    respx.post(ENDPOINT).mock(side_effect=never)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await judge(timeout_ms=100).ask(TEXTS, DOUBT) is None
    assert loop.time() - started < 1.0


@pytest.mark.parametrize("status", [500, 502, 429, 401])
@respx.mock
async def test_an_http_error_is_no_verdict(status: int) -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(status, json={"error": "boom"}))
    assert await judge().ask(TEXTS, DOUBT) is None


@respx.mock
async def test_a_connection_error_is_no_verdict() -> None:
    respx.post(ENDPOINT).mock(side_effect=httpx.ConnectError("refused"))
    assert await judge().ask(TEXTS, DOUBT) is None


@pytest.mark.parametrize("content", [
    "Yes, escalate this one.",                                         # prose
    '{"escalate": "yes", "why": "x"}',                                 # not a boolean
    '{"escalate": true}',                                              # no why
    '{"escalate": true, "why": "  "}',                                 # empty why
    '{"escalate": true, "category": "pizza", "why": "x"}',             # a category nobody routes
    '{"escalate": true, "why": "x", "confidence": 0.9}',               # a key not asked for
    '[{"escalate": true, "why": "x"}]',                                # not an object
    '{"escalate": true, "why": "x"',                                   # cut short
    None,                                                              # no content
])
@respx.mock
async def test_anything_but_the_json_asked_for_is_no_verdict(content: Any) -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion(content)))
    assert await judge().ask(TEXTS, DOUBT) is None


@respx.mock
async def test_a_body_that_is_not_a_completion_is_no_verdict() -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, text="<html>gateway</html>"))
    assert await judge().ask(TEXTS, DOUBT) is None
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json={"choices": []}))
    assert await judge().ask(TEXTS, DOUBT) is None


@respx.mock
async def test_a_filtered_answer_is_no_verdict() -> None:
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion(
        '{"escalate": true, "why": "x"}', finish_reason="content_filter")))
    assert await judge().ask(TEXTS, DOUBT) is None


@respx.mock
async def test_the_prompt_keeps_the_newest_text_within_max_chars() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion('{"escalate": false, "why": "ok"}')))
    await judge(max_chars=300).ask(("old " * 200, "the newest message"), DOUBT)
    prompt = json.loads(route.calls.last.request.content)["messages"][1]["content"]
    assert prompt.endswith("Customer: the newest message") and len(prompt) < 400


@respx.mock
async def test_the_key_is_in_no_log_line_nor_the_repr(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    respx.post(ENDPOINT).mock(return_value=httpx.Response(500))
    j = judge()
    await j.ask(TEXTS, DOUBT)
    assert KEY not in repr(j) and "key=set" in repr(j)
    assert KEY not in caplog.text and "HTTP 500" in caplog.text


@respx.mock
async def test_without_a_key_no_authorization_header_is_sent() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion('{"escalate": false, "why": "ok"}')))
    assert await judge(key=None).ask(TEXTS, DOUBT) == Verdict(False, None, "ok")
    assert "authorization" not in route.calls.last.request.headers


def test_off_by_default_builds_nothing() -> None:
    assert LLMSecondOpinion.from_settings(SecondOpinion(), KEY) is None
    assert isinstance(LLMSecondOpinion.from_settings(SecondOpinion(enabled=True), KEY), LLMSecondOpinion)
