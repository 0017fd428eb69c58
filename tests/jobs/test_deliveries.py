"""The durable delivery dispatcher: claims, retries, backoff, dead letters, exactly-once claims."""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from connectors.delivery import AlertResult, TicketResult
from connectors.errors import AuthFailed, RateLimited, Unavailable
from handoff.settings import DeliverySettings
from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffRow
from jobs.deliveries import Dispatcher
from jobs.delivery_outcomes import backoff_seconds


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class ScriptedSink:
    """Fails with the scripted errors first, then succeeds; counts calls."""

    errors: list[Exception] = field(default_factory=list)
    tickets: list = field(default_factory=list)
    alerts: list = field(default_factory=list)
    checks: list = field(default_factory=list)

    async def upsert_ticket(self, request):
        if self.errors:
            raise self.errors.pop(0)
        self.tickets.append(request)
        return TicketResult(ticket_id=41, url="https://acme.zendesk.com/agent/tickets/41", created=True)

    async def post_alert(self, request, *, check_existing=False):
        self.checks.append(check_existing)
        if self.errors:
            raise self.errors.pop(0)
        self.alerts.append(request)
        return AlertResult(channel=request.channel, ts="1700000000.000100")


def _seed(sessions, clock, kinds=("zendesk_ticket", "slack_alert"), target="zendesk"):
    now = clock()
    with sessions() as s:
        s.add(ConversationRow(id="c1", customer={}, state={}, created_at=now, updated_at=now, handoff_id="h_1"))
        s.add(HandoffRow(id="h_1", conversation_id="c1", source="api", status="open", priority="high", team="general",
                         created_at=now, updated_at=now))
        s.flush()
        for kind in kinds:
            payload = (
                {"external_id": "h_1", "subject": "s", "note": "n", "tags": ["handoff"], "priority": "high"}
                if kind == "zendesk_ticket"
                else {"handoff_id": "h_1", "channel": "#x", "text": "t",
                      "blocks": [{"type": "actions", "elements": [{"type": "button", "action_id": "handoff_claim",
                                                                   "text": {"type": "plain_text", "text": "Claim"}}]}]}
            )
            s.add(DeliveryRow(handoff_id="h_1", kind=kind, target=target, status="pending", payload=payload,
                              dedupe_key=f"h_1:{kind}",
                              attempts=0, next_attempt_at=now, created_at=now, updated_at=now))
        s.commit()


def _rows(sessions):
    with sessions() as s:
        return {r.kind: r for r in s.scalars(select(DeliveryRow)).all()}


SETTINGS = DeliverySettings(max_attempts=3, backoff_initial_seconds=2, backoff_max_seconds=60, lease_seconds=30)


async def test_delivers_ticket_then_alert_with_ticket_link(sessions):
    clock = Clock()
    _seed(sessions, clock)
    sink = ScriptedSink()
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock)
    assert await d.run_due() == 2
    rows = _rows(sessions)
    assert {r.status for r in rows.values()} == {"sent"}
    assert rows["zendesk_ticket"].result["ticket_id"] == 41
    assert sink.tickets[0].tags == ("handoff",)
    urls = [e.get("url") for b in sink.alerts[0].blocks if b["type"] == "actions" for e in b["elements"]]
    assert "https://acme.zendesk.com/agent/tickets/41" in urls
    with sessions() as s:
        assert s.get(HandoffRow, "h_1").zendesk_ticket_id == 41
    assert await d.run_due() == 0  # nothing left: sent rows are never sent again


async def test_transient_failure_backs_off_then_succeeds(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("zendesk_ticket",))
    sink = ScriptedSink(errors=[Unavailable("zendesk", "HTTP 503"), Unavailable("zendesk", "HTTP 503")])
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock, quick_attempts=1)
    await d.run_due()
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "pending" and row.attempts == 1 and "503" in row.last_error
    wait = (row.next_attempt_at.replace(tzinfo=UTC) - clock()).total_seconds()
    assert 1.0 <= wait <= 2.0  # first backoff: 2 s with equal jitter
    assert await d.run_due() == 0  # not due yet
    clock.advance(wait)
    await d.run_due()
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "pending" and row.attempts == 2
    clock.advance(10)
    await d.run_due()
    assert _rows(sessions)["zendesk_ticket"].status == "sent"
    assert len(sink.tickets) == 1


async def test_retry_after_is_honoured(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("zendesk_ticket",))
    sink = ScriptedSink(errors=[RateLimited("zendesk", "429", retry_after=45)])
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock)
    await d.run_due()
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "pending"
    assert (row.next_attempt_at.replace(tzinfo=UTC) - clock()).total_seconds() >= 45
    assert sink.tickets == []


async def test_short_retry_after_is_retried_in_process(sessions, monkeypatch):
    clock = Clock()
    _seed(sessions, clock, kinds=("zendesk_ticket",))
    sink = ScriptedSink(errors=[RateLimited("zendesk", "429", retry_after=0.01)])
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock, quick_attempts=2)
    await d.run_due()
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "sent" and row.attempts == 1 and len(sink.tickets) == 1


async def test_permanent_failure_goes_dead_at_once(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("zendesk_ticket",))
    sink = ScriptedSink(errors=[AuthFailed("zendesk", "HTTP 401")])
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock)
    await d.run_due()
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "dead" and "401" in row.last_error


async def test_a_row_whose_payload_is_not_its_kinds_goes_dead_without_reaching_the_vendor(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("zendesk_ticket",))
    with sessions() as s:
        s.execute(update(DeliveryRow).values(payload={"subject": "no external id, no note"}))
        s.commit()
    sink = ScriptedSink()
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock)
    await d.run_due()
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "dead" and "zendesk_ticket payload without" in row.last_error
    assert sink.tickets == []  # retrying a malformed row would never help: it is not sent at all


async def test_dead_after_max_attempts(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("zendesk_ticket",))
    sink = ScriptedSink(errors=[Unavailable("zendesk", "down")] * 10)
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock, quick_attempts=1)
    for _ in range(SETTINGS.max_attempts):
        await d.run_due()
        clock.advance(SETTINGS.backoff_max_seconds)
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "dead" and row.attempts == SETTINGS.max_attempts
    assert await d.run_due() == 0


async def test_expired_lease_is_taken_over_and_alert_checks_for_duplicates(sessions):
    """A process that died mid-send leaves a 'sending' row; after the lease another delivers it once."""
    clock = Clock()
    _seed(sessions, clock, kinds=("slack_alert",), target="slack")
    crashed = Dispatcher(sessions, {}, SETTINGS, clock, owner="crashed")
    claimed = crashed._claim(10)  # claimed, then the process "dies" before sending
    assert len(claimed) == 1
    sink = ScriptedSink()
    survivor = Dispatcher(sessions, {"slack": sink}, SETTINGS, clock, owner="survivor")
    assert await survivor.run_due() == 0  # lease still held
    clock.advance(SETTINGS.lease_seconds + 1)
    assert await survivor.run_due() == 1
    assert sink.checks == [True]  # second attempt: look in Slack before posting again
    assert _rows(sessions)["slack_alert"].status == "sent"


async def test_two_dispatchers_never_send_the_same_row(sessions):
    clock = Clock()
    now = clock()
    with sessions() as s:
        for i in range(30):
            s.add(ConversationRow(id=f"c{i}", customer={}, state={}, created_at=now, updated_at=now))
            s.add(HandoffRow(id=f"h_{i}", conversation_id=f"c{i}", source="api", status="open", priority="normal",
                             team="general", created_at=now, updated_at=now))
            s.flush()
            s.add(DeliveryRow(handoff_id=f"h_{i}", kind="zendesk_ticket", target="zendesk", status="pending",
                              dedupe_key=f"h_{i}:t",
                              payload={"external_id": f"h_{i}", "subject": "s", "note": "n"}, attempts=0,
                              next_attempt_at=now, created_at=now, updated_at=now))
        s.commit()
    sink = ScriptedSink()
    a = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock, owner="a")
    b = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock, owner="b")

    async def drain(d):
        while await d.run_due(limit=3):
            pass

    await asyncio.gather(drain(a), drain(b))
    ids = [t.external_id for t in sink.tickets]
    assert sorted(ids) == sorted(f"h_{i}" for i in range(30))  # every one, none twice


@pytest.mark.parametrize(
    ("attempts", "retry_after", "rand", "expected"),
    [(1, None, 0.0, 1.0), (1, None, 1.0, 2.0), (3, None, 1.0, 8.0), (20, None, 1.0, 60.0), (1, 30.0, 0.5, 30.0)],
)
def test_backoff_schedule(attempts, retry_after, rand, expected):
    assert backoff_seconds(attempts, SETTINGS, retry_after, rand) == pytest.approx(expected)


@dataclass
class HeldSink(ScriptedSink):
    """Holds each ticket write until released (a send on the wire), then succeeds or fails as scripted."""

    started: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)

    async def upsert_ticket(self, request):
        self.started.set()
        await self.release.wait()
        return await super().upsert_ticket(request)


def _cancel(sessions, clock):
    """What an erasure does to a handoff's deliveries (handoff.app.erasure): cancelled, payload erased."""
    with sessions() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.status.in_(("pending", "sending")))
                  .values(status="cancelled", payload={"erased": True}, updated_at=clock()))
        s.commit()


async def _race(sessions, sink, clock, kinds=("zendesk_ticket",)):
    """Start a send, cancel its rows while the ticket write is on the wire, then let the write finish."""
    _seed(sessions, clock, kinds=kinds)
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock, quick_attempts=1)
    run = asyncio.create_task(d.run_due())
    await asyncio.wait_for(sink.started.wait(), 30)
    await asyncio.to_thread(_cancel, sessions, clock)
    sink.release.set()
    await asyncio.wait_for(run, 30)
    return d


async def test_a_send_that_finishes_after_its_row_was_cancelled_does_not_revive_it(sessions):
    clock = Clock()
    sink = HeldSink()
    d = await _race(sessions, sink, clock)
    row = _rows(sessions)["zendesk_ticket"]
    assert len(sink.tickets) == 1  # it was on the wire: it landed
    assert row.status == "cancelled" and row.payload == {"erased": True}
    assert row.result["ticket_id"] == 41 and "reached zendesk" in row.last_error  # what to erase there
    with sessions() as s:
        assert s.get(HandoffRow, "h_1").zendesk_ticket_id is None  # the erased handoff is not linked anew
    clock.advance(SETTINGS.lease_seconds + 1)
    assert await d.run_due() == 0 and len(sink.tickets) == 1


async def test_a_send_that_fails_after_its_row_was_cancelled_is_not_retried(sessions):
    clock = Clock()
    sink = HeldSink(errors=[Unavailable("zendesk", "HTTP 503")])
    d = await _race(sessions, sink, clock)
    row = _rows(sessions)["zendesk_ticket"]
    assert row.status == "cancelled" and row.payload == {"erased": True}
    clock.advance(SETTINGS.backoff_max_seconds + SETTINGS.lease_seconds)
    assert await d.run_due() == 0 and sink.tickets == []


async def test_an_alert_waiting_for_its_ticket_is_not_sent_once_cancelled(sessions, monkeypatch):
    from jobs import deliveries

    monkeypatch.setattr(deliveries, "ALERT_WAITS_FOR_TICKET_SECONDS", 120.0)  # waits however long the test takes
    clock = Clock()
    sink = HeldSink()
    await _race(sessions, sink, clock, kinds=("zendesk_ticket", "slack_alert"))
    rows = _rows(sessions)
    assert sink.alerts == []  # checked before it went out: the erased data stayed in
    assert rows["slack_alert"].status == "cancelled" and rows["slack_alert"].result == {}


@dataclass
class ThreadSink(ScriptedSink):
    """Records thread replies beside top-level posts."""

    threads: list = field(default_factory=list)

    async def post_thread(self, channel, ts, text):
        self.threads.append((channel, ts, text))


def _add_thread_note(sessions, clock):
    with sessions() as s:
        s.add(DeliveryRow(handoff_id="h_1", kind="slack_message", target="zendesk", status="pending",
                          payload={"thread": True, "text": "Callback due now", "channel": "#x"},
                          dedupe_key="h_1:slack:callback", attempts=0, next_attempt_at=clock(),
                          created_at=clock(), updated_at=clock()))
        s.commit()


async def test_a_thread_note_waits_for_its_alert_instead_of_standing_alone_in_the_channel(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("slack_alert",))
    _add_thread_note(sessions, clock)
    with sessions() as s:  # the alert is not due yet (e.g. backing off after a failure)
        s.execute(update(DeliveryRow).where(DeliveryRow.kind == "slack_alert").values(next_attempt_at=clock() + timedelta(seconds=30)))
        s.commit()
    sink = ThreadSink()
    d = Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock)
    assert await d.run_due() == 1
    assert sink.alerts == [] and sink.threads == []  # not posted on its own
    assert _rows(sessions)["slack_message"].status == "pending"
    clock.advance(60)
    await d.run_due()
    assert [a.text for a in sink.alerts] == ["t"]
    clock.advance(60)
    await d.run_due()
    assert sink.threads == [("#x", "1700000000.000100", "Callback due now")]
    assert _rows(sessions)["slack_message"].status == "sent"


async def test_a_thread_note_whose_alert_is_dead_goes_out_on_its_own(sessions):
    clock = Clock()
    _seed(sessions, clock, kinds=("slack_alert",))
    _add_thread_note(sessions, clock)
    with sessions() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.kind == "slack_alert").values(status="dead"))
        s.commit()
    sink = ThreadSink()
    assert await Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock).run_due() == 1
    assert [a.text for a in sink.alerts] == ["Callback due now"] and sink.threads == []


async def test_a_thread_note_whose_alert_was_sent_while_it_looked_waits_for_the_next_attempt(sessions, monkeypatch):
    """The race: no sent alert at the first look, the alert marked sent before the second look."""
    from jobs.delivery_sends import Lookups

    clock = Clock()
    _seed(sessions, clock, kinds=("slack_alert",))
    _add_thread_note(sessions, clock)
    with sessions() as s:
        s.execute(update(DeliveryRow).where(DeliveryRow.kind == "slack_alert").values(
            status="sent", result={"channel": "#x", "ts": "1700000000.000100"}))
        s.commit()
    monkeypatch.setattr(Lookups, "alert", lambda self, handoff_id: None)  # the first look came too early
    sink = ThreadSink()
    assert await Dispatcher(sessions, {"zendesk": sink}, SETTINGS, clock).run_due() == 1
    assert sink.alerts == [] and sink.threads == []  # not posted alone in the channel
    assert _rows(sessions)["slack_message"].status == "pending"
