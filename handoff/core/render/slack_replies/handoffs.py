"""Replies that list handoffs: the queue (and failed deliveries), one handoff's status, callbacks."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from handoff.core.json_values import as_mapping
from handoff.core.render.slack_card import truncate
from handoff.core.render.slack_replies.parts import (
    CALLBACKS_MAX,
    PRIORITY_ICONS,
    QUEUE_ITEMS_MAX,
    REASONS_MAX,
    SUMMARY_CHARS,
    Reply,
    code,
    customer,
    header,
    packed,
    reply,
    section,
    slack_date,
    text,
    words,
)


def _queue_line(item: Mapping[str, Any]) -> str:
    priority = str(item.get("priority") or "normal")
    bits = [f"{PRIORITY_ICONS.get(priority, ':speech_balloon:')} *{text(priority, 20)}*", code(item.get("handoff_id"))]
    if item.get("category"):
        bits.append(text(words(item["category"]), 60))
    if item.get("team"):
        bits.append(f"team {text(item['team'], 60)}")
    bits.append(f"→ {text(item['agent'], 80)}" if item.get("agent") else "unassigned")
    bits.append(f"since {slack_date(item.get('created_at'))}")
    line = " · ".join(bits)
    if item.get("summary"):
        line += f"\n> {text(item['summary'], SUMMARY_CHARS)}"
    return line


def queue_reply(data: Mapping[str, Any], team: str | None = None) -> Reply:
    """Open handoffs, oldest first as given, and deliveries that failed for good."""
    items = list(data.get("open") or [])
    dead = list(data.get("dead_deliveries") or [])
    where = f" in team {text(team, 60)}" if team else ""
    blocks: list[dict[str, Any]] = [header(f"Open handoffs{f' in team {team}' if team else ''}: {len(items)}")]
    if items:
        lines = [_queue_line(i) for i in items[:QUEUE_ITEMS_MAX]]
        if len(items) > QUEUE_ITEMS_MAX:
            lines.append(f"_… and {len(items) - QUEUE_ITEMS_MAX} more_")
        blocks.extend(packed(lines))
    else:
        blocks.append(section(f":tada: Nothing open{where}."))
    if dead:
        head = (f":x: *{len(dead)} deliver{'ies' if len(dead) != 1 else 'y'} failed for good* "
                "(nothing retries them; check the service logs and `handoff stats`):")
        lines = [head] + [
            f"• {code(d.get('handoff_id'))} {text(words(d.get('kind')), 40)}: "
            f"{text(d.get('last_error') or 'no error recorded', 300)}"
            for d in dead[:QUEUE_ITEMS_MAX]
        ]
        if len(dead) > QUEUE_ITEMS_MAX:
            lines.append(f"_… and {len(dead) - QUEUE_ITEMS_MAX} more_")
        blocks.extend(packed(lines))
    fallback = f"{len(items)} open handoffs{where}" + (f", {len(dead)} failed deliveries" if dead else "")
    return reply(fallback, blocks)


def status_reply(data: Mapping[str, Any] | None, handoff_id: str) -> Reply:
    """Where one handoff stands; a clear "not found" when there is no such handoff."""
    if data is None:
        return Reply(f":mag: No handoff {code(handoff_id)}. Ids look like `h_3f9a…` (see the alert's footer).")
    briefing = as_mapping(data.get("briefing"))
    status = str(data.get("status") or "unknown")
    priority = str(data.get("priority") or "normal")
    blocks: list[dict[str, Any]] = [header(f"Handoff {data.get('handoff_id') or handoff_id}: {words(status)}")]
    if briefing.get("summary"):
        blocks.append(section(text(briefing["summary"], 1500)))
    agent = data.get("claimed_by") or data.get("agent")
    rows = [
        ("Priority", f"{PRIORITY_ICONS.get(priority, '')} {text(priority, 20)}".strip()),
        ("Category", text(words(data.get("category") or "–"), 80)),
        ("Team", text(data.get("team") or "–", 80)),
        ("Agent", text(agent, 80) if agent else "unassigned"),
        ("Customer", customer(briefing.get("customer") or "unknown customer")),
        ("Created", slack_date(data.get("created_at"))),
    ]
    if data.get("callback_at"):
        rows.append(("Callback", slack_date(data["callback_at"])))
    if data.get("zendesk_ticket_id"):
        rows.append(("Zendesk", f"ticket #{text(data['zendesk_ticket_id'], 20)}"))
    blocks.append({"type": "section", "fields": [
        {"type": "mrkdwn", "text": truncate(f"*{label}*\n{value}", 2000)} for label, value in rows[:10]
    ]})
    reasons = [r for r in data.get("reasons") or [] if isinstance(r, Mapping)]
    if reasons:
        lines = ["*Why escalated*"] + [
            f"• {text(words(r.get('trigger')), 60)}"
            + (f" [msg {r['message_index'] + 1}]"  # numbered from 1 for people
               if isinstance(r.get("message_index"), int) and r["message_index"] >= 0 else "")
            + (f": “{text(r['evidence'], 200)}”" if r.get("evidence") else "")
            for r in reasons[:REASONS_MAX]
        ]
        blocks.extend(packed(lines))
    deliveries = [d for d in data.get("deliveries") or [] if isinstance(d, Mapping)]
    if deliveries:
        lines = ["*Deliveries*"]
        for d in deliveries[:QUEUE_ITEMS_MAX]:
            line = (f"• {text(words(d.get('kind')), 40)} → {text(d.get('target') or '–', 40)}: "
                    f"*{text(d.get('status'), 20)}*")
            if d.get("attempts"):
                line += f" after {text(d['attempts'], 6)} attempt{'s' if d['attempts'] != 1 else ''}"
            if d.get("last_error") and d.get("status") != "sent":
                line += f" ({text(d['last_error'], 200)})"
            lines.append(line)
        blocks.extend(packed(lines))
    fallback = f"Handoff {text(data.get('handoff_id') or handoff_id, 80)}: {text(words(status), 40)}"
    return reply(fallback, blocks)


def callbacks_reply(items: Sequence[Mapping[str, Any]]) -> Reply:
    """Scheduled callbacks, as given (soonest first)."""
    if not items:
        return Reply(":telephone_receiver: No callbacks scheduled.")
    blocks: list[dict[str, Any]] = [header(f"Scheduled callbacks: {len(items)}")]
    lines = [
        f"• {slack_date(c.get('callback_at'))} · {code(c.get('handoff_id'))} · team {text(c.get('team') or '–', 60)}"
        f" · {customer(c.get('customer'))}"
        for c in items[:CALLBACKS_MAX]
    ]
    if len(items) > CALLBACKS_MAX:
        lines.append(f"_… and {len(items) - CALLBACKS_MAX} more_")
    blocks.extend(packed(lines))
    return reply(f"{len(items)} scheduled callbacks", blocks)
