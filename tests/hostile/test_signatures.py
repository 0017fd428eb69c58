"""Forged, stale and replayed signatures on both webhooks; Slack actions by non-agents; API keys in constant time."""
from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from handoff.bootstrap import build_runtime
from handoff.core.render.slack_card import ACTION_CLAIM
from handoff.edge.slack.app import build_slack_app
from handoff.edge.slack.front_door import mount_slack
from handoff.storage.tables import HandoffRow, InboundEventRow, SeenSignatureRow
from tests.hostile.conftest import hostile_app
from tests.support.clock import Clock

ZENDESK_SECRET = "zd-signing-secret-hostile-0123"
SLACK_SECRET = "slack-signing-secret-hostile-0123"
AGENT = "U0AGENT01"
STRANGER = "U0STRANGER"
CHANNEL = "C0HANDOFF"
DEADLINE = 5.0


def count(rt: Any, table: Any) -> int:
    with rt.sessions() as s:
        return s.scalar(select(func.count()).select_from(table))


# -- Zendesk ------------------------------------------------------------------------------------

def zendesk_signed(body: bytes, at: datetime, *, secret: str = ZENDESK_SECRET, invocation: str | None = "inv-1",
                   webhook: str = "01HWEBHOOK") -> dict[str, str]:
    """Headers as Zendesk sends them: base64(HMAC-SHA256(secret, timestamp + body)); the ids are not signed."""
    ts = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    sig = base64.b64encode(hmac.new(secret.encode(), ts.encode() + body, hashlib.sha256).digest()).decode()
    headers = {"x-zendesk-webhook-signature": sig, "x-zendesk-webhook-signature-timestamp": ts,
               "x-zendesk-webhook-id": webhook, "content-type": "application/json"}
    if invocation is not None:
        headers["x-zendesk-webhook-invocation-id"] = invocation
    return headers


TRIGGER = json.dumps({"ticket_id": "5158", "status": "open", "comment_id": "9001",
                      "updated_at": "March 02, 2026 10:00"}).encode()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def zendesk_rt(make_config, clock):
    rt = build_runtime(make_config(ZENDESK_WEBHOOK_SECRET=ZENDESK_SECRET), clock=clock)
    yield rt
    rt.close()


@pytest.fixture
async def zendesk(zendesk_rt):
    transport = httpx.ASGITransport(app=hostile_app(zendesk_rt), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as client:
        yield client
    await zendesk_rt.inbound.idle()


async def post_zendesk(client: httpx.AsyncClient, body: bytes, headers: dict[str, str]) -> httpx.Response:
    return await client.post("/webhooks/zendesk", content=body, headers=headers)


@pytest.mark.parametrize(
    ("headers", "error"),
    [
        (lambda now: zendesk_signed(TRIGGER, now, secret="not-the-secret"), "signature mismatch"),
        (lambda now: {**zendesk_signed(TRIGGER, now), "x-zendesk-webhook-signature": "%%%"}, "not base64"),
        (lambda now: zendesk_signed(TRIGGER, now - timedelta(minutes=6)), "stale"),
        (lambda now: zendesk_signed(TRIGGER, now + timedelta(minutes=6)), "stale"),
        (lambda now: {k: v for k, v in zendesk_signed(TRIGGER, now).items() if "timestamp" not in k}, "missing"),
    ],
    ids=["forged", "garbage-signature", "stale", "from-the-future", "no-timestamp"],
)
async def test_zendesk_forged_and_stale_are_refused(zendesk, zendesk_rt, clock, headers, error):
    r = await post_zendesk(zendesk, TRIGGER, headers(clock()))
    assert r.status_code == 401 and error in r.json()["error"]
    assert count(zendesk_rt, InboundEventRow) == 0 and count(zendesk_rt, SeenSignatureRow) == 0


async def test_zendesk_exact_replay_is_not_processed_twice(zendesk, zendesk_rt, clock):
    headers = zendesk_signed(TRIGGER, clock())
    first = await post_zendesk(zendesk, TRIGGER, headers)
    clock.advance(30)
    again = await post_zendesk(zendesk, TRIGGER, headers)
    assert first.status_code == 202
    # indistinguishable from Zendesk delivering the same invocation twice: the dedupe answer
    assert again.status_code == 200 and again.json()["status"] == "duplicate"
    assert count(zendesk_rt, InboundEventRow) == 1 and count(zendesk_rt, SeenSignatureRow) == 1


@pytest.mark.parametrize(
    "changed",
    [
        {"x-zendesk-webhook-invocation-id": "inv-forged"},
        {"x-zendesk-webhook-id": "01HOTHER"},  # with no invocation id the key hashes webhook id + body
    ],
    ids=["new-invocation-id", "new-webhook-id"],
)
async def test_zendesk_replay_with_changed_unsigned_headers_is_refused(zendesk, zendesk_rt, clock, changed):
    """The ids are not covered by the signature: without the guard this replay made a second event."""
    invocation = "inv-1" if "x-zendesk-webhook-invocation-id" in changed else None
    headers = zendesk_signed(TRIGGER, clock(), invocation=invocation)
    assert (await post_zendesk(zendesk, TRIGGER, headers)).status_code == 202
    r = await post_zendesk(zendesk, TRIGGER, {**headers, **changed})
    assert r.status_code == 401 and r.json()["error"] == "replayed request"
    assert count(zendesk_rt, InboundEventRow) == 1


async def test_zendesk_concurrent_copies_make_one_event(zendesk, zendesk_rt, clock):
    headers = zendesk_signed(TRIGGER, clock())
    answers = await asyncio.gather(*(post_zendesk(zendesk, TRIGGER, {**headers, "x-zendesk-webhook-invocation-id": f"i{n}"})
                                     for n in range(6)))
    codes = sorted(a.status_code for a in answers)
    assert codes.count(202) == 1 and set(codes) <= {200, 202, 401}
    assert count(zendesk_rt, InboundEventRow) == 1


async def test_zendesk_retry_after_our_failure_is_accepted(zendesk, zendesk_rt, clock, monkeypatch):
    """Only accepted calls are remembered: if Zendesk's retry reuses the signature, it still gets in."""
    import handoff.edge.zendesk.webhooks as webhooks

    real = webhooks.store_event
    failures = iter([True])

    def flaky(*args: Any, **kwargs: Any) -> bool:
        if next(failures, False):
            raise RuntimeError("database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(webhooks, "store_event", flaky)
    headers = zendesk_signed(TRIGGER, clock())
    failed = await post_zendesk(zendesk, TRIGGER, headers)
    assert failed.status_code == 500 and count(zendesk_rt, SeenSignatureRow) == 0
    clock.advance(60)
    retried = await post_zendesk(zendesk, TRIGGER, headers)
    assert retried.status_code == 202 and count(zendesk_rt, InboundEventRow) == 1


async def test_zendesk_a_refused_body_is_not_remembered(zendesk, zendesk_rt, clock):
    body = b'{"hello": 1}'
    headers = zendesk_signed(body, clock())
    for _ in range(2):
        r = await post_zendesk(zendesk, body, headers)
        assert r.status_code == 422  # the same answer again, not "replayed"
    assert count(zendesk_rt, SeenSignatureRow) == 0


async def test_zendesk_signatures_are_forgotten_after_twice_the_window(zendesk, zendesk_rt, clock):
    old = zendesk_signed(TRIGGER, clock())
    assert (await post_zendesk(zendesk, TRIGGER, old)).status_code == 202
    clock.advance(2 * 300 + 1)
    # the old request is now refused by its timestamp alone, so its row is no longer needed
    stale = await post_zendesk(zendesk, TRIGGER, {**old, "x-zendesk-webhook-invocation-id": "inv-2"})
    assert stale.status_code == 401 and "stale" in stale.json()["error"]
    body = TRIGGER.replace(b"9001", b"9002")
    assert (await post_zendesk(zendesk, body, zendesk_signed(body, clock(), invocation="inv-3"))).status_code == 202
    with zendesk_rt.sessions() as s:
        assert [r.seen_at for r in s.scalars(select(SeenSignatureRow))] == [clock()]


# -- Slack --------------------------------------------------------------------------------------

SETTINGS = f"""
[slack]
default_channel = "{CHANNEL}"
[[routing.agents]]
id = "sam"
name = "Sam Rivera"
email = "sam@example.com"
teams = ["general"]
slack_user_id = "{AGENT}"
"""


def slack_signed(body: str, *, secret: str = SLACK_SECRET, ts: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if ts is None else ts)
    digest = hmac.new(secret.encode(), f"v0:{stamp}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}",
            "Content-Type": "application/x-www-form-urlencoded"}


def claim_click(handoff_id: str, user: str) -> str:
    payload = {
        "type": "block_actions", "user": {"id": user, "username": "u", "team_id": "T0001"},
        "api_app_id": "A0HANDOFF", "token": "legacy", "team": {"id": "T0001", "domain": "acme"},
        "container": {"type": "message", "message_ts": "1772445500.000100", "channel_id": CHANNEL},
        "channel": {"id": CHANNEL, "name": "support"}, "trigger_id": "1.2.3",
        "actions": [{"action_id": ACTION_CLAIM, "block_id": f"handoff_actions:{handoff_id}", "type": "button",
                     "value": handoff_id, "action_ts": "1772445600.000100"}],
    }
    return urlencode({"payload": json.dumps(payload)})


def command(text: str, user: str) -> str:
    return urlencode({"team_id": "T0001", "channel_id": CHANNEL, "user_id": user, "command": "/handoff",
                      "text": text, "api_app_id": "A0HANDOFF", "trigger_id": "1.2.3"})


@pytest.fixture
def slack_rt(make_config, fake_slack):
    rt = build_runtime(make_config(SETTINGS, SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.api_url,
                                   SLACK_SIGNING_SECRET=SLACK_SECRET))
    yield rt
    rt.close()


@pytest.fixture
async def slack(slack_rt, fake_slack):
    """/slack/events over the real Operations, with the replay guard as compose is asked to mount it."""
    app = FastAPI()
    bolt = build_slack_app(slack_rt.operations, token=fake_slack.token, signing_secret=SLACK_SECRET,
                           client=slack_rt.connectors["slack"].client)
    mount_slack(app, bolt, sessions=slack_rt.sessions, clock=slack_rt.clock)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as client:
        yield client


async def eventually(check: Any, what: str) -> Any:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if value := check():
            return value
        await asyncio.sleep(0.01)
    raise AssertionError(f"timed out waiting for {what}")


async def open_handoff(rt: Any) -> str:
    result = await rt.service.request_handoff("conv-hostile", "the bot asked", None)
    return result["handoff_id"]


def claimed_by(rt: Any, handoff_id: str) -> str | None:
    with rt.sessions() as s:
        return s.get(HandoffRow, handoff_id).claimed_by


@pytest.mark.parametrize(
    "headers",
    [
        lambda body: slack_signed(body, secret="not-the-secret"),
        lambda body: slack_signed(body, ts=int(time.time()) - 6 * 60),
        lambda body: slack_signed(body, ts=int(time.time()) + 6 * 60),
        lambda body: {**slack_signed(body), "X-Slack-Request-Timestamp": "soon"},
        lambda body: {"Content-Type": "application/x-www-form-urlencoded"},
    ],
    ids=["forged", "stale", "from-the-future", "non-numeric-timestamp", "unsigned"],
)
async def test_slack_forged_and_stale_are_refused(slack, slack_rt, fake_slack, headers):
    hid = await open_handoff(slack_rt)
    body = claim_click(hid, AGENT)
    r = await slack.post("/slack/events", content=body.encode(), headers=headers(body))
    assert r.status_code == 401
    assert claimed_by(slack_rt, hid) is None and count(slack_rt, SeenSignatureRow) == 0


async def test_slack_exact_replay_of_an_accepted_click_is_refused(slack, slack_rt, fake_slack):
    hid = await open_handoff(slack_rt)
    body = claim_click(hid, AGENT)
    headers = slack_signed(body)
    first = await slack.post("/slack/events", content=body.encode(), headers=headers)
    assert first.status_code == 200
    await eventually(lambda: claimed_by(slack_rt, hid), "the claim")
    replay = await slack.post("/slack/events", content=body.encode(), headers=headers)
    assert replay.status_code == 401 and replay.json()["error"] == "replayed request"
    assert replay.headers["X-Slack-No-Retry"] == "1"
    await eventually(lambda: fake_slack.ephemeral, "the claim answer")
    assert len(fake_slack.ephemeral) == 1  # one answer: the replay did nothing


async def test_slack_replayed_command_is_refused_but_a_new_one_passes(slack, slack_rt, fake_slack):
    body = command("away", AGENT)
    headers = slack_signed(body)
    assert (await slack.post("/slack/events", content=body.encode(), headers=headers)).status_code == 200
    assert (await slack.post("/slack/events", content=body.encode(), headers=headers)).status_code == 401
    later = slack_signed(body, ts=int(time.time()) + 1)  # Slack signs every request afresh
    assert (await slack.post("/slack/events", content=body.encode(), headers=later)).status_code == 200


async def test_slack_a_request_we_failed_is_not_remembered(slack, slack_rt):
    body = urlencode({"payload": json.dumps({"type": "no_such_type", "team": {"id": "T0001"}})})
    headers = slack_signed(body)
    for _ in range(2):  # bolt has no listener for it (404): a retry gets the same answer, not "replayed"
        r = await slack.post("/slack/events", content=body.encode(), headers=headers)
        assert r.status_code == 404
    assert count(slack_rt, SeenSignatureRow) == 0


async def test_slack_claim_click_by_a_non_agent_is_refused(slack, slack_rt, fake_slack):
    """The check lives in slack_app._SlackEdge.on_claim (tests/handoff/test_slack_app.py covers its wording)."""
    hid = await open_handoff(slack_rt)
    body = claim_click(hid, STRANGER)
    r = await slack.post("/slack/events", content=body.encode(), headers=slack_signed(body))
    assert r.status_code == 200
    [refusal] = await eventually(lambda: fake_slack.ephemeral, "the refusal")
    assert refusal["user"] == STRANGER and "Only Handoff agents" in refusal["text"]
    assert claimed_by(slack_rt, hid) is None


@pytest.mark.parametrize("text", ["claim {hid}", "available", "away"])
async def test_slack_agent_only_commands_by_a_non_agent_are_refused(slack, slack_rt, text):
    hid = await open_handoff(slack_rt)
    body = command(text.format(hid=hid), STRANGER)
    r = await slack.post("/slack/events", content=body.encode(), headers=slack_signed(body))
    assert r.status_code == 200 and "Only Handoff agents" in r.text
    assert claimed_by(slack_rt, hid) is None


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"payload=\xff\xfe", "application/x-www-form-urlencoded"),
        (urlencode({"payload": "[" * 10_000 + "]" * 10_000}).encode(), "application/x-www-form-urlencoded"),
        (urlencode({"payload": "{not json"}).encode(), "application/x-www-form-urlencoded"),
        (urlencode({"payload": "[1, 2]"}).encode(), "application/x-www-form-urlencoded"),
        (b"[" * 10_000 + b"]" * 10_000, "application/json"),
    ],
    ids=["bad-utf8", "deep-payload", "payload-not-json", "payload-not-object", "deep-json"],
)
async def test_slack_malformed_bodies_are_4xx_signed_or_not(slack, body, content_type):
    """bolt parses before it verifies: these were 500s, unsigned ones included."""
    unsigned = await slack.post("/slack/events", content=body, headers={"Content-Type": content_type})
    assert unsigned.status_code == 401
    ts = str(int(time.time()))
    digest = hmac.new(SLACK_SECRET.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    signed = await slack.post("/slack/events", content=body, headers={
        "Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"})
    assert signed.status_code == 400 and "malformed" in signed.json()["error"]


async def test_slack_ssl_check_is_answered_without_a_signature_and_does_nothing(slack, slack_rt):
    r = await slack.post("/slack/events", content=b"ssl_check=1&token=legacy",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 200 and r.content == b""
    assert count(slack_rt, SeenSignatureRow) == 0


# -- API keys -------------------------------------------------------------------------------------

@pytest.mark.parametrize("presented", ["k-two-654321", "k-one-123456", "wrong-key", "k-one-12345"])
async def test_every_api_key_is_compared_in_constant_time(make_config, monkeypatch, presented):
    """Timing cannot be measured reliably in CI: assert the path instead. hmac.compare_digest is called
    once per configured key, the match included and whichever key matches, and nothing short-circuits."""
    import handoff.edge.http.api as api

    keys = ["k-one-123456", "k-two-654321", "k-three-999999"]
    rt = build_runtime(make_config(HANDOFF_API_KEYS=",".join(keys)))
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def counting(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api.hmac, "compare_digest", counting)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=hostile_app(rt)), base_url="http://t") as c:
            r = await c.get("/v1/handoffs/h_0", headers={"Authorization": f"Bearer {presented}"})
    finally:
        rt.close()
    assert r.status_code == (404 if presented in keys else 401)
    assert sorted(b for _, b in calls) == sorted(k.encode() for k in keys)
    assert all(a == presented.encode() for a, _ in calls)
