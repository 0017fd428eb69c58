"""What a customer writes after the handoff reaches the agent: a public comment on the ticket, a reply in
the alert's Slack thread.

Both are delivery rows stored in the same transaction as the message (so a crash loses none and a retry
sends none twice: one row per message index and destination, keyed `<handoff>:customer:<index>:...`).
The dispatcher (jobs/deliveries.py) sends them in order per handoff and destination, after the ticket
and the alert they belong to.

Only the customer's messages go: an AI turn after the handoff is the bot talking while it should be
quiet (its holding line is already the handoff's `customer_message`, which the agent has); putting it on
the ticket would read as if the AI were still answering, and in the Zendesk webhook flow it is on the
ticket already. A message that came from the handoff's own ticket (a conversation living in Zendesk) is
not echoed back onto it; its Slack reply still goes.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import CustomerComment, ThreadReply, kind_of, payload_json
from handoff.core.masking import for_slack, for_ticket
from handoff.core.models import Message
from handoff.storage.tables import DeliveryRow

# Slack shows at most 40,000 characters of a message; a customer's 32,000-character paste is cut well
# before that so the thread stays readable (the ticket gets it whole).
SLACK_REPLY_CHARS = 3000


def forwarded_deliveries(handoff: Any, message: Message, *, source_ticket_id: int | None,
                         targets: dict[str, str], now: datetime) -> list[DeliveryRow]:
    """The delivery rows that bring `message` to the agent of `handoff` (its answer row: id, ticket)."""
    if message.role != "customer":
        return []
    common: dict[str, Any] = {"handoff_id": handoff.id, "status": "pending", "attempts": 0, "next_attempt_at": now,
                              "created_at": now, "updated_at": now}
    key = f"{handoff.id}:customer:{message.index}"
    rows = []
    if source_ticket_id is None or source_ticket_id != handoff.zendesk_ticket_id:
        comment = CustomerComment(for_ticket(message.text), message.index)
        rows.append(DeliveryRow(kind=kind_of(comment), target=targets[DeliveryKind.ZENDESK_TICKET],
                                dedupe_key=f"{key}:zendesk", payload=payload_json(comment), **common))
    text = message.text if len(message.text) <= SLACK_REPLY_CHARS else message.text[:SLACK_REPLY_CHARS] + " …"
    reply = ThreadReply(f"Customer: {for_slack(text)}", message.index, f"{key}:slack")
    rows.append(DeliveryRow(kind=kind_of(reply), target=targets[DeliveryKind.SLACK_ALERT], dedupe_key=f"{key}:slack",
                            payload=payload_json(reply), **common))
    return rows
