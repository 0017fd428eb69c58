"""`/handoff lookup EMAIL` and `/handoff refresh ID`: agents only, acked at once, answered ephemerally and masked."""
from __future__ import annotations

import json

import httpx
import pytest
from structlog.testing import capture_logs

from tests.handoff.edge.slack.support import (
    EMAIL,
    HID,
    STRANGER,
    FakeOps,
    SlackWithResponseUrls,
    ack_text,
    command_body,
    eventually,
    post,
)


async def answer(http: httpx.AsyncClient, slack: SlackWithResponseUrls, text: str) -> tuple[str, dict]:
    ack = ack_text(await post(http, command_body(slack, text)))
    [reply] = await eventually(lambda: slack.responded, "the answer")
    assert reply["response_type"] == "ephemeral" and slack.ephemeral == []  # only the asking agent sees it
    return ack, reply


async def test_lookup_shows_each_source_masked(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                               ops: FakeOps) -> None:
    with capture_logs() as logs:
        ack, reply = await answer(http, slack, f"lookup {EMAIL}")
    assert ack == "Looking up the account of `a***@example.com`…"
    assert ops.async_calls() == [("lookup", EMAIL)]
    shown = json.dumps(reply)
    assert "Account facts for a***@example.com" in shown
    assert "*Stripe*: Plan" not in shown and "MRR: $499.00" in shown and "4242" in shown
    assert "*HubSpot*: Lifecycle: customer; Owner: a***@example.com" in shown
    assert ":warning: *Zendesk*: unavailable: timed out after 2 s" in shown
    assert EMAIL not in shown and EMAIL not in json.dumps(logs)


async def test_lookup_of_a_mailto_link_reads_the_address(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                         ops: FakeOps) -> None:
    await answer(http, slack, f"lookup <mailto:{EMAIL}|{EMAIL}>")
    assert ops.async_calls() == [("lookup", EMAIL)]


@pytest.mark.parametrize("text, error", [
    ("lookup", ":warning: usage: `/handoff lookup EMAIL`"),
    ("lookup ana.lima", ":warning: `ana.lima` is not an e-mail address; usage: `/handoff lookup EMAIL`"),
    (f"lookup {EMAIL} {EMAIL}", ":warning: usage: `/handoff lookup EMAIL`"),
    ("refresh", ":warning: usage: `/handoff refresh ID`"),
])
async def test_bad_arguments_get_the_usage_in_the_ack(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                      ops: FakeOps, text: str, error: str) -> None:
    assert ack_text(await post(http, command_body(slack, text))) == error
    assert ops.calls == []


@pytest.mark.parametrize("text", [f"lookup {EMAIL}", f"refresh {HID}"])
async def test_non_agents_may_not_look_up_or_refresh(http: httpx.AsyncClient, slack: SlackWithResponseUrls,
                                                     ops: FakeOps, text: str) -> None:
    ack = ack_text(await post(http, command_body(slack, text, user=STRANGER)))
    assert ack.startswith(":no_entry: Only Handoff agents") and STRANGER in ack
    assert ops.async_calls() == [] and slack.responded == []


async def test_lookups_not_set_up_say_so(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    ops.failing.add("lookup_off")
    _, reply = await answer(http, slack, f"lookup {EMAIL}")
    assert reply["text"] == ":warning: Account lookups are not set up in this Handoff service."


async def test_refresh_says_what_changed(http: httpx.AsyncClient, slack: SlackWithResponseUrls, ops: FakeOps) -> None:
    ack, reply = await answer(http, slack, f"refresh {HID}")
    assert ack == f"Refreshing the account facts of `{HID}`…"
    assert ops.async_calls() == [("refresh", HID, "a1")]
    shown = json.dumps(reply, ensure_ascii=False)
    assert f"Refreshed the account facts of `{HID}`: what changed" in shown
    assert "stripe MRR: $499.00 → $998.00" in shown and "private note" in shown
    assert EMAIL not in shown and "a***@example.com" in shown


@pytest.mark.parametrize("hid, why", [("h_ffff", "there is no such handoff"),
                                      ("h_released", "it was handed back to the AI (released)")])
async def test_refresh_of_an_unknown_or_released_handoff_is_refused(http: httpx.AsyncClient,
                                                                    slack: SlackWithResponseUrls, ops: FakeOps,
                                                                    hid: str, why: str) -> None:
    _, reply = await answer(http, slack, f"refresh {hid}")
    assert reply["text"] == f":warning: Could not refresh `{hid}`: {why}"
