"""The turn store: the hot path's SQL, the rows it reads and writes, and a handoff's transcript.

A routine turn is two round trips on PostgreSQL (one read, one statement that writes the conversation and
its message) and an optimistic version check everywhere: a write that finds the conversation changed
raises Conflict and stores nothing, and the turn service decides again on the new row.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Engine, Table, and_, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.functions import coalesce

from handoff.core.brief import BriefingSettings, texts_needed, transcript_json
from handoff.core.models import Customer, KBArticle, Message
from handoff.storage.keys import email_key
from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffEventRow, HandoffRow, MessageRow

# The hot path's statements, built once with bind parameters: SQLAlchemy then reuses the compiled form,
# where statements built per call with values inlined cost more CPU to cache-key than the round trip.
_CONVERSATIONS = cast(Table, ConversationRow.__table__)
_LOAD = select(_CONVERSATIONS).where(_CONVERSATIONS.c.id == bindparam("p_cid"))
# The repeated message (if any) joined in: its role and text come back only on a repeat, so a routine turn
# reads nothing more, and a repeat can be told from a reused message_id without a second round trip.
_REPEATED = MessageRow.__table__.alias("repeated")
_LOAD_WITH_REPEAT = select(
    _CONVERSATIONS, _REPEATED.c.response.label("stored_response"), _REPEATED.c.role.label("stored_role"),
    _REPEATED.c.text.label("stored_text"),
).select_from(_CONVERSATIONS.outerjoin(_REPEATED, and_(
    _REPEATED.c.conversation_id == _CONVERSATIONS.c.id, _REPEATED.c.message_id == bindparam("p_mid"),
))).where(_CONVERSATIONS.c.id == bindparam("p_cid"))
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
_INSERT_MESSAGE = insert(cast(Table, MessageRow.__table__))
# What a turn of a conversation already with a human answers with: a few columns, never the briefing.
_HANDOFFS = cast(Table, HandoffRow.__table__)
_ANSWER = select(
    _HANDOFFS.c.id, _HANDOFFS.c.reasons, _HANDOFFS.c.category, _HANDOFFS.c.team, _HANDOFFS.c.agent,
    _HANDOFFS.c.route, _HANDOFFS.c.priority, _HANDOFFS.c.customer_message, _HANDOFFS.c.callback_at,
    _HANDOFFS.c.status, _HANDOFFS.c.claimed_by, _HANDOFFS.c.zendesk_ticket_id, _HANDOFFS.c.updated_at,
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
_MESSAGES = cast(Table, MessageRow.__table__)
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


class Conflict(Exception):
    """Another turn of the same conversation committed first."""


class MessageIdReused(ValueError):
    """A message_id already stored in the conversation came again with another role or text."""


@dataclass(frozen=True)
class TurnWrite:
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
    deliveries: tuple[DeliveryRow, ...] = ()  # stored with the message (a handed-off turn's forwarding)
    messaging_id: str | None = None  # the turn's Sunshine conversation (Zendesk messaging), kept with the message


CUSTOMER_FIELDS = tuple(f.name for f in fields(Customer))
MESSAGING_KEY = "sunshine_conversation_id"  # in a message's `extra`: the conversation lives in Zendesk messaging
KB_FIELDS = tuple(f.name for f in fields(KBArticle))


def flat(obj: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes of `obj` as a dict, values as they are."""
    # dataclasses.asdict deep-copies each value: ten times the cost, per turn, for fields that are strings
    return {n: getattr(obj, n) for n in names}


def conversation_params(cid: str, turn: "TurnWrite", now: datetime, handoff_id: str | None) -> dict[str, Any]:
    """The bind parameters of the conversation's side of a turn's write (_UPDATE_CONVERSATION's names)."""
    return {
        "p_cid": cid, "p_now": now, "p_ticket": turn.ticket_id, "p_customer": flat(turn.customer, CUSTOMER_FIELDS),
        "p_page": turn.page_url, "p_state": turn.state, "p_count": turn.message.index + 1,
        "p_channel": turn.channel or None, "p_handoff": handoff_id, "p_email": email_key(turn.customer.email),
    }


def message_values(turn: "TurnWrite", now: datetime) -> dict[str, Any]:
    """The stored message row of a turn (without its conversation id)."""
    m = turn.message
    extra: dict[str, Any] = {"kb_articles": [flat(k, KB_FIELDS) for k in m.kb_articles], "ai_actions": list(m.ai_actions)}
    if turn.messaging_id:
        extra[MESSAGING_KEY] = turn.messaging_id
    return {
        "idx": m.index, "message_id": m.message_id, "role": m.role, "text": m.text, "sent_at": m.sent_at,
        "received_at": now, "confidence": m.confidence, "page_url": m.page_url,
        "extra": extra,
        "response": turn.response,
    }


def customer_from_json(data: dict[str, Any] | None) -> Customer:
    """Rebuild a Customer stored as JSON."""
    data = data or {}
    return Customer(**{k: data.get(k) for k in CUSTOMER_FIELDS})


def merge_customer(old: Customer, new: Customer | None) -> Customer:
    """The customer as now known: what the new turn says, else what was stored."""
    if new is None:
        return old
    return Customer(**{k: getattr(new, k) or getattr(old, k) for k in CUSTOMER_FIELDS})


def message_from_row(row: Any, text: str | None = None) -> Message:
    """Rebuild a Message from its stored row (or its metadata columns and `text`)."""
    extra = row.extra or {}
    return Message(
        role=row.role,
        text=row.text if text is None else text,
        index=row.idx,
        sent_at=row.sent_at,
        confidence=row.confidence,
        page_url=row.page_url,
        kb_articles=tuple(KBArticle(**k) for k in extra.get("kb_articles", [])),
        ai_actions=tuple(extra.get("ai_actions", [])),
        message_id=row.message_id,
    )


SUMMARY_LINE_CHARS = 1000  # the summariser quotes at most this much of each message


def tail_within(lengths: list[int], budget: int) -> int:
    """How many of the last messages (by text length, oldest first) the summariser may read within `budget`
    characters: those that fit and the one that does not (so the summariser sees where it cut)."""
    used = 0
    for n, length in enumerate(reversed(lengths), start=1):
        used += min(length, SUMMARY_LINE_CHARS) + 1
        if used > budget:
            return n
    return len(lengths)


class TurnStore:
    """Reads and writes of turns and handoffs, in the sessions' database."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions
        bind = sessions.kw.get("bind")
        # PostgreSQL runs a routine turn without an explicit transaction (see _UPDATE_WITH_MESSAGE); it
        # shares the sessions' pool
        self.autocommit: Engine | None = (bind.execution_options(isolation_level="AUTOCOMMIT")
                                          if bind is not None and bind.dialect.name == "postgresql" else None)

    def load(self, cid: str, message_id: str | None) -> tuple[ConversationRow | None, dict[str, Any] | None]:
        """The conversation (ORM row) and, for a repeated message_id, the answer stored for it."""
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
    def load_in(conn: Connection, cid: str, message_id: str | None,
                content: tuple[str, str] | None = None) -> tuple[Any, dict[str, Any] | None]:
        """The conversation's row (read-only, columns as attributes) and, for a repeated message_id, its answer.

        One round trip; Core rows, because the ORM's identity map costs CPU the hot path does not need.
        With `content` (role, text), a repeat must carry the stored message's role and text, else
        MessageIdReused: a new message under an old id would otherwise get the old answer and be lost.
        """
        if message_id is None:
            return conn.execute(_LOAD, {"p_cid": cid}).first(), None
        row = conn.execute(_LOAD_WITH_REPEAT, {"p_cid": cid, "p_mid": message_id}).first()
        if row is None:  # messages belong to a stored conversation: no conversation, no repeat
            return None, None
        if row.stored_role is None:
            return row, None
        if content is None:
            return None, row.stored_response
        if not row.stored_response:  # erased (handoff.app.erasure): the answer and the text are gone
            raise MessageIdReused(f"message_id {message_id!r} belongs to a message whose data was erased; "
                                  "send this turn with a new message_id")
        if (row.stored_role, row.stored_text) != content:
            raise MessageIdReused(f"message_id {message_id!r} was already used in this conversation for a "
                                  "different message; give each new message its own message_id")
        return None, row.stored_response

    @staticmethod
    def recent_customer_texts(conn: Connection, cid: str, n: int) -> tuple[str, ...]:
        """The conversation's last `n` customer messages, oldest first."""
        if n <= 0:
            return ()
        texts = conn.execute(select(MessageRow.text).where(
            MessageRow.conversation_id == cid, MessageRow.role == "customer").order_by(MessageRow.idx.desc()).limit(n)
        ).scalars().all()
        return tuple(reversed(texts))

    @staticmethod
    def messaging_conversation(conn: Connection, cid: str) -> str | None:
        """The Sunshine conversation id the conversation's latest turn that carried one gave (handoffs only)."""
        carried = MessageRow.extra[MESSAGING_KEY].as_string()
        return conn.execute(select(carried).where(MessageRow.conversation_id == cid, carried.is_not(None))
                            .order_by(MessageRow.idx.desc()).limit(1)).scalar()

    @staticmethod
    def answer_row(conn: Connection, handoff_id: str) -> Any:
        """The few columns a turn of a conversation already with a human answers with (never the briefing)."""
        return conn.execute(_ANSWER, {"p_hid": handoff_id}).first()

    def handoff_messages(self, cid: str, briefing: BriefingSettings, summary_budget: int) -> tuple[Message, ...]:
        """The conversation's messages for packaging a handoff: every message's metadata, but the text only
        of those the briefing shows (and the summariser reads, within `summary_budget` characters), so a
        45 MB conversation loads about what a short one does. The other messages come with an empty text."""
        with self.sessions() as s:
            columns = (*_MESSAGE_META, func.length(MessageRow.text)) if summary_budget else _MESSAGE_META
            rows = s.execute(select(*columns).where(MessageRow.conversation_id == cid).order_by(MessageRow.idx)).all()
            wanted = texts_needed([r.role for r in rows], briefing)
            if summary_budget:
                wanted.update(range(len(rows) - tail_within([r[-1] or 0 for r in rows], summary_budget), len(rows)))
            idxs = sorted(rows[i].idx for i in wanted)
            texts: dict[int, str] = {}
            for at in range(0, len(idxs), TEXT_BATCH):
                texts.update(s.execute(select(MessageRow.idx, MessageRow.text).where(
                    MessageRow.conversation_id == cid, MessageRow.idx.in_(idxs[at:at + TEXT_BATCH]))).all())
        return tuple(message_from_row(r, texts.get(r.idx, "")) for r in rows)

    @staticmethod
    def write_in_one_statement(conn: Connection, cid: str, turn: TurnWrite, now: datetime) -> None:
        """Store a routine turn on PostgreSQL: the conversation and its message in one atomic statement."""
        params = conversation_params(cid, turn, now, None)
        params.update({f"m_{k}": v for k, v in message_values(turn, now).items()})
        if turn.conv is None:
            statement = _CREATE_WITH_MESSAGE
        else:
            statement = _UPDATE_WITH_MESSAGE
            params["p_version"] = turn.conv.version
        try:
            stored = conn.execute(statement, params).first()
        except IntegrityError:
            raise Conflict() from None  # a concurrent first turn, or the same message_id: nothing was stored
        if stored is None:
            raise Conflict()  # another turn changed the conversation first: nothing was stored

    @staticmethod
    def _upsert_conversation(s: Session, cid: str, conv: ConversationRow | None, values: dict[str, Any],
                             now: datetime) -> None:
        if conv is None:
            s.add(ConversationRow(id=cid, created_at=now, updated_at=now, version=1, **values))
            s.flush()  # a concurrent first turn fails here on the primary key
            return
        res = s.execute(
            update(ConversationRow)
            .where(ConversationRow.id == cid, ConversationRow.version == conv.version)
            .values(version=conv.version + 1, updated_at=now, **values)
        )
        if res.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict()

    def commit(self, cid: str, turn: TurnWrite, now: datetime,
               handoff: tuple[HandoffRow, Sequence[DeliveryRow | HandoffEventRow]] | None) -> None:
        """Store a turn (and the handoff it made, with its deliveries and events) in one transaction of its own."""
        with self.sessions() as s:
            self.write(s, cid, turn, now, handoff)

    def write(self, s: Session, cid: str, turn: TurnWrite, now: datetime,
              handoff: tuple[HandoffRow, Sequence[DeliveryRow | HandoffEventRow]] | None = None) -> None:
        """Store a turn (and its handoff) in `s` and commit; Conflict when the conversation changed meanwhile."""
        params = conversation_params(cid, turn, now, handoff[0].id if handoff is not None else None)
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
                    raise Conflict()
            conn.execute(_INSERT_MESSAGE, {"conversation_id": cid, **message_values(turn, now)})
            if turn.deliveries:
                s.add_all(turn.deliveries)
            if handoff is not None:
                s.add(handoff[0])
                s.flush()
                s.add_all(handoff[1])
            s.commit()
        except IntegrityError:
            s.rollback()
            raise Conflict() from None

    def commit_handoff_only(self, cid: str, conv: ConversationRow | None, customer: Customer, handoff: HandoffRow,
                            deliveries: Sequence[DeliveryRow | HandoffEventRow], now: datetime) -> None:
        """Store a handoff the bot asked for (no message of its own), marking the conversation handed off."""
        values: dict[str, Any] = {"customer": flat(customer, CUSTOMER_FIELDS),
                                  "customer_email": email_key(customer.email), "handoff_id": handoff.id}
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
                raise Conflict() from None


TRANSCRIPT_BATCH = 20  # messages read at a time for a transcript page, so it loads little more than it returns


def transcript_page(s: Session, cid: str, offset: int, limit: int) -> dict[str, Any]:
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
            "next_offset": last + 1 if more and last is not None else None}


