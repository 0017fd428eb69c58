"""Claiming due rows of a work table (deliveries, webhook events) so exactly one process works each.

A row is due when it is pending and its time has come, or when the process that claimed it let its
lease run out (it died). The claim is a conditional UPDATE: on SQLite and PostgreSQL alike, of
several processes racing for a row exactly one sees rowcount 1.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")


def claim_due(sessions: sessionmaker[Session], table: type[T], *, now: datetime, lease_seconds: float,
              owner: str, limit: int, working: str = "sending") -> list[T]:
    """Claim up to `limit` due rows of `table` for `owner`; returns them with attempts counted."""
    t: Any = table
    due = or_(
        and_(t.status == "pending", t.next_attempt_at <= now),
        and_(t.status == working, t.lease_until < now),
    )
    claimed: list[T] = []
    with sessions() as s:
        ids = s.scalars(select(t.id).where(due).order_by(t.next_attempt_at, t.id).limit(limit)).all()
        for rid in ids:
            res = s.execute(
                update(t).where(t.id == rid, due).values(
                    status=working, lease_until=now + timedelta(seconds=lease_seconds), lease_owner=owner,
                    attempts=t.attempts + 1,
                )
            )
            s.commit()
            if res.rowcount == 1:
                row = s.get(t, rid, populate_existing=True)
                if row is not None:
                    claimed.append(row)
    return claimed
