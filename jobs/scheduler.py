"""APScheduler setup. Jobs here only wake workers: the due work itself lives in the database.

Each process has its own in-memory scheduler; work that several processes share (deliveries,
callbacks, reminders, webhook events) is claimed row by row in the database, so no job store is
ever shared (APScheduler 3 does not support that) and a restart loses nothing.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from handoff.storage.errors import describe, is_database_unavailable

log = structlog.get_logger("handoff.jobs")


@dataclass(frozen=True)
class PeriodicJob:
    """A function run every `seconds` (a coroutine function, or a plain one run in a thread)."""

    id: str
    func: Callable[[], Any]
    seconds: float


def build_scheduler(jobs: Sequence[PeriodicJob]) -> AsyncIOScheduler:
    """A scheduler running each job periodically, never two runs of one job at once."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    for job in jobs:
        scheduler.add_job(_guarded(job), "interval", seconds=job.seconds, id=job.id, name=job.id,
                          max_instances=1, coalesce=True, misfire_grace_time=None)
    return scheduler


def _guarded(job: PeriodicJob) -> Callable[[], Any]:
    async def run() -> None:
        try:
            result = job.func()
            if asyncio.iscoroutine(result):
                await result
        except Exception as e:  # noqa: BLE001 - a failing run is logged; the next run tries again
            if is_database_unavailable(e):
                log.warning("database unavailable; the job runs again next time", job=job.id, error=describe(e))
            else:
                log.exception("job failed", job=job.id)

    return run
