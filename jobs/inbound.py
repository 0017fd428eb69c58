"""Processing accepted Zendesk webhook events, one process per event, retried on failure.

A customer comment on a ticket the bot handles is replayed through the turn service (each comment
once, keyed by its id), so the webhook flow decides, packages and routes exactly like the API, and
the handoff updates that same ticket. Solved, assignment and satisfaction events feed the metrics.

Zendesk does not promise order: a "solved" or an assignment can arrive before the comment whose
processing creates the handoff (or while that comment waits for a retry). Such an event, for a ticket
that has no handoff yet, waits (rescheduled, not failed) up to `ORPHAN_GRACE_SECONDS` after it was
received for the handoff to appear, then is acted on as it is: for a ticket that never got a handoff
(the AI kept it, or a ticket we never saw) nothing is recorded but an AI-only rating.
"""
from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from connectors.errors import UpstreamError
from handoff.app.followups import Operations
from handoff.app.turns import TurnInput, TurnService
from handoff.core.backoff import backoff_seconds
from handoff.core.formats.conversations import parse_time
from handoff.core.formats.zendesk_events import (
    conversation_from_ticket,
    is_bot_handling,
)
from handoff.core.models import Customer
from handoff.settings import Settings
from handoff.storage.errors import is_database_unavailable
from handoff.storage.tables import InboundEventRow
from jobs.leased_queue import LeasedQueueWorker

log = structlog.get_logger("handoff.inbound")

MAX_ATTEMPTS = 8
LEASE_SECONDS = 120.0
ORPHAN_GRACE_SECONDS = 300.0
ORPHAN_RECHECK_MAX_SECONDS = 60.0
# event kinds that only mean something for a ticket with a handoff
NEEDS_HANDOFF = frozenset({"solved", "agent_assigned", "satisfaction_rated"})


class HandoffNotYet(Exception):
    """The event is about a handoff that does not exist (yet): look again a little later."""


def conversation_id_for_ticket(ticket_id: int) -> str:
    """The conversation id under which a Zendesk ticket's turns are stored."""
    return f"zendesk-{ticket_id}"


class InboundProcessor(LeasedQueueWorker[InboundEventRow]):
    """Claims pending webhook events and acts on them, one at a time in the order they are due."""

    what = "webhook events"

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime], *,
                 zendesk: Any, service: TurnService, operations: Operations, owner: str | None = None) -> None:
        super().__init__(sessions, InboundEventRow, clock, lease_seconds=LEASE_SECONDS, working="processing",
                         owner=owner)
        self.settings = settings
        self.zendesk = zendesk
        self.service = service
        self.operations = operations

    async def work(self, rows: Sequence[InboundEventRow]) -> None:
        """Process a claimed batch of events in order."""
        for row in rows:
            await self._process(row)

    async def _process(self, row: InboundEventRow) -> None:
        try:
            await self.handle(row.payload, received_at=row.received_at)
        except HandoffNotYet:
            await asyncio.to_thread(self._wait_for_handoff, row)
            return
        except Exception as e:  # noqa: BLE001 - one bad event must not stop the others
            if is_database_unavailable(e):
                raise  # our own store went away: the event is taken back once it answers again
            transient = not isinstance(e, UpstreamError) or e.transient
            await asyncio.to_thread(self._finish, row, e, transient, getattr(e, "retry_after", None))
            if not isinstance(e, UpstreamError):
                log.exception("webhook event failed", event_id=row.id, kind=row.kind, ticket_id=row.ticket_id)
            return
        await asyncio.to_thread(self._finish, row, None, False, None)

    def _wait_for_handoff(self, row: InboundEventRow) -> None:
        now = self.clock()
        delay = backoff_seconds(row.attempts, initial=2.0, maximum=ORPHAN_RECHECK_MAX_SECONDS, jitter=False)
        log.info("webhook event waits for its handoff", event_id=row.id, kind=row.kind, ticket_id=row.ticket_id,
                 retry_in_seconds=delay)
        with self.sessions() as s:
            s.execute(update(InboundEventRow).where(InboundEventRow.id == row.id, InboundEventRow.status == "processing",
                                                    InboundEventRow.lease_owner == self.owner)
                      .values(status="pending", next_attempt_at=now + timedelta(seconds=delay), lease_until=None,
                              last_error="waiting for the ticket's handoff"))
            s.commit()

    def _finish(self, row: InboundEventRow, error: BaseException | None, transient: bool,
                retry_after: float | None) -> None:
        now = self.clock()
        if error is None:
            values: dict[str, Any] = {"status": "done", "processed_at": now, "lease_until": None, "last_error": None}
        elif transient and row.attempts < MAX_ATTEMPTS:
            delay = backoff_seconds(row.attempts, initial=2.0, maximum=600.0, retry_after=retry_after,
                                    rand=random.random())
            values = {"status": "pending", "next_attempt_at": now + timedelta(seconds=delay), "lease_until": None,
                      "last_error": str(error)[:1000]}
            log.warning("webhook event failed; will retry", event_id=row.id, ticket_id=row.ticket_id,
                        retry_in_seconds=round(delay, 1), error=str(error))
        else:
            values = {"status": "failed", "processed_at": now, "lease_until": None, "last_error": str(error)[:1000]}
            log.error("webhook event gave up", event_id=row.id, ticket_id=row.ticket_id, error=str(error))
        with self.sessions() as s:
            # only while still ours: an erasure closes the event (its payload erased) and that must stay so
            s.execute(update(InboundEventRow).where(InboundEventRow.id == row.id, InboundEventRow.status == "processing",
                                                    InboundEventRow.lease_owner == self.owner).values(**values))
            s.commit()

    async def handle(self, event: dict[str, Any], *, received_at: datetime | None = None) -> None:
        """Act on one event (the stored form of an InboundEvent).

        With `received_at`, an event about a handoff's ticket raises HandoffNotYet while the ticket has
        no handoff and the event is younger than ORPHAN_GRACE_SECONDS (see the module docstring).
        """
        kind, ticket_id, data = event["kind"], int(event["ticket_id"]), event.get("data") or {}
        at = parse_time(event.get("occurred_at"), "occurred_at")
        actor = event.get("actor_id")
        score = str(data.get("satisfaction_score") or "").lower()
        about_handoff = kind in NEEDS_HANDOFF  # never a comment: a handoff must not wait
        if kind == "agent_assigned" and actor is not None and actor == self.settings.zendesk.bot_user_id:
            about_handoff = False  # ignored below anyway
        if about_handoff and received_at is not None and not await asyncio.to_thread(self._has_handoff, ticket_id):
            age = (self.clock() - received_at).total_seconds()
            if age < ORPHAN_GRACE_SECONDS:
                raise HandoffNotYet(ticket_id)
            log.info("webhook event about a ticket without a handoff; nothing to record", kind=kind,
                     ticket_id=ticket_id)
        # every trigger snapshot carries a score ("unoffered", "offered"): only a real rating counts
        if score in ("good", "bad"):
            await self._record(ticket_id, "satisfaction_rated", {"score": score, "actor_id": actor}, at)
        if kind == "solved":
            solved: dict[str, Any] = {"actor_id": actor}
            if isinstance(data.get("tags"), list):
                solved["tags"] = data["tags"]  # the ticket's tags as solved: part of the case's resolution
            if await asyncio.to_thread(self._has_handoff, ticket_id):
                solved.update(await self._last_reply(ticket_id))
            await self._record(ticket_id, "solved", solved, at)
            return
        if kind == "agent_assigned":
            if actor is not None and actor == self.settings.zendesk.bot_user_id:
                return  # the bot (or our own routing through its user) moved it: not an agent's choice
            await self._record(ticket_id, "agent_assigned", {"assignee_id": data.get("assignee_id"), "actor_id": actor}, at)
            return
        if kind in ("comment_added", "ticket_created", "other", "status_changed"):
            await self._ticket_activity(ticket_id)

    async def _last_reply(self, ticket_id: int) -> dict[str, Any]:
        """The agent's last public reply on the ticket, read from Zendesk (an agent often replies and solves in
        one update, which arrives as "solved" alone); {} without Zendesk or when it does not answer: the reply
        recorded from the ticket's earlier activity stands in."""
        if self.zendesk is None:
            return {}
        try:
            ticket = await self.zendesk.ticket_with_comments(ticket_id)
        except UpstreamError as e:
            log.warning("could not read the solved ticket's last reply", ticket_id=ticket_id, error=str(e))
            return {}
        bot_ids = [self.settings.zendesk.bot_user_id] if self.settings.zendesk.bot_user_id is not None else []
        conversation = conversation_from_ticket(ticket, ticket["comments"], bot_user_ids=bot_ids)
        replies = [m for m in conversation.messages if m.role == "agent"]
        return {"reply": replies[-1].text, "reply_id": replies[-1].message_id} if replies else {}

    def _has_handoff(self, ticket_id: int) -> bool:
        with self.sessions() as s:
            return self.operations.handoff_for_ticket(s, ticket_id) is not None

    async def _record(self, ticket_id: int, kind: str, data: dict[str, Any], at: datetime | None) -> None:
        await asyncio.to_thread(self.operations.ticket_event, ticket_id, kind, data, at)

    async def _ticket_activity(self, ticket_id: int) -> None:
        if self.zendesk is None:
            raise RuntimeError("Zendesk is not configured (ZENDESK_EMAIL, ZENDESK_API_TOKEN): cannot read the ticket")
        ticket = await self.zendesk.ticket_with_comments(ticket_id)
        bot_ids = [self.settings.zendesk.bot_user_id] if self.settings.zendesk.bot_user_id is not None else []
        conversation = conversation_from_ticket(ticket, ticket["comments"], bot_user_ids=bot_ids)
        req = ticket.get("requester") or {}
        customer = Customer(email=req.get("email"), name=req.get("name"), language=req.get("locale"),
                            external_id=str(req["id"]) if req.get("id") is not None else None)
        # a public reply by a human agent is the first human response to an open handoff; the latest one is
        # how the case was resolved (similar cases)
        replies = [m for m in conversation.messages if m.role == "agent"]
        if replies:
            await self._record(ticket_id, "agent_replied", {"reply": replies[-1].text, "reply_id": replies[-1].message_id},
                               replies[0].sent_at)
        if not is_bot_handling(ticket, bot_user_ids=bot_ids, bot_tags=self.settings.zendesk.bot_tags):
            return
        cid = conversation_id_for_ticket(ticket_id)
        for m in conversation.messages:
            if m.role not in ("customer", "ai"):
                continue
            result = await self.service.post_message(
                cid,
                TurnInput(role=m.role, text=m.text, message_id=m.message_id, sent_at=m.sent_at,
                          customer=customer, channel="zendesk"),
                zendesk_ticket_id=ticket_id,
            )
            if result["decision"] == "handoff":
                log.info("handoff from zendesk", ticket_id=ticket_id, handoff_id=result["handoff_id"])
                return
