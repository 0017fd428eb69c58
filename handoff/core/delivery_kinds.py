"""The writes a handoff makes in the outside systems, one kind per row of the outbox (deliveries table).

Stored as their string value; a StrEnum, so a kind read back from the database compares equal to its member.
"""
from __future__ import annotations

from enum import StrEnum


class DeliveryKind(StrEnum):
    """What a delivery row does when the dispatcher sends it."""

    ZENDESK_TICKET = "zendesk_ticket"  # create the ticket (or note an existing one) with the briefing
    ZENDESK_UPDATE = "zendesk_update"  # a private note and fields on the handoff's ticket (claimed, callback...)
    ZENDESK_COMMENT = "zendesk_comment"  # a later customer message, as the requester's public comment
    SLACK_ALERT = "slack_alert"  # the alert card (and the DM to the assigned agent)
    SLACK_UPDATE = "slack_update"  # the alert card in a new state, with an optional thread note
    SLACK_MESSAGE = "slack_message"  # a message in the alert's thread, a channel or a DM (callbacks, reminders)
    SLACK_REPLY = "slack_reply"  # a later customer message, as a reply in the alert's thread
    SUNSHINE_CONTROL = "sunshine_control"  # Zendesk messaging: pass control to the agents, or release it back
    BOT_WEBHOOK = "bot_webhook"  # a customer update (place in line, alternatives, the agent's intro) told to the bot
    LINEAR_ISSUE = "linear_issue"  # a bug report in Linear: a new issue, or a comment on the open one it matches
