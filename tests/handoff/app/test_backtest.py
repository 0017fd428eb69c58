import json
import os
import threading
from pathlib import Path

import pytest
from rich.console import Console

from handoff.app.backtest import (
    ERROR_KINDS,
    MAX_WORST,
    BacktestError,
    ErrorsFile,
    render_report,
    resolve_jobs,
    run_backtest,
)
from handoff.app.backtest.run import _pool_context
from handoff.core.formats.conversations import Conversation, ConversationFileError, Label
from handoff.core.decide import TriggerSettings
from handoff.core.models import Message

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


def test_caught_escalations_are_scored_on_the_topic_they_were_routed_on() -> None:
    convs = [
        conv("billing-right", ["I was charged twice for May", "Let me look."], Label(True, 0, "billing_dispute", "billing")),
        conv("topic-wrong", ["agent pls", "ok"], Label(True, 0, "explicit_request", "technical")),
        conv("no-topic", ["agent pls", "ok"], Label(True, 0, "explicit_request")),
        conv("missed", ["where is search", "Press /."], Label(True, 0, "frustration", "technical")),
    ]
    for jobs in (1, 2):
        report = run_backtest(convs, S, jobs=jobs)
        d = report.as_dict()
        # only caught escalations that name a topic count: the miss was routed nowhere
        assert (d["topic_labelled"], d["topic_accuracy"]) == (2, 0.5), jobs
    console = Console(record=True, width=140)
    console.print(render_report(report))
    assert "routed on the labelled topic" in console.export_text()
    assert run_backtest(CONVS, S).as_dict()["topic_accuracy"] is None  # no label names a topic


def test_render_report_is_readable() -> None:
    console = Console(record=True, width=140)
    console.print(render_report(run_backtest(CONVS, S)))
    out = console.export_text()
    for text in ("false-positive rate", "By trigger", "explicit_request", "Worst misses", "where is search"):
        assert text in out


def test_empty_input() -> None:
    d = run_backtest([], S).as_dict()
    assert d["conversations"] == 0 and d["recall"] == 1.0 and d["false_positive_rate"] == 0.0


# --- --jobs: the same report from worker processes ---------------------------------------------------------

def mixed(n: int = 90) -> list[Conversation]:
    """Many misses of varied and equal lengths, many false positives, several triggers, late and early."""
    out = []
    for i in range(n):
        kind = i % 6
        pad = ["where is search", "Press /."] * (i % 4)  # lengths repeat: ties must keep input order
        if kind == 0:
            out.append(conv(f"miss-{i}", pad + ["where is search", "Press /."], Label(True, 1, "frustration")))
        elif kind == 1:
            out.append(conv(f"fp-cancel-{i}", pad + ["how do I cancel my subscription", "Billing."],
                            Label(False, None, "routine")))
        elif kind == 2:
            out.append(conv(f"fp-agent-{i}", pad + ["agent pls", "ok"], Label(False, None, "routine")))
        elif kind == 3:
            out.append(conv(f"late-{i}", ["where is search", "Press /.", "agent pls"], Label(True, 0, "explicit")))
        elif kind == 4:
            out.append(conv(f"early-{i}", ["I was charged twice", "Let me look.", "hello?"],
                            Label(True, 2, "billing_dispute")))
        else:
            out.append(conv(f"tn-{i}", pad + ["where is search", "Press /."], Label(False, None, "routine")))
    return out


def rendered(report) -> str:
    console = Console(record=True, width=200)
    console.print(render_report(report))
    return console.export_text()


def run_collecting(convs, **kwargs):
    errors: list[BacktestError] = []
    seen: list[int] = []
    report = run_backtest(convs, S, progress=seen.append, on_error=errors.append, **kwargs)
    return report, errors, seen


@pytest.mark.parametrize("jobs", [2, 0])
def test_jobs_give_the_report_of_one_process(jobs: int) -> None:
    convs = mixed()
    one, one_errors, _ = run_collecting(convs)
    many, many_errors, seen = run_collecting(convs, jobs=jobs, chunk_size=4)  # 23 chunks to merge
    assert many.as_dict() == one.as_dict()
    assert len(one.worst_misses) == MAX_WORST and len(one._fp_samples) == MAX_WORST
    # the order of equal counts and of the examples is the order a single process met them in
    assert list(many.by_trigger) == list(one.by_trigger)
    assert list(many.by_category) == list(one.by_category)
    assert [list(c) for c in many.by_label_category.values()] == [list(c) for c in one.by_label_category.values()]
    assert rendered(many) == rendered(one)
    assert many_errors == one_errors and {e.kind for e in one_errors} == set(ERROR_KINDS)
    assert seen == [*range(4, len(convs), 4), len(convs)]  # progress after each chunk, in order


def test_worst_misses_are_the_shortest_first_in_input_order() -> None:
    convs = mixed()
    misses = [c for c in convs if c.id.startswith("miss-")]
    expected = [c.id for c in sorted(misses, key=lambda c: len(c.messages))][:MAX_WORST]
    report = run_backtest(convs, S, jobs=2, chunk_size=5)
    assert [m.id for m in report.worst_misses] == expected
    assert [m.id for m in report._fp_samples] == [c.id for c in convs if c.id.startswith("fp-")][:MAX_WORST]


def test_workers_are_forked_only_while_no_other_thread_runs(monkeypatch) -> None:
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    assert _pool_context().get_start_method() == "fork"  # nothing to import again: the cheapest start
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert _pool_context().get_start_method() == "forkserver"  # a fork would copy the other thread's locks


def test_jobs_while_another_thread_runs_give_the_same_report() -> None:
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert _pool_context().get_start_method() == "forkserver"
        convs = mixed(30)
        assert run_backtest(convs, S, jobs=2, chunk_size=4).as_dict() == run_backtest(convs, S).as_dict()
    finally:
        stop.set()
        other.join()


def test_a_bad_input_line_stops_a_parallel_run_with_its_error() -> None:
    def convs():
        yield from mixed(20)
        raise ConversationFileError(21, "messages must be a list")

    with pytest.raises(ConversationFileError, match="line 21"):
        run_backtest(convs(), S, jobs=2, chunk_size=4)


def test_jobs_resolve_to_cores() -> None:
    assert resolve_jobs(3) == 3
    assert resolve_jobs(0) == len(os.sched_getaffinity(0))
    with pytest.raises(ValueError):
        resolve_jobs(-1)


# --- errors: every miss, false positive and late or early handoff -------------------------------------------

CARD = "4111 1111 1111 1111"


def test_every_error_with_what_the_engine_did_and_the_customer_words() -> None:
    convs = [*CONVS, conv("fp-card", [f"agent pls, card {CARD} was charged twice"], Label(False, None, "routine"))]
    errors: list[BacktestError] = []
    run_backtest(convs, S, on_error=errors.append)
    by_id = {e.id: e.as_dict() for e in errors}
    assert list(by_id) == ["tp-late", "tp-early", "fn", "fp", "fp-card"]  # input order; right ones left out

    assert by_id["fn"] == {
        "id": "fn", "kind": "missed",
        "label": {"escalate": True, "turn": 1, "category": "frustration"},
        "engine": {"handoff": False, "handoff_at": None, "category": None, "reasons": []},
        "customer_messages": [{"index": 0, "text": "where is search"}],
    }
    fp = by_id["fp"]
    assert fp["kind"] == "false_positive" and fp["engine"]["handoff_at"] == 0
    assert fp["engine"]["category"] == "cancellation"
    assert fp["engine"]["reasons"][0]["trigger"] == "always_human"
    assert set(fp["engine"]["reasons"][0]) == {"trigger", "message_index", "evidence", "detail"}
    assert "cancel" in fp["engine"]["reasons"][0]["evidence"]
    # late: up to the handoff; early: up to the labelled turn; both turns are in view
    late, early = by_id["tp-late"], by_id["tp-early"]
    assert late["kind"] == "late" and late["label"]["turn"] == 0 and late["engine"]["handoff_at"] == 2
    assert [m["index"] for m in late["customer_messages"]] == [0, 2]
    assert late["engine"]["reasons"][0] == {"trigger": "explicit_request", "message_index": 2,
                                             "evidence": "agent pls", "detail": late["engine"]["reasons"][0]["detail"]}
    assert early["kind"] == "early" and early["engine"]["handoff_at"] == 0
    assert [m["index"] for m in early["customer_messages"]] == [0, 2]
    # card numbers are masked wherever the customer is quoted
    card = json.dumps(by_id["fp-card"], ensure_ascii=False)
    # once in the customer message, once in each reason quoting it
    assert CARD not in card and card.count("•••• 1111") == 1 + len(by_id["fp-card"]["engine"]["reasons"])


def test_report_excerpts_mask_card_numbers() -> None:
    convs = [conv("fn-card", [f"my card {CARD} keeps failing", "Try again."], Label(True, 1, "billing")),
             conv("fp-card", [f"agent pls, card {CARD} was charged twice"], Label(False, None, "routine"))]
    d = run_backtest(convs, S).as_dict()
    texts = [d["worst_misses"][0]["text"], d["false_positive_examples"][0]["text"]]
    assert all(CARD not in t and "•••• 1111" in t for t in texts)


def test_errors_file_moves_into_place_only_when_committed(tmp_path: Path) -> None:
    target = tmp_path / "errors.jsonl"
    target.write_text("old\n")
    error = BacktestError("c", "missed", Label(True, 0, None), None, None, (), ((0, "hi"),))
    with pytest.raises(RuntimeError), ErrorsFile.open(target) as out:
        out.write(error)
        raise RuntimeError("the run failed")
    assert target.read_text() == "old\n" and os.listdir(tmp_path) == ["errors.jsonl"]
    with ErrorsFile.open(target) as out:
        out.write(error)
    assert [json.loads(line) for line in target.read_text().splitlines()] == [error.as_dict()]
    assert os.listdir(tmp_path) == ["errors.jsonl"] and out.written == 1


def test_errors_file_refuses_what_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(IsADirectoryError):
        ErrorsFile.open(tmp_path)
    with pytest.raises(FileNotFoundError):
        ErrorsFile.open(tmp_path / "no" / "such" / "dir.jsonl")
