"""The front door of the Slack app: signatures, freshness, and which workspace and app may call.

Signed requests as Slack sends them, through real slack-bolt and slack_sdk, against FakeSlack."""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from connectors.slack import SlackConnector
from handoff.core.render.slack_card import ACTION_CLAIM, ACTION_UNNECESSARY
from handoff.edge.slack.app import build_slack_app
from handoff.edge.slack.front_door import mount_slack
from tests.handoff.edge.slack.support import (
    AGENT_USER,
    HID,
    SECRET,
    STRANGER,
    FakeOps,
    SlackWithResponseUrls,
    ack_text,
    action_body,
    command_body,
    eventually,
    post,
    sign,
)


# -- verification -----------------------------------------------------------------------------------

async def test_bad_signature_is_refused(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    body = command_body(slack, "queue")
    response = await post(http, body, headers=sign(body, secret="not-the-secret"))
    assert response.status_code == 401
    assert ops.calls == [] and slack.responded == []


async def test_stale_timestamp_is_refused(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    body = command_body(slack, "queue")
    response = await post(http, body, headers=sign(body, timestamp=int(time.time()) - 6 * 60))
    assert response.status_code == 401
    assert ops.calls == []


async def test_tampered_body_is_refused(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    body = command_body(slack, "claim h_0a1b2c", user=STRANGER)
    response = await post(http, body.replace(STRANGER, AGENT_USER), headers=sign(body))
    assert response.status_code == 401
    assert ops.calls == []


async def test_url_verification_challenge(http: httpx.AsyncClient) -> None:
    body = json.dumps({"token": "x", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
                       "type": "url_verification"})
    response = await post(http, body, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


async def test_bolt_checks_the_token_with_auth_test_against_the_fake(http: httpx.AsyncClient,
                                                                     slack: SlackWithResponseUrls) -> None:
    await post(http, command_body(slack, "help"))
    await post(http, command_body(slack, "help"))
    assert len(slack.calls_to("auth.test")) == 1  # once, then cached


# -- the workspace and app ----------------------------------------------------------------------------

TEAM, APP = "T0001", "A0HANDOFF"  # what command_body and action_body say


@pytest.fixture
async def pinned(slack: SlackWithResponseUrls, ops: FakeOps) -> AsyncIterator[httpx.AsyncClient]:
    """The app mounted with [slack] team_id and app_id set to the workspace and app of the test bodies."""
    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    app = FastAPI()
    mount_slack(app, build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client),
                team_id=TEAM, app_id=APP)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        yield client


def _elsewhere(body: str, old: str, new: str) -> str:
    assert old in body
    return body.replace(old, new)


@pytest.mark.parametrize("old, new", [("team_id=T0001", "team_id=T0OTHER"), ("api_app_id=A0HANDOFF", "api_app_id=A0OTHER"),
                                      ("&team_id=T0001", "")])
async def test_a_command_from_another_workspace_or_app_is_refused_and_nothing_is_done(
    pinned: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps, old: str, new: str,
) -> None:
    body = _elsewhere(command_body(slack, f"claim {HID}"), old, new)
    response = await post(pinned, body)  # signed with the app's own secret
    assert response.status_code == 200  # Slack shows a command's answer to whoever typed it
    answer = response.json()
    assert answer["response_type"] == "ephemeral" and "only serves its own Slack workspace" in answer["text"]
    for _ in range(20):
        await asyncio.sleep(0)
    assert ops.calls == [] and slack.responded == [] and slack.ephemeral == []
    assert slack.calls_to("auth.test") == []  # bolt never saw it


@pytest.mark.parametrize("old, new", [('"team": {"id": "T0001"', '"team": {"id": "T0OTHER"'),
                                      ('"api_app_id": "A0HANDOFF"', '"api_app_id": "A0OTHER"')])
@pytest.mark.parametrize("action_id", [ACTION_CLAIM, ACTION_UNNECESSARY])
async def test_a_button_from_another_workspace_or_app_is_refused_and_nothing_is_done(
    pinned: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps, old: str, new: str, action_id: str,
) -> None:
    from urllib.parse import parse_qs

    payload = parse_qs(action_body(slack, action_id))["payload"][0]
    body = urlencode({"payload": _elsewhere(payload, old, new)})
    response = await post(pinned, body)
    assert response.status_code == 403 and response.headers["x-slack-no-retry"] == "1"
    assert "only serves its own Slack workspace" in response.json()["error"]
    for _ in range(20):
        await asyncio.sleep(0)
    assert ops.calls == [] and slack.ephemeral == [] and slack.responded == []


async def test_an_event_from_another_workspace_is_refused_but_url_verification_passes(
    pinned: httpx.AsyncClient,
) -> None:
    event = json.dumps({"type": "event_callback", "team_id": "T0OTHER", "api_app_id": APP,
                        "event": {"type": "app_mention", "text": "hi"}})
    assert (await post(pinned, event, content_type="application/json")).status_code == 403
    challenge = json.dumps({"token": "x", "challenge": "c-123", "type": "url_verification"})
    answer = await post(pinned, challenge, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"challenge": "c-123"}


async def test_the_configured_workspace_and_app_are_served(pinned: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                           ops: FakeOps) -> None:
    assert ack_text(await post(pinned, command_body(slack, "queue"))) == "Looking up the queue…"
    await eventually(lambda: slack.responded, "the answer")
    assert (await post(pinned, action_body(slack, ACTION_CLAIM))).status_code == 200
    await eventually(lambda: slack.ephemeral, "the claim answer")
    assert ops.async_calls() == [("queue", None), ("claim", HID, "a1")]


async def test_unpinned_any_workspace_is_accepted(http: httpx.AsyncClient, slack: SlackWithResponseUrls) -> None:
    body = _elsewhere(command_body(slack, "queue"), "team_id=T0001", "team_id=T0OTHER")
    assert ack_text(await post(http, body)) == "Looking up the queue…"
