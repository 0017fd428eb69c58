"""The back-test report as rich tables for the terminal."""
from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table

from handoff.app.backtest.report import BacktestReport


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
    if report.topic_accuracy is not None:
        rows.append(("routed on the labelled topic", f"{report.topic_accuracy:.1%} of {report.topic_labelled}"))
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
