"""Off-hours callbacks: at the planned time, re-route the handoff and tell the agent, Slack and the ticket.

Each due callback is claimed by a conditional UPDATE, so with several processes it fires exactly once.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.followups import enqueue, record_event
from handoff.core.delivery_payloads import SlackMessage, TicketNote
from handoff.core.masking import for_slack, for_ticket
from handoff.core.route import RouteRequest, route
from handoff.core.route.router import final_priority
from handoff.settings import Settings
from handoff.storage.db import changed_rows
from handoff.storage.roster import load_roster
from handoff.storage.tables import HandoffRow

log = structlog.get_logger("handoff.callbacks")


def fire_due_callbacks(sessions: sessionmaker[Session], settings: Settings, clock: Callable[[], datetime],
                       targets: dict[str, str], *, limit: int = 50) -> list[str]:
    """Fire every callback whose time has come; returns the handoff ids this process fired."""
    now = clock()
    with sessions() as s:
        due = s.scalars(
            select(HandoffRow.id).where(HandoffRow.status == "callback_scheduled", HandoffRow.callback_at <= now)
            .order_by(HandoffRow.callback_at).limit(limit)
        ).all()
    fired = []
    for hid in due:
        if _fire(sessions, settings, now, targets, hid):
            fired.append(hid)
    return fired


def _fire(sessions: sessionmaker[Session], settings: Settings, now: datetime, targets: dict[str, str], hid: str) -> bool:
    roster = load_roster(sessions, settings)
    with sessions() as s:
        won = changed_rows(s,
            update(HandoffRow).where(HandoffRow.id == hid, HandoffRow.status == "callback_scheduled")
            .values(status="open", callback_fired_at=now, updated_at=now)
        ) == 1
        if not won:
            return False  # another process fired it
        h = s.get(HandoffRow, hid)
        assert h is not None
        briefing = h.briefing or {}
        customer = briefing.get("customer") or {}
        req = stored_route_request(h.route or {}, briefing, h.category, h.priority)
        r = route(req, roster, now, settings.routing)
        h.team, h.agent, h.route, h.updated_at = r.team, r.agent, {**r.as_dict(), "request": req.as_dict()}, now
        h.offered_at, h.offered_to = (now, [r.agent]) if r.agent else (None, [])  # the claim timeout starts now
        h.priority = r.priority or final_priority(req, settings.routing)
        record_event(s, hid, "callback_fired", now, None, {"team": r.team, "agent": r.agent, "on_shift": r.on_shift})
        who = r.agent_name or f"the {r.team} team"
        name = customer.get("name") or "the customer"  # the customer's own words: masked for each destination
        what = f"{h.category or 'handoff'}, {h.priority}"
        note = for_ticket(f"Callback due now: {name} ({what}), assigned to {who}.")
        text = f"Callback due now: {for_slack(name)} ({for_slack(what)}), assigned to {for_slack(who)}."
        channel = r.slack_channel or settings.slack.default_channel
        enqueue(s, hid, TicketNote(external_id=f"{hid}:callback", note=f"{note} The briefing is in the first note.",
                                   tags=("handoff_callback",), priority=h.priority, group_id=r.zendesk_group_id,
                                   assignee_id=r.zendesk_assignee_id),
                targets["zendesk"], f"{hid}:zendesk:callback", now)
        enqueue(s, hid, SlackMessage(text, thread=True, channel=channel), targets["slack"], f"{hid}:slack:callback", now)
        if r.slack_user_id:
            dm = f"{text} Reply to them in Zendesk ticket {h.zendesk_ticket_id or '(being created)'}."
            enqueue(s, hid, SlackMessage(dm, channel=channel, dm_user_id=r.slack_user_id), targets["slack"],
                    f"{hid}:slack:callback-dm", now)
        s.commit()
    log.info("callback fired", handoff_id=hid, team=r.team, agent=r.agent)
    return True


def stored_route_request(stored_route: dict[str, Any], briefing: dict[str, Any], category: str | None,
                         priority: str) -> RouteRequest:
    """The request the handoff was routed with, stored beside its route; rebuilt from the briefing for handoffs
    stored before requests were kept (those lack the account owner, churn risk and sentiment)."""
    customer = briefing.get("customer") or {}
    if isinstance(stored_route.get("request"), dict):
        return RouteRequest.from_dict(stored_route["request"], customer_name=customer.get("name"))
    account = briefing.get("account") or {}
    return RouteRequest(category=category, topic=briefing.get("topic"), priority=priority,
                        language=customer.get("language") or briefing.get("language"), tier=account.get("tier"),
                        customer_name=customer.get("name"), customer_timezone=customer.get("timezone"))
