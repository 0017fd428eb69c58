"""Routing: team, agent, priority, hours, callbacks and the customer-facing message."""

from handoff.core.route.config import AgentSettings, RoutingSettings, ScheduleSettings, TeamSettings
from handoff.core.route.hours import Schedule, is_open, next_opening
from handoff.core.route.priority import PrioritySettings, priority_for
from handoff.core.route.router import AgentLoad, Roster, RouteRequest, final_priority, route

__all__ = [
    "AgentLoad",
    "AgentSettings",
    "PrioritySettings",
    "Roster",
    "RouteRequest",
    "RoutingSettings",
    "Schedule",
    "ScheduleSettings",
    "TeamSettings",
    "final_priority",
    "is_open",
    "next_opening",
    "priority_for",
    "route",
]
