"""Durable delivery: every write to Zendesk or Slack is a stored row, claimed by one process, retried.

A row is inserted in the same transaction as its handoff (so a crash loses nothing), claimed with a
lease by a conditional UPDATE (so two processes never send the same row at once, on SQLite and
PostgreSQL alike), retried with exponential backoff and jitter that honours Retry-After, and moved to
`dead` after the last attempt. Sinks are idempotent (Zendesk external id, Slack metadata), so a row
whose lease expired mid-send is delivered once.

An erasure (handoff.app.erasure) moves a row to `cancelled`, which is terminal: every outcome is recorded
by an UPDATE conditional on the row still being `sending` under our lease, so a send that was in
flight never revives a cancelled row (nor re-stores its erased payload), and each attempt first checks
that the row is still ours to send. A send already on the wire cannot be called back: its answer is
kept on the cancelled row (the ticket or message to erase at the vendor) and logged.

This module claims rows and runs the sends; each kind's send is in jobs.delivery_sends, and what is
recorded after it in jobs.delivery_outcomes.
"""
from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy.orm import Session, sessionmaker
from tenacity import (
    AsyncRetrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential_jitter,
)

from connectors.errors import UpstreamError
from handoff.core.delivery_kinds import DeliveryKind
from handoff.settings import DeliverySettings
from handoff.storage.errors import describe, is_database_unavailable
from handoff.storage.tables import DeliveryRow
from jobs.delivery_outcomes import Outcomes
from jobs.delivery_sends import SENDS, Lookups, Withdrawn
from jobs.forwarded import BATCH_STAGES, FORWARDED_SENDS, follows_in_batch
from jobs.linear_issue import LINEAR_SENDS
from jobs.sunshine_control import CONTROL_SENDS
from jobs.leased_queue import LeasedQueueWorker

log = structlog.get_logger("handoff.delivery")

# Retry-After longer than this is not slept through in-process: the row is rescheduled instead.
IN_PROCESS_RETRY_AFTER_CAP = 5.0
# How long an alert waits for its handoff's ticket (claimed in the same batch) to get the ticket link;
# past this it goes without the link, so a slow or failing Zendesk never holds the Slack alert back.
# A forwarded message waits as long for the one before it (or its ticket, its alert) in the batch.
ALERT_WAITS_FOR_TICKET_SECONDS = 3.0


class _WaitRetryAfter:
    """tenacity wait: the upstream's Retry-After when it gave one, else exponential jitter."""

    def __init__(self) -> None:
        # 0.2 s, 0.4 s, ... plus up to 0.2 s of jitter: an in-process retry must stay quick
        self.fallback = wait_exponential_jitter(multiplier=0.2, jitter=0.2, max=2.0)

    def __call__(self, state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, UpstreamError) and exc.retry_after:
            return float(exc.retry_after)
        return float(self.fallback(state))


def _quick_retry(exc: BaseException) -> bool:
    return (
        isinstance(exc, UpstreamError)
        and exc.transient
        and (exc.retry_after or 0) <= IN_PROCESS_RETRY_AFTER_CAP
    )


class Dispatcher(LeasedQueueWorker[DeliveryRow]):
    """Claims due deliveries and sends them through the sinks."""

    what = "deliveries"

    def __init__(
        self,
        sessions: sessionmaker[Session],
        sinks: Mapping[str, Any],
        settings: DeliverySettings,
        clock: Callable[[], datetime],
        *,
        owner: str | None = None,
        quick_attempts: int = 2,
    ) -> None:
        super().__init__(sessions, DeliveryRow, clock, lease_seconds=settings.lease_seconds, working="sending",
                         owner=owner)
        self.sinks = sinks
        self.settings = settings
        self.quick_attempts = quick_attempts

    async def work(self, rows: Sequence[DeliveryRow]) -> None:
        """Send a claimed batch concurrently, so one slow vendor never holds back the other's writes (nor
        lets the batch outlive its leases); an alert waits a little for its ticket so it can carry the link."""
        # tickets first, then alerts, then the rest in the order they were queued: each row waits (a
        # little) for what it follows in this batch, and _send's own checks hold the order across batches
        last: dict[tuple[str, str], asyncio.Task[None]] = {}
        tasks = []
        for r in sorted(rows, key=lambda r: (BATCH_STAGES.get(r.kind, len(BATCH_STAGES)), r.id)):
            follows = follows_in_batch(r)
            after = next((last[(r.handoff_id, k)] for k in follows if (r.handoff_id, k) in last), None)
            last[(r.handoff_id, r.kind)] = task = asyncio.create_task(self._deliver(r, after=after))
            tasks.append(task)
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
        failure = next((o for o in outcomes if isinstance(o, BaseException)), None)
        if failure is not None:
            raise failure  # e.g. the database went away while recording an outcome: drain() logs it

    async def _send(self, row: DeliveryRow, again: bool = False) -> dict[str, Any]:
        # the row may have been cancelled (erased) since it was claimed, e.g. while an alert waited for
        # its ticket or between quick retries: then its data must not go out
        await asyncio.to_thread(self._look.check_still_ours, row)
        sink = self.sinks.get(row.target)
        if sink is None:
            raise RuntimeError(f"no sink for target {row.target!r}")
        send = (SENDS.get(row.kind) or FORWARDED_SENDS.get(row.kind) or CONTROL_SENDS.get(row.kind)
                or LINEAR_SENDS.get(row.kind))
        if send is None:
            raise RuntimeError(f"unknown delivery kind {row.kind!r}")
        if row.target == "local" and row.kind not in (DeliveryKind.ZENDESK_TICKET, DeliveryKind.SLACK_ALERT):
            # with no vendor configured, follow-up writes are kept as files like the first ones
            return await sink.keep(row.kind, row.dedupe_key, row.payload)
        # `again`: an earlier try may have reached the vendor even though its answer was lost
        # (a timeout): sinks that cannot dedupe by themselves look before writing
        return await send(sink, row, again or row.attempts > 1, self._look)

    async def _deliver(self, row: DeliveryRow, *, after: asyncio.Task[None] | None = None) -> None:
        if after is not None:
            try:
                await asyncio.wait_for(asyncio.shield(after), ALERT_WAITS_FOR_TICKET_SECONDS)
            except TimeoutError:
                log.info("alert not waiting longer for its ticket; sending it without the ticket link"
                         if row.kind == DeliveryKind.SLACK_ALERT else "not waiting longer for what this delivery follows",
                         delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind)
            except Exception:  # noqa: BLE001 - the ticket's own task reports its failure
                pass

        def quick_retry_log(state: Any) -> None:
            exc = state.outcome.exception() if state.outcome else None
            log.warning("delivery attempt failed; retrying in-process", delivery_id=row.id, handoff_id=row.handoff_id,
                        kind=row.kind, target=row.target, attempts=row.attempts,
                        retry_in_seconds=round(state.next_action.sleep, 2) if state.next_action else None,
                        error=str(exc))

        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self.quick_attempts),
                wait=_WaitRetryAfter(),
                retry=retry_if_exception(_quick_retry),
                before_sleep=quick_retry_log,
                reraise=True,
            ):
                with attempt:
                    result = await self._send(row, again=attempt.retry_state.attempt_number > 1)
        except Withdrawn as e:
            log.info("delivery withdrawn before it was sent", delivery_id=row.id, handoff_id=row.handoff_id,
                     kind=row.kind, status=str(e))
            return
        except UpstreamError as e:
            await asyncio.to_thread(self._failed, row, e, e.transient, e.retry_after)
            return
        except Exception as e:  # noqa: BLE001 - a bug in one delivery must not stop the others
            if is_database_unavailable(e):
                raise  # our own store went away: the row is taken back once it answers again
            log.exception("delivery crashed", delivery_id=row.id, kind=row.kind)
            await asyncio.to_thread(self._failed, row, e, True, None)
            return
        try:
            await asyncio.to_thread(self._succeeded, row, result)
        except Exception as e:
            if is_database_unavailable(e):
                log.warning("delivered, but the database went away before it was recorded; the retry will find it "
                            "and not send it again", delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind,
                            target=row.target, error=describe(e))
            raise


    @property
    def _look(self) -> Lookups:
        return Lookups(self.sessions, self.owner)

    @property
    def _outcomes(self) -> Outcomes:
        return Outcomes(self.sessions, self.settings, self.owner)

    def _succeeded(self, row: DeliveryRow, result: dict[str, Any]) -> None:
        self._outcomes.sent(row, result, self.clock())

    def _failed(self, row: DeliveryRow, err: BaseException, transient: bool, retry_after: float | None) -> None:
        self._outcomes.failed(row, err, transient, retry_after, self.clock())
