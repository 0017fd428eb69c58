"""`/handoff` and the alert's buttons end to end: signed requests through real slack-bolt and slack_sdk,
against FakeSlack (Web API and response_url) and an in-memory Operations."""
from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from handoff.core.render.slack_card import ACTION_CLAIM, ACTION_RELEASE, ACTION_OPEN_TICKET, ACTION_UNNECESSARY
from tests.handoff.edge.slack.support import (
    AGENT_USER,
    CHANNEL,
    DEADLINE,
    EMAIL,
    HID,
    STRANGER,
    FakeOps,
    SlackWithResponseUrls,
    ack_text,
    action_body,
    command_body,
    eventually,
    post,
)


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
    (f"release {HID}", f"Handing `{HID}` back to the AI…", ("release", HID, "a1"), f":robot_face: `{HID}` is back with the AI"),
    ("release h_released", "Handing `h_released` back to the AI…", ("release", "h_released", "a1"),
     ":warning: Could not hand `h_released` back: handoff h_released is already released"),
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


@pytest.mark.parametrize("text", [f"claim {HID}", f"release {HID}", "available", "away"])
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


async def test_hand_back_button_by_an_agent_and_by_someone_else(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                                 ops: FakeOps) -> None:
    await post(http, action_body(slack, ACTION_RELEASE))
    [message] = await eventually(lambda: slack.ephemeral, "the ephemeral answer")
    assert message["user"] == AGENT_USER and message["text"].startswith(f":robot_face: `{HID}` is back with the AI")
    assert ops.async_calls() == [("release", HID, "a1")]
    await post(http, action_body(slack, ACTION_RELEASE, user=STRANGER))
    refusal = await eventually(lambda: slack.ephemeral[1:], "the refusal")
    assert refusal[0]["text"].startswith(":no_entry: Only Handoff agents listed in settings.toml can hand handoffs back")
    assert ops.async_calls() == [("release", HID, "a1")]  # the stranger's click released nothing


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
