"""Similar cases: this process's index of past cases, and what a solved handoff leaves in it.

Each process holds its own index (handoff.core.similar.SimilarIndex) of the `past_cases` table. It is asked
on every handoff, as it is: rebuilding is never on a turn's path. A rebuild happens when the table changed
(a cheap version check: row count and sum of revisions) and runs in a worker thread, off the event loop,
while the old index keeps answering; a case already loaded keeps its words, so a rebuild reads and splits
only the rows that changed. The check runs at start-up, every `[similar] refresh_seconds` (the scheduler)
and when a lookup finds it due.

A handoff solved in Zendesk becomes a past case in the transaction that records it solved (`record_resolution`):
the customer's words from the stored messages, the agent's last public reply (an `agent_reply` event the
webhook processing records, `note_reply`), the ticket's tags and how long it took.
"""
from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.similar import EMPTY, PastCase, SimilarCase, SimilarIndex, SimilarQuery, SimilarSettings
from handoff.core.similar.cases import past_case_from_handoff
from handoff.core.similar.index import case_terms
from handoff.storage.past_cases import load_past_cases, revisions, upsert_past_cases, version
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow, MessageRow

log = structlog.get_logger("handoff.similar")

REPLY_EVENT = "agent_reply"
# the customer's first messages a solved handoff's case is found by (clipped to `customer_chars` after)
CUSTOMER_MESSAGES = 20
_OLDEST = datetime.min.replace(tzinfo=UTC)


class SimilarCases:
    """This process's similar-cases index: asked by every handoff, rebuilt in the background when stale."""

    def __init__(self, sessions: sessionmaker[Session], settings: SimilarSettings,
                 clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.settings = settings
        self.clock = clock
        self._index: SimilarIndex = EMPTY
        self._version: tuple[int, int] | None = None
        self._loaded: dict[int, tuple[int, PastCase, list[str]]] = {}  # row id -> revision, case, its words
        self._rebuilding = threading.Lock()
        self._checked_at: datetime | None = None
        self._task: asyncio.Future[bool] | None = None

    @property
    def size(self) -> int:
        """How many past cases the index being served holds."""
        return len(self._index)

    def top(self, query: SimilarQuery) -> tuple[SimilarCase, ...]:
        """The `[similar] count` past cases most like `query`, from the index as it is now."""
        if not self.settings.enabled:
            return ()
        return self._index.top(query, self.settings.count)

    async def similar(self, query: SimilarQuery) -> tuple[SimilarCase, ...]:
        """What a handoff shows: `top`, in a worker thread; never an error (a failing lookup shows none)."""
        if not self.settings.enabled:
            return ()
        self.refresh_soon()
        try:
            return await asyncio.to_thread(self.top, query)
        except Exception as e:  # noqa: BLE001 - similar cases are a help; a handoff never fails for them
            log.warning("similar cases lookup failed", error=type(e).__name__)
            return ()

    def refresh_soon(self) -> None:
        """Start a background check (and rebuild) if one is due and none is running; returns at once."""
        now = self.clock()
        due = self._checked_at is None or (now - self._checked_at).total_seconds() >= self.settings.refresh_seconds
        if not due or (self._task is not None and not self._task.done()):
            return
        self._checked_at = now
        self._task = asyncio.ensure_future(self.refresh())

    async def settled(self) -> None:
        """Wait for the background refresh last started, if any (at shutdown, before the store's pool goes)."""
        if self._task is not None:
            await self._task

    async def refresh(self) -> bool:
        """Check the table and rebuild the index if it changed, in a worker thread; True when rebuilt. A store
        that does not answer keeps the old index (logged)."""
        if not self.settings.enabled:
            return False
        self._checked_at = self.clock()
        try:
            rebuilt = await asyncio.to_thread(self.refresh_now)
        except Exception as e:  # noqa: BLE001 - the old index keeps serving
            log.warning("similar cases index not refreshed", error=type(e).__name__)
            return False
        if rebuilt:
            log.info("similar cases index built", cases=self.size)
        return rebuilt

    def refresh_now(self) -> bool:
        """The blocking check and rebuild; True when the index was rebuilt. One at a time in a process: a second
        caller waits for the first, then finds the version it left (and returns at once if nothing changed)."""
        with self._rebuilding:
            return self._rebuild_if_changed()

    def _rebuild_if_changed(self) -> bool:
        with self.sessions() as s:
            conn = s.connection()
            seen = version(conn)  # read first: a write after it makes the next check rebuild again
            if seen == self._version:
                return False
            revs = revisions(conn)
            stale = [i for i, r in revs.items() if i not in self._loaded or self._loaded[i][0] != r]
            fresh = load_past_cases(conn, stale)
        loaded = {i: self._loaded[i] for i in revs if i in self._loaded and i not in fresh}
        loaded.update({i: (revs[i], c, case_terms(c)) for i, c in fresh.items()})
        # the newest first: equal scores show the most recent resolution
        ordered = sorted(loaded.values(), key=lambda v: (v[1].resolved_at or _OLDEST, v[1].ref), reverse=True)
        index = SimilarIndex([c for _, c, _ in ordered], terms=[t for _, _, t in ordered])
        self._loaded, self._index, self._version = loaded, index, seen
        return True


def note_reply(s: Session, handoff_id: str, data: Mapping[str, Any], at: datetime) -> bool:
    """Record the agent's latest public reply on a handoff's ticket (`data["reply"]`) as an `agent_reply`
    event, unless it is the one recorded last; True when recorded. The caller commits."""
    text = data.get("reply")
    if not isinstance(text, str) or not text.strip():
        return False
    last = s.scalars(select(HandoffEventRow.data).where(HandoffEventRow.handoff_id == handoff_id,
                                                       HandoffEventRow.kind == REPLY_EVENT)
                     .order_by(HandoffEventRow.id.desc()).limit(1)).first()
    if last is not None and last.get("text") == text:
        return False
    s.add(HandoffEventRow(handoff_id=handoff_id, kind=REPLY_EVENT, actor=None,
                          data={"text": text, "comment_id": data.get("reply_id")}, at=at))
    return True


def record_resolution(s: Session, h: HandoffRow, data: Mapping[str, Any], at: datetime, now: datetime,
                      settings: SimilarSettings) -> PastCase:
    """Make the solved handoff `h` a past case, in the caller's transaction: what the customer wrote, the
    agent's last public reply, the ticket's tags (the solved event's, else those the handoff's ticket was
    given) and the time from handoff to solved. The reply is the one read from Zendesk with the solved event
    (`data["reply"]`), else the last one recorded from the ticket's activity."""
    said = s.scalars(select(MessageRow.text).where(MessageRow.conversation_id == h.conversation_id,
                                                   MessageRow.role == "customer")
                     .order_by(MessageRow.idx).limit(CUSTOMER_MESSAGES)).all()
    reply = s.scalars(select(HandoffEventRow.data).where(HandoffEventRow.handoff_id == h.id,
                                                        HandoffEventRow.kind == REPLY_EVENT)
                      .order_by(HandoffEventRow.id.desc()).limit(1)).first()
    tags = data.get("tags")
    if not isinstance(tags, list):
        ticket = s.scalars(select(DeliveryRow.payload).where(DeliveryRow.handoff_id == h.id,
                                                            DeliveryRow.kind == DeliveryKind.ZENDESK_TICKET)).first()
        tags = (ticket or {}).get("tags") or []
    case = past_case_from_handoff(
        handoff_id=h.id, conversation_id=h.conversation_id, customer_texts=said, briefing=h.briefing or {},
        category=h.category, reply=data.get("reply") or (reply or {}).get("text"), tags=[t for t in tags if isinstance(t, str)],
        created_at=h.created_at, solved_at=at, customer_email=h.customer_email,
        settings=settings)
    upsert_past_cases(s, [case], now)
    return case
