"""Labelled conversations turned into training examples for the learned layer (one per customer message).

A customer message before the labelled escalation turn is an example of "none" (the AI could go on); the
message at the turn is an example of the label's intent; messages after it say nothing new and are left out.
Intents the rules own (loops, the AI's low confidence) teach only their earlier messages. The context
features are built exactly as the engine builds them at run time.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from handoff.core.formats.conversations import Conversation
from handoff.core.decide.learned.features import ai_features, context_features, feature_names, fold, words

INTENTS: tuple[str, ...] = (
    "none", "explicit_request", "cancellation", "billing_dispute", "fraud", "account_security", "legal",
    "data_privacy", "sensitive", "enterprise_contract", "frustration",
)
TOPICS: tuple[str, ...] = ("billing", "technical", "account_access", "cancellation", "sales", "general")
# label categories of the data sets in the wild -> the layer's intents (None: the rules' business)
_ALIASES = {
    "security": "fraud", "fraud_security": "fraud", "privacy": "data_privacy", "compromised_card": "fraud",
    "human": "explicit_request", "contact_human_agent": "explicit_request", "delete_account": "cancellation",
    "routine": "none", "satisfied": "none",
}
_RULE_OWNED = {"loop", "low_confidence", "ai_low_confidence", "complexity"}
_TOPIC_OF_INTENT = {
    "billing_dispute": "billing", "fraud": "billing", "cancellation": "cancellation",
    "account_security": "account_access", "enterprise_contract": "sales",
}


@dataclass(frozen=True)
class Example:
    """One customer message with its features and what it should be classified as."""

    features: tuple[str, ...]
    intent: str | None  # None: not an intent example (only a topic one)
    topic: str | None
    conversation_id: str
    message_index: int
    text: str


def intent_of(category: str | None) -> str | None:
    """The layer's intent for a label category, "none" for routine, None for rule-owned or unknown ones."""
    if category is None:
        return None
    c = _ALIASES.get(category, category)
    if c in _RULE_OWNED:
        return None
    return c if c in INTENTS else None


def message_context(*, first_turn: bool, page_kind: str | None, ai_text: str | None, ai_confidence: float | None,
                    ai_offer: bool) -> list[str]:
    """The context features of a customer message (shared with the engine)."""
    ctx = context_features(first_turn=first_turn, page_kind=page_kind, ai_confidence=ai_confidence,
                           ai_offer=ai_offer, previous_intent=None)
    if ai_text:
        ctx.extend(ai_features(ai_text))
    return ctx


# a team's history says "hi", "thanks" and "agent please", and its bot its canned replies, thousands of times:
# each distinct text is featurised once
@lru_cache(maxsize=1 << 16)
def _message_features(text: str) -> tuple[str, ...]:
    return tuple(feature_names(words(fold(text))))


@lru_cache(maxsize=1 << 14)
def _context(first_turn: bool, page_kind: str | None, ai_text: str | None, ai_confidence: float | None,
             ai_offer: bool) -> tuple[str, ...]:
    return tuple(message_context(first_turn=first_turn, page_kind=page_kind, ai_text=ai_text,
                                 ai_confidence=ai_confidence, ai_offer=ai_offer))


def _features(text: str, context: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_message_features(text) + context))


def examples_from(conv: Conversation, page_kind_of, ai_offer_of, join_routine: bool = False) -> Iterator[Example]:
    """The examples of one labelled conversation (none when it has no label); `join_routine`: and its routine
    messages joined into one long one."""
    label = conv.label
    if label is None:
        return
    intent = intent_of(label.category) if label.escalate else "none"
    topic = label.topic or (_TOPIC_OF_INTENT.get(intent or "") if label.escalate else None)
    turn = label.turn if label.escalate else None
    if label.escalate and turn is None:
        turn = 0
    page = conv.page_url
    ai_text: str | None = None
    ai_conf: float | None = None
    first = True
    for i, m in enumerate(conv.messages):
        if m.page_url:
            page = m.page_url
        if turn is not None and i > turn:
            break
        if m.role == "ai":
            ai_text, ai_conf = m.text, m.confidence
            continue
        if m.role != "customer":
            continue
        y: str | None = "none"
        if turn is not None and i == turn:
            y = intent
        ctx = _context(first, page_kind_of(page), ai_text, ai_conf, bool(ai_text and ai_offer_of(ai_text)))
        yield Example(_features(m.text, ctx), y, topic, conv.id, i, m.text)
        first = False
    if join_routine:
        yield from _joined_routine(conv, turn, topic, page_kind_of(conv.page_url))


_JOIN_MIN_CHARS = 150


def _joined_routine(conv: Conversation, turn: int | None, topic: str | None, page_kind: str | None) -> Iterator[Example]:
    """The routine customer messages of a conversation said at once, as one long opening message ("none").

    Written escalations run long and routine questions short, so a plain fit learns that length escalates (64 %
    of long routine conversations were handed off once). A customer who puts their routine questions in one
    message is still routine: this example says so, without anyone having to write it.
    """
    said = [(i, m.text) for i, m in enumerate(conv.messages)
            if m.role == "customer" and (turn is None or i < turn)]
    text = " ".join(t for _, t in said)
    if len(said) < 2 or len(text) < _JOIN_MIN_CHARS:
        return
    yield Example(_features(text, _context(True, page_kind, None, None, False)), "none", topic, conv.id, said[0][0], text)


def all_examples(conversations: Iterable[Conversation], page_kind_of, ai_offer_of,
                 join_routine: bool = True) -> list[Example]:
    """Every example of many conversations, in order (with each one's routine messages joined, see
    `_joined_routine`: measured on fold 1, long routine conversations handed off 14.1 -> 8.4 %)."""
    offer = lru_cache(maxsize=1 << 14)(ai_offer_of)  # a bot's canned replies come back thousands of times
    try:
        return [e for c in conversations for e in examples_from(c, page_kind_of, offer, join_routine)]
    finally:  # a long-lived process keeps none of a corpus's features
        _message_features.cache_clear()
        _context.cache_clear()
