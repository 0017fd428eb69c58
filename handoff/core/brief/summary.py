"""The one-line summary and the customer's question, from the category, the decision and the account."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from handoff.core.models import AccountContext, Decision, Message, Reason
from handoff.core.brief.facts import contacts_60d, failed_payments, money, open_disputes, stripe_of, tier_of, zendesk_of
from handoff.core.brief.text import clip, ordinal


@dataclass(frozen=True)
class _CategoryText:
    summary: str  # summary clause
    intent: str  # what the customer wants, short


_CATEGORIES: dict[str, _CategoryText] = {
    "cancellation": _CategoryText("expressing cancellation intent", "cancel their subscription or account"),
    "billing_dispute": _CategoryText("disputing a charge", "dispute a charge"),
    "chargeback": _CategoryText("disputing a charge", "dispute a charge"),
    "unauthorized_charge": _CategoryText("reporting an unrecognised charge", "get an unrecognised charge explained"),
    "refund": _CategoryText("asking for a refund", "get a refund"),
    "billing": _CategoryText("asking about billing", "sort out a billing question"),
    "legal": _CategoryText("raising a legal matter", "raise a legal matter"),
    "security": _CategoryText("reporting a security problem", "secure their account"),
    "account_security": _CategoryText("reporting a security problem", "secure their account"),
    "fraud": _CategoryText("reporting possible fraud", "stop and report fraudulent activity"),
    "data_privacy": _CategoryText("making a data privacy request", "exercise a data privacy right"),
    "privacy": _CategoryText("making a data privacy request", "exercise a data privacy right"),
    "sensitive": _CategoryText("raising a sensitive matter", "get help with a sensitive matter"),
    "enterprise_contract": _CategoryText("asking about their enterprise contract", "discuss their contract"),
    "explicit_request": _CategoryText("asking for a human", "talk to a person"),
    "frustration": _CategoryText("frustrated with the AI's answers", "get a working answer"),
    "negative_sentiment": _CategoryText("increasingly unhappy", "get a working answer"),
    "low_confidence": _CategoryText("AI unsure of its answers", "get a confident answer"),
    "ai_low_confidence": _CategoryText("AI unsure of its answers", "get a confident answer"),
    "hedging": _CategoryText("AI unsure of its answers", "get a confident answer"),
    "loop": _CategoryText("going in circles with the AI", "get an answer to a repeated question"),
    "loop_customer": _CategoryText("asking the same thing again", "get an answer to a repeated question"),
    "loop_ai": _CategoryText("getting the same AI answer again", "get a different answer"),
    "sentiment_drop": _CategoryText("increasingly unhappy", "get a working answer"),
    "length_jump": _CategoryText("writing longer, more detailed messages", "get a detailed answer"),
    "complexity": _CategoryText("with a complex, multi-topic issue", "resolve a complex issue"),
    "technical": _CategoryText("with a technical problem", "fix a technical problem"),
    "account": _CategoryText("asking about their account", "sort out an account question"),
    "shipping": _CategoryText("asking about a delivery", "sort out a delivery"),
    "account_tier": _CategoryText("flagged by account tier", "get help"),
    "churn_risk": _CategoryText("flagged as a churn risk", "get help"),
    "page_context": _CategoryText("on a sensitive page", "get help"),
}


# Categories that say nothing by themselves: the strongest trigger describes the case better.
_VAGUE = {"general", "other", "handoff"}


def category_text(category: str | None, reasons: Sequence[Reason] = ()) -> _CategoryText | None:
    """How a category reads in a summary and as an intent (built-in wording per category)."""
    if not category or category.lower() in _VAGUE:
        for r in reasons:
            if r.trigger in _CATEGORIES:
                return _CATEGORIES[r.trigger]
        return None
    key = category.lower().strip()
    if key in _CATEGORIES:
        return _CATEGORIES[key]
    for name, text in _CATEGORIES.items():
        if key.startswith(name):
            return text
    words = key.replace("_", " ").replace("-", " ")
    return _CategoryText(f"about {words}", words)


def category_of(decision: Decision) -> str | None:
    """The category the briefing shows: the decision's, else its first reason's trigger."""
    if decision.category:
        return decision.category
    return decision.reasons[0].trigger if decision.reasons else None


def last_question(messages: Sequence[Message], limit: int) -> str | None:
    """The customer's last question (else their last message), clipped, or None."""
    for m in reversed(messages):
        if m.role != "customer":
            continue
        sentences = re.split(r"(?<=[.?!])\s+", m.text.strip())
        questions = [s for s in sentences if s.endswith("?")]
        if questions:
            return clip(questions[-1], limit)
    for m in reversed(messages):
        if m.role == "customer" and m.text.strip():
            return clip(m.text, limit)
    return None


def _tier_phrase(tier: str | None) -> str:
    if not tier or not tier.strip():
        return "Customer"
    words = tier.replace("_", " ").strip()
    if words.lower() in {"vip", "enterprise"}:
        return f"{'VIP' if words.lower() == 'vip' else 'Enterprise'} customer"
    return f"{words[:1].upper()}{words[1:]}-tier customer"


def summary_parts(
    *,
    category: str | None,
    decision: Decision,
    account: AccountContext,
    page: str | None,
) -> list[str]:
    """The clauses of the extractive summary, most important first."""
    parts = [_tier_phrase(tier_of(account))]
    stripe = stripe_of(account)
    failed = failed_payments(stripe)
    if failed == 1:
        parts.append("a failed payment in 90 days")
    elif failed > 1:
        parts.append(f"{ordinal(failed)} failed payment in 90 days")
    elif stripe is not None and stripe.delinquent:
        parts.append("account delinquent")
    disputes = open_disputes(stripe)
    if len(disputes) == 1:
        d = disputes[0]
        amount = f" on {money(d.amount, d.currency)}" if d.amount is not None else ""
        parts.append(f"open dispute{amount}")
    elif disputes:
        parts.append(f"{len(disputes)} open disputes")
    contacts = contacts_60d(zendesk_of(account))
    if contacts:
        # tickets already on file plus this conversation
        parts.append(f"{ordinal(contacts + 1)} contact in 60 days")
    text = category_text(category, decision.reasons)
    if text:
        parts.append(text.summary)
    # the frustration categories already say how the customer feels
    feels = (category or "").lower() in {"frustration", "negative_sentiment", "sentiment_drop"}
    mood = {"red": "very unhappy", "yellow": "sentiment dropping"}.get(decision.trajectory)
    if mood and not feels:
        parts.append(mood)
    if page:
        parts.append(f"on {page}")
    return parts


def extractive_summary(parts: Sequence[str], max_chars: int) -> str:
    """Join summary clauses, dropping the least important ones that don't fit."""
    chosen: list[str] = []
    for part in parts:
        candidate = ", ".join([*chosen, part])
        if len(candidate) <= max_chars:
            chosen.append(part)
    if not chosen:
        return clip(parts[0] if parts else "Customer needs a human", max_chars)
    if len(chosen) == 1 and chosen[0] == "Customer":
        return "Customer needs a human"
    return ", ".join(chosen)
