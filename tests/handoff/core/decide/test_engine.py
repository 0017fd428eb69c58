"""Each trigger through `step`, the state's JSON round-trip and the once-escalated behaviour."""
import json

import pytest

from handoff.core.decide import DecisionContext, DecisionState, TriggerSettings, initial_state, step
from handoff.core.decide.engine import TRIGGERS
from handoff.core.models import AccountSignals, Decision, Message

S = TriggerSettings(learned={"enabled": False})  # the rules alone; the learned layer has its own tests


def run(turns: list[tuple], ctx: DecisionContext | None = None, settings: TriggerSettings = S) -> tuple[DecisionState, Decision, int | None]:
    """Feed (role, text[, confidence][, page_url]) tuples; return the final state, decision and first handoff index."""
    ctx = ctx or DecisionContext()
    state, decision, first = initial_state(), Decision(False), None
    for i, t in enumerate(turns):
        role, text = t[0], t[1]
        conf = t[2] if len(t) > 2 else None
        page = t[3] if len(t) > 3 else None
        state, decision = step(state, Message(role, text, index=i, confidence=conf, page_url=page), ctx, settings)
        if decision.handoff and first is None:
            first = i
    return state, decision, first


def triggers(d: Decision) -> set[str]:
    return {r.trigger for r in d.reasons}


def test_explicit_request_carries_reason_index_and_evidence() -> None:
    _, d, at = run([("customer", "my export fails"), ("ai", "Try again later.", 0.9), ("customer", "agent pls")])
    assert at == 2 and d.handoff
    r = d.reasons[0]
    assert (r.trigger, r.message_index, r.evidence) == ("explicit_request", 2, "agent pls")
    assert d.category == "explicit_request"


def test_always_human_category_and_priority() -> None:
    _, d, at = run([("customer", "Someone logged into my account and changed my email")])
    assert at == 0 and d.category == "account_security" and d.priority == "urgent"
    assert triggers(d) == {"always_human"}


def test_single_mildly_annoyed_message_then_resolved_does_not_escalate() -> None:
    _, d, at = run([
        ("customer", "ugh, this is annoying, the filter resets every time"),
        ("ai", "Click Save view to keep your filters.", 0.9),
        ("customer", "that fixed it, thanks!"),
    ])
    assert at is None and not d.handoff


def test_negative_sentiment_on_two_consecutive_messages() -> None:
    _, d, at = run([
        ("customer", "The sync broke and we lost important files, we are really upset."),
        ("ai", "Which integration do you use?", 0.9),
        ("customer", "Google Drive. We lost a day of work and we are angry."),
    ])
    assert at == 2 and "negative_sentiment" in triggers(d)
    assert d.trajectory == "red"


def test_sentiment_drop() -> None:
    _, d, at = run([
        ("customer", "Love the update, great job!"),
        ("ai", "Thank you!", 0.9),
        ("customer", "It just wiped my timeline. Horrible, I'm heartbroken."),
    ])
    assert at == 2 and "sentiment_drop" in triggers(d)


def test_frustration_language() -> None:
    _, d, at = run([("customer", "export never finishes"), ("ai", "It can take 10 minutes.", 0.8),
                    ("customer", "This is ridiculous, I've been waiting an hour")])
    assert at == 2 and "frustration" in triggers(d) and d.category == "frustration"


def test_low_confidence_needs_two_consecutive_replies() -> None:
    turns = [("customer", "Do you support wildcard SSL?"), ("ai", "Some plans do.", 0.5),
             ("customer", "Which ones?"), ("ai", "It may depend.", 0.4)]
    _, d1, at1 = run(turns[:2])
    assert at1 is None
    _, d, at = run(turns)
    assert at == 3 and triggers(d) == {"low_confidence"} and d.category == "ai_low_confidence"


def test_confident_reply_resets_the_low_confidence_streak() -> None:
    _, d, at = run([("customer", "q1 about plans"), ("ai", "a", 0.5), ("customer", "q2 about seats"),
                    ("ai", "b", 0.95), ("customer", "q3 about invoices"), ("ai", "c", 0.5)])
    assert at is None


def test_customer_loop_three_times() -> None:
    q = ["how do I get the invoice for order 5521 as PDF", "I need the invoice for order 5521 as a PDF",
         "how do I get the PDF invoice for order 5521"]
    _, d, at = run([("customer", q[0]), ("ai", "Billing, History.", 0.9), ("customer", q[1]),
                    ("ai", "Look under Billing, History.", 0.9), ("customer", q[2])])
    assert at == 4 and "loop_customer" in triggers(d)


def test_ai_repeating_itself() -> None:
    a = "Bank transfers usually take 3 to 5 business days to appear on your account."
    _, d, at = run([("customer", "my transfer is missing"), ("ai", a, 0.9), ("customer", "it's been a week"), ("ai", a, 0.9)])
    assert at == 3 and "loop_ai" in triggers(d)


def test_ai_politeness_repeats_are_not_a_loop() -> None:
    closer = "Is there anything else I can help you with today?"
    _, _, at = run([("customer", "where is search"), ("ai", closer, 0.9), ("customer", "and the filter button"), ("ai", closer, 0.9)])
    assert at is None


def test_weak_signals_combine_hedging_and_page() -> None:
    page = "https://app.example.com/settings/billing"
    _, d, at = run([("customer", "Why does my invoice show a different VAT rate?", None, page),
                    ("ai", "I think the VAT rate may have changed.", 0.8)])
    assert at == 1 and triggers(d) == {"page_context", "hedging"} and d.category == "billing"


def test_hedging_alone_does_not_escalate() -> None:
    _, _, at = run([("customer", "what is the shortcut for a new task"), ("ai", "I think it's Ctrl+K.", 0.85)])
    assert at is None


def test_page_from_context_and_length_jump() -> None:
    long = "Here is everything I tried so far. " * 10
    ctx = DecisionContext(page_url="https://app.example.com/account/cancel")
    _, d, at = run([("customer", "quick question"), ("ai", "Sure!", 0.9), ("customer", long)], ctx)
    assert at == 2 and {"page_context", "length_jump"} <= triggers(d) and d.category == "cancellation"


def test_complexity_counts_topics() -> None:
    _, d, at = run([
        ("customer", "how do I bill a client for hours?"), ("ai", "Export the timesheet.", 0.9),
        ("customer", "how do I turn on SSO login for my team?"), ("ai", "Security, SSO.", 0.9),
        ("customer", "and how do I add seats to the account?"), ("ai", "Under Billing, Seats.", 0.9),
        ("customer", "where do I see the seat count?"), ("ai", "I think it is on the Members page.", 0.8),
    ])
    assert at == 7 and {"complexity", "hedging"} <= triggers(d)


@pytest.mark.parametrize("account", [AccountSignals(tier="Enterprise"), AccountSignals(churn_risk=True)])
def test_account_signals_lower_the_bar(account: AccountSignals) -> None:
    turns = [("customer", "Can we get a dedicated IP?"), ("ai", "Dedicated IPs may be available.", 0.5)]
    _, _, at_plain = run(turns)
    assert at_plain is None
    _, d, at = run(turns, DecisionContext(account=account))
    assert at == 1 and "low_confidence" in triggers(d)
    assert triggers(d) & {"account_tier", "churn_risk"}
    assert d.priority in ("high", "urgent")


def test_tier_lowers_the_weak_threshold() -> None:
    s = TriggerSettings.model_validate({"account_tier": {"threshold_reduction": 1.0}})
    turns = [("customer", "Which plan has audit logs?", None, "https://app.example.com/billing/plans"),
             ("ai", "Business and Enterprise.", 0.9)]
    _, _, at_plain = run(turns, settings=s)
    assert at_plain is None
    _, d, at = run(turns, DecisionContext(account=AccountSignals(tier="vip")), settings=s)
    assert at == 0 and triggers(d) == {"page_context", "account_tier"}


def test_disabled_trigger_does_not_fire() -> None:
    s = TriggerSettings.model_validate({"explicit_request": {"enabled": False}})
    _, d, at = run([("customer", "agent pls")], settings=s)
    assert at is None


def test_after_handoff_decision_sticks_without_duplicate_reasons() -> None:
    state, d, at = run([("customer", "agent pls"), ("ai", "Connecting you.", 0.9), ("customer", "agent please, a human")])
    assert at == 0 and d.handoff
    assert len(d.reasons) == 1 and d.reasons[0].message_index == 0
    assert state.handoff_at == 0


def test_state_round_trips_through_json_and_continues_identically() -> None:
    turns = [("customer", "The sync broke and we lost files, really upset."), ("ai", "Which one?", 0.5)]
    state, _, _ = run(turns)
    restored = DecisionState.from_json(json.loads(json.dumps(state.to_json())))
    assert restored == state
    nxt = Message("customer", "Drive. We are angry and lost a day of work.", index=2)
    s1, d1 = step(state, nxt, DecisionContext(), S)
    s2, d2 = step(restored, nxt, DecisionContext(), S)
    assert d1 == d2 and s1 == s2 and d1.handoff


def test_state_json_is_what_asdict_gives_and_shares_nothing_with_the_state() -> None:
    import dataclasses

    turns = [("customer", "The sync broke and we lost files, really upset."), ("ai", "I think it's possible.", 0.5),
             ("customer", "This is ridiculous, nothing works"), ("ai", "Let me check that for you.", 0.6)]
    state, _, _ = run(turns)
    out = state.to_json()
    assert out == json.loads(json.dumps(dataclasses.asdict(state)))
    assert state.sentiments and state.customer_fps  # the copy below is of something
    out["sentiments"].append(99.0)
    for v in out["weak"].values():
        v.append("x")
    assert 99.0 not in state.sentiments and all("x" not in v for v in state.weak.values())


def test_step_is_pure() -> None:
    state = initial_state()
    before = json.dumps(state.to_json())
    step(state, Message("customer", "agent pls"), DecisionContext(), S)
    assert json.dumps(state.to_json()) == before


def test_state_stays_small_over_long_conversations() -> None:
    state = initial_state()
    ctx = DecisionContext()
    for i in range(600):
        role = "customer" if i % 2 == 0 else "ai"
        text = f"question number {i} about widget {i * 7} in board {i * 13}" if role == "customer" else f"answer {i}: open board {i * 13}"
        state, d = step(state, Message(role, text, confidence=0.9), ctx, S)
        if d.handoff:
            break
    assert len(json.dumps(state.to_json())) < 6000


def test_message_page_url_updates_current_page() -> None:
    state, _, _ = run([("customer", "hi", None, "https://app.example.com/home"),
                       ("customer", "question", None, "https://app.example.com/settings/billing")])
    assert state.page_url == "https://app.example.com/settings/billing"


def test_trigger_names_are_the_documented_ones() -> None:
    assert set(TRIGGERS) == {
        "explicit_request", "always_human", "negative_sentiment", "sentiment_drop", "frustration", "low_confidence",
        "hedging", "loop_customer", "loop_ai", "length_jump", "complexity", "account_tier", "churn_risk", "page_context",
            "learned_intent", "second_opinion",
    }


def test_declining_offers_is_not_pushback() -> None:
    _, _, at = run([
        ("customer", "book a table for two tonight"), ("ai", "Would you like me to book the 7pm slot?", 0.9),
        ("customer", "No, 8pm please"), ("ai", "Do you want me to add a note?", 0.9),
        ("customer", "no thanks"), ("ai", "Booked for 8pm.", 0.9),
    ])
    assert at is None


def test_correcting_a_detail_is_not_pushback() -> None:
    _, _, at = run([
        ("customer", "book me a table at Luigi's"), ("ai", "For which day and time?", 0.9),
        ("customer", "Friday at 7"), ("ai", "I have Friday the 14th at 7pm at Luigi's.", 0.9),
        ("customer", "No, it's the day before, the 13th"), ("ai", "Thursday the 13th at 7pm, then.", 0.9),
        ("customer", "No, make it 8:30 instead"), ("ai", "Thursday the 13th at 8:30pm.", 0.9),
    ])
    assert at is None


def test_a_correction_with_frustration_is_still_pushback() -> None:
    _, d, at = run([
        ("customer", "book me a table at Luigi's on the 13th"), ("ai", "I have Friday the 14th at 7pm.", 0.9),
        ("customer", "No, I said the 13th. this is so annoying"),
    ])
    assert at == 2 and triggers(d) == {"frustration"}


def test_repeated_corrections_escalate_as_frustration() -> None:
    _, d, at = run([
        ("customer", "find me a dentist in Gilroy"), ("ai", "How about Albert Lee in Gilroy?", 0.9),
        ("customer", "No please find someone else."), ("ai", "How about Amy Tran in Gilroy?", 0.9),
        ("customer", "No, someone else please."),
    ])
    assert at == 4 and triggers(d) == {"frustration"}


@pytest.mark.parametrize("text", [
    "it says NO INFORMATION. where is my bag. asking third time",
    "i went there with ID and code. it's not there. same answer 3 times",
    "te digo por tercera vez que ya puse pilas nuevas",
    "ich schreib das jetzt zum dritten Mal: die Mail kommt nicht an",
    "je le dis pour la troisième fois, le code ne marche pas",
    "pela terceira vez: o boleto não aparece",
])
def test_a_customer_counting_their_repeats_is_frustrated(text: str) -> None:
    _, d, at = run([("customer", "my parcel has not arrived"), ("ai", "Please check the tracking page.", 0.9),
                    ("customer", text)])
    assert at == 2 and "frustration" in triggers(d)
