"""What the Slack app may ask of the service: the Operations protocol (implemented by handoff.app.followups)."""
from __future__ import annotations

from typing import Any, Protocol

from handoff.app.account_lookup import Refreshed
from handoff.app.agents import Agent
from handoff.core.brief.models import AccountFact


class Operations(Protocol):
    """What the Slack app may ask of the service (implemented by handoff.app.followups)."""

    def agent_for_slack_user(self, slack_user_id: str) -> Agent | None:
        """The settings agent with this Slack user id, or None."""
        ...

    async def claim(self, handoff_id: str, agent_id: str) -> dict[str, Any]:
        """Claim a handoff: {"ok", "handoff_id", "status", "claimed_by", "message"}."""
        ...

    async def set_available(self, agent_id: str, available: bool) -> dict[str, Any]:
        """Set an agent's availability: {"agent_id", "available", "active"}."""
        ...

    async def queue(self, team: str | None = None) -> dict[str, Any]:
        """Open handoffs and dead deliveries: {"open": [...], "dead_deliveries": [...]}."""
        ...

    async def status(self, handoff_id: str) -> dict[str, Any] | None:
        """One handoff as GET /v1/handoffs/{id} shows it (no transcript), or None."""
        ...

    async def callbacks(self) -> list[dict[str, Any]]:
        """Upcoming callbacks: [{"handoff_id", "team", "callback_at", "customer"}]."""
        ...

    async def stats(self) -> dict[str, Any]:
        """The `handoff stats --json` object."""
        ...

    async def release(self, handoff_id: str, agent_id: str) -> dict[str, Any]:
        """Hand a handoff's conversation back to the AI: {"ok", "handoff_id", "message"}."""
        ...

    async def mark_unnecessary(self, handoff_id: str, slack_user_id: str) -> dict[str, Any]:
        """Record "AI could have handled this": {"ok", "message"}."""
        ...

    async def lookup(self, email: str) -> tuple[AccountFact, ...]:
        """A customer's account facts by e-mail; raises LookupsOff when lookups are not wired in."""
        ...

    async def refresh(self, handoff_id: str, agent_id: str) -> Refreshed:
        """Fetch a handoff's account facts again and queue the ticket note; NotFoundError, HandoffReleased."""
        ...
