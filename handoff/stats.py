"""`handoff stats`: counts from the store (the first slice: volume, reasons, categories, deliveries)."""
from __future__ import annotations

from collections import Counter
from typing import Any

from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffRow


def collect_stats(sessions: sessionmaker[Session]) -> dict[str, Any]:
    """The metrics DESIGN §4 names; those the store cannot yet measure are null."""
    with sessions() as s:
        conversations = s.scalar(select(func.count()).select_from(ConversationRow)) or 0
        handoffs = s.scalar(select(func.count()).select_from(HandoffRow)) or 0
        by_category = dict(s.execute(select(HandoffRow.category, func.count()).group_by(HandoffRow.category)).all())
        by_reason: Counter[str] = Counter()
        for reasons in s.scalars(select(HandoffRow.reasons)):
            for trig in {r.get("trigger") for r in reasons or []}:
                by_reason[trig] += 1
        deliveries = {
            f"{kind}:{status}": n
            for kind, status, n in s.execute(
                select(DeliveryRow.kind, DeliveryRow.status, func.count()).group_by(DeliveryRow.kind, DeliveryRow.status)
            ).all()
        }
    empty = {"median": None, "p90": None}
    return {
        "conversations": conversations,
        "handoffs": handoffs,
        "handoff_rate": round(handoffs / conversations, 4) if conversations else 0.0,
        "by_reason": dict(by_reason.most_common()),
        "by_category": {str(k): v for k, v in by_category.items()},
        "deliveries": deliveries,
        "dead_deliveries": sum(v for k, v in deliveries.items() if k.endswith(":dead")),
        "time_to_handoff_seconds": empty,
        "time_to_first_human_response_seconds": empty,
        "resolution_seconds": empty,
        "csat": None,
        "repeat_contact_rate": None,
        "unnecessary_rate": None,
        "quality_score": None,
    }


def render_stats(data: dict[str, Any]) -> Table:
    """A readable table of the stats."""
    t = Table(title="handoff stats", show_header=False, title_justify="left")
    t.add_column("metric", style="bold")
    t.add_column("value")
    for key, value in data.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}: {v}" for k, v in value.items()) or "-"
        t.add_row(key, "-" if value is None else str(value))
    return t
