"""Product signals from the store: a lean read of the handoffs of the period and its baseline, measured in the core."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handoff.core.decide.categories import topic_for
from handoff.core.measure.signal_settings import SignalSettings
from handoff.core.measure.signals import SignalRecord, product_signals
from handoff.storage.tables import HandoffRow

DEFAULT_PERIOD = timedelta(days=7)


def load_signal_records(sessions: sessionmaker[Session], *, since: datetime, until: datetime) -> list[SignalRecord]:
    """The handoffs created in [since, until), with only what signals read (the page and topic from the briefing)."""
    page = HandoffRow.briefing["page_url"].as_string()
    topic = HandoffRow.briefing["topic"].as_string()
    q = (select(HandoffRow.created_at, HandoffRow.team, HandoffRow.category, topic, page)
         .where(HandoffRow.created_at >= since, HandoffRow.created_at < until))
    with sessions() as s:
        rows = s.execute(q).all()
    # handoffs from before topics were stored get the one their category implies
    return [SignalRecord(created_at=at, team=team, category=category, topic=t or topic_for(category, {}), page_url=p)
            for at, team, category, t, p in rows]


def signal_window(since: datetime | None, until: datetime | None, now: datetime) -> tuple[datetime, timedelta] | None:
    """The period signals measure: the stats window, or the last 7 days without a start; None if it is empty."""
    end = until or now
    period = end - since if since is not None else DEFAULT_PERIOD
    return (end, period) if period > timedelta(0) else None


def collect_signals(sessions: sessionmaker[Session], settings: SignalSettings, *, since: datetime | None,
                    until: datetime | None, now: datetime, team: str | None = None) -> dict[str, Any] | None:
    """`signals` of the stats: escalations by page group and topic against their baseline; None for an empty window."""
    window = signal_window(since, until, now)
    if window is None:
        return None
    end, period = window
    records = load_signal_records(sessions, since=end - period * (settings.baseline_weeks + 1), until=end)
    return product_signals(records, end=end, period=period, settings=settings, team=team)
