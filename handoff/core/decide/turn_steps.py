"""What one customer or AI message changes in the decision state: rules, sentiment, loops, the learned layer."""
from __future__ import annotations

import re

from rapidfuzz import fuzz

from handoff.core.decide import language as _language
from handoff.core.decide import sentiment as _sentiment
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned.examples import message_context
from handoff.core.decide.learned.features import ai_features
from handoff.core.decide.learned.model import Scores
from handoff.core.decide.matchers import Matchers
from handoff.core.decide.normalize import normalize
from handoff.core.decide.state import DecisionContext, DecisionState
from handoff.core.models import Message, Reason

_FP_CHARS = 300  # fingerprints are truncated: loops are about short repeated asks


_EVIDENCE_CHARS = 200


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


# After a bare "no", the customer states what they want instead ("No, make it 11:45 am", "nope, diner food for me",
# "no, it's the day before, the 13th"): a correction of a detail, the ordinary way to steer a booking, not pushback.
# Turning down what was found ("No, find some other movies") still is: twice running, the search is failing them.
_RESPECIFIED = re.compile(
    r"\d|\b(?:instead|make it|change it to|i want|i would like|i would prefer|i prefer|i need|we need|we want|let us|lets|"
    r"how about|what about|go with|rather|for me|(?:the|a) (?:earlier|later|cheaper|bigger|smaller)|"
    r"it is (?:the|on|at|for)|its (?:the|on|at|for)|(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|tomorrow|tonight|morning|afternoon|"
    r"evening|night|january|february|march|april|may|june|july|august|september|october|november|december|"
    # the days in the other four languages: "no, el martes no, miércoles?"
    r"lunes|martes|miercoles|jueves|viernes|sabado|domingo|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|"
    r"segunda|terca|quarta|quinta|sexta|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag))\b")


_ACK = re.compile(r"^(?:yes|yeah|yep|ok|okay|sure|thanks|thank you|great|perfect|correct|fine|that is fine|sounds good|alright|cool)\b")


def _shouting(text: str) -> bool:
    words = _WORDS.findall(text)
    loud = [w for w in words if w.isupper()]
    return bool(loud) and (len(loud) >= max(2, len(words) // 2) or ("!" in text and len(loud) >= 1))


def tier_flags(context: DecisionContext, settings: TriggerSettings) -> tuple[bool, bool]:
    """Whether the account's tier lowers the bar for a handoff (VIP) or marks it enterprise."""
    acct = context.account
    vip = settings.account_tier.enabled and bool(acct.tier) and (acct.tier or "").lower() in {
        t.lower() for t in settings.account_tier.tiers}
    churn = settings.churn_risk.enabled and bool(acct.churn_risk)
    return vip, churn


def single_message(context: DecisionContext, settings: TriggerSettings) -> bool:
    """Whether the account lowers the 'N consecutive' rules to one message."""
    vip, churn = tier_flags(context, settings)
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


def _learned_step(st: DecisionState, text: str, norm: str, idx: int, ev: str, first_turn: bool, ctx: DecisionContext,
                  s: TriggerSettings, mx: Matchers, strong: list[Reason]) -> Scores | None:
    model = mx.intent_model
    if model is None:
        return None
    features = message_context(first_turn=first_turn, page_kind=page_kind(st.page_url or ctx.page_url, mx),
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
    # the rules' look-alike guards bind the layer too: "wie kündige ich nur das Sportpaket" is not a cancellation
    # whoever reads it (the guard is tried only here, on the few messages the layer would escalate)
    if allowed and not mx.guarded(norm, sc.intent):
        weighed = ", ".join(f'"{w}"' for w in model.explain(text, features, sc.intent)) or "the message as a whole"
        strong.append(Reason("learned_intent", idx, ev, f"{sc.intent} ({sc.escalate_p:.2f}): {weighed}"))
    return sc


def customer_step(
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

    learned = _learned_step(st, text, norm, idx, ev, first_turn, ctx, s, mx, strong)
    if s.always_human.enabled and mx.circumstances is not None and not any(r.trigger == "always_human" for r in strong):
        told = mx.find_circumstance(norm)
        if told:
            # an illness or a death told as the matter, not in passing: with an account, a bill or a contract to
            # settle, or something the learned layer would hand over (without the layer, always)
            matter = mx.circumstance_matters.search(norm)
            if matter is not None or learned is None:
                strong.append(Reason("always_human", idx, ev, f'sensitive: "{told}"'
                                     + (f' with "{matter.group(0)}"' if matter is not None else "")))
            elif learned.escalate_p >= s.learned.circumstance_threshold:
                strong.append(Reason("always_human", idx, ev, f'sensitive: "{told}" (learned {learned.escalate_p:.2f})'))

    single = single_message(ctx, s)
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
            bare_no = bool(_BARE_NO.search(norm)) and not _CORRECTION.search(norm)
            if push and (_POLITE.search(norm) or (bare_no and (st.last_ai_offer or (not mild and _RESPECIFIED.search(norm))))):
                push = False  # "no thanks", a "no" answering an offer, or one that corrects a detail is not pushback
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


def ai_step(
    st: DecisionState, msg: Message, idx: int, ctx: DecisionContext, s: TriggerSettings, mx: Matchers,
    strong: list[Reason],
) -> None:
    """What an AI reply changes: loops (the same answer again), low confidence, hedging."""
    ev = _evidence(msg.text)
    st.ai_conf = msg.confidence
    if mx.intent_model is not None:
        st.ai_ctx = ai_features(msg.text)
    lc = s.low_confidence
    if msg.confidence is not None:
        st.low_conf_streak = st.low_conf_streak + 1 if msg.confidence < lc.threshold else 0
        single = single_message(ctx, s)
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


def page_kind(url: str | None, mx: Matchers) -> str | None:
    """Which kind of page a URL is (cancellation, billing, ...) by the configured patterns, if any."""
    if not url:
        return None
    u = url.lower()
    if mx.page_cancellation and mx.page_cancellation.search(u):
        return "cancellation"
    if mx.page_billing and mx.page_billing.search(u):
        return "billing"
    return None
