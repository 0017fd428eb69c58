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
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal, overload

from handoff.core.measure.offers import offer_stats
from handoff.core.measure.quality import PARTS, QualityScore, score_handoff
from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.records import ConversationRecord, HandoffRecord


@overload
def _utc(dt: datetime) -> datetime: ...
@overload
def _utc(dt: datetime | None) -> datetime | None: ...


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
    return max(0.0, (_utc(b) - _utc(a)).total_seconds())


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
    d = _utc(t).date()
    return d - timedelta(days=d.weekday()) if bucket == "week" else d


def _repeated(handoffs: Sequence[HandoffRecord], everything: Sequence[HandoffRecord], days: int) -> tuple[int, int]:
    """(repeated, eligible): handoffs with an email followed by another contact within `days`."""
    by_key: dict[tuple[str, str | None], list[tuple[datetime, str]]] = defaultdict(list)
    for h in everything:
        if h.customer_email:
            key = (h.customer_email.strip().lower(), h.category)
            by_key[key].append((_utc(h.created_at), h.conversation_id))
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
        i = bisect.bisect_right(later, start, key=lambda x: x[0])
        j = bisect.bisect_right(later, start + window, key=lambda x: x[0])
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
        # from the handoff to its claim: how long the customer waited for a person to take it
        "time_to_claim_seconds": distribution(s for h in hs if (s := _seconds(h.created_at, h.claimed_at)) is not None),
        **offer_stats(hs),
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
                "created_at": _utc(h.created_at).isoformat(),
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
    scores: dict[str, QualityScore],
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


def _by_team(hs: Sequence[HandoffRecord], scores: dict[str, QualityScore]) -> dict[str, dict[str, Any]]:
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
