"""Intent categories of a decision and the routing skill each maps to."""
from __future__ import annotations

from collections.abc import Sequence

from handoff.core.models import Reason

# category id -> routing skill. Routing and stats key on these ids.
CATEGORIES: dict[str, str] = {
    "explicit_request": "general",
    "cancellation": "retention",
    "billing_dispute": "billing",
    "fraud": "security",
    "account_security": "security",
    "legal": "legal",
    "data_privacy": "legal",
    "sensitive": "general",
    "enterprise_contract": "enterprise",
    "frustration": "general",
    "ai_low_confidence": "general",
    "loop": "general",
    "technical": "technical",
    "billing": "billing",
    "account": "general",
    "shipping": "general",
    "general": "general",
}

_BY_TRIGGER = {
    "explicit_request": "explicit_request",
    "negative_sentiment": "frustration",
    "sentiment_drop": "frustration",
    "frustration": "frustration",
    "low_confidence": "ai_low_confidence",
    "hedging": "ai_low_confidence",
    "loop_customer": "loop",
    "loop_ai": "loop",
}


def skill_for(category: str | None) -> str:
    """The routing skill of a category ("general" when unknown)."""
    return CATEGORIES.get(category or "general", "general")


def _learned_intent(r: Reason) -> str:
    return r.detail.split(" ", 1)[0]


def category_for_reasons(reasons: Sequence[Reason], topics: Sequence[str] = (), page_kind: str | None = None) -> str:
    """The intent of a handoff: an always-human category first (rules, then the learned layer), then the strongest trigger."""
    for r in reasons:
        if r.trigger == "always_human":
            return r.detail.split(":", 1)[0]
    learned = [_learned_intent(r) for r in reasons if r.trigger == "learned_intent"]
    for intent in learned:
        if intent not in ("explicit_request", "frustration"):
            return intent
    for r in reasons:
        if r.trigger == "explicit_request":
            return "explicit_request"
    if "explicit_request" in learned:
        return "explicit_request"
    if "frustration" in learned and not any(r.trigger in _BY_TRIGGER for r in reasons):
        return "frustration"
    strong = [r.trigger for r in reasons if r.trigger in _BY_TRIGGER and r.trigger != "hedging"]
    if strong:
        return _BY_TRIGGER[strong[0]]
    if page_kind == "cancellation":
        return "cancellation"
    if page_kind == "billing":
        return "billing"
    if topics:
        return topics[0]
    if any(r.trigger == "hedging" for r in reasons):
        return "ai_low_confidence"
    return "general"


TOPICS: tuple[str, ...] = ("billing", "technical", "account_access", "cancellation", "sales", "general")
# a category that says what the case is about fixes its topic
_CATEGORY_TOPIC = {
    "billing_dispute": "billing", "fraud": "billing", "billing": "billing", "cancellation": "cancellation",
    "account_security": "account_access", "enterprise_contract": "sales", "technical": "technical",
}
# the rule lexicon's topic hints, in the topics' names
_RULE_TOPIC = {"billing": "billing", "technical": "technical", "account": "account_access", "shipping": "general"}


def topic_for(category: str | None, learned_scores: dict[str, float], page_kind: str | None = None,
              rule_topics: Sequence[str] = ()) -> str:
    """What the case is about, for routing, whatever the trigger: the category when it says, else the learned
    topic evidence, else the page, else the rules' topic hints."""
    if category in _CATEGORY_TOPIC:
        return _CATEGORY_TOPIC[category]
    specific = {t: v for t, v in learned_scores.items() if t != "general"}
    if specific:
        return max(sorted(specific), key=lambda t: specific[t])
    if page_kind in ("billing", "cancellation"):
        return page_kind
    for t in rule_topics:
        if _RULE_TOPIC.get(t, "general") != "general":
            return _RULE_TOPIC[t]
    return "general"
