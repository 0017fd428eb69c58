"""Values in a webhook body, read defensively: Zendesk ids, rendered placeholders (an unrendered one reads
as missing), booleans, times, statuses, satisfaction ratings and tags."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from handoff.core.formats.zendesk_events.model import MAX_ID
from handoff.core.formats.zendesk_events.signature import parse_timestamp

def as_id(value: Any) -> int | None:
    """A Zendesk id from an int or a decimal string; None for anything else (incl. unrendered placeholders)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 < value <= MAX_ID else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 19:
            number = int(text)
            return number if 0 < number <= MAX_ID else None
    return None


def as_text(value: Any) -> str | None:
    """A rendered string value; None when empty or when Zendesk left the placeholder unrendered."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text if text and "{{" not in text else None


def as_bool(value: Any) -> bool | None:
    """A boolean, or its rendered text (true/false, yes/no, 1/0); None otherwise."""
    if isinstance(value, bool):
        return value
    text = as_text(value)
    if text is None:
        return None
    return {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}.get(text.lower())


def as_time(value: Any) -> datetime | None:
    """A rendered ISO-8601 time (UTC when it names no zone), or None."""
    text = as_text(value)
    return parse_timestamp(text) if text else None


def as_status(value: Any) -> str | None:
    """A ticket status in lower case: events say "SOLVED", the {{ticket.status}} placeholder "Solved"."""
    text = as_text(value)
    return text.lower() if text else None


def as_satisfaction(value: Any) -> str | None:
    """'good' / 'bad' / 'offered' / 'unoffered', or a numeric score as text; None when not rated.

    `{{satisfaction.current_rating}}` renders a phrase such as "Good, I'm satisfied".
    """
    text = as_text(value)
    if text is None:
        return None
    word = text.lower().replace(",", " ").split()[0]
    if word in ("good", "bad", "offered", "unoffered"):
        return word
    return word if word.isdigit() else None


def as_tags(value: Any) -> list[str] | None:
    """Tags from a list or a rendered space-separated placeholder; None when absent."""
    if isinstance(value, list):
        return [t for t in value if isinstance(t, str)]
    text = as_text(value)
    return text.split() if text else None
