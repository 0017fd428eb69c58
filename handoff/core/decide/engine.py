"""The decision engine: one pure step per message over a small, JSON-serialisable state.

Each step looks only at the new message and a bounded state (a few recent fingerprints, streak
counters, a running average), so deciding on message 1000 costs the same as on message 10.
Once a conversation has escalated, later steps keep `handoff=True` with the original reasons.
"""
from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from handoff.core.decide import language as _language
from handoff.core.decide import sentiment as _sentiment
from handoff.core.decide.categories import CATEGORIES, category_for_reasons, topic_for
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned.examples import message_context
from handoff.core.decide.learned.features import ai_features
from handoff.core.decide.learned.model import Scores
from handoff.core.decide.matchers import Matchers, for_settings
from handoff.core.decide.normalize import normalize
from handoff.core.decide.second_opinion import TRIGGER as SECOND_OPINION
from handoff.core.decide.second_opinion import Doubt, Verdict, apply_verdict, doubt_for
from handoff.core.models import PRIORITIES, AccountSignals, Decision, Message, Reason

STATE_VERSION = 1
_FP_CHARS = 300  # fingerprints are truncated: loops are about short repeated asks
_EVIDENCE_CHARS = 200

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


def _copy(state: DecisionState) -> DecisionState:
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


def _evidence(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _EVIDENCE_CHARS else text[: _EVIDENCE_CHARS - 1] + "\u2026"


def _similar(a: str, b: str, threshold: float) -> bool:
    """Same ask in other words: token-set similarity, guarded against one text swallowing another."""
    la, lb = len(a), len(b)
    if min(la, lb) < 0.5 * max(la, lb):
        return False
    return fuzz.token_set_ratio(a, b, score_cutoff=threshold) >= threshold


def _same_answer(a: str, a_digits: list[str], b: str, threshold: float) -> bool:
    """The AI said the same thing: near-identical text with the same numbers (a new time is news)."""
    if a_digits != _DIGITS.findall(b):
        return False
    return fuzz.ratio(a, b, score_cutoff=threshold) >= threshold


_DIGITS = re.compile(r"\d+")
_WORDS = re.compile(r"[A-Za-z]{2,}")
_POLITE = re.compile(r"\b(?:thanks|thank you|thank|bye|goodbye|cheers|no worries|that is all|that would be all|that was all|i am (?:alright|fine|good|ok|okay)|not (?:now|right now|at this time|yet|needed|required|necessary))\b")
_CORRECTION = re.compile(r"\b(?:just|only|i said|i asked|i told|i meant|already)\b")
_BARE_NO = re.compile(r"^(?:no|nope|nah|not really)\b")
_ACK = re.compile(r"^(?:yes|yeah|yep|ok|okay|sure|thanks|thank you|great|perfect|correct|fine|that is fine|sounds good|alright|cool)\b")


def _shouting(text: str) -> bool:
    words = _WORDS.findall(text)
    loud = [w for w in words if w.isupper()]
    return bool(loud) and (len(loud) >= max(2, len(words) // 2) or ("!" in text and len(loud) >= 1))


def _tier_flags(context: DecisionContext, settings: TriggerSettings) -> tuple[bool, bool]:
    acct = context.account
    vip = settings.account_tier.enabled and bool(acct.tier) and acct.tier.lower() in {
        t.lower() for t in settings.account_tier.tiers}
    churn = settings.churn_risk.enabled and bool(acct.churn_risk)
    return vip, churn


def _single_message(context: DecisionContext, settings: TriggerSettings) -> bool:
    """Whether the account lowers the 'N consecutive' rules to one message."""
    vip, churn = _tier_flags(context, settings)
    return (vip and settings.account_tier.single_message) or (churn and settings.churn_risk.single_message)


def _detect_language(st: DecisionState, ctx: DecisionContext, text: str) -> str | None:
    """The customer's language: as given, else detected on their first messages until sure."""
    if ctx.language:
        return ctx.language.replace("_", "-").split("-")[0].lower()
    if not st.language_sure:
        code, conf = _language.detect(text)
        if code and (st.language is None or _language.is_sure(conf)):
            st.language = code
        if _language.is_sure(conf) or st.customer_turns >= _LANGUAGE_TRIES:
            st.language_sure = True
    return st.language


_LANGUAGE_TRIES = 3


def _learned_step(st: DecisionState, text: str, idx: int, ev: str, first_turn: bool, ctx: DecisionContext,
                  s: TriggerSettings, mx: Matchers, strong: list[Reason]) -> Scores | None:
    model = mx.intent_model
    if model is None:
        return None
    features = message_context(first_turn=first_turn, page_kind=_page_kind(st.page_url or ctx.page_url, mx),
                               ai_text=None, ai_confidence=st.ai_conf, ai_offer=st.last_ai_offer) + st.ai_ctx
    sc = model.score(text, features)
    lt = s.learned
    if sc.topic_p >= lt.topic_threshold:
        st.topic_scores[sc.topic] = round(st.topic_scores.get(sc.topic, 0.0) + sc.topic_p, 4)
    if sc.intent == "none" or sc.escalate_p < lt.thresholds.get(sc.intent, lt.threshold):
        return sc
    allowed = (s.explicit_request.enabled if sc.intent == "explicit_request"
               else s.frustration.enabled if sc.intent == "frustration"
               else s.always_human.enabled and sc.intent in s.always_human.categories)
    if allowed:
        weighed = ", ".join(f'"{w}"' for w in model.explain(text, features, sc.intent)) or "the message as a whole"
        strong.append(Reason("learned_intent", idx, ev, f"{sc.intent} ({sc.escalate_p:.2f}): {weighed}"))
    return sc


def _customer_step(
    st: DecisionState, msg: Message, idx: int, ctx: DecisionContext, s: TriggerSettings, mx: Matchers,
    strong: list[Reason],
) -> Scores | None:
    """The customer message's triggers into `strong` and `st`; returns the learned layer's scores."""
    text = msg.text
    norm = normalize(text, typos=s.typo_tolerance, max_chars=s.max_text_chars)
    ev = _evidence(text)
    first_turn = st.customer_turns == 0
    st.customer_turns += 1
    lang = _detect_language(st, ctx, text)

    if s.explicit_request.enabled:
        hit = mx.find_explicit(norm)
        if hit:
            strong.append(Reason("explicit_request", idx, ev, f'asked for a human: "{hit}"'))
    if s.always_human.enabled:
        cat = mx.find_category(norm)
        if cat:
            strong.append(Reason("always_human", idx, ev, f'{cat[0]}: "{cat[1]}"'))

    learned = _learned_step(st, text, idx, ev, first_turn, ctx, s, mx, strong)

    single = _single_message(ctx, s)
    score = _sentiment.score(text[: s.max_text_chars], lang)
    prev = st.sentiments[-1] if st.sentiments else None
    st.sentiments = (st.sentiments + [round(score, 4)])[-3:]
    ns = s.negative_sentiment
    st.neg_streak = st.neg_streak + 1 if score <= ns.threshold else 0
    if ns.enabled and st.neg_streak:
        need = 1 if single else ns.consecutive
        if st.neg_streak >= need:
            strong.append(Reason("negative_sentiment", idx, ev, f"{st.neg_streak} negative message(s), latest {score:+.2f}"))
        elif ns.weak_weight > 0:
            st.weak["negative_sentiment"] = [idx, ev, f"negative message {score:+.2f}"]
    sd = s.sentiment_drop
    if sd.enabled and prev is not None and prev - score >= sd.drop and score <= sd.floor:
        strong.append(Reason("sentiment_drop", idx, ev, f"sentiment fell from {prev:+.2f} to {score:+.2f}"))

    if s.frustration.enabled:
        pts = 0
        strong_hit = mx.frustration_strong.search(norm) if mx.frustration_strong else None
        if strong_hit:
            pts = 2
        else:
            mild = bool(mx.frustration_mild and mx.frustration_mild.search(norm))
            push = bool(mx.pushback and mx.pushback.search(norm))
            if push and (_POLITE.search(norm) or (st.last_ai_offer and _BARE_NO.search(norm) and not _CORRECTION.search(norm))):
                push = False  # "no thanks" or a "no" answering an offer is not pushback
            loud = _shouting(text)
            pts = 2 if (push and (mild or loud)) else (1 if (mild or push or loud) else 0)
        st.frustration_points = (st.frustration_points + [pts])[-s.frustration.window:]
        total = sum(st.frustration_points)
        if pts and total >= s.frustration.points:
            detail = f'"{strong_hit.group(0)}"' if strong_hit else f"{total} frustration points over the last {len(st.frustration_points)} messages"
            strong.append(Reason("frustration", idx, ev, detail))

    lc = s.loop_customer
    fp = norm[:_FP_CHARS]
    countable = len(fp) >= lc.min_chars and not _ACK.search(fp)
    if lc.enabled and countable:
        same = sum(1 for old in st.customer_fps if _similar(fp, old, lc.similarity))
        if same + 1 >= lc.repeats:
            strong.append(Reason("loop_customer", idx, ev, f"asked {same + 1} times"))
    if countable:
        st.customer_fps = (st.customer_fps + [fp])[-lc.window:]

    lj = s.length_jump
    n = len(text)
    if lj.enabled and st.customer_turns >= 2 and n >= lj.min_chars and n >= lj.ratio * max(st.avg_len, 1.0):
        st.weak["length_jump"] = [idx, ev, f"{n} characters against an average of {st.avg_len:.0f}"]
    st.avg_len += (n - st.avg_len) / st.customer_turns

    for name, rx in mx.topics:
        if name not in st.topics and rx.search(norm):
            st.topics.append(name)
    cx = s.complexity
    if cx.enabled and "complexity" not in st.weak:
        if st.customer_turns >= cx.customer_turns:
            st.weak["complexity"] = [idx, ev, f"{st.customer_turns} customer turns"]
        elif len(st.topics) >= cx.topics and st.customer_turns >= cx.topics_min_turns:
            st.weak["complexity"] = [idx, ev, "topics: " + ", ".join(st.topics)]
    return learned


def _ai_step(
    st: DecisionState, msg: Message, idx: int, ctx: DecisionContext, s: TriggerSettings, mx: Matchers,
    strong: list[Reason],
) -> None:
    ev = _evidence(msg.text)
    st.ai_conf = msg.confidence
    if mx.intent_model is not None:
        st.ai_ctx = ai_features(msg.text)
    lc = s.low_confidence
    if msg.confidence is not None:
        st.low_conf_streak = st.low_conf_streak + 1 if msg.confidence < lc.threshold else 0
        single = _single_message(ctx, s)
        need = 1 if single else lc.consecutive
        if lc.enabled and st.low_conf_streak >= need:
            strong.append(Reason("low_confidence", idx, ev, f"confidence {msg.confidence:.2f} on {st.low_conf_streak} consecutive replies"))
    norm = normalize(msg.text, typos=False, max_chars=s.max_text_chars)
    st.last_ai_offer = bool(mx.ai_offer.search(norm))
    if s.hedging.enabled:
        m = (mx.hedges.search(norm) if mx.hedges else None) or (mx.ai_failure.search(norm) if mx.ai_failure else None)
        if m:
            st.weak["hedging"] = [idx, ev, f'"{m.group(0)}"']
    la = s.loop_ai
    fp = norm[:_FP_CHARS]
    if len(fp) >= la.min_chars and not mx.closers.search(fp):
        if la.enabled:
            digits = _DIGITS.findall(fp)
            same = sum(1 for old in st.ai_fps if _same_answer(fp, digits, old, la.similarity))
            if same + 1 >= la.repeats:
                strong.append(Reason("loop_ai", idx, ev, f"same answer {same + 1} times"))
        st.ai_fps = (st.ai_fps + [fp])[-la.window:]


def _page_kind(url: str | None, mx: Matchers) -> str | None:
    if not url:
        return None
    u = url.lower()
    if mx.page_cancellation and mx.page_cancellation.search(u):
        return "cancellation"
    if mx.page_billing and mx.page_billing.search(u):
        return "billing"
    return None


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
    st = _copy(state)
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
        learned = _customer_step(st, message, idx, context, settings, mx, strong)
    elif message.role == "ai":
        _ai_step(st, message, idx, context, settings, mx, strong)
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
    kind = _page_kind(page, mx) if settings.page_context.enabled else None
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
    vip, churn = _tier_flags(context, settings)
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
    elif strong and account_reasons and _single_message(context, settings):
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
