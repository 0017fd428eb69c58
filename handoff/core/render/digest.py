"""The weekly digest as a Slack message: headline figures with their trend, top reasons, worst handoffs."""
from __future__ import annotations

from typing import Any

from handoff.core.measure.signals import describe_spike
from handoff.core.measure.trend import trend
from handoff.core.masking import for_slack
from handoff.core.render.slack_card import truncate


def _pct(x: Any) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def _delta(d: dict[str, Any], pct: bool = True) -> str:
    delta = d.get("delta")
    if delta is None:
        return ""
    sign = "+" if delta > 0 else ""
    return f" ({sign}{delta * 100:.1f} pts)" if pct else f" ({sign}{delta:.1f})"


def _signals_text(signals: dict[str, Any] | None) -> str | None:
    """Spikes by page and topic against the baseline; None when there is no baseline to compare with."""
    if not signals or not signals.get("baseline", {}).get("periods_with_data"):
        return None
    weeks = signals["baseline"]["periods"]
    spikes = signals.get("spikes") or []
    if not spikes:
        return f"*Product signals*\nNo page or topic spiked against the previous {weeks} weeks."
    # page keys come from customers' URLs and reasons from the decision: masked and neutralised for Slack
    lines = [f"• :warning: {for_slack(describe_spike(sp, days=signals['period']['days'], baseline_periods=weeks))}" for sp in spikes[:8]]
    return "*Product signals: spikes against the previous " + f"{weeks} weeks*\n" + "\n".join(lines)


def render_digest(current: dict[str, Any], previous: dict[str, Any], *, worst_count: int = 5) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and Block Kit blocks of the weekly digest."""
    t = trend(current, previous)
    rate, unnecessary, quality = t["handoff_rate"], t["unnecessary_rate"], t["quality_mean"]
    n, c = current.get("handoffs", 0), current.get("conversations", 0)
    headline = (f"Handoff week: {n} handoff{'' if n == 1 else 's'} in {c} conversation{'' if c == 1 else 's'} "
                f"({_pct(rate.get('current'))})")
    lines = [
        f"*Handoff rate* {_pct(rate.get('current'))}{_delta(rate)}",
        f"*Unnecessary escalations* {_pct(unnecessary.get('current'))}{_delta(unnecessary)}",
        "*Quality score* " + ("n/a" if quality.get("current") is None else f"{quality['current']:.1f}")
        + _delta(quality, pct=False),
        f"*CSAT after handoff* {_pct(t['csat_handoff_rate'].get('current'))}",
    ]
    reasons = [f"• `{for_slack(r['trigger'])}` {r['current']}" + (f" ({r['delta']:+d})" if r.get("delta") else "")
               for r in t.get("reason_changes", [])[:5]]
    # notes and summaries quote customers: masked and neutralised like every text for Slack
    worst = [f"• `{for_slack(h['id'])}` {h['score']:.0f}: {for_slack('; '.join(h.get('notes') or []) or h.get('summary') or '')}"
             for h in (current.get("worst_handoffs") or [])[:worst_count]]
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": truncate("Weekly handoff digest", 150)}},
        {"type": "section", "text": {"type": "mrkdwn", "text": truncate("\n".join(lines), 3000)}},
    ]
    if reasons:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                    "text": truncate("*Top reasons (vs last week)*\n" + "\n".join(reasons), 3000)}})
    signals = _signals_text(current.get("signals"))
    if signals:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": truncate(signals, 3000)}})
    if worst:
        blocks.append({"type": "section", "text": {"type": "mrkdwn",
                                                    "text": truncate("*Lowest-quality handoffs*\n" + "\n".join(worst), 3000)}})
    return headline, blocks
