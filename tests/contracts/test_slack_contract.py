"""The Slack connector's real calls (slack_sdk) with the project's real cards, against FakeSlack: each call
checked against Slack's Web API spec fragment, every block and view against slack_sdk's Block Kit models."""
from __future__ import annotations

import pytest

from connectors.delivery import AlertRequest
from connectors.slack import SlackConnector
from handoff.core.brief import Briefing, BriefingSettings, build_briefing
from handoff.core.models import AccountContext, Customer, Decision, Message, Reason, Route, SourceResult
from handoff.core.render.slack_card import render_claimed_card, render_slack_card, render_solved_card, with_ticket_button
from handoff.core.render.slack_replies import help_reply
from tests.contracts.slack_calls import block_problems, call_problems, view_problems
from handoff.devtools.fakes.http import Exchange, FakeRequest, FakeResponse
from handoff.devtools.fakes.slack import FakeSlack

ROUTE = Route("billing", agent="a1", agent_name="Jo", queue_position=2, expected_wait_seconds=300)


def briefing() -> Briefing:
    """A handoff with account facts, so the card has fields, sections and buttons."""
    account = AccountContext((SourceResult("stripe", "ok", {
        "plan": {"product": "Business", "interval": "month"}, "mrr": {"amount": 2400.0, "currency": "usd"},
        "failed_payments_90d": {"count": 3}, "open_disputes": [{"id": "dp_1", "amount": 49.0, "currency": "usd"}]}),))
    return build_briefing(
        conversation_id="c-1",
        messages=(Message("customer", "I was charged twice, I want a real person", 0),
                  Message("ai", "It may be a pending authorisation.", 1, confidence=0.4)),
        decision=Decision(True, (Reason("explicit_request", 0, "a real person"),), category="billing_dispute",
                          priority="high"),
        account=account, route=ROUTE, customer=Customer(email="ana@example.com", name="Ana", language="en"),
        page_url=None, settings=BriefingSettings())


METHODS = {"auth.test", "chat.postMessage", "chat.update", "chat.postEphemeral", "conversations.open",
           "conversations.history", "users.lookupByEmail", "views.open"}
MODAL = {"type": "modal", "callback_id": "handoff_feedback", "title": {"type": "plain_text", "text": "Feedback"},
         "submit": {"type": "plain_text", "text": "Send"},
         "blocks": [{"type": "input", "block_id": "why", "label": {"type": "plain_text", "text": "What was off?"},
                     "element": {"type": "plain_text_input", "action_id": "text", "multiline": True}}]}


async def test_every_call_matches_the_web_api(fake_slack: FakeSlack, slack_connector: SlackConnector) -> None:
    text, blocks = render_slack_card(briefing(), handoff_id="h-1", ticket_url=None, route=ROUTE)
    agent = fake_slack.add_user("jo@example.com")["id"]
    await slack_connector.check()
    alert = await slack_connector.post_alert(AlertRequest("h-1", "C0ALERTS01", text, blocks, dm_user_id=agent),
                                             check_existing=True)
    blocks = with_ticket_button(blocks, "h-1", "https://acme.zendesk.com/agent/tickets/4014")
    await slack_connector.update_alert(alert.channel, alert.ts, text, blocks)
    await slack_connector.update_alert(alert.channel, alert.ts, text,
                                       render_claimed_card(blocks, agent_name="Jo", handoff_id="h-1"))
    await slack_connector.update_alert(alert.channel, alert.ts, text,
                                       render_solved_card(blocks, handoff_id="h-1", agent_name="Jo"))
    await slack_connector.post_thread(alert.channel, alert.ts, "The customer is waiting for a callback.")
    reply = help_reply()
    await slack_connector.post_ephemeral(alert.channel, agent, reply.text, reply.blocks)
    await slack_connector.post_message("C0DIGEST01", "Weekly digest")
    assert await slack_connector.lookup_user_by_email("jo@example.com") == agent
    await slack_connector.open_view("trigger-1", MODAL)

    assert {"header", "section", "actions"} <= {b["type"] for b in fake_slack.messages[0]["blocks"]}
    problems = [p for e in fake_slack.exchanges for p in call_problems(e)]

    assert problems == []
    assert {e.request.path.removeprefix("/api/") for e in fake_slack.exchanges} == METHODS


def an_exchange(method: str, params: dict[str, str], answer: dict[str, object] | None = None) -> Exchange:
    request = FakeRequest("POST", f"/api/{method}", {}, {"authorization": "Bearer xoxb-1"}, b"", form=params)
    return Exchange(request, FakeResponse(200, answer or {"ok": True}))


@pytest.mark.parametrize(("exchange", "problem"), [
    (an_exchange("chat.postMessage", {"text": "hi"}), "required argument 'channel' missing"),
    (an_exchange("chat.postMessage", {"channel": "C1", "text": "hi", "colour": "red"}), "argument 'colour'"),
    (an_exchange("chat.postMessage", {"channel": "C1", "blocks": '[{"type": "divider"}]'}), "without the top-level"),
    (an_exchange("chat.postMessage", {"channel": "C1", "text": "x"}, {"ok": True, "channel": "C1"}),
     "'ts' is a required property"),
    (an_exchange("chat.postMessage", {"channel": "C1", "text": "x"}, {"ok": False, "error": "so_sorry"}),
     "'so_sorry' is not one of"),
    (an_exchange("chat.postMesage", {"channel": "C1", "text": "x"}), "no such method"),
])
def test_the_call_check_catches(exchange: Exchange, problem: str) -> None:
    assert any(problem in p for p in call_problems(exchange)), call_problems(exchange)


@pytest.mark.parametrize(("blocks", "problem"), [
    ([{"type": "header", "text": {"type": "plain_text", "text": "x" * 151}}], "cannot exceed 150"),
    ([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
     "cannot exceed 10"),
    ([{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "b" * 76},
                                        "action_id": "a"}]}], "cannot exceed 75"),
    ([{"type": "divider", "blok_id": "typo"}], "round-trip"),
    ([{"type": "carousel"}], "not a block slack_sdk knows"),
    ([{"type": "hologram"}], "not a block slack_sdk knows"),
])
def test_the_block_check_catches(blocks: list[dict[str, object]], problem: str) -> None:
    found = block_problems(blocks, "chat.postMessage")
    assert len(found) == 1 and problem in found[0], found


def test_the_view_check_catches_a_modal_without_blocks() -> None:
    found = view_problems({**MODAL, "blocks": []}, "views.open")
    assert found and "between 1 and 100 blocks" in found[0]
