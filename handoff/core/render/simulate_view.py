"""How `handoff simulate` prints one conversation's outcome for a person."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from handoff.core.brief import Briefing, transcript_json
from handoff.core.formats.conversations import Conversation
from handoff.core.models import Message


def simulated_briefing(briefing: Briefing, messages: Sequence[Message]) -> dict[str, Any]:
    """`briefing` as `simulate` shows it: with the whole conversation up to the handoff as its transcript
    (a stored handoff carries only the last messages, its full transcript is in the messages table)."""
    return {**briefing.as_dict(), "transcript": transcript_json(messages), "transcript_total": len(messages)}


def render_simulation(conversation: Conversation, result: dict[str, Any]) -> Group:
    """Decision, reasons, route, customer message and the Zendesk note as an agent would see it."""
    parts: list[Any] = []
    head = Text()
    head.append(f"{conversation.id}: ", style="bold")
    if result["decision"] == "handoff":
        head.append(f"HANDOFF after message {result['handoff_at']}", style="bold red")
        head.append(f"  category {result['category']}, priority {result['priority']}")
    else:
        head.append("continue (the AI keeps the conversation)", style="bold green")
    parts.append(head)
    if result["reasons"]:
        t = Table("trigger", "message", "evidence", title="reasons", title_justify="left")
        for r in result["reasons"]:
            t.add_row(r["trigger"], str(r["message_index"]), r["evidence"])
        parts.append(t)
    route = result.get("route")
    if route:
        t = Table(show_header=False, title="route", title_justify="left")
        for key in ("team", "agent_name", "queue_position", "expected_wait_seconds", "callback_at", "fallback_reason"):
            if route.get(key) is not None:
                t.add_row(key, str(route[key]))
        parts.append(t)
        parts.append(Panel(result.get("customer_message") or "", title="customer sees", title_align="left"))
    if result.get("zendesk_note"):
        parts.append(Panel(result["zendesk_note"], title="Zendesk private note", title_align="left"))
    return Group(*parts)
