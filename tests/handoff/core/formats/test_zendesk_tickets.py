"""Live Zendesk tickets: a ticket and its comments as a conversation, and whether the bot owns it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from handoff.core.formats.zendesk_events import conversation_from_ticket, is_bot_handling
from handoff.core.formats.zendesk_export import ticket_to_conversation

BOT = 7001
AGENT = 9001
REQUESTER = 8447388090494


def comment(cid: int, author: int, body: str, *, public: bool = True, minute: int = 0) -> dict[str, Any]:
    return {"id": cid, "author_id": author, "body": body, "public": public,
            "created_at": f"2026-03-02T10:{minute:02d}:00Z"}


TICKET = {"id": 5158, "subject": "Charged twice", "status": "open", "tags": ["ai_agent"],
          "requester_id": REQUESTER, "assignee_id": None, "group_id": None}
COMMENTS = [
    comment(1, REQUESTER, "My card was charged twice", minute=0),
    comment(2, BOT, "I think this may be a pending authorization", minute=1),
    comment(3, AGENT, "Internal: looks like a duplicate", public=False, minute=2),
    comment(4, AGENT, "Hi Ana, I'm looking at it", minute=3),
    comment(5, REQUESTER, "Still charged twice!", minute=4),
]


def test_live_conversation_reads_past_agent_replies() -> None:
    conv = conversation_from_ticket(TICKET, COMMENTS, bot_user_ids={BOT})
    assert conv.id == "zendesk-5158"
    assert [(m.role, m.text) for m in conv.messages] == [
        ("customer", "My card was charged twice"),
        ("ai", "I think this may be a pending authorization"),
        ("agent", "Hi Ana, I'm looking at it"),
        ("customer", "Still charged twice!"),
    ]
    assert [m.message_id for m in conv.messages] == ["1", "2", "4", "5"]
    assert [m.index for m in conv.messages] == [0, 1, 2, 3]
    assert conv.messages[3].sent_at == datetime(2026, 3, 2, 10, 4, tzinfo=timezone.utc)
    assert conv.label is None
    assert conv.customer.external_id == str(REQUESTER)


def test_live_conversation_with_known_agents_treats_others_as_customers() -> None:
    colleague = 4242  # a CC on the customer's side
    comments = [comment(1, REQUESTER, "hello"), comment(2, colleague, "same problem here"),
                comment(3, AGENT, "on it")]
    conv = conversation_from_ticket(TICKET, comments, bot_user_ids={BOT}, agent_user_ids={AGENT})
    assert [m.role for m in conv.messages] == ["customer", "customer", "agent"]


def test_live_conversation_of_an_agent_opened_ticket_is_kept() -> None:
    comments = [comment(1, AGENT, "We noticed a failed payment"), comment(2, REQUESTER, "What? Why?")]
    conv = conversation_from_ticket(TICKET, comments, bot_user_ids={BOT})
    assert [m.role for m in conv.messages] == ["agent", "customer"]
    # the export still drops such outbound tickets and still stops at the first human reply
    assert ticket_to_conversation(dict(TICKET, comments=comments), {BOT}) is None
    exported = ticket_to_conversation(dict(TICKET, comments=COMMENTS), {BOT})
    assert exported is not None and [m.role for m in exported.messages] == ["customer", "ai"]
    assert exported.label is not None and (exported.label.escalate, exported.label.turn) == (True, 0)


def test_live_conversation_rejects_malformed_comments() -> None:
    with pytest.raises(ValueError, match="author_id"):
        conversation_from_ticket(TICKET, [{"id": 1, "body": "x", "public": True}], bot_user_ids={BOT})


@pytest.mark.parametrize(("changes", "handling"), [
    ({}, True),  # nobody assigned, not handed off
    ({"assignee_id": BOT}, True),
    ({"assignee_id": AGENT, "tags": []}, False),
    ({"assignee_id": AGENT, "tags": ["ai_agent"]}, True),  # explicitly the bot's, whoever is assignee
    ({"tags": ["ai_agent", "handoff"]}, False),
    ({"tags": ["handoff"]}, False),
    ({"assignee_id": AGENT, "tags": ["custom_bot"]}, False),
    ({"status": "solved"}, False),
    ({"status": "Closed"}, False),
    ({"tags": None}, True),
])


def test_is_bot_handling(changes: dict[str, Any], handling: bool) -> None:
    assert is_bot_handling({**TICKET, **changes}, bot_user_ids={BOT}) is handling


def test_bot_tags_are_configurable() -> None:
    ticket = {**TICKET, "assignee_id": AGENT, "tags": ["custom_bot"]}
    assert is_bot_handling(ticket, bot_user_ids={BOT}, bot_tags=["custom_bot"]) is True
    assert is_bot_handling(ticket, bot_user_ids={BOT}, bot_tags=[]) is False
