"""What changed between two `compute_stats` results (this week against last), for the digest."""
from __future__ import annotations

from typing import Any

def trend(current: dict[str, Any], previous: dict[str, Any], *, top: int = 5) -> dict[str, Any]:
    """What changed between two `compute_stats` results (this week vs last), for the digest."""

    def delta(a: float | None, b: float | None, digits: int = 4) -> dict[str, Any]:
        return {"current": a, "previous": b, "delta": round(a - b, digits) if a is not None and b is not None else None}

    def q(stats: dict[str, Any]) -> float | None:
        return (stats.get("quality_score") or {}).get("mean")

    def csat(stats: dict[str, Any]) -> float | None:
        return ((stats.get("csat") or {}).get("handoff") or {}).get("rate")

    cur_r: dict[str, int] = current.get("by_reason") or {}
    prev_r: dict[str, int] = previous.get("by_reason") or {}
    changes: list[dict[str, Any]] = [
        {"trigger": t, "current": c, "previous": p, "delta": c - p}
        for t in set(cur_r) | set(prev_r)
        for c, p in [(cur_r.get(t, 0), prev_r.get(t, 0))]
    ]
    changes = [c for c in changes if c["delta"]]
    changes.sort(key=lambda c: (-abs(c["delta"]), c["trigger"]))
    return {
        "conversations": delta(current.get("conversations"), previous.get("conversations"), 0),
        "handoffs": delta(current.get("handoffs"), previous.get("handoffs"), 0),
        "handoff_rate": delta(current.get("handoff_rate"), previous.get("handoff_rate")),
        "unnecessary_rate": delta(current.get("unnecessary_rate"), previous.get("unnecessary_rate")),
        "repeat_contact_rate": delta(current.get("repeat_contact_rate"), previous.get("repeat_contact_rate")),
        "csat_handoff_rate": delta(csat(current), csat(previous)),
        "quality_mean": delta(q(current), q(previous), 1),
        "top_reasons": list(cur_r)[:top],
        "reason_changes": changes[:top],
        "new_reasons": sorted(set(cur_r) - set(prev_r)),
        "gone_reasons": sorted(set(prev_r) - set(cur_r)),
    }
