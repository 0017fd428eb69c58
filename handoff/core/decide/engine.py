"""The decision engine: one pure step per message over a small, JSON-serialisable state.

Each step looks only at the new message and a bounded state (a few recent fingerprints, streak
counters, a running average), so deciding on message 1000 costs the same as on message 10.
Once a conversation has escalated, later steps keep `handoff=True` with the original reasons.
The state is in handoff.core.decide.state, what one message changes in handoff.core.decide.turn_steps.
"""
from __future__ import annotations

import dataclasses

from handoff.core.decide import sentiment as _sentiment
from handoff.core.decide.categories import CATEGORIES, category_for_reasons, topic_for
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned.model import Scores
from handoff.core.decide.matchers import for_settings
from handoff.core.decide.second_opinion import TRIGGER as SECOND_OPINION
from handoff.core.decide.second_opinion import Doubt, Verdict, apply_verdict, doubt_for
from handoff.core.decide.state import (  # noqa: F401 (the engine's public names)
    STATE_VERSION,
    STRONG_TRIGGERS,
    TRIGGERS,
    WEAK_TRIGGERS,
    DecisionContext,
    DecisionState,
    copy_state,
    initial_state,
)
from handoff.core.decide.turn_steps import (
    ai_step,
    customer_step,
    page_kind,
    single_message,
    tier_flags,
)
from handoff.core.models import PRIORITIES, Decision, Message, Reason


def _trajectory(st: DecisionState, reasons: list[Reason]) -> str:
    latest = st.sentiments[-1] if st.sentiments else 0.0
    if st.neg_streak >= 2 or latest <= -0.6 or any(r.trigger in ("frustration", "sentiment_drop", "negative_sentiment") for r in reasons):
        return "red"
    if latest <= -0.05 or any(st.frustration_points) or any(x <= -0.3 for x in st.sentiments):
        return "yellow"
    return "green"


def _bump(priority: str, steps: int) -> str:
    i = PRIORITIES.index(priority) if priority in PRIORITIES else 1
    return PRIORITIES[min(len(PRIORITIES) - 1, i + steps)]


def step(
    state: DecisionState, message: Message, context: DecisionContext, settings: TriggerSettings,
    opinion: Verdict | None = None,
) -> tuple[DecisionState, Decision]:
    """Evaluate one new message; returns the new state and the decision after it.

    The message's position is the number of messages the state has seen (0-based). `opinion`: a second
    opinion's verdict on this turn (heard only when the turn is in doubt, see second_opinion.py).
    """
    st, decision, _ = step_with_doubt(state, message, context, settings, opinion)
    return st, decision


def step_with_doubt(
    state: DecisionState, message: Message, context: DecisionContext, settings: TriggerSettings,
    opinion: Verdict | None = None,
) -> tuple[DecisionState, Decision, Doubt | None]:
    """`step`, and whether the turn is worth a second opinion (only with `[triggers.second_opinion]` on)."""
    st = copy_state(state)
    idx = st.messages_seen
    st.messages_seen += 1
    if message.page_url:
        st.page_url = message.page_url
    latest = st.sentiments[-1] if st.sentiments else None

    if st.handed_off:
        if message.role == "customer":
            lang = _detected(st, context)
            st.sentiments = (st.sentiments + [round(_sentiment.score(message.text[: settings.max_text_chars], lang), 4)])[-3:]
        reasons = tuple(Reason(**r) for r in st.reasons)
        return st, Decision(True, reasons, st.category, st.priority,  # type: ignore[arg-type]
                            st.sentiments[-1] if st.sentiments else None, _trajectory(st, list(reasons)),
                            st.topic, _detected(st, context)), None

    mx = for_settings(settings)
    strong: list[Reason] = []
    learned: Scores | None = None
    if message.role == "customer":
        learned = customer_step(st, message, idx, context, settings, mx, strong)
    elif message.role == "ai":
        ai_step(st, message, idx, context, settings, mx, strong)
    doubt: Doubt | None = None
    so = settings.second_opinion
    if so.enabled and learned is not None and learned.intent != "none":
        lt = settings.learned
        doubt = doubt_for(strong, learned.intent, learned.escalate_p, lt.thresholds.get(learned.intent, lt.threshold),
                          so.band, idx)
        if doubt is not None and opinion is not None:
            strong = apply_verdict(strong, opinion, idx)

    # Weak signals: each active one adds its weight; the account lowers the bar.
    page = st.page_url or context.page_url
    kind = page_kind(page, mx) if settings.page_context.enabled else None
    if kind:
        st.weak["page_context"] = [idx, page, f"customer is on a {kind} page"]
    else:
        st.weak.pop("page_context", None)
    ws = settings.weak_signals
    weights = {
        "hedging": settings.hedging.weight,
        "length_jump": settings.length_jump.weight,
        "complexity": settings.complexity.weight,
        "page_context": settings.page_context.weight,
        "negative_sentiment": settings.negative_sentiment.weak_weight,
    }
    active = {k: v for k, v in st.weak.items() if k in ("page_context", "complexity") or v[0] >= idx - ws.window}
    st.weak = active
    score = sum(weights.get(k, 0.0) for k in active)
    vip, churn = tier_flags(context, settings)
    threshold = ws.threshold
    account_reasons: list[Reason] = []
    tier = context.account.tier
    if vip:
        threshold -= settings.account_tier.threshold_reduction
        account_reasons.append(Reason("account_tier", idx, f"tier: {tier}", "VIP/enterprise tier lowers the bar"))
    if churn:
        threshold -= settings.churn_risk.threshold_reduction
        account_reasons.append(Reason("churn_risk", idx, "account flagged at risk of churn", "churn risk lowers the bar"))

    reasons = list(strong)
    if not strong and active and score >= threshold:
        for k, (i, ev, detail) in sorted(active.items(), key=lambda kv: kv[1][0]):
            if weights.get(k, 0.0) > 0:
                reasons.append(Reason(k, int(i), str(ev), f"{detail} (weak signal, score {score:g} of {threshold:g})"))
        if score < ws.threshold:
            reasons.extend(account_reasons)
    elif strong and account_reasons and single_message(context, settings):
        # Say so when the account is why a single negative message or low-confidence reply was enough.
        lowered = (any(r.trigger == "low_confidence" for r in strong) and st.low_conf_streak < settings.low_confidence.consecutive) or (
            any(r.trigger == "negative_sentiment" for r in strong) and st.neg_streak < settings.negative_sentiment.consecutive)
        if lowered:
            reasons.extend(account_reasons)

    sentiment = st.sentiments[-1] if st.sentiments else latest
    trajectory = _trajectory(st, reasons)
    if not reasons:
        return st, Decision(False, (), None, "normal", sentiment, trajectory, None, _detected(st, context)), doubt

    category = category_for_reasons(reasons, st.topics, kind)
    if opinion is not None and [r.trigger for r in strong] == [SECOND_OPINION] and opinion.category in CATEGORIES:
        category = opinion.category  # the second opinion alone escalated: its category, when it names one we route
    topic = topic_for(category, st.topic_scores, kind, st.topics)
    priority = settings.category_priority.get(category, "normal")
    priority = _bump(priority, int(vip or churn) + int(trajectory == "red" and priority in ("low", "normal")))
    st.handed_off = True
    st.handoff_at = idx
    st.reasons = [dataclasses.asdict(r) for r in reasons]
    st.category = category
    st.priority = priority
    st.topic = topic
    return st, Decision(True, tuple(reasons), category, priority, sentiment, trajectory,  # type: ignore[arg-type]
                        topic, _detected(st, context)), doubt


def _detected(st: DecisionState, context: DecisionContext) -> str | None:
    if context.language:
        return context.language.replace("_", "-").split("-")[0].lower()
    return st.language
