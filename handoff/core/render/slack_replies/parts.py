"""What every reply is made of: the Reply, safe text, Block Kit sections and headers, dates and durations."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from handoff.core.masking import for_slack, for_slack_plain, mask_email
from handoff.core.render.slack_card import SECTION_TEXT_MAX, truncate

QUEUE_ITEMS_MAX = 20  # items listed by `queue`; the rest are counted
CALLBACKS_MAX = 20
REASONS_MAX = 8
SUMMARY_CHARS = 200
FALLBACK_MAX = 300
BLOCKS_MAX = 50
PRIORITY_ICONS = {"urgent": ":rotating_light:", "high": ":warning:", "normal": ":speech_balloon:", "low": ":speech_balloon:"}


@dataclass(frozen=True)
class Reply:
    """A message for Slack: `text` is the notification fallback, or the whole message without blocks."""

    text: str
    blocks: list[dict[str, Any]] | None = None

    def kwargs(self) -> dict[str, Any]:
        """The arguments for ack/respond/chat.postEphemeral."""
        return {"text": self.text, "blocks": self.blocks} if self.blocks else {"text": self.text}


def text(value: Any, limit: int = SECTION_TEXT_MAX) -> str:
    """Any value as safe mrkdwn: masked, escaped, formatting neutralised, on one line, cut."""
    return truncate(for_slack(value), limit)


def code(value: Any) -> str:
    """A value as inline code, cut to 80 characters."""
    return f"`{text(value, 80)}`"


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section block."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": truncate(text, SECTION_TEXT_MAX)}}


def header(text: str) -> dict[str, Any]:
    """A plain-text header block."""
    return {"type": "header", "text": {"type": "plain_text", "text": truncate(for_slack_plain(text), 150), "emoji": True}}


def packed(lines: Iterable[str]) -> list[dict[str, Any]]:
    """Lines packed into as few sections as fit Slack's 3000 characters each."""
    blocks: list[dict[str, Any]] = []
    current: list[str] = []
    size = 0
    for line in lines:
        line = truncate(line, SECTION_TEXT_MAX)
        if current and size + 1 + len(line) > SECTION_TEXT_MAX:
            blocks.append(section("\n".join(current)))
            current, size = [], 0
        current.append(line)
        size += len(line) + (1 if size else 0)
    if current:
        blocks.append(section("\n".join(current)))
    return blocks


def reply(fallback: str, blocks: list[dict[str, Any]]) -> Reply:
    """A Reply with its fallback and blocks cut to Slack's limits."""
    return Reply(truncate(fallback, FALLBACK_MAX), blocks[:BLOCKS_MAX])


def slack_date(value: Any) -> str:
    """A time as Slack's date token (shown in each reader's own time zone), or "–"."""
    if value in (None, ""):
        return "–"
    when: datetime | None = value if isinstance(value, datetime) else None
    if when is None:
        try:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return text(value, 80)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    fallback = when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(when.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def duration(seconds: Any) -> str:
    """Seconds as `45s`, `12m`, `3h 5m`, `2d 4h`; "–" when unknown."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool):
        return "–"
    s = max(0, round(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m"
    if s < 86400:
        return f"{s // 3600}h {s % 3600 // 60}m"
    return f"{s // 86400}d {s % 86400 // 3600}h"


def percent(value: Any) -> str:
    """A share as a percentage with one decimal, or "–"."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "–"
    return f"{value * 100:.1f}%"


def customer(value: Any) -> str:
    """Who the customer is (name and masked e-mail) as safe text."""
    if isinstance(value, Mapping):
        name = value.get("name")
        email = mask_email(value.get("email")) if value.get("email") else None
        who = " ".join(x for x in (name, f"({email})" if email and name else email) if x)
        return text(who or "unknown customer", 200)
    return text(value or "unknown customer", 200)


def words(value: Any) -> str:
    """An identifier as words ("billing_dispute" -> "billing dispute")."""
    return str(value or "").replace("_", " ")
