"""The Zendesk webhook edge: verify, parse, store, answer 202. The work happens later (jobs/inbound.py)."""
from __future__ import annotations

import asyncio
import base64
from collections.abc import Callable
from datetime import datetime

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.storage.replay_guard import REPLAYED, ReplayGuard
from handoff.edge.http.limits import BodyRefused, check_json_body
from handoff.storage.tables import InboundEventRow
from handoff.core.formats.zendesk_events import InboundEvent, WebhookRejected, parse_event, verify_signature

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


def is_stored(sessions: sessionmaker[Session], event: InboundEvent) -> bool:
    """Whether this event (by its dedupe key) was stored before."""
    with sessions() as s:
        return s.scalar(select(InboundEventRow.id).where(InboundEventRow.source == "zendesk",
                                                         InboundEventRow.event_key == event.key[:200])) is not None


def mount_zendesk_webhook(app: FastAPI, sessions: sessionmaker[Session], *, secret: str | None,
                          tolerance_seconds: float, clock: Callable[[], datetime],
                          wake: Callable[[], None]) -> None:
    """Add `POST /webhooks/zendesk` to the app.

    Replays: a verified request whose signature we accepted before is never processed again.
    When its event is already stored it is answered `200 duplicate`, like any redelivery: Zendesk
    may deliver an event twice and its timestamps have one-second resolution, so two genuine
    deliveries can carry the same signature. When its event is not stored, someone changed the
    unsigned headers (the invocation id makes the dedupe key of trigger bodies) to get the same
    signed body processed twice: 401 "replayed request". A delivery we answered with a non-2xx is
    not remembered, so Zendesk's retry of it is let through (handoff.storage.replay_guard).
    """
    guard = ReplayGuard(sessions, "zendesk", window_seconds=tolerance_seconds, clock=clock)

    @app.post("/webhooks/zendesk", tags=["webhooks"], status_code=202)
    async def zendesk_webhook(request: Request) -> JSONResponse:
        """Zendesk webhook target (signed); acknowledged at once, processed durably."""
        if not secret:
            return JSONResponse({"error": "ZENDESK_WEBHOOK_SECRET is not configured: webhook calls are refused"}, 503)
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        now = clock()
        signature = headers.get("x-zendesk-webhook-signature")
        try:
            verify_signature(secret, headers.get("x-zendesk-webhook-signature-timestamp"), body,
                             signature, now=now, tolerance_seconds=tolerance_seconds)
        except WebhookRejected as e:
            return _refused(e, headers)
        digest = base64.b64decode((signature or "").strip())  # verified above: valid base64
        try:
            # NUL (PostgreSQL text refuses it) and lone surrogates (no encoding takes them) were 500s
            cleaned = check_json_body(body, None)
        except BodyRefused as e:
            return _refused(WebhookRejected(e.status, e.body["error"]), headers)
        try:
            event = parse_event(body if cleaned is None else cleaned, headers)
        except WebhookRejected as e:
            return _refused(e, headers)
        if not await guard.aclaim(digest):
            if await asyncio.to_thread(is_stored, sessions, event):
                metrics.WEBHOOK_EVENTS.labels(outcome="duplicate").inc()
                return JSONResponse({"status": "duplicate", "key": event.key}, 200)
            return _refused(WebhookRejected(401, REPLAYED), headers)
        accepted = False
        try:
            fresh = await asyncio.to_thread(store_event, sessions, event, now)
            accepted = True
        finally:
            if not accepted:
                await guard.arelease(digest)
        metrics.WEBHOOK_EVENTS.labels(outcome="accepted" if fresh else "duplicate").inc()
        if not fresh:
            return JSONResponse({"status": "duplicate", "key": event.key}, 200)
        wake()
        return JSONResponse({"status": "accepted", "key": event.key, "kind": event.kind}, 202)


def _refused(e: WebhookRejected, headers: dict[str, str]) -> JSONResponse:
    log.warning("zendesk webhook refused", status=e.status, reason=e.reason, webhook_id=headers.get("x-zendesk-webhook-id"))
    metrics.WEBHOOK_EVENTS.labels(outcome=f"refused_{e.status}").inc()
    return JSONResponse({"error": e.reason}, e.status)
