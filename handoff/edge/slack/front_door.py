"""The front door of `POST /slack/events`: every request checked before bolt sees it (signature, freshness,
a readable body, the workspace and app it comes from, replays), then handed to bolt."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from sqlalchemy.orm import Session, sessionmaker

from handoff.storage.replay_guard import REPLAYED, ReplayGuard

log = structlog.get_logger("handoff.slack")

EVENTS_PATH = "/slack/events"
SIGNATURE_WINDOW_SECONDS = 300  # Slack's: a request more than 5 minutes off is refused


def mount_slack(fastapi_app: FastAPI, slack_app: AsyncApp, path: str = EVENTS_PATH, *,
                sessions: sessionmaker[Session] | None = None, clock: Callable[[], datetime] | None = None,
                signing_secret: str | None = None, now: Callable[[], float] = time.time,
                team_id: str | None = None, app_id: str | None = None) -> None:
    """Add `POST /slack/events` (events, commands, interactivity) to a FastAPI app.

    A front door checks each request before bolt sees it: bolt parses the body before it checks
    the signature, so an unsigned malformed body (bad UTF-8, a `payload` that is not JSON or is
    nested thousands deep, a timestamp that is not a number) would be a 500 there. Here: 401 for
    a missing, forged or stale signature (Slack's 5-minute window), 400 for a signed body bolt
    cannot read. With `sessions`, an exact replay of an accepted signed request within the window
    is refused too (401 "replayed request", with `X-Slack-No-Retry: 1`); a request we answered
    with a non-2xx is not remembered, so a Slack retry of it passes (handoff.storage.replay_guard). With
    `team_id` / `app_id`, a request from another workspace or app is refused and nothing is done: a
    command gets an ephemeral answer saying so, anything else a 403 (`X-Slack-No-Retry: 1`).
    """
    handler = AsyncSlackRequestHandler(slack_app)
    # bolt keeps the secret it was built with; the front door must verify with the same one
    secret = signing_secret or getattr(slack_app, "_signing_secret", None)
    if not secret:
        raise ValueError("the Slack signing secret is unknown: pass signing_secret=")
    key = secret.encode("utf-8")
    guard = None
    if sessions is not None:
        guard = ReplayGuard(sessions, "slack", window_seconds=SIGNATURE_WINDOW_SECONDS,
                            clock=clock or (lambda: datetime.now(UTC)))

    @fastapi_app.post(path, tags=["slack"], response_class=Response)
    async def slack_events(request: Request) -> Response:
        """Slack's events, `/handoff` commands and button actions (signed by Slack)."""
        body = await request.body()
        if is_ssl_check(body):
            return Response(status_code=200)  # Slack probing our certificate; it may come unsigned, does nothing
        digest = verify_slack_signature(key, body, request.headers.get("x-slack-request-timestamp"),
                                        request.headers.get("x-slack-signature"), now=now())
        if digest is None:
            return JSONResponse({"error": "invalid request"}, 401)
        problem = unreadable_slack_body(body, request.headers.get("content-type", ""))
        if problem:
            log.warning("slack_request_unreadable", problem=problem)
            return JSONResponse({"error": f"malformed Slack request: {problem}"}, 400)
        if team_id or app_id:
            origin = slack_origin(body, request.headers.get("content-type", ""))
            if not origin.allowed(team_id, app_id):
                log.warning("slack_request_from_elsewhere", team_id=origin.team_id, app_id=origin.app_id,
                            kind=origin.kind)
                if origin.kind == "command":  # Slack shows a command's answer to whoever typed it
                    return JSONResponse({"response_type": "ephemeral", "text": FOREIGN_WORKSPACE})
                return JSONResponse({"error": FOREIGN_WORKSPACE}, 403, headers={"X-Slack-No-Retry": "1"})
        if guard is not None and not await guard.aclaim(digest):
            log.warning("slack_request_replayed")
            return JSONResponse({"error": REPLAYED}, 401, headers={"X-Slack-No-Retry": "1"})
        accepted = False
        try:
            response = await handler.handle(request)
            accepted = 200 <= response.status_code < 300
        except (ValueError, TypeError, RecursionError):  # signed, but bolt could not read it
            log.warning("slack_request_unreadable")
            response = JSONResponse({"error": "malformed Slack request"}, 400)
        finally:
            if guard is not None and not accepted:
                await guard.arelease(digest)
        return response


FOREIGN_WORKSPACE = (":no_entry: This Handoff app only serves its own Slack workspace and app "
                     "([slack] team_id and app_id); nothing was done.")


@dataclass(frozen=True)
class SlackOrigin:
    """Where a Slack request says it comes from: the workspace (team) and app ids, and what kind it is."""

    team_id: str | None
    app_id: str | None
    kind: str  # "command", "interaction", "event" or "url_verification"

    def allowed(self, team_id: str | None, app_id: str | None) -> bool:
        """Whether it matches the configured ids (an unset one matches anything; a missing one nothing)."""
        if self.kind == "url_verification":
            return True  # Slack checking the request URL while it is being set: it carries no ids, does nothing
        return (not team_id or self.team_id == team_id) and (not app_id or self.app_id == app_id)


def slack_origin(body: bytes, content_type: str) -> SlackOrigin:
    """The team and app ids of a signed, readable Slack request (a slash command, an interaction or an event)."""
    text = body.decode("utf-8")
    if content_type.lower().startswith("application/json"):
        event = json.loads(text)
        if event.get("type") == "url_verification":
            return SlackOrigin(None, None, "url_verification")
        return SlackOrigin(_str_or_none(event.get("team_id")), _str_or_none(event.get("api_app_id")), "event")
    fields = parse_qs(text)
    if "payload" not in fields:
        return SlackOrigin(_first(fields, "team_id"), _first(fields, "api_app_id"), "command")
    payload = json.loads(fields["payload"][0])
    team = payload.get("team")
    team_id = team.get("id") if isinstance(team, dict) else payload.get("team_id")
    return SlackOrigin(_str_or_none(team_id), _str_or_none(payload.get("api_app_id")), "interaction")


def _first(fields: dict[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def _str_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def is_ssl_check(body: bytes) -> bool:
    """Slack's `ssl_check=1` probe of a slash command URL (answered 200 as bolt would, nothing else done)."""
    if len(body) > 1024 or b"ssl_check" not in body:
        return False
    fields = parse_qs(body.decode("utf-8", "replace"))
    return fields.get("ssl_check") == ["1"] and "payload" not in fields


def unreadable_slack_body(body: bytes, content_type: str) -> str | None:
    """Why bolt could not read this body (bolt would answer it with a 500), or None when it can."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not valid UTF-8"
    try:
        if content_type.lower().startswith("application/json"):
            obj: Any = json.loads(text)
        else:
            payload = parse_qs(text).get("payload")
            if payload is None:
                return None  # a slash command: plain form fields
            obj = json.loads(payload[0])
    except RecursionError:
        return "JSON nested too deeply"
    except ValueError:
        return "not valid JSON"
    return None if isinstance(obj, dict) else "the JSON is not an object"


def verify_slack_signature(secret: bytes, body: bytes, timestamp: str | None, signature: str | None, *,
                           now: float, window_seconds: float = SIGNATURE_WINDOW_SECONDS) -> bytes | None:
    """The raw HMAC of a genuine, fresh Slack request (`v0=` hex of HMAC-SHA256 over `v0:ts:body`), else None."""
    if not timestamp or not signature or not signature.startswith("v0="):
        return None
    ts = timestamp.strip()
    if not (ts.isascii() and ts.isdigit() and len(ts) <= 12):
        return None
    try:
        given = bytes.fromhex(signature[3:])
    except ValueError:
        return None
    expected = hmac.new(secret, b"v0:" + ts.encode() + b":" + body, hashlib.sha256).digest()
    if not hmac.compare_digest(given, expected) or abs(now - int(ts)) > window_seconds:
        return None
    return expected
