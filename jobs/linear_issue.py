"""Sending a `linear_issue` delivery (handoff.core.bug_report): a bug report filed in Linear, or a comment on the
open issue it matches. It goes out with the handoff's ticket and alert, holding neither back: in a batch it
waits a little for the ticket only to carry its link, and a Linear that is down or rate limiting is retried on
this row alone."""
from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff.app.followups import enqueue
from handoff.core.bug_report import link_note
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import LinearIssue, SlackMessage, TicketNote
from handoff.core.masking import for_slack, for_ticket
from handoff.storage.tables import DeliveryRow, HandoffRow
from jobs.delivery_sends import Lookups, Send, payload_as


async def send_linear_issue(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """File the bug report (or comment on its duplicate), with the ticket's link when the ticket exists."""
    report = payload_as(row, LinearIssue)
    ticket_url = await asyncio.to_thread(look.ticket_url, row.handoff_id)
    # the connector always searches before writing, so `again` (a lost answer) needs nothing more here
    return dict(await sink.file_bug(report, ticket_url))


LINEAR_SENDS: dict[str, Send] = {DeliveryKind.LINEAR_ISSUE: send_linear_issue}


def record_bug_report(s: Session, row: DeliveryRow, result: dict[str, Any], now: datetime) -> None:
    """After a report was filed (or commented): the link on the handoff's briefing (`bug_report`), and a note
    with it queued for the ticket and for the alert's thread (each waits for its ticket or alert)."""
    url, identifier = result.get("url"), result.get("identifier")
    if row.kind != DeliveryKind.LINEAR_ISSUE or not (url and identifier):
        return  # kept in the local outbox: there is no link to pass on
    handoff = s.get(HandoffRow, row.handoff_id)
    if handoff is None:
        return
    action = str(result.get("action") or "created")
    handoff.briefing = {**(handoff.briefing or {}), "bug_report": {
        "tracker": "linear", "action": action, "identifier": identifier, "url": url,
        "comment_url": result.get("comment_url")}}
    handoff.updated_at = now
    targets = {kind: target for kind, target in s.execute(select(DeliveryRow.kind, DeliveryRow.target).where(
        DeliveryRow.handoff_id == row.handoff_id,
        DeliveryRow.kind.in_((DeliveryKind.ZENDESK_TICKET, DeliveryKind.SLACK_ALERT)))).all()}
    note = link_note(identifier, url, action)
    hid = row.handoff_id
    if DeliveryKind.ZENDESK_TICKET in targets:
        enqueue(s, hid, TicketNote(external_id=f"{hid}:linear", note=for_ticket(note), tags=("handoff_bug_report",),
                                   priority=handoff.priority),
                targets[DeliveryKind.ZENDESK_TICKET], f"{hid}:zendesk:linear", now)
    if DeliveryKind.SLACK_ALERT in targets:
        enqueue(s, hid, SlackMessage(text=for_slack(note), thread=True), targets[DeliveryKind.SLACK_ALERT],
                f"{hid}:slack:linear", now)
