"""Product signals: escalations by page group and by topic this period against their usual level, spikes flagged.

A spike in handoffs from one product page often means a UX problem or a bug there, not a support problem. For
each page group (handoff.core.pages) and each topic, the count in the period is compared with the mean of the
`baseline_weeks` periods of the same length before it. Only baseline periods that hold any handoff count: a
store that is two weeks old compares with two weeks, and one with no history at all flags nothing (every page
would look new). A key is a spike when it has at least `min_handoffs` in the period and at least `spike_ratio`
times its usual count, or when it had none before.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from handoff.core.measure.signal_settings import SignalSettings
from handoff.core.pages import NO_PAGE


@dataclass(frozen=True)
class SignalRecord:
    """What product signals read of one handoff (a lean query: no transcript, no texts)."""

    created_at: datetime
    team: str
    category: str | None
    topic: str
    page_url: str | None


@dataclass(frozen=True)
class SignalRow:
    """One page group or topic: its count in the period, its usual count, and whether that is a spike."""

    key: str
    current: int
    usual: float  # mean per baseline period that had any handoff
    ratio: float | None  # current / usual; None when it had none before
    spike: bool
    top_reason: str | None  # the most common category of its handoffs in the period
    top_reason_count: int

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"key": self.key, "current": self.current, "usual": round(self.usual, 2),
                "ratio": None if self.ratio is None else round(self.ratio, 2), "spike": self.spike,
                "top_reason": self.top_reason, "top_reason_count": self.top_reason_count}


def _reason_label(category: str | None) -> str:
    return (category or "uncategorized").replace("_", " ")


def _rows(current: Sequence[SignalRecord], baseline: Sequence[tuple[SignalRecord, int]], key_of: Any,
          periods_with_data: int, settings: SignalSettings) -> list[SignalRow]:
    now_counts = Counter(key_of(h) for h in current)
    before = Counter(key_of(h) for h, _period in baseline)
    reasons: dict[str, Counter[str]] = {}
    for h in current:
        reasons.setdefault(key_of(h), Counter())[_reason_label(h.category)] += 1
    rows = []
    for key, n in now_counts.items():
        usual = before[key] / periods_with_data if periods_with_data else 0.0
        ratio = n / usual if usual else None
        spike = bool(periods_with_data) and n >= settings.min_handoffs and (ratio is None or ratio >= settings.spike_ratio)
        top, top_n = min(reasons[key].items(), key=lambda kv: (-kv[1], kv[0]))
        rows.append(SignalRow(key, n, usual, ratio, spike, top, top_n))
    rows.sort(key=lambda r: (not r.spike, -r.current, r.key))
    return rows


def _shown(rows: list[SignalRow], top: int) -> list[SignalRow]:
    """The first `top` rows, and every spike however far down (spikes sort first, so this is rarely longer)."""
    return [r for i, r in enumerate(rows) if i < top or r.spike]


def product_signals(handoffs: Sequence[SignalRecord], *, end: datetime, period: timedelta,
                    settings: SignalSettings, team: str | None = None) -> dict[str, Any]:
    """Handoffs by page group and topic in [end - period, end) against the baseline periods before; JSON-ready."""
    if period <= timedelta(0):
        raise ValueError("period must be positive")
    start = end - period
    weeks = settings.baseline_weeks
    groups = settings.groups()
    hs = [h for h in handoffs if team is None or h.team == team]
    current = [h for h in hs if start <= h.created_at < end]
    baseline: list[tuple[SignalRecord, int]] = []
    for h in hs:
        if h.created_at < start:
            k = int((start - h.created_at) / period)  # 0 = the period just before
            if k < weeks:
                baseline.append((h, k))
    periods_with_data = len({k for _h, k in baseline})

    def page_of(h: SignalRecord) -> str:
        return groups.name_of(h.page_url)

    def topic_of(h: SignalRecord) -> str:
        return h.topic or "general"

    pages = [r for r in _rows(current, baseline, page_of, periods_with_data, settings) if r.key != NO_PAGE]
    topics = _rows(current, baseline, topic_of, periods_with_data, settings)
    spikes = [{"kind": "page", **r.as_dict()} for r in pages if r.spike]
    spikes += [{"kind": "topic", **r.as_dict()} for r in topics if r.spike]
    return {
        "period": {"start": start.isoformat(), "end": end.isoformat(), "days": round(period / timedelta(days=1), 2)},
        "baseline": {"periods": weeks, "periods_with_data": periods_with_data,
                     "start": (start - weeks * period).isoformat()},
        "spike_rule": {"ratio": settings.spike_ratio, "min_handoffs": settings.min_handoffs},
        "pages": [r.as_dict() for r in _shown(pages, settings.top)],
        "topics": [r.as_dict() for r in _shown(topics, settings.top)],
        "without_page": sum(1 for h in current if page_of(h) == NO_PAGE),
        "spikes": spikes,
    }


def _span(days: Any) -> str:
    if days == 7:
        return "this week"
    if days == 1:
        return "today"
    return f"in {days:g} days"


def describe_spike(spike: dict[str, Any], *, days: Any = 7, baseline_periods: int = 4) -> str:
    """One line for a person: "/settings/billing: 31 handoffs this week, 3.4× the usual; top reason: …"."""
    n = spike.get("current", 0)
    ratio = spike.get("ratio")
    before = f"{baseline_periods} week{'' if baseline_periods == 1 else 's'}" if days == 7 else (
        f"{baseline_periods} period{'' if baseline_periods == 1 else 's'} of {days:g} days")
    against = (f"{ratio:.1f}× the usual {spike.get('usual', 0):g}" if ratio is not None
               else f"none in the previous {before}")
    label = f"topic {spike.get('key')}" if spike.get("kind") == "topic" else str(spike.get("key"))
    text = f"{label}: {n} handoff{'' if n == 1 else 's'} {_span(days)}, {against}"
    if spike.get("top_reason"):
        text += f"; top reason: {spike['top_reason']} ({spike.get('top_reason_count', 0)})"
    return text
