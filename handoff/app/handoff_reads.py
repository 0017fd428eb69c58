"""Reading handoffs for the API and the bot: one handoff in full, or the answer a handed-off turn gets."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.erasure import ERASED
from handoff.core.brief import BriefingSettings, bounded_briefing_json
from handoff.core.locales.customer_messages import after_erasure
from handoff.storage.tables import DeliveryRow, HandoffRow
from handoff.storage.turn_store import TRANSCRIPT_PAGE_MAX, TRANSCRIPT_PAGE_MESSAGES, TurnStore, transcript_page


class NotFoundError(LookupError):
    """The thing asked for does not exist."""


def existing_response(h: dict[str, Any]) -> dict[str, Any]:
    """The `/v1` answer of a handoff already made: the one the bot must respect."""
    route = h.get("route") or {}
    return {
        "decision": "handoff",
        "handoff_id": h["handoff_id"],
        "reasons": h["reasons"],
        "category": h["category"],
        "team": h["team"],
        "agent": route.get("agent_name") or h["agent"],
        "priority": h["priority"],
        "customer_message": h["customer_message"],
        "expected_wait_seconds": route.get("expected_wait_seconds"),
        "queue_position": route.get("queue_position"),
        "callback_at": h["callback_at"],
    }


def handoff_answer_in(conn: Connection, handoff_id: str) -> dict[str, Any]:
    """The answer to a turn of a conversation already handed off: the handoff as the bot must respect it."""
    h = TurnStore.answer_row(conn, handoff_id)
    if h is None:
        raise NotFoundError(f"no handoff {handoff_id}")
    if h.customer_message == ERASED:
        return erased_response(h.id, h.category, h.team, h.priority, h.route)
    return existing_response({
        "handoff_id": h.id, "reasons": h.reasons, "category": h.category, "team": h.team, "agent": h.agent,
        "route": h.route, "priority": h.priority, "customer_message": h.customer_message,
        "callback_at": h.callback_at.isoformat() if h.callback_at else None,
    })


def erased_response(handoff_id: str, category: str | None, team: str | None, priority: str | None,
                    route: dict[str, Any] | None) -> dict[str, Any]:
    """The answer for a turn of a conversation whose handoff was erased: still with the people (a conversation
    has one handoff, and its ticket may still be open), told so neutrally; no erasure marker, no reasons (their
    evidence was erased), no agent, wait or queue place (they were the route's at the time)."""
    language = ((route or {}).get("request") or {}).get("language")
    return {
        "decision": "handoff", "handoff_id": handoff_id, "reasons": [], "category": category,
        "team": team, "agent": None, "priority": priority,
        "customer_message": after_erasure(language), "expected_wait_seconds": None, "queue_position": None,
        "callback_at": None,
    }


def get_handoff(sessions: sessionmaker[Session], briefing: BriefingSettings, handoff_id: str, *,
                transcript_offset: int = 0, transcript_limit: int = TRANSCRIPT_PAGE_MESSAGES) -> dict[str, Any]:
    """Status, route, briefing and deliveries of one handoff, and a page of its full transcript.

    `transcript` holds the messages from index `transcript_offset` on: at most `transcript_limit` (capped at
    TRANSCRIPT_PAGE_MAX), ending early after about TRANSCRIPT_PAGE_CHARS of text; `next_offset` is where
    the next page starts (null after the last message).
    """
    with sessions() as s:
        h = s.get(HandoffRow, handoff_id)
        if h is None:
            raise NotFoundError(f"no handoff {handoff_id}")
        deliveries = s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == handoff_id).order_by(DeliveryRow.id)).all()
        transcript = transcript_page(s, h.conversation_id, max(0, transcript_offset),
                                     min(max(1, transcript_limit), TRANSCRIPT_PAGE_MAX))
        return {
            "handoff_id": h.id,
            "conversation_id": h.conversation_id,
            "status": h.status,
            "source": h.source,
            "created_at": h.created_at.isoformat(),
            "message_index": h.message_index,
            "category": h.category,
            "priority": h.priority,
            "reasons": h.reasons,
            "team": h.team,
            "agent": h.agent,
            "route": h.route,
            "customer_message": h.customer_message,
            "callback_at": h.callback_at.isoformat() if h.callback_at else None,
            "zendesk_ticket_id": h.zendesk_ticket_id,
            "deliveries": [
                {"kind": d.kind, "target": d.target, "status": d.status, "attempts": d.attempts,
                 "last_error": d.last_error, "result": d.result}
                for d in deliveries
            ],
            "briefing": bounded_briefing_json(h.briefing, briefing),
            "transcript": transcript,
        }
