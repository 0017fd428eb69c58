"""While customers wait for a human: every few seconds, tell each one due an update where they stand.

For each open, unclaimed handoff it recomputes the live place in its team's line (by created_at) and the wait
(handoff.app.waiting_line), asks the pure rules (handoff.core.waiting) which update is due, and stores it with
its bot delivery. Each update has a key (`<handoff>:waiting:<n>`, `<handoff>:alternatives`) that is unique in
the store, so with several processes deciding at once each update is written exactly once: the loser's
transaction fails on the key and is rolled back.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.customer_updates import add_update, customer_language, customer_zone, update_summary
from handoff.app.waiting_line import InLine, callback_at, the_line
from handoff.core.update_texts import alternatives_text, waiting_text
from handoff.core.waiting import UpdateKind, WaitState, due_update
from handoff.settings import Settings
from handoff.storage.roster import load_roster
from handoff.storage.tables import HandoffRow

log = structlog.get_logger("handoff.waiting")


def send_waiting_updates(sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime],
                         bot_target: str, *, limit: int = 200) -> list[str]:
    """Write every update due now; returns their keys (this process's only)."""
    if not settings.waiting.enabled:
        return []
    now = clock()
    roster = load_roster(sessions, settings)
    with sessions() as s:
        line = the_line(s, roster, settings.routing, now)[:limit]
        summary = update_summary(s, [p.handoff_id for p in line])
    written = []
    for place in line:
        seen = summary.get(place.handoff_id) or {}
        last = seen.get("last")
        state = WaitState(
            queue_position=place.position, expected_wait_seconds=place.wait_seconds,
            waited_seconds=(now - place.waiting_since).total_seconds(),
            since_last_update_seconds=(now - last).total_seconds() if last is not None else None,
            alternatives_offered=seen.get("alternatives") is not None, chosen=frozenset(seen.get("chosen") or ()))
        kind = due_update(state, settings.waiting)
        if kind is None:
            continue
        key = _write(sessions, settings, place, kind, int(seen.get("waiting") or 0), now, bot_target)
        if key is not None:
            written.append(key)
    if written:
        log.info("customer updates", updates=len(written))
    return written


def _write(sessions: sessionmaker[Session], settings: Settings, place: InLine, kind: UpdateKind, waiting_sent: int,
           now: datetime, bot_target: str) -> str | None:
    with sessions() as s:
        h = s.get(HandoffRow, place.handoff_id)
        if h is None or h.status != "open" or h.claimed_by is not None:
            return None  # claimed or gone since the line was read
        language = customer_language(h)
        if kind == UpdateKind.ALTERNATIVES:
            key = f"{h.id}:alternatives"
            text = alternatives_text(language, callback_at=callback_at(h.team, place.wait_seconds, settings.routing, now),
                                     now=now, zone=customer_zone(h, settings.routing), position=place.position,
                                     wait_seconds=place.wait_seconds)
        else:
            key = f"{h.id}:waiting:{waiting_sent + 1}"
            text = waiting_text(language, place.position, place.wait_seconds)
        try:
            if not add_update(s, h, text, key, now, bot_target=bot_target):
                return None
            s.commit()
        except IntegrityError:  # another process wrote this very update first
            s.rollback()
            return None
    return key
