"""Zendesk or Slack down, slow, rate-limiting or answering garbage: every handoff is delivered exactly once
in the end (or ends `dead`, visible in the API and in `handoff stats`), and the log says what happened.

Time is the runtime's test clock: a test moves it past the backoff instead of sleeping.
"""
from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC

import httpx
import pytest
from sqlalchemy import select
from structlog.testing import capture_logs
from typer.testing import CliRunner

import jobs.deliveries
from handoff.edge.cli.main import app as cli_app
from handoff.storage.tables import DeliveryRow
from handoff.devtools.fakes.http import FakeServer
from tests.faults.conftest import MAX_ATTEMPTS, make_handoff
from tests.faults.support import alert_for, alerts_by_handoff, buttons, heal, stall_answers, tickets_by_handoff

KIND = {"zendesk": "zendesk_ticket", "slack": "slack_alert"}
OTHER = {"zendesk": "slack", "slack": "zendesk"}


@dataclass(frozen=True)
class Fault:
    """A way a vendor misbehaves, what the stored error and the log then say, and the least wait it causes."""

    name: str
    inject: Callable[[FakeServer], None]
    error: str
    min_wait_seconds: float = 0.0

    def __str__(self) -> str:
        return self.name


def _set(attr: str, value: object) -> Callable[[FakeServer], None]:
    return lambda fake: setattr(fake, attr, value)


DOWN_500 = Fault("down-500", lambda f: f.fail_next(500, times=10_000), "HTTP 500")
SLOW = Fault("slow", _set("delay", 0.8), "timeout")  # 0.8 s stall against a 0.5 s connector timeout
RATE_LIMITED_LONG = Fault("rate-limited-long",
                          lambda f: f.fail_next(429, times=10_000, headers={"Retry-After": "90"}), "rate limited", 90.0)
GARBAGE = Fault("garbage", _set("garbage", True), "")

CASES = [
    ("zendesk", DOWN_500),
    ("zendesk", Fault("down-503", lambda f: f.fail_next(503, times=10_000), "HTTP 503")),
    ("zendesk", SLOW),
    ("zendesk", RATE_LIMITED_LONG),
    ("zendesk", Fault("garbage", _set("garbage", True), "not JSON")),
    ("slack", Fault("down-500", lambda f: f.fail_next(500, times=10_000), "fatal_error")),
    ("slack", Fault("error-in-200", lambda f: f.fail_with("service_unavailable", times=10_000), "service_unavailable")),
    ("slack", SLOW),
    ("slack", RATE_LIMITED_LONG),
    ("slack", Fault("garbage", _set("garbage", True), "unexpected answer")),
]


def deliveries(rt, handoff_id: str) -> dict[str, DeliveryRow]:
    with rt.sessions() as s:
        return {d.kind: d for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == handoff_id))}


def events(logs: list[dict], name: str, **match: object) -> list[dict]:
    return [e for e in logs if e["event"] == name and all(e.get(k) == v for k, v in match.items())]


def fakes(vendor: str, fake_zendesk, fake_slack) -> tuple[FakeServer, FakeServer]:
    return (fake_zendesk, fake_slack) if vendor == "zendesk" else (fake_slack, fake_zendesk)


@pytest.mark.parametrize(("vendor", "fault"), CASES, ids=[f"{v}-{f}" for v, f in CASES])
async def test_vendor_fault_is_retried_then_delivered_once(runtime, clock, fake_zendesk, fake_slack, vendor, fault):
    hid = await make_handoff(runtime)
    failing, healthy = fakes(vendor, fake_zendesk, fake_slack)
    fault.inject(failing)

    with capture_logs() as logs:
        assert await runtime.dispatcher.run_due() == 2
    rows = deliveries(runtime, hid)
    row = rows[KIND[vendor]]
    assert row.status == "pending" and row.attempts == 1, (row.status, row.last_error)
    assert fault.error in row.last_error
    assert rows[KIND[OTHER[vendor]]].status == "sent"  # the healthy vendor was not held back
    wait = (row.next_attempt_at.astimezone(UTC) - clock()).total_seconds()
    assert wait >= max(1.0, fault.min_wait_seconds)
    [line] = events(logs, "delivery failed; will retry", handoff_id=hid, kind=KIND[vendor])
    assert line["log_level"] == "warning" and fault.error in line["error"] and line["retry_in_seconds"] >= 1.0

    heal(failing)
    assert await runtime.dispatcher.run_due() == 0  # not due before its backoff
    clock.advance(wait)
    with capture_logs() as logs:
        assert await runtime.dispatcher.run_due() == 1
    row = deliveries(runtime, hid)[KIND[vendor]]
    assert row.status == "sent" and row.attempts == 2 and row.last_error is None
    assert events(logs, "delivered", handoff_id=hid, kind=KIND[vendor])
    while await runtime.dispatcher.run_due():  # what the recovery queued (the alert's ticket link)
        pass
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}
    [ticket_id] = [t["id"] for t in fake_zendesk.tickets.values() if t["external_id"] == hid]
    assert buttons(alert_for(fake_slack, hid))["handoff_open_ticket"]["url"].endswith(f"/agent/tickets/{ticket_id}")


@pytest.mark.parametrize("vendor", ["zendesk", "slack"])
async def test_short_retry_after_is_waited_in_process(runtime, fake_zendesk, fake_slack, vendor):
    hid = await make_handoff(runtime)
    failing, _ = fakes(vendor, fake_zendesk, fake_slack)
    failing.fail_next(429, times=1, headers={"Retry-After": "1"})
    started = time.monotonic()
    with capture_logs() as logs:
        await runtime.dispatcher.run_due()
    assert time.monotonic() - started >= 1.0  # Retry-After honoured
    row = deliveries(runtime, hid)[KIND[vendor]]
    assert row.status == "sent" and row.attempts == 1
    [line] = events(logs, "delivery attempt failed; retrying in-process", handoff_id=hid, kind=KIND[vendor])
    assert line["retry_in_seconds"] == 1.0 and "rate limited" in line["error"]
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}


WRITES = {
    "zendesk": lambda http: http.command == "POST" and http.path.startswith("/api/v2/tickets.json"),
    "slack": lambda http: http.path == "/api/chat.postMessage",
}


@pytest.mark.parametrize("vendor", ["zendesk", "slack"])
async def test_write_that_landed_but_timed_out_is_not_repeated(runtime, fake_zendesk, fake_slack, vendor):
    """The vendor stored the ticket or message but its answer came after our timeout: the retry finds it."""
    hid = await make_handoff(runtime)
    failing, _ = fakes(vendor, fake_zendesk, fake_slack)
    stall_answers(failing, 0.8, WRITES[vendor])
    with capture_logs() as logs:
        await runtime.dispatcher.run_due()
    row = deliveries(runtime, hid)[KIND[vendor]]
    assert row.status == "sent" and row.attempts == 1, row.last_error
    [line] = events(logs, "delivery attempt failed; retrying in-process", handoff_id=hid, kind=KIND[vendor])
    assert "timeout" in line["error"]
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}


@pytest.mark.parametrize("vendor", ["zendesk", "slack"])
async def test_vendor_that_never_recovers_ends_dead_and_is_reported(runtime, clock, make_config, fake_zendesk,
                                                                    fake_slack, vendor):
    hid = await make_handoff(runtime)
    failing, _ = fakes(vendor, fake_zendesk, fake_slack)
    DOWN_500.inject(failing)
    with capture_logs() as logs:
        for _ in range(MAX_ATTEMPTS):
            await runtime.dispatcher.run_due()
            clock.advance(3600)
    row = deliveries(runtime, hid)[KIND[vendor]]
    assert row.status == "dead" and row.attempts == MAX_ATTEMPTS
    assert len(events(logs, "delivery failed; will retry", handoff_id=hid)) == MAX_ATTEMPTS - 1
    [dead] = events(logs, "delivery dead", handoff_id=hid, kind=KIND[vendor])
    assert dead["log_level"] == "error" and dead["attempts"] == MAX_ATTEMPTS
    assert await runtime.dispatcher.run_due() == 0  # a dead letter is never picked up again
    expected_tickets = {} if vendor == "zendesk" else {hid: 1}
    assert tickets_by_handoff(fake_zendesk) == expected_tickets
    assert alerts_by_handoff(fake_slack) == ({hid: 1} if vendor == "zendesk" else {})

    # GET /v1/handoffs/{id} shows the dead delivery and why
    transport = httpx.ASGITransport(app=runtime.app(jobs=False))
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as c:
        shown = (await c.get(f"/v1/handoffs/{hid}")).json()
    [d] = [d for d in shown["deliveries"] if d["kind"] == KIND[vendor]]
    assert d["status"] == "dead" and d["attempts"] == MAX_ATTEMPTS and d["last_error"]

    # handoff stats counts it
    config = runtime.config
    result = await asyncio.to_thread(
        CliRunner().invoke, cli_app, ["stats", "--json", "--settings", str(config.path)],
        env={"DATABASE_URL": config.database_url()})
    assert result.exit_code == 0, result.output
    stats = json.loads(result.stdout)
    assert stats["dead_deliveries"] == 1
    assert stats["deliveries"][f"{KIND[vendor]}:dead"] == 1


async def test_alert_goes_out_without_waiting_for_a_stuck_ticket(runtime, clock, fake_zendesk, fake_slack,
                                                                 monkeypatch):
    """Zendesk hangs: the Slack alert is sent (without the ticket link) while the ticket is still being tried."""
    monkeypatch.setattr(jobs.deliveries, "ALERT_WAITS_FOR_TICKET_SECONDS", 0.1)
    hid = await make_handoff(runtime)
    fake_zendesk.delay = 0.8
    with capture_logs() as logs:
        run = asyncio.create_task(runtime.dispatcher.run_due())
        deadline = time.monotonic() + 5
        while alert_for(fake_slack, hid) is None:
            assert time.monotonic() < deadline, "the alert was not sent"
            await asyncio.sleep(0.02)
        assert deliveries(runtime, hid)["zendesk_ticket"].status == "sending"  # still trying the ticket
        await run
    assert "handoff_open_ticket" not in buttons(alert_for(fake_slack, hid))
    assert events(logs, "alert not waiting longer for its ticket; sending it without the ticket link", handoff_id=hid)
    assert deliveries(runtime, hid)["zendesk_ticket"].status == "pending"

    heal(fake_zendesk)
    clock.advance(3600)
    with capture_logs() as logs:
        assert await runtime.dispatcher.run_due() == 1
        assert await runtime.dispatcher.run_due() == 1  # the alert update it queued
    assert deliveries(runtime, hid)["zendesk_ticket"].status == "sent"
    assert tickets_by_handoff(fake_zendesk) == {hid: 1}
    assert alerts_by_handoff(fake_slack) == {hid: 1}
    # once the ticket exists, the alert (edited in place, not posted again) gets its link
    [ticket_id] = [t["id"] for t in fake_zendesk.tickets.values() if t["external_id"] == hid]
    alert = alert_for(fake_slack, hid)
    assert alert["edited"] and buttons(alert)["handoff_open_ticket"]["url"].endswith(f"/agent/tickets/{ticket_id}")
    assert events(logs, "alert went out before its ticket; adding the ticket link", handoff_id=hid)


async def test_alert_carries_the_ticket_link_when_zendesk_is_healthy(runtime, fake_zendesk, fake_slack):
    hid = await make_handoff(runtime)
    await runtime.dispatcher.run_due()
    [ticket_id] = [t["id"] for t in fake_zendesk.tickets.values() if t["external_id"] == hid]
    link = buttons(alert_for(fake_slack, hid))["handoff_open_ticket"]["url"]
    assert link.endswith(f"/agent/tickets/{ticket_id}")
