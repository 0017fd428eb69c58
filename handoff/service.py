"""The turn service: one message in, a decision out; a handoff stored with its deliveries atomically.

Deciding costs O(1) per message (the engine's state is stored with the conversation), and so does a turn
of a conversation already with a human (it reads the handoff's answer, not its briefing). The transcript is
stored once, in the messages table: a handoff reads every message's metadata but only the texts its
briefing shows, and packages it off the event loop. Two turns of one conversation racing are serialised by
an optimistic version check; a repeated `message_id` gets the stored answer.
"""
from __future__ import annotations

import asyncio
import functools
import random
import statistics
import uuid
import weakref
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

import structlog
from sqlalchemy import Connection, bindparam, func, insert, select, update
from sqlalchemy.sql.functions import coalesce
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.briefing import bounded_briefing_json, texts_needed, transcript_json
from handoff.conversations import parse_time
from handoff.decide import DecisionContext, DecisionState, initial_state, step
from handoff.decide.engine import step_with_doubt
from handoff.decide.second_opinion import Doubt, Verdict
from handoff.models import AccountContext, AccountSignals, Customer, Decision, KBArticle, Message, Reason
from handoff.packaging import Package, package_handoff
from handoff.routing import AgentLoad, Roster
from handoff.settings import Settings
from handoff.storage.keys import email_key
from handoff.storage.tables import AgentStatusRow, ConversationRow, DeliveryRow, HandoffRow, MessageRow

log = structlog.get_logger("handoff.service")

MAX_VERSION_RETRIES = 20
# Threads that run turns' database work. Their own pool, so a turn never queues behind connector calls
# (zenpy, HubSpot) that hold default-executor threads for as long as an upstream takes to answer.
# SQLite takes one writer at a time: one thread queues turns in order instead of in the busy handler.
DB_THREADS = 4  # measured (bench/load.py): more threads only fight over the GIL for the same cores
SQLITE_DB_THREADS = 1

T = TypeVar("T")

# The hot path's statements, built once with bind parameters: SQLAlchemy then reuses the compiled form,
# where statements built per call with values inlined cost more CPU to cache-key than the round trip.
_CONVERSATIONS = ConversationRow.__table__
_LOAD = select(_CONVERSATIONS).where(_CONVERSATIONS.c.id == bindparam("p_cid"))
_LOAD_WITH_REPEAT = select(
    _CONVERSATIONS,
    select(MessageRow.response)
    .where(MessageRow.conversation_id == bindparam("p_cid"), MessageRow.message_id == bindparam("p_mid"))
    .scalar_subquery().label("stored_response"),
).where(_CONVERSATIONS.c.id == bindparam("p_cid"))
_UPDATE_CONVERSATION = (
    update(_CONVERSATIONS)
    .where(_CONVERSATIONS.c.id == bindparam("p_cid"), _CONVERSATIONS.c.version == bindparam("p_version"))
    .values(
        version=_CONVERSATIONS.c.version + 1, updated_at=bindparam("p_now"),
        zendesk_ticket_id=bindparam("p_ticket"), customer=bindparam("p_customer"), page_url=bindparam("p_page"),
        customer_email=bindparam("p_email"), state=bindparam("p_state"), message_count=bindparam("p_count"),
        channel=coalesce(bindparam("p_channel", type_=_CONVERSATIONS.c.channel.type), _CONVERSATIONS.c.channel),
        handoff_id=coalesce(bindparam("p_handoff", type_=_CONVERSATIONS.c.handoff_id.type), _CONVERSATIONS.c.handoff_id),
    )
)
_INSERT_MESSAGE = insert(MessageRow.__table__)
# What a turn of a conversation already with a human answers with: a few columns, never the briefing.
_HANDOFFS = HandoffRow.__table__
_ANSWER = select(
    _HANDOFFS.c.id, _HANDOFFS.c.reasons, _HANDOFFS.c.category, _HANDOFFS.c.team, _HANDOFFS.c.agent,
    _HANDOFFS.c.route, _HANDOFFS.c.priority, _HANDOFFS.c.customer_message, _HANDOFFS.c.callback_at,
).where(_HANDOFFS.c.id == bindparam("p_hid"))
# A handoff's messages without their texts (see _handoff_messages).
_MESSAGE_META = (MessageRow.idx, MessageRow.role, MessageRow.sent_at, MessageRow.confidence, MessageRow.page_url,
                 MessageRow.extra, MessageRow.message_id)
TEXT_BATCH = 500  # message texts read per statement (bind parameters stay well under SQLite's limit)
# GET /v1/handoffs/{id}: the full transcript, a page at a time.
TRANSCRIPT_PAGE_MESSAGES = 100  # messages a page holds by default ...
TRANSCRIPT_PAGE_MAX = 500  # ... and at most
TRANSCRIPT_PAGE_CHARS = 1_000_000  # a page ends after the message that passes this many characters of text

# PostgreSQL: a routine turn's write as ONE statement (the conversation's update or creation, and the
# message, joined by a data-modifying CTE), run without an explicit transaction. One statement is atomic
# by itself, so BEGIN and COMMIT are two round trips saved; with the read, a turn is two round trips
# instead of five (measured: 0.44 instead of 0.61 ms of CPU, 0.78 instead of 1.1 ms, per turn's database
# work). The version check stays: an update that matches no row inserts no message and returns nothing.
_MESSAGES = MessageRow.__table__
_MESSAGE_COLUMNS = ("idx", "message_id", "role", "text", "sent_at", "received_at", "confidence", "page_url",
                    "extra", "response")


def _message_after(changed: Any) -> Any:
    """INSERT the turn's message for the conversation row that the CTE `changed` returns (if any)."""
    values = select(changed.c.id, *(bindparam(f"m_{c}", type_=_MESSAGES.c[c].type) for c in _MESSAGE_COLUMNS))
    return (insert(_MESSAGES).from_select(("conversation_id", *_MESSAGE_COLUMNS), values.select_from(changed))
            .returning(_MESSAGES.c.id))


_UPDATE_WITH_MESSAGE = _message_after(_UPDATE_CONVERSATION.returning(_CONVERSATIONS.c.id).cte("changed"))
_CREATE_WITH_MESSAGE = _message_after(
    insert(_CONVERSATIONS).values(
        id=bindparam("p_cid"), created_at=bindparam("p_now"), updated_at=bindparam("p_now"), version=1,
        zendesk_ticket_id=bindparam("p_ticket"), customer=bindparam("p_customer"), page_url=bindparam("p_page"),
        customer_email=bindparam("p_email"), state=bindparam("p_state"), message_count=bindparam("p_count"),
        channel=bindparam("p_channel"),
    ).returning(_CONVERSATIONS.c.id).cte("changed")
)


class Enricher(Protocol):
    """Anything that turns a customer into account facts (connectors.enrichment.Enricher)."""

    async def enrich(self, customer: Customer) -> AccountContext: ...


class Summariser(Protocol):
    """An optional writer of the one-line summary (connectors.summariser.LLMSummariser)."""

    async def summarise(self, messages: tuple[Message, ...]) -> str | None: ...


class SecondOpinion(Protocol):
    """An optional judge of doubtful turns (connectors.second_opinion.LLMSecondOpinion), time-boxed by itself."""

    async def ask(self, customer_texts: tuple[str, ...], doubt: Doubt) -> Verdict | None: ...


class NotFoundError(LookupError):
    """The thing asked for does not exist."""


class ConversationBusy(RuntimeError):
    """Other processes kept winning the race for this conversation; the caller may retry."""


@dataclass(frozen=True)
class TurnInput:
    """A validated `/v1` message body."""

    role: str
    text: str
    message_id: str | None = None
    sent_at: datetime | None = None
    confidence: float | None = None
    page_url: str | None = None
    kb_articles: tuple[KBArticle, ...] = ()
    ai_actions: tuple[str, ...] = ()
    customer: Customer | None = None
    channel: str | None = None


class _Conflict(Exception):
    """Another turn of the same conversation committed first."""


@dataclass(frozen=True)
class _Undecided:
    """A turn loaded and decided in the database thread that still needs the slow path (a handoff)."""

    conv: ConversationRow | None
    message: Message
    customer: Customer
    page_url: str | None
    ticket_id: int | None
    state: DecisionState | None = None
    new_state: DecisionState | None = None
    context: DecisionContext | None = None
    decision: Decision | None = None
    opinion: Verdict | None = None  # the second opinion heard on this turn


@dataclass(frozen=True)
class _Doubtful:
    """A turn the engine is in doubt about: ask the second opinion, then decide the turn again with it."""

    doubt: Doubt
    customer_texts: tuple[str, ...]


@dataclass(frozen=True)
class _Asked:
    """The second opinion was asked on this turn (`verdict` None: no usable answer in time)."""

    verdict: Verdict | None


@dataclass(frozen=True)
class _TurnWrite:
    """A decided turn to store: the conversation row as read, the message and its answer, and what the
    conversation becomes (merged customer, page, ticket, channel, engine state)."""

    conv: Any
    message: Message
    customer: Customer
    page_url: str | None
    ticket_id: int | None
    state: dict[str, Any]
    channel: str | None
    response: dict[str, Any]


def new_handoff_id() -> str:
    """A handoff id: short, unguessable, URL-safe."""
    return "h_" + uuid.uuid4().hex[:24]


_CUSTOMER_FIELDS = tuple(f.name for f in fields(Customer))
_KB_FIELDS = tuple(f.name for f in fields(KBArticle))


def _flat(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    # dataclasses.asdict deep-copies each value: ten times the cost, per turn, for fields that are strings
    return {n: getattr(obj, n) for n in names}


def _conversation_params(cid: str, turn: "_TurnWrite", now: datetime, handoff_id: str | None) -> dict[str, Any]:
    """The bind parameters of the conversation's side of a turn's write (_UPDATE_CONVERSATION's names)."""
    return {
        "p_cid": cid, "p_now": now, "p_ticket": turn.ticket_id, "p_customer": _flat(turn.customer, _CUSTOMER_FIELDS),
        "p_page": turn.page_url, "p_state": turn.state, "p_count": turn.message.index + 1,
        "p_channel": turn.channel or None, "p_handoff": handoff_id, "p_email": email_key(turn.customer.email),
    }


def _message_values(turn: "_TurnWrite", now: datetime) -> dict[str, Any]:
    """The stored message row of a turn (without its conversation id)."""
    m = turn.message
    return {
        "idx": m.index, "message_id": m.message_id, "role": m.role, "text": m.text, "sent_at": m.sent_at,
        "received_at": now, "confidence": m.confidence, "page_url": m.page_url,
        "extra": {"kb_articles": [_flat(k, _KB_FIELDS) for k in m.kb_articles], "ai_actions": list(m.ai_actions)},
        "response": turn.response,
    }


def customer_from_json(data: dict[str, Any] | None) -> Customer:
    """Rebuild a Customer stored as JSON."""
    data = data or {}
    return Customer(**{k: data.get(k) for k in _CUSTOMER_FIELDS})


def _merge_customer(old: Customer, new: Customer | None) -> Customer:
    if new is None:
        return old
    return Customer(**{k: getattr(new, k) or getattr(old, k) for k in _CUSTOMER_FIELDS})


def message_from_row(row: Any, text: str | None = None) -> Message:
    """Rebuild a Message from its stored row (or its metadata columns and `text`)."""
    extra = row.extra or {}
    return Message(
        role=row.role,  # type: ignore[arg-type]
        text=row.text if text is None else text,
        index=row.idx,
        sent_at=row.sent_at,
        confidence=row.confidence,
        page_url=row.page_url,
        kb_articles=tuple(KBArticle(**k) for k in extra.get("kb_articles", [])),
        ai_actions=tuple(extra.get("ai_actions", [])),
        message_id=row.message_id,
    )


class TurnService:
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
        summariser: Summariser | None = None,
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.enricher = enricher
        self.clock = clock
        self.targets = targets  # delivery kind -> "zendesk" | "slack" | "local"
        self.on_handoff = on_handoff or (lambda _hid: None)
        self.summariser = summariser
        self.second_opinion = second_opinion
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        bind = sessions.kw.get("bind")
        sqlite = bind is not None and bind.dialect.name == "sqlite"
        self._db = ThreadPoolExecutor(max_workers=SQLITE_DB_THREADS if sqlite else DB_THREADS,
                                      thread_name_prefix="handoff-db")
        # PostgreSQL runs a routine turn without an explicit transaction (see _UPDATE_WITH_MESSAGE); it
        # shares the sessions' pool
        postgres = bind is not None and bind.dialect.name == "postgresql"
        self._autocommit = bind.execution_options(isolation_level="AUTOCOMMIT") if postgres else None

    async def _in_db_thread(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._db, functools.partial(fn, *args))

    def close(self) -> None:
        """Stop the database threads (idle ones exit at once)."""
        self._db.shutdown(wait=False)

    # ---- reads -------------------------------------------------------------------------------

    def _load(self, cid: str, message_id: str | None) -> tuple[ConversationRow | None, dict[str, Any] | None]:
        with self.sessions() as s:
            if message_id is not None:
                stored = s.scalar(
                    select(MessageRow.response).where(
                        MessageRow.conversation_id == cid, MessageRow.message_id == message_id
                    )
                )
                if stored is not None:
                    return None, stored
            return s.get(ConversationRow, cid), None

    @staticmethod
    def _load_in(conn: Connection, cid: str, message_id: str | None) -> tuple[Any, dict[str, Any] | None]:
        """The conversation's row (read-only, columns as attributes) and, for a repeated message_id, its answer.

        One round trip; Core rows, because the ORM's identity map costs CPU the hot path does not need.
        """
        if message_id is None:
            return conn.execute(_LOAD, {"p_cid": cid}).first(), None
        row = conn.execute(_LOAD_WITH_REPEAT, {"p_cid": cid, "p_mid": message_id}).first()
        if row is None:  # messages belong to a stored conversation: no conversation, no repeat
            return None, None
        return (None, row.stored_response) if row.stored_response is not None else (row, None)

    def _handoff_messages(self, cid: str) -> tuple[Message, ...]:
        """The conversation's messages for packaging a handoff: every message's metadata, but the text only
        of those the briefing shows (and the summariser reads), so a 45 MB conversation loads about what a
        short one does. The other messages come with an empty text."""
        budget = self._summary_budget()
        with self.sessions() as s:
            columns = (*_MESSAGE_META, func.length(MessageRow.text)) if budget else _MESSAGE_META
            rows = s.execute(select(*columns).where(MessageRow.conversation_id == cid).order_by(MessageRow.idx)).all()
            wanted = texts_needed([r.role for r in rows], self.settings.briefing)
            if budget:
                wanted.update(range(len(rows) - _tail_within([r[-1] or 0 for r in rows], budget), len(rows)))
            idxs = sorted(rows[i].idx for i in wanted)
            texts: dict[int, str] = {}
            for at in range(0, len(idxs), TEXT_BATCH):
                texts.update(s.execute(select(MessageRow.idx, MessageRow.text).where(
                    MessageRow.conversation_id == cid, MessageRow.idx.in_(idxs[at:at + TEXT_BATCH]))).all())
        return tuple(message_from_row(r, texts.get(r.idx, "")) for r in rows)

    def roster(self) -> Roster:
        """The live roster from the store."""
        return load_roster(self.sessions, self.settings)

    def _handoff_answer(self, conn: Connection, handoff_id: str) -> dict[str, Any]:
        """The answer to a turn of a conversation already handed off: the handoff as the bot must respect it."""
        h = conn.execute(_ANSWER, {"p_hid": handoff_id}).first()
        if h is None:
            raise NotFoundError(f"no handoff {handoff_id}")
        return _existing_response({
            "handoff_id": h.id, "reasons": h.reasons, "category": h.category, "team": h.team, "agent": h.agent,
            "route": h.route, "priority": h.priority, "customer_message": h.customer_message,
            "callback_at": h.callback_at.isoformat() if h.callback_at else None,
        })

    def handoff_answer(self, handoff_id: str) -> dict[str, Any]:
        """`_handoff_answer` in its own session."""
        with self.sessions() as s:
            return self._handoff_answer(s.connection(), handoff_id)

    def get_handoff(self, handoff_id: str, *, transcript_offset: int = 0,
                    transcript_limit: int = TRANSCRIPT_PAGE_MESSAGES) -> dict[str, Any]:
        """Status, route, briefing and deliveries of one handoff, and a page of its full transcript.

        `transcript` holds the messages from index `transcript_offset` on: at most `transcript_limit` (capped at
        TRANSCRIPT_PAGE_MAX), ending early after about TRANSCRIPT_PAGE_CHARS of text; `next_offset` is where
        the next page starts (null after the last message).
        """
        with self.sessions() as s:
            h = s.get(HandoffRow, handoff_id)
            if h is None:
                raise NotFoundError(f"no handoff {handoff_id}")
            deliveries = s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == handoff_id).order_by(DeliveryRow.id)).all()
            transcript = _transcript_page(s, h.conversation_id, max(0, transcript_offset),
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
                    {
                        "kind": d.kind,
                        "target": d.target,
                        "status": d.status,
                        "attempts": d.attempts,
                        "last_error": d.last_error,
                        "result": d.result,
                    }
                    for d in deliveries
                ],
                "briefing": bounded_briefing_json(h.briefing, self.settings.briefing),
                "transcript": transcript,
            }

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
                except _Conflict:
                    await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise ConversationBusy(f"conversation {cid} is too busy; try again")

    def _turn_in_thread(self, cid: str, turn: TurnInput, zendesk_ticket_id: int | None,
                        asked: _Asked | None = None) -> dict[str, Any] | _Undecided | _Doubtful:
        """Load, decide and, unless the turn hands off, store it: one connection, one thread hop.

        Returns the answer (a routine turn, or one of a conversation already with a human), or what the slow
        path (a handoff) needs.
        """
        if self._autocommit is not None:
            with self._autocommit.connect() as conn:
                planned = self._plan(conn, cid, turn, zendesk_ticket_id, asked)
                if isinstance(planned, _TurnWrite):
                    self._write_in_one_statement(conn, cid, planned)
                    return planned.response
                return planned
        with self.sessions() as s:
            planned = self._plan(s.connection(), cid, turn, zendesk_ticket_id, asked)
            if isinstance(planned, _TurnWrite):
                self._write(s, cid, planned)
                return planned.response
            return planned

    def _plan(self, conn: Connection, cid: str, turn: TurnInput, zendesk_ticket_id: int | None,
              asked: _Asked | None = None) -> dict[str, Any] | _Undecided | _TurnWrite | _Doubtful:
        """Read the conversation and decide: a stored answer (repeated message_id), a routine turn to
        store, or what the slow path needs."""
        conv, stored = self._load_in(conn, cid, turn.message_id)
        if stored is not None:
            return stored
        ticket_id = zendesk_ticket_id or (conv.zendesk_ticket_id if conv else None)
        customer = _merge_customer(customer_from_json(conv.customer if conv else None), turn.customer)
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
            # already with a human: keep the transcript, answer with the handoff the bot must respect
            response = {**self._handoff_answer(conn, conv.handoff_id), "message_index": index}
            return _TurnWrite(conv, message, customer, page_url, ticket_id, conv.state, None, response)
        state = DecisionState.from_json(conv.state if conv else None) if conv else initial_state()
        context = DecisionContext(page_url=page_url, channel=turn.channel or (conv.channel if conv else None),
                                  language=customer.language if customer else None)
        opinion = asked.verdict if asked else None
        new_state, decision, doubt = step_with_doubt(state, message, context, self.settings.triggers, opinion)
        if doubt is not None and asked is None and self.second_opinion is not None:
            return _Doubtful(doubt, (*self._recent_customer_texts(conn, cid, conv), message.text))
        if decision.handoff:
            return _Undecided(conv, message, customer, page_url, ticket_id, state, new_state, context, decision,
                              opinion)
        response = {"decision": "continue", "message_index": index, "category": decision.category}
        return _TurnWrite(conv, message, customer, page_url, ticket_id, new_state.to_json(), turn.channel, response)

    def _write_in_one_statement(self, conn: Connection, cid: str, turn: _TurnWrite) -> None:
        """Store a routine turn on PostgreSQL: the conversation and its message in one atomic statement."""
        now = self.clock()
        params = _conversation_params(cid, turn, now, None)
        params.update({f"m_{k}": v for k, v in _message_values(turn, now).items()})
        if turn.conv is None:
            statement = _CREATE_WITH_MESSAGE
        else:
            statement = _UPDATE_WITH_MESSAGE
            params["p_version"] = turn.conv.version
        try:
            stored = conn.execute(statement, params).first()
        except IntegrityError:
            raise _Conflict() from None  # a concurrent first turn, or the same message_id: nothing was stored
        if stored is None:
            raise _Conflict()  # another turn changed the conversation first: nothing was stored

    def _recent_customer_texts(self, conn: Connection, cid: str, conv: Any) -> tuple[str, ...]:
        """The conversation's last customer messages before this turn, oldest first (for the second opinion)."""
        if conv is None:
            return ()
        n = self.settings.triggers.second_opinion.customer_messages - 1
        if n <= 0:
            return ()
        texts = conn.execute(select(MessageRow.text).where(
            MessageRow.conversation_id == cid, MessageRow.role == "customer").order_by(MessageRow.idx.desc()).limit(n)
        ).scalars().all()
        return tuple(reversed(texts))

    async def _ask_second_opinion(self, doubtful: _Doubtful) -> Verdict | None:
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
        if isinstance(done, _Doubtful):
            # the LLM call is async and bounded by its own budget; the turn is then decided again with the
            # verdict as data (None: decided as if never asked), on a fresh read of the conversation
            verdict = await self._ask_second_opinion(done)
            done = await self._in_db_thread(self._turn_in_thread, cid, turn, zendesk_ticket_id, _Asked(verdict))
            assert not isinstance(done, _Doubtful)
        if not isinstance(done, _Undecided):
            return done
        conv, message, customer, page_url, ticket_id = done.conv, done.message, done.customer, done.page_url, done.ticket_id
        index = message.index
        now = self.clock()
        assert done.state is not None and done.new_state is not None and done.context is not None
        assert done.decision is not None
        state, new_state, context, decision = done.state, done.new_state, done.context, done.decision

        handoff_id = new_handoff_id()
        account = await self.enricher.enrich(customer)
        if account.signals != AccountSignals():
            # the account may lower the bar or change priority: decide once more with it
            _, decision = step(state, message, replace(context, account=account.signals), self.settings.triggers,
                               done.opinion)
        prior = await asyncio.to_thread(self._handoff_messages, cid) if conv else ()
        roster = await asyncio.to_thread(self.roster)
        transcript = (*prior, message)
        summary = await self._summary(transcript)
        # briefing, masking and rendering cost CPU in proportion to what they show: off the event loop
        pkg, handoff, deliveries = await asyncio.to_thread(
            self._package, source="api", summary=summary, handoff_id=handoff_id, conversation_id=cid,
            messages=transcript, decision=decision, account=account, customer=customer, page_url=page_url,
            roster=roster, now=now, message_index=index, ticket_id=ticket_id,
        )
        response = {**pkg.response(handoff_id), "message_index": index}
        await self._in_db_thread(
            self._commit, cid, _TurnWrite(conv, message, customer, page_url, ticket_id, new_state.to_json(), turn.channel,
                                          response), (handoff, deliveries),
        )
        _count_handoff(decision, account, pkg.route.team)
        log.info("handoff", handoff_id=handoff_id, conversation_id=cid, category=decision.category,
                 triggers=[r.trigger for r in decision.reasons], team=pkg.route.team, priority=pkg.priority)
        self.on_handoff(handoff_id)
        return response

    async def request_handoff(self, cid: str, reason: str | None, customer: Customer | None) -> dict[str, Any]:
        """The bot asks for a handoff itself; returns the existing one if the conversation has one."""
        async with self._lock(cid):
            return await self._request_handoff(cid, reason, customer)

    async def _request_handoff(self, cid: str, reason: str | None, customer: Customer | None) -> dict[str, Any]:
        for attempt in range(MAX_VERSION_RETRIES):
            conv, _ = await asyncio.to_thread(self._load, cid, None)
            if conv is not None and conv.handoff_id:
                return {**await asyncio.to_thread(self.handoff_answer, conv.handoff_id), "created": False}
            now = self.clock()
            merged = _merge_customer(customer_from_json(conv.customer if conv else None), customer)
            messages = await asyncio.to_thread(self._handoff_messages, cid) if conv else ()
            last = messages[-1].index if messages else None
            evidence = (reason or "the AI agent asked for a human")[:500]
            state = DecisionState.from_json(conv.state) if conv else initial_state()
            category = getattr(state, "category", None)
            decision = Decision(
                handoff=True,
                reasons=(Reason("bot_request", last if last is not None else -1, evidence),),
                category=category or "bot_request",
                priority="normal",
            )
            account = await self.enricher.enrich(merged)
            handoff_id = new_handoff_id()
            page_url = conv.page_url if conv else None
            summary = await self._summary(messages)
            roster = await asyncio.to_thread(self.roster)
            pkg, handoff, deliveries = await asyncio.to_thread(
                self._package, source="bot_request", summary=summary, handoff_id=handoff_id, conversation_id=cid,
                messages=messages, decision=decision, account=account, customer=merged, page_url=page_url,
                roster=roster, now=now, message_index=last, ticket_id=conv.zendesk_ticket_id if conv else None,
            )
            try:
                await asyncio.to_thread(self._commit_handoff_only, cid, conv, merged, handoff, deliveries)
            except _Conflict:
                await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
                continue
            _count_handoff(decision, account, pkg.route.team)
            self.on_handoff(handoff_id)
            return {**pkg.response(handoff_id), "created": True}
        raise ConversationBusy(f"conversation {cid} is too busy; try again")

    def _summary_budget(self) -> int:
        """Characters of recent text the summariser is given (0 without one): twice what it keeps, so its
        own cut, not ours, decides what it reads."""
        return 2 * self.settings.briefing.summariser.max_transcript_chars if self.summariser is not None else 0

    async def _summary(self, messages: tuple[Message, ...]) -> str | None:
        # the LLM is optional and time-boxed; None keeps the extractive summary
        if self.summariser is None or not messages:
            return None
        tail = _tail_within([len(m.text) for m in messages], self._summary_budget())
        return await self.summariser.summarise(messages[len(messages) - tail:])

    def _package(self, *, source: str, handoff_id: str, conversation_id: str, message_index: int | None,
                 ticket_id: int | None, now: datetime, **parts: Any) -> tuple[Package, HandoffRow, list[DeliveryRow]]:
        """Package the handoff and build its rows (run in a worker thread)."""
        pkg = package_handoff(handoff_id=handoff_id, conversation_id=conversation_id, now=now, settings=self.settings,
                              **parts)
        handoff, deliveries = self._handoff_rows(
            pkg, parts["decision"], handoff_id=handoff_id, cid=conversation_id, source=source,
            message_index=message_index, ticket_id=ticket_id, email=parts["customer"].email, now=now)
        return pkg, handoff, deliveries

    def _handoff_rows(self, pkg: Package, decision: Decision, *, handoff_id: str, cid: str, source: str,
                      message_index: int | None, ticket_id: int | None, email: str | None,
                      now: datetime) -> tuple[HandoffRow, list[DeliveryRow]]:
        """The handoff row and its two delivery rows, to be stored in one transaction."""
        r = pkg.route
        handoff = HandoffRow(
            id=handoff_id, conversation_id=cid, source=source,
            status="open" if r.on_shift else "callback_scheduled", message_index=message_index,
            category=decision.category, priority=pkg.priority, reasons=[x.as_dict() for x in decision.reasons],
            team=r.team, agent=r.agent, route=r.as_dict(), briefing=pkg.briefing.as_dict(),
            customer_message=r.customer_message, callback_at=r.callback_at, zendesk_ticket_id=ticket_id,
            customer_email=email_key(email), created_at=now, updated_at=now,
        )
        # a conversation that lives in a Zendesk ticket gets its note on that ticket, not a new one
        return handoff, self._deliveries(handoff_id, {**pkg.ticket, "ticket_id": ticket_id}, pkg.alert, now)

    def _deliveries(self, handoff_id: str, ticket: dict[str, Any], alert: dict[str, Any], now: datetime) -> list[DeliveryRow]:
        common = {"handoff_id": handoff_id, "status": "pending", "attempts": 0, "next_attempt_at": now,
                  "created_at": now, "updated_at": now}
        return [
            DeliveryRow(kind="zendesk_ticket", target=self.targets["zendesk_ticket"], payload=ticket,
                        dedupe_key=f"{handoff_id}:zendesk_ticket", **common),
            DeliveryRow(kind="slack_alert", target=self.targets["slack_alert"], payload=alert,
                        dedupe_key=f"{handoff_id}:slack_alert", **common),
        ]

    def _upsert_conversation(self, s: Session, cid: str, conv: ConversationRow | None, values: dict[str, Any], now: datetime) -> None:
        if conv is None:
            s.add(ConversationRow(id=cid, created_at=now, updated_at=now, version=1, **values))
            s.flush()  # a concurrent first turn fails here on the primary key
            return
        res = s.execute(
            update(ConversationRow)
            .where(ConversationRow.id == cid, ConversationRow.version == conv.version)
            .values(version=conv.version + 1, updated_at=now, **values)
        )
        if res.rowcount != 1:
            raise _Conflict()

    def _commit(self, cid: str, turn: _TurnWrite, handoff: tuple[HandoffRow, list[DeliveryRow]] | None) -> None:
        with self.sessions() as s:
            self._write(s, cid, turn, handoff)

    def _write(self, s: Session, cid: str, turn: _TurnWrite,
               handoff: tuple[HandoffRow, list[DeliveryRow]] | None = None) -> None:
        now = self.clock()
        params = _conversation_params(cid, turn, now, handoff[0].id if handoff is not None else None)
        try:
            if turn.conv is None:
                values = {"zendesk_ticket_id": turn.ticket_id, "customer": params["p_customer"],
                          "customer_email": params["p_email"], "page_url": turn.page_url,
                          "state": turn.state, "message_count": params["p_count"], "channel": params["p_channel"],
                          "handoff_id": params["p_handoff"]}
                self._upsert_conversation(s, cid, None, values, now)
                conn = s.connection()
            else:
                conn = s.connection()
                if conn.execute(_UPDATE_CONVERSATION, {**params, "p_version": turn.conv.version}).rowcount != 1:
                    raise _Conflict()
            conn.execute(_INSERT_MESSAGE, {"conversation_id": cid, **_message_values(turn, now)})
            if handoff is not None:
                s.add(handoff[0])
                s.flush()
                s.add_all(handoff[1])
            s.commit()
        except IntegrityError:
            s.rollback()
            raise _Conflict() from None

    def _commit_handoff_only(
        self, cid: str, conv: ConversationRow | None, customer: Customer, handoff: HandoffRow, deliveries: list[DeliveryRow]
    ) -> None:
        now = self.clock()
        values = {"customer": _flat(customer, _CUSTOMER_FIELDS), "customer_email": email_key(customer.email),
                  "handoff_id": handoff.id}
        if conv is None:
            values.update(state={}, message_count=0)
        with self.sessions() as s:
            try:
                self._upsert_conversation(s, cid, conv, values, now)
                s.add(handoff)
                s.flush()
                s.add_all(deliveries)
                s.commit()
            except IntegrityError:
                s.rollback()
                raise _Conflict() from None


HANDLE_TIME_SAMPLE = 200  # recent solved handoffs per team behind the expected wait
SUMMARY_LINE_CHARS = 1000  # the summariser quotes at most this much of each message


def _tail_within(lengths: list[int], budget: int) -> int:
    """How many of the last messages (by text length, oldest first) the summariser may read within `budget`
    characters: those that fit and the one that does not (so the summariser sees where it cut)."""
    used = 0
    for n, length in enumerate(reversed(lengths), start=1):
        used += min(length, SUMMARY_LINE_CHARS) + 1
        if used > budget:
            return n
    return len(lengths)


TRANSCRIPT_BATCH = 20  # messages read at a time for a transcript page, so it loads little more than it returns


def _transcript_page(s: Session, cid: str, offset: int, limit: int) -> dict[str, Any]:
    """Messages of `cid` from index `offset`: at most `limit`, ending after the one that passes
    TRANSCRIPT_PAGE_CHARS characters of text."""
    total = s.scalar(select(func.count()).select_from(MessageRow).where(MessageRow.conversation_id == cid)) or 0
    messages: list[Message] = []
    chars = 0
    after = offset
    while len(messages) < limit and chars <= TRANSCRIPT_PAGE_CHARS:
        rows = s.scalars(select(MessageRow).where(MessageRow.conversation_id == cid, MessageRow.idx >= after)
                         .order_by(MessageRow.idx).limit(min(TRANSCRIPT_BATCH, limit - len(messages)))).all()
        for r in rows:
            if len(messages) >= limit or chars > TRANSCRIPT_PAGE_CHARS:
                break
            messages.append(message_from_row(r))
            chars += len(r.text)
        if not rows:
            break
        after = rows[-1].idx + 1
    last = messages[-1].index if messages else None
    more = last is not None and s.scalar(select(MessageRow.idx).where(
        MessageRow.conversation_id == cid, MessageRow.idx > last).limit(1)) is not None
    return {"total": total, "offset": offset, "messages": transcript_json(messages),
            "next_offset": last + 1 if more else None}


def _count_handoff(decision: Decision, account: AccountContext, team: str) -> None:
    metrics.HANDOFFS.labels(category=decision.category or "unknown", team=team).inc()
    for trigger in dict.fromkeys(r.trigger for r in decision.reasons):
        metrics.REASONS.labels(trigger=trigger).inc()
    for source in account.sources:
        metrics.ENRICHMENT.labels(source=source.source, status=source.status).inc()


def load_roster(sessions: sessionmaker[Session], settings: Settings) -> Roster:
    """The live roster: availability as agents set it, open handoffs per agent, the queue per team,
    and each team's recent median handle time (claimed to solved)."""
    handle: dict[str, float] = {}
    with sessions() as s:
        for team in {t.name for t in settings.routing.teams}:
            rows = s.execute(
                select(HandoffRow.claimed_at, HandoffRow.solved_at)
                .where(HandoffRow.team == team, HandoffRow.solved_at.is_not(None), HandoffRow.claimed_at.is_not(None))
                .order_by(HandoffRow.solved_at.desc()).limit(HANDLE_TIME_SAMPLE)
            ).all()
            spans = [(b - a).total_seconds() for a, b in rows if b >= a]
            if len(spans) >= 5:  # fewer is noise: routing's default_handle_seconds is better
                handle[team] = statistics.median(spans)
        status = {r.agent: r.available for r in s.scalars(select(AgentStatusRow)).all()}
        active = dict(
            s.execute(
                select(HandoffRow.agent, func.count())
                .where(HandoffRow.status.in_(("open", "claimed")), HandoffRow.agent.is_not(None))
                .group_by(HandoffRow.agent)
            ).all()
        )
        queued: dict[str, dict[str, int]] = {}
        for team, priority, n in s.execute(
            select(HandoffRow.team, HandoffRow.priority, func.count())
            .where(HandoffRow.status == "open", HandoffRow.agent.is_(None))
            .group_by(HandoffRow.team, HandoffRow.priority)
        ).all():
            queued.setdefault(team, {})[priority] = int(n)
    agents = tuple(
        AgentLoad(agent=a.id, available=status.get(a.id, True), active=int(active.get(a.id, 0)))
        for a in settings.routing.agents
    )
    return Roster(
        agents=agents,
        queued={team: sum(by.values()) for team, by in queued.items()},
        queued_by_priority=queued,
        handle_seconds=handle,
    )


def _existing_response(h: dict[str, Any]) -> dict[str, Any]:
    return {
        "decision": "handoff",
        "handoff_id": h["handoff_id"],
        "reasons": h["reasons"],
        "category": h["category"],
        "team": h["team"],
        "agent": (h.get("route") or {}).get("agent_name") or h["agent"],
        "priority": h["priority"],
        "customer_message": h["customer_message"],
        "expected_wait_seconds": (h.get("route") or {}).get("expected_wait_seconds"),
        "queue_position": (h.get("route") or {}).get("queue_position"),
        "callback_at": h["callback_at"],
    }


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)  # no offset given: UTC


def turn_from_body(body: dict[str, Any]) -> TurnInput:
    """Convert a validated API body (a plain dict) into a TurnInput."""
    cust = body.get("customer")
    return TurnInput(
        role=body["role"],
        text=body["text"],
        message_id=body.get("message_id"),
        sent_at=_aware(body.get("sent_at")) if isinstance(body.get("sent_at"), datetime) else parse_time(body.get("sent_at"), "sent_at"),
        confidence=body.get("confidence"),
        page_url=body.get("page_url"),
        kb_articles=tuple(
            KBArticle(id=k, title="") if isinstance(k, str) else KBArticle(id=str(k["id"]), title=k.get("title") or "", url=k.get("url"))
            for k in body.get("kb_articles") or []
        ),
        ai_actions=tuple(body.get("ai_actions") or ()),
        customer=Customer(**{k: cust.get(k) for k in ("email", "name", "external_id", "language", "timezone")}) if cust else None,
        channel=body.get("channel"),
    )
