"""Reading handoffs for the API and the bot: one handoff in full, or the answer a handed-off turn gets."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.customer_updates import latest_update
from handoff.app.erasure import ERASED
from handoff.core.brief import BriefingSettings, bounded_briefing_json
from handoff.core.handoff_status import (
    BotStatus,
    HandoffStatus,
    Owner,
    bot_status,
    owner_of,
)
from handoff.core.locales.customer_messages import after_erasure
from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffRow
from handoff.storage.turn_store import (
    TRANSCRIPT_PAGE_MAX,
    TRANSCRIPT_PAGE_MESSAGES,
    TurnStore,
    transcript_page,
)


class NotFoundError(LookupError):
    """The thing asked for does not exist."""


def existing_response(h: dict[str, Any]) -> dict[str, Any]:
    """The `/v1` answer of a handoff already made: the one the bot must respect."""
    route = h.get("route") or {}
    status = bot_status(h["status"], h["agent"])
    # the routed queue position and wait hold while the customer waits; once someone has it, they do not
    waiting = status in (BotStatus.QUEUED, BotStatus.ASSIGNED)
    return {
        "decision": "handoff",
        "handoff_id": h["handoff_id"],
        "reasons": h["reasons"],
        "category": h["category"],
        "team": h["team"],
        "agent": h.get("agent_name") or route.get("agent_name") or h["agent"],
        "priority": h["priority"],
        "customer_message": h["customer_message"],
        "expected_wait_seconds": route.get("expected_wait_seconds") if waiting else None,
        "queue_position": route.get("queue_position") if waiting else None,
        "callback_at": h["callback_at"],
        "owner": owner_of(h["status"]).value,
        "status": status.value,
    }


def _agent_name(h: Any, names: Mapping[str, str]) -> str | None:
    """Who has the handoff now: the claimer (or a reassigned agent) by name, else the routed agent's name."""
    current = h.claimed_by or h.agent
    if current and current != (h.route or {}).get("agent"):
        return names.get(current, current)  # someone other than the routed agent took it
    return None


def handoff_answer_in(conn: Connection, handoff_id: str, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The answer to a turn of a conversation already handed off: the handoff as the bot must respect it.

    `names`: agent id → display name (settings), so a handoff claimed by someone else names them.
    """
    h = TurnStore.answer_row(conn, handoff_id)
    if h is None:
        raise NotFoundError(f"no handoff {handoff_id}")
    return answer_from_row(h, names or {})


def answer_from_row(h: Any, names: Mapping[str, str]) -> dict[str, Any]:
    """The answer of a handed-off turn from the handoff's answer row (TurnStore.answer_row)."""
    if h.customer_message == ERASED:
        return {**erased_response(h.id, h.category, h.team, h.priority, h.route),
                "owner": owner_of(h.status).value, "status": bot_status(h.status, None).value}
    return existing_response({
        "handoff_id": h.id, "reasons": h.reasons, "category": h.category, "team": h.team, "agent": h.agent,
        "route": h.route, "priority": h.priority, "customer_message": h.customer_message,
        "callback_at": h.callback_at.isoformat() if h.callback_at else None, "status": h.status,
        "agent_name": _agent_name(h, names),
    })


def conversation_view(sessions: sessionmaker[Session], cid: str, names: Mapping[str, str] | None = None) -> dict[str, Any]:
    """`GET /v1/conversations/{id}`: who owns the conversation and, with a human, where the handoff stands."""
    with sessions() as s:
        conv = s.execute(select(ConversationRow.id, ConversationRow.handoff_id, ConversationRow.message_count)
                         .where(ConversationRow.id == cid)).first()
        if conv is None:
            raise NotFoundError(f"no conversation {cid}")
        answer = handoff_answer_in(s.connection(), conv.handoff_id, names) if conv.handoff_id else None
        # while a human has it: the latest update the waiting customer was told (handoff.app.customer_updates)
        update = latest_update(s, cid, conv.handoff_id) if conv.handoff_id else None
        # back with the AI: say so, and which handoff was released
        last = None if answer else s.execute(
            select(HandoffRow.id, HandoffRow.status).where(HandoffRow.conversation_id == cid)
            .order_by(HandoffRow.created_at.desc(), HandoffRow.id.desc()).limit(1)).first()
    view: dict[str, Any] = {"conversation_id": cid, "message_count": conv.message_count, "owner": Owner.AI.value,
                            "status": None, "handoff_id": None, "agent": None, "team": None,
                            "queue_position": None, "expected_wait_seconds": None, "callback_at": None,
                            "customer_message": None, "update": None}
    if last is not None and last.status == HandoffStatus.RELEASED:
        view.update(status=HandoffStatus.RELEASED.value, handoff_id=last.id)
    if answer is not None:
        view.update({k: answer[k] for k in ("owner", "status", "handoff_id", "agent", "team", "queue_position",
                                            "expected_wait_seconds", "callback_at", "customer_message")},
                    update=update)
    return view


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
