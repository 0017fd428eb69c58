"""Plain data shared by the core, the connectors and the service shell."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from handoff.core.account_facts import Facts, NoSuchCustomer, parse_facts

Role = Literal["customer", "ai", "agent"]
Priority = Literal["low", "normal", "high", "urgent"]
PRIORITIES: tuple[str, ...] = ("low", "normal", "high", "urgent")


@dataclass(frozen=True)
class Customer:
    """Who the customer is, as far as the bot knows."""

    email: str | None = None
    name: str | None = None
    external_id: str | None = None
    language: str | None = None
    timezone: str | None = None


@dataclass(frozen=True)
class KBArticle:
    """A knowledge-base article the AI used in a reply."""

    id: str
    title: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Message:
    """One turn of a conversation."""

    role: Role
    text: str
    index: int = 0
    sent_at: datetime | None = None
    confidence: float | None = None
    page_url: str | None = None
    kb_articles: tuple[KBArticle, ...] = ()
    ai_actions: tuple[str, ...] = ()
    message_id: str | None = None


@dataclass(frozen=True)
class Reason:
    """Why a trigger fired: which one, on which message, with the quoted evidence."""

    trigger: str
    message_index: int
    evidence: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON form used by the API and the CLI."""
        d: dict[str, Any] = {
            "trigger": self.trigger,
            "message_index": self.message_index,
            "evidence": self.evidence,
        }
        if self.detail:
            d["detail"] = self.detail
        return d


@dataclass(frozen=True)
class AccountSignals:
    """Account facts the decision and routing may use (tier, churn risk, owner)."""

    tier: str | None = None
    churn_risk: bool = False
    owner_email: str | None = None
    owner_name: str | None = None


@dataclass(frozen=True)
class Decision:
    """The outcome of evaluating one message."""

    handoff: bool
    reasons: tuple[Reason, ...] = ()
    category: str | None = None
    priority: Priority = "normal"
    sentiment: float | None = None  # compound score of the latest customer message, -1..1
    trajectory: str = "green"  # green | yellow | red
    topic: str | None = None  # billing | technical | account_access | cancellation | sales | general (routing)
    language: str | None = None  # the customer's language, given or detected


@dataclass(frozen=True)
class SourceResult:
    """What one enrichment source returned, or why it could not.

    `facts` is typed (handoff.core.account_facts); given as a JSON mapping (a stored briefing, a test), it is
    read into the source's facts type once, here.
    """

    source: str
    status: Literal["ok", "unavailable", "not_configured"]
    facts: Facts | None = None
    reason: str | None = None
    elapsed_ms: float | None = None

    def __post_init__(self) -> None:
        if isinstance(self.facts, Mapping):
            object.__setattr__(self, "facts", parse_facts(self.source, self.facts))
        elif self.facts is None and self.status == "ok":
            object.__setattr__(self, "facts", parse_facts(self.source, {}))

    @property
    def knows_customer(self) -> bool:
        """Whether the source answered and knows the customer."""
        return self.status == "ok" and self.facts is not None and not isinstance(self.facts, NoSuchCustomer)

    def as_dict(self) -> dict[str, Any]:
        """JSON form shown under `briefing.account`."""
        d: dict[str, Any] = {"status": self.status}
        if self.status == "ok":
            d["facts"] = self.facts.to_json() if self.facts is not None else {}
        else:
            d["reason"] = self.reason
        return d


@dataclass(frozen=True)
class AccountContext:
    """All enrichment results plus the derived account signals."""

    sources: tuple[SourceResult, ...] = ()
    signals: AccountSignals = AccountSignals()

    def source(self, name: str) -> SourceResult | None:
        """The result of one source by name."""
        for s in self.sources:
            if s.source == name:
                return s
        return None


@dataclass(frozen=True)
class Route:
    """Where a handoff goes and what the customer is told."""

    team: str
    agent: str | None = None  # agent id from settings
    agent_name: str | None = None
    queue_position: int | None = None
    expected_wait_seconds: int | None = None
    callback_at: datetime | None = None
    on_shift: bool = True
    fallback_reason: str | None = None
    zendesk_group_id: int | None = None
    zendesk_assignee_id: int | None = None
    slack_channel: str | None = None
    slack_user_id: str | None = None
    reasons: tuple[str, ...] = ()
    customer_message: str = ""
    priority: str | None = None  # routing's final priority (the decision's hint, raised by tier, sentiment...)

    def as_dict(self) -> dict[str, Any]:
        """JSON form used by the API and the CLI."""
        return {
            "team": self.team,
            "agent": self.agent,
            "agent_name": self.agent_name,
            "queue_position": self.queue_position,
            "expected_wait_seconds": self.expected_wait_seconds,
            "callback_at": self.callback_at.isoformat() if self.callback_at else None,
            "on_shift": self.on_shift,
            "fallback_reason": self.fallback_reason,
            "reasons": list(self.reasons),
            "priority": self.priority,
        }
