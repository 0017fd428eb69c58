"""APScheduler setup. Jobs here only wake workers: the due work itself lives in the database.

Each process has its own in-memory scheduler; work shared by several processes (deliveries, later
callbacks) is claimed row by row in the database, so no job store is ever shared (APScheduler 3 does
not support that) and a restart loses nothing.
"""
from __future__ import annotations

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from jobs.deliveries import Dispatcher


def build_scheduler(dispatcher: Dispatcher, poll_seconds: float) -> AsyncIOScheduler:
    """A scheduler that wakes the delivery dispatcher every `poll_seconds`."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        dispatcher.wake, "interval", seconds=poll_seconds, id="deliveries",
        max_instances=1, coalesce=True, misfire_grace_time=None,
    )
    return scheduler
