"""One claimed delivery sent through its sink, a function per kind, and the stored rows a send reads (the
handoff's ticket and alert, whether the row is still ours to send)."""
from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from connectors.errors import Rejected, Unavailable
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import (
    AlertRequest,
    BotUpdate,
    CardUpdate,
    SlackMessage,
    TicketNote,
    TicketRequest,
    UnreadablePayload,
    read_payload,
)
from handoff.core.render.slack_card import with_ticket_button
from handoff.core.render.slack_states import card_in_state
from handoff.storage.tables import DeliveryRow, HandoffRow


P = TypeVar("P")


class Withdrawn(Exception):
    """The row is no longer ours to send: cancelled by an erasure, or taken over after our lease ran out."""


@dataclass(frozen=True)
class Lookups:
    """What a send reads from the store, each in a short session of its own (called in a worker thread)."""

    sessions: sessionmaker[Session]
    owner: str

    def check_still_ours(self, row: DeliveryRow) -> None:
        """Raise Withdrawn unless the row is still `sending` under our lease."""
        with self.sessions() as s:
            current = s.execute(select(DeliveryRow.status, DeliveryRow.lease_owner).where(DeliveryRow.id == row.id)).first()
        if current is None or current.status != "sending" or current.lease_owner != self.owner:
            raise Withdrawn(current.status if current is not None else "deleted")

    def handoff(self, handoff_id: str) -> HandoffRow | None:
        """The handoff row, or None."""
        with self.sessions() as s:
            return s.get(HandoffRow, handoff_id)

    def alert(self, handoff_id: str) -> tuple[str, str, dict[str, Any]] | None:
        """(channel, ts, payload) of the handoff's sent alert, or None when not posted yet."""
        with self.sessions() as s:
            row = s.scalars(select(DeliveryRow).where(
                DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == DeliveryKind.SLACK_ALERT, DeliveryRow.status == "sent")).first()
        if row is None:
            return None
        channel, ts = (row.result or {}).get("channel"), (row.result or {}).get("ts")
        if row.target == "local":
            return (channel or "", ts or "", row.payload)
        return (channel, ts, row.payload) if channel and ts else None

    def alert_coming(self, handoff_id: str) -> bool:
        """Whether the handoff has an alert that is on its way or was just sent (not dead, not cancelled).

        "sent" counts too: the alert may have been marked sent between the caller's look for a sent alert
        and this one, and the next attempt then finds it.
        """
        with self.sessions() as s:
            return s.scalar(select(DeliveryRow.id).where(
                DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == DeliveryKind.SLACK_ALERT,
                DeliveryRow.status.in_(("pending", "sending", "sent")))) is not None

    def ticket_url(self, handoff_id: str) -> str | None:
        """The URL of the handoff's sent ticket, or None."""
        with self.sessions() as s:
            res = s.scalar(
                select(DeliveryRow.result).where(
                    DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == DeliveryKind.ZENDESK_TICKET, DeliveryRow.status == "sent"
                )
            )
        url = (res or {}).get("url")
        return url if url and url.startswith("http") else None


def payload_as(row: DeliveryRow, cls: type[P]) -> P:
    """The row's stored payload read back as its kind's type (a stored row of another shape is rejected:
    retrying it would never help)."""
    try:
        payload = read_payload(row.kind, row.payload or {})
    except UnreadablePayload as e:
        raise Rejected(row.target, str(e)) from e
    if not isinstance(payload, cls):
        raise Rejected(row.target, f"a {row.kind} row carries a {type(payload).__name__}")
    return payload


async def send_zendesk_ticket(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """Create (or find, by external id) the handoff's Zendesk ticket."""
    return asdict(await sink.upsert_ticket(payload_as(row, TicketRequest)))


async def send_zendesk_update(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """Update the handoff's ticket once it exists."""
    # the ticket may still be on its way: wait for it rather than create a second one
    handoff = await asyncio.to_thread(look.handoff, row.handoff_id)
    ticket_id = handoff.zendesk_ticket_id if handoff else None
    if ticket_id is None and row.target != "local":
        raise Unavailable("zendesk", "the handoff's ticket is not created yet")
    return asdict(await sink.upsert_ticket(payload_as(row, TicketNote).on_ticket(ticket_id)))


async def send_slack_alert(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """Post the Slack alert, with the ticket button when the ticket is already there."""
    alert = payload_as(row, AlertRequest)
    ticket_url = await asyncio.to_thread(look.ticket_url, row.handoff_id)
    if ticket_url and alert.blocks:
        alert = replace(alert, blocks=with_ticket_button(alert.blocks, row.handoff_id, ticket_url))
    # after a crash mid-send the alert may already be in Slack: look before posting again
    result = asdict(await sink.post_alert(alert, check_existing=again))
    return {**result, "ticket_link": bool(ticket_url)}


async def send_slack_update(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """Redraw the posted alert in its new state, and post its note in the thread."""
    change = payload_as(row, CardUpdate)
    alert = await asyncio.to_thread(look.alert, row.handoff_id)
    if alert is None:
        raise Unavailable("slack", "the alert is not posted yet")
    channel, ts, payload = alert
    blocks = payload.get("blocks") or []
    # the stored card predates the ticket: keep (or add) its "Open in Zendesk" button
    if blocks and (ticket_url := await asyncio.to_thread(look.ticket_url, row.handoff_id)):
        blocks = with_ticket_button(blocks, row.handoff_id, ticket_url)
    blocks = card_in_state(blocks, row.handoff_id, change)
    note = change.note
    text = f"{payload.get('text', '')} ({note})" if note else payload.get("text", "")
    await sink.update_alert(channel, ts, text, blocks)
    if note:
        await sink.post_thread(channel, ts, note)
    return {"channel": channel, "ts": ts}


async def send_slack_message(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """Post a message: in the alert's thread when it asks for one, else on its own."""
    p = payload_as(row, SlackMessage)
    if p.thread:
        alert = await asyncio.to_thread(look.alert, row.handoff_id)
        if alert is not None:
            channel, ts, _ = alert
            await sink.post_thread(channel, ts, p.text)
            return {"channel": channel, "thread_ts": ts}
        # a note posted before its alert would stand alone in the channel: wait while the alert
        # is still on its way; only with no alert coming (dead, cancelled) does it go out on its own
        if await asyncio.to_thread(look.alert_coming, row.handoff_id):
            raise Unavailable("slack", "the alert is not posted yet")
    result = await sink.post_alert(AlertRequest(handoff_id=row.handoff_id, channel=p.channel or "", text=p.text,
                                                dm_user_id=p.dm_user_id),
                                   check_existing=again)
    return asdict(result)


async def send_bot_webhook(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """POST a customer update to the bot's webhook (signed by the sink); the bot dedupes by `update.id`."""
    return dict(await sink.post(payload_as(row, BotUpdate).body()))


Send = Callable[[Any, DeliveryRow, bool, Lookups], Awaitable[dict[str, Any]]]
SENDS: dict[str, Send] = {
    DeliveryKind.ZENDESK_TICKET: send_zendesk_ticket,
    DeliveryKind.ZENDESK_UPDATE: send_zendesk_update,
    DeliveryKind.SLACK_ALERT: send_slack_alert,
    DeliveryKind.SLACK_UPDATE: send_slack_update,
    DeliveryKind.SLACK_MESSAGE: send_slack_message,
    DeliveryKind.BOT_WEBHOOK: send_bot_webhook,
}

