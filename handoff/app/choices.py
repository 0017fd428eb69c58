"""A waiting customer's choice (`POST /v1/handoffs/{id}/choice`): a callback, an e-mail follow-up, or keep waiting.

A callback makes the handoff `callback_scheduled` at the next free slot (the time the alternatives offered, if
still ahead), so jobs/callbacks.py fires it as it fires an off-hours callback. An e-mail follow-up is noted on
the ticket for the agent, and the chat stops sending place-in-line updates; keep waiting stops the offer. Each
is one transaction: a conditional UPDATE on the still-open handoff, a `choice_confirmed` update for the
customer (and the bot), a `choice` event, and the ticket's and the Slack thread's notes as deliveries.
Sending the same choice again changes nothing and answers as the first time did.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.customer_updates import (
    add_update,
    customer_language,
    customer_zone,
    team_label,
    update_summary,
    update_view,
)
from handoff.app.followups import enqueue, record_event
from handoff.app.handoff_reads import NotFoundError
from handoff.app.waiting_line import callback_at, the_line
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import SlackMessage, TicketNote
from handoff.core.handoff_status import HandoffStatus, bot_status, movable_to, owner_of
from handoff.core.masking import for_slack, for_ticket
from handoff.core.update_texts import confirmed_text
from handoff.core.waiting import Choice
from handoff.settings import Settings
from handoff.storage.db import changed_rows
from handoff.storage.roster import load_roster
from handoff.storage.tables import CustomerUpdateRow, HandoffRow

log = structlog.get_logger("handoff.choices")

# a choice that ends the wait in the chat: nothing else may be chosen after it
FINAL = frozenset({Choice.CALLBACK.value, Choice.EMAIL.value})
NOTES = {
    Choice.CALLBACK: "The customer chose a callback instead of waiting: due {when}.",
    Choice.EMAIL: "The customer prefers an e-mail follow-up instead of waiting in the chat: reply by e-mail.",
    Choice.KEEP_WAITING: "The customer was offered a callback or an e-mail and chose to keep waiting.",
}


class ChoiceRefused(RuntimeError):
    """The handoff is no longer waiting (claimed, solved, released, a callback) or a final choice was made."""


def choose(sessions: sessionmaker[Session], settings: Settings, handoff_id: str, choice: Choice, *,
           clock: Callable[[], datetime], targets: dict[str, str]) -> dict[str, Any]:
    """Record the customer's choice for a waiting handoff (NotFoundError, ChoiceRefused)."""
    now = clock()
    roster = load_roster(sessions, settings) if choice == Choice.CALLBACK else None
    with sessions() as s:
        h = s.get(HandoffRow, handoff_id)
        if h is None:
            raise NotFoundError(f"no handoff {handoff_id}")
        key = f"{handoff_id}:choice:{choice.value}"
        if (done := _already(s, h, key)) is not None:
            return done
        if h.status != HandoffStatus.OPEN or h.claimed_by is not None:
            raise ChoiceRefused(f"handoff {handoff_id} is {h.status}: the customer is no longer waiting")
        chosen = (update_summary(s, [handoff_id]).get(handoff_id) or {}).get("chosen", set())
        if chosen & FINAL:
            raise ChoiceRefused(f"the customer already chose {', '.join(sorted(chosen & FINAL))}")
        when = None
        values: dict[str, Any] = {"updated_at": now}
        if choice == Choice.CALLBACK:
            assert roster is not None
            when = _callback_time(s, h, settings, roster, now)
            values.update(status=HandoffStatus.CALLBACK_SCHEDULED.value, callback_at=when)
        # conditional on the handoff still waiting: an agent claiming it meanwhile wins, and this one is refused
        if changed_rows(s, update(HandoffRow).where(
                HandoffRow.id == handoff_id, HandoffRow.status.in_(movable_to(HandoffStatus.CALLBACK_SCHEDULED)),
                HandoffRow.claimed_by.is_(None)).values(**values)) != 1:
            s.rollback()
            raise ChoiceRefused(f"handoff {handoff_id} was just taken: the customer is no longer waiting")
        status = values.get("status", h.status)
        language = customer_language(h)
        text = confirmed_text(language, choice, team=team_label(h, settings.routing, language or "en"),
                              callback_at=when, now=now, zone=customer_zone(h, settings.routing))
        add_update(s, h, text, key, now, bot_target=targets.get(DeliveryKind.BOT_WEBHOOK, "local"), status=status)
        record_event(s, handoff_id, "choice", now, "customer",
                     {"choice": choice.value, "callback_at": when.isoformat() if when else None})
        note = NOTES[choice].format(when=f"{when:%Y-%m-%d %H:%M} UTC" if when else "")
        enqueue(s, handoff_id, TicketNote(external_id=key, note=for_ticket(note), tags=(f"handoff_chose_{choice.value}",),
                                          priority=h.priority),
                targets[DeliveryKind.ZENDESK_TICKET], f"{key}:zendesk", now)
        enqueue(s, handoff_id, SlackMessage(text=for_slack(note), thread=True, channel=settings.slack.default_channel),
                targets[DeliveryKind.SLACK_ALERT], f"{key}:slack", now)
        try:
            s.commit()
        except IntegrityError:  # the same choice, sent twice at once: the other one was stored
            s.rollback()
            h = s.get(HandoffRow, handoff_id, populate_existing=True)
            if h is not None and (done := _already(s, h, key)) is not None:
                return done
            raise
        result = _answer(s, h, key, status, changed=True)
    metrics.ALTERNATIVES_CHOSEN.labels(choice=choice.value).inc()
    log.info("customer chose", handoff_id=handoff_id, choice=choice.value)
    return result


def _callback_time(s: Session, h: HandoffRow, settings: Settings, roster: Any, now: datetime) -> datetime:
    """The time the alternatives offered while still ahead, else the next free slot now."""
    offered = ((update_summary(s, [h.id]).get(h.id) or {}).get("alternatives") or {}).get("callback_at")
    if offered:
        at = datetime.fromisoformat(offered)
        if at > now:
            return at
    place = next((p for p in the_line(s, roster, settings.routing, now) if p.handoff_id == h.id), None)
    wait = place.wait_seconds if place is not None else settings.routing.pickup_seconds
    return callback_at(h.team, wait, settings.routing, now)


def _already(s: Session, h: HandoffRow, key: str) -> dict[str, Any] | None:
    """The answer of a choice already recorded, or None."""
    if s.scalar(select(CustomerUpdateRow.id).where(CustomerUpdateRow.dedupe_key == key)) is None:
        return None
    return _answer(s, h, key, h.status, changed=False)


def _answer(s: Session, h: HandoffRow, key: str, status: str, *, changed: bool) -> dict[str, Any]:
    row = s.execute(select(CustomerUpdateRow.kind, CustomerUpdateRow.text, CustomerUpdateRow.language,
                           CustomerUpdateRow.data, CustomerUpdateRow.created_at)
                    .where(CustomerUpdateRow.dedupe_key == key)).first()
    view = update_view(row)
    return {"handoff_id": h.id, "conversation_id": h.conversation_id, "choice": key.rsplit(":", 1)[1],
            "changed": changed, "owner": owner_of(status).value, "status": bot_status(status, h.agent).value,
            "callback_at": (view or {}).get("callback_at"), "update": view}
