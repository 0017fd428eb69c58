"""What a briefing is: its settings and the typed objects the renderers read."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal
from pydantic import AliasChoices, BaseModel, ConfigDict, Field
from handoff.core.models import AccountContext, Customer, KBArticle, Message, Reason, SourceResult
from handoff.core.similar.models import SimilarCase


KNOWN_SOURCES: tuple[str, ...] = ("stripe", "hubspot", "zendesk")


LANGUAGES: tuple[str, ...] = ("en", "es", "fr", "de", "pt")


class _ChatModelSettings(BaseModel):
    """Where an optional OpenAI-compatible model is (off by default); each use sets its own budgets."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = False
    url: str = "https://api.openai.com/v1"
    model: str = "gpt-4o-mini"


class SummariserSettings(_ChatModelSettings):
    """The optional LLM summariser (`[briefing.summariser]`); the key is HANDOFF_SUMMARISER_API_KEY."""

    timeout_seconds: float = Field(8.0, gt=0, le=120)
    max_tokens: int = Field(120, ge=16, le=2000)
    max_transcript_chars: int = Field(12000, ge=500, le=200_000)


class ReplyDrafterSettings(_ChatModelSettings):
    """The optional LLM drafter of suggested replies (`[briefing.replies]`); the key is HANDOFF_REPLIES_API_KEY."""

    timeout_seconds: float = Field(4.0, gt=0, le=60)
    max_tokens: int = Field(300, ge=32, le=2000)
    max_transcript_chars: int = Field(6000, ge=500, le=100_000)


class BriefingSettings(BaseModel):
    """How briefings are built and rendered (the `[briefing]` table of settings.toml)."""

    model_config = ConfigDict(extra="forbid")
    summary_max_chars: int = Field(200, ge=60, le=1000)
    excerpt_chars: int = Field(200, ge=40, le=2000)
    evidence_chars: int = Field(160, ge=40, le=2000)
    # The last messages a handoff carries (stored briefing, Zendesk note); the rest are counted and linked.
    # `note_transcript_max_messages` is its former name, still read.
    transcript_messages: int = Field(
        20, ge=1, le=500, validation_alias=AliasChoices("transcript_messages", "note_transcript_max_messages")
    )
    # The last AI replies listed under "What the AI tried"; the earlier ones are counted.
    ai_attempts: int = Field(5, ge=1, le=50)
    note_message_chars: int = Field(1500, ge=100, le=20_000)
    slack_transcript_messages: int = Field(4, ge=0, le=20)
    slack_message_chars: int = Field(200, ge=40, le=1000)
    # Per category, replaces the built-in recommended action (plain text).
    actions: dict[str, str] = {}
    # Per language code, replaces the built-in greeting; may use {first_name} and {issue}.
    greetings: dict[str, str] = {}
    summariser: SummariserSettings = SummariserSettings()
    replies: ReplyDrafterSettings = ReplyDrafterSettings()


@dataclass(frozen=True)
class AIAttempt:
    """One AI reply: what it said (an excerpt), how sure it was, what it used and did."""

    message_index: int
    excerpt: str
    confidence: float | None = None
    kb_articles: tuple[KBArticle, ...] = ()
    actions: tuple[str, ...] = ()
    # The whole reply, for renderers that mask before they cut; not part of the JSON form.
    full_text: str = field(default="", compare=False, repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "message_index": self.message_index,
            "text": self.excerpt,
            "confidence": self.confidence,
            "kb_articles": [_kb_dict(a) for a in self.kb_articles],
            "actions": list(self.actions),
        }


@dataclass(frozen=True)
class AccountFact:
    """One labelled account fact for the renderers, e.g. ("stripe", "MRR", "$499.00/month")."""

    source: str
    label: str
    value: str

    def as_dict(self) -> dict[str, str]:
        """JSON form."""
        return {"source": self.source, "label": self.label, "value": self.value}


@dataclass(frozen=True)
class Briefing:
    """Everything an agent needs to take over without making the customer repeat themselves."""

    conversation_id: str
    summary: str
    category: str | None
    intent: str | None
    priority: str
    sentiment_now: float | None
    trajectory: str
    sentiment_history: tuple[float, ...]  # of the customer messages among the transcript's
    page_url: str | None
    page_label: str | None
    ai_attempts: tuple[AIAttempt, ...]
    ai_confidence: Mapping[str, float | None]
    kb_articles: tuple[KBArticle, ...]
    account: AccountContext
    account_facts: tuple[AccountFact, ...]
    open_tickets: tuple[Mapping[str, Any], ...]
    recommended_action: str
    greeting: str
    reasons: tuple[Reason, ...]
    # The last `transcript_messages` messages (all of them in a short conversation) ...
    transcript: tuple[Message, ...]
    customer: Customer
    summary_source: Literal["extractive", "llm"] = "extractive"
    extractive_summary: str = ""
    # ... of this many in the conversation; likewise the last `ai_attempts` AI replies of this many.
    transcript_total: int = 0
    ai_attempts_total: int = 0
    topic: str | None = None  # what the case is about (routing): billing, technical, account_access...
    language: str | None = None  # the customer's language, given or detected
    similar: tuple[SimilarCase, ...] = ()  # the earlier cases most like this one, and how each was resolved
    # Two or three next replies the agent may send (never sent by the service), and who wrote them.
    suggested_replies: tuple[str, ...] = ()
    suggested_replies_source: Literal["rules", "llm"] = "rules"
    # The settings it was built with, so renderers honour the same limits without extra wiring.
    settings: BriefingSettings = field(default_factory=lambda: BriefingSettings(), compare=False, repr=False)

    def with_summary(self, text: str) -> "Briefing":
        """The same briefing with a summary written by the LLM summariser."""
        return replace(self, summary=text, summary_source="llm")

    def with_replies(self, replies: Sequence[str]) -> "Briefing":
        """The same briefing with suggested replies drafted by the LLM."""
        return replace(self, suggested_replies=tuple(replies), suggested_replies_source="llm")

    def account_dict(self) -> dict[str, Any]:
        """`briefing.account`: each source's facts or why it is unavailable, plus the signals."""
        return account_json(self.account)

    def as_dict(self) -> dict[str, Any]:
        """JSON form shown under `briefing` by the API and `simulate --json`."""
        return {
            "conversation_id": self.conversation_id,
            "summary": self.summary,
            "summary_source": self.summary_source,
            "category": self.category,
            "topic": self.topic,
            "language": self.language,
            "intent": self.intent,
            "priority": self.priority,
            "sentiment": {
                "now": self.sentiment_now,
                "trajectory": self.trajectory,
                "history": list(self.sentiment_history),
            },
            "page_url": self.page_url,
            "page": self.page_label,
            "ai_attempts": [a.as_dict() for a in self.ai_attempts],
            "ai_attempts_total": self.ai_attempts_total,
            "ai_confidence": dict(self.ai_confidence),
            "kb_articles": [_kb_dict(a) for a in self.kb_articles],
            "account": self.account_dict(),
            "account_facts": [f.as_dict() for f in self.account_facts],
            "open_tickets": [dict(t) for t in self.open_tickets],
            "recommended_action": self.recommended_action,
            "greeting": self.greeting,
            "suggested_replies": list(self.suggested_replies),
            "suggested_replies_source": self.suggested_replies_source,
            "reasons": [r.as_dict() for r in self.reasons],
            "transcript": transcript_json(self.transcript),
            "transcript_total": self.transcript_total,
            "similar": [c.as_dict() for c in self.similar],
            "customer": {
                "name": self.customer.name,
                "email": self.customer.email,
                "language": self.customer.language,
            },
        }


def account_json(account: AccountContext) -> dict[str, Any]:
    """`briefing.account`: each source's facts or why it is unavailable, plus the signals."""
    out: dict[str, Any] = {}
    for name in KNOWN_SOURCES:
        out[name] = source_result(account, name).as_dict()
    for s in account.sources:
        if s.source not in out:
            out[s.source] = s.as_dict()
    sig = account.signals
    out["tier"] = sig.tier
    out["churn_risk"] = sig.churn_risk
    has_owner = sig.owner_name or sig.owner_email
    out["owner"] = {"name": sig.owner_name, "email": sig.owner_email} if has_owner else None
    return out


def transcript_json(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Messages in the JSON form of `briefing.transcript` (and of the API's full transcript)."""
    return [
        {"index": m.index, "role": m.role, "text": m.text, "sent_at": m.sent_at.isoformat() if m.sent_at else None}
        for m in messages
    ]


def bounded_briefing_json(data: Mapping[str, Any] | None, settings: BriefingSettings) -> dict[str, Any]:
    """A stored briefing as it is shown: one stored before briefings were bounded (the whole transcript
    and every AI reply inside) gets the last `transcript_messages` and `ai_attempts` of them and their totals."""
    out = dict(data or {})
    for key, total, keep in (("transcript", "transcript_total", settings.transcript_messages),
                             ("ai_attempts", "ai_attempts_total", settings.ai_attempts)):
        items = out.get(key)
        if isinstance(items, list) and total not in out:
            out[key], out[total] = items[-keep:], len(items)
    return out


def _kb_dict(a: KBArticle) -> dict[str, Any]:
    return {"id": a.id, "title": a.title, "url": a.url}


def source_result(account: AccountContext, name: str) -> SourceResult:
    """One enrichment source's result in the account context, or a not-configured stand-in."""
    found = account.source(name)
    if found is not None:
        return found
    return SourceResult(name, "not_configured", reason="no result from this source")
