"""The Zendesk webhook edge, pure: signature check, body parsing, live ticket → conversation, bot ownership.

Zendesk sends two kinds of webhook bodies (the kind is fixed when the webhook is created):
- event subscriptions: `{"type": "zen:event-type:ticket.comment_added", "id": "<event uuid>",
  "time": "...", "subject": "zen:ticket:5158", "account_id": 22129848, "detail": {"id": "5158",
  "actor_id": "...", "status": "OPEN", ...}, "event": {...}}`, ids as strings, statuses upper case;
- trigger/automation webhooks: whatever JSON the admin wrote, with placeholders rendered. We need at
  least `{"ticket_id": "{{ticket.id}}"}`; `TRIGGER_BODY` is the recommended body (see its comment).

Dedupe key (`InboundEvent.key`), first that exists:
1. `evt:<id>` — the event body's `id` (event subscriptions; Zendesk keeps it across redeliveries);
2. `inv:<x-zendesk-webhook-invocation-id>` — trigger bodies; one invocation, however often retried;
3. `sha:<sha256 of webhook id + NUL + body>` — neither present (a proxy dropped the header): two
   byte-identical bodies from the same webhook are treated as the same delivery. Trigger bodies carry
   the ticket's `updated_at`, so distinct updates still differ.

No I/O and no clock reads here: the caller passes `now`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

from handoff.core.formats.conversations import Conversation
from handoff.core.formats.zendesk_export import ticket_to_conversation

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


# -- signature -------------------------------------------------------------------------------
def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Zendesk's signature: base64(HMAC-SHA256(secret, timestamp + body))."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("utf-8") + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def _parse_timestamp(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def verify_signature(
    secret: str,
    timestamp: str | None,
    body: bytes,
    signature: str | None,
    *,
    now: datetime,
    tolerance_seconds: float = 300,
) -> None:
    """Accept a correctly signed, fresh request; raise WebhookRejected(401) otherwise.

    The HMAC is checked before the age, so "stale" is only ever said of a genuine but old request
    (a replay or a long-delayed retry).
    """
    if not secret:
        raise WebhookRejected(401, "webhook secret not configured")
    if not timestamp or not signature:
        raise WebhookRejected(401, "missing signature headers")
    sent_at = _parse_timestamp(timestamp)
    if sent_at is None:
        raise WebhookRejected(401, "signature timestamp is not ISO-8601")
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise WebhookRejected(401, "signature is not base64") from None
    expected = base64.b64decode(sign(secret, timestamp, body))
    if not hmac.compare_digest(given, expected):
        raise WebhookRejected(401, "signature mismatch")
    if now.tzinfo is None:
        now = now.replace(tzinfo=timezone.utc)
    if abs((now - sent_at).total_seconds()) > tolerance_seconds:
        raise WebhookRejected(401, "stale signature timestamp")


# -- parsing ---------------------------------------------------------------------------------
def _as_id(value: Any) -> int | None:
    """A Zendesk id from an int or a decimal string; None for anything else (incl. unrendered placeholders)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:
            number = int(text)
            return number if 0 < number <= MAX_ID else None
    return None


def _as_text(value: Any) -> str | None:
    """A rendered string value; None when empty or when Zendesk left the placeholder unrendered."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and "{{" not in text else None


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    text = _as_text(value)
    if text is None:
        return None
    return {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}.get(text.lower())


def _as_time(value: Any) -> datetime | None:
    text = _as_text(value)
    return _parse_timestamp(text) if text else None


def _status(value: Any) -> str | None:
    # Events say "SOLVED"; the {{ticket.status}} placeholder renders the display name ("Solved").
    text = _as_text(value)
    return text.lower() if text else None


def _satisfaction(value: Any) -> str | None:
    """'good' / 'bad' / 'offered' / 'unoffered', or a numeric score as text; None when not rated.

    `{{satisfaction.current_rating}}` renders a phrase such as "Good, I'm satisfied".
    """
    text = _as_text(value)
    if text is None:
        return None
    word = text.lower().replace(",", " ").split()[0]
    if word in ("good", "bad", "offered", "unoffered"):
        return word
    return word if word.isdigit() else None


def _tags(value: Any) -> list[str] | None:
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    text = _as_text(value)
    return text.split() if text else None


def _decode(body: bytes) -> Any:
    if len(body) > MAX_BODY_BYTES:
        raise WebhookRejected(413, f"body larger than {MAX_BODY_BYTES} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise WebhookRejected(400, "body is not valid UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise WebhookRejected(400, f"body is not valid JSON ({e.msg} at position {e.pos})") from None
    except RecursionError:
        raise WebhookRejected(400, "body is nested too deeply") from None


def _key(obj: dict[str, Any], headers: Mapping[str, str], webhook_id: str | None, body: bytes) -> str:
    is_event = isinstance(obj.get("type"), str) and obj["type"].startswith(EVENT_PREFIX)
    event_id = _as_text(obj.get("id")) if is_event else None
    if event_id:
        return f"evt:{event_id}"
    invocation = _header(headers, INVOCATION_ID_HEADER)
    if invocation:
        return f"inv:{invocation}"
    return "sha:" + hashlib.sha256((webhook_id or "").encode() + b"\0" + body).hexdigest()


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # plain dicts are case-sensitive; Starlette's Headers are not
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return (value.strip() or None) if isinstance(value, str) else None


def parse_event(body: bytes, headers: Mapping[str, str]) -> InboundEvent:
    """Parse a webhook body (event subscription or trigger) into an InboundEvent, or raise WebhookRejected."""
    obj = _decode(body)
    if not isinstance(obj, dict):
        raise WebhookRejected(422, "body must be a JSON object")
    webhook_id = _header(headers, WEBHOOK_ID_HEADER)
    account_id = _as_id(obj.get("account_id")) or _as_id(_header(headers, ACCOUNT_ID_HEADER))
    key = _key(obj, headers, webhook_id, body)
    if isinstance(obj.get("type"), str) and obj["type"].startswith(EVENT_PREFIX):
        return _parse_subscription(obj, key, webhook_id, account_id)
    if "ticket_id" in obj:
        return _parse_trigger(obj, key, webhook_id, account_id)
    if "type" in obj:
        raise WebhookRejected(422, f"type must be a Zendesk event type ({EVENT_PREFIX}...)")
    raise WebhookRejected(422, 'no ticket id: a trigger body needs "ticket_id": "{{ticket.id}}"')


def _parse_subscription(obj: dict[str, Any], key: str, webhook_id: str | None,
                        account_id: int | None) -> InboundEvent:
    event_type: str = obj["type"]
    detail = obj.get("detail") if isinstance(obj.get("detail"), dict) else {}
    event = obj.get("event") if isinstance(obj.get("event"), dict) else {}
    ticket_id = _as_id(detail.get("id"))
    subject = obj.get("subject")
    if ticket_id is None and isinstance(subject, str) and subject.startswith("zen:ticket:"):
        ticket_id = _as_id(subject[len("zen:ticket:"):])
    if ticket_id is None:
        if not event_type.startswith(EVENT_PREFIX + "ticket."):
            raise WebhookRejected(422, f"{event_type} is not a ticket event")
        raise WebhookRejected(422, "detail.id must be a ticket id")
    name = event_type[len(EVENT_PREFIX):]
    kind = EVENT_KINDS.get(name, "other")
    data: dict[str, Any] = {}
    status = _status(detail.get("status"))
    if status:
        data["status"] = status
    tags = _tags(detail.get("tags"))
    if tags is not None:
        data["tags"] = tags
    for src in ("assignee_id", "group_id", "requester_id"):
        if (value := _as_id(detail.get(src))) is not None:
            data[src] = value
    if name == "ticket.comment_added":
        comment = event.get("comment") if isinstance(event.get("comment"), dict) else {}
        author = comment.get("author") if isinstance(comment.get("author"), dict) else {}
        data.update(
            comment_id=_as_id(comment.get("id")),
            comment_author_id=_as_id(author.get("id")),
            comment_author_is_staff=_as_bool(author.get("is_staff")),
            comment_public=_as_bool(comment.get("is_public")),
            comment_body=comment.get("body") if isinstance(comment.get("body"), str) else None,
        )
    elif name == "ticket.status_changed":
        data["status"] = _status(event.get("current")) or status
        data["previous_status"] = _status(event.get("previous"))
        if data["status"] in SOLVED_STATUSES:
            kind = "solved"
    elif name == "ticket.custom_status_changed":
        data["custom_status_id"] = _as_id(event.get("current"))
        data["previous_custom_status_id"] = _as_id(event.get("previous"))
    elif name == "ticket.agent_assignment_changed":
        data["assignee_id"] = _as_id(event.get("current"))
        data["previous_assignee_id"] = _as_id(event.get("previous"))
        if data["assignee_id"] is None:
            kind = "other"  # unassigned: nobody took the ticket
    elif name == "ticket.group_assignment_changed":
        data["group_id"] = _as_id(event.get("current"))
        data["previous_group_id"] = _as_id(event.get("previous"))
        if data["group_id"] is None:
            kind = "other"
    return InboundEvent(key=key, kind=kind, ticket_id=ticket_id, occurred_at=_as_time(obj.get("time")),
                        actor_id=_as_id(detail.get("actor_id")), data=data, webhook_id=webhook_id,
                        account_id=account_id, event_type=event_type)


def _parse_trigger(obj: dict[str, Any], key: str, webhook_id: str | None, account_id: int | None) -> InboundEvent:
    ticket_id = _as_id(obj.get("ticket_id"))
    if ticket_id is None:
        raise WebhookRejected(422, "ticket_id must be a positive integer (is the {{ticket.id}} placeholder set?)")
    data: dict[str, Any] = {"snapshot": True}
    for name in ("requester_id", "assignee_id", "group_id", "comment_id", "comment_author_id"):
        data[name] = _as_id(obj.get(name))
    data["status"] = _status(obj.get("status"))
    data["comment_public"] = _as_bool(obj.get("comment_public"))
    data["satisfaction_score"] = _satisfaction(obj.get("satisfaction_score"))
    comment_text = obj.get("satisfaction_comment")
    data["satisfaction_comment"] = _as_text(comment_text)
    if isinstance(obj.get("comment_body"), str):
        data["comment_body"] = obj["comment_body"]
    tags = _tags(obj.get("tags"))
    if tags is not None:
        data["tags"] = tags
    actor = _as_id(obj.get("current_user_id"))
    explicit = _as_text(obj.get("event"))
    kind = explicit.lower() if explicit and explicit.lower() in KINDS else _infer_kind(data, actor)
    if kind == "status_changed" and data["status"] in SOLVED_STATUSES:
        kind = "solved"
    return InboundEvent(key=key, kind=kind, ticket_id=ticket_id, occurred_at=_as_time(obj.get("updated_at")),
                        actor_id=actor, data=data, webhook_id=webhook_id, account_id=account_id)


def _infer_kind(data: dict[str, Any], actor: int | None) -> str:
    """The most likely change behind a trigger snapshot (a trigger body says what is, not what changed).

    In order: the requester acting on a solved ticket that carries a good/bad rating → satisfaction_rated
    (a requester comment would have reopened it); solved/closed → solved; the latest public comment is
    the requester's and the requester made this update → comment_added; someone other than the
    requester updated an assigned ticket → agent_assigned; otherwise other. Every fact stays in `data`
    (`snapshot: True`), so the processor can record each one idempotently whatever the guess.
    """
    requester = data.get("requester_id")
    status = data.get("status")
    requester_acted = actor is not None and actor == requester
    if status in SOLVED_STATUSES and data.get("satisfaction_score") in ("good", "bad") and requester_acted:
        return "satisfaction_rated"
    if status in SOLVED_STATUSES:
        return "solved"
    author = data.get("comment_author_id")
    if (author is not None and author == requester and data.get("comment_public") is not False
            and (actor is None or requester_acted)):
        return "comment_added"
    if data.get("assignee_id") is not None and actor is not None and not requester_acted:
        return "agent_assigned"
    return "other"


# -- live tickets ------------------------------------------------------------------------------
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


__all__ = [
    "DEFAULT_BOT_TAGS", "EVENT_KINDS", "InboundEvent", "KINDS", "SUBSCRIBED_EVENT_TYPES", "TRIGGER_BODY",
    "WebhookRejected", "conversation_from_ticket", "is_bot_handling", "parse_event", "sign",
    "trigger_body_json", "verify_signature",
]
