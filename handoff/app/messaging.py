"""Zendesk messaging (Sunshine Conversations): a handoff passes the conversation to the agent workspace
through the Switchboard, and its release gives it back, each a durable delivery of kind `sunshine_control`.

A conversation lives in Zendesk messaging when its turns (or the bot's handoff request) carry
`sunshine_conversation_id`; the id is kept in the message's stored metadata, so a handoff finds the latest
one even when only an earlier turn carried it. The pass is queued with the handoff's ticket and alert
(`<handoff id>:sunshine:pass`); the release (`<handoff id>:sunshine:release`) reads where to go from the
pass, so a release of a handoff that never passed control sends nothing. A pass not tried yet when the
handoff is released is cancelled instead: control never left the bot.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from handoff.app.followups import enqueue
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import SwitchboardControl, payload_json
from handoff.core.render.switchboard import pass_metadata, release_metadata
from handoff.storage.db import changed_rows
from handoff.storage.tables import DeliveryRow

KIND = DeliveryKind.SUNSHINE_CONTROL


def pass_key(handoff_id: str) -> str:
    """The dedupe key of a handoff's passControl."""
    return f"{handoff_id}:sunshine:pass"


def release_key(handoff_id: str) -> str:
    """The dedupe key of a handoff's releaseControl."""
    return f"{handoff_id}:sunshine:release"


@dataclass(frozen=True)
class Messaging:
    """Where a conversation lives in Zendesk messaging: the Sunshine Conversations app and conversation."""

    app_id: str | None  # `[sunshine] app_id`; None leaves it to the connector's own (or the local outbox)
    conversation_id: str


def messaging_for(conversation_id: str | None, app_id: str | None) -> Messaging | None:
    """The conversation's place in Zendesk messaging, or None for a conversation that does not live there."""
    return Messaging(app_id=app_id, conversation_id=conversation_id) if conversation_id else None


def pass_control_row(*, handoff_id: str, target: str, messaging: Messaging, summary: str | None,
                     category: str | None, priority: str | None, team: str | None, triggers: list[str],
                     now: datetime) -> DeliveryRow:
    """The delivery that passes the conversation to the agent workspace, with the handoff's metadata."""
    payload = SwitchboardControl(
        action="pass", conversation_id=messaging.conversation_id, app_id=messaging.app_id,
        metadata=pass_metadata(handoff_id=handoff_id, summary=summary, category=category, priority=priority,
                               team=team, triggers=triggers))
    return DeliveryRow(handoff_id=handoff_id, kind=KIND, target=target, payload=payload_json(payload),
                       dedupe_key=pass_key(handoff_id), status="pending", attempts=0, next_attempt_at=now,
                       created_at=now, updated_at=now)


def queue_release_control(s: Session, handoff_id: str, reason: str | None, now: datetime) -> str | None:
    """In the release's transaction: queue giving the conversation back to the bot, or cancel a pass that was
    never tried. Returns what was done ("release", "cancelled"), None for a handoff that passed nothing."""
    passed = s.scalar(select(DeliveryRow).where(DeliveryRow.dedupe_key == pass_key(handoff_id)))
    if passed is None:
        return None  # the conversation does not live in Zendesk messaging
    # an erasure empties the payload; a pass that was sent still says where it went in its result
    where = {**(passed.result or {}), **(passed.payload or {})}
    conversation_id = where.get("conversation_id")
    if not conversation_id:
        return None
    # a pass still waiting is withdrawn (conditionally: the dispatcher may be claiming it right now)
    withdrawn = changed_rows(s, update(DeliveryRow).where(DeliveryRow.id == passed.id, DeliveryRow.status == "pending")
                             .values(status="cancelled", updated_at=now, lease_until=None,
                                     last_error="the handoff was released before control was passed"))
    if withdrawn and not passed.attempts:
        return "cancelled"  # never tried: the bot has had the conversation all along
    # sent, in flight, given up on, or tried before (an attempt whose answer was lost may have landed)
    enqueue(s, handoff_id, SwitchboardControl(action="release", conversation_id=str(conversation_id),
                                              app_id=where.get("app_id"),
                                              metadata=release_metadata(handoff_id=handoff_id, reason=reason)),
            passed.target, release_key(handoff_id), now)
    return "release"
