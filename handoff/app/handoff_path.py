"""The handoff path a customer's turn and the bot's own request share: gather, package, announce.

One way to make a handoff: the account facts, the stored transcript and the roster fetched at once (the
summary written and the similar earlier cases looked up while enrichment runs), the package built off the
event loop, the handoff counted and logged, the dispatcher woken. The turn use case (app/turns.py) brings the decision and stores the rows.
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.bug_reports import bug_report_row
from handoff.app.handoff_rows import handoff_rows
from handoff.app.messaging import Messaging
from handoff.app.packaging import Package, package_handoff
from handoff.app.ports import Enricher, ReplyDrafter, SimilarFinder, Summariser
from handoff.core.brief import reply_facts
from handoff.core.handoff_status import HandoffStatus
from handoff.core.models import AccountContext, Customer, Decision, Message
from handoff.core.route import Roster
from handoff.core.route.reoffer import PriorHandoff
from handoff.core.similar import SimilarCase
from handoff.core.similar.cases import query_for
from handoff.settings import Settings
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow
from handoff.storage.turn_store import tail_within

log = structlog.get_logger("handoff.service")


class HandoffPath:
    """What TurnService does once a handoff is decided; it supplies the attributes below."""

    settings: Settings
    sessions: sessionmaker[Session]
    enricher: Enricher
    summariser: Summariser | None
    targets: dict[str, str]
    on_handoff: Callable[[str], None]
    similar: SimilarFinder | None = None
    replies: ReplyDrafter | None = None

    def _handoff_messages(self, cid: str) -> tuple[Message, ...]:
        raise NotImplementedError

    def roster(self) -> Roster:
        """The live roster (TurnService reads it from the store)."""
        raise NotImplementedError

    async def _gather(self, cid: str, stored: bool, customer: Customer, new: tuple[Message, ...] = (), *,
                      topic: str | None = None, page_url: str | None = None
                      ) -> tuple[AccountContext, tuple[Message, ...], Roster, str | None, tuple[SimilarCase, ...]]:
        """What a handoff is packaged from, fetched at once: the account facts, the stored transcript (plus
        the `new` message) and the roster; the summary of the transcript is written, and the earlier cases
        like it (by the customer's words, `topic` and page) are looked up, while enrichment runs."""
        enrich = asyncio.ensure_future(self.enricher.enrich(customer))
        lookup: asyncio.Future[tuple[SimilarCase, ...]] | None = None
        try:
            prior, roster = await asyncio.gather(
                asyncio.to_thread(self._handoff_messages, cid) if stored else _no_messages(),
                asyncio.to_thread(self.roster),
            )
            transcript = (*prior, *new)
            lookup = asyncio.ensure_future(self._similar(transcript, topic, page_url))
            summary = await self._summary(transcript)
            account = await enrich
            similar = await lookup
        except BaseException:
            enrich.cancel()
            if lookup is not None:
                lookup.cancel()
            raise
        return account, transcript, roster, summary, similar

    async def _similar(self, messages: tuple[Message, ...], topic: str | None,
                       page_url: str | None) -> tuple[SimilarCase, ...]:
        query = query_for(messages, topic=topic, page_url=page_url) if self.similar is not None else None
        if self.similar is None or query is None:
            return ()
        return await self.similar.similar(query)

    async def _packaged(self, **parts: Any) -> tuple[Package, HandoffRow, list[DeliveryRow | HandoffEventRow]]:
        # briefing, masking and rendering cost CPU in proportion to what they show: off the event loop
        replies = await self._drafted_replies(parts)
        return await asyncio.to_thread(functools.partial(self._package, replies=replies, **parts))

    async def _drafted_replies(self, parts: dict[str, Any]) -> tuple[str, ...] | None:
        # the LLM is optional and time-boxed by itself (`[briefing.replies] timeout_seconds`); None keeps
        # the rules' replies. It needs the account facts and similar cases, so it runs once they are in.
        if self.replies is None:
            return None
        facts = reply_facts(messages=parts["messages"], decision=parts["decision"], account=parts["account"],
                            customer=parts["customer"], similar=parts.get("similar", ()))
        return await self.replies.draft(facts)

    def _opened(self, handoff_id: str, cid: str, decision: Decision, account: AccountContext, pkg: Package) -> None:
        _count_handoff(decision, account, pkg.route.team)
        metrics.count_page_handoff(self.settings.signals.groups().name_of(pkg.briefing.page_url))
        if pkg.continues is not None:
            same = pkg.route.agent is not None and pkg.route.agent == pkg.continues.agent
            metrics.REHANDOFFS.labels(to="same_agent" if same else "routed").inc()
            metrics.HANDOFF_EVENTS.labels(kind="rehandoff").inc()
        log.info("handoff", handoff_id=handoff_id, conversation_id=cid, category=decision.category,
                 triggers=[r.trigger for r in decision.reasons], team=pkg.route.team, priority=pkg.priority)
        self.on_handoff(handoff_id)

    def _prior_handoff(self, cid: str) -> PriorHandoff | None:
        """The conversation's last handoff when it was handed back (a new one may continue it), else None."""
        if self.settings.routing.rehandoff_window_minutes <= 0:
            return None
        with self.sessions() as s:
            h = s.execute(select(HandoffRow.id, HandoffRow.claimed_by, HandoffRow.team, HandoffRow.zendesk_ticket_id,
                                 HandoffRow.released_at)
                          .where(HandoffRow.conversation_id == cid, HandoffRow.status == HandoffStatus.RELEASED.value)
                          .order_by(HandoffRow.created_at.desc(), HandoffRow.id.desc()).limit(1)).first()
        return PriorHandoff(h.id, h.claimed_by, h.team, h.zendesk_ticket_id, h.released_at) if h else None

    def _summary_budget(self) -> int:
        """Characters of recent text the summariser is given (0 without one): twice what it keeps, so its
        own cut, not ours, decides what it reads."""
        return 2 * self.settings.briefing.summariser.max_transcript_chars if self.summariser is not None else 0

    async def _summary(self, messages: tuple[Message, ...]) -> str | None:
        # the LLM is optional and time-boxed; None keeps the extractive summary
        if self.summariser is None or not messages:
            return None
        tail = tail_within([len(m.text) for m in messages], self._summary_budget())
        return await self.summariser.summarise(messages[len(messages) - tail:])

    def _package(self, *, source: str, handoff_id: str, conversation_id: str, message_index: int | None,
                 ticket_id: int | None, now: datetime, messaging: Messaging | None = None,
                 **parts: Any) -> tuple[Package, HandoffRow, list[DeliveryRow | HandoffEventRow]]:
        """Package the handoff and build its rows (run in a worker thread)."""
        pkg = package_handoff(handoff_id=handoff_id, conversation_id=conversation_id, now=now, settings=self.settings,
                              prior=self._prior_handoff(conversation_id), **parts)
        handoff, deliveries = handoff_rows(
            pkg, parts["decision"], targets=self.targets, handoff_id=handoff_id, cid=conversation_id, source=source,
            message_index=message_index, ticket_id=ticket_id, email=parts["customer"].email, now=now,
            messaging=messaging)
        bug = bug_report_row(pkg, handoff_id=handoff_id, settings=self.settings, targets=self.targets, now=now)
        if bug is not None:
            deliveries.append(bug)
        return pkg, handoff, deliveries


async def _no_messages() -> tuple[Message, ...]:
    return ()


def _count_handoff(decision: Decision, account: AccountContext, team: str) -> None:
    metrics.HANDOFFS.labels(category=decision.category or "unknown", team=team).inc()
    for trigger in dict.fromkeys(r.trigger for r in decision.reasons):
        metrics.REASONS.labels(trigger=trigger).inc()
    for source in account.sources:
        metrics.ENRICHMENT.labels(source=source.source, status=source.status).inc()
