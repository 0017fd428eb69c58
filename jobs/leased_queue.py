"""The worker loop both durable queues share: the outbox (deliveries) and accepted webhook events.

A queue is a table of rows claimed with a lease (handoff.storage.claims.claim_due), so exactly one
process works each row. What is shared here is the part that must behave the same for both: waking up
(from any thread), draining until nothing is due, surviving a database outage without losing rows
(rows of ours that were claimed but are no longer in flight are taken back at once), and waiting for
the background run to finish. What a row means, and how its outcome is recorded, is the subclass's.
"""
from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, Generic, TypeVar

import structlog
from sqlalchemy.orm import Session, sessionmaker

from handoff.storage.claims import claim_due
from handoff.storage.errors import describe, is_database_unavailable

log = structlog.get_logger("handoff.jobs")

R = TypeVar("R")


def process_owner() -> str:
    """A lease owner name unique to this process: host and a random suffix."""
    return f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"


class LeasedQueueWorker(Generic[R]):
    """Claims due rows of one queue table with a lease and works them; `work` says what a batch does."""

    # what the log says when a run cannot reach the database ("deliveries", "webhook events")
    what = "work"

    def __init__(self, sessions: sessionmaker[Session], table: type[R], clock: Callable[[], datetime], *,
                 lease_seconds: float, working: str, owner: str | None = None) -> None:
        self.sessions = sessions
        self.table = table
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.working = working
        self.owner = owner or process_owner()
        self._again = False
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: set[int] = set()  # rows this process is working on right now
        self._claiming = asyncio.Lock()

    def wake(self) -> None:
        """Work due rows now, in the background; safe from worker threads (handed to the worker's loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self.wake)
            return  # no loop yet: the scheduler's next poll picks the work up
        self._loop = loop
        self._again = True
        if self._task is None or self._task.done():
            self._task = loop.create_task(self.drain())

    async def drain(self) -> None:
        """Work until nothing is due; a wake() during the run makes it look once more."""
        while self._again:
            self._again = False
            try:
                while await self.run_due() > 0:
                    pass
            except Exception as e:  # noqa: BLE001 - must outlive a bad moment (database restarting)
                if is_database_unavailable(e):
                    log.warning(f"database unavailable; {self.what} wait for the next wake-up", error=describe(e))
                else:
                    log.exception(f"run over {self.what} failed; the next wake-up tries again")

    async def idle(self) -> None:
        """Wait for the background run started by wake() to finish (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    def _claim(self, limit: int, in_flight: frozenset[int] = frozenset()) -> list[R]:
        # rows of ours not in flight were abandoned when the database went away mid-run: take them back
        return claim_due(self.sessions, self.table, now=self.clock(), lease_seconds=self.lease_seconds,
                         owner=self.owner, limit=limit, working=self.working, reclaim_own=in_flight)

    async def run_due(self, limit: int = 20) -> int:
        """Claim up to `limit` due rows and work them; returns how many were claimed."""
        async with self._claiming:  # the in-flight set must not change between reading it and claiming
            rows = await asyncio.to_thread(self._claim, limit, frozenset(self._in_flight))
            self._in_flight.update(self._id(r) for r in rows)
        if not rows:
            return 0
        try:
            await self.work(rows)
        finally:
            self._in_flight.difference_update(self._id(r) for r in rows)
        return len(rows)

    async def work(self, rows: Sequence[R]) -> None:
        """Work one claimed batch; raising a database-unavailable error leaves the rows to be taken back."""
        raise NotImplementedError

    @staticmethod
    def _id(row: Any) -> int:
        return int(row.id)
