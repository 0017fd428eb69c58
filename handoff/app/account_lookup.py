"""Account facts on demand: an agent looks a customer up by e-mail (`/handoff lookup`), or has a handoff's
facts fetched again (`/handoff refresh`, `POST /v1/handoffs/{id}/refresh`).

Both go through the same enrichment the handoff uses (the Enricher port: its own per-source timeouts and
total budget bound how long it takes; an unavailable source is a fact, never an error). A refresh asks the
sources again (the customer's cache entries are dropped first), stores the new account section in the
handoff's briefing, and queues one private Zendesk note with what changed, as a durable delivery in the
same transaction; each request is its own note (the dedupe key carries the refresh's time and count).
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.followups import enqueue, record_event
from handoff.app.handoff_reads import NotFoundError
from handoff.app.ports import FreshEnricher
from handoff.core.brief.facts import account_facts
from handoff.core.brief.models import AccountFact
from handoff.core.brief.refresh import account_section, changed_facts, refresh_note, stored_facts
from handoff.core.delivery_payloads import TicketNote
from handoff.core.handoff_status import HandoffStatus
from handoff.core.masking import for_ticket, mask_email
from handoff.core.models import Customer
from handoff.storage.db import changed_rows
from handoff.storage.tables import ConversationRow, HandoffEventRow, HandoffRow

log = structlog.get_logger("handoff.account_lookup")

REFRESHED = "account_refreshed"  # the handoff event of a refresh; its count numbers the notes


class LookupsOff(RuntimeError):
    """Account lookups and refreshes were not wired into this process (no enricher given)."""


class HandoffReleased(RuntimeError):
    """The handoff was handed back to the AI: its ticket no longer wants account notes."""


@dataclass(frozen=True)
class Refreshed:
    """What a refresh did: the handoff, when, the facts now, and what changed (one line each)."""

    handoff_id: str
    at: datetime
    facts: tuple[AccountFact, ...]
    changes: tuple[str, ...]
    number: int  # 1 for the handoff's first refresh


class AccountLookups:
    """Lookups by e-mail and refreshes of a handoff's account facts, over the Enricher port."""

    def __init__(self, sessions: sessionmaker[Session], enricher: FreshEnricher, clock: Callable[[], datetime], *,
                 zendesk_target: str, wake: Callable[[], None] = lambda: None) -> None:
        self.sessions = sessions
        self.enricher = enricher
        self.clock = clock
        self.zendesk_target = zendesk_target
        self.wake = wake

    async def lookup(self, email: str) -> tuple[AccountFact, ...]:
        """The account facts of the customer with this e-mail, each source's or why it is unavailable."""
        customer = Customer(email=email.strip())
        account = await self.enricher.enrich(customer)
        log.info("account_lookup", email=mask_email(customer.email),
                 sources={s.source: s.status for s in account.sources})
        return account_facts(account)

    async def refresh(self, handoff_id: str, actor: str | None = None) -> Refreshed:
        """Fetch a handoff's account facts again, store them, and queue the ticket note saying what changed.

        Raises NotFoundError for an unknown handoff, HandoffReleased for one handed back to the AI.
        """
        customer = await asyncio.to_thread(self._customer_of, handoff_id)
        self.enricher.forget(customer)
        account = await self.enricher.enrich(customer)
        section = account_section(account)
        done = await asyncio.to_thread(self._store, handoff_id, section, actor)
        self.wake()
        log.info("account_refreshed", handoff_id=handoff_id, changes=len(done.changes), number=done.number)
        return done

    def _customer_of(self, handoff_id: str) -> Customer:
        with self.sessions() as s:
            h = self._open_handoff(s, handoff_id)
            conversation = s.get(ConversationRow, h.conversation_id)
            known = dict((conversation.customer if conversation else None) or {})
            from_briefing = (h.briefing or {}).get("customer") or {}
        email = known.get("email") or from_briefing.get("email")
        return Customer(email=email, name=known.get("name") or from_briefing.get("name"),
                        external_id=known.get("external_id"))

    @staticmethod
    def _open_handoff(s: Session, handoff_id: str) -> HandoffRow:
        h = s.get(HandoffRow, handoff_id)
        if h is None:
            raise NotFoundError(f"no handoff {handoff_id}")
        if h.status == HandoffStatus.RELEASED:
            raise HandoffReleased(f"handoff {handoff_id} is released: it is back with the AI")
        return h

    def _store(self, handoff_id: str, section: dict[str, object], actor: str | None) -> Refreshed:
        now = self.clock()
        with self.sessions() as s:
            h = self._open_handoff(s, handoff_id)
            before = stored_facts((h.briefing or {}).get("account_facts"))
            briefing = {**(h.briefing or {}), **section}
            # conditional: a release committed since the read above wins, and no note goes to its ticket
            if changed_rows(s, update(HandoffRow).where(HandoffRow.id == handoff_id,
                                                        HandoffRow.status != HandoffStatus.RELEASED.value)
                            .values(briefing=briefing, updated_at=now)) != 1:
                s.rollback()
                raise HandoffReleased(f"handoff {handoff_id} was released meanwhile")
            after = stored_facts(section["account_facts"])
            changes = changed_facts(before, after)
            number = 1 + (s.scalar(select(func.count()).select_from(HandoffEventRow).where(
                HandoffEventRow.handoff_id == handoff_id, HandoffEventRow.kind == REFRESHED)) or 0)
            record_event(s, handoff_id, REFRESHED, now, actor, {"changes": len(changes), "number": number})
            key = f"{handoff_id}:zendesk:refresh:{number}:{now.isoformat()}"
            enqueue(s, handoff_id, TicketNote(external_id=f"{handoff_id}:refresh:{number}:{now:%Y%m%dT%H%M%S%f}",
                                              note=for_ticket(refresh_note(now, changes, after)),
                                              tags=("handoff_facts_refreshed",), priority=h.priority),
                    self.zendesk_target, key, now)
            s.commit()
        return Refreshed(handoff_id, now, after, changes, number)
