"""A packaged handoff as the rows stored in one transaction: the handoff, its first two deliveries and, when it
continues a handoff handed back within the re-handoff window, its `rehandoff` event."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from handoff.app.messaging import Messaging, pass_control_row
from handoff.app.packaging import Package, initial_status
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import AlertRequest, TicketRequest, payload_json
from handoff.core.masking import for_ticket
from handoff.core.models import Decision
from handoff.storage.keys import email_key
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow


def handoff_rows(pkg: Package, decision: Decision, *, targets: dict[str, str], handoff_id: str, cid: str,
                 source: str, message_index: int | None, ticket_id: int | None, email: str | None,
                 now: datetime, messaging: Messaging | None = None
                 ) -> tuple[HandoffRow, list[DeliveryRow | HandoffEventRow]]:
    """The handoff row, its ticket and alert deliveries (`targets`: delivery kind → sink) and its events, and
    with `messaging` the pass of the conversation to Zendesk's agents."""
    r, prior = pkg.route, pkg.continues
    # a conversation that lives in a Zendesk ticket gets its note on that ticket, not a new one; so does one
    # back within the re-handoff window, on the ticket of the handoff it continues (reopened)
    ticket_id = ticket_id or (prior.ticket_id if prior is not None else None)
    handoff = HandoffRow(
        id=handoff_id, conversation_id=cid, source=source,
        status=initial_status(r).value, message_index=message_index,
        category=decision.category, priority=pkg.priority, reasons=[x.as_dict() for x in decision.reasons],
        team=r.team, agent=r.agent, route={**r.as_dict(), "request": pkg.request.as_dict()},
        briefing=pkg.briefing.as_dict(),
        customer_message=r.customer_message, callback_at=r.callback_at, zendesk_ticket_id=ticket_id,
        customer_email=email_key(email), created_at=now, updated_at=now,
        offered_at=now if r.agent else None, offered_to=[r.agent] if r.agent else [], reoffers=0,
        rehandoff_of=prior.id if prior is not None else None,
    )
    ticket = replace(pkg.ticket, ticket_id=ticket_id)
    if prior is not None:
        ticket = replace(ticket, status="open", tags=(*ticket.tags, "handoff_rehandoff"),
                         note=for_ticket(_reopened(prior.id, prior.agent, r.agent, r.agent_name, r.team)) + "\n\n"
                         + ticket.note)
    rows: list[DeliveryRow | HandoffEventRow] = [*_deliveries(targets, handoff_id, ticket, pkg.alert, now)]
    if messaging is not None:
        rows.append(pass_control_row(
            handoff_id=handoff_id, target=targets.get(DeliveryKind.SUNSHINE_CONTROL, "local"), messaging=messaging,
            summary=pkg.briefing.summary, category=decision.category, priority=pkg.priority, team=r.team,
            triggers=[x.trigger for x in decision.reasons], now=now))
    if prior is not None:
        rows.append(HandoffEventRow(handoff_id=handoff_id, kind="rehandoff", actor=None, at=now, data={
            "previous": prior.id, "agent": r.agent, "same_agent": r.agent is not None and r.agent == prior.agent,
            "ticket_id": ticket_id}))
    return handoff, rows


def _reopened(previous: str, had: str | None, agent: str | None, agent_name: str | None, team: str) -> str:
    """The first line of the note on a reopened ticket: whose it is again, and why not theirs if not."""
    if agent is not None and agent == had:
        return f"The customer is back soon after the hand-back of {previous}: reopened for {agent_name}, who had it."
    why = "nobody had claimed it" if had is None else "the agent who had it is away or off shift"
    return (f"The customer is back soon after the hand-back of {previous}: reopened for "
            f"{agent_name or f'the {team} team'} ({why}).")


def _deliveries(targets: dict[str, str], handoff_id: str, ticket: TicketRequest, alert: AlertRequest,
                now: datetime) -> list[DeliveryRow]:
    common: dict[str, Any] = {"handoff_id": handoff_id, "status": "pending", "attempts": 0, "next_attempt_at": now,
                              "created_at": now, "updated_at": now}
    return [
        DeliveryRow(kind=DeliveryKind.ZENDESK_TICKET, target=targets[DeliveryKind.ZENDESK_TICKET], payload=payload_json(ticket),
                    dedupe_key=f"{handoff_id}:zendesk_ticket", **common),
        DeliveryRow(kind=DeliveryKind.SLACK_ALERT, target=targets[DeliveryKind.SLACK_ALERT], payload=payload_json(alert),
                    dedupe_key=f"{handoff_id}:slack_alert", **common),
    ]
