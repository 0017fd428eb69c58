"""The worker loop the outbox and the webhook-event queue share: wake from threads, drain, take back rows."""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from handoff.storage.tables import InboundEventRow
from jobs.leased_queue import LeasedQueueWorker

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def _seed(sessions, n: int) -> None:
    with sessions() as s:
        for i in range(n):
            s.add(InboundEventRow(source="zendesk", event_key=f"e{i}", kind="other", ticket_id=i, payload={},
                                  status="pending", attempts=0, next_attempt_at=NOW, received_at=NOW))
        s.commit()


class Recording(LeasedQueueWorker[InboundEventRow]):
    """Marks each row done; fails the first batch with a database outage when told to."""

    what = "test rows"

    def __init__(self, sessions, *, outage_once: bool = False) -> None:
        super().__init__(sessions, InboundEventRow, lambda: NOW, lease_seconds=600, working="processing",
                         owner="me")
        self.outage_once = outage_once
        self.seen: list[int] = []

    async def work(self, rows: Sequence[InboundEventRow]) -> None:
        if self.outage_once:
            self.outage_once = False
            raise OperationalError("UPDATE", {}, Exception("server closed the connection unexpectedly"))
        with self.sessions() as s:
            for r in rows:
                self.seen.append(r.id)
                s.get(InboundEventRow, r.id).status = "done"
            s.commit()


def _statuses(sessions) -> list[str]:
    with sessions() as s:
        return [r.status for r in s.scalars(select(InboundEventRow).order_by(InboundEventRow.id))]


async def test_drain_works_every_due_row_once_across_batches(sessions):
    _seed(sessions, 5)
    w = Recording(sessions)
    w.wake()
    await w.idle()
    assert sorted(w.seen) == sorted(set(w.seen)) and len(w.seen) == 5
    assert _statuses(sessions) == ["done"] * 5


async def test_rows_abandoned_by_a_database_outage_are_taken_back_at_once_not_after_the_lease(sessions):
    _seed(sessions, 2)
    w = Recording(sessions, outage_once=True)
    w.wake()
    await w.idle()  # the first run claims both, then "loses the database": drain logs it and stops
    assert _statuses(sessions) == ["processing", "processing"]
    # the lease (600 s) has not run out, but the rows are ours and no longer in flight
    assert await w.run_due() == 2
    assert _statuses(sessions) == ["done", "done"]


async def test_another_process_does_not_take_rows_under_a_live_lease(sessions):
    _seed(sessions, 1)
    w = Recording(sessions, outage_once=True)
    w.wake()
    await w.idle()
    other = Recording(sessions)
    other.owner = "someone-else"
    assert await other.run_due() == 0
    other.clock = lambda: NOW + timedelta(seconds=601)  # the lease ran out: the owner died
    assert await other.run_due() == 1


async def test_wake_from_a_worker_thread_runs_on_the_workers_loop(sessions):
    _seed(sessions, 1)
    w = Recording(sessions)
    w.wake()  # first call on the loop: the worker learns which loop it runs on
    await w.idle()
    _seed_more = threading.Thread(target=lambda: (_seed_again(sessions), w.wake()))
    _seed_more.start()
    await asyncio.to_thread(_seed_more.join)
    deadline = asyncio.get_running_loop().time() + 10
    while _statuses(sessions).count("done") < 2 and asyncio.get_running_loop().time() < deadline:
        await asyncio.sleep(0.01)  # poll with a deadline: the wake-up was handed to this loop
        await w.idle()
    assert _statuses(sessions) == ["done", "done"]


def _seed_again(sessions) -> None:
    with sessions() as s:
        s.add(InboundEventRow(source="zendesk", event_key="late", kind="other", ticket_id=99, payload={},
                              status="pending", attempts=0, next_attempt_at=NOW, received_at=NOW))
        s.commit()
