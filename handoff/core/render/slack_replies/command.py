"""The `/handoff` command language: the subcommands, and parsing a typed line into a Command."""
from __future__ import annotations

import re
from dataclasses import dataclass

from handoff.core.render.slack_replies.parts import code

COMMANDS: dict[str, tuple[str, str]] = {
    "help": ("help", "this list"),
    "queue": ("queue [team]", "open handoffs (of one team) and deliveries that failed for good"),
    "status": ("status ID", "where one handoff stands: route, agent, deliveries"),
    "claim": ("claim ID", "take a handoff yourself (agents only)"),
    "release": ("release ID", "hand a handoff's conversation back to the AI (agents only)"),
    "available": ("available", "let routing send you new handoffs (agents only)"),
    "away": ("away", "stop new handoffs coming to you; active ones stay yours (agents only)"),
    "callbacks": ("callbacks", "scheduled callbacks to customers, soonest first"),
    "stats": ("stats", "handoff rate, reasons, response times, quality"),
    "lookup": ("lookup EMAIL", "a customer's account facts: Stripe, HubSpot, Zendesk (agents only, only you see it)"),
    "refresh": ("refresh ID", "fetch a handoff's account facts again and note them on its ticket (agents only)"),
}
AGENT_ONLY: frozenset[str] = frozenset({"claim", "release", "available", "away", "lookup", "refresh"})
_NEEDS_ID: frozenset[str] = frozenset({"status", "claim", "release", "refresh"})
_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}[A-Za-z0-9])?)+")
_MAILTO = re.compile(r"mailto:[^|>]*\|")
_HANDOFF_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_TEAM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")


@dataclass(frozen=True)
class Command:
    """One parsed `/handoff` line: a subcommand, its argument, or why it cannot run."""

    name: str  # a key of COMMANDS, or "unknown"
    arg: str | None = None
    error: str | None = None  # a usage problem: shown instead of running the command
    raw: str = ""


def _strip_wrapping(word: str) -> str:
    # people paste ids from the card, where they are in `code` or *bold*
    return word.strip("`*_\"'<>“”‘’")


def parse_command(text: str | None) -> Command:
    """Parse the text after `/handoff` (case-insensitive subcommand; empty means help)."""
    raw = (text or "").strip()
    words = raw.split()
    if not words:
        return Command("help", raw=raw)
    name = words[0].lower()
    rest = [w for w in (_strip_wrapping(w) for w in words[1:]) if w]
    if name not in COMMANDS:
        return Command("unknown", arg=words[0], raw=raw)
    usage = f"usage: `/handoff {COMMANDS[name][0]}`"
    if name in _NEEDS_ID:
        if len(rest) != 1:
            return Command(name, error=usage, raw=raw)
        if not _HANDOFF_ID.fullmatch(rest[0]):
            return Command(name, error=f"{code(rest[0])} is not a handoff id; {usage}", raw=raw)
        return Command(name, arg=rest[0], raw=raw)
    if name == "lookup":
        # Slack turns a typed address into <mailto:a@b.com|a@b.com>: keep what is shown
        address = _MAILTO.sub("", rest[0]) if len(rest) == 1 else ""
        if len(rest) != 1 or len(address) > 254 or not _EMAIL.fullmatch(address):
            shown = f"{code(rest[0])} is not an e-mail address; " if len(rest) == 1 else ""
            return Command(name, error=f"{shown}{usage}", raw=raw)
        return Command(name, arg=address, raw=raw)
    if name == "queue":
        if len(rest) > 1 or (rest and not _TEAM.fullmatch(rest[0])):
            return Command(name, error=usage, raw=raw)
        return Command(name, arg=rest[0] if rest else None, raw=raw)
    if rest:
        return Command(name, error=f"`{name}` takes no argument; {usage}", raw=raw)
    return Command(name, raw=raw)
