"""Sending what a customer writes after the handoff (handoff.app.forwarding): `zendesk_comment` and
`slack_reply` rows, and the order a batch starts its rows in.

Each waits for what it belongs to (the ticket, the alert) and for the same handoff's earlier row of its
kind, so the agent reads the messages in the order they were written. A retry after a lost answer looks
before writing: the ticket's comments by the requester, the thread's replies by their metadata key.
"""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from connectors.errors import Rejected, Unavailable
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import CustomerComment, ThreadReply
from handoff.storage.tables import DeliveryRow
from jobs.delivery_sends import Lookups, Send, payload_as

# the order a batch starts its rows in, and what each kind waits for (the first of these in the batch)
BATCH_STAGES: dict[str, int] = {DeliveryKind.ZENDESK_TICKET: 0, DeliveryKind.SLACK_ALERT: 1}


def follows_in_batch(row: DeliveryRow) -> tuple[str, ...]:
    """The kinds of the same handoff's rows that `row` goes after, nearest first."""
    if row.kind in (DeliveryKind.SLACK_ALERT, DeliveryKind.LINEAR_ISSUE):
        return (DeliveryKind.ZENDESK_TICKET,)  # to carry the ticket link
    if row.kind == DeliveryKind.ZENDESK_COMMENT:
        return (DeliveryKind.ZENDESK_COMMENT, DeliveryKind.ZENDESK_TICKET)
    if row.kind == DeliveryKind.SLACK_REPLY:
        return (DeliveryKind.SLACK_REPLY, DeliveryKind.SLACK_ALERT)
    if row.kind == DeliveryKind.SLACK_MESSAGE and (row.payload or {}).get("thread"):
        return (DeliveryKind.SLACK_ALERT,)
    return ()


def _earlier_on_its_way(look: Lookups, row: DeliveryRow, vendor: str) -> None:
    """Unavailable while an earlier row of the same kind and handoff is still to be sent: the customer's
    messages arrive in the order they wrote them (one given up on, dead or cancelled, is passed)."""
    with look.sessions() as s:
        earlier = s.scalar(select(DeliveryRow.id).where(
            DeliveryRow.handoff_id == row.handoff_id, DeliveryRow.kind == row.kind, DeliveryRow.id < row.id,
            DeliveryRow.status.in_(("pending", "sending"))).limit(1))
    if earlier is not None:
        raise Unavailable(vendor, f"an earlier message of this handoff (delivery {earlier}) is still on its way")


def _alert_channel(look: Lookups, handoff_id: str) -> str | None:
    with look.sessions() as s:
        payload = s.scalar(select(DeliveryRow.payload).where(
            DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == DeliveryKind.SLACK_ALERT))
    return (payload or {}).get("channel") or None


async def send_zendesk_comment(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """The customer's later message as their public comment: after the ticket and after the one before."""
    await asyncio.to_thread(_earlier_on_its_way, look, row, "zendesk")
    handoff = await asyncio.to_thread(look.handoff, row.handoff_id)
    ticket_id = handoff.zendesk_ticket_id if handoff else None
    if ticket_id is None:
        raise Unavailable("zendesk", "the handoff's ticket is not created yet")
    comment = payload_as(row, CustomerComment)
    comment_id = await sink.add_customer_comment(ticket_id, comment.body, check_existing=again)
    return {"ticket_id": ticket_id, "comment_id": comment_id}


async def send_slack_reply(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """The customer's later message in the alert's thread: after the alert and after the one before."""
    await asyncio.to_thread(_earlier_on_its_way, look, row, "slack")
    p = payload_as(row, ThreadReply)
    alert = await asyncio.to_thread(look.alert, row.handoff_id)
    if alert is None:
        if await asyncio.to_thread(look.alert_coming, row.handoff_id):
            raise Unavailable("slack", "the alert is not posted yet")
        # no alert is coming (dead, cancelled): the message still reaches the channel, on its own
        channel = await asyncio.to_thread(_alert_channel, look, row.handoff_id)
        if not channel:
            raise Rejected("slack", "the handoff has no alert channel to post the customer's message in")
        ts = await sink.post_message(channel, f"{p.text} (handoff {row.handoff_id})")
        return {"channel": channel, "ts": ts}
    channel, ts, _ = alert
    reply = await sink.find_reply(channel, ts, p.key) if again else None
    if reply is None:
        reply = await sink.post_reply(channel, ts, p.text, p.key)
    return {"channel": channel, "ts": reply, "thread_ts": ts}


FORWARDED_SENDS: dict[str, Send] = {DeliveryKind.ZENDESK_COMMENT: send_zendesk_comment, DeliveryKind.SLACK_REPLY: send_slack_reply}
