"""Back-test the trigger settings on labelled conversations: confusion counts, timing, misses."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rich.console import Group
from rich.table import Table

from handoff.conversations import Conversation
from handoff.decide.config import TriggerSettings
from handoff.decide.replay import Replay, replay

MAX_WORST = 10
_EXCERPT_CHARS = 240


@dataclass
class TriggerCount:
    """How often a trigger fired, and how often it was right."""

    fired: int = 0
    true_positives: int = 0
    false_positives: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"fired": self.fired, "true_positives": self.true_positives, "false_positives": self.false_positives}


@dataclass
class Miss:
    """A labelled conversation the engine got wrong."""

    id: str
    kind: str  # false_negative | false_positive
    label_category: str | None
    label_turn: int | None
    handoff_at: int | None
    text: str
    triggers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": {"category": self.label_category, "turn": self.label_turn},
            "handoff_at": self.handoff_at,
            "triggers": list(self.triggers),
            "text": self.text,
        }


@dataclass
class BacktestReport:
    """The outcome of a back-test."""

    conversations: int = 0
    labelled: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    late: int = 0
    early: int = 0
    on_time: int = 0
    handoffs: int = 0
    by_trigger: dict[str, TriggerCount] = field(default_factory=dict)
    by_category: Counter[str] = field(default_factory=Counter)
    by_label_category: dict[str, Counter[str]] = field(default_factory=dict)
    worst_misses: list[Miss] = field(default_factory=list)
    _fp_samples: list[Miss] = field(default_factory=list)
    _miss_candidates: list[tuple[int, Miss]] = field(default_factory=list, repr=False)

    @property
    def false_positive_rate(self) -> float:
        """False positives over all labelled conversations that should not escalate."""
        neg = self.false_positives + self.true_negatives
        return self.false_positives / neg if neg else 0.0

    @property
    def recall(self) -> float:
        """Escalations caught over all labelled conversations that should escalate."""
        pos = self.true_positives + self.false_negatives
        return self.true_positives / pos if pos else 1.0

    @property
    def precision(self) -> float:
        """Right escalations over all escalations of labelled conversations."""
        fired = self.true_positives + self.false_positives
        return self.true_positives / fired if fired else 1.0

    def as_dict(self) -> dict[str, Any]:
        """The `backtest --json` object (DESIGN §4 keys plus details)."""
        return {
            "conversations": self.conversations,
            "labelled": self.labelled,
            "handoffs": self.handoffs,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
            "false_positive_rate": round(self.false_positive_rate, 4),
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "late": self.late,
            "early": self.early,
            "on_time": self.on_time,
            "by_trigger": {k: v.as_dict() for k, v in sorted(self.by_trigger.items())},
            "by_category": dict(sorted(self.by_category.items())),
            "by_label_category": {k: dict(v) for k, v in sorted(self.by_label_category.items())},
            "worst_misses": [m.as_dict() for m in self.worst_misses],
            "false_positive_examples": [m.as_dict() for m in self._fp_samples],
        }


def excerpt(conv: Conversation, upto: int | None = None) -> str:
    """The customer's words, up to the labelled turn, shortened for a table."""
    msgs = conv.messages if upto is None else conv.messages[: upto + 1]
    text = " | ".join(" ".join(m.text.split()) for m in msgs if m.role == "customer")
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "\u2026"


def score_conversation(report: BacktestReport, conv: Conversation, result: Replay) -> None:
    """Add one replayed conversation to the report (call `finish_report` after the last one)."""
    decision = result.decision
    report.conversations += 1
    triggers = tuple(dict.fromkeys(r.trigger for r in decision.reasons)) if decision.handoff else ()
    if decision.handoff:
        report.handoffs += 1
        report.by_category[decision.category or "general"] += 1
        for t in triggers:
            report.by_trigger.setdefault(t, TriggerCount()).fired += 1
    label = conv.label
    if label is None:
        return
    report.labelled += 1
    cat = label.category or "unlabelled"
    per_cat = report.by_label_category.setdefault(cat, Counter())
    if label.escalate and decision.handoff:
        report.true_positives += 1
        per_cat["true_positives"] += 1
        for t in triggers:
            report.by_trigger[t].true_positives += 1
        if label.turn is not None and result.handoff_at is not None:
            if result.handoff_at > label.turn:
                report.late += 1
            elif result.handoff_at < label.turn:
                report.early += 1
            else:
                report.on_time += 1
    elif label.escalate:
        report.false_negatives += 1
        per_cat["false_negatives"] += 1
        # Single-message misses first: those are the plainest phrasing gaps.
        report._miss_candidates.append((len(conv.messages), Miss(conv.id, "false_negative", label.category, label.turn,
                                                                 None, excerpt(conv, label.turn))))
    elif decision.handoff:
        report.false_positives += 1
        per_cat["false_positives"] += 1
        for t in triggers:
            report.by_trigger[t].false_positives += 1
        if len(report._fp_samples) < MAX_WORST:
            report._fp_samples.append(Miss(conv.id, "false_positive", label.category, label.turn,
                                           result.handoff_at, excerpt(conv, result.handoff_at), triggers))
    else:
        report.true_negatives += 1
        per_cat["true_negatives"] += 1


def finish_report(report: BacktestReport) -> BacktestReport:
    """Pick the worst misses once every conversation is scored."""
    report._miss_candidates.sort(key=lambda x: x[0])
    report.worst_misses = [m for _, m in report._miss_candidates[:MAX_WORST]]
    return report


def run_backtest(
    conversations: Iterable[Conversation],
    settings: TriggerSettings,
    progress: Callable[[int], None] | None = None,
) -> BacktestReport:
    """Replay every conversation; score the labelled ones. `progress(n)` is called after each one."""
    report = BacktestReport()
    for n, conv in enumerate(conversations, start=1):
        score_conversation(report, conv, replay(conv, settings))
        if progress is not None:
            progress(n)
    return finish_report(report)


def render_report(report: BacktestReport) -> Group:
    """Rich tables: summary, per trigger, per category, worst misses and sample false positives."""
    summary = Table(title="Backtest", show_header=False)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    rows = [
        ("conversations", report.conversations),
        ("labelled", report.labelled),
        ("handoffs", report.handoffs),
        ("true positives", report.true_positives),
        ("false negatives (missed)", report.false_negatives),
        ("false positives", report.false_positives),
        ("true negatives", report.true_negatives),
        ("recall", f"{report.recall:.1%}"),
        ("false-positive rate", f"{report.false_positive_rate:.1%}"),
        ("precision", f"{report.precision:.1%}"),
        ("early (before labelled turn)", report.early),
        ("on time", report.on_time),
        ("late (after labelled turn)", report.late),
    ]
    for k, v in rows:
        style = "bold red" if k.startswith("false negatives") and report.false_negatives else None
        summary.add_row(k, str(v), style=style)

    triggers = Table(title="By trigger")
    for col in ("trigger", "fired", "true pos.", "false pos."):
        triggers.add_column(col, justify="right" if col != "trigger" else "left")
    for name, c in sorted(report.by_trigger.items(), key=lambda kv: -kv[1].fired):
        triggers.add_row(name, str(c.fired), str(c.true_positives), str(c.false_positives))

    cats = Table(title="By decided category")
    cats.add_column("category")
    cats.add_column("handoffs", justify="right")
    for name, count in report.by_category.most_common():
        cats.add_row(name, str(count))

    parts: list[Any] = [summary, triggers, cats]
    if report.worst_misses:
        worst = Table(title="Worst misses (should have escalated)")
        for col in ("id", "label", "turn", "text"):
            worst.add_column(col, overflow="fold")
        for m in report.worst_misses:
            worst.add_row(m.id, m.label_category or "", str(m.label_turn), m.text)
        parts.append(worst)
    if report._fp_samples:
        fps = Table(title="False positives (sample)")
        for col in ("id", "at", "triggers", "text"):
            fps.add_column(col, overflow="fold")
        for m in report._fp_samples:
            fps.add_row(m.id, str(m.handoff_at), ", ".join(m.triggers), m.text)
        parts.append(fps)
    return Group(*parts)
