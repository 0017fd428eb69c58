"""Sending a `sunshine_control` delivery (handoff.app.messaging): the Switchboard's passControl or releaseControl.

A pass goes out at once, with the handoff's ticket and alert, waiting for neither. A release goes after its
handoff's pass: while that pass is still in flight the release waits (retried like any unavailable upstream),
so the conversation never ends with the agents because the two crossed.
"""
from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from connectors.errors import Rejected, Unavailable
from handoff.app.messaging import pass_key
from handoff.storage.tables import DeliveryRow

if TYPE_CHECKING:  # jobs.delivery_sends registers this send: no import back at run time
    from jobs.delivery_sends import Lookups

SOURCE = "sunshine"


def _pass_in_flight(look: "Lookups", handoff_id: str) -> bool:
    with look.sessions() as s:
        status = s.scalar(select(DeliveryRow.status).where(DeliveryRow.dedupe_key == pass_key(handoff_id)))
    return status in ("pending", "sending")


async def send_sunshine_control(sink: Any, row: DeliveryRow, again: bool, look: "Lookups") -> dict[str, Any]:
    """Pass the conversation to the agent workspace, or (after the pass) give it back to the bot."""
    p = row.payload or {}
    action, conversation_id = p.get("action"), p.get("conversation_id")
    if not conversation_id:
        raise Rejected(SOURCE, "the delivery names no conversation")
    if action == "pass":
        return dict(await sink.pass_control(conversation_id, p.get("metadata") or {}, app_id=p.get("app_id")))
    if action == "release":
        if await asyncio.to_thread(_pass_in_flight, look, row.handoff_id):
            raise Unavailable(SOURCE, "the handoff's passControl is still on its way")
        return dict(await sink.release_control(conversation_id, p.get("metadata"), app_id=p.get("app_id")))
    raise Rejected(SOURCE, f"unknown switchboard action {action!r}")
