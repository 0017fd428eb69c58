"""What becomes of a delivery after a send: recorded as sent (and its handoff given the ticket id or the
alert), retried later with backoff, or dead. Every outcome is an UPDATE conditional on the row still being
`sending` under our lease, so a row cancelled meanwhile stays cancelled."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from handoff import metrics
from handoff.app.followups import enqueue
from handoff.core.backoff import backoff_seconds as core_backoff
from handoff.core.delivery_kinds import DeliveryKind
from handoff.core.delivery_payloads import CardUpdate
from handoff.settings import DeliverySettings
from handoff.storage.db import changed_rows
from handoff.storage.tables import DeliveryRow, HandoffRow
from jobs.linear_issue import record_bug_report

log = structlog.get_logger("handoff.delivery")


def backoff_seconds(attempts: int, settings: DeliverySettings, retry_after: float | None, rand: float) -> float:
    """Delay before the next durable attempt by `[delivery]`'s backoff (handoff.core.backoff)."""
    return core_backoff(attempts, initial=settings.backoff_initial_seconds, maximum=settings.backoff_max_seconds,
                        retry_after=retry_after, rand=rand)


@dataclass(frozen=True)
class Outcomes:
    """Records the outcome of each send of this process (`owner`, the lease holder)."""

    sessions: sessionmaker[Session]
    settings: DeliverySettings
    owner: str

    def sent(self, row: DeliveryRow, result: dict[str, Any], now: datetime) -> None:
        """Record a send that succeeded: the row `sent`, the handoff's ticket id or alert, the ticket link."""
        with self.sessions() as s:
            recorded = changed_rows(
                s,
                update(DeliveryRow)
                .where(DeliveryRow.id == row.id, DeliveryRow.lease_owner == self.owner, DeliveryRow.status == "sending")
                .values(status="sent", result=result, last_error=None, lease_until=None, updated_at=now)
            )
            if recorded != 1:
                self._sent_though_withdrawn(s, row, result, now)
                return
            if row.kind == DeliveryKind.ZENDESK_TICKET and result.get("ticket_id"):
                s.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == row.handoff_id)
                    .values(zendesk_ticket_id=result["ticket_id"], updated_at=now)
                )
            if row.kind == DeliveryKind.SLACK_ALERT and result.get("ts"):
                s.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == row.handoff_id)
                    .values(alert_channel=result.get("channel"), alert_ts=result["ts"], updated_at=now)
                )
            if row.kind == DeliveryKind.LINEAR_ISSUE:
                record_bug_report(s, row, result, now)  # the bug report's link, passed on
            s.commit()
        if row.kind == DeliveryKind.ZENDESK_TICKET or (row.kind == DeliveryKind.SLACK_ALERT and result.get("ticket_link") is False):
            self._link_alert_to_ticket(row.handoff_id, now)
        metrics.DELIVERIES.labels(kind=row.kind, outcome="sent").inc()
        log.info("delivered", delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind, target=row.target)

    def _sent_though_withdrawn(self, s: Session, row: DeliveryRow, result: dict[str, Any], now: datetime) -> None:
        """The send finished after the row stopped being ours: it stays as it is (a cancelled row stays
        cancelled); a cancelled one keeps what the vendor answered, so the operator knows what to erase there."""
        cancelled = changed_rows(
            s,
            update(DeliveryRow)
            .where(DeliveryRow.id == row.id, DeliveryRow.lease_owner == self.owner, DeliveryRow.status == "cancelled")
            .values(result=result, updated_at=now,
                    last_error=f"customer data erased while this was being sent; it reached {row.target} anyway: "
                               f"erase it there")
        )
        s.commit()
        if cancelled:
            metrics.DELIVERIES.labels(kind=row.kind, outcome="sent_after_cancel").inc()
            log.warning("delivered after the customer's data was erased; erase it at the vendor too",
                        delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind, target=row.target,
                        ticket_id=result.get("ticket_id"), channel=result.get("channel"), ts=result.get("ts"))
        else:
            log.info("delivered, but another process had taken the row over; it records the outcome",
                     delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind)

    def _link_alert_to_ticket(self, handoff_id: str, now: datetime) -> None:
        """An alert that went out before its ticket existed gets the ticket button once both are sent."""
        with self.sessions() as s:
            sent = {k: (t, r) for k, t, r in s.execute(
                select(DeliveryRow.kind, DeliveryRow.target, DeliveryRow.result).where(
                    DeliveryRow.handoff_id == handoff_id, DeliveryRow.status == "sent",
                    DeliveryRow.kind.in_((DeliveryKind.ZENDESK_TICKET, DeliveryKind.SLACK_ALERT)))).all()}
            alert, ticket = sent.get(DeliveryKind.SLACK_ALERT), sent.get(DeliveryKind.ZENDESK_TICKET)
            if alert is None or ticket is None or alert[0] != "slack" or (alert[1] or {}).get("ticket_link") is not False:
                return
            key = f"{handoff_id}:slack:ticket_link"
            if not str((ticket[1] or {}).get("url") or "").startswith("http") or s.scalar(
                    select(DeliveryRow.id).where(DeliveryRow.dedupe_key == key)) is not None:
                return
            enqueue(s, handoff_id, CardUpdate("ticket_link"), "slack", key, now)
            try:
                s.commit()
            except IntegrityError:
                s.rollback()  # the other side of the race queued it: once is enough
                return
        log.info("alert went out before its ticket; adding the ticket link", handoff_id=handoff_id)

    def failed(self, row: DeliveryRow, err: BaseException, transient: bool, retry_after: float | None,
               now: datetime) -> None:
        """Record a failed send: retried later with backoff, or `dead` when permanent or out of attempts."""
        dead = not transient or row.attempts >= self.settings.max_attempts
        delay = backoff_seconds(row.attempts, self.settings, retry_after, random.random())
        values: dict[str, Any] = {
            "status": "dead" if dead else "pending",
            "last_error": str(err)[:1000],
            "lease_until": None,
            "updated_at": now,
        }
        if not dead:
            values["next_attempt_at"] = now + timedelta(seconds=delay)
        with self.sessions() as s:
            changed = changed_rows(s, update(DeliveryRow).where(
                DeliveryRow.id == row.id, DeliveryRow.lease_owner == self.owner, DeliveryRow.status == "sending",
            ).values(**values))
            s.commit()
        if changed != 1:
            log.info("delivery failed after it was cancelled or taken over; left as it is", delivery_id=row.id,
                     handoff_id=row.handoff_id, kind=row.kind, error=str(err))
            return
        metrics.DELIVERIES.labels(kind=row.kind, outcome="dead" if dead else "retry").inc()
        if dead:
            log.error("delivery dead", delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind, attempts=row.attempts, error=str(err))
        else:
            log.warning("delivery failed; will retry", delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind,
                        attempts=row.attempts, retry_in_seconds=round(delay, 1), error=str(err))
