"""Handing a conversation back to the AI: the handoff is `released`, the conversation's owner is `ai` again.

The decision state starts afresh, so the messages before the release never trigger again: only what the
customer writes from now on is weighed (a new handoff is a new row; the released one stays, with its
events). The conversation's version moves on, so a turn in flight that read it still handed off is
decided again. The agent's side hears of it through the usual durable deliveries: a note on the ticket,
the alert's card and thread in Slack.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.followups import enqueue, record_event
from handoff.app.handoff_reads import NotFoundError
from handoff.app.messaging import queue_release_control
from handoff.core.decide import initial_state
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import CardUpdate, TicketNote
from handoff.core.handoff_status import HandoffStatus, Owner, can_move, movable_to
from handoff.core.masking import for_slack, for_ticket
from handoff.storage.tables import ConversationRow, HandoffRow

log = structlog.get_logger("handoff.release")


class AlreadyReleased(RuntimeError):
    """The handoff was released before: nothing to hand back."""


def release_handoff(sessions: sessionmaker[Session], handoff_id: str, *, clock: Callable[[], datetime],
                    targets: dict[str, str], reason: str | None = None, actor: str | None = None) -> dict[str, Any]:
    """Release one handoff and give its conversation back to the AI, in one transaction."""
    now = clock()
    with sessions() as s:
        h = s.get(HandoffRow, handoff_id)
        if h is None:
            raise NotFoundError(f"no handoff {handoff_id}")
        if not can_move(h.status, HandoffStatus.RELEASED):
            raise AlreadyReleased(f"handoff {handoff_id} is already {h.status}")
        previous = h.status
        moved = s.execute(update(HandoffRow).where(HandoffRow.id == handoff_id,
                                                   HandoffRow.status.in_(movable_to(HandoffStatus.RELEASED)))
                          .values(status=HandoffStatus.RELEASED.value, updated_at=now)).rowcount  # type: ignore[attr-defined]
        if moved != 1:  # released by someone else meanwhile
            s.rollback()
            raise AlreadyReleased(f"handoff {handoff_id} is already released")
        s.execute(update(ConversationRow)
                  .where(ConversationRow.id == h.conversation_id, ConversationRow.handoff_id == handoff_id)
                  .values(handoff_id=None, state=initial_state().to_json(), version=ConversationRow.version + 1,
                          updated_at=now))
        record_event(s, handoff_id, "released", now, actor, {"previous_status": previous, "reason": reason})
        why = f": {reason}" if reason else ""
        enqueue(s, handoff_id, CardUpdate("released", None, f"Handed back to the AI{for_slack(why)}."),
                targets[DeliveryKind.SLACK_ALERT], f"{handoff_id}:slack:released", now)
        enqueue(s, handoff_id, TicketNote(
            external_id=f"{handoff_id}:released", tags=("handoff_released",), priority=h.priority,
            note=for_ticket(f"Handed back to the AI{why}. Later messages from the customer are answered by the AI "
                            "and no longer added here.")),
            targets[DeliveryKind.ZENDESK_TICKET], f"{handoff_id}:zendesk:released", now)
        queue_release_control(s, handoff_id, reason, now)  # Zendesk messaging: the Switchboard back to the bot
        s.commit()
        cid = h.conversation_id
    log.info("released", handoff_id=handoff_id, conversation_id=cid, previous_status=previous)
    return {"handoff_id": handoff_id, "conversation_id": cid, "owner": Owner.AI.value,
            "status": HandoffStatus.RELEASED.value}
