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
"""
from __future__ import annotations

import asyncio
import random
import socket
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from tenacity import AsyncRetrying, retry_if_exception, stop_after_attempt, wait_exponential_jitter

from connectors.delivery import AlertRequest, TicketRequest
from connectors.errors import Unavailable, UpstreamError
from handoff import metrics
from handoff.storage.errors import describe, is_database_unavailable
from handoff.app.followups import enqueue
from handoff.core.render.slack_card import with_ticket_button
from handoff.core.render.slack_states import card_in_state
from handoff.settings import DeliverySettings
from handoff.storage.claims import claim_due
from handoff.storage.tables import DeliveryRow, HandoffRow
from jobs.forwarded import BATCH_STAGES, ForwardedSends, follows_in_batch

log = structlog.get_logger("handoff.delivery")

# Retry-After longer than this is not slept through in-process: the row is rescheduled instead.
IN_PROCESS_RETRY_AFTER_CAP = 5.0
# How long an alert waits for its handoff's ticket (claimed in the same batch) to get the ticket link;
# past this it goes without the link, so a slow or failing Zendesk never holds the Slack alert back.
# A forwarded message waits as long for the one before it (or its ticket, its alert) in the batch.
ALERT_WAITS_FOR_TICKET_SECONDS = 3.0


def backoff_seconds(attempts: int, settings: DeliverySettings, retry_after: float | None, rand: float) -> float:
    """Delay before the next durable attempt: exponential with jitter, never shorter than Retry-After."""
    base = min(settings.backoff_max_seconds, settings.backoff_initial_seconds * (2 ** max(0, attempts - 1)))
    delay = base * (0.5 + rand / 2)  # "equal jitter": spreads retries without collapsing to zero
    return max(delay, retry_after or 0.0)


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


class _Withdrawn(Exception):
    """The row is no longer ours to send: cancelled by an erasure, or taken over after our lease ran out."""


def _quick_retry(exc: BaseException) -> bool:
    return (
        isinstance(exc, UpstreamError)
        and exc.transient
        and (exc.retry_after or 0) <= IN_PROCESS_RETRY_AFTER_CAP
    )


class Dispatcher(ForwardedSends):
    """Claims due deliveries and sends them through the sinks."""

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
        self.sessions = sessions
        self.sinks = sinks
        self.settings = settings
        self.clock = clock
        self.owner = owner or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}"
        self.quick_attempts = quick_attempts
        self._again = False
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: set[int] = set()  # rows this process is sending right now
        self._claiming = asyncio.Lock()

    def wake(self) -> None:
        """Deliver due work now, in the background; called after a handoff commits and by the scheduler.

        Safe from worker threads too: the call is handed to the event loop the dispatcher runs on.
        """
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            if self._loop is not None and not self._loop.is_closed():
                self._loop.call_soon_threadsafe(self.wake)
            return  # no loop yet: the scheduler's next poll picks the work up
        self._loop = loop
        self._again = True
        if self._task is None or self._task.done():
            self._task = loop.create_task(self.drain())

    async def drain(self) -> None:
        """Deliver until nothing is due; a wake() during the run makes it look once more."""
        while self._again:
            self._again = False
            try:
                while await self.run_due() > 0:
                    pass
            except Exception as e:  # noqa: BLE001 - must outlive a bad moment (database restarting)
                if is_database_unavailable(e):
                    log.warning("database unavailable; deliveries wait for the next wake-up", error=describe(e))
                else:
                    log.exception("delivery run failed; the next wake-up tries again")

    async def idle(self) -> None:
        """Wait for the background run started by wake() to finish (tests, shutdown)."""
        while self._task is not None and not self._task.done():
            await asyncio.shield(self._task)

    def _claim(self, limit: int, in_flight: frozenset[int] = frozenset()) -> list[DeliveryRow]:
        # rows of ours not in flight were abandoned when the database went away mid-run: take them back
        return claim_due(self.sessions, DeliveryRow, now=self.clock(), lease_seconds=self.settings.lease_seconds,
                         owner=self.owner, limit=limit, reclaim_own=in_flight)

    async def run_due(self, limit: int = 20) -> int:
        """Claim and send up to `limit` due deliveries at once; returns how many were attempted.

        The rows of a batch go out concurrently, so one slow vendor never holds back the other's
        writes (nor lets the batch outlive its leases); an alert waits a little for its ticket so it
        can carry the ticket link.
        """
        async with self._claiming:  # the in-flight set must not change between reading it and claiming
            rows = await asyncio.to_thread(self._claim, limit, frozenset(self._in_flight))
            self._in_flight.update(r.id for r in rows)
        if not rows:
            return 0
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
        return len(rows)

    async def _send(self, row: DeliveryRow, again: bool = False) -> dict[str, Any]:
        # the row may have been cancelled (erased) since it was claimed, e.g. while an alert waited for
        # its ticket or between quick retries: then its data must not go out
        await asyncio.to_thread(self._check_still_ours, row)
        sink = self.sinks.get(row.target)
        if sink is None:
            raise RuntimeError(f"no sink for target {row.target!r}")
        send = getattr(self, f"_send_{row.kind}", None)
        if send is None:
            raise RuntimeError(f"unknown delivery kind {row.kind!r}")
        if row.target == "local" and row.kind not in ("zendesk_ticket", "slack_alert"):
            # with no vendor configured, follow-up writes are kept as files like the first ones
            return await sink.keep(row.kind, row.dedupe_key, row.payload)
        # `again`: an earlier try may have reached the vendor even though its answer was lost
        # (a timeout): sinks that cannot dedupe by themselves look before writing
        return await send(sink, row, again or row.attempts > 1)

    async def _send_zendesk_ticket(self, sink: Any, row: DeliveryRow, again: bool) -> dict[str, Any]:
        return asdict(await sink.upsert_ticket(TicketRequest(**_ticket_args(row.payload))))

    async def _send_zendesk_update(self, sink: Any, row: DeliveryRow, again: bool) -> dict[str, Any]:
        # the ticket may still be on its way: wait for it rather than create a second one
        handoff = await asyncio.to_thread(self._handoff, row.handoff_id)
        ticket_id = handoff.zendesk_ticket_id if handoff else None
        if ticket_id is None and row.target != "local":
            raise Unavailable("zendesk", "the handoff's ticket is not created yet")
        args = _ticket_args(row.payload)
        args.update(ticket_id=ticket_id, subject=args.get("subject") or "")
        return asdict(await sink.upsert_ticket(TicketRequest(**args)))

    async def _alert_when_posted(self, handoff_id: str) -> tuple[str, str, dict[str, Any]] | None:
        """The posted alert; Unavailable while it is still on its way; None when none is coming."""
        alert = await asyncio.to_thread(self._alert, handoff_id)
        if alert is not None:
            return alert
        if await asyncio.to_thread(self._alert_coming, handoff_id):
            raise Unavailable("slack", "the alert is not posted yet")
        # it may have been sent between the two reads
        return await asyncio.to_thread(self._alert, handoff_id)

    async def _send_slack_alert(self, sink: Any, row: DeliveryRow, again: bool) -> dict[str, Any]:
        payload = dict(row.payload)
        ticket_url = await asyncio.to_thread(self._ticket_url, row.handoff_id)
        if ticket_url and payload.get("blocks"):
            payload["blocks"] = with_ticket_button(payload["blocks"], row.handoff_id, ticket_url)
        # after a crash mid-send the alert may already be in Slack: look before posting again
        result = asdict(await sink.post_alert(AlertRequest(**payload), check_existing=again))
        return {**result, "ticket_link": bool(ticket_url)}

    async def _send_slack_update(self, sink: Any, row: DeliveryRow, again: bool) -> dict[str, Any]:
        alert = await asyncio.to_thread(self._alert, row.handoff_id)
        if alert is None:
            raise Unavailable("slack", "the alert is not posted yet")
        channel, ts, payload = alert
        blocks = payload.get("blocks") or []
        # the stored card predates the ticket: keep (or add) its "Open in Zendesk" button
        if blocks and (ticket_url := await asyncio.to_thread(self._ticket_url, row.handoff_id)):
            blocks = with_ticket_button(blocks, row.handoff_id, ticket_url)
        blocks = card_in_state(blocks, row.handoff_id, row.payload)
        note = row.payload.get("note")
        text = f"{payload.get('text', '')} ({note})" if note else payload.get("text", "")
        await sink.update_alert(channel, ts, text, blocks)
        if row.payload.get("note"):
            await sink.post_thread(channel, ts, row.payload["note"])
        return {"channel": channel, "ts": ts}

    async def _send_slack_message(self, sink: Any, row: DeliveryRow, again: bool) -> dict[str, Any]:
        p = row.payload
        if p.get("thread"):
            # a note posted before its alert would stand alone in the channel: wait while the alert
            # is still on its way; only with no alert coming (dead, cancelled) does it go out on its own
            alert = await self._alert_when_posted(row.handoff_id)
            if alert is not None:
                channel, ts, _ = alert
                await sink.post_thread(channel, ts, p["text"])
                return {"channel": channel, "thread_ts": ts}
        result = await sink.post_alert(AlertRequest(handoff_id=row.handoff_id, channel=p.get("channel") or "",
                                                    text=p["text"], blocks=p.get("blocks") or [],
                                                    dm_user_id=p.get("dm_user_id")),
                                       check_existing=again)
        return asdict(result)

    def _check_still_ours(self, row: DeliveryRow) -> None:
        with self.sessions() as s:
            current = s.execute(select(DeliveryRow.status, DeliveryRow.lease_owner).where(DeliveryRow.id == row.id)).first()
        if current is None or current.status != "sending" or current.lease_owner != self.owner:
            raise _Withdrawn(current.status if current is not None else "deleted")

    def _handoff(self, handoff_id: str) -> HandoffRow | None:
        with self.sessions() as s:
            return s.get(HandoffRow, handoff_id)

    def _alert(self, handoff_id: str) -> tuple[str, str, dict[str, Any]] | None:
        with self.sessions() as s:
            row = s.scalars(select(DeliveryRow).where(
                DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == "slack_alert", DeliveryRow.status == "sent")).first()
        if row is None:
            return None
        channel, ts = (row.result or {}).get("channel"), (row.result or {}).get("ts")
        if row.target == "local":
            return (channel or "", ts or "", row.payload)
        return (channel, ts, row.payload) if channel and ts else None

    def _alert_coming(self, handoff_id: str) -> bool:
        with self.sessions() as s:
            return s.scalar(select(DeliveryRow.id).where(
                DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == "slack_alert",
                DeliveryRow.status.in_(("pending", "sending")))) is not None

    def _ticket_url(self, handoff_id: str) -> str | None:
        with self.sessions() as s:
            res = s.scalar(
                select(DeliveryRow.result).where(
                    DeliveryRow.handoff_id == handoff_id, DeliveryRow.kind == "zendesk_ticket", DeliveryRow.status == "sent"
                )
            )
        url = (res or {}).get("url")
        return url if url and url.startswith("http") else None

    async def _deliver(self, row: DeliveryRow, *, after: asyncio.Task[None] | None = None) -> None:
        try:
            await self._deliver_claimed(row, after)
        finally:
            self._in_flight.discard(row.id)

    async def _deliver_claimed(self, row: DeliveryRow, after: asyncio.Task[None] | None) -> None:
        if after is not None:
            try:
                await asyncio.wait_for(asyncio.shield(after), ALERT_WAITS_FOR_TICKET_SECONDS)
            except TimeoutError:
                log.info("alert not waiting longer for its ticket; sending it without the ticket link"
                         if row.kind == "slack_alert" else "not waiting longer for what this delivery follows",
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
        except _Withdrawn as e:
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

    def _succeeded(self, row: DeliveryRow, result: dict[str, Any]) -> None:
        now = self.clock()
        with self.sessions() as s:
            recorded = s.execute(
                update(DeliveryRow)
                .where(DeliveryRow.id == row.id, DeliveryRow.lease_owner == self.owner, DeliveryRow.status == "sending")
                .values(status="sent", result=result, last_error=None, lease_until=None, updated_at=now)
            ).rowcount
            if recorded != 1:
                self._sent_though_withdrawn(s, row, result, now)
                return
            if row.kind == "zendesk_ticket" and result.get("ticket_id"):
                s.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == row.handoff_id)
                    .values(zendesk_ticket_id=result["ticket_id"], updated_at=now)
                )
            if row.kind == "slack_alert" and result.get("ts"):
                s.execute(
                    update(HandoffRow)
                    .where(HandoffRow.id == row.handoff_id)
                    .values(alert_channel=result.get("channel"), alert_ts=result["ts"], updated_at=now)
                )
            s.commit()
        if row.kind == "zendesk_ticket" or (row.kind == "slack_alert" and result.get("ticket_link") is False):
            self._link_alert_to_ticket(row.handoff_id, now)
        metrics.DELIVERIES.labels(kind=row.kind, outcome="sent").inc()
        log.info("delivered", delivery_id=row.id, handoff_id=row.handoff_id, kind=row.kind, target=row.target)

    def _sent_though_withdrawn(self, s: Session, row: DeliveryRow, result: dict[str, Any], now: datetime) -> None:
        """The send finished after the row stopped being ours: it stays as it is (a cancelled row stays
        cancelled); a cancelled one keeps what the vendor answered, so the operator knows what to erase there."""
        cancelled = s.execute(
            update(DeliveryRow)
            .where(DeliveryRow.id == row.id, DeliveryRow.lease_owner == self.owner, DeliveryRow.status == "cancelled")
            .values(result=result, updated_at=now,
                    last_error=f"customer data erased while this was being sent; it reached {row.target} anyway: "
                               f"erase it there")
        ).rowcount
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
                    DeliveryRow.kind.in_(("zendesk_ticket", "slack_alert")))).all()}
            alert, ticket = sent.get("slack_alert"), sent.get("zendesk_ticket")
            if alert is None or ticket is None or alert[0] != "slack" or (alert[1] or {}).get("ticket_link") is not False:
                return
            key = f"{handoff_id}:slack:ticket_link"
            if not str((ticket[1] or {}).get("url") or "").startswith("http") or s.scalar(
                    select(DeliveryRow.id).where(DeliveryRow.dedupe_key == key)) is not None:
                return
            enqueue(s, handoff_id, "slack_update", "slack", key, {"state": "ticket_link", "note": None}, now)
            try:
                s.commit()
            except IntegrityError:
                s.rollback()  # the other side of the race queued it: once is enough
                return
        log.info("alert went out before its ticket; adding the ticket link", handoff_id=handoff_id)

    def _failed(self, row: DeliveryRow, err: BaseException, transient: bool, retry_after: float | None) -> None:
        now = self.clock()
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
            changed = s.execute(update(DeliveryRow).where(
                DeliveryRow.id == row.id, DeliveryRow.lease_owner == self.owner, DeliveryRow.status == "sending",
            ).values(**values)).rowcount
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


def _ticket_args(payload: dict[str, Any]) -> dict[str, Any]:
    args = dict(payload)
    args["tags"] = tuple(args.get("tags") or ())
    return args
