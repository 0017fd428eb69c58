"""Contract tests: SlackConnector through real slack_sdk (aiohttp) against the local FakeSlack."""
from __future__ import annotations

import time

import pytest

from connectors.delivery import AlertRequest
from connectors.errors import AuthFailed, NotFound, RateLimited, Rejected, Unavailable
from connectors.slack import SlackConnector, alert_metadata
from handoff.devtools.fakes.slack import FakeSlack

CHANNEL = "C0SUPPORT1"
BLOCKS = [
    {"type": "header", "text": {"type": "plain_text", "text": "Handoff: charged twice"}},
    {"type": "section", "text": {"type": "mrkdwn", "text": "*Customer:* Ana · *Priority:* high"}},
    {"type": "actions", "elements": [{"type": "button", "action_id": "claim", "value": "h-1",
                                      "text": {"type": "plain_text", "text": "Claim"}}]},
]


def alert(**overrides: object) -> AlertRequest:
    fields: dict[str, object] = dict(handoff_id="h-1", channel=CHANNEL, text="Handoff: charged twice",
                                     blocks=BLOCKS, dm_user_id=None)
    fields.update(overrides)
    return AlertRequest(**fields)  # type: ignore[arg-type]


def posts(fake: FakeSlack) -> list[dict[str, object]]:
    return fake.calls_to("chat.postMessage")


# -- alerts ---------------------------------------------------------------------------------
async def test_post_alert_sends_text_blocks_and_metadata(slack_connector: SlackConnector,
                                                         fake_slack: FakeSlack) -> None:
    result = await slack_connector.post_alert(alert())

    [message] = fake_slack.messages
    assert (result.channel, result.ts, result.dm_ts) == (CHANNEL, message["ts"], None)
    assert message["channel"] == CHANNEL and message["thread_ts"] is None
    assert message["text"] == "Handoff: charged twice"
    assert message["blocks"] == BLOCKS
    assert message["metadata"] == {"event_type": "handoff_alert", "event_payload": {"handoff_id": "h-1"}}
    assert fake_slack.calls_to("conversations.open") == []


async def test_post_alert_dms_the_assigned_agent(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    result = await slack_connector.post_alert(alert(dm_user_id="U0AGENT42"))

    [opened] = fake_slack.calls_to("conversations.open")
    assert opened["users"] == "U0AGENT42"
    channel_msg, dm = fake_slack.messages
    assert dm["channel"] == fake_slack.dms["U0AGENT42"] and dm["channel"].startswith("D")
    assert (result.ts, result.dm_ts) == (channel_msg["ts"], dm["ts"])
    assert dm["metadata"] == alert_metadata("h-1") and dm["blocks"] == BLOCKS


async def test_channel_name_resolves_to_the_id_slack_answers(slack_connector: SlackConnector,
                                                             fake_slack: FakeSlack) -> None:
    result = await slack_connector.post_alert(alert(channel="#support"))

    assert result.channel == fake_slack.channels["support"] != "#support"


async def test_find_alert_by_handoff_id(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    first = await slack_connector.post_alert(alert(handoff_id="h-1"))
    await slack_connector.post_alert(alert(handoff_id="h-2"))
    await slack_connector.post_thread(CHANNEL, first.ts or "", "claimed by Ana")

    found = await slack_connector.find_alert(CHANNEL, "h-1")
    missing = await slack_connector.find_alert(CHANNEL, "h-3")

    assert found is not None and (found.channel, found.ts) == (CHANNEL, first.ts)
    assert missing is None
    assert fake_slack.calls_to("conversations.history")[0]["include_all_metadata"] == "1"


async def test_find_alert_honours_oldest(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    posted = await slack_connector.post_alert(alert())

    assert await slack_connector.find_alert(CHANNEL, "h-1", oldest=float(posted.ts or 0) + 1) is None
    assert await slack_connector.find_alert(CHANNEL, "h-1", oldest=float(posted.ts or 0) - 1) is not None


async def test_find_alert_reads_further_pages(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    posted = await slack_connector.post_alert(alert())
    for n in range(250):
        fake_slack.messages.append({**fake_slack.messages[0], "ts": f"{float(posted.ts or 0) + n + 1:.6f}",
                                    "metadata": None, "text": f"chatter {n}"})

    found = await slack_connector.find_alert(CHANNEL, "h-1")

    assert found is not None and found.ts == posted.ts
    assert len(fake_slack.calls_to("conversations.history")) == 2


async def test_check_existing_never_posts_twice(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    first = await slack_connector.post_alert(alert(dm_user_id="U0AGENT42"))
    again = await slack_connector.post_alert(alert(dm_user_id="U0AGENT42"), check_existing=True)

    assert again == first
    assert len(posts(fake_slack)) == 2 and len(fake_slack.messages) == 2


async def test_check_existing_finishes_a_half_sent_alert(slack_connector: SlackConnector,
                                                         fake_slack: FakeSlack) -> None:
    fake_slack.fail_next(429, headers={"Retry-After": "1"}, path="/api/conversations.open")
    with pytest.raises(RateLimited):  # the channel post went through, the DM did not
        await slack_connector.post_alert(alert(dm_user_id="U0AGENT42"))
    assert len(fake_slack.messages) == 1

    result = await slack_connector.post_alert(alert(dm_user_id="U0AGENT42"), check_existing=True)

    channel_msgs = [m for m in fake_slack.messages if m["channel"] == CHANNEL]
    dms = [m for m in fake_slack.messages if m["channel"].startswith("D")]
    assert len(channel_msgs) == 1 and len(dms) == 1
    assert (result.ts, result.dm_ts) == (channel_msgs[0]["ts"], dms[0]["ts"])


async def test_without_check_existing_no_history_is_read(slack_connector: SlackConnector,
                                                         fake_slack: FakeSlack) -> None:
    await slack_connector.post_alert(alert(dm_user_id="U0AGENT42"))

    assert fake_slack.calls_to("conversations.history") == []


# -- other calls ----------------------------------------------------------------------------
async def test_update_alert_replaces_text_and_blocks(slack_connector: SlackConnector,
                                                     fake_slack: FakeSlack) -> None:
    posted = await slack_connector.post_alert(alert())
    claimed = [{"type": "section", "text": {"type": "mrkdwn", "text": "Claimed by Ana"}}]

    ts = await slack_connector.update_alert(CHANNEL, posted.ts or "", "Claimed by Ana", claimed)

    [message] = fake_slack.messages
    assert ts == posted.ts
    assert (message["text"], message["blocks"]) == ("Claimed by Ana", claimed)
    assert message["metadata"] == alert_metadata("h-1")  # still findable


async def test_update_of_missing_message_is_not_found(slack_connector: SlackConnector) -> None:
    with pytest.raises(NotFound):
        await slack_connector.update_alert(CHANNEL, "123.456", "x")


async def test_post_thread(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    posted = await slack_connector.post_alert(alert())

    ts = await slack_connector.post_thread(CHANNEL, posted.ts or "", "Solved in Zendesk")

    reply = fake_slack.messages[-1]
    assert (reply["ts"], reply["thread_ts"], reply["text"]) == (ts, posted.ts, "Solved in Zendesk")


async def test_post_ephemeral(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    ts = await slack_connector.post_ephemeral(CHANNEL, "U0AGENT42", "Only you see this")

    assert fake_slack.ephemeral == [{"channel": CHANNEL, "user": "U0AGENT42", "text": "Only you see this",
                                     "blocks": [], "message_ts": ts}]
    assert fake_slack.messages == []


async def test_lookup_user_by_email(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("agent@example.com", "U0AGENT42")

    assert await slack_connector.lookup_user_by_email("agent@example.com") == "U0AGENT42"
    assert await slack_connector.lookup_user_by_email("nobody@example.com") is None


async def test_open_view(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    view = {"type": "modal", "title": {"type": "plain_text", "text": "Hand off"}, "blocks": []}

    view_id = await slack_connector.open_view("trigger-1", view)

    assert view_id and fake_slack.views == [{"trigger_id": "trigger-1", "view": view}]


async def test_check(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    await slack_connector.check()

    assert [name for name, _ in fake_slack.calls] == ["auth.test"]


async def test_wrong_token_is_auth_failed(fake_slack: FakeSlack) -> None:
    connector = SlackConnector("xoxb-wrong", base_url=fake_slack.api_url)

    with pytest.raises(AuthFailed):
        await connector.post_alert(alert())
    assert fake_slack.messages == [] and "xoxb-wrong" not in repr(connector)


# -- failures -------------------------------------------------------------------------------
OPERATIONS = {
    "post_alert": lambda c: c.post_alert(alert()),
    "find_alert": lambda c: c.find_alert(CHANNEL, "h-1"),
    "update": lambda c: c.update_alert(CHANNEL, "1.000001", "x"),
    "check": lambda c: c.check(),
}


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_429_is_rate_limited_without_sleeping(slack_connector: SlackConnector, fake_slack: FakeSlack,
                                                    operation: str) -> None:
    fake_slack.fail_next(429, headers={"Retry-After": "17"})

    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:
        await OPERATIONS[operation](slack_connector)

    assert caught.value.retry_after == 17.0
    assert time.monotonic() - started < 1.0
    assert len(fake_slack.requests) == 1
    assert fake_slack.messages == []


@pytest.mark.parametrize(
    ("error", "expected"),
    [("invalid_auth", AuthFailed), ("not_authed", AuthFailed), ("account_inactive", AuthFailed),
     ("token_revoked", AuthFailed), ("missing_scope", AuthFailed), ("channel_not_found", Rejected),
     ("not_in_channel", Rejected), ("is_archived", Rejected), ("invalid_blocks", Rejected),
     ("ratelimited", RateLimited), ("fatal_error", Unavailable), ("internal_error", Unavailable)],
)
async def test_slack_error_matrix(slack_connector: SlackConnector, fake_slack: FakeSlack,
                                  error: str, expected: type[Exception]) -> None:
    fake_slack.fail_with(error)

    with pytest.raises(expected, match=error if expected is not RateLimited else "rate limited"):
        await slack_connector.post_alert(alert())
    assert fake_slack.messages == []


@pytest.mark.parametrize("operation", OPERATIONS)
@pytest.mark.parametrize("status", [500, 502, 503])
async def test_server_errors_are_unavailable(slack_connector: SlackConnector, fake_slack: FakeSlack,
                                             operation: str, status: int) -> None:
    fake_slack.fail_next(status)

    with pytest.raises(Unavailable):
        await OPERATIONS[operation](slack_connector)
    assert len(fake_slack.requests) == 1  # no retry handler kicked in


@pytest.mark.parametrize("operation", OPERATIONS)
async def test_malformed_json_is_unavailable(slack_connector: SlackConnector, fake_slack: FakeSlack,
                                             operation: str) -> None:
    fake_slack.garbage = True

    with pytest.raises(Unavailable):
        await OPERATIONS[operation](slack_connector)


async def test_html_error_page_is_unavailable(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    fake_slack.fail_next(200, body="<html>maintenance</html>")

    with pytest.raises(Unavailable):
        await slack_connector.check()


async def test_empty_history_finds_nothing(slack_connector: SlackConnector, fake_slack: FakeSlack) -> None:
    await slack_connector.post_thread(CHANNEL, "1.000001", "unrelated")  # the channel exists, no alerts

    assert await slack_connector.find_alert(CHANNEL, "h-1") is None


async def test_timeout_is_unavailable(fake_slack: FakeSlack) -> None:
    connector = SlackConnector(fake_slack.token, base_url=fake_slack.api_url, timeout=0.3)
    fake_slack.delay = 5

    started = time.monotonic()
    with pytest.raises(Unavailable, match="timeout"):
        await connector.post_alert(alert())
    assert time.monotonic() - started < 2.0


async def test_connection_refused_is_unavailable(fake_slack: FakeSlack) -> None:
    api_url = fake_slack.api_url
    fake_slack.stop()
    connector = SlackConnector(fake_slack.token, base_url=api_url, timeout=0.5)

    with pytest.raises(Unavailable, match="connection"):
        await connector.check()


async def test_post_message_is_a_plain_channel_message(slack_connector, fake_slack) -> None:
    ts = await slack_connector.post_message("C0DIGEST", "Weekly digest", [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}])
    [message] = fake_slack.messages
    assert (message["channel"], message["ts"], message["text"], message["thread_ts"]) == ("C0DIGEST", ts, "Weekly digest", None)


# -- the last line of defence ---------------------------------------------------------------
async def test_no_card_or_credential_leaves_whatever_the_caller_rendered(slack_connector: SlackConnector,
                                                                         fake_slack: FakeSlack) -> None:
    raw = "card 4111 1111 1111 1111, pw hunter2, key sk_live_51H8abcDEFghiJKLmnop"
    blocks = [{"type": "section", "block_id": "b1", "text": {"type": "mrkdwn", "text": raw}},
              {"type": "actions", "elements": [{"type": "button", "action_id": "a", "value": "h-1",
                                                "url": "https://x.test/4111111111111111",
                                                "text": {"type": "plain_text", "text": raw}}]}]
    result = await slack_connector.post_alert(alert(text=raw, blocks=blocks))
    await slack_connector.post_thread(CHANNEL, str(result.ts), raw)
    await slack_connector.update_alert(CHANNEL, str(result.ts), raw, blocks)
    await slack_connector.post_message(CHANNEL, raw)
    await slack_connector.post_ephemeral(CHANNEL, "U0AGENT01", raw, blocks)
    sent = [params for name, params in fake_slack.calls if name.startswith("chat.")]
    assert len(sent) == 5
    dumped = str(sent)
    assert "4111 1111" not in dumped and "hunter2" not in dumped and "sk_live_51H8" not in dumped
    assert "card •••• 1111, pw ••••, key sk_live_••••" in dumped
    # identifiers and links are not text: they stay as given
    assert "https://x.test/4111111111111111" in dumped and "'value': 'h-1'" in dumped


# -- a customer's later messages in the alert's thread -----------------------------------------
async def test_post_reply_marks_the_reply_and_find_reply_finds_only_it(slack_connector: SlackConnector,
                                                                        fake_slack: FakeSlack) -> None:
    posted = await slack_connector.post_alert(alert())
    assert posted.ts is not None
    assert await slack_connector.find_reply(CHANNEL, posted.ts, "h-1:customer:3:slack") is None
    await slack_connector.post_thread(CHANNEL, posted.ts, "Claimed by Sam.")  # a note, unmarked
    ts = await slack_connector.post_reply(CHANNEL, posted.ts, "Customer: still nothing", "h-1:customer:3:slack")

    reply = fake_slack.messages[-1]
    assert reply["thread_ts"] == posted.ts and reply["ts"] == ts and reply["text"] == "Customer: still nothing"
    assert await slack_connector.find_reply(CHANNEL, posted.ts, "h-1:customer:3:slack") == ts
    assert await slack_connector.find_reply(CHANNEL, posted.ts, "h-1:customer:4:slack") is None
