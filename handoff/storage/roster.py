"""The live roster read from the store: who is available, how loaded, the queues, recent handle times."""
from __future__ import annotations

import statistics

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handoff.core.route import AgentLoad, Roster
from handoff.settings import Settings
from handoff.storage.tables import AgentStatusRow, HandoffRow

HANDLE_TIME_SAMPLE = 200  # recent solved handoffs per team behind the expected wait


def load_roster(sessions: sessionmaker[Session], settings: Settings) -> Roster:
    """The live roster: availability as agents set it, open handoffs per agent, the queue per team,
    and each team's recent median handle time (claimed to solved)."""
    handle: dict[str, float] = {}
    with sessions() as s:
        for team in {t.name for t in settings.routing.teams}:
            rows = s.execute(
                select(HandoffRow.claimed_at, HandoffRow.solved_at)
                .where(HandoffRow.team == team, HandoffRow.solved_at.is_not(None), HandoffRow.claimed_at.is_not(None))
                .order_by(HandoffRow.solved_at.desc()).limit(HANDLE_TIME_SAMPLE)
            ).all()
            spans = [(b - a).total_seconds() for a, b in rows if a is not None and b is not None and b >= a]
            if len(spans) >= 5:  # fewer is noise: routing's default_handle_seconds is better
                handle[team] = statistics.median(spans)
        status = {r.agent: r.available for r in s.scalars(select(AgentStatusRow)).all()}
        active = dict(
            s.execute(
                select(HandoffRow.agent, func.count())
                .where(HandoffRow.status.in_(("open", "claimed")), HandoffRow.agent.is_not(None))
                .group_by(HandoffRow.agent)
            ).all()
        )
        queued: dict[str, dict[str, int]] = {}
        for team, priority, n in s.execute(
            select(HandoffRow.team, HandoffRow.priority, func.count())
            .where(HandoffRow.status == "open", HandoffRow.agent.is_(None))
            .group_by(HandoffRow.team, HandoffRow.priority)
        ).all():
            queued.setdefault(team, {})[priority] = int(n)
    agents = tuple(
        AgentLoad(agent=a.id, available=status.get(a.id, True), active=int(active.get(a.id, 0)))
        for a in settings.routing.agents
    )
    return Roster(
        agents=agents,
        queued={team: sum(by.values()) for team, by in queued.items()},
        queued_by_priority=queued,
        handle_seconds=handle,
    )
