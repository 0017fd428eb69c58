"""Re-offers: a handoff offered to an agent and not claimed within `[routing] claim_timeout_seconds` goes on.

To the next agent routing would pick, never one offered it before, and with nobody left to the team's
fallback team, unassigned (handoff.core.route.reoffer.next_offer). Each step is taken by a conditional
UPDATE on the handoff's `reoffers` count, so with several processes it happens exactly once; the nudge in
the alert's thread (and the card), the DM, the ticket's new assignee and the `reoffered` event are queued in
the same transaction. The SLA reminder (jobs/reminders.py) is not touched: it still fires past the SLA.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.followups import enqueue, record_event
from handoff.core.delivery_payloads import CardUpdate, SlackMessage, TicketNote
from handoff.core.handoff_status import HandoffStatus
from handoff.core.masking import for_slack, for_ticket
from handoff.core.models import Route
from handoff.core.route.reoffer import next_offer
from handoff.core.route.router import Roster
from handoff.settings import Settings
from handoff.storage.db import changed_rows
from handoff.storage.roster import load_roster
from handoff.storage.tables import HandoffRow
from jobs.callbacks import stored_route_request

log = structlog.get_logger("handoff.reoffer")


def reoffer_unclaimed(sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime],
                      targets: dict[str, str], *, limit: int = 50) -> list[str]:
    """Pass on every offer not claimed in time; returns the handoff ids this process re-offered."""
    timeout = settings.routing.claim_timeout_seconds
    if timeout <= 0:
        return []
    now = clock()
    cutoff = now - timedelta(seconds=timeout)
    with sessions() as s:
        due = s.scalars(
            select(HandoffRow.id).where(
                HandoffRow.status == HandoffStatus.OPEN.value, HandoffRow.claimed_by.is_(None),
                HandoffRow.agent.is_not(None), HandoffRow.offered_at <= cutoff)
            .order_by(HandoffRow.offered_at).limit(limit)).all()
    moved = []
    roster = load_roster(sessions, settings) if due else Roster()
    for hid in due:
        r = _reoffer(sessions, settings, now, cutoff, targets, hid, roster)
        if r is not None:
            moved.append(hid)
            roster = load_roster(sessions, settings)  # the next choice sees the load this one added
    if moved:
        log.info("re-offered", handoffs=moved)
    return moved


def _reoffer(sessions: sessionmaker[Session], settings: Settings, now: datetime, cutoff: datetime,
             targets: dict[str, str], hid: str, roster: Roster) -> Route | None:
    timeout = settings.routing.claim_timeout_seconds
    with sessions() as s:
        h = s.get(HandoffRow, hid)
        if (h is None or h.agent is None or h.claimed_by is not None or h.status != HandoffStatus.OPEN
                or h.offered_at is None or h.offered_at > cutoff):
            return None  # claimed, or offered anew (by another process), since it was selected
        before, step = h.agent, (h.reoffers or 0) + 1
        offered = [a for a in (h.offered_to or [before]) if isinstance(a, str)]
        if before not in offered:
            offered.append(before)
        req = stored_route_request(h.route or {}, h.briefing or {}, h.category, h.priority)
        r = next_offer(req, roster, now, settings.routing, offered, h.team)
        won = changed_rows(s, update(HandoffRow).where(
            HandoffRow.id == hid, HandoffRow.status == HandoffStatus.OPEN.value, HandoffRow.claimed_by.is_(None),
            HandoffRow.agent == before, HandoffRow.reoffers == step - 1, HandoffRow.offered_at <= cutoff,
        ).values(agent=r.agent, team=r.team, offered_at=now, offered_to=[*offered, *([r.agent] if r.agent else [])],
                 reoffers=step, route={**(h.route or {}), **r.as_dict(), "request": req.as_dict()}, updated_at=now)) == 1
        if not won:
            s.rollback()
            return None  # another process took this step, or someone claimed it meanwhile
        record_event(s, hid, "reoffered", now, None, {"from": before, "to": r.agent, "team": r.team, "step": step})
        _queue_nudges(s, settings, targets, h, r, before, step, timeout, now)
        s.commit()
    metrics.REOFFERS.labels(to="agent" if r.agent else "team").inc()
    return r


def _queue_nudges(s: Session, settings: Settings, targets: dict[str, str], h: HandoffRow, r: Route, before: str,
                  step: int, timeout: int, now: datetime) -> None:
    """The Slack card and thread, a DM to the new agent, and the ticket's new assignee (or group)."""
    names = {a.id: a.name for a in settings.routing.agents}
    was = names.get(before, before)
    waited = f"{timeout // 60} min" if timeout % 60 == 0 else f"{timeout} s"
    if r.agent is not None:
        who = f"<@{r.slack_user_id}> ({for_slack(r.agent_name)})" if r.slack_user_id else for_slack(r.agent_name)
        note = f"Not claimed by {for_slack(was)} within {waited}: offered to {who}."
        ticket_note = f"Not claimed by {was} within {waited}: offered to {r.agent_name}."
    else:
        note = (f"Not claimed by {for_slack(was)} within {waited}, and nobody else is free to offer it to: "
                f"back in the {for_slack(r.team)} team's queue.")
        ticket_note = f"Not claimed by {was} within {waited}, and nobody else is free: back with the {r.team} team."
    enqueue(s, h.id, CardUpdate("offered", r.agent_name, note, slack_user_id=r.slack_user_id, team=r.team),
            targets["slack"], f"{h.id}:slack:reoffer:{step}", now)
    if r.slack_user_id:
        enqueue(s, h.id, SlackMessage(
            f"Handoff {h.id} is offered to you now: {for_slack(was)} did not claim it within {waited}. "
            f"Claim it from the alert, or `/handoff claim {h.id}`.",
            channel=r.slack_channel or settings.slack.default_channel, dm_user_id=r.slack_user_id),
            targets["slack"], f"{h.id}:slack:reoffer-dm:{step}", now)
    enqueue(s, h.id, TicketNote(
        external_id=f"{h.id}:reoffer:{step}", note=for_ticket(ticket_note), tags=("handoff_reoffered",),
        priority=h.priority, group_id=r.zendesk_group_id, assignee_id=r.zendesk_assignee_id,
        unassign=r.agent is None), targets["zendesk"], f"{h.id}:zendesk:reoffer:{step}", now)
