"""The Sunshine Conversations connector (real sunshine-conversations-client) against FakeSunshine: the
Switchboard's pass and release, basic authentication, and each failure as the project's error."""
from __future__ import annotations

import base64
import json
import socket
import time

import pytest

from connectors.errors import AuthFailed, NotFound, RateLimited, Rejected, Unavailable
from connectors.sunshine import SunshineConnector, api_url, error_for
from handoff.core.render.switchboard import METADATA_MAX_BYTES, metadata_size
from handoff.devtools.fakes.sunshine import FakeSunshine

CONV = "5e4af71a81966cfff3ef6550"
META = {"handoff_id": "h_1", "handoff_summary": "Charged twice for March", "handoff_priority": "high"}


async def test_pass_control_makes_the_agent_workspace_active_with_the_metadata(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    result = await sunshine_connector.pass_control(CONV, META)
    assert result == {"action": "pass", "app_id": fake_sunshine.app_id, "conversation_id": CONV,
                      "switchboard_integration": "zd-agentWorkspace"}
    assert fake_sunshine.conversations[(fake_sunshine.app_id, CONV)]["active"] == "zd-agentWorkspace"
    [request] = fake_sunshine.requests
    assert request.method == "POST"
    assert request.path == f"/v2/apps/{fake_sunshine.app_id}/conversations/{CONV}/passControl"
    assert request.json == {"switchboardIntegration": "zd-agentWorkspace", "metadata": META}
    expected = base64.b64encode(f"{fake_sunshine.key_id}:{fake_sunshine.key_secret}".encode()).decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["content-type"].startswith("application/json")


async def test_release_control_gives_the_conversation_back_to_the_bot(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    await sunshine_connector.pass_control(CONV, META)
    result = await sunshine_connector.release_control(CONV, {"handoff_id": "h_1"})
    assert result == {"action": "release", "app_id": fake_sunshine.app_id, "conversation_id": CONV}
    assert fake_sunshine.conversations[(fake_sunshine.app_id, CONV)]["active"] == "bot"
    assert fake_sunshine.requests[-1].path.endswith(f"/conversations/{CONV}/releaseControl")
    assert fake_sunshine.requests[-1].json == {"metadata": {"handoff_id": "h_1"}}
    await sunshine_connector.release_control(CONV)
    assert fake_sunshine.requests[-1].json == {}  # no metadata: an empty body, as the API takes it
    assert fake_sunshine.actions_on(CONV) == ["pass", "release", "release"]


async def test_the_integration_and_app_come_from_the_settings_or_the_call(fake_sunshine):
    fake_sunshine.add_conversation(CONV)
    connector = SunshineConnector(fake_sunshine.key_id, fake_sunshine.key_secret, app_id="other-app",
                                  url=fake_sunshine.url, switchboard_integration="tier2-desk", timeout=2)
    with pytest.raises(NotFound):  # the connector's own app is unknown to this fake
        await connector.pass_control(CONV, META)
    await connector.pass_control(CONV, META, app_id=fake_sunshine.app_id)
    assert fake_sunshine.actions[-1]["body"]["switchboardIntegration"] == "tier2-desk"
    connector.close()


async def test_metadata_over_4_kb_is_cut_before_it_is_sent(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    big = {**META, "handoff_summary": "Ärger mit der Rechnung " * 400}
    await sunshine_connector.pass_control(CONV, big)
    sent = fake_sunshine.actions[-1]["body"]["metadata"]
    assert metadata_size(sent) <= METADATA_MAX_BYTES
    assert sent["handoff_id"] == "h_1" and sent["handoff_priority"] == "high"
    assert sent["handoff_summary"].startswith("Ärger mit der Rechnung") and sent["handoff_summary"].endswith("…")
    # the bytes on the wire are what was measured
    raw = json.loads(fake_sunshine.requests[-1].body)["metadata"]
    assert len(json.dumps(raw).encode()) <= METADATA_MAX_BYTES


async def test_card_numbers_never_reach_sunshine(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    await sunshine_connector.pass_control(CONV, {**META, "handoff_summary": "card 4242 4242 4242 4242 charged twice"})
    assert b"4242 4242 4242 4242" not in fake_sunshine.requests[-1].body


async def test_wrong_key_is_auth_failed_and_never_retried(fake_sunshine):
    fake_sunshine.add_conversation(CONV)
    connector = SunshineConnector(fake_sunshine.key_id, "not-the-secret", app_id=fake_sunshine.app_id,
                                  url=fake_sunshine.url, timeout=2)
    with pytest.raises(AuthFailed) as e:
        await connector.pass_control(CONV, META)
    assert not e.value.transient and "unauthorized" in str(e.value)
    assert "not-the-secret" not in str(e.value) and "not-the-secret" not in repr(connector)
    connector.close()


async def test_an_integration_key_cannot_release_from_the_agent_workspace(sunshine_connector, fake_sunshine):
    """Sunshine refuses releaseControl with an integration-scoped key unless that integration is active: an app
    key is needed to hand a conversation back (the README says so, and start-up warns of an int_ key)."""
    fake_sunshine.scope = "integration"
    fake_sunshine.add_conversation(CONV)
    await sunshine_connector.pass_control(CONV, META)
    with pytest.raises(AuthFailed) as e:
        await sunshine_connector.release_control(CONV)
    assert not e.value.transient and "HTTP 403" in str(e.value)


async def test_unknown_conversation_is_not_found(fake_sunshine, sunshine_connector):
    with pytest.raises(NotFound) as e:
        await sunshine_connector.pass_control("no-such-conversation", META)
    assert not e.value.transient and "conversation_not_found" in str(e.value)


async def test_429_keeps_retry_after(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    fake_sunshine.fail_next(429, headers={"Retry-After": "7"})
    with pytest.raises(RateLimited) as e:
        await sunshine_connector.pass_control(CONV, META)
    assert e.value.transient and e.value.retry_after == 7.0
    assert fake_sunshine.actions == []  # the client did not retry by itself
    await sunshine_connector.pass_control(CONV, META)
    assert fake_sunshine.actions_on(CONV) == ["pass"]


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_unavailable_without_retries_inside_the_client(fake_sunshine, sunshine_connector, status):
    fake_sunshine.add_conversation(CONV)
    fake_sunshine.fail_next(status, times=2)
    with pytest.raises(Unavailable) as e:
        await sunshine_connector.pass_control(CONV, META)
    assert e.value.transient and f"HTTP {status}" in str(e.value)
    assert len(fake_sunshine.requests) == 1  # urllib3's retries are off: the outbox retries, with backoff


async def test_other_4xx_is_rejected(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    fake_sunshine.fail_next(400)
    with pytest.raises(Rejected) as e:
        await sunshine_connector.pass_control(CONV, META)
    assert not e.value.transient


async def test_a_slow_sunshine_times_out(fake_sunshine):
    fake_sunshine.add_conversation(CONV)
    fake_sunshine.delay = 2.0
    connector = SunshineConnector(fake_sunshine.key_id, fake_sunshine.key_secret, app_id=fake_sunshine.app_id,
                                  url=fake_sunshine.url, timeout=0.2)
    started = time.monotonic()
    with pytest.raises(Unavailable) as e:
        await connector.pass_control(CONV, META)
    assert time.monotonic() - started < 1.5 and "timed out" in str(e.value)
    connector.close()


async def test_nothing_listening_is_unavailable():
    with socket.socket() as s:  # a port that was free a moment ago: nothing answers there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    connector = SunshineConnector("k", "s", app_id="a", url=f"http://127.0.0.1:{port}", timeout=1)
    with pytest.raises(Unavailable) as e:
        await connector.pass_control(CONV, META)
    assert "connection failed" in str(e.value)


async def test_garbage_answer_is_unavailable(fake_sunshine, sunshine_connector):
    fake_sunshine.add_conversation(CONV)
    fake_sunshine.garbage = True
    with pytest.raises(Unavailable):
        await sunshine_connector.pass_control(CONV, META)


async def test_the_calls_run_off_the_event_loop(fake_sunshine, sunshine_connector):
    import asyncio

    fake_sunshine.add_conversation(CONV)
    fake_sunshine.delay = 0.3
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    await sunshine_connector.pass_control(CONV, META)
    task.cancel()
    assert ticks >= 10  # the loop kept running while the client waited for its answer


def test_where_the_api_is():
    assert api_url("https://proxy.example.com/sc/", "acme") == "https://proxy.example.com/sc"
    assert api_url(None, "acme") == "https://acme.zendesk.com/sc"  # licensed Zendesk accounts
    assert api_url(None, None) is None  # the library's own default


def test_error_for_maps_what_the_client_raises():
    from sunshine_conversations_client.exceptions import ApiException, ApiValueError

    assert isinstance(error_for(ApiException(status=0, reason="SSLError")), Unavailable)
    assert isinstance(error_for(ApiValueError("bad")), Rejected)
    assert isinstance(error_for(RuntimeError("??")), Unavailable)
    e = ApiException(status=403, reason="Forbidden", body='{"errors": [{"code": "forbidden", "title": "No"}]}')
    assert isinstance(error_for(e), AuthFailed) and "forbidden: No" in str(error_for(e))


def test_a_key_is_required():
    with pytest.raises(ValueError):
        SunshineConnector("", "secret", app_id="a")
    with pytest.raises(ValueError):
        SunshineConnector("key", "secret", app_id="")


async def test_the_fake_refuses_what_the_api_refuses(fake_sunshine):
    """The fake's own checks, which the connector never trips (its bodies are right)."""
    import httpx

    fake_sunshine.add_conversation(CONV)
    auth = (fake_sunshine.key_id, fake_sunshine.key_secret)
    base = f"{fake_sunshine.url}/v2/apps/{fake_sunshine.app_id}/conversations/{CONV}"
    async with httpx.AsyncClient(auth=auth) as client:
        assert (await client.post(f"{base}/passControl", json={})).status_code == 400
        nested = {"switchboardIntegration": "x", "metadata": {"a": {"b": 1}}}
        assert (await client.post(f"{base}/passControl", json=nested)).status_code == 400
        huge = {"switchboardIntegration": "x", "metadata": {"a": "x" * 5000}}
        assert (await client.post(f"{base}/passControl", json=huge)).status_code == 400
        assert (await client.post(f"{base}/releaseControl", json={"reason": "because"})).status_code == 400
        assert (await client.get(f"{base}/passControl")).status_code == 405
    assert fake_sunshine.actions == []
