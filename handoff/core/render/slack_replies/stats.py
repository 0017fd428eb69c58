"""The `stats` reply: the `handoff stats --json` object as one readable message."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handoff.core.json_values import as_mapping
from handoff.core.render.slack_card import truncate
from handoff.core.render.slack_replies.parts import (
    REASONS_MAX,
    Reply,
    duration,
    header,
    percent,
    reply,
    section,
    text,
    words,
)


def _counts(value: Any, limit: int = REASONS_MAX) -> str:
    if not isinstance(value, Mapping) or not value:
        return "–"
    top = sorted(value.items(), key=lambda kv: (-(kv[1] if isinstance(kv[1], (int, float)) else 0), str(kv[0])))
    shown = ", ".join(f"{text(words(k), 40)} {text(v, 12)}" for k, v in top[:limit])
    return shown + (f", … {len(top) - limit} more" if len(top) > limit else "")


def _spread(value: Any) -> str:
    if not isinstance(value, Mapping):
        return duration(value)
    return f"median {duration(value.get('median'))} · p90 {duration(value.get('p90'))}"


def _plain_value(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, Mapping):
        return _counts(value)
    return text(value, 200)


def _csat(value: Any) -> str:
    if isinstance(value, Mapping):
        handoff = as_mapping(value.get("handoff")).get("rate")
        ai_only = as_mapping(value.get("ai_only")).get("rate")
        return f"{percent(handoff)} / {percent(ai_only)}"
    return percent(value) if isinstance(value, float) else _plain_value(value)


def _quality(value: Any) -> str:
    if isinstance(value, Mapping):
        mean = value.get("mean")
        return "n/a" if mean is None else f"{mean:.1f} / 100 ({value.get('count', 0)} handoffs)"
    return _plain_value(value)


def _offers_line(data: Mapping[str, Any]) -> str:
    """Waiting before a claim, re-offers, hand-backs and re-handoffs, on one line."""
    offers, backs, again = (as_mapping(data.get(k)) for k in ("offers", "hand_backs", "rehandoffs"))
    sources = ", ".join(f"{text(k, 20)} {text(n, 12)}" for k, n in as_mapping(backs.get("by_source")).items())
    return (f"*Waiting before claim*: {_spread(data.get('time_to_claim_seconds'))} · "
            f"*Re-offered*: {_plain_value(offers.get('reoffered', 0))} "
            f"({_plain_value(offers.get('claimed_after_reoffer', 0))} claimed after) · "
            f"*Hand-backs*: {_plain_value(backs.get('total', 0))}" + (f" ({sources})" if sources else "")
            + f" · *Re-handoffs*: {_plain_value(again.get('within_window', 0))}")


def stats_reply(data: Mapping[str, Any]) -> Reply:
    """The `handoff stats --json` object as one readable message."""
    rows: list[tuple[str, str]] = [
        ("Conversations", _plain_value(data.get("conversations"))),
        ("Handoffs", _plain_value(data.get("handoffs"))),
        ("Handoff rate", percent(data.get("handoff_rate"))),
        ("Time to handoff", _spread(data.get("time_to_handoff_seconds"))),
        ("First human response", _spread(data.get("time_to_first_human_response_seconds"))),
        ("Resolution", _spread(data.get("resolution_seconds"))),
        ("CSAT after handoff / AI-only", _csat(data.get("csat"))),
        ("Repeat contact rate", percent(data.get("repeat_contact_rate"))),
        ("Unnecessary rate", percent(data.get("unnecessary_rate"))),
        ("Quality score", _quality(data.get("quality_score"))),
    ]
    blocks: list[dict[str, Any]] = [
        header("Handoff stats"),
        {"type": "section", "fields": [
            {"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", 2000)} for label, value in rows[:10]
        ]},
        section(f"*By reason*: {_counts(data.get('by_reason'))}\n*By category*: {_counts(data.get('by_category'))}"),
        section(_offers_line(data)),
    ]
    dead = data.get("dead_deliveries")
    if isinstance(dead, int) and not isinstance(dead, bool) and dead:
        noun = "deliveries" if dead != 1 else "delivery"
        blocks.append(section(f":x: {dead} {noun} failed for good: see `/handoff queue`."))
    handoffs, rate = _plain_value(data.get("handoffs")), percent(data.get("handoff_rate"))
    fallback = f"Handoff stats: {handoffs} handoffs, rate {rate}"
    return reply(fallback, blocks)
