"""The back-test report: confusion counts, counts per trigger and category, worst misses, and how one
replayed conversation is scored into it (and partial reports merged)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from handoff.core.decide.replay import Replay
from handoff.core.formats.conversations import Conversation
from handoff.core.masking import CARDS_AND_SECRETS, mask_pii

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
    # caught escalations whose label names a topic, and how many were routed on that topic
    topic_labelled: int = 0
    topic_right: int = 0
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

    @property
    def topic_accuracy(self) -> float | None:
        """Caught escalations routed on their labelled topic, over those whose label names one."""
        return self.topic_right / self.topic_labelled if self.topic_labelled else None

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
            "topic_labelled": self.topic_labelled,
            "topic_accuracy": None if self.topic_accuracy is None else round(self.topic_accuracy, 4),
            "by_trigger": {k: v.as_dict() for k, v in sorted(self.by_trigger.items())},
            "by_category": dict(sorted(self.by_category.items())),
            "by_label_category": {k: dict(v) for k, v in sorted(self.by_label_category.items())},
            "worst_misses": [m.as_dict() for m in self.worst_misses],
            "false_positive_examples": [m.as_dict() for m in self._fp_samples],
        }


def masked(text: str) -> str:
    """Card numbers and secrets masked: what a back-test may show of a customer's words."""
    return mask_pii(text, CARDS_AND_SECRETS)


def excerpt(conv: Conversation, upto: int | None = None) -> str:
    """The customer's words, up to the labelled turn, card numbers and secrets masked, shortened for a table."""
    msgs = conv.messages if upto is None else conv.messages[: upto + 1]
    text = " | ".join(" ".join(masked(m.text).split()) for m in msgs if m.role == "customer")
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
        if label.topic:
            report.topic_labelled += 1
            report.topic_right += decision.topic == label.topic
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


def trim_miss_candidates(report: BacktestReport) -> None:
    # A stable sort by length keeps input order among equals; what is cut here could never be picked.
    """Keep only the candidates the worst misses can still be picked from."""
    report._miss_candidates.sort(key=lambda x: x[0])
    del report._miss_candidates[MAX_WORST:]


def finish_report(report: BacktestReport) -> BacktestReport:
    """Pick the worst misses once every conversation is scored."""
    trim_miss_candidates(report)
    report.worst_misses = [m for _, m in report._miss_candidates]
    return report


def merge_reports(into: BacktestReport, part: BacktestReport) -> None:
    """Add a partial report of the conversations that follow `into`'s (merge parts in input order)."""
    for name in ("conversations", "labelled", "true_positives", "false_positives", "false_negatives",
                 "true_negatives", "late", "early", "on_time", "handoffs", "topic_labelled", "topic_right"):
        setattr(into, name, getattr(into, name) + getattr(part, name))
    for trigger, count in part.by_trigger.items():
        mine = into.by_trigger.setdefault(trigger, TriggerCount())
        mine.fired += count.fired
        mine.true_positives += count.true_positives
        mine.false_positives += count.false_positives
    into.by_category.update(part.by_category)
    for cat, counts in part.by_label_category.items():
        into.by_label_category.setdefault(cat, Counter()).update(counts)
    into._fp_samples.extend(part._fp_samples[: MAX_WORST - len(into._fp_samples)])
    into._miss_candidates.extend(part._miss_candidates)
    trim_miss_candidates(into)
