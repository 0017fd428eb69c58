"""Intent categories of a decision and the routing skill each maps to."""
from __future__ import annotations

from collections.abc import Sequence

from handoff.models import Reason

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


def category_for_reasons(reasons: Sequence[Reason], topics: Sequence[str] = (), page_kind: str | None = None) -> str:
    """The intent of a handoff: an always-human category first, then the strongest trigger."""
    for r in reasons:
        if r.trigger == "always_human":
            return r.detail.split(":", 1)[0]
    for r in reasons:
        if r.trigger == "explicit_request":
            return "explicit_request"
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
