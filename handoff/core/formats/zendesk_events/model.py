"""What a Zendesk webhook is to the service: the headers, the event kinds, the recommended trigger body,
the InboundEvent a body becomes, and the refusal of one."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

SIGNATURE_HEADER = "x-zendesk-webhook-signature"
TIMESTAMP_HEADER = "x-zendesk-webhook-signature-timestamp"
WEBHOOK_ID_HEADER = "x-zendesk-webhook-id"
INVOCATION_ID_HEADER = "x-zendesk-webhook-invocation-id"
ACCOUNT_ID_HEADER = "x-zendesk-account-id"
MAX_BODY_BYTES = 1024 * 1024  # Zendesk bodies are a few KB; anything this big is not from Zendesk
MAX_ID = 2**63 - 1  # Zendesk ids are 64-bit signed integers
EVENT_PREFIX = "zen:event-type:"
HANDOFF_TAG = "handoff"
DEFAULT_BOT_TAGS: tuple[str, ...] = ("ai_agent",)
SOLVED_STATUSES = frozenset({"solved", "closed"})
Kind = Literal["comment_added", "status_changed", "solved", "agent_assigned", "group_assigned",
               "satisfaction_rated", "ticket_created", "other"]
KINDS: tuple[str, ...] = ("comment_added", "status_changed", "solved", "agent_assigned", "group_assigned",
                          "satisfaction_rated", "ticket_created", "other")
# Event-subscription types we act on (`zen:event-type:` + name) → kind. Every other ticket event is
# "other". Zendesk has no satisfaction-rating event type for webhooks: CSAT arrives through a trigger.
EVENT_KINDS: dict[str, str] = {
    "ticket.comment_added": "comment_added",
    "ticket.status_changed": "status_changed",  # "solved" when the new status is solved/closed
    "ticket.custom_status_changed": "status_changed",
    "ticket.agent_assignment_changed": "agent_assigned",
    "ticket.group_assignment_changed": "group_assigned",
    "ticket.created": "ticket_created",
}
# The event types `handoff setup zendesk --kind events` subscribes the webhook to.
SUBSCRIBED_EVENT_TYPES: tuple[str, ...] = tuple(EVENT_PREFIX + name for name in EVENT_KINDS)
# The recommended body of the trigger's "Notify active webhook" action. Only placeholders from
# Zendesk's placeholder reference; free text (comment bodies, CSAT comments) is left out on purpose,
# because placeholders are rendered unescaped and a quote in the text would break the JSON. The
# service reads the comments through the API instead. A rendered placeholder with no value is "".
TRIGGER_BODY: dict[str, str] = {
    "ticket_id": "{{ticket.id}}",
    "status": "{{ticket.status}}",
    "requester_id": "{{ticket.requester.id}}",
    "assignee_id": "{{ticket.assignee.id}}",
    "current_user_id": "{{current_user.id}}",
    "comment_id": "{{ticket.latest_comment.id}}",
    "comment_author_id": "{{ticket.latest_comment.author.id}}",
    "comment_public": "{{ticket.latest_comment.is_public}}",
    "satisfaction_score": "{{satisfaction.current_rating}}",
    "tags": "{{ticket.tags}}",
    "updated_at": "{{ticket.updated_at_with_timestamp}}",
}


def trigger_body_json() -> str:
    """The recommended trigger body as the pretty JSON an admin pastes into Zendesk."""
    return json.dumps(TRIGGER_BODY, indent=2)


class WebhookRejected(Exception):
    """A webhook request we refuse; `status` is the HTTP answer, `reason` says why (safe to return)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status}: {reason}")
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class InboundEvent:
    """One Zendesk webhook delivery, reduced to what the service needs."""

    key: str  # dedupe key, see the module docstring
    kind: str  # one of KINDS
    ticket_id: int
    occurred_at: datetime | None = None
    actor_id: int | None = None  # who made the change (event `detail.actor_id` / trigger `current_user_id`)
    data: dict[str, Any] = field(default_factory=dict)
    webhook_id: str | None = None
    account_id: int | None = None
    event_type: str | None = None  # the raw `type` of an event-subscription body; None for triggers
