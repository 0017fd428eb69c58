"""The turn use case: one message in, a decision out; a handoff stored with its deliveries atomically.

Deciding costs O(1) per message (the engine's state is stored with the conversation), and so does a turn
of a conversation already with a human (it reads the handoff's answer, not its briefing). The transcript is
stored once, in the messages table: a handoff reads every message's metadata but only the texts its
briefing shows, and packages it off the event loop. Two turns of one conversation racing are serialised by
an optimistic version check; a repeated `message_id` gets the stored answer. Both ways a handoff is made,
a customer's turn and the bot's own request, go through `_open_handoff`.
"""
from __future__ import annotations

import asyncio
import functools
import random
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.forwarding import forwarded_deliveries
from handoff.app.handoff_path import HandoffPath
from handoff.app.handoff_reads import (
    NotFoundError,
    answer_from_row,
    conversation_view,
    get_handoff,
    handoff_answer_in,
)
from handoff.app.messaging import messaging_for
from handoff.app.ports import Enricher, ReplyDrafter, SecondOpinion, SimilarFinder, Summariser
from handoff.app.release import AlreadyReleased, release_handoff
from handoff.app.turn_input import TurnInput, turn_from_body
from handoff.app.waiting_line import place_of
from handoff.app.turn_plan import Asked, Doubtful, Forwarded, Undecided
from handoff.core.decide import DecisionContext, DecisionState, initial_state, step
from handoff.core.decide.engine import step_with_doubt
from handoff.core.decide.second_opinion import Verdict
from handoff.core.handoff_status import BotStatus, Owner
from handoff.core.models import AccountSignals, Customer, Decision, Message, Reason
from handoff.core.route import Roster
from handoff.settings import Settings
from handoff.storage.roster import load_roster
from handoff.storage.turn_store import (
    TRANSCRIPT_PAGE_CHARS,
    TRANSCRIPT_PAGE_MAX,
    TRANSCRIPT_PAGE_MESSAGES,
    Conflict,
    MessageIdReused,
    TurnStore,
    TurnWrite,
    customer_from_json,
    merge_customer,
    message_from_row,
)

__all__ = ["AlreadyReleased", "TRANSCRIPT_PAGE_CHARS", "TRANSCRIPT_PAGE_MAX", "TRANSCRIPT_PAGE_MESSAGES",
           "ConversationBusy", "Enricher", "MessageIdReused", "NotFoundError", "Summariser", "TurnInput", "TurnService",
           "customer_from_json",
           "load_roster", "message_from_row", "new_handoff_id", "turn_from_body"]

log = structlog.get_logger("handoff.service")

MAX_VERSION_RETRIES = 20
# Threads that run turns' database work. Their own pool, so a turn never queues behind connector calls
# (zenpy, HubSpot) that hold default-executor threads for as long as an upstream takes to answer.
# SQLite takes one writer at a time: one thread queues turns in order instead of in the busy handler.
DB_THREADS = 4  # measured (bench/load.py): more threads only fight over the GIL for the same cores
SQLITE_DB_THREADS = 1

T = TypeVar("T")


class ConversationBusy(RuntimeError):
    """Other processes kept winning the race for this conversation; the caller may retry."""


def new_handoff_id() -> str:
    """A handoff id: short, unguessable, URL-safe."""
    return "h_" + uuid.uuid4().hex[:24]


class TurnService(HandoffPath):
    """Handles `/v1` calls: stores turns, decides, and packages handoffs with their deliveries."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        enricher: Enricher,
        clock: Callable[[], datetime],
        *,
        targets: dict[str, str],
        on_handoff: Callable[[str], None] | None = None,
        on_deliveries: Callable[[], None] | None = None,
        summariser: Summariser | None = None,
        second_opinion: SecondOpinion | None = None,
        similar: SimilarFinder | None = None,
        replies: ReplyDrafter | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.enricher = enricher
        self.clock = clock
        self.targets = targets  # delivery kind -> "zendesk" | "slack" | "local"
        self.on_handoff = on_handoff or (lambda _hid: None)
        self.on_deliveries = on_deliveries or (lambda: None)  # a turn queued deliveries (forwarded messages)
        self.summariser = summariser
        self.second_opinion = second_opinion
        self.similar = similar  # the earlier cases like a new handoff (handoff.app.similar_cases)
        self.replies = replies  # the optional LLM drafter of the suggested replies
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        bind = sessions.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        self._db = ThreadPoolExecutor(max_workers=SQLITE_DB_THREADS if sqlite else DB_THREADS,
                                      thread_name_prefix="handoff-db")
        self.store = TurnStore(sessions)
        self.agent_names = {a.id: a.name for a in settings.routing.agents}

    async def _in_db_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, functools.partial(fn, *args))

    def close(self) -> None:
        """Stop the database threads (idle ones exit at once)."""
        self._db.shutdown(wait=False)

    def handoff_answer(self, handoff_id: str) -> dict[str, Any]:
        """The answer a turn of a conversation already handed off gets, in its own session."""
        with self.sessions() as s:
            return handoff_answer_in(s.connection(), handoff_id, self.agent_names)

    async def release(self, handoff_id: str, reason: str | None = None) -> dict[str, Any]:
        """Hand the handoff's conversation back to the AI (NotFoundError, AlreadyReleased)."""
        done = await self._in_db_thread(functools.partial(release_handoff, self.sessions, handoff_id, clock=self.clock,
                                                          targets=self.targets, reason=reason, actor="api"))
        self.on_deliveries()
        return done

    async def choose(self, handoff_id: str, choice: str) -> dict[str, Any]:
        """A waiting customer's choice (handoff.app.choices: NotFoundError, ChoiceRefused)."""
        from handoff.app.choices import choose
        from handoff.core.waiting import Choice

        done = await self._in_db_thread(functools.partial(choose, self.sessions, self.settings, handoff_id,
                                                          Choice(choice), clock=self.clock, targets=self.targets))
        self.on_deliveries()
        return done

    def conversation(self, cid: str) -> dict[str, Any]:
        """Who owns a conversation and where its handoff stands (NotFoundError for an unknown one); while the
        customer waits, the place in line and the wait are the live ones, not those of the handoff's moment."""
        view = conversation_view(self.sessions, cid, self.agent_names)
        if view["status"] in (BotStatus.QUEUED, BotStatus.ASSIGNED) and view["handoff_id"]:
            with self.sessions() as s:
                live = place_of(s, view["handoff_id"], self.roster(), self.settings.routing, self.clock())
            if live is not None:
                view.update(queue_position=live.position, expected_wait_seconds=live.wait_seconds)
        return view

    def get_handoff(self, handoff_id: str, *, transcript_offset: int = 0,
                    transcript_limit: int = TRANSCRIPT_PAGE_MESSAGES) -> dict[str, Any]:
        """One handoff with a page of its transcript (handoff.app.handoff_reads.get_handoff)."""
        return get_handoff(self.sessions, self.settings.briefing, handoff_id, transcript_offset=transcript_offset,
                           transcript_limit=transcript_limit)

    def _handoff_messages(self, cid: str) -> tuple[Message, ...]:
        return self.store.handoff_messages(cid, self.settings.briefing, self._summary_budget())

    def roster(self) -> Roster:
        """The live roster from the store."""
        return load_roster(self.sessions, self.settings)

    # ---- writes ------------------------------------------------------------------------------

    def _lock(self, cid: str) -> asyncio.Lock:
        # turns of one conversation queue up in this process; the version check covers other processes
        lock = self._locks.get(cid)
        if lock is None:
            lock = self._locks[cid] = asyncio.Lock()
        return lock

    async def post_message(self, cid: str, turn: TurnInput, *, zendesk_ticket_id: int | None = None) -> dict[str, Any]:
        """Store one turn, decide, and on a handoff package and store it; idempotent on message_id.

        `zendesk_ticket_id`: the conversation lives in that ticket (webhook flow), so a handoff
        updates it instead of creating a ticket.
        """
        async with self._lock(cid):
            for attempt in range(MAX_VERSION_RETRIES):
                try:
                    return await self._post_message_once(cid, turn, zendesk_ticket_id)
                except Conflict:
                    await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise ConversationBusy(f"conversation {cid} is too busy; try again")

    def _turn_in_thread(self, cid: str, turn: TurnInput, zendesk_ticket_id: int | None,
                        asked: Asked | None = None) -> dict[str, Any] | Undecided | Doubtful | Forwarded:
        """Load, decide and, unless the turn hands off, store it: one connection, one thread hop.

        Returns the answer (a routine turn, or one of a conversation already with a human), or what the slow
        path (a handoff) needs.
        """
        if self.store.autocommit is not None:
            with self.store.autocommit.connect() as conn:
                planned = self._plan(conn, cid, turn, zendesk_ticket_id, asked)
                if isinstance(planned, TurnWrite) and not planned.deliveries:
                    self.store.write_in_one_statement(conn, cid, planned, self.clock())
                    return planned.response
            if isinstance(planned, TurnWrite):  # with deliveries: one transaction for the message and them
                self.store.commit(cid, planned, self.clock(), None)
                return self._stored(planned)
            return planned
        with self.sessions() as s:
            planned = self._plan(s.connection(), cid, turn, zendesk_ticket_id, asked)
            if isinstance(planned, TurnWrite):
                self.store.write(s, cid, planned, self.clock())
                return self._stored(planned)
            return planned

    @staticmethod
    def _stored(write: TurnWrite) -> dict[str, Any] | Forwarded:
        return Forwarded(write.response) if write.deliveries else write.response

    def _plan(self, conn: Connection, cid: str, turn: TurnInput, zendesk_ticket_id: int | None,
              asked: Asked | None = None) -> dict[str, Any] | Undecided | TurnWrite | Doubtful:
        """Read the conversation and decide: a stored answer (repeated message_id), a routine turn to
        store, or what the slow path needs."""
        # a Zendesk comment's text can change (redaction): the webhook flow keeps its comment id's answer
        content = None if zendesk_ticket_id else (turn.role, turn.text)
        conv, stored = self.store.load_in(conn, cid, turn.message_id, content)
        if stored is not None:
            return stored
        ticket_id = zendesk_ticket_id or (conv.zendesk_ticket_id if conv else None)
        customer = merge_customer(customer_from_json(conv.customer if conv else None), turn.customer)
        page_url = turn.page_url or (conv.page_url if conv else None)
        index = conv.message_count if conv else 0
        message = Message(
            role=turn.role,  # type: ignore[arg-type]
            text=turn.text,
            index=index,
            sent_at=turn.sent_at,
            confidence=turn.confidence,
            page_url=turn.page_url,
            kb_articles=turn.kb_articles,
            ai_actions=turn.ai_actions,
            message_id=turn.message_id,
        )
        if conv is not None and conv.handoff_id:
            # already with a human: keep the transcript, answer with the handoff the bot must respect, and
            # bring the customer's words to the agent (handoff.app.forwarding)
            handoff = TurnStore.answer_row(conn, conv.handoff_id)
            if handoff is None:
                raise NotFoundError(f"no handoff {conv.handoff_id}")
            response = {**answer_from_row(handoff, self.agent_names), "message_index": index}
            forwarded = forwarded_deliveries(handoff, message, source_ticket_id=ticket_id, targets=self.targets,
                                             now=self.clock())
            return TurnWrite(conv, message, customer, page_url, ticket_id, conv.state, None, response, tuple(forwarded),
                             turn.sunshine_conversation_id)
        state = DecisionState.from_json(conv.state if conv else None) if conv else initial_state()
        context = DecisionContext(page_url=page_url, channel=turn.channel or (conv.channel if conv else None),
                                  language=customer.language if customer else None)
        opinion = asked.verdict if asked else None
        new_state, decision, doubt = step_with_doubt(state, message, context, self.settings.triggers, opinion)
        if doubt is not None and asked is None and self.second_opinion is not None:
            n = self.settings.triggers.second_opinion.customer_messages - 1
            earlier = self.store.recent_customer_texts(conn, cid, n) if conv is not None else ()
            return Doubtful(doubt, (*earlier, message.text))
        if decision.handoff:
            messaging_id = turn.sunshine_conversation_id or (
                self.store.messaging_conversation(conn, cid) if conv is not None else None)
            return Undecided(conv, message, customer, page_url, ticket_id, state, new_state, context, decision,
                              opinion, messaging_id)
        response = {"decision": "continue", "message_index": index, "category": decision.category,
                    "owner": Owner.AI.value, "status": None}
        return TurnWrite(conv, message, customer, page_url, ticket_id, new_state.to_json(), turn.channel, response,
                         messaging_id=turn.sunshine_conversation_id)

    async def _ask_second_opinion(self, doubtful: Doubtful) -> Verdict | None:
        """The verdict, or None: the budget is enforced here too, whatever the judge does."""
        assert self.second_opinion is not None
        budget = self.settings.triggers.second_opinion.timeout_ms / 1000
        try:
            verdict = await asyncio.wait_for(self.second_opinion.ask(doubtful.customer_texts, doubtful.doubt), budget)
        except Exception as e:  # noqa: BLE001 - a failing judge leaves the local decision, never fails the turn
            log.warning("second opinion unavailable", error=type(e).__name__)
            verdict = None
        metrics.SECOND_OPINIONS.labels("none" if verdict is None else "escalate" if verdict.escalate else "keep").inc()
        return verdict

    async def _post_message_once(self, cid: str, turn: TurnInput, zendesk_ticket_id: int | None) -> dict[str, Any]:
        done = await self._in_db_thread(self._turn_in_thread, cid, turn, zendesk_ticket_id)
        if isinstance(done, Doubtful):
            # the LLM call is async and bounded by its own budget; the turn is then decided again with the
            # verdict as data (None: decided as if never asked), on a fresh read of the conversation
            verdict = await self._ask_second_opinion(done)
            done = await self._in_db_thread(self._turn_in_thread, cid, turn, zendesk_ticket_id, Asked(verdict))
            assert not isinstance(done, Doubtful)
        if isinstance(done, Forwarded):
            self.on_deliveries()  # on the event loop, where the dispatcher runs
            return done.response
        if not isinstance(done, Undecided):
            return done
        conv, message, customer = done.conv, done.message, done.customer
        assert done.state is not None and done.new_state is not None and done.context is not None
        assert done.decision is not None
        state, new_state, context, decision = done.state, done.new_state, done.context, done.decision
        now = self.clock()
        account, transcript, roster, summary, similar = await self._gather(
            cid, conv is not None, customer, (message,), topic=decision.topic, page_url=done.page_url)
        if account.signals != AccountSignals():
            # the account may lower the bar or change priority: decide once more with it
            _, decision = step(state, message, replace(context, account=account.signals), self.settings.triggers,
                               done.opinion)
        handoff_id = new_handoff_id()
        pkg, handoff, deliveries = await self._packaged(
            source="api", handoff_id=handoff_id, conversation_id=cid, messages=transcript, decision=decision,
            account=account, customer=customer, page_url=done.page_url, roster=roster, now=now,
            message_index=message.index, ticket_id=done.ticket_id, summary=summary, similar=similar,
            messaging=messaging_for(done.messaging_id, self.settings.sunshine.app_id))
        response = {**pkg.response(handoff_id), "message_index": message.index}
        write = TurnWrite(conv, message, customer, done.page_url, done.ticket_id, new_state.to_json(), turn.channel, response,
                          messaging_id=turn.sunshine_conversation_id)
        await self._in_db_thread(self.store.commit, cid, write, self.clock(), (handoff, deliveries))
        self._opened(handoff_id, cid, decision, account, pkg)
        return response

    async def request_handoff(self, cid: str, reason: str | None, customer: Customer | None,
                              sunshine_conversation_id: str | None = None) -> dict[str, Any]:
        """The bot asks for a handoff itself; returns the existing one if the conversation has one.

        `sunshine_conversation_id`: the conversation lives in Zendesk messaging (else its turns may have said so).
        """
        async with self._lock(cid):
            return await self._request_handoff(cid, reason, customer, sunshine_conversation_id)

    def _messaging_id(self, cid: str) -> str | None:
        with self.sessions() as s:
            return self.store.messaging_conversation(s.connection(), cid)

    async def _request_handoff(self, cid: str, reason: str | None, customer: Customer | None,
                               messaging_id: str | None) -> dict[str, Any]:
        for attempt in range(MAX_VERSION_RETRIES):
            conv, _ = await asyncio.to_thread(self.store.load, cid, None)
            if conv is not None and conv.handoff_id:
                return {**await asyncio.to_thread(self.handoff_answer, conv.handoff_id), "created": False}
            now = self.clock()
            merged = merge_customer(customer_from_json(conv.customer if conv else None), customer)
            account, messages, roster, summary, similar = await self._gather(
                cid, conv is not None, merged, page_url=conv.page_url if conv else None)
            last = messages[-1].index if messages else None
            state = DecisionState.from_json(conv.state) if conv else initial_state()
            decision = Decision(
                handoff=True,
                reasons=(Reason("bot_request", last if last is not None else -1,
                                (reason or "the AI agent asked for a human")[:500]),),
                category=getattr(state, "category", None) or "bot_request",
                priority="normal",
            )
            handoff_id = new_handoff_id()
            pkg, handoff, deliveries = await self._packaged(
                source="bot_request", handoff_id=handoff_id, conversation_id=cid, messages=messages,
                decision=decision, account=account, customer=merged, page_url=conv.page_url if conv else None,
                roster=roster, now=now, message_index=last, ticket_id=conv.zendesk_ticket_id if conv else None,
                summary=summary, similar=similar, messaging=messaging_for(
                    messaging_id or (await asyncio.to_thread(self._messaging_id, cid) if conv else None),
                    self.settings.sunshine.app_id))
            try:
                await asyncio.to_thread(self.store.commit_handoff_only, cid, conv, merged, handoff, deliveries, self.clock())
            except Conflict:
                await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            self._opened(handoff_id, cid, decision, account, pkg)
            return {**pkg.response(handoff_id), "created": True}
        raise ConversationBusy(f"conversation {cid} is too busy; try again")
