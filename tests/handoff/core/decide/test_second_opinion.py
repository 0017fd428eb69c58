"""The second opinion in the pure engine: when a turn is in doubt, and what a verdict does to the decision."""
from __future__ import annotations

import pytest

from handoff.core.decide import DecisionContext, TriggerSettings, initial_state, step
from handoff.core.decide.engine import step_with_doubt
from handoff.core.decide.second_opinion import Doubt, Verdict, apply_verdict, doubt_for
from handoff.core.models import Message, Reason

CANDIDATES = (
    "I need to sort out the payment thing from last week",
    "not sure the plan I am on is right for us anymore",
    "the thing with my account from before is still weird",
    "what happens with the money I already paid",
)
YES = Verdict(True, "billing_dispute", "Customer disputes what they paid.")
NO = Verdict(False, None, "A routine question.")


def settings(threshold: float = 0.7, band: float = 0.15, enabled: bool = True) -> TriggerSettings:
    # no per-intent overrides: the probed message's likeliest intent must not bring a threshold of its own
    return TriggerSettings(learned={"threshold": threshold, "thresholds": {}},
                           second_opinion={"enabled": enabled, "band": band})


def first(text: str, s: TriggerSettings, opinion: Verdict | None = None):  # type: ignore[no-untyped-def]
    return step_with_doubt(initial_state(), Message("customer", text), DecisionContext(), s, opinion)


def _probed() -> tuple[str, float]:
    """A message no rule escalates, with the learned layer's probability for it (found at run time, so a
    retrained model keeps the test meaningful)."""
    for text in CANDIDATES:
        _, d, doubt = first(text, settings(threshold=0.99, band=1.0))
        if not d.handoff and doubt is not None and 0.02 <= doubt.probability <= 0.9:
            return text, doubt.probability
    raise AssertionError("no candidate message with a usable learned probability")


TEXT, P = _probed()


def test_unsure_below_the_threshold_a_yes_escalates_with_the_models_category_and_why() -> None:
    s = settings(threshold=P + 0.05, band=0.1)  # just under the threshold, within the band
    _, local, doubt = first(TEXT, s)
    assert not local.handoff and doubt is not None and not doubt.learned_escalates
    _, d, _ = first(TEXT, s, YES)
    assert d.handoff and [r.trigger for r in d.reasons] == ["second_opinion"]
    assert d.reasons[0].evidence == YES.why and d.reasons[0].detail == "escalate: billing_dispute"
    assert d.category == "billing_dispute"
    _, d, _ = first(TEXT, s, NO)
    assert not d.handoff


def test_the_learned_layer_alone_escalating_is_asked_and_a_no_withdraws_its_reason() -> None:
    s = settings(threshold=P - 0.01, band=0.0)  # the layer fires, no rule agrees: they disagree
    _, local, doubt = first(TEXT, s)
    assert [r.trigger for r in local.reasons] == ["learned_intent"] and doubt is not None and doubt.learned_escalates
    _, d, _ = first(TEXT, s, NO)
    assert not d.handoff
    _, d, _ = first(TEXT, s, YES)
    assert [r.trigger for r in d.reasons] == ["learned_intent", "second_opinion"]
    assert d.category == local.category  # the learned intent still names the category


def test_far_from_the_threshold_and_no_one_escalating_is_no_doubt() -> None:
    _, d, doubt = first(TEXT, settings(threshold=min(0.99, P + 0.3), band=0.1))
    assert not d.handoff and doubt is None
    _, d, _ = first(TEXT, settings(threshold=min(0.99, P + 0.3), band=0.1), YES)
    assert not d.handoff  # a verdict on a turn not in doubt is not heard


def test_a_rule_that_escalates_is_never_asked_about_nor_overruled() -> None:
    s = settings(band=1.0)
    _, d, doubt = first("can I talk to a real person please", s)
    assert d.handoff and doubt is None
    _, d2, _ = first("can I talk to a real person please", s, NO)
    assert d2 == d


def test_off_by_default_there_is_no_doubt_and_a_verdict_changes_nothing() -> None:
    s = TriggerSettings(learned={"threshold": P + 0.05})
    assert not s.second_opinion.enabled
    _, d, doubt = first(TEXT, s)
    assert doubt is None
    assert step(initial_state(), Message("customer", TEXT), DecisionContext(), s, YES)[1] == d


def test_ai_turns_and_the_rules_only_engine_are_never_in_doubt() -> None:
    _, _, doubt = step_with_doubt(initial_state(), Message("ai", "Here is how to export a report."),
                                  DecisionContext(), settings(band=1.0))
    assert doubt is None
    s = TriggerSettings(learned={"enabled": False}, second_opinion={"enabled": True, "band": 1.0})
    assert first(TEXT, s)[2] is None


@pytest.mark.parametrize("strong, p, expected", [
    ([], 0.64, True), ([], 0.50, False), ([Reason("learned_intent", 0, "e")], 0.99, True),
    ([Reason("explicit_request", 0, "e")], 0.65, False),
    ([Reason("learned_intent", 0, "e"), Reason("loop_customer", 0, "e")], 0.7, False),
])
def test_doubt_for(strong: list[Reason], p: float, expected: bool) -> None:
    assert (doubt_for(strong, "fraud", p, 0.7, 0.1, 3) is not None) is expected


def test_a_long_why_is_clipped_in_the_reason() -> None:
    out = apply_verdict([], Verdict(True, None, "word " * 100), 2)
    assert out[0].trigger == "second_opinion" and len(out[0].evidence) <= 200 and out[0].detail == "escalate"
    assert Doubt(1, "fraud", 0.6, 0.7, False).threshold == 0.7
