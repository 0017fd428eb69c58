"""The decision engine's state, carried from message to message (O(1) per message), and its context."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from handoff.core.models import AccountSignals

STATE_VERSION = 1


STRONG_TRIGGERS = (
    "explicit_request",
    "always_human",
    "negative_sentiment",
    "sentiment_drop",
    "frustration",
    "low_confidence",
    "loop_customer",
    "loop_ai",
    "learned_intent",
    "second_opinion",
)


WEAK_TRIGGERS = ("hedging", "length_jump", "complexity", "page_context", "negative_sentiment")


TRIGGERS = STRONG_TRIGGERS + ("hedging", "length_jump", "complexity", "account_tier", "churn_risk", "page_context")


@dataclass(frozen=True)
class DecisionContext:
    """Conversation-level facts that are not messages: page, channel and account signals."""

    page_url: str | None = None
    channel: str | None = None
    account: AccountSignals = AccountSignals()
    language: str | None = None  # the customer's language when the bot knows it; else it is detected


@dataclass
class DecisionState:
    """What the engine remembers between messages; small and JSON-serialisable."""

    version: int = STATE_VERSION
    messages_seen: int = 0
    customer_turns: int = 0
    handed_off: bool = False
    handoff_at: int | None = None
    reasons: list[dict[str, Any]] = field(default_factory=list)
    category: str | None = None
    priority: str = "normal"
    sentiments: list[float] = field(default_factory=list)
    neg_streak: int = 0
    frustration_points: list[int] = field(default_factory=list)
    low_conf_streak: int = 0
    customer_fps: list[str] = field(default_factory=list)
    ai_fps: list[str] = field(default_factory=list)
    avg_len: float = 0.0
    weak: dict[str, list[Any]] = field(default_factory=dict)  # trigger -> [message index, evidence, detail]
    topics: list[str] = field(default_factory=list)
    page_url: str | None = None
    last_ai_offer: bool = False  # the last AI turn offered or asked to confirm something
    language: str | None = None  # detected from the customer's messages (until sure)
    language_sure: bool = False
    ai_ctx: list[str] = field(default_factory=list)  # the learned layer's features of the AI's last reply
    ai_conf: float | None = None  # the AI's last confidence
    topic_scores: dict[str, float] = field(default_factory=dict)  # the learned topic evidence so far
    topic: str | None = None  # the topic decided at the handoff

    def to_json(self) -> dict[str, Any]:
        """Serialise for storage between HTTP calls."""
        # not dataclasses.asdict: it deep-copies every value through copy.deepcopy, which made this
        # a tenth of a routine turn's CPU; the fields hold only JSON values, copied here as JSON is
        return {name: _json_copy(getattr(self, name)) for name in _STATE_FIELDS}

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> "DecisionState":
        """Restore a state stored by `to_json` (unknown keys from other versions are ignored)."""
        if not data:
            return cls()
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DecisionState))


def _json_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_copy(v) for v in value]
    return value


def initial_state() -> DecisionState:
    """The state of a conversation before its first message."""
    return DecisionState()


def copy_state(state: DecisionState) -> DecisionState:
    """A copy of the state that the step may change without touching the caller's."""
    # what dataclasses.replace(state, lists copied) builds, without its per-field __init__ round trip
    # (a tenth of an AI turn's cost)
    new = object.__new__(DecisionState)
    d = new.__dict__
    d.update(state.__dict__)
    d["reasons"] = list(state.reasons)
    d["sentiments"] = list(state.sentiments)
    d["frustration_points"] = list(state.frustration_points)
    d["customer_fps"] = list(state.customer_fps)
    d["ai_fps"] = list(state.ai_fps)
    d["weak"] = {k: list(v) for k, v in state.weak.items()}
    d["topics"] = list(state.topics)
    d["topic_scores"] = dict(state.topic_scores)
    return new
