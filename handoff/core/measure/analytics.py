"""Handoff analytics: the metrics of `handoff stats` computed from stored records (pure, no I/O).

Conventions (the numbers are only comparable if these stay fixed):
- Windows are half-open: `since <= t < until`, on handoffs' `created_at` and conversations'
  `started_at`. With a time window, conversations without `started_at` are left out. Naive
  datetimes are read as UTC. Timeline buckets are UTC days, or ISO weeks starting on Monday.
- Durations: `median` is the usual median (mean of the two middle values for an even count);
  `p90` is the nearest-rank percentile (the ceil(0.9 n)-th smallest value, always an observed
  value). Both are None with no data.
- `handoff_rate` = conversations handed off (distinct `conversation_id` of the handoffs) ÷
  conversations; 0.0 with no conversations. Every other rate is None when its denominator is 0.
- Team filter: an AI-only conversation has no team, so with `team` set the denominator stays all
  conversations of the window: the rate reads "share of all conversations handed to this team".
  AI-only CSAT is likewise the baseline of all AI-only conversations, whatever the team.
- Repeat contact: a handoff with a customer email counts as repeated when another handoff of a
  different conversation, same email (case-insensitive) and same category (None matches None)
  was created after it and at most `repeat_window_days` later. The follow-up is looked for among
  all records given, not only the filtered ones: a customer coming back after `until` or to
  another team still came back.
- `by_reason` and `trigger_precision` count a trigger once per handoff. A trigger's precision is
  1 - (its handoffs flagged "AI could have handled this") ÷ (its handoffs); `confirmed` counts
  its handoffs that were claimed or solved and not flagged.
- `now` (optional; pass the report's time): unsolved handoffs are then also judged on the time
  already waited (see handoff.core.measure.quality); without it they are judged only on what is recorded.
"""
from __future__ import annotations

import bisect
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


@dataclass(frozen=True)
class HandoffRecord:
    """One handoff as the metrics see it (built from the store; all times aware UTC)."""

    id: str
    conversation_id: str
    team: str
    category: str | None
    priority: str
    triggers: tuple[str, ...]  # trigger names of its reasons, in order, unique
    created_at: datetime  # when the handoff was decided
    conversation_started_at: datetime | None  # first message of the conversation (sent_at, else received_at)
    claimed_at: datetime | None
    first_response_at: datetime | None  # first public human reply (Zendesk); None when unknown
    solved_at: datetime | None
    reassigned: int  # times it moved to another agent after the first assignment
    unnecessary: bool  # an agent said "AI could have handled this"
    csat: str | None  # "good" | "bad" | None
    customer_email: str | None
    sources: dict[str, str]  # enrichment source -> "ok" | "unavailable" | "not_configured"
    briefing_fields: dict[str, bool]  # briefing field -> present
    pre_handoff_customer_texts: tuple[str, ...]  # customer messages up to the handoff
    post_handoff_customer_texts: tuple[str, ...]  # customer messages after it
    summary: str
    topic: str = "general"  # what the case was about (billing, technical, account_access...)


@dataclass(frozen=True)
class ConversationRecord:
    """One conversation (with or without handoff)."""

    id: str
    started_at: datetime | None
    handed_off: bool
    csat: str | None  # satisfaction of AI-only conversations (Zendesk flow); None when unknown
    team: str | None = None  # the handoff's team when handed off


PRIORITIES = ("low", "normal", "high", "urgent")
DEFAULT_RESOLUTION_TARGETS = {"urgent": 4 * 3600, "high": 8 * 3600, "normal": 24 * 3600, "low": 72 * 3600}
DEFAULT_FIRST_RESPONSE_TARGETS = {"urgent": 15 * 60, "high": 3600, "normal": 4 * 3600, "low": 24 * 3600}


class QualityWeights(BaseModel):
    """Weights of the four parts of the quality score; they sum to 1."""

    model_config = ConfigDict(extra="forbid")

    context: float = Field(0.25, ge=0, le=1)
    routing: float = Field(0.25, ge=0, le=1)
    smoothness: float = Field(0.25, ge=0, le=1)
    speed: float = Field(0.25, ge=0, le=1)

    @model_validator(mode="after")
    def _sum_to_one(self) -> QualityWeights:
        total = self.context + self.routing + self.smoothness + self.speed
        if abs(total - 1.0) > 0.001:
            raise ValueError(f"weights must sum to 1 (they sum to {total:g})")
        return self


def _targets(defaults: dict[str, int], v: Any) -> dict[str, float]:
    """A per-priority table of seconds merged over the defaults (a table may name only some)."""
    if not isinstance(v, dict):
        raise ValueError("must be a table of priority = seconds")
    unknown = sorted(set(v) - set(PRIORITIES))
    if unknown:
        raise ValueError(f"unknown priorities {unknown}; use {list(PRIORITIES)}")
    merged = {**defaults, **v}
    for k, s in merged.items():
        if isinstance(s, bool) or not isinstance(s, int | float) or s <= 0:
            raise ValueError(f"{k}: must be a positive number of seconds")
    return {k: float(s) for k, s in merged.items()}


class QualitySettings(BaseModel):
    """The `[quality]` section: how handoffs are scored and how far repeat contacts are looked for."""

    model_config = ConfigDict(extra="forbid")

    weights: QualityWeights = QualityWeights()
    # per priority; a table may name only the priorities it changes
    resolution_target_seconds: dict[str, float] = Field(
        default_factory=lambda: _targets(DEFAULT_RESOLUTION_TARGETS, {})
    )
    first_response_target_seconds: dict[str, float] = Field(
        default_factory=lambda: _targets(DEFAULT_FIRST_RESPONSE_TARGETS, {})
    )
    zero_at_multiple: float = Field(3.0, gt=1, le=100)
    context_sources_weight: float = Field(0.5, ge=0, le=1)
    smoothness_threshold: float = Field(85.0, ge=0, le=100)
    smoothness_min_words: int = Field(3, ge=1, le=50)
    repeat_penalty: float = Field(0.5, gt=0, le=1)
    repeat_window_days: int = Field(7, ge=1, le=365)
    worst_count: int = Field(10, ge=0, le=1000)

    @field_validator("resolution_target_seconds", mode="before")
    @classmethod
    def _resolution(cls, v: Any) -> dict[str, float]:
        return _targets(DEFAULT_RESOLUTION_TARGETS, v)

    @field_validator("first_response_target_seconds", mode="before")
    @classmethod
    def _first_response(cls, v: Any) -> dict[str, float]:
        return _targets(DEFAULT_FIRST_RESPONSE_TARGETS, v)

    def resolution_target_for(self, priority: str) -> float:
        """Resolution target (seconds) of a priority; unknown priorities get the "normal" one."""
        return self.resolution_target_seconds.get(priority, self.resolution_target_seconds["normal"])

    def first_response_target_for(self, priority: str) -> float:
        """First-response target (seconds) of a priority; unknown priorities get the "normal" one."""
        return self.first_response_target_seconds.get(priority, self.first_response_target_seconds["normal"])


def _utc(dt: datetime | None) -> datetime | None:
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _in_window(t: datetime | None, since: datetime | None, until: datetime | None) -> bool:
    if since is None and until is None:
        return True
    t = _utc(t)
    if t is None:
        return False
    return (since is None or t >= since) and (until is None or t < until)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _seconds(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, (_utc(b) - _utc(a)).total_seconds())  # type: ignore[operator]


def distribution(values: Iterable[float]) -> dict[str, Any]:
    """Median and nearest-rank p90 of durations in seconds (None with no data)."""
    xs = sorted(values)
    if not xs:
        return {"median": None, "p90": None, "count": 0}
    p90 = xs[max(0, math.ceil(0.9 * len(xs)) - 1)]
    return {"median": round(statistics.median(xs), 1), "p90": round(p90, 1), "count": len(xs)}


def _mean(xs: Sequence[float]) -> float | None:
    return round(statistics.fmean(xs), 1) if xs else None


def _csat(ratings: Iterable[str | None]) -> dict[str, Any]:
    c = Counter(r for r in ratings if r in ("good", "bad"))
    return {"good": c["good"], "bad": c["bad"], "rate": _ratio(c["good"], c["good"] + c["bad"])}


def _bucket_start(t: datetime, bucket: str) -> date:
    d = _utc(t).date()  # type: ignore[union-attr]
    return d - timedelta(days=d.weekday()) if bucket == "week" else d


def _repeated(handoffs: Sequence[HandoffRecord], everything: Sequence[HandoffRecord], days: int) -> tuple[int, int]:
    """(repeated, eligible): handoffs with an email followed by another contact within `days`."""
    by_key: dict[tuple[str, str | None], list[tuple[datetime, str]]] = defaultdict(list)
    for h in everything:
        if h.customer_email:
            key = (h.customer_email.strip().lower(), h.category)
            by_key[key].append((_utc(h.created_at), h.conversation_id))  # type: ignore[arg-type]
    for v in by_key.values():
        v.sort(key=lambda x: x[0])
    window = timedelta(days=days)
    repeated = eligible = 0
    for h in handoffs:
        if not h.customer_email:
            continue
        eligible += 1
        later = by_key[(h.customer_email.strip().lower(), h.category)]
        start = _utc(h.created_at)
        i = bisect.bisect_right(later, start, key=lambda x: x[0])  # type: ignore[arg-type,operator]
        j = bisect.bisect_right(later, start + window, key=lambda x: x[0])  # type: ignore[operator]
        if any(cid != h.conversation_id for _, cid in later[i:j]):
            repeated += 1
    return repeated, eligible


def compute_stats(
    handoffs: Sequence[HandoffRecord],
    conversations: Sequence[ConversationRecord],
    *,
    settings: QualitySettings,
    since: datetime | None = None,
    until: datetime | None = None,
    team: str | None = None,
    bucket: Literal["day", "week"] = "day",
    now: datetime | None = None,
) -> dict[str, Any]:
    """Every metric of `handoff stats` over the window (see the module docstring); JSON-ready."""
    from handoff.core.measure.quality import PARTS, score_handoff  # here: quality imports this module's records

    if bucket not in ("day", "week"):
        raise ValueError("bucket must be 'day' or 'week'")
    since, until, now = _utc(since), _utc(until), _utc(now)
    hs = [h for h in handoffs if _in_window(h.created_at, since, until) and (team is None or h.team == team)]
    cs = [c for c in conversations if _in_window(c.started_at, since, until)]
    handed = {h.conversation_id for h in hs}

    scores = {h.id: score_handoff(h, settings, now=now) for h in hs}
    totals = [s.total for s in scores.values()]

    by_reason: Counter[str] = Counter()
    for h in hs:
        by_reason.update(dict.fromkeys(h.triggers, 1))
    by_category = Counter(h.category or "uncategorized" for h in hs)
    by_topic = Counter(h.topic for h in hs)

    repeated, eligible = _repeated(hs, handoffs, settings.repeat_window_days)

    csat_h = _csat(h.csat for h in hs)
    csat_ai = _csat(c.csat for c in cs if not c.handed_off)
    diff = None
    if csat_h["rate"] is not None and csat_ai["rate"] is not None:
        diff = round(csat_h["rate"] - csat_ai["rate"], 4)

    worst = sorted(hs, key=lambda h: (scores[h.id].total, _utc(h.created_at), h.id))[: settings.worst_count]

    return {
        "filters": {
            "since": since.isoformat() if since else None,
            "until": until.isoformat() if until else None,
            "team": team,
            "bucket": bucket,
        },
        "conversations": len(cs),
        "handoffs": len(hs),
        "handoff_rate": round(len(handed) / len(cs), 4) if cs else 0.0,
        "by_reason": _ranked(by_reason),
        "by_category": _ranked(by_category),
        "by_topic": _ranked(by_topic),
        "time_to_handoff_seconds": distribution(
            s for h in hs if (s := _seconds(h.conversation_started_at, h.created_at)) is not None
        ),
        "time_to_first_human_response_seconds": distribution(
            s for h in hs if (s := _seconds(h.created_at, h.first_response_at)) is not None
        ),
        "resolution_seconds": distribution(s for h in hs if (s := _seconds(h.created_at, h.solved_at)) is not None),
        "csat": {"handoff": csat_h, "ai_only": csat_ai, "difference": diff},
        "repeat_contact_rate": _ratio(repeated, eligible),
        "repeat_contacts": {"repeated": repeated, "with_email": eligible},
        "unnecessary_rate": _ratio(sum(h.unnecessary for h in hs), len(hs)),
        "quality_score": {
            "mean": _mean(totals),
            "median": round(statistics.median(totals), 1) if totals else None,
            "count": len(totals),
            "parts_mean": {
                p: round(statistics.fmean(s.parts[p] for s in scores.values()), 3) if hs else None for p in PARTS
            },
        },
        "worst_handoffs": [
            {
                "id": h.id,
                "conversation_id": h.conversation_id,
                "team": h.team,
                "created_at": _utc(h.created_at).isoformat(),  # type: ignore[union-attr]
                "score": scores[h.id].total,
                "parts": dict(scores[h.id].parts),
                "notes": list(scores[h.id].notes),
                "summary": h.summary,
            }
            for h in worst
        ],
        "trigger_precision": _trigger_precision(hs),
        "timeline": _timeline(hs, cs, scores, since, until, bucket),
        "by_team": _by_team(hs, scores),
    }


def _ranked(c: Counter[str]) -> dict[str, int]:
    return dict(sorted(c.items(), key=lambda kv: (-kv[1], kv[0])))


def _trigger_precision(hs: Sequence[HandoffRecord]) -> dict[str, dict[str, Any]]:
    """Per trigger: how often agents said the AI could have handled its handoffs, and how many held up."""
    rows: dict[str, dict[str, int]] = defaultdict(lambda: {"handoffs": 0, "flagged_unnecessary": 0, "confirmed": 0})
    for h in hs:
        for trig in dict.fromkeys(h.triggers):
            r = rows[trig]
            r["handoffs"] += 1
            r["flagged_unnecessary"] += h.unnecessary
            r["confirmed"] += (not h.unnecessary) and (h.solved_at is not None or h.claimed_at is not None)
    out = {}
    for trig in sorted(rows, key=lambda t: (-rows[t]["handoffs"], t)):
        r = rows[trig]
        out[trig] = {**r, "precision": round(1 - r["flagged_unnecessary"] / r["handoffs"], 4)}
    return out


def _timeline(
    hs: Sequence[HandoffRecord],
    cs: Sequence[ConversationRecord],
    scores: dict[str, Any],
    since: datetime | None,
    until: datetime | None,
    bucket: str,
) -> list[dict[str, Any]]:
    """One row per bucket from the first to the last (the window's edges when given), gaps included."""
    convs: Counter[date] = Counter(_bucket_start(c.started_at, bucket) for c in cs if c.started_at is not None)
    hand: dict[date, list[HandoffRecord]] = defaultdict(list)
    for h in hs:
        hand[_bucket_start(h.created_at, bucket)].append(h)
    keys = set(convs) | set(hand)
    first = _bucket_start(since, bucket) if since else (min(keys) if keys else None)
    last = _bucket_start(until - timedelta(microseconds=1), bucket) if until else (max(keys) if keys else None)
    if first is None or last is None:
        return []
    step = timedelta(days=7 if bucket == "week" else 1)
    rows = []
    d = first
    while d <= last:
        bh = hand.get(d, [])
        n = convs.get(d, 0)
        rows.append(
            {
                "start": d.isoformat(),
                "conversations": n,
                "handoffs": len(bh),
                "rate": round(len({h.conversation_id for h in bh}) / n, 4) if n else None,
                "quality_mean": _mean([scores[h.id].total for h in bh]),
            }
        )
        d += step
    return rows


def _by_team(hs: Sequence[HandoffRecord], scores: dict[str, Any]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[HandoffRecord]] = defaultdict(list)
    for h in hs:
        groups[h.team].append(h)
    out = {}
    for name in sorted(groups, key=lambda t: (-len(groups[t]), t)):
        g = groups[name]
        out[name] = {
            "handoffs": len(g),
            "unnecessary_rate": _ratio(sum(h.unnecessary for h in g), len(g)),
            "reassigned_rate": _ratio(sum(h.reassigned > 0 for h in g), len(g)),
            "quality_mean": _mean([scores[h.id].total for h in g]),
            "first_response_median_seconds": distribution(
                s for h in g if (s := _seconds(h.created_at, h.first_response_at)) is not None
            )["median"],
            "resolution_median_seconds": distribution(
                s for h in g if (s := _seconds(h.created_at, h.solved_at)) is not None
            )["median"],
            "csat": _csat(h.csat for h in g),
        }
    return out


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
    changes = [
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
