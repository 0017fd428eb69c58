"""Renderers of a briefing: Zendesk private note, Slack Block Kit card, JSON."""
from __future__ import annotations

from typing import Any

from handoff.core.brief import Briefing


def render_json(b: Briefing) -> dict[str, Any]:
    """The briefing as a JSON-ready dict (what `simulate --json` shows under `briefing`)."""
    return b.as_dict()


__all__ = ["render_json"]
