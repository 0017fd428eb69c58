"""A `/v1` message body as the turn use case takes it: validated by the edge, typed here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from handoff.core.formats.conversations import parse_time
from handoff.core.models import Customer, KBArticle


@dataclass(frozen=True)
class TurnInput:
    """A validated `/v1` message body."""

    role: str
    text: str
    message_id: str | None = None
    sent_at: datetime | None = None
    confidence: float | None = None
    page_url: str | None = None
    kb_articles: tuple[KBArticle, ...] = ()
    ai_actions: tuple[str, ...] = ()
    customer: Customer | None = None
    channel: str | None = None
    sunshine_conversation_id: str | None = None  # the conversation lives in Zendesk messaging (app/messaging.py)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # no offset given: UTC


def turn_from_body(body: dict[str, Any]) -> TurnInput:
    """Convert a validated API body (a plain dict) into a TurnInput."""
    cust = body.get("customer")
    sent_at = body.get("sent_at")
    return TurnInput(
        role=body["role"],
        text=body["text"],
        message_id=body.get("message_id"),
        sent_at=_aware(sent_at) if isinstance(sent_at, datetime) else parse_time(sent_at, "sent_at"),
        confidence=body.get("confidence"),
        page_url=body.get("page_url"),
        kb_articles=tuple(
            KBArticle(id=k, title="") if isinstance(k, str) else KBArticle(id=str(k["id"]), title=k.get("title") or "", url=k.get("url"))
            for k in body.get("kb_articles") or []
        ),
        ai_actions=tuple(body.get("ai_actions") or ()),
        customer=Customer(**{k: cust.get(k) for k in ("email", "name", "external_id", "language", "timezone")}) if cust else None,
        channel=body.get("channel"),
        sunshine_conversation_id=body.get("sunshine_conversation_id"),
    )
