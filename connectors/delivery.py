"""What delivery connectors (Zendesk tickets, Slack alerts, the local outbox) accept and return."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

# the requests are the outbox's payload types, defined with the other payloads in the core
from handoff.core.delivery_payloads import AlertRequest, TicketRequest

__all__ = ["AlertRequest", "AlertResult", "AlertSink", "AlertThreadSink", "OutboxSink", "TicketRequest",
           "TicketResult", "TicketSink"]


@dataclass(frozen=True)
class TicketResult:
    """The ticket as Zendesk (or the outbox) holds it."""

    ticket_id: int | None
    url: str | None
    created: bool


@dataclass(frozen=True)
class AlertResult:
    """Where the alert landed."""

    channel: str | None
    ts: str | None
    dm_ts: str | None = None


@runtime_checkable
class TicketSink(Protocol):
    """Creates or updates the Zendesk ticket for a handoff; idempotent on `external_id`."""

    async def upsert_ticket(self, request: TicketRequest) -> TicketResult:
        """Create the ticket, or add the note to the one that has its external id."""


@runtime_checkable
class AlertSink(Protocol):
    """Posts the Slack alert for a handoff (never twice: `check_existing` looks first after a lost answer)."""

    async def post_alert(self, request: AlertRequest, *, check_existing: bool = False) -> AlertResult:
        """Post the alert (and the DM); with `check_existing`, look for it first."""


@runtime_checkable
class AlertThreadSink(AlertSink, Protocol):
    """A Slack workspace: besides posting alerts, updates them (claimed, solved) and replies in their thread."""

    async def update_alert(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        """Replace a posted alert's text and blocks; returns its ts."""

    async def post_thread(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        """Reply in a posted alert's thread; returns the reply's ts."""


@runtime_checkable
class OutboxSink(TicketSink, AlertSink, Protocol):
    """No vendor configured: tickets, alerts and follow-up writes are kept as local files."""

    async def keep(self, kind: str, key: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Keep a follow-up write as a local file; returns where it went."""
