"""A packaged handoff as the rows stored in one transaction: the handoff and its first two deliveries."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from handoff.app.messaging import Messaging, pass_control_row
from handoff.app.packaging import Package, initial_status
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import AlertRequest, TicketRequest, payload_json
from handoff.core.models import Decision
from handoff.storage.keys import email_key
from handoff.storage.tables import DeliveryRow, HandoffRow


def handoff_rows(pkg: Package, decision: Decision, *, targets: dict[str, str], handoff_id: str, cid: str,
                 source: str, message_index: int | None, ticket_id: int | None, email: str | None,
                 now: datetime, messaging: Messaging | None = None) -> tuple[HandoffRow, list[DeliveryRow]]:
    """The handoff row and its ticket and alert deliveries (`targets`: delivery kind → sink), and with
    `messaging` the pass of the conversation to Zendesk's agents."""
    r = pkg.route
    handoff = HandoffRow(
        id=handoff_id, conversation_id=cid, source=source,
        status=initial_status(r).value, message_index=message_index,
        category=decision.category, priority=pkg.priority, reasons=[x.as_dict() for x in decision.reasons],
        team=r.team, agent=r.agent, route={**r.as_dict(), "request": pkg.request.as_dict()},
        briefing=pkg.briefing.as_dict(),
        customer_message=r.customer_message, callback_at=r.callback_at, zendesk_ticket_id=ticket_id,
        customer_email=email_key(email), created_at=now, updated_at=now,
    )
    # a conversation that lives in a Zendesk ticket gets its note on that ticket, not a new one
    rows = _deliveries(targets, handoff_id, replace(pkg.ticket, ticket_id=ticket_id), pkg.alert, now)
    if messaging is not None:
        rows.append(pass_control_row(
            handoff_id=handoff_id, target=targets.get(DeliveryKind.SUNSHINE_CONTROL, "local"), messaging=messaging,
            summary=pkg.briefing.summary, category=decision.category, priority=pkg.priority, team=r.team,
            triggers=[x.trigger for x in decision.reasons], now=now))
    return handoff, rows


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
