"""The shipped labelled examples: zero missed escalations, under 10% false positives, every trigger covered."""
from pathlib import Path

from handoff.app.backtest import run_backtest
from handoff.core.formats.conversations import read_conversations
from handoff.core.decide import TRIGGERS, TriggerSettings

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "conversations.jsonl"


def test_examples_backtest_meets_the_go_live_bar() -> None:
    convs = list(read_conversations(EXAMPLES))
    assert all(len(c.messages) >= 2 for c in convs)
    positives = sum(1 for c in convs if c.label and c.label.escalate)
    assert positives >= 80 and len(convs) - positives >= 80
    report = run_backtest(convs, TriggerSettings())
    d = report.as_dict()
    assert d["false_negatives"] == 0, d["worst_misses"]
    assert d["false_positive_rate"] < 0.10, d["false_positive_examples"]
    assert "learned_intent" in d["by_trigger"]
    # the rules alone meet the bar too, and the examples exercise every one of them (with the learned
    # layer on, it is sometimes the first to fire on a message a weaker rule would also have caught)
    rules = run_backtest(convs, TriggerSettings(learned={"enabled": False})).as_dict()
    assert rules["false_negatives"] == 0 and rules["false_positive_rate"] < 0.10
    # (the second opinion is an LLM asked by the service: a backtest never asks it)
    assert set(rules["by_trigger"]) == set(TRIGGERS) - {"learned_intent", "second_opinion"}


def test_examples_cover_several_languages() -> None:
    texts = " ".join(m.text for c in read_conversations(EXAMPLES) for m in c.messages)
    for word in ("Quiero", "Je voudrais", "Ich möchte", "Como faço"):
        assert word in texts
