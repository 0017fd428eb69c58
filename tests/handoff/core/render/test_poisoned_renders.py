"""Every Slack payload kind and the Zendesk note and subject, rendered from a poisoned briefing.

The customer's name, messages, the page URL, KB titles and account facts hold cards, credentials,
contact details and Slack control sequences. Whatever the renderer (card, its states, the digest, each
`/handoff` reply), none of it survives raw in Slack's JSON; the ticket keeps contact details only.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from handoff.core.models import AccountContext, Customer, KBArticle, Message, Reason, Route, SourceResult
from handoff.app.packaging import _subject
from handoff.core.delivery_payloads import CardUpdate
from handoff.core.render import slack_replies as replies
from handoff.core.render.digest import render_digest
from handoff.core.render.slack_card import render_claimed_card, render_slack_card, render_solved_card, with_ticket_button
from handoff.core.render.slack_states import card_in_state
from handoff.core.render.zendesk_note import render_zendesk_note

NAME = "Ana <!channel> 5555 5555 5555 4444 *boss*"
EMAIL = "ana.lima@bücher.de"
POISON = ("card 4111 1111 1111 1111 123, pw hunter2, <!here> <@U0BOSS> <http://evil.example|click> `rm` ~x~ "
          "sk_live_51H8abcDEFghiJKLmnop gb82 west 1234 5698 7654 32 call 07700 900123 or ana.lima@bücher.de")
NEVER = ["4111 1111", "1111 123", "5555 5555", "hunter2", "sk_live_51H8", "west 1234", "s3cret"]
NOT_IN_SLACK = [*NEVER, "ana.lima@", "900123", "<!channel>", "<!here>", "<@U0BOSS>", "<http://evil"]
FORMATTING = ["*boss*", "`rm`", "~x~"]


def _mrkdwn_texts(value: Any) -> list[str]:
    """Every mrkdwn string in a Slack payload (plain_text objects are not read as markup by Slack)."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return []
        return [t for v in value.values() for t in _mrkdwn_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _mrkdwn_texts(v)]
    return [value] if isinstance(value, str) else []


def assert_safe_for_slack(payload: Any) -> None:
    dumped = json.dumps(payload, ensure_ascii=False)
    assert [f for f in NOT_IN_SLACK if f in dumped] == []
    assert not re.search(r"411111111111|555555555555", re.sub(r"\D", "", dumped))
    assert [f for t in _mrkdwn_texts(payload) for f in FORMATTING if f in t] == []


@pytest.fixture
def poisoned(make_briefing):  # type: ignore[no-untyped-def]
    t0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)
    messages = (
        Message("customer", f"My card was charged twice! {POISON}", 0, t0),
        Message("ai", f"I think it's pending. {POISON}", 1, t0, confidence=0.4,
                kb_articles=(KBArticle("kb-1", f"Refunds {POISON}", "https://kb.example/x"),),
                ai_actions=(f"refund {POISON}",)),
        Message("customer", f"I want a real person now. {POISON}", 2, t0),
    )
    account = AccountContext((
        SourceResult("stripe", "ok", {"plan": {"product": f"Pro {POISON}"}, "mrr": {"amount": 10.0}}),
        SourceResult("hubspot", "ok", {"company": {"name": f"Acme {POISON}"}, "owner": {"name": POISON}}),
        SourceResult("zendesk", "ok", {"open_tickets": [{"id": 1, "subject": POISON, "status": "open"}]}),
    ))
    return make_briefing(
        messages=messages, account=account,
        customer=Customer(email=EMAIL, name=NAME, language="en"),
        page_url="https://bob:s3cret@app.example.com/settings/billing?card=4111111111111111",
    )


def test_every_state_of_the_alert_card(poisoned) -> None:  # type: ignore[no-untyped-def]
    route = Route("billing", agent="a1", agent_name=f"Jo {POISON}", queue_position=2, expected_wait_seconds=300)
    text, blocks = render_slack_card(poisoned, handoff_id="h_1", ticket_url="https://acme.zendesk.com/agent/tickets/7",
                                     route=route)
    states = [
        blocks,
        with_ticket_button(blocks, "h_1", "https://acme.zendesk.com/agent/tickets/7"),
        render_claimed_card(blocks, agent_name=f"Jo {POISON}", handoff_id="h_1"),
        render_claimed_card(blocks, agent_name=POISON, handoff_id="h_1", reassigned=True),
        render_solved_card(blocks, handoff_id="h_1", agent_name=POISON),
        card_in_state(blocks, "h_1", CardUpdate("claimed", POISON)),
    ]
    for state in states:
        assert_safe_for_slack({"text": text, "blocks": state})
    dumped = json.dumps(blocks, ensure_ascii=False)
    # what the customer wrote is still there, masked and defused
    assert "•••• 1111 •••" in dumped and "&lt;!channel&gt;" in dumped and "＊boss＊" in dumped
    assert "pw ••••" in dumped and "GB•• •••• 5432" in dumped and "a***@bücher.de" in dumped


def test_the_digest(poisoned) -> None:  # type: ignore[no-untyped-def]
    current = {"handoffs": 1, "conversations": 1, "handoff_rate": 1.0,
               "worst_handoffs": [{"id": "h_1", "score": 10.0, "notes": [POISON], "summary": POISON}],
               "by_reason": {POISON: 1}}
    text, blocks = render_digest(current, {})
    assert_safe_for_slack({"text": text, "blocks": blocks})


def test_every_handoff_reply() -> None:
    item = {"handoff_id": "h_1", "team": "billing", "priority": "high", "category": "billing_dispute",
            "agent": POISON, "created_at": "2026-03-02T10:00:00Z", "summary": POISON}
    status = {"handoff_id": "h_1", "status": "open", "team": "billing", "agent": POISON, "priority": "high",
              "category": POISON, "zendesk_ticket_id": 7, "created_at": "2026-03-02T10:00:00Z",
              "reasons": [{"trigger": "explicit_request", "message_index": 2, "evidence": POISON}],
              "briefing": {"summary": POISON, "customer": {"name": NAME, "email": EMAIL}},
              "deliveries": [{"kind": "slack_alert", "target": "slack", "status": "dead", "attempts": 5,
                              "last_error": POISON}]}
    every = [
        replies.queue_reply({"open": [item], "dead_deliveries": [{"handoff_id": "h_1", "kind": "slack_alert",
                                                                   "last_error": POISON}]}),
        replies.status_reply(status, "h_1"),
        replies.status_reply(None, "4111111111111111"),
        replies.callbacks_reply([{"handoff_id": "h_1", "team": "billing", "callback_at": "2026-03-03T09:00:00Z",
                                  "customer": {"name": NAME, "email": EMAIL}}, {"handoff_id": "h_2", "customer": NAME}]),
        replies.stats_reply({"handoffs": 3, "by_reason": {POISON: 2}, "by_category": {POISON: 1}}),
        replies.claim_reply({"ok": False, "handoff_id": "h_1", "message": POISON}),
        replies.claim_reply({"ok": True, "handoff_id": "h_1", "message": POISON}),
        replies.unnecessary_reply({"ok": True, "message": POISON}, "h_1"),
        replies.help_reply(POISON),
        replies.not_agent_reply("claim", POISON),
        replies.usage_reply(replies.parse_command("status 4111111111111111!")),
        replies.usage_reply(replies.parse_command(f"status {NAME}")),
    ]
    for reply in every:
        assert_safe_for_slack(reply.kwargs())
    assert replies.working_text(replies.parse_command("status 4111111111111111")) == "Looking up `•••• 1111`…"


def test_the_zendesk_note_and_subject_keep_contact_details_only(poisoned) -> None:  # type: ignore[no-untyped-def]
    note = render_zendesk_note(poisoned, handoff_id="h_1")
    subject = _subject(poisoned, poisoned.customer)
    for text in (note, subject):
        assert [f for f in NEVER if f in text] == []
        assert not re.search(r"411111111111|555555555555", re.sub(r"\D", "", text))
    # agents call and write customers back, so contact details stay; so does the customer's text
    assert EMAIL in note and "07700 900123" in note and "<!here>" in note
    assert "https://bob:••••@app.example.com" in note
    assert subject.startswith("[Handoff] Ana <!channel> •••• 4444 *boss*: ")


def test_a_card_split_by_the_subject_cut_never_shows(make_briefing) -> None:  # type: ignore[no-untyped-def]
    b = make_briefing(customer=Customer(name="x" * 230 + " 4111 1111 1111 1111"))
    subject = _subject(b, b.customer)
    assert len(subject) <= 250 and "4111" not in subject


def test_messages_at_the_edges_of_the_transcript(make_briefing) -> None:  # type: ignore[no-untyped-def]
    msgs = tuple(Message("customer" if i % 2 == 0 else "ai", f"{i} {POISON}", i) for i in range(80))
    b = make_briefing(messages=msgs, decision=_decision())
    assert_safe_for_slack(list(render_slack_card(b, handoff_id="h", ticket_url=None, route=None)))
    note = render_zendesk_note(b)
    assert [f for f in NEVER if f in note] == []


def _decision():  # type: ignore[no-untyped-def]
    from handoff.core.models import Decision

    return Decision(True, (Reason("explicit_request", 2, POISON, POISON),), "billing_dispute", "high")
