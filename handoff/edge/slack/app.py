"""The Slack app (slack-bolt AsyncApp) at `POST /slack/events`: a thin edge over `Operations`.

Every command and button is acknowledged first (Slack wants an answer within 3 seconds); the work
and the real answer come after the ack, from the listener bolt runs as a task
(`process_before_response=False`). Who may do what:
- `claim`, `available`, `away` and the Claim button: agents of settings.toml only (matched by their
  `slack_user_id`); anyone else is told how to be added, and nothing is called.
- The "AI could have handled this" button: agents only too (it counts in the quality metrics).
- `help`, `queue`, `status`, `callbacks`, `stats`: anyone in the workspace. The app is installed in
  one workspace, the support team's, and what it shows has customer PII masked
  (handoff.core.render.slack_replies). With `[slack] team_id` and `app_id` set, a request from another
  workspace or app is refused before bolt sees it, however it is signed.
Where answers go: command answers through the command's `response_url` (works in any channel, even
one the bot is not in), falling back to chat.postEphemeral; button answers as chat.postEphemeral in
the alert's channel (the bot posted the alert there), falling back to the `response_url`.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qs

import structlog
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.orm import Session, sessionmaker

from handoff.app.followups import Agent
from handoff.storage.replay_guard import REPLAYED, ReplayGuard
from handoff.core.render.slack_card import ACTION_CLAIM, ACTION_OPEN_TICKET, ACTION_UNNECESSARY
from handoff.core.render.slack_replies import (
    AGENT_ONLY,
    Command,
    Reply,
    availability_reply,
    callbacks_reply,
    claim_reply,
    failure_reply,
    help_reply,
    not_agent_reply,
    parse_command,
    queue_reply,
    stats_reply,
    status_reply,
    unnecessary_reply,
    usage_reply,
    working_text,
)

log = structlog.get_logger("handoff.slack")

COMMAND = "/handoff"
EVENTS_PATH = "/slack/events"
SIGNATURE_WINDOW_SECONDS = 300  # Slack's: a request more than 5 minutes off is refused
_REFUSED_ACTION = {"claim": "claim handoffs", "available": "change their availability",
                   "away": "change their availability"}


class Operations(Protocol):
    """What the Slack app may ask of the service (implemented by handoff.app.followups)."""

    def agent_for_slack_user(self, slack_user_id: str) -> Agent | None:
        """The settings agent with this Slack user id, or None."""
        ...

    async def claim(self, handoff_id: str, agent_id: str) -> dict[str, Any]:
        """Claim a handoff: {"ok", "handoff_id", "status", "claimed_by", "message"}."""
        ...

    async def set_available(self, agent_id: str, available: bool) -> dict[str, Any]:
        """Set an agent's availability: {"agent_id", "available", "active"}."""
        ...

    async def queue(self, team: str | None = None) -> dict[str, Any]:
        """Open handoffs and dead deliveries: {"open": [...], "dead_deliveries": [...]}."""
        ...

    async def status(self, handoff_id: str) -> dict[str, Any] | None:
        """One handoff as GET /v1/handoffs/{id} shows it (no transcript), or None."""
        ...

    async def callbacks(self) -> list[dict[str, Any]]:
        """Upcoming callbacks: [{"handoff_id", "team", "callback_at", "customer"}]."""
        ...

    async def stats(self) -> dict[str, Any]:
        """The `handoff stats --json` object."""
        ...

    async def mark_unnecessary(self, handoff_id: str, slack_user_id: str) -> dict[str, Any]:
        """Record "AI could have handled this": {"ok", "message"}."""
        ...


class _ClientTokenNotice(logging.Filter):
    """Drop bolt's "`token` will be unused" warning: bolt reads SLACK_BOT_TOKEN from the environment even when
    given a client, whose token is that same one (checked in build_slack_app), so it warned at every start."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def build_slack_app(
    ops: Operations, *, token: str, signing_secret: str, client: AsyncWebClient, command: str = COMMAND
) -> AsyncApp:
    """The bolt app: `/handoff` and the alert's buttons, verified with the signing secret."""
    if not signing_secret:
        # an empty secret is a key anyone can sign with: refuse to serve rather than accept forgeries
        raise ValueError("SLACK_SIGNING_SECRET is empty: the Slack app cannot verify requests")
    if client.token is None:
        client = AsyncWebClient(token=token, base_url=client.base_url, timeout=client.timeout,
                                retry_handlers=client.retry_handlers)
    elif client.token != token:
        raise ValueError("the Slack client was built with another token than the one given")
    bolt_log = logging.getLogger("handoff.slack.bolt")
    if not any(isinstance(f, _ClientTokenNotice) for f in bolt_log.filters):
        bolt_log.addFilter(_ClientTokenNotice())
    app = AsyncApp(
        client=client,  # not token too: bolt would warn that the client's token wins
        signing_secret=signing_secret,
        process_before_response=False,
        logger=bolt_log,
    )
    edge = _SlackEdge(ops, command)
    app.command(command)(edge.on_command)
    app.action(ACTION_CLAIM)(edge.on_claim)
    app.action(ACTION_UNNECESSARY)(edge.on_unnecessary)
    app.action(ACTION_OPEN_TICKET)(edge.on_open_ticket)
    return app


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


class _SlackEdge:
    """The listeners: parse, check who is asking, ack, then call Operations and answer."""

    def __init__(self, ops: Operations, command: str) -> None:
        self.ops = ops
        self.command = command

    # -- /handoff ----------------------------------------------------------------------------
    async def on_command(self, ack: Any, command: dict[str, Any], respond: Any, client: AsyncWebClient) -> None:
        """Answer at once what needs no lookup; otherwise ack briefly and answer after the work."""
        user = str(command.get("user_id") or "")
        cmd = parse_command(command.get("text"))
        if cmd.name in ("help", "unknown"):
            await ack(**help_reply(cmd.arg if cmd.name == "unknown" else None, self.command).kwargs())
            return
        if cmd.error:
            await ack(**usage_reply(cmd).kwargs())
            return
        agent: Agent | None = None
        if cmd.name in AGENT_ONLY:
            try:
                agent = self.ops.agent_for_slack_user(user)
            except Exception:  # noqa: BLE001 - the ack must still go out
                log.exception("slack_agent_lookup_failed", command=cmd.name)
                await ack(**failure_reply("checking who you are").kwargs())
                return
            if agent is None:
                await ack(**not_agent_reply(_REFUSED_ACTION[cmd.name], user).kwargs())
                return
        await ack(text=working_text(cmd))
        reply = await self._run(cmd, agent)
        await self._answer_command(command, respond, client, reply)

    async def _run(self, cmd: Command, agent: Agent | None) -> Reply:
        try:
            if cmd.name == "queue":
                return queue_reply(await self.ops.queue(cmd.arg), cmd.arg)
            if cmd.name == "status":
                return status_reply(await self.ops.status(str(cmd.arg)), str(cmd.arg))
            if cmd.name == "callbacks":
                return callbacks_reply(await self.ops.callbacks())
            if cmd.name == "stats":
                return stats_reply(await self.ops.stats())
            assert agent is not None  # AGENT_ONLY commands were checked before the ack
            if cmd.name == "claim":
                return claim_reply(await self.ops.claim(str(cmd.arg), agent.id))
            if cmd.name in ("available", "away"):
                return availability_reply(await self.ops.set_available(agent.id, cmd.name == "available"))
        except Exception:  # noqa: BLE001 - the user gets an answer; the log gets the trace
            log.exception("slack_command_failed", command=cmd.name)
            return failure_reply(f"running `{cmd.name}`")
        return help_reply(cmd.name, self.command)

    async def _answer_command(self, command: dict[str, Any], respond: Any, client: AsyncWebClient,
                              reply: Reply) -> None:
        if not await _respond(respond, reply):
            await self._ephemeral(client, command.get("channel_id"), command.get("user_id"), reply)

    # -- buttons on the alert --------------------------------------------------------------------
    async def on_claim(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                       client: AsyncWebClient) -> None:
        """Claim button: an agent claims the handoff; anyone else is told how to become one."""
        await ack()
        user = _user_id(body)
        handoff_id = _handoff_id(action)
        try:
            agent = self.ops.agent_for_slack_user(user)
            if agent is None:
                reply = not_agent_reply("claim handoffs", user)
            elif not handoff_id:
                reply = failure_reply("reading the button (no handoff id on it)")
            else:
                reply = claim_reply(await self.ops.claim(handoff_id, agent.id))
        except Exception:  # noqa: BLE001 - the user gets an answer; the log gets the trace
            log.exception("slack_claim_failed", handoff_id=handoff_id)
            reply = failure_reply("claiming")
        await self._answer_button(body, respond, client, reply)

    async def on_unnecessary(self, ack: Any, body: dict[str, Any], action: dict[str, Any], respond: Any,
                             client: AsyncWebClient) -> None:
        """"AI could have handled this": feedback for the quality metrics, counted from agents only."""
        await ack()
        user = _user_id(body)
        handoff_id = _handoff_id(action)
        try:
            if self.ops.agent_for_slack_user(user) is None:
                reply = not_agent_reply("mark a handoff as one the AI could have handled", user)
            elif not handoff_id:
                reply = failure_reply("reading the button (no handoff id on it)")
            else:
                reply = unnecessary_reply(await self.ops.mark_unnecessary(handoff_id, user), handoff_id)
        except Exception:  # noqa: BLE001 - the user gets an answer; the log gets the trace
            log.exception("slack_unnecessary_failed", handoff_id=handoff_id)
            reply = failure_reply("recording your feedback")
        await self._answer_button(body, respond, client, reply)

    async def on_open_ticket(self, ack: Any) -> None:
        """"Open in Zendesk" is a link button: Slack still sends the click, which only needs an ack."""
        await ack()

    async def _answer_button(self, body: dict[str, Any], respond: Any, client: AsyncWebClient, reply: Reply) -> None:
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        if not await self._ephemeral(client, channel, _user_id(body), reply):
            await _respond(respond, reply)

    async def _ephemeral(self, client: AsyncWebClient, channel: Any, user: Any, reply: Reply) -> bool:
        if not channel or not user:
            return False
        try:
            await client.chat_postEphemeral(channel=str(channel), user=str(user), **reply.kwargs())
            return True
        except Exception as exc:  # noqa: BLE001 - e.g. not_in_channel: the caller tries the other way
            log.warning("slack_ephemeral_failed", error=type(exc).__name__)
            return False


async def _respond(respond: Any, reply: Reply) -> bool:
    """Answer through the response_url, ephemerally; False when there is none or Slack refused."""
    if respond is None or not getattr(respond, "response_url", None):
        return False
    try:
        response = await respond(**reply.kwargs(), response_type="ephemeral", replace_original=False)
    except Exception as exc:  # noqa: BLE001 - the caller tries the other way
        log.warning("slack_respond_failed", error=type(exc).__name__)
        return False
    status = getattr(response, "status_code", 200)
    if status != 200:  # an expired or used-up response_url answers 404
        log.warning("slack_respond_failed", status=status)
        return False
    return True


def _user_id(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _handoff_id(action: dict[str, Any]) -> str:
    """The handoff a button belongs to: its value, else the actions block id `handoff_actions:<id>`."""
    value = str(action.get("value") or "").strip()
    if value:
        return value
    block_id = str(action.get("block_id") or "")
    return block_id.partition(":")[2] if block_id.startswith("handoff_actions:") else ""
