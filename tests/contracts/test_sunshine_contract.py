"""The Sunshine connector's real calls (sunshine-conversations-client) against FakeSunshine, every exchange
checked against a description of the Switchboard actions written from Zendesk's public API reference and the
client's models (specs/sunshine.yaml), and every metadata object against Sunshine's 4 KB."""
from __future__ import annotations

import json

import pytest

from connectors.errors import UpstreamError
from connectors.sunshine import SunshineConnector
from handoff.devtools.fakes.http import Exchange, FakeRequest, FakeResponse
from handoff.devtools.fakes.sunshine import FakeSunshine
from tests.contracts.support import check_exchanges

HOST = "https://api.smooch.io"
CONV = "5e4af71a81966cfff3ef6550"
OPERATIONS = {"POST passControl", "POST releaseControl"}


async def run_everything(connector: SunshineConnector, fake: FakeSunshine) -> None:
    """Every call the connector makes, and the failures the fake answers with."""
    fake.add_conversation(CONV)
    await connector.pass_control(CONV, {"handoff_id": "h_1", "handoff_summary": "Charged twice",
                                        "handoff_priority": "high", "handoff_team": "billing"})
    await connector.release_control(CONV, {"handoff_id": "h_1", "handoff_release_reason": "solved by the bot"})
    await connector.release_control(CONV)
    await connector.pass_control(CONV, {"handoff_id": "h_2", "handoff_summary": "Rückerstattung bitte " * 500})
    fake.fail_next(429, headers={"Retry-After": "3"})
    fake.fail_next(503)
    for _ in range(2):
        with pytest.raises(UpstreamError):
            await connector.pass_control(CONV, {"handoff_id": "h_3"})
    with pytest.raises(UpstreamError):
        await connector.release_control("unknown-conversation")


async def test_every_request_and_answer_matches_the_description(sunshine_connector, fake_sunshine) -> None:
    await run_everything(sunshine_connector, fake_sunshine)

    problems, covered = check_exchanges("sunshine", fake_sunshine.exchanges, HOST)

    assert problems == []
    assert covered == OPERATIONS
    assert {e.response.status for e in fake_sunshine.exchanges} == {200, 404, 429, 503}


async def test_every_metadata_sent_is_within_4_kb_as_sent(sunshine_connector, fake_sunshine) -> None:
    await run_everything(sunshine_connector, fake_sunshine)
    sent = [json.loads(e.request.body).get("metadata") for e in fake_sunshine.exchanges if e.request.body]
    assert len([m for m in sent if m]) >= 3
    for metadata in filter(None, sent):
        assert len(json.dumps(metadata).encode()) <= 4096
        assert all(isinstance(v, (str, int, float, bool)) for v in metadata.values())


async def test_a_wrong_key_gets_the_documented_error(fake_sunshine) -> None:
    fake_sunshine.add_conversation(CONV)
    connector = SunshineConnector(fake_sunshine.key_id, "wrong", app_id=fake_sunshine.app_id, url=fake_sunshine.url)
    with pytest.raises(UpstreamError):
        await connector.pass_control(CONV, {"handoff_id": "h_1"})
    connector.close()
    problems, _ = check_exchanges("sunshine", fake_sunshine.exchanges, HOST)
    assert problems == [] and fake_sunshine.exchanges[0].response.status == 401


def an_exchange(path: str, body: object, *, status: int = 200, answer: object = None,
                auth: str | None = "Basic YXBwX2s6cw==") -> Exchange:
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"content-type": "application/json", **({"authorization": auth} if auth else {})}
    request = FakeRequest("POST", path, {}, headers, raw, body)
    return Exchange(request, FakeResponse(status, {} if answer is None else answer))


PASS = f"/v2/apps/app1/conversations/{CONV}/passControl"
RELEASE = f"/v2/apps/app1/conversations/{CONV}/releaseControl"


@pytest.mark.parametrize(("exchange", "problem"), [
    (an_exchange(PASS, {"metadata": {"handoff_id": "h_1"}}), "InvalidRequestBody"),  # no switchboardIntegration
    (an_exchange(PASS, {"switchboard_integration": "zd-agentWorkspace"}), "InvalidRequestBody"),  # snake case
    (an_exchange(PASS, {"switchboardIntegration": "x", "metadata": {"nested": {"a": 1}}}), "InvalidRequestBody"),
    (an_exchange(PASS, {"switchboardIntegration": "x", "metadata": {"list": [1]}}), "InvalidRequestBody"),
    (an_exchange(RELEASE, {"reason": "the customer is happy"}), "InvalidRequestBody"),
    (an_exchange(PASS, {"switchboardIntegration": "x"}, auth=None), "Security"),
    (an_exchange(f"/v2/apps/app1/conversations/{CONV}/offerControl", {"switchboardIntegration": "x"}),
     "no such operation"),
    (an_exchange(PASS, {"switchboardIntegration": "x"}, status=404, answer={"errors": "not found"}), "errors"),
])
def test_the_check_catches(exchange: Exchange, problem: str) -> None:
    problems, _ = check_exchanges("sunshine", [exchange], HOST)
    assert any(problem in p for p in problems), problems
