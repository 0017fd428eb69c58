"""The tables. Changing one means writing an Alembic migration in handoff/storage/migrations/versions."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


# 64-bit ids on PostgreSQL; SQLite only autoincrements a column declared INTEGER
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes stored as UTC and read back as aware UTC, on every database.

    SQLite keeps no time zone: without this, 09:00 New York and 12:59 UTC would compare as text.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Store an aware datetime as naive UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: the store takes aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        """Read a stored datetime back as aware UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of every table."""

    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime()}


class ConversationRow(Base):
    """A conversation and the decision engine's state after its last message."""

    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_customer_email", "customer_email"),)
    id: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(64))
    customer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # email_key(customer["email"]) (handoff.storage.keys): erasure finds the customer exactly, by index
    customer_email: Mapped[str | None] = mapped_column(String(320))
    page_url: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict)
    message_count: Mapped[int] = mapped_column(Integer, default=0)
    # optimistic concurrency: two turns of one conversation racing cannot both win
    version: Mapped[int] = mapped_column(Integer, default=0)
    handoff_id: Mapped[str | None] = mapped_column(String(40))
    # set when the conversation lives in a Zendesk ticket (webhook flow): the handoff updates that ticket
    zendesk_ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    csat: Mapped[str | None] = mapped_column(String(16))  # satisfaction of a conversation the AI kept
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MessageRow(Base):
    """One stored turn, with the response it got (so a repeated message_id gets the same answer)."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "idx", name="uq_messages_conversation_idx"),
        UniqueConstraint("conversation_id", "message_id", name="uq_messages_conversation_message_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    idx: Mapped[int] = mapped_column(Integer)
    message_id: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime | None]
    received_at: Mapped[datetime]
    confidence: Mapped[float | None] = mapped_column(Float)
    page_url: Mapped[str | None] = mapped_column(Text)
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    response: Mapped[dict[str, Any]] = mapped_column(default=dict)


class HandoffRow(Base):
    """A handoff: the decision, its briefing, its route and where it stands."""

    __tablename__ = "handoffs"
    __table_args__ = (
        Index("ix_handoffs_status_team", "status", "team"),
        Index("ix_handoffs_zendesk_ticket", "zendesk_ticket_id"),
        Index("ix_handoffs_callback", "status", "callback_at"),
        Index("ix_handoffs_customer_email", "customer_email"),
        Index("ix_handoffs_conversation", "conversation_id"),
        Index("ix_handoffs_offered", "status", "offered_at"),
    )
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    # not unique: a released handoff stays, and the conversation may be handed off again later
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(16))  # api | bot_request | zendesk
    # open | claimed | solved | callback_scheduled | released (handoff.core.handoff_status)
    status: Mapped[str] = mapped_column(String(24))
    message_index: Mapped[int | None] = mapped_column(Integer)
    category: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    team: Mapped[str] = mapped_column(String(64))
    agent: Mapped[str | None] = mapped_column(String(64))
    route: Mapped[dict[str, Any]] = mapped_column(default=dict)
    briefing: Mapped[dict[str, Any]] = mapped_column(default=dict)
    customer_message: Mapped[str] = mapped_column(Text, default="")
    callback_at: Mapped[datetime | None]
    zendesk_ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_email: Mapped[str | None] = mapped_column(String(320))  # email_key() of the customer's address
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    first_response_at: Mapped[datetime | None]
    solved_at: Mapped[datetime | None]
    sla_reminded_at: Mapped[datetime | None]
    callback_fired_at: Mapped[datetime | None]
    reassigned: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    unnecessary: Mapped[bool] = mapped_column(default=False, server_default=false())
    csat: Mapped[str | None] = mapped_column(String(16))  # good | bad (Zendesk satisfaction)
    alert_channel: Mapped[str | None] = mapped_column(String(64))
    alert_ts: Mapped[str | None] = mapped_column(String(32))
    # the agent it waits for was offered it then; agents offered it so far, in order; re-offers made
    offered_at: Mapped[datetime | None]
    offered_to: Mapped[list[Any] | None] = mapped_column(JSON)
    reoffers: Mapped[int] = mapped_column(Integer, server_default="0")  # no Python default: older revisions lack it
    released_at: Mapped[datetime | None]
    released_via: Mapped[str | None] = mapped_column(String(16))  # api | slack | zendesk_app | zendesk_solved
    rehandoff_of: Mapped[str | None] = mapped_column(String(40))  # the handoff this one continues (within the window)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class HandoffEventRow(Base):
    """Something that happened to a handoff (claimed, solved, rated...): what quality metrics read."""

    __tablename__ = "handoff_events"
    __table_args__ = (Index("ix_handoff_events_handoff", "handoff_id", "at"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str | None] = mapped_column(String(128))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    at: Mapped[datetime]


class InboundEventRow(Base):
    """A webhook call accepted and waiting to be processed; its key makes repeats harmless."""

    __tablename__ = "inbound_events"
    __table_args__ = (
        UniqueConstraint("source", "event_key", name="uq_inbound_events_key"),
        Index("ix_inbound_events_due", "status", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))
    event_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(16))  # pending | processing | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime]
    processed_at: Mapped[datetime | None]


class DeliveryRow(Base):
    """One write to the outside world, recorded before it is attempted."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_deliveries_dedupe_key"),
        Index("ix_deliveries_due", "status", "next_attempt_at"),
        Index("ix_deliveries_handoff", "handoff_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    # zendesk_ticket | zendesk_update | zendesk_comment | slack_alert | slack_update | slack_message | slack_reply
    kind: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(16))  # zendesk | slack | local
    # one row per intended write: "<handoff>:zendesk_ticket", "<handoff>:claimed:<agent>", ...
    dedupe_key: Mapped[str] = mapped_column(String(200))
    # pending | sending | sent | dead | cancelled (by an erasure: terminal, never sent after)
    status: Mapped[str] = mapped_column(String(16))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    lease_until: Mapped[datetime | None]
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AgentStatusRow(Base):
    """An agent's availability as last set (Slack `/handoff available|away`, claims)."""

    __tablename__ = "agent_status"
    agent: Mapped[str] = mapped_column(String(64), primary_key=True)
    available: Mapped[bool]
    updated_at: Mapped[datetime]


class JobRunRow(Base):
    """One run of a once-per-period job (the weekly digest); the key makes it run once across processes."""

    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "period", name="uq_job_runs_job_period"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    period: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # running | done | failed
    owner: Mapped[str | None] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(default=dict)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class SeenSignatureRow(Base):
    """A signed webhook request we accepted, kept for twice the signature window so a replay is refused."""

    __tablename__ = "seen_signatures"
    __table_args__ = (
        UniqueConstraint("source", "signature_hash", name="uq_seen_signatures_hash"),
        Index("ix_seen_signatures_seen_at", "seen_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))  # zendesk | slack
    signature_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the verified signature's bytes
    seen_at: Mapped[datetime]


class CustomerUpdateRow(Base):
    """Something the customer is told while a human is on the way: place in line, alternatives, the agent's intro.

    The key makes each update once only, however many processes decide it is due (jobs/waiting.py).
    """

    __tablename__ = "customer_updates"
    __table_args__ = (
        UniqueConstraint("dedupe_key", name="uq_customer_updates_dedupe_key"),
        Index("ix_customer_updates_conversation", "conversation_id", "created_at"),
        Index("ix_customer_updates_handoff", "handoff_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    handoff_id: Mapped[str] = mapped_column(ForeignKey("handoffs.id", ondelete="CASCADE"))
    conversation_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(32))  # waiting | alternatives | choice_confirmed | warm_intro
    # "<handoff>:waiting:<n>", "<handoff>:alternatives", "<handoff>:choice:<choice>", "<handoff>:warm_intro:<agent>"
    dedupe_key: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(16))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)  # queue_position, expected_wait_seconds, choices...
    created_at: Mapped[datetime]


class PastCaseRow(Base):
    """A resolved case the similar-cases index is built from: a solved handoff, or a ticket of a Zendesk export.

    Texts are masked for a ticket and clipped before they are stored (handoff.core.similar.cases). One row per
    (source, ref): indexing the same export again changes nothing. `revision` rises on every change, so a
    process sees that its index is stale from the count and the sum of revisions alone.
    """

    __tablename__ = "past_cases"
    __table_args__ = (
        UniqueConstraint("source", "ref", name="uq_past_cases_source_ref"),
        Index("ix_past_cases_conversation", "conversation_id"),
        Index("ix_past_cases_customer_email", "customer_email"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    source: Mapped[str] = mapped_column(String(16))  # handoff | zendesk
    ref: Mapped[str] = mapped_column(String(64))  # the handoff id or the Zendesk ticket id
    conversation_id: Mapped[str | None] = mapped_column(String(128))
    customer_email: Mapped[str | None] = mapped_column(String(320))  # email_key() of whose words these are
    text: Mapped[str] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    topic: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str | None] = mapped_column(String(64))
    page: Mapped[str | None] = mapped_column(Text)
    resolution: Mapped[str] = mapped_column(Text)
    tags: Mapped[list[Any]] = mapped_column(default=list)
    resolved_in_seconds: Mapped[float | None] = mapped_column(Float)
    resolved_at: Mapped[datetime | None]
    revision: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[datetime]
