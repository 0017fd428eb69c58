"""Sending a `sunshine_control` delivery (handoff.app.messaging): the Switchboard's passControl or releaseControl.

A pass goes out at once, with the handoff's ticket and alert, waiting for neither. A release goes after its
handoff's pass: while that pass is still on its way the release waits (retried like any unavailable
upstream), so the conversation never ends with the agents because the two crossed.
"""
from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import select

from connectors.errors import Rejected, Unavailable
from handoff.app.messaging import pass_key
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import SwitchboardControl
from handoff.storage.tables import DeliveryRow
from jobs.delivery_sends import Lookups, Send, payload_as

SOURCE = "sunshine"


def _pass_on_its_way(look: Lookups, handoff_id: str) -> bool:
    with look.sessions() as s:
        status = s.scalar(select(DeliveryRow.status).where(DeliveryRow.dedupe_key == pass_key(handoff_id)))
    return status in ("pending", "sending")


async def send_sunshine_control(sink: Any, row: DeliveryRow, again: bool, look: Lookups) -> dict[str, Any]:
    """Pass the conversation to the agent workspace, or (after the pass) give it back to the bot."""
    control = payload_as(row, SwitchboardControl)
    if control.action == "pass":
        return dict(await sink.pass_control(control.conversation_id, control.metadata, app_id=control.app_id))
    if control.action == "release":
        if await asyncio.to_thread(_pass_on_its_way, look, row.handoff_id):
            raise Unavailable(SOURCE, "the handoff's passControl is still on its way")
        return dict(await sink.release_control(control.conversation_id, control.metadata, app_id=control.app_id))
    raise Rejected(SOURCE, f"unknown switchboard action {control.action!r}")


CONTROL_SENDS: dict[str, Send] = {DeliveryKind.SUNSHINE_CONTROL: send_sunshine_control}
