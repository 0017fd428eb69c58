"""The optional second opinion, pure: when a turn is in doubt, and what a verdict changes.

A turn is in doubt when no rule decided it and the learned layer either escalates on its own (the rules
and the layer disagree) or is unsure (its probability within `band` of its threshold). The service asks an
LLM (connectors/second_opinion.py) and steps the engine again with the verdict as data: "escalate" adds a
`second_opinion` reason (the model's why as its evidence), "do not" withdraws the learned layer's reason.
A rule's reason is never withdrawn, and without a verdict (off, timeout, error) the local decision stands.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from handoff.core.models import Reason

TRIGGER = "second_opinion"
WHY_CHARS = 200


@dataclass(frozen=True)
class Doubt:
    """Why a turn is worth a second opinion: the learned layer's call and how close to its threshold it was."""

    message_index: int
    intent: str  # the layer's likeliest intent a human must handle
    probability: float  # that some such intent is there
    threshold: float
    learned_escalates: bool


@dataclass(frozen=True)
class Verdict:
    """What the second opinion said: escalate or not, the category it names (None: none it knows), why."""

    escalate: bool
    category: str | None
    why: str


def doubt_for(strong: Sequence[Reason], intent: str, probability: float, threshold: float, band: float,
              index: int) -> Doubt | None:
    """The doubt of a customer turn given its strong reasons and the learned layer's call, or None."""
    if any(r.trigger != "learned_intent" for r in strong):
        return None  # a rule decided: a verdict could not change the outcome, so nothing is asked
    learned = any(r.trigger == "learned_intent" for r in strong)
    if not learned and abs(probability - threshold) > band:
        return None
    return Doubt(index, intent, round(probability, 4), threshold, learned)


def apply_verdict(strong: list[Reason], verdict: Verdict, index: int) -> list[Reason]:
    """The strong reasons once the verdict is heard (the doubt's reasons: only the learned layer's, if any)."""
    if verdict.escalate:
        detail = f"escalate: {verdict.category}" if verdict.category else "escalate"
        return [*strong, Reason(TRIGGER, index, _clip(verdict.why), detail)]
    return [r for r in strong if r.trigger != "learned_intent"]


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= WHY_CHARS else text[: WHY_CHARS - 1] + "\u2026"
