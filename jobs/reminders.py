"""SLA reminders: a handoff nobody claimed within its priority's time gets one reminder in Slack."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.followups import enqueue, record_event
from handoff.core.delivery_payloads import SlackMessage
from handoff.core.masking import for_slack
from handoff.settings import Settings
from handoff.storage.db import changed_rows
from handoff.storage.tables import HandoffRow

log = structlog.get_logger("handoff.reminders")


def remind_unclaimed(sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime],
                     targets: dict[str, str], *, limit: int = 100) -> list[str]:
    """Queue a reminder for each open, unclaimed handoff past its SLA; returns the ids reminded."""
    now = clock()
    reminded = []
    for priority, minutes in settings.sla.unclaimed_minutes.items():
        cutoff = now - timedelta(minutes=minutes)
        with sessions() as s:
            ids = s.scalars(
                select(HandoffRow.id).where(
                    HandoffRow.status == "open", HandoffRow.claimed_by.is_(None), HandoffRow.sla_reminded_at.is_(None),
                    HandoffRow.priority == priority,
                    # a callback's clock starts when it fires, not when the customer wrote at night
                    ((HandoffRow.callback_fired_at.is_(None) & (HandoffRow.created_at <= cutoff))
                     | (HandoffRow.callback_fired_at <= cutoff)),
                ).limit(limit)
            ).all()
            for hid in ids:
                won = changed_rows(s, update(HandoffRow).where(HandoffRow.id == hid, HandoffRow.sla_reminded_at.is_(None))
                                      .values(sla_reminded_at=now, updated_at=now)) == 1
                if not won:
                    continue
                h = s.get(HandoffRow, hid)
                if h is None:  # deleted since it was selected
                    continue
                text = (f"Still unclaimed after {minutes} min ({for_slack(priority)} priority, {for_slack(h.team)} team). "
                        "Claim it, or it keeps waiting.")
                enqueue(s, hid, SlackMessage(text, thread=True, channel=settings.slack.default_channel),
                        targets["slack"], f"{hid}:slack:sla", now)
                record_event(s, hid, "sla_reminder", now, None, {"minutes": minutes})
                reminded.append(hid)
            s.commit()
    if reminded:
        log.warning("unclaimed past SLA", handoffs=reminded)
    return reminded
