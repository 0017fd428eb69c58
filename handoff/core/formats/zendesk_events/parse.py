"""A webhook body (event subscription or trigger) parsed into an InboundEvent, with its dedupe key."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from handoff.core.formats.zendesk_events.model import (
    ACCOUNT_ID_HEADER,
    EVENT_KINDS,
    EVENT_PREFIX,
    INVOCATION_ID_HEADER,
    KINDS,
    MAX_BODY_BYTES,
    SOLVED_STATUSES,
    WEBHOOK_ID_HEADER,
    InboundEvent,
    WebhookRejected,
)
from handoff.core.formats.zendesk_events.values import (
    as_bool,
    as_id,
    as_satisfaction,
    as_status,
    as_tags,
    as_text,
    as_time,
)
from handoff.core.json_values import as_mapping

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
    event_id = as_text(obj.get("id")) if is_event else None
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
    account_id = as_id(obj.get("account_id")) or as_id(_header(headers, ACCOUNT_ID_HEADER))
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
    detail = as_mapping(obj.get("detail"))
    event = as_mapping(obj.get("event"))
    ticket_id = as_id(detail.get("id"))
    subject = obj.get("subject")
    if ticket_id is None and isinstance(subject, str) and subject.startswith("zen:ticket:"):
        ticket_id = as_id(subject[len("zen:ticket:"):])
    if ticket_id is None:
        if not event_type.startswith(EVENT_PREFIX + "ticket."):
            raise WebhookRejected(422, f"{event_type} is not a ticket event")
        raise WebhookRejected(422, "detail.id must be a ticket id")
    name = event_type[len(EVENT_PREFIX):]
    kind = EVENT_KINDS.get(name, "other")
    data: dict[str, Any] = {}
    status = as_status(detail.get("status"))
    if status:
        data["status"] = status
    tags = as_tags(detail.get("tags"))
    if tags is not None:
        data["tags"] = tags
    for src in ("assignee_id", "group_id", "requester_id"):
        if (value := as_id(detail.get(src))) is not None:
            data[src] = value
    if name == "ticket.comment_added":
        comment = as_mapping(event.get("comment"))
        author = as_mapping(comment.get("author"))
        data.update(
            comment_id=as_id(comment.get("id")),
            comment_author_id=as_id(author.get("id")),
            comment_author_is_staff=as_bool(author.get("is_staff")),
            comment_public=as_bool(comment.get("is_public")),
            comment_body=comment.get("body") if isinstance(comment.get("body"), str) else None,
        )
    elif name == "ticket.status_changed":
        data["status"] = as_status(event.get("current")) or status
        data["previous_status"] = as_status(event.get("previous"))
        if data["status"] in SOLVED_STATUSES:
            kind = "solved"
    elif name == "ticket.custom_status_changed":
        data["custom_status_id"] = as_id(event.get("current"))
        data["previous_custom_status_id"] = as_id(event.get("previous"))
    elif name == "ticket.agent_assignment_changed":
        data["assignee_id"] = as_id(event.get("current"))
        data["previous_assignee_id"] = as_id(event.get("previous"))
        if data["assignee_id"] is None:
            kind = "other"  # unassigned: nobody took the ticket
    elif name == "ticket.group_assignment_changed":
        data["group_id"] = as_id(event.get("current"))
        data["previous_group_id"] = as_id(event.get("previous"))
        if data["group_id"] is None:
            kind = "other"
    return InboundEvent(key=key, kind=kind, ticket_id=ticket_id, occurred_at=as_time(obj.get("time")),
                        actor_id=as_id(detail.get("actor_id")), data=data, webhook_id=webhook_id,
                        account_id=account_id, event_type=event_type)


def _parse_trigger(obj: dict[str, Any], key: str, webhook_id: str | None, account_id: int | None) -> InboundEvent:
    ticket_id = as_id(obj.get("ticket_id"))
    if ticket_id is None:
        raise WebhookRejected(422, "ticket_id must be a positive integer (is the {{ticket.id}} placeholder set?)")
    data: dict[str, Any] = {"snapshot": True}
    for name in ("requester_id", "assignee_id", "group_id", "comment_id", "comment_author_id"):
        data[name] = as_id(obj.get(name))
    data["status"] = as_status(obj.get("status"))
    data["comment_public"] = as_bool(obj.get("comment_public"))
    data["satisfaction_score"] = as_satisfaction(obj.get("satisfaction_score"))
    comment_text = obj.get("satisfaction_comment")
    data["satisfaction_comment"] = as_text(comment_text)
    if isinstance(obj.get("comment_body"), str):
        data["comment_body"] = obj["comment_body"]
    tags = as_tags(obj.get("tags"))
    if tags is not None:
        data["tags"] = tags
    actor = as_id(obj.get("current_user_id"))
    explicit = as_text(obj.get("event"))
    kind = explicit.lower() if explicit and explicit.lower() in KINDS else _infer_kind(data, actor)
    if kind == "status_changed" and data["status"] in SOLVED_STATUSES:
        kind = "solved"
    return InboundEvent(key=key, kind=kind, ticket_id=ticket_id, occurred_at=as_time(obj.get("updated_at")),
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
