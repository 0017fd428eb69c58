import json

from rich.console import Console

from handoff.backtest import render_report, run_backtest
from handoff.conversations import Conversation, Label
from handoff.decide import TriggerSettings
from handoff.models import Message

S = TriggerSettings()


def conv(cid: str, texts: list[str], label: Label | None) -> Conversation:
    msgs = tuple(Message("customer" if i % 2 == 0 else "ai", t, index=i, confidence=None if i % 2 == 0 else 0.9)
                 for i, t in enumerate(texts))
    return Conversation(id=cid, messages=msgs, label=label)


CONVS = [
    conv("tp-on-time", ["agent pls", "ok"], Label(True, 0, "explicit_request")),
    conv("tp-late", ["where is search", "Press /.", "agent pls"], Label(True, 0, "explicit_request")),
    conv("tp-early", ["I was charged twice", "Let me look.", "hello?"], Label(True, 2, "billing_dispute")),
    conv("fn", ["where is search", "Press /."], Label(True, 1, "frustration")),
    conv("fp", ["how do I cancel my subscription", "Billing, Cancel."], Label(False, None, "routine")),
    conv("tn", ["where is search", "Press /."], Label(False, None, "routine")),
    conv("unlabelled", ["agent pls"], None),
]


def test_confusion_counts_and_timing() -> None:
    seen: list[int] = []
    r = run_backtest(CONVS, S, progress=seen.append)
    d = r.as_dict()
    assert seen == list(range(1, len(CONVS) + 1))
    assert (d["conversations"], d["labelled"], d["handoffs"]) == (7, 6, 5)
    assert (d["true_positives"], d["false_negatives"], d["false_positives"], d["true_negatives"]) == (3, 1, 1, 1)
    assert (d["late"], d["early"], d["on_time"]) == (1, 1, 1)
    assert d["recall"] == 0.75 and d["false_positive_rate"] == 0.5


def test_per_trigger_and_category_counts() -> None:
    d = run_backtest(CONVS, S).as_dict()
    assert d["by_trigger"]["explicit_request"] == {"fired": 3, "true_positives": 2, "false_positives": 0}
    assert d["by_trigger"]["always_human"]["false_positives"] == 1
    assert d["by_category"]["explicit_request"] == 3
    assert d["by_category"]["cancellation"] == 1


def test_worst_misses_quote_the_customer() -> None:
    d = run_backtest(CONVS, S).as_dict()
    assert [m["id"] for m in d["worst_misses"]] == ["fn"]
    assert "where is search" in d["worst_misses"][0]["text"]
    assert d["worst_misses"][0]["label"]["category"] == "frustration"
    json.dumps(d)  # the --json output must serialise


def test_render_report_is_readable() -> None:
    console = Console(record=True, width=140)
    console.print(render_report(run_backtest(CONVS, S)))
    out = console.export_text()
    for text in ("false-positive rate", "By trigger", "explicit_request", "Worst misses", "where is search"):
        assert text in out


def test_empty_input() -> None:
    d = run_backtest([], S).as_dict()
    assert d["conversations"] == 0 and d["recall"] == 1.0 and d["false_positive_rate"] == 0.0
