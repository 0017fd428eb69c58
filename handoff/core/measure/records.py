"""The records the metrics are computed from: one per handoff and one per conversation (built from the store)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

@dataclass(frozen=True)
class HandoffRecord:
    """One handoff as the metrics see it (built from the store; all times aware UTC)."""

    id: str
    conversation_id: str
    team: str
    category: str | None
    priority: str
    triggers: tuple[str, ...]  # trigger names of its reasons, in order, unique
    created_at: datetime  # when the handoff was decided
    conversation_started_at: datetime | None  # first message of the conversation (sent_at, else received_at)
    claimed_at: datetime | None
    first_response_at: datetime | None  # first public human reply (Zendesk); None when unknown
    solved_at: datetime | None
    reassigned: int  # times it moved to another agent after the first assignment
    unnecessary: bool  # an agent said "AI could have handled this"
    csat: str | None  # "good" | "bad" | None
    customer_email: str | None
    sources: dict[str, str]  # enrichment source -> "ok" | "unavailable" | "not_configured"
    briefing_fields: dict[str, bool]  # briefing field -> present
    pre_handoff_customer_texts: tuple[str, ...]  # customer messages up to the handoff
    post_handoff_customer_texts: tuple[str, ...]  # customer messages after it
    summary: str
    topic: str = "general"  # what the case was about (billing, technical, account_access...)
    reoffers: int = 0  # times its offer went on unclaimed (claim timeout)
    released_via: str | None = None  # how it was handed back: api | slack | zendesk_solved (None: not handed back)
    rehandoff: str | None = None  # within the window of a hand-back: "same_agent" | "routed" (None: a new handoff)


@dataclass(frozen=True)
class ConversationRecord:
    """One conversation (with or without handoff)."""

    id: str
    started_at: datetime | None
    handed_off: bool
    csat: str | None  # satisfaction of AI-only conversations (Zendesk flow); None when unknown
    team: str | None = None  # the handoff's team when handed off
