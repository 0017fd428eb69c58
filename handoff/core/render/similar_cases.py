"""The briefing's similar cases in the Zendesk note and on the Slack card: what was asked, how it ended.

The stored texts are already masked for a ticket; each renderer masks once more for where it writes
(the card also hides e-mail addresses and phone numbers, and escapes Slack's markup).
"""
from __future__ import annotations

from collections.abc import Callable, Sequence

from handoff.core.brief.text import clip
from handoff.core.similar.models import SimilarCase, took

TITLE_CHARS = 120
CARD_RESOLUTION_CHARS = 200


def _label(c: SimilarCase) -> str:
    return f"ticket #{c.ref}" if c.source == "zendesk" else f"handoff {c.ref}"


def _about(c: SimilarCase) -> str:
    bits = [b for b in (c.topic and c.topic.replace("_", " "), c.page) if b]
    return f" ({', '.join(bits)})" if bits else ""


def note_lines(cases: Sequence[SimilarCase], mask: Callable[[str], str]) -> list[str]:
    """The note's lines: per case what the customer asked, the resolving reply, the tags and the time it took."""
    lines: list[str] = []
    for c in cases:
        lines.append(f"- {_label(c)}{_about(c)}, resolved in {took(c.resolved_in_seconds)}: "
                     f"\"{mask(clip(c.title, TITLE_CHARS))}\"")
        lines.append(f"  Resolution: {mask(c.resolution) if c.resolution else 'no public reply recorded'}")
        if c.tags:
            lines.append(f"  Tags: {mask(', '.join(c.tags))}")
    return lines


def card_lines(cases: Sequence[SimilarCase], mrkdwn: Callable[[str, int], str]) -> list[str]:
    """The card's lines, one per case; `mrkdwn` masks and escapes customer text for Slack and cuts it."""
    lines: list[str] = []
    for c in cases:
        head = mrkdwn(f"{_label(c)}{_about(c)}, {took(c.resolved_in_seconds)}", 200)
        said = mrkdwn(clip(c.title, TITLE_CHARS), TITLE_CHARS + 40)
        how = mrkdwn(clip(c.resolution, CARD_RESOLUTION_CHARS), CARD_RESOLUTION_CHARS + 60) if c.resolution else \
            "_no public reply recorded_"
        tags = f" · tags: {mrkdwn(', '.join(c.tags), 200)}" if c.tags else ""
        lines.append(f"• {head}: “{said}” → {how}{tags}")
    return lines
