"""The Slack app end to end: signed requests as Slack sends them, through real slack-bolt and slack_sdk,
against FakeSlack (Web API and response_url) and an in-memory Operations."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI

from connectors.slack import SlackConnector
from handoff.core.render.slack_card import ACTION_CLAIM, ACTION_OPEN_TICKET, ACTION_UNNECESSARY
from handoff.app.followups import Agent
from handoff.edge.slack.app import build_slack_app
from handoff.edge.slack.front_door import mount_slack
from handoff.edge.slack.operations import Operations
from tests.fakes.http import FakeRequest, FakeResponse
from tests.fakes.slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
AGENT_USER = "U0AGENT42"
STRANGER = "U0STRANGER"
CHANNEL = "C0SUPPORT1"
HID = "h_0a1b2c"
EMAIL = "ana.lima@example.com"
DEADLINE = 5.0


class SlackWithResponseUrls(FakeSlack):
    """FakeSlack that also answers response_url posts (`/respond/...`) the way hooks.slack.com does."""

    def __init__(self) -> None:
        super().__init__()
        self.responded: list[dict[str, Any]] = []  # JSON bodies posted to response_urls
        self.expired: set[str] = set()  # response_url paths answering 404 (used up or older than 30 min)

    def handle(self, request: FakeRequest) -> FakeResponse:
        if not request.path.startswith("/respond/"):
            return super().handle(request)
        if request.path in self.expired:
            return FakeResponse(404, "expired_url", content_type="text/html")
        self.responded.append({**(request.json or {}), "_path": request.path})
        return FakeResponse(200, "ok", content_type="text/html")


class FakeOps:
    """Operations in memory; each async call is logged, can be held at a gate, or made to fail."""

    def __init__(self) -> None:
        self.agents = {AGENT_USER: Agent("a1", "Jo Park", AGENT_USER, "jo@example.com")}
        self.calls: list[tuple[Any, ...]] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.failing: set[str] = set()

    def agent_for_slack_user(self, slack_user_id: str) -> Agent | None:
        self.calls.append(("agent_for_slack_user", slack_user_id))
        return self.agents.get(slack_user_id)

    async def _enter(self, *call: Any) -> None:
        self.calls.append(call)
        self.entered.set()
        if call[0] in self.failing:
            raise RuntimeError(f"database is down; customer {EMAIL}")
        if self.gate is not None:
            await self.gate.wait()

    async def claim(self, handoff_id: str, agent_id: str) -> dict[str, Any]:
        await self._enter("claim", handoff_id, agent_id)
        if handoff_id == "h_taken":
            return {"ok": False, "handoff_id": handoff_id, "status": "claimed", "claimed_by": "a2",
                    "message": "already claimed by Sam"}
        return {"ok": True, "handoff_id": handoff_id, "status": "claimed", "claimed_by": agent_id, "message": ""}

    async def set_available(self, agent_id: str, available: bool) -> dict[str, Any]:
        await self._enter("set_available", agent_id, available)
        return {"agent_id": agent_id, "available": available, "active": 2}

    async def queue(self, team: str | None = None) -> dict[str, Any]:
        await self._enter("queue", team)
        return {"open": [{"handoff_id": HID, "team": team or "billing", "priority": "urgent",
                          "category": "billing_dispute", "created_at": "2026-03-02T10:00:00+00:00", "agent": None,
                          "summary": f"Charged twice, write to {EMAIL}"}],
                "dead_deliveries": []}

    async def status(self, handoff_id: str) -> dict[str, Any] | None:
        await self._enter("status", handoff_id)
        if handoff_id != HID:
            return None
        return {"handoff_id": HID, "status": "open", "priority": "high", "team": "billing", "agent": None,
                "created_at": "2026-03-02T10:00:00+00:00", "reasons": [], "deliveries": [],
                "briefing": {"summary": "Charged twice", "customer": {"name": "Ana", "email": EMAIL}}}

    async def callbacks(self) -> list[dict[str, Any]]:
        await self._enter("callbacks")
        return [{"handoff_id": HID, "team": "billing", "callback_at": "2026-03-03T09:00:00Z",
                 "customer": {"name": "Ana", "email": EMAIL}}]

    async def stats(self) -> dict[str, Any]:
        await self._enter("stats")
        return {"conversations": 10, "handoffs": 3, "handoff_rate": 0.3}

    async def mark_unnecessary(self, handoff_id: str, slack_user_id: str) -> dict[str, Any]:
        await self._enter("mark_unnecessary", handoff_id, slack_user_id)
        return {"ok": True, "message": ""}

    def async_calls(self) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] != "agent_for_slack_user"]


# -- fixtures and helpers ---------------------------------------------------------------------------

@pytest.fixture
def slack() -> Iterator[SlackWithResponseUrls]:
    server = SlackWithResponseUrls().start()
    try:
        yield server  # type: ignore[misc]
    finally:
        server.stop()


@pytest.fixture
def ops() -> FakeOps:
    return FakeOps()


@pytest.fixture
async def http(slack: SlackWithResponseUrls, ops: FakeOps) -> AsyncIterator[httpx.AsyncClient]:
    """A FastAPI app with the Slack app mounted, wired as the composition root does."""
    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    typed: Operations = ops  # FakeOps must satisfy the Protocol the lead implements
    app = FastAPI()
    mount_slack(app, build_slack_app(typed, token=slack.token, signing_secret=SECRET, client=connector.client))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        yield client


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_body(slack: FakeSlack, text: str, *, user: str = AGENT_USER, response_url: bool = True) -> str:
    """A slash-command POST body, form-encoded with the fields Slack sends."""
    fields = {
        "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T0001", "team_domain": "acme",
        "channel_id": CHANNEL, "channel_name": "support", "user_id": user, "user_name": "jo",
        "command": "/handoff", "text": text, "api_app_id": "A0HANDOFF", "is_enterprise_install": "false",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    if response_url:
        fields["response_url"] = f"{slack.url}/respond/T0001/1/cmd"
    return urlencode(fields)


def action_body(slack: FakeSlack, action_id: str, *, user: str = AGENT_USER, value: str | None = HID,
                url: str | None = None) -> str:
    """A block_actions POST body: `payload=` plus the interaction JSON, form-encoded."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": f"handoff_actions:{HID}", "type": "button",
                              "text": {"type": "plain_text", "text": "Claim", "emoji": True},
                              "action_ts": "1772445600.000100"}
    if value is not None:
        action["value"] = value
    if url:
        action["url"] = url
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "jo", "name": "jo", "team_id": "T0001"},
        "api_app_id": "A0HANDOFF", "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "message", "message_ts": "1772445500.000100", "channel_id": CHANNEL,
                      "is_ephemeral": False},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": "T0001", "domain": "acme"}, "enterprise": None, "is_enterprise_install": False,
        "channel": {"id": CHANNEL, "name": "support"},
        "message": {"type": "message", "ts": "1772445500.000100", "text": "URGENT handoff", "blocks": []},
        "state": {"values": {}},
        "response_url": f"{slack.url}/respond/T0001/2/act",
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})


async def post(http: httpx.AsyncClient, body: str, headers: dict[str, str] | None = None,
               content_type: str = "application/x-www-form-urlencoded") -> httpx.Response:
    return await http.post("/slack/events", content=body.encode(),
                           headers={"Content-Type": content_type, **(sign(body) if headers is None else headers)})


async def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy, within the deadline."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def ack_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    # bolt answers ack(text=...) as text/plain and ack(blocks=...) as JSON; Slack takes both
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()["text"]
    return response.text


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


# -- /handoff ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "help", "frobnicate"])
async def test_help_is_answered_in_the_ack(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps,
                                           text: str) -> None:
    response = await post(http, command_body(slack, text))
    body = response.json()
    assert response.status_code == 200
    blocks = json.dumps(body["blocks"])
    assert "/handoff claim ID" in blocks and "/handoff queue [team]" in blocks
    assert ("Unknown command `frobnicate`" in blocks) == (text == "frobnicate")
    assert ops.calls == [] and slack.responded == []


async def test_usage_errors_are_answered_in_the_ack(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                    ops: FakeOps) -> None:
    assert ack_text(await post(http, command_body(slack, "claim"))) == ":warning: usage: `/handoff claim ID`"
    assert ops.calls == []


@pytest.mark.parametrize("text, ack, call, answer", [
    ("queue", "Looking up the queue…", ("queue", None), "1 open handoffs"),
    ("queue retention", "Looking up the queue…", ("queue", "retention"), "1 open handoffs in team retention"),
    (f"status {HID}", f"Looking up `{HID}`…", ("status", HID), f"Handoff {HID}: open"),
    ("status h_ffff", "Looking up `h_ffff`…", ("status", "h_ffff"), ":mag: No handoff `h_ffff`"),
    ("callbacks", "Looking up callbacks…", ("callbacks",), "1 scheduled callbacks"),
    ("stats", "Computing stats…", ("stats",), "Handoff stats: 3 handoffs, rate 30.0%"),
    (f"claim {HID}", f"Claiming `{HID}`…", ("claim", HID, "a1"), f":white_check_mark: You claimed `{HID}`"),
    ("claim h_taken", "Claiming `h_taken`…", ("claim", "h_taken", "a1"), ":warning: Could not claim `h_taken`: already claimed by Sam"),
    ("available", "Marking you available…", ("set_available", "a1", True), ":large_green_circle: You're *available*"),
    ("AWAY", "Marking you away…", ("set_available", "a1", False), ":double_vertical_bar: You're *away*"),
])
async def test_each_command_acks_then_answers_through_the_response_url(
    http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps,
    text: str, ack: str, call: tuple[Any, ...], answer: str,
) -> None:
    response = await post(http, command_body(slack, text))
    assert ack_text(response) == ack
    [reply] = await eventually(lambda: slack.responded, "the answer")
    assert reply["_path"] == "/respond/T0001/1/cmd"
    assert reply["text"].startswith(answer), reply["text"]
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert ops.async_calls() == [call]
    assert EMAIL not in json.dumps(reply)  # PII is masked for a workspace-wide audience
    assert slack.ephemeral == []


@pytest.mark.parametrize("text", [f"claim {HID}", "available", "away"])
async def test_non_agents_may_not_claim_or_change_availability(
    http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps, text: str,
) -> None:
    answer = ack_text(await post(http, command_body(slack, text, user=STRANGER)))
    assert answer.startswith(":no_entry: Only Handoff agents listed in settings.toml can")
    assert f"(`{STRANGER}`)" in answer
    assert ops.calls == [("agent_for_slack_user", STRANGER)]  # nothing else was called
    assert slack.responded == []


@pytest.mark.parametrize("text", ["queue", "stats", f"status {HID}", "callbacks"])
async def test_anyone_may_read(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps, text: str) -> None:
    await post(http, command_body(slack, text, user=STRANGER))
    await eventually(lambda: slack.responded, "the answer")
    assert len(ops.async_calls()) == 1


async def test_the_ack_comes_back_before_the_work_is_done(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                          ops: FakeOps) -> None:
    ops.gate = asyncio.Event()
    response = await post(http, command_body(slack, f"claim {HID}"))
    assert ack_text(response) == f"Claiming `{HID}`…"
    await asyncio.wait_for(ops.entered.wait(), DEADLINE)  # the claim has started and is held at the gate
    assert slack.responded == []
    ops.gate.set()
    [reply] = await eventually(lambda: slack.responded, "the answer")
    assert reply["text"].startswith(":white_check_mark:")


async def test_without_response_url_the_answer_is_an_ephemeral_message(
    http: httpx.AsyncClient, slack: SlackWithResponseUrls,
) -> None:
    await post(http, command_body(slack, "stats", response_url=False))
    [message] = await eventually(lambda: slack.ephemeral, "the ephemeral answer")
    assert (message["channel"], message["user"]) == (CHANNEL, AGENT_USER)
    assert message["text"].startswith("Handoff stats") and message["blocks"]


async def test_an_expired_response_url_falls_back_to_an_ephemeral_message(
    http: httpx.AsyncClient, slack: SlackWithResponseUrls,
) -> None:
    slack.expired.add("/respond/T0001/1/cmd")
    await post(http, command_body(slack, "queue"))
    [message] = await eventually(lambda: slack.ephemeral, "the ephemeral answer")
    assert message["text"] == "1 open handoffs" and slack.responded == []


async def test_a_failing_operation_gets_a_plain_failure_answer(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                               ops: FakeOps) -> None:
    ops.failing.add("queue")
    await post(http, command_body(slack, "queue"))
    [reply] = await eventually(lambda: slack.responded, "the answer")
    assert reply["text"].startswith(":x: Something went wrong while running `queue`")
    assert "database" not in reply["text"] and EMAIL not in reply["text"]


# -- buttons ----------------------------------------------------------------------------------------

async def test_claim_button_by_an_agent(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    ops.gate = asyncio.Event()
    response = await post(http, action_body(slack, ACTION_CLAIM))
    assert response.status_code == 200 and response.content == b""  # acked while the claim is held
    await asyncio.wait_for(ops.entered.wait(), DEADLINE)
    assert slack.ephemeral == []
    ops.gate.set()
    [message] = await eventually(lambda: slack.ephemeral, "the ephemeral answer")
    assert (message["channel"], message["user"]) == (CHANNEL, AGENT_USER)
    assert message["text"].startswith(f":white_check_mark: You claimed `{HID}`")
    assert ops.async_calls() == [("claim", HID, "a1")]
    assert slack.responded == []


async def test_claim_button_by_someone_else_is_refused(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                       ops: FakeOps) -> None:
    response = await post(http, action_body(slack, ACTION_CLAIM, user=STRANGER))
    assert response.status_code == 200
    [message] = await eventually(lambda: slack.ephemeral, "the refusal")
    assert message["user"] == STRANGER
    assert message["text"].startswith(":no_entry: Only Handoff agents listed in settings.toml can claim handoffs")
    assert ops.async_calls() == []


async def test_claim_button_reads_the_id_from_the_block_when_the_value_is_missing(
    http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps,
) -> None:
    await post(http, action_body(slack, ACTION_CLAIM, value=None))
    await eventually(lambda: slack.ephemeral, "the answer")
    assert ops.async_calls() == [("claim", HID, "a1")]


async def test_unnecessary_button(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    response = await post(http, action_body(slack, ACTION_UNNECESSARY))
    assert response.status_code == 200
    [message] = await eventually(lambda: slack.ephemeral, "the thanks")
    assert message["text"].startswith(f":memo: Thanks: recorded that the AI could have handled `{HID}`")
    assert ops.async_calls() == [("mark_unnecessary", HID, AGENT_USER)]


async def test_unnecessary_button_by_someone_else_is_not_counted(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                                 ops: FakeOps) -> None:
    response = await post(http, action_body(slack, ACTION_UNNECESSARY, user=STRANGER))
    assert response.status_code == 200
    [message] = await eventually(lambda: slack.ephemeral, "the refusal")
    assert message["user"] == STRANGER
    assert message["text"].startswith(":no_entry: Only Handoff agents listed in settings.toml can mark a handoff")
    assert ops.async_calls() == []  # nothing recorded: the quality metrics count agents' feedback only


async def test_open_ticket_button_is_only_acked(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                ops: FakeOps) -> None:
    response = await post(http, action_body(slack, ACTION_OPEN_TICKET, url="https://acme.zendesk.com/agent/tickets/901"))
    assert response.status_code == 200 and response.content == b""
    assert ops.calls == []
    # give any stray listener a chance to run, then prove it sent nothing
    for _ in range(20):
        await asyncio.sleep(0)
    assert slack.ephemeral == [] and slack.responded == []


async def test_button_answer_falls_back_to_the_response_url(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                            ops: FakeOps) -> None:
    # the bot was removed from the channel since it posted the alert
    slack.fail_next(200, body={"ok": False, "error": "not_in_channel"}, path="/api/chat.postEphemeral")
    await post(http, action_body(slack, ACTION_CLAIM))
    [reply] = await eventually(lambda: slack.responded, "the answer via response_url")
    assert reply["_path"] == "/respond/T0001/2/act"
    assert reply["text"].startswith(":white_check_mark:") and reply["replace_original"] is False


async def test_a_failing_claim_button_gets_a_plain_failure_answer(http: httpx.AsyncClient,
                                                                  slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    ops.failing.add("claim")
    await post(http, action_body(slack, ACTION_CLAIM))
    [message] = await eventually(lambda: slack.ephemeral, "the answer")
    assert message["text"].startswith(":x: Something went wrong while claiming")


# -- wiring -----------------------------------------------------------------------------------------

def test_a_client_with_another_token_is_refused(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    connector = SlackConnector("xoxb-other", base_url=slack.api_url)
    with pytest.raises(ValueError, match="another token"):
        build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client)


def test_an_empty_signing_secret_is_refused(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    connector = SlackConnector(slack.token, base_url=slack.api_url)
    with pytest.raises(ValueError, match="SLACK_SIGNING_SECRET"):
        build_slack_app(ops, token=slack.token, signing_secret="", client=connector.client)


def test_the_route_is_in_the_openapi_document(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    app = FastAPI()
    connector = SlackConnector(slack.token, base_url=slack.api_url)
    mount_slack(app, build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client))
    assert "post" in app.openapi()["paths"]["/slack/events"]


# -- the manifest -----------------------------------------------------------------------------------

MANIFEST = Path(__file__).resolve().parents[4] / "slack-app-manifest.yml"


def test_manifest_creates_the_app_with_the_command_and_scopes() -> None:
    yaml = pytest.importorskip("yaml")
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert manifest["display_information"]["name"] == "Handoff"
    assert len(manifest["display_information"]["description"]) <= 140
    assert 175 <= len(manifest["display_information"]["long_description"]) <= 4000
    assert manifest["features"]["bot_user"]["display_name"] == "Handoff"
    [command] = manifest["features"]["slash_commands"]
    assert command["command"] == "/handoff" and command["url"] == "https://YOUR-HOST/slack/events"
    for sub in ("help", "queue", "status", "claim", "available", "away", "callbacks", "stats"):
        assert re.search(rf"\b{sub}\b", command["usage_hint"]), sub
    assert manifest["settings"]["interactivity"] == {"is_enabled": True,
                                                     "request_url": "https://YOUR-HOST/slack/events"}
    assert manifest["settings"]["org_deploy_enabled"] is False
    assert manifest["settings"]["socket_mode_enabled"] is False
    assert set(manifest["oauth_config"]["scopes"]["bot"]) == {
        "chat:write", "chat:write.public", "commands", "im:write", "im:history", "channels:history",
        "groups:history", "users:read", "users:read.email"}


async def test_mounted_through_create_app_behind_its_body_limit(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    from handoff.edge.http.api import create_app

    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    slack_app = build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client)
    app = create_app(object(), api_keys=["k"], max_body_bytes=4096,  # type: ignore[arg-type]
                     extra_routes=lambda fastapi_app: mount_slack(fastapi_app, slack_app))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        assert ack_text(await post(client, command_body(slack, "stats"))) == "Computing stats…"
        await eventually(lambda: slack.responded, "the answer")
        too_big = command_body(slack, "x" * 5000)
        assert (await post(client, too_big)).status_code == 413


async def test_a_client_without_token_gets_the_given_one(slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    from slack_sdk.web.async_client import AsyncWebClient

    bolt = build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=AsyncWebClient(base_url=slack.api_url))
    assert bolt.client.token == slack.token and bolt.client.base_url == slack.api_url


# -- logging ------------------------------------------------------------------------------------------

@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The process's logging as it was before the test, whatever the test configured."""
    import logging

    import structlog

    root = logging.getLogger()
    saved = (list(root.handlers), root.level, structlog.get_config())
    loggers = {name: logging.getLogger(name).level for name in ("handoff.slack.bolt", "slack_bolt")}
    try:
        yield
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        structlog.configure(**saved[2])
        for name, level in loggers.items():
            logging.getLogger(name).setLevel(level)


async def test_at_debug_level_bolt_logs_no_debug_lines_with_the_body(
    restore_logging: None, slack: SlackWithResponseUrls, ops: FakeOps, capsys: pytest.CaptureFixture[str],
) -> None:
    import structlog

    from handoff.logs import configure_logging

    configure_logging("debug", "json")  # as `serve` does, before the app is built
    connector = SlackConnector(slack.token, base_url=slack.api_url, timeout=2.0)
    app = FastAPI()
    mount_slack(app, build_slack_app(ops, token=slack.token, signing_secret=SECRET, client=connector.client))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://handoff.test") as client:
        response = await post(client, command_body(slack, "frobnicate-zq7x"))
    assert "frobnicate-zq7x" in json.dumps(response.json())  # bolt handled it and answered with the text
    structlog.get_logger("handoff.test").debug("our debug line")
    err = capsys.readouterr().err
    assert "our debug line" in err  # debug really is on
    assert "frobnicate-zq7x" not in err  # bolt's "Responding with status: 200 body: ..." stayed off
    assert "Applying " not in err and "Checking listener" not in err
