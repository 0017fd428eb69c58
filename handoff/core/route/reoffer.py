"""After the first route: passing an unclaimed offer on, and sending a returning conversation back to its agent.

Pure, like the router it builds on:
- `next_offer`: the offer nobody claimed in time goes to the agent routing would pick now with every agent
  already offered it left out (same skills, language, tier, capacity and availability rules); with nobody
  left, to the team's `fallback` team (else the default team), unassigned.
- `within_rehandoff_window` and `back_to_agent`: a conversation handed off again soon after it was handed
  back goes to the agent who had it, while they are available and on shift (their own case: capacity aside).
"""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from handoff.core.models import Route
from handoff.core.route.config import RoutingSettings
from handoff.core.route.hours import is_open
from handoff.core.route.messages import assigned_message, normalize_language, templates_for
from handoff.core.route.router import AgentLoad, Roster, RouteRequest, final_priority, route


@dataclass(frozen=True)
class PriorHandoff:
    """The conversation's last handoff, as a new one of the same conversation needs to know it."""

    id: str
    agent: str | None  # who had claimed it (None: nobody did)
    team: str
    ticket_id: int | None
    released_at: datetime | None


def without(roster: Roster, agents: Collection[str]) -> Roster:
    """The roster with `agents` unavailable (they were offered it already)."""
    left_out = frozenset(agents)
    return replace(roster, agents=(*(AgentLoad(a, available=False) for a in sorted(left_out)),
                                   *(a for a in roster.agents if a.agent not in left_out)))


def fallback_team(team: str, settings: RoutingSettings) -> str:
    """Where an offer goes when no agent is left: the team's fallback, else the default team."""
    current = settings.team_map.get(team)
    return current.fallback if current is not None and current.fallback else settings.default_team


def next_offer(request: RouteRequest, roster: Roster, now: datetime, settings: RoutingSettings,
               offered: Collection[str], team: str) -> Route:
    """Where an offer not claimed in time goes next: an agent never offered it, else the fallback team."""
    r = route(request, without(roster, offered), now, settings)
    if r.agent is not None:
        return r
    t = settings.team_map[fallback_team(team, settings)]
    why = f"nobody left to offer it to: {t.name} team"
    # status stays open: the team's queue, never a callback, whatever route() said about hours
    return replace(r, team=t.name, agent=None, agent_name=None, zendesk_group_id=t.zendesk_group_id,
                   zendesk_assignee_id=None, slack_channel=t.slack_channel, slack_user_id=None, callback_at=None,
                   on_shift=True, fallback_reason=why, reasons=(*r.reasons, why),
                   queue_position=roster.queued.get(t.name, 0) + 1,
                   expected_wait_seconds=r.expected_wait_seconds if r.on_shift else None)


def within_rehandoff_window(prior: PriorHandoff | None, now: datetime, minutes: int) -> bool:
    """Whether a new handoff at `now` continues `prior` (handed back at most `minutes` ago)."""
    if prior is None or prior.released_at is None or minutes <= 0:
        return False
    return now - timedelta(minutes=minutes) <= prior.released_at <= now


def back_to_agent(request: RouteRequest, roster: Roster, now: datetime, settings: RoutingSettings,
                  agent_id: str, team: str) -> Route | None:
    """The route to `agent_id` again (in `team` when they are in it), or None when they are away or off shift."""
    agent = next((a for a in settings.agents if a.id == agent_id), None)
    load = roster.load(agent_id)
    if agent is None or load is None or not load.available:
        return None
    names = [team, *(t for t in agent.teams if t != team)] if team in agent.teams else list(agent.teams)
    on_shift = [settings.team_map[n] for n in names if is_open(settings.agent_schedule(agent, settings.team_map[n]), now)]
    if not on_shift:
        return None
    t, lang = on_shift[0], normalize_language(request.language)
    message = assigned_message(templates_for(lang, settings.messages), customer_name=request.customer_name,
                               agent_name=agent.public_name, team=t.label_for(lang), wait_seconds=settings.pickup_seconds)
    return Route(team=t.name, agent=agent.id, agent_name=agent.name, queue_position=0,
                 expected_wait_seconds=settings.pickup_seconds, on_shift=True, zendesk_group_id=t.zendesk_group_id,
                 zendesk_assignee_id=agent.zendesk_user_id, slack_channel=t.slack_channel,
                 slack_user_id=agent.slack_user_id, reasons=(f"back within the re-handoff window: {agent.name} had it",),
                 customer_message=message, priority=final_priority(request, settings))
