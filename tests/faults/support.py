"""Helpers shared by the fault tests: vendor object counts, fault switches, polling, subprocesses."""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar

from handoff.devtools.fakes.http import FakeResponse, FakeServer
from handoff.devtools.fakes.slack import FakeSlack
from handoff.devtools.fakes.zendesk import FakeZendesk

T = TypeVar("T")

HUMAN_PLEASE = "This is useless, I want to talk to a human right now"
API_KEY = "fault-test-key-0123456789"
CHANNEL = "C0HANDOFF"


def tickets_by_handoff(fake: FakeZendesk) -> Counter[str]:
    """How many Zendesk tickets carry each handoff id as external_id."""
    with fake._lock:
        return Counter(t.get("external_id") for t in fake.tickets.values() if t.get("external_id"))


def alerts_by_handoff(fake: FakeSlack) -> Counter[str]:
    """How many top-level Slack alerts carry each handoff id in their metadata."""
    with fake._lock:
        return Counter(
            ((m.get("metadata") or {}).get("event_payload") or {}).get("handoff_id")
            for m in fake.messages
            if m["thread_ts"] is None and (m.get("metadata") or {}).get("event_type") == "handoff_alert"
        )


def alert_for(fake: FakeSlack, handoff_id: str) -> dict[str, Any] | None:
    """The alert message posted for one handoff, if any."""
    with fake._lock:
        return next((m for m in fake.messages if m["thread_ts"] is None
                     and ((m.get("metadata") or {}).get("event_payload") or {}).get("handoff_id") == handoff_id), None)


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The message's buttons by action_id."""
    return {e.get("action_id"): e for b in message.get("blocks") or [] if b.get("type") == "actions"
            for e in b.get("elements") or []}


def heal(fake: FakeServer) -> None:
    """End every injected fault: queued error answers, stalls, garbage and stalled answers."""
    with fake._lock:
        fake._faults.clear()
    fake.delay = 0.0
    fake.garbage = False
    fake.__dict__.pop("_write", None)


def stall_answers(fake: FakeServer, seconds: float, when: Callable[[BaseHTTPRequestHandler], bool]) -> None:
    """Do the work, then hold the answer back `seconds` (the vendor wrote; the client times out)."""

    def _write(http: BaseHTTPRequestHandler, response: FakeResponse) -> None:
        if when(http):
            fake._stopping.wait(seconds)
        FakeServer._write(http, response)

    fake._write = _write  # type: ignore[method-assign]






def vendor_env(fake_zendesk: FakeZendesk, fake_slack: FakeSlack) -> dict[str, str]:
    """Credentials and base URLs that point the service at the fakes."""
    return {"ZENDESK_EMAIL": fake_zendesk.email, "ZENDESK_API_TOKEN": fake_zendesk.token,
            "ZENDESK_URL": fake_zendesk.url, "SLACK_BOT_TOKEN": fake_slack.token,
            "SLACK_API_URL": fake_slack.api_url}



