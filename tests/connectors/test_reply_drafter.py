"""The optional LLM drafter of suggested replies against a respx-mocked OpenAI-compatible endpoint."""
from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import httpx
import pytest
import respx

from connectors.reply_drafter import LLMReplyDrafter, parse_replies
from handoff.core.brief import ReplyDrafterSettings, reply_facts
from handoff.core.brief.replies import ReplyFacts
from handoff.core.models import AccountContext, Customer, Decision, KBArticle, Message, Reason, SourceResult
from handoff.core.similar import SimilarCase

BASE = "http://llm.test/v1"
ENDPOINT = f"{BASE}/chat/completions"
KEY = "sk-test-DO-NOT-LOG-1234567890"


def facts(language: str = "es") -> ReplyFacts:
    msgs = (
        Message("customer", "Me cobraron dos veces en la tarjeta 4242 4242 4242 4242, escribe a ana@example.com", 0),
        Message("ai", "Puede ser una autorización pendiente.", 1, confidence=0.5,
                kb_articles=(KBArticle("kb-1", "Cargos pendientes"),)),
        Message("customer", "Quiero hablar con una persona.", 2),
    )
    case = SimilarCase(ref="h_1", source="handoff", title="cobro doble", topic="billing", page=None,
                       resolution="Reembolsamos el cargo duplicado.", tags=(), resolved_in_seconds=60.0, score=1.0)
    account = AccountContext((SourceResult("stripe", "ok", {"open_disputes": [{"id": "dp_1", "amount": 4900}]}),))
    return reply_facts(messages=msgs, decision=Decision(True, (Reason("explicit_request", 2, "persona"),),
                                                        "billing_dispute", "high"),
                       account=account, customer=Customer(name="Ana", language=language), similar=(case,))


def completion(content: Any) -> dict[str, Any]:
    return {"choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}]}


def drafter(timeout: float = 2.0) -> LLMReplyDrafter:
    return LLMReplyDrafter(BASE, "test-model", KEY, timeout)


GOOD = ["Veo la disputa abierta en tu cuenta y la estoy revisando.", "¿Me confirmas la fecha del cargo?"]


@respx.mock
async def test_a_good_answer_gives_the_replies_and_the_request_is_masked() -> None:
    route = respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion(json.dumps(GOOD))))
    assert await drafter().draft(facts()) == tuple(GOOD)
    body = json.loads(route.calls.last.request.content)
    assert route.calls.last.request.headers["Authorization"] == f"Bearer {KEY}"
    assert "Spanish" in body["messages"][0]["content"] and body["model"] == "test-model"
    prompt = body["messages"][1]["content"]
    assert "Reembolsamos el cargo duplicado." in prompt and "Puede ser una autorización pendiente." in prompt
    assert "Case: billing_dispute" in prompt and "Veo la disputa abierta" in prompt  # the rules' replies to improve on
    sent = route.calls.last.request.content.decode()
    assert "4242 4242 4242 4242" not in sent and "ana@example.com" not in sent


@respx.mock
async def test_a_fenced_answer_is_accepted_and_what_comes_back_is_masked() -> None:
    fenced = "```json\n" + json.dumps(["Pay with 4111 1111 1111 1111 again.", "Second."]) + "\n```"
    respx.post(ENDPOINT).mock(return_value=httpx.Response(200, json=completion(fenced)))
    out = await drafter().draft(facts())
    assert out is not None and len(out) == 2 and "4111 1111 1111 1111" not in out[0]


GARBAGE = [
    ("prose", "Here are some replies: be kind."),
    ("one", json.dumps(["Only one."])),
    ("four", json.dumps(["a", "b", "c", "d"])),
    ("not strings", json.dumps([1, 2])),
    ("blank", json.dumps(["  ", "x"])),
    ("too long", json.dumps(["x" * 401, "y"])),
    ("object", json.dumps({"replies": GOOD})),
    ("duplicates", json.dumps(["Same.", "Same."])),
]


@pytest.mark.parametrize("content", [g[1] for g in GARBAGE], ids=[g[0] for g in GARBAGE])
def test_anything_but_a_list_of_two_or_three_short_strings_is_refused(content: str) -> None:
    assert parse_replies(content) is None


@respx.mock
async def test_garbage_or_an_error_returns_none(caplog: pytest.LogCaptureFixture) -> None:
    respx.post(ENDPOINT).mock(side_effect=[httpx.Response(200, json=completion("Sure! 1) Hi 2) Bye")),
                                           httpx.Response(500)])
    with caplog.at_level(logging.WARNING):
        assert await drafter().draft(facts()) is None
        assert await drafter().draft(facts()) is None
    assert "not a JSON list" in caplog.text and KEY not in caplog.text


@respx.mock
async def test_a_timeout_returns_none_within_the_budget() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()  # an upstream that never answers
        return httpx.Response(200, json=completion(json.dumps(GOOD)))

    respx.post(ENDPOINT).mock(side_effect=slow)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await drafter(timeout=0.2).draft(facts()) is None
    assert loop.time() - started < 5


def test_from_settings_is_off_by_default_and_the_key_is_not_in_the_repr() -> None:
    assert LLMReplyDrafter.from_settings(ReplyDrafterSettings(), KEY) is None
    on = LLMReplyDrafter.from_settings(ReplyDrafterSettings(enabled=True, url=BASE), KEY)
    assert on is not None and KEY not in repr(on) and "key=set" in repr(on)


def test_the_facts_carry_the_language_the_rules_and_the_resolutions() -> None:
    f = facts("fr-CA")
    assert f.language == "fr" and f.category == "billing_dispute"
    assert f.resolutions == ("Reembolsamos el cargo duplicado.",) and 2 <= len(f.rules) <= 3
    assert f.ai_tried == ("Puede ser una autorización pendiente.",) and len(f.transcript) == 3
