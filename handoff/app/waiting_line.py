"""The line as it stands now: each unclaimed handoff's place among its team's waiting handoffs, and its wait.

Read by the waiting job (jobs/waiting.py) and by a customer's choice of a callback (handoff.app.choices), so
both tell the customer the same thing.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.core.handoff_status import HandoffStatus
from handoff.core.route import Roster, RoutingSettings
from handoff.core.route.hours import Schedule
from handoff.core.route.router import available_slots
from handoff.core.waiting import callback_slot, live_wait_seconds
from handoff.storage.tables import HandoffRow


@dataclass(frozen=True)
class InLine:
    """One unclaimed handoff's place and wait now."""

    handoff_id: str
    team: str
    position: int | None  # None: a named agent is assigned, nobody is ahead in a line
    wait_seconds: int
    waiting_since: datetime


def waiting_rows(s: Session) -> Sequence[tuple[str, str, str | None, datetime, datetime | None]]:
    """(id, team, agent, created_at, callback_fired_at) of every open, unclaimed handoff, oldest first."""
    return s.execute(select(HandoffRow.id, HandoffRow.team, HandoffRow.agent, HandoffRow.created_at,
                            HandoffRow.callback_fired_at)
                     .where(HandoffRow.status == HandoffStatus.OPEN.value, HandoffRow.claimed_by.is_(None))
                     .order_by(HandoffRow.created_at, HandoffRow.id)).all()


def the_line(s: Session, roster: Roster, routing: RoutingSettings, now: datetime) -> list[InLine]:
    """Every open, unclaimed handoff with its live place in its team's line (by created_at) and its wait."""
    seen: dict[str, int] = {}
    out = []
    for hid, team, agent, created_at, fired_at in waiting_rows(s):
        position = None
        if agent is None:
            seen[team] = position = seen.get(team, 0) + 1
        out.append(InLine(hid, team, position, wait_for(team, position, roster, routing, now),
                          fired_at or created_at))  # a callback's wait starts when it fires
    return out


def place_of(s: Session, handoff_id: str, roster: Roster, routing: RoutingSettings, now: datetime) -> InLine | None:
    """One waiting handoff's live place and wait (None once it is claimed, released or called back)."""
    return next((p for p in the_line(s, roster, routing, now) if p.handoff_id == handoff_id), None)


def wait_for(team: str, position: int | None, roster: Roster, routing: RoutingSettings, now: datetime) -> int:
    """The expected wait of the `position`th in `team`'s line, from the team's slots and handle time now."""
    settings = routing.team_map.get(team)
    slots = available_slots(settings, roster, now, routing) if settings is not None else 0
    handle = roster.handle_seconds.get(team) or routing.default_handle_seconds
    return live_wait_seconds(position, handle_seconds=handle, slots=slots, pickup_seconds=routing.pickup_seconds)


def callback_at(team: str, wait_seconds: int, routing: RoutingSettings, now: datetime) -> datetime:
    """The next free slot for a callback: when the line reaches the customer, within the team's hours."""
    settings = routing.team_map.get(team)
    if settings is None:
        return callback_slot(now, wait_seconds, Schedule.always())  # a team since removed from settings
    return callback_slot(now, wait_seconds, routing.team_schedule(settings), delay_minutes=routing.callback_delay_minutes)
