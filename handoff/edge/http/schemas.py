"""The `/v1` request and answer bodies: what a bot may send, checked field by field before anything runs.

Unknown fields are refused (422 naming the field): a misspelt `confidance` silently ignored would make
the AI look certain of nothing, and nobody would notice.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from handoff.core.route.hours import load_zone

ConversationId = Annotated[
    str, Path(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$",
              description="Your id of the conversation (letters, digits, . _ : @ -)")
]

SENT_AT_YEARS = (2000, 2100)  # outside these a `sent_at` is a bug or an attack, not a conversation's time
# A `sent_at` further ahead of this server's clock than this is a wrong clock or a wrong field, not a
# message: a day covers any time zone mistake's opposite (an offset left off is refused anyway) and
# ordinary clock skew.
SENT_AT_MAX_AHEAD = timedelta(hours=24)
WEB_URL = r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+\S*$"  # the schema's half of the check; _web_url does the rest
SunshineConversationId = Annotated[str | None, Field(
    min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
    description="The conversation lives in Zendesk messaging: its Sunshine Conversations conversation id (the "
                "`conversation.id` of the webhook your bot receives). A handoff then passes the conversation to the "
                "agent workspace through the Switchboard, and a release gives it back; send it on every turn (the "
                "latest one sent is used)")]


def _web_url(v: str | None) -> str | None:
    """An absolute http(s) URL with a host, or a ValueError."""
    if v is None:
        return v
    try:
        parts = urlsplit(v)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in v):
        raise ValueError("must be an absolute http(s) URL, e.g. https://app.example.com/settings/billing")
    return v


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CustomerIn(_Body):
    """Who the customer is (all optional)."""

    email: str | None = Field(None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")
    name: str | None = Field(None, max_length=200)
    external_id: str | None = Field(None, max_length=200)
    language: str | None = Field(None, max_length=16, pattern=r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")
    timezone: str | None = Field(None, max_length=64)

    @field_validator("timezone")
    @classmethod
    def _tz(cls, v: str | None) -> str | None:
        if v is not None:
            load_zone(v)
        return v


class KBArticleIn(_Body):
    """A knowledge-base article used by the AI."""

    id: str = Field(min_length=1, max_length=200)
    title: str = Field("", max_length=500)
    url: str | None = Field(None, max_length=2048, pattern=WEB_URL)

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        return _web_url(v)


class MessageIn(_Body):
    """One turn posted by the bot."""

    role: Literal["customer", "ai"]
    text: str = Field(min_length=1, max_length=32_000)
    message_id: str | None = Field(None, min_length=1, max_length=128,
                                   description="Your id of this message, unique in the conversation: a repeat with "
                                               "the same role and text gets the stored answer, with other content 409")
    sent_at: datetime | None = Field(None, description="ISO-8601 with an offset (Z or +hh:mm), years 2000-2100, "
                                                       "at most 24 hours ahead of the server's clock")
    confidence: float | None = Field(None, ge=0, le=1, description="the AI's confidence in its reply (AI turns only)")
    page_url: str | None = Field(None, max_length=2048, pattern=WEB_URL,
                                 description="absolute http(s) URL of the customer's page")
    kb_articles: list[KBArticleIn | Annotated[str, Field(max_length=200)]] = Field(default_factory=list, max_length=50)
    ai_actions: list[Annotated[str, Field(max_length=500)]] = Field(default_factory=list, max_length=50)
    customer: CustomerIn | None = None
    channel: str | None = Field(None, max_length=64)
    sunshine_conversation_id: SunshineConversationId = None

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text must not be blank")
        return v

    @field_validator("confidence")
    @classmethod
    def _ai_only(cls, v: float | None, info: ValidationInfo) -> float | None:
        # a customer's message has no confidence: sent on one, it is a bot bug that would feed the trigger
        if v is not None and info.data.get("role") == "customer":
            raise ValueError("only AI turns carry a confidence (role is customer)")
        return v

    @field_validator("page_url")
    @classmethod
    def _page(cls, v: str | None) -> str | None:
        return _web_url(v)

    @field_validator("sent_at")
    @classmethod
    def _plausible(cls, v: datetime | None) -> datetime | None:
        if v is None:
            return v
        if v.tzinfo is None or v.utcoffset() is None:
            raise ValueError("must carry a UTC offset (Z or +hh:mm), e.g. 2026-03-02T10:00:00Z")
        try:  # an extreme offset can push it past year 1 or 9999
            utc = v.astimezone(UTC)
        except (OverflowError, ValueError):
            utc = None
        if utc is None or not SENT_AT_YEARS[0] <= utc.year <= SENT_AT_YEARS[1]:
            raise ValueError(f"must be a time in the years {SENT_AT_YEARS[0]}-{SENT_AT_YEARS[1]}")
        if utc > datetime.now(UTC) + SENT_AT_MAX_AHEAD:
            raise ValueError("is more than 24 hours ahead of the server's clock")
        return v


class HandoffRequestIn(_Body):
    """The bot asks for a human itself."""

    reason: str | None = Field(None, max_length=2000)
    customer: CustomerIn | None = None
    sunshine_conversation_id: SunshineConversationId = None


class Reason(BaseModel):
    """Why a trigger fired."""

    trigger: str
    message_index: int
    evidence: str


class DecisionOut(BaseModel):
    """The answer to a turn: continue, or hand off (then with who, when and what to tell the customer)."""

    model_config = ConfigDict(extra="allow")
    decision: Literal["continue", "handoff"]
    message_index: int | None = None
    handoff_id: str | None = None
    reasons: list[Reason] | None = None
    category: str | None = None
    team: str | None = None
    priority: str | None = None
    customer_message: str | None = None
    expected_wait_seconds: int | None = None
    queue_position: int | None = None
    callback_at: str | None = None
    owner: Literal["ai", "human"] = Field(description="who answers the customer; `human`: the bot stays quiet")
    status: str | None = Field(None, description="with a human: queued | assigned | claimed | "
                                                 "callback_scheduled | solved | released")


class ReleaseIn(_Body):
    """Why the conversation goes back to the AI (optional; kept in the handoff's events and notes)."""

    reason: str | None = Field(None, max_length=500)


class ChoiceIn(_Body):
    """What a waiting customer chose when offered alternatives."""

    choice: Literal["callback", "email", "keep_waiting"]


class OfferedChoice(BaseModel):
    """One of the alternatives, as the customer may be shown it."""

    choice: str
    label: str


class UpdateOut(BaseModel):
    """The latest update told to the customer while a human is on the way."""

    kind: str = Field(description="waiting | alternatives | choice_confirmed | warm_intro")
    text: str
    language: str
    at: str
    choices: list[OfferedChoice] = []
    callback_at: str | None = None


class ChoiceOut(BaseModel):
    """The choice recorded (`changed` false: the same choice was already recorded)."""

    handoff_id: str
    conversation_id: str
    choice: str
    changed: bool
    owner: Literal["ai", "human"]
    status: str
    callback_at: str | None = None
    update: UpdateOut | None = None


class ConversationOut(BaseModel):
    """Who owns a conversation and, with a human, where the handoff stands."""

    conversation_id: str
    message_count: int
    owner: Literal["ai", "human"]
    status: str | None = None
    handoff_id: str | None = None
    agent: str | None = None
    team: str | None = None
    queue_position: int | None = None
    expected_wait_seconds: int | None = None
    callback_at: str | None = None
    customer_message: str | None = Field(None, description="the latest message meant for the customer")
    update: UpdateOut | None = Field(None, description="the latest update told to the waiting customer")


class AccountFactOut(BaseModel):
    """One account fact as the briefing shows it."""

    source: str
    label: str
    value: str


class RefreshOut(BaseModel):
    """A refresh of a handoff's account facts: what changed, the facts now; a ticket note is queued."""

    handoff_id: str
    refreshed_at: str
    number: int = Field(description="1 for the handoff's first refresh")
    changes: list[str]
    account_facts: list[AccountFactOut]
