"""The second opinion on the turn path: asked on doubtful turns only, within its budget, never when off."""
from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import httpx
import pytest
import respx

from handoff.bootstrap import build_runtime
from handoff.app.turns import TurnInput
from tests.handoff.core.decide.test_second_opinion import P, TEXT

BASE = "http://judge.test/v1"
ENDPOINT = f"{BASE}/chat/completions"


def _count(verdict: str) -> float:
    from handoff import metrics

    return metrics.REGISTRY.get_sample_value("handoff_second_opinions_total", {"verdict": verdict}) or 0.0


def answer(obj: object) -> httpx.Response:
    return httpx.Response(200, json={"choices": [{"message": {"content": json.dumps(obj)}, "finish_reason": "stop"}]})


@pytest.fixture
def runtime(make_config) -> Iterator:
    """make(toml) -> a runtime whose learned threshold sits just above TEXT's probability (a doubtful turn)."""
    made = []

    def make(second_opinion: str = "", *, threshold: float = P + 0.05) -> object:
        toml = f"[triggers.learned]\nthreshold = {threshold}\nthresholds = {{}}\n{second_opinion}"
        rt = build_runtime(make_config(toml, HANDOFF_SECOND_OPINION_API_KEY="sk-judge-secret"))
        rt.service.on_handoff = lambda _id: None
        made.append(rt)
        return rt

    yield make
    for rt in made:
        rt.close()


ON = f'[triggers.second_opinion]\nenabled = true\nurl = "{BASE}"\nband = 0.1\ntimeout_ms = 300\n'


@respx.mock
async def test_off_by_default_no_request_is_made(runtime) -> None:
    route = respx.post(ENDPOINT).mock(return_value=answer({"escalate": True, "why": "x"}))
    rt = runtime()
    assert rt.service.second_opinion is None
    out = await rt.service.post_message("c1", TurnInput(role="customer", text=TEXT))
    assert out["decision"] == "continue" and not route.called


@respx.mock
async def test_a_yes_on_a_doubtful_turn_hands_off_with_the_verdict_as_a_reason(runtime) -> None:
    route = respx.post(ENDPOINT).mock(return_value=answer(
        {"escalate": True, "category": "billing_dispute", "why": "Disputes a payment."}))
    rt = runtime(ON)
    out = await rt.service.post_message("c1", TurnInput(role="customer", text=TEXT))
    assert out["decision"] == "handoff" and out["category"] == "billing_dispute"
    assert [r["trigger"] for r in out["reasons"]] == ["second_opinion"]
    assert out["reasons"][0]["evidence"] == "Disputes a payment."
    assert route.call_count == 1
    request = route.calls.last.request
    assert request.headers["authorization"] == "Bearer sk-judge-secret"
    assert json.loads(request.content)["messages"][1]["content"] == f"Customer: {TEXT}"


@respx.mock
async def test_the_model_reads_the_recent_customer_messages_oldest_first(runtime) -> None:
    route = respx.post(ENDPOINT).mock(return_value=answer({"escalate": True, "why": "Unclear payment."}))
    rt = runtime(ON.replace("band = 0.1", "band = 1.0").replace("enabled = true", "enabled = true\ncustomer_messages = 3"))
    for i in range(4):
        await rt.service.post_message("c1", TurnInput(role="ai", text=f"Anything else? ({i})", confidence=0.9))
        out = await rt.service.post_message("c1", TurnInput(role="customer", text=f"question number {i}"))
        if out["decision"] == "handoff":
            break
    assert route.called
    prompt = json.loads(route.calls[0].request.content)["messages"][1]["content"]
    assert prompt.startswith("Customer: question number 0")  # no AI text, the turn's own message last
    assert "Anything else" not in prompt
    out = await rt.service.post_message("c2", TurnInput(role="customer", text="first"))
    await rt.service.post_message("c2", TurnInput(role="customer", text="second"))
    await rt.service.post_message("c2", TurnInput(role="customer", text="third"))
    last = json.loads(route.calls.last.request.content)["messages"][1]["content"]
    assert last.splitlines()[-1].startswith("Customer: ") and len(last.splitlines()) <= 3


@respx.mock
async def test_a_no_keeps_the_turn_with_the_ai(runtime) -> None:
    route = respx.post(ENDPOINT).mock(return_value=answer({"escalate": False, "category": None, "why": "Routine."}))
    rt = runtime(ON)
    before = _count("keep")
    out = await rt.service.post_message("c1", TurnInput(role="customer", text=TEXT))
    assert out["decision"] == "continue" and route.call_count == 1
    assert _count("keep") == before + 1


@respx.mock
async def test_a_no_withdraws_a_handoff_only_the_learned_layer_wanted(runtime) -> None:
    respx.post(ENDPOINT).mock(return_value=answer({"escalate": False, "why": "Routine."}))
    rt = runtime(ON, threshold=P - 0.01)
    out = await rt.service.post_message("c1", TurnInput(role="customer", text=TEXT))
    assert out["decision"] == "continue"


@pytest.mark.parametrize("upstream", ["timeout", "garbage", "500"])
@respx.mock
async def test_no_usable_answer_keeps_the_local_decision_within_the_budget(runtime, upstream: str) -> None:
    asked = []

    async def never(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        await asyncio.Event().wait()  # an upstream that never answers
        raise AssertionError

    route = respx.post(ENDPOINT)
    if upstream == "timeout":
        route.mock(side_effect=never)
    elif upstream == "garbage":
        route.mock(return_value=httpx.Response(200, json={"choices": [{"message": {"content": "yes!!"}}]}))
    else:
        route.mock(return_value=httpx.Response(500))
    rt = runtime(ON, threshold=P - 0.01)  # locally the learned layer hands off
    loop = asyncio.get_running_loop()
    started = loop.time()
    out = await rt.service.post_message("c1", TurnInput(role="customer", text=TEXT))
    assert out["decision"] == "handoff" and [r["trigger"] for r in out["reasons"]] == ["learned_intent"]
    assert route.call_count + len(asked) == 1
    assert loop.time() - started < 5  # the 300 ms budget, not the upstream's silence, bounded the wait


@respx.mock
async def test_turns_not_in_doubt_ask_nothing(runtime) -> None:
    route = respx.post(ENDPOINT).mock(return_value=answer({"escalate": True, "why": "x"}))
    rt = runtime(ON)
    await rt.service.post_message("c1", TurnInput(role="ai", text="Hi! How can I help?", confidence=0.9))
    out = await rt.service.post_message("c1", TurnInput(role="customer", text="can I talk to a real person please"))
    assert out["decision"] == "handoff" and not route.called  # a rule decided


@respx.mock
async def test_a_stalled_model_holds_only_its_own_turn_not_the_event_loop(runtime) -> None:
    asked: list[httpx.Request] = []
    release = asyncio.Event()

    async def stalled(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        await release.wait()
        return answer({"escalate": False, "why": "late"})

    respx.post(ENDPOINT).mock(side_effect=stalled)
    rt = runtime(ON.replace("timeout_ms = 300", "timeout_ms = 5000"))
    doubtful = asyncio.create_task(rt.service.post_message("c1", TurnInput(role="customer", text=TEXT)))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10
    while not asked and loop.time() < deadline:
        await asyncio.sleep(0.01)  # poll until the judge is being asked
    assert asked
    other = await rt.service.post_message("c2", TurnInput(role="ai", text="Here is the export button.", confidence=0.9))
    assert other["decision"] == "continue" and not doubtful.done()  # answered while c1 still waits
    release.set()
    assert (await doubtful)["decision"] == "continue"
