"""Handing a conversation back to the AI: the handoff is `released`, the conversation's owner is `ai` again.

The decision state starts afresh, so the messages before the release never trigger again: only what the
customer writes from now on is weighed (a new handoff is a new row; the released one stays, with its
events). The conversation's version moves on, so a turn in flight that read it still handed off is
decided again. The agent's side hears of it through the usual durable deliveries: a note on the ticket,
the alert's card and thread in Slack. A ticket solved in Zendesk hands back the same way (`hand_back_in`).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.followups import enqueue, record_event
from handoff.app.handoff_reads import NotFoundError
from handoff.app.messaging import queue_release_control
from handoff.core.decide import initial_state
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import CardUpdate, TicketNote
from handoff.core.handoff_status import HandoffStatus, Owner, can_move, movable_to
from handoff.core.masking import for_slack, for_ticket
from handoff.storage.db import changed_rows
from handoff.storage.tables import ConversationRow, HandoffRow

log = structlog.get_logger("handoff.release")


class AlreadyReleased(RuntimeError):
    """The handoff was released before: nothing to hand back."""


class HandBackSource(StrEnum):
    """Where a hand-back came from (`released_via`, the `released` event, handoff_hand_backs{source})."""

    API = "api"
    SLACK = "slack"
    ZENDESK_APP = "zendesk_app"
    ZENDESK_SOLVED = "zendesk_solved"


def release_handoff(sessions: sessionmaker[Session], handoff_id: str, *, clock: Callable[[], datetime],
                    targets: dict[str, str], reason: str | None = None, actor: str | None = None,
                    source: str = HandBackSource.API) -> dict[str, Any]:
    """Release one handoff and give its conversation back to the AI, in one transaction."""
    now = clock()
    with sessions() as s:
        h = s.get(HandoffRow, handoff_id)
        if h is None:
            raise NotFoundError(f"no handoff {handoff_id}")
        if not can_move(h.status, HandoffStatus.RELEASED):
            raise AlreadyReleased(f"handoff {handoff_id} is already {h.status}")
        previous = h.status
        if not hand_back_in(s, h, now, targets=targets, source=source, actor=actor, reason=reason):
            s.rollback()  # released by someone else meanwhile
            raise AlreadyReleased(f"handoff {handoff_id} is already released")
        s.commit()
        cid = h.conversation_id
    log.info("released", handoff_id=handoff_id, conversation_id=cid, previous_status=previous, source=source)
    return {"handoff_id": handoff_id, "conversation_id": cid, "owner": Owner.AI.value,
            "status": HandoffStatus.RELEASED.value}


def hand_back_in(s: Session, h: HandoffRow, now: datetime, *, targets: dict[str, str], source: str,
                 actor: str | None = None, reason: str | None = None, solved_at: datetime | None = None) -> bool:
    """Hand `h` back to the AI in the caller's transaction; False when it was already released.

    Every hand-back goes through here: the API's and Slack's release and the ticket solved in Zendesk
    (`solved_at` given: the ticket already says so, so only Slack hears of it). The caller commits.
    """
    previous = h.status
    solved = {"solved_at": solved_at} if solved_at is not None else {}
    moved = changed_rows(s, update(HandoffRow).where(HandoffRow.id == h.id,
                                                     HandoffRow.status.in_(movable_to(HandoffStatus.RELEASED)))
                         .values(status=HandoffStatus.RELEASED.value, released_at=now, released_via=source,
                                 updated_at=now, **solved))
    if moved != 1:
        return False
    s.execute(update(ConversationRow)
              .where(ConversationRow.id == h.conversation_id, ConversationRow.handoff_id == h.id)
              .values(handoff_id=None, state=initial_state().to_json(), version=ConversationRow.version + 1,
                      updated_at=now))
    record_event(s, h.id, "released", now, actor, {"previous_status": previous, "reason": reason, "source": source})
    metrics.HAND_BACKS.labels(source=source).inc()
    # Zendesk messaging: the Switchboard back to the bot, however the hand-back came
    queue_release_control(s, h.id, reason or ("ticket solved" if solved_at is not None else None), now)
    slack, zendesk = targets[DeliveryKind.SLACK_ALERT], targets[DeliveryKind.ZENDESK_TICKET]
    if solved_at is not None:
        enqueue(s, h.id, CardUpdate("solved", None, "Solved in Zendesk: the conversation is back with the AI."),
                slack, f"{h.id}:slack:solved", now)
        return True
    why = f": {reason}" if reason else ""
    enqueue(s, h.id, CardUpdate("released", None, f"Handed back to the AI{for_slack(why)}."),
            slack, f"{h.id}:slack:released", now)
    enqueue(s, h.id, TicketNote(
        external_id=f"{h.id}:released", tags=("handoff_released",), priority=h.priority,
        note=for_ticket(f"Handed back to the AI{why}. Later messages from the customer are answered by the AI "
                        "and no longer added here.")),
        zendesk, f"{h.id}:zendesk:released", now)
    return True
