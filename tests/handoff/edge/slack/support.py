"""What the Slack app tests share: requests signed as Slack signs them, FakeSlack with response_urls,
and Operations in memory."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from handoff.app.account_lookup import HandoffReleased, LookupsOff, Refreshed
from handoff.app.agents import Agent
from handoff.app.handoff_reads import NotFoundError
from handoff.core.brief.facts import account_facts
from handoff.core.brief.models import AccountFact
from handoff.core.models import AccountContext, SourceResult
from handoff.devtools.fakes.http import FakeRequest, FakeResponse
from handoff.devtools.fakes.slack import FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
AGENT_USER = "U0AGENT42"
STRANGER = "U0STRANGER"
CHANNEL = "C0SUPPORT1"
HID = "h_0a1b2c"
EMAIL = "ana.lima@example.com"
DEADLINE = 5.0


class SlackWithResponseUrls(FakeSlack):
    """FakeSlack that also answers response_url posts (`/respond/...`) the way hooks.slack.com does."""

    def __init__(self) -> None:
        super().__init__()
        self.responded: list[dict[str, Any]] = []  # JSON bodies posted to response_urls
        self.expired: set[str] = set()  # response_url paths answering 404 (used up or older than 30 min)

    def handle(self, request: FakeRequest) -> FakeResponse:
        if not request.path.startswith("/respond/"):
            return super().handle(request)
        if request.path in self.expired:
            return FakeResponse(404, "expired_url", content_type="text/html")
        self.responded.append({**(request.json or {}), "_path": request.path})
        return FakeResponse(200, "ok", content_type="text/html")


class FakeOps:
    """Operations in memory; each async call is logged, can be held at a gate, or made to fail."""

    def __init__(self) -> None:
        self.agents = {AGENT_USER: Agent("a1", "Jo Park", AGENT_USER, "jo@example.com")}
        self.calls: list[tuple[Any, ...]] = []
        self.gate: asyncio.Event | None = None
        self.entered = asyncio.Event()
        self.failing: set[str] = set()

    def agent_for_slack_user(self, slack_user_id: str) -> Agent | None:
        self.calls.append(("agent_for_slack_user", slack_user_id))
        return self.agents.get(slack_user_id)

    async def _enter(self, *call: Any) -> None:
        self.calls.append(call)
        self.entered.set()
        if call[0] in self.failing:
            raise RuntimeError(f"database is down; customer {EMAIL}")
        if self.gate is not None:
            await self.gate.wait()

    async def claim(self, handoff_id: str, agent_id: str) -> dict[str, Any]:
        await self._enter("claim", handoff_id, agent_id)
        if handoff_id == "h_taken":
            return {"ok": False, "handoff_id": handoff_id, "status": "claimed", "claimed_by": "a2",
                    "message": "already claimed by Sam"}
        return {"ok": True, "handoff_id": handoff_id, "status": "claimed", "claimed_by": agent_id, "message": ""}

    async def set_available(self, agent_id: str, available: bool) -> dict[str, Any]:
        await self._enter("set_available", agent_id, available)
        return {"agent_id": agent_id, "available": available, "active": 2}

    async def queue(self, team: str | None = None) -> dict[str, Any]:
        await self._enter("queue", team)
        return {"open": [{"handoff_id": HID, "team": team or "billing", "priority": "urgent",
                          "category": "billing_dispute", "created_at": "2026-03-02T10:00:00+00:00", "agent": None,
                          "summary": f"Charged twice, write to {EMAIL}"}],
                "dead_deliveries": []}

    async def status(self, handoff_id: str) -> dict[str, Any] | None:
        await self._enter("status", handoff_id)
        if handoff_id != HID:
            return None
        return {"handoff_id": HID, "status": "open", "priority": "high", "team": "billing", "agent": None,
                "created_at": "2026-03-02T10:00:00+00:00", "reasons": [], "deliveries": [],
                "briefing": {"summary": "Charged twice", "customer": {"name": "Ana", "email": EMAIL}}}

    async def callbacks(self) -> list[dict[str, Any]]:
        await self._enter("callbacks")
        return [{"handoff_id": HID, "team": "billing", "callback_at": "2026-03-03T09:00:00Z",
                 "customer": {"name": "Ana", "email": EMAIL}}]

    async def stats(self) -> dict[str, Any]:
        await self._enter("stats")
        return {"conversations": 10, "handoffs": 3, "handoff_rate": 0.3}

    async def release(self, handoff_id: str, agent_id: str) -> dict[str, Any]:
        await self._enter("release", handoff_id, agent_id)
        if handoff_id == "h_released":
            return {"ok": False, "handoff_id": handoff_id, "message": "handoff h_released is already released"}
        return {"ok": True, "handoff_id": handoff_id, "message": ""}

    async def mark_unnecessary(self, handoff_id: str, slack_user_id: str) -> dict[str, Any]:
        await self._enter("mark_unnecessary", handoff_id, slack_user_id)
        return {"ok": True, "message": ""}

    async def lookup(self, email: str) -> tuple[AccountFact, ...]:
        await self._enter("lookup", email)
        if "lookup_off" in self.failing:
            raise LookupsOff("no enricher")
        return account_facts(AccountContext((
            SourceResult("stripe", "ok", {"customer_id": "cus_1", "mrr": {"amount": 499.0, "currency": "usd"},
                                          "card": {"brand": "visa", "last4": "4242"}}),
            SourceResult("hubspot", "ok", {"owner": {"name": None, "email": EMAIL}, "lifecycle_stage": "customer"}),
            SourceResult("zendesk", "unavailable", reason="timed out after 2 s"),
        )))

    async def refresh(self, handoff_id: str, agent_id: str) -> Refreshed:
        await self._enter("refresh", handoff_id, agent_id)
        if handoff_id == "h_released":
            raise HandoffReleased("released")
        if handoff_id != HID:
            raise NotFoundError(handoff_id)
        return Refreshed(HID, datetime(2026, 3, 2, 15, 1, tzinfo=UTC),
                         (AccountFact("stripe", "MRR", "$998.00"), AccountFact("hubspot", "Owner", EMAIL)),
                         ("stripe MRR: $499.00 → $998.00",), 1)

    def async_calls(self) -> list[tuple[Any, ...]]:
        return [c for c in self.calls if c[0] != "agent_for_slack_user"]


def sign(body: str, *, secret: str = SECRET, timestamp: int | None = None) -> dict[str, str]:
    """Slack's signature headers: HMAC-SHA256 of `v0:{timestamp}:{raw body}` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def command_body(slack: FakeSlack, text: str, *, user: str = AGENT_USER, response_url: bool = True) -> str:
    """A slash-command POST body, form-encoded with the fields Slack sends."""
    fields = {
        "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": "T0001", "team_domain": "acme",
        "channel_id": CHANNEL, "channel_name": "support", "user_id": user, "user_name": "jo",
        "command": "/handoff", "text": text, "api_app_id": "A0HANDOFF", "is_enterprise_install": "false",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }
    if response_url:
        fields["response_url"] = f"{slack.url}/respond/T0001/1/cmd"
    return urlencode(fields)


def action_body(slack: FakeSlack, action_id: str, *, user: str = AGENT_USER, value: str | None = HID,
                url: str | None = None) -> str:
    """A block_actions POST body: `payload=` plus the interaction JSON, form-encoded."""
    action: dict[str, Any] = {"action_id": action_id, "block_id": f"handoff_actions:{HID}", "type": "button",
                              "text": {"type": "plain_text", "text": "Claim", "emoji": True},
                              "action_ts": "1772445600.000100"}
    if value is not None:
        action["value"] = value
    if url:
        action["url"] = url
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": "jo", "name": "jo", "team_id": "T0001"},
        "api_app_id": "A0HANDOFF", "token": "gIkuvaNzQIHg97ATvDxqgjtO",
        "container": {"type": "message", "message_ts": "1772445500.000100", "channel_id": CHANNEL,
                      "is_ephemeral": False},
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": "T0001", "domain": "acme"}, "enterprise": None, "is_enterprise_install": False,
        "channel": {"id": CHANNEL, "name": "support"},
        "message": {"type": "message", "ts": "1772445500.000100", "text": "URGENT handoff", "blocks": []},
        "state": {"values": {}},
        "response_url": f"{slack.url}/respond/T0001/2/act",
        "actions": [action],
    }
    return urlencode({"payload": json.dumps(payload)})


async def post(http: httpx.AsyncClient, body: str, headers: dict[str, str] | None = None,
               content_type: str = "application/x-www-form-urlencoded") -> httpx.Response:
    return await http.post("/slack/events", content=body.encode(),
                           headers={"Content-Type": content_type, **(sign(body) if headers is None else headers)})


async def eventually(check: Callable[[], Any], what: str) -> Any:
    """Poll `check` until it returns something truthy, within the deadline."""
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        await asyncio.sleep(0.005)
    raise AssertionError(f"timed out waiting for {what}")


def ack_text(response: httpx.Response) -> str:
    assert response.status_code == 200, response.text
    # bolt answers ack(text=...) as text/plain and ack(blocks=...) as JSON; Slack takes both
    if response.headers.get("content-type", "").startswith("application/json"):
        return response.json()["text"]
    return response.text
