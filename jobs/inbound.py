"""Processing accepted Zendesk webhook events, one process per event, retried on failure.

A customer comment on a ticket the bot handles is replayed through the turn service (each comment
once, keyed by its id), so the webhook flow decides, packages and routes exactly like the API, and
the handoff updates that same ticket. Solved, assignment and satisfaction events feed the metrics.
"""
from __future__ import annotations

import asyncio
import random
import socket
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from connectors.errors import UpstreamError
from handoff.conversations import parse_time
from handoff.models import Customer
from handoff.operations import Operations
from handoff.service import TurnInput, TurnService
from handoff.settings import Settings
from handoff.storage.claims import claim_due
from handoff.storage.tables import InboundEventRow
from handoff.zendesk_webhook import conversation_from_ticket, is_bot_handling

log = structlog.get_logger("handoff.inbound")

MAX_ATTEMPTS = 8
LEASE_SECONDS = 120.0


def conversation_id_for_ticket(ticket_id: int) -> str:
    """The conversation id under which a Zendesk ticket's turns are stored."""
    return f"zendesk-{ticket_id}"


class InboundProcessor:
    """Claims pending webhook events and acts on them."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime], *,
                 zendesk: Any, service: TurnService, operations: Operations, owner: str | None = None) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self.zendesk = zendesk
        self.service = service
        self.operations = operations
        self.owner = owner or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self._task: asyncio.Task[None] | None = None
        self._again = False

    def wake(self) -> None:
        """Process pending events now, in the background."""
        self._again = True
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())

    async def _drain(self) -> None:
        while self._again:
            self._again = False
            try:
                while await self.run_due() > 0:
                    pass
            except Exception:  # noqa: BLE001 - must outlive a bad moment; the next wake-up retries
                log.exception("webhook processing run failed")

    async def idle(self) -> None:
        """Wait for the background run to finish (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    async def run_due(self, limit: int = 20) -> int:
        """Process up to `limit` due events; returns how many were attempted."""
        rows = await asyncio.to_thread(claim_due, self.sessions, InboundEventRow, now=self.clock(),
                                       lease_seconds=LEASE_SECONDS, owner=self.owner, limit=limit,
                                       working="processing")
        for row in rows:
            try:
                await self.handle(row.payload)
            except Exception as e:  # noqa: BLE001 - one bad event must not stop the others
                transient = not isinstance(e, UpstreamError) or e.transient
                await asyncio.to_thread(self._finish, row, e, transient, getattr(e, "retry_after", None))
                if not isinstance(e, UpstreamError):
                    log.exception("webhook event failed", event_id=row.id, kind=row.kind, ticket_id=row.ticket_id)
                continue
            await asyncio.to_thread(self._finish, row, None, False, None)
        return len(rows)

    def _finish(self, row: InboundEventRow, error: BaseException | None, transient: bool,
                retry_after: float | None) -> None:
        now = self.clock()
        if error is None:
            values: dict[str, Any] = {"status": "done", "processed_at": now, "lease_until": None, "last_error": None}
        elif transient and row.attempts < MAX_ATTEMPTS:
            delay = max(retry_after or 0.0, min(600.0, 2.0 * 2 ** (row.attempts - 1)) * (0.5 + random.random() / 2))
            values = {"status": "pending", "next_attempt_at": now + timedelta(seconds=delay), "lease_until": None,
                      "last_error": str(error)[:1000]}
            log.warning("webhook event failed; will retry", event_id=row.id, ticket_id=row.ticket_id,
                        retry_in_seconds=round(delay, 1), error=str(error))
        else:
            values = {"status": "failed", "processed_at": now, "lease_until": None, "last_error": str(error)[:1000]}
            log.error("webhook event gave up", event_id=row.id, ticket_id=row.ticket_id, error=str(error))
        with self.sessions() as s:
            s.execute(update(InboundEventRow).where(InboundEventRow.id == row.id,
                                                    InboundEventRow.lease_owner == self.owner).values(**values))
            s.commit()

    async def handle(self, event: dict[str, Any]) -> None:
        """Act on one event (the stored form of an InboundEvent)."""
        kind, ticket_id, data = event["kind"], int(event["ticket_id"]), event.get("data") or {}
        at = parse_time(event.get("occurred_at"), "occurred_at")
        actor = event.get("actor_id")
        score = str(data.get("satisfaction_score") or "").lower()
        # every trigger snapshot carries a score ("unoffered", "offered"): only a real rating counts
        if score in ("good", "bad"):
            await self._record(ticket_id, "satisfaction_rated", {"score": score, "actor_id": actor}, at)
        if kind == "solved":
            await self._record(ticket_id, "solved", {"actor_id": actor}, at)
            return
        if kind == "agent_assigned":
            if actor is not None and actor == self.settings.zendesk.bot_user_id:
                return  # the bot (or our own routing through its user) moved it: not an agent's choice
            await self._record(ticket_id, "agent_assigned", {"assignee_id": data.get("assignee_id"), "actor_id": actor}, at)
            return
        if kind in ("comment_added", "ticket_created", "other", "status_changed"):
            await self._ticket_activity(ticket_id)

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
        # a public reply by a human agent is the first human response to an open handoff
        for m in conversation.messages:
            if m.role == "agent":
                await self._record(ticket_id, "agent_replied", {}, m.sent_at)
                break
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
