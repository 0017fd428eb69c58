"""Refuse an exact replay of a signed webhook request (Zendesk, Slack) within the signature window.

A signature proves who sent a request and the timestamp bounds how old it may be, but within
that window the same bytes can be sent again by anyone who saw them. The guard remembers the
signature of every request we accepted and refuses it the second time (401 "replayed request").

- Only verified requests reach the guard, so a forger cannot fill the table or block a future
  genuine request.
- The claim is taken before the work (an INSERT against a unique key: two copies arriving at
  once cannot both pass) and given back when our answer is not 2xx. Vendors retry deliveries
  we failed; if a retry reused the signature and timestamp it would still be let through,
  while a replay of an accepted call is refused.
- Rows are kept for twice the window: each side accepts timestamps up to `window` in the past
  or the future, so a request seen at `t` is acceptable until at most `t + 2 * window`; after
  that the timestamp check refuses it by itself and the row can go.
"""
from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff.storage.tables import SeenSignatureRow

REPLAYED = "replayed request"
log = structlog.get_logger("handoff.replay_guard")


def signature_hash(signature: bytes) -> str:
    """The stored form of a verified signature (raw HMAC bytes, whatever encoding carried them)."""
    return hashlib.sha256(signature).hexdigest()


class ReplayGuard:
    """Remembers accepted signed requests of one source for twice the signature window."""

    def __init__(self, sessions: sessionmaker[Session], source: str, *, window_seconds: float,
                 clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.source = source
        self.keep = timedelta(seconds=2 * window_seconds)
        self.clock = clock
        self._pruned_at: datetime | None = None

    def claim(self, signature: bytes) -> bool:
        """Record a verified signature; False when it was recorded before (a replay)."""
        now = self.clock()
        self._prune(now)
        with self.sessions() as s:
            s.add(SeenSignatureRow(source=self.source, signature_hash=signature_hash(signature), seen_at=now))
            try:
                s.commit()
            except IntegrityError:
                return False
        return True

    def release(self, signature: bytes) -> None:
        """Forget a claimed signature: the request was not accepted, so the vendor's retry must pass."""
        with self.sessions() as s:
            s.execute(delete(SeenSignatureRow).where(SeenSignatureRow.source == self.source,
                                                     SeenSignatureRow.signature_hash == signature_hash(signature)))
            s.commit()

    async def aclaim(self, signature: bytes) -> bool:
        """`claim` off the event loop."""
        return await asyncio.to_thread(self.claim, signature)

    async def arelease(self, signature: bytes) -> None:
        """`release` off the event loop; never raises (the answer being sent matters more)."""
        try:
            await asyncio.to_thread(self.release, signature)
        except Exception:  # noqa: BLE001 - the row ages out with the window anyway
            log.warning("replay_guard_release_failed", source=self.source)

    def _prune(self, now: datetime) -> None:
        # at most once per window: one indexed DELETE, not one per request
        if self._pruned_at is not None and now - self._pruned_at < self.keep / 2:
            return
        with self.sessions() as s:
            s.execute(delete(SeenSignatureRow).where(SeenSignatureRow.source == self.source,
                                                     SeenSignatureRow.seen_at < now - self.keep))
            s.commit()
        self._pruned_at = now
