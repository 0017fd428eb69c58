"""Live tickets: a ticket and its comments as a conversation, and whether the bot owns the ticket."""
from __future__ import annotations

from collections.abc import Collection
from typing import Any

from handoff.core.formats.conversations import Conversation
from handoff.core.formats.zendesk_events.model import DEFAULT_BOT_TAGS, HANDOFF_TAG, SOLVED_STATUSES
from handoff.core.formats.zendesk_export import ticket_to_conversation

def conversation_from_ticket(
    ticket: dict[str, Any],
    comments: list[dict[str, Any]],
    *,
    bot_user_ids: Collection[int],
    agent_user_ids: Collection[int] | None = None,
) -> Conversation:
    """A live ticket as a conversation: requester → customer, bot users → ai, human agents → agent.

    Same conversion as the export (`ticket_to_conversation`) but it reads past human replies, carries
    no label, and keeps each comment id as `message_id`. Private notes are left out. Raises ValueError
    on a malformed comment.
    """
    merged = dict(ticket)
    merged["comments"] = comments
    conv = ticket_to_conversation(merged, bot_user_ids, stop_at_agent=False, agent_user_ids=agent_user_ids)
    assert conv is not None  # stop_at_agent=False never drops a ticket
    return conv


def is_bot_handling(
    ticket: dict[str, Any],
    *,
    bot_user_ids: Collection[int],
    bot_tags: Collection[str] = DEFAULT_BOT_TAGS,
) -> bool:
    """Whether the bot owns this ticket, so a new customer comment should go through decide.

    Rule: a ticket tagged with one of `bot_tags` is the bot's (the bot or a routing rule says so
    explicitly), unless it is already tagged `handoff`, solved or closed. Without such a tag, it is the
    bot's when no human is assigned (assignee empty or a bot user) and it carries no `handoff` tag.
    """
    tags = set(ticket.get("tags") or [])
    status = ticket.get("status")
    if HANDOFF_TAG in tags or (isinstance(status, str) and status.lower() in SOLVED_STATUSES):
        return False
    if tags & set(bot_tags):
        return True
    assignee = ticket.get("assignee_id")
    return assignee is None or assignee in set(bot_user_ids)
