"""Claiming due rows of a work table (deliveries, webhook events) so exactly one process works each.

A row is due when it is pending and its time has come, or when the process that claimed it let its
lease run out (it died). The claim is a conditional UPDATE: on SQLite and PostgreSQL alike, of
several processes racing for a row exactly one sees rowcount 1.

A process that lost the database while recording an outcome left its rows claimed; it may take
them back at once (`reclaim_own`: it knows which of its rows are still in flight) instead of waiting
for its own lease to run out.
"""
from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.storage.db import changed_rows

T = TypeVar("T")


def claim_due(sessions: sessionmaker[Session], table: type[T], *, now: datetime, lease_seconds: float,
              owner: str, limit: int, working: str = "sending",
              reclaim_own: Collection[int] | None = None) -> list[T]:
    """Claim up to `limit` due rows of `table` for `owner`; returns them with attempts counted.

    `reclaim_own`: the ids `owner` is still working on; its other claimed rows are due again now.
    """
    t: Any = table
    conditions = [
        and_(t.status == "pending", t.next_attempt_at <= now),
        and_(t.status == working, t.lease_until < now),
    ]
    if reclaim_own is not None:
        abandoned = and_(t.status == working, t.lease_owner == owner)
        conditions.append(and_(abandoned, t.id.not_in(list(reclaim_own))) if reclaim_own else abandoned)
    due = or_(*conditions)
    claimed: list[T] = []
    with sessions() as s:
        ids = s.scalars(select(t.id).where(due).order_by(t.next_attempt_at, t.id).limit(limit)).all()
        for rid in ids:
            changed = changed_rows(
                s,
                update(t).where(t.id == rid, due).values(
                    status=working, lease_until=now + timedelta(seconds=lease_seconds), lease_owner=owner,
                    attempts=t.attempts + 1,
                )
            )
            s.commit()
            if changed == 1:
                row = s.get(t, rid, populate_existing=True)
                if row is not None:
                    claimed.append(row)
    return claimed
