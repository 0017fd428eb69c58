"""Who an agent is: the agents settings.toml declares, found by id, Slack user, Zendesk user or e-mail."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Agent:
    """An agent as settings.toml declares them."""

    id: str
    name: str
    slack_user_id: str | None
    email: str | None
    zendesk_user_id: int | None = None


class AgentDirectory:
    """The declared agents and the lookups the Slack app, the Zendesk webhook and the sidebar app make."""

    def __init__(self, declared: Iterable[Any]) -> None:
        self._agents = {a.id: Agent(a.id, a.name, a.slack_user_id, a.email, a.zendesk_user_id) for a in declared}

    def agent(self, agent_id: str) -> Agent | None:
        """An agent by id."""
        return self._agents.get(agent_id)

    def agent_for_slack_user(self, slack_user_id: str) -> Agent | None:
        """The agent whose Slack user id this is, if any."""
        return next((a for a in self._agents.values() if a.slack_user_id == slack_user_id), None)

    def agent_for_email(self, email: str | None) -> Agent | None:
        """The agent with this e-mail address (case-insensitive), if any: who a Zendesk user is."""
        wanted = (email or "").strip().lower()
        if not wanted:
            return None
        return next((a for a in self._agents.values() if (a.email or "").strip().lower() == wanted), None)

    def agent_for_zendesk_user(self, zendesk_user_id: int | None) -> Agent | None:
        """The agent whose Zendesk user id this is, if any."""
        if zendesk_user_id is None:
            return None
        return next((a for a in self._agents.values() if a.zendesk_user_id == zendesk_user_id), None)
