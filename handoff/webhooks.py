"""The Zendesk webhook edge: verify, parse, store, answer 202. The work happens later (jobs/inbound.py)."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.storage.tables import InboundEventRow
from handoff.zendesk_webhook import InboundEvent, WebhookRejected, parse_event, verify_signature

log = structlog.get_logger("handoff.webhooks")


def store_event(sessions: sessionmaker[Session], event: InboundEvent, now: datetime) -> bool:
    """Store an accepted event for processing; False when the same event was stored before."""
    with sessions() as s:
        s.add(InboundEventRow(
            source="zendesk", event_key=event.key[:200], kind=event.kind, ticket_id=event.ticket_id,
            payload={"kind": event.kind, "ticket_id": event.ticket_id, "actor_id": event.actor_id,
                     "occurred_at": event.occurred_at.isoformat() if event.occurred_at else None,
                     "data": event.data, "event_type": event.event_type},
            status="pending", attempts=0, next_attempt_at=now, received_at=now,
        ))
        try:
            s.commit()
        except IntegrityError:
            return False
    return True


def mount_zendesk_webhook(app: FastAPI, sessions: sessionmaker[Session], *, secret: str | None,
                          tolerance_seconds: float, clock: Callable[[], datetime],
                          wake: Callable[[], None]) -> None:
    """Add `POST /webhooks/zendesk` to the app."""

    @app.post("/webhooks/zendesk", tags=["webhooks"], status_code=202)
    async def zendesk_webhook(request: Request) -> JSONResponse:
        """Zendesk webhook target (signed); acknowledged at once, processed durably."""
        if not secret:
            return JSONResponse({"error": "ZENDESK_WEBHOOK_SECRET is not configured: webhook calls are refused"}, 503)
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        now = clock()
        try:
            verify_signature(secret, headers.get("x-zendesk-webhook-signature-timestamp"), body,
                             headers.get("x-zendesk-webhook-signature"), now=now, tolerance_seconds=tolerance_seconds)
            event = parse_event(body, headers)
        except WebhookRejected as e:
            log.warning("zendesk webhook refused", status=e.status, reason=e.reason,
                        webhook_id=headers.get("x-zendesk-webhook-id"))
            metrics.WEBHOOK_EVENTS.labels(outcome=f"refused_{e.status}").inc()
            return JSONResponse({"error": e.reason}, e.status)
        fresh = await asyncio.to_thread(store_event, sessions, event, now)
        metrics.WEBHOOK_EVENTS.labels(outcome="accepted" if fresh else "duplicate").inc()
        if not fresh:
            return JSONResponse({"status": "duplicate", "key": event.key}, 200)
        wake()
        return JSONResponse({"status": "accepted", "key": event.key, "kind": event.kind}, 202)
