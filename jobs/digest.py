"""The weekly digest: once a week, at the configured local time, one process posts it to Slack.

The week's key ("2026-W12") is claimed in job_runs, so with several processes it is sent once; a
failed send is retried at the next check.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import structlog
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff.settings import DigestSettings
from handoff.storage.db import changed_rows
from handoff.storage.tables import JobRunRow

log = structlog.get_logger("handoff.digest")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
JOB = "weekly_digest"


def due_period(now: datetime, settings: DigestSettings) -> str | None:
    """The ISO week whose digest is due at `now` ("2026-W12"), or None before this week's send time."""
    local = now.astimezone(ZoneInfo(settings.timezone))
    hour, minute = (int(x) for x in settings.time.split(":"))
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    send_at = (monday + timedelta(days=WEEKDAYS.index(settings.weekday))).replace(hour=hour, minute=minute)
    if local < send_at:
        return None
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def claim_run(sessions: sessionmaker[Session], period: str, owner: str, now: datetime) -> bool:
    """Take this period's run: True for exactly one caller (or for a retry of a failed run)."""
    with sessions() as s:
        s.add(JobRunRow(job=JOB, period=period, status="running", owner=owner, result={}, started_at=now))
        try:
            s.commit()
            return True
        except IntegrityError:
            s.rollback()
        retried = changed_rows(s, update(JobRunRow).where(JobRunRow.job == JOB, JobRunRow.period == period,
                                                          JobRunRow.status == "failed")
                                  .values(status="running", owner=owner, started_at=now)) == 1
        s.commit()
        return retried


def finish_run(sessions: sessionmaker[Session], period: str, owner: str, now: datetime, ok: bool,
               result: dict[str, Any]) -> None:
    """Record how the run ended."""
    with sessions() as s:
        s.execute(update(JobRunRow).where(JobRunRow.job == JOB, JobRunRow.period == period, JobRunRow.owner == owner)
                  .values(status="done" if ok else "failed", finished_at=now, result=result))
        s.commit()


async def run_digest(*, sessions: sessionmaker[Session], settings: DigestSettings, clock: Callable[[], datetime],
                     owner: str, stats_between: Callable[[datetime, datetime], Any],
                     render: Callable[[dict[str, Any], dict[str, Any]], tuple[str, list[dict[str, Any]]]],
                     send: Callable[[str, list[dict[str, Any]]], Any]) -> str | None:
    """Send this week's digest if it is due and nobody sent it; returns the period sent."""
    import asyncio

    if not settings.enabled:
        return None
    now = clock()
    period = due_period(now, settings)
    if period is None or not await asyncio.to_thread(claim_run, sessions, period, owner, now):
        return None
    try:
        current = await asyncio.to_thread(stats_between, now - timedelta(days=7), now)
        previous = await asyncio.to_thread(stats_between, now - timedelta(days=14), now - timedelta(days=7))
        text, blocks = render(current, previous)
        result = await send(text, blocks)
    except Exception as e:  # noqa: BLE001 - recorded as failed; the next check retries
        log.exception("weekly digest failed; will retry", period=period)
        await asyncio.to_thread(finish_run, sessions, period, owner, clock(), False, {"error": str(e)[:500]})
        return None
    await asyncio.to_thread(finish_run, sessions, period, owner, clock(), True, result or {})
    log.info("weekly digest sent", period=period)
    return period
