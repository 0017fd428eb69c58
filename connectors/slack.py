"""Slack through slack_sdk's AsyncWebClient: handoff alerts (never twice), DMs, updates, threads, checks.

Rate limits and retries are not handled here: the client gets no retry handlers (not even slack_sdk's
default connection-error one), a 429 becomes `RateLimited(retry_after)` and the durable delivery
decides when to try again. `conversations.history` needs channel ids (`C…`), not `#names`: configure
alert channels by id so a lost send can be found again with `find_alert`.
"""
from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from datetime import datetime
from typing import Any, TypeVar

import aiohttp
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from connectors.delivery import AlertRequest, AlertResult
from connectors.errors import (
    AuthFailed,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
    parse_retry_after,
)
from handoff.core.masking import CARDS_AND_SECRETS, mask_json, mask_pii

SOURCE = "slack"
EVENT_TYPE = "handoff_alert"
REPLY_EVENT_TYPE = "handoff_customer_message"  # marks a customer's message forwarded into the alert's thread
HISTORY_PAGES = 5  # conversations.history pages read when looking for an earlier alert
AUTH_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                         "no_permission", "missing_scope", "not_allowed_token_type", "ekm_access_denied"})
NOT_FOUND_ERRORS = frozenset({"message_not_found", "users_not_found", "user_not_found", "thread_not_found"})
TRANSIENT_ERRORS = frozenset({"fatal_error", "internal_error", "service_unavailable", "request_timeout",
                              "team_added_to_org"})

T = TypeVar("T")

# Block Kit keys whose values are identifiers or links, not text anyone reads
_NOT_TEXT = frozenset({"url", "action_id", "block_id", "value", "type", "style", "image_url", "callback_id"})

log = logging.getLogger(__name__)


def _text(text: str) -> str:
    """The last line of defence for a message's text: whoever rendered it, no card or credential leaves."""
    return mask_pii(text, CARDS_AND_SECRETS) if text else text


def _blocks(blocks: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """The same for every text in Block Kit blocks (identifiers and URLs kept)."""
    return mask_json(blocks, CARDS_AND_SECRETS, skip_keys=_NOT_TEXT) if blocks else blocks


def alert_metadata(handoff_id: str) -> dict[str, Any]:
    """The message metadata that marks a handoff alert (what `find_alert` looks for)."""
    return {"event_type": EVENT_TYPE, "event_payload": {"handoff_id": handoff_id}}


def _slack_ts(value: str | float | datetime | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return f"{value.timestamp():.6f}"
    return f"{float(value):.6f}"


def map_slack_error(exc: BaseException) -> UpstreamError:
    """The project error for anything slack_sdk or aiohttp raised."""
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = getattr(response, "status_code", None) or getattr(response, "status", None) or 0
        data = getattr(response, "data", None)
        error = data.get("error") if isinstance(data, dict) else None
        headers = getattr(response, "headers", None) or {}
        if status == 429 or error == "ratelimited":
            return RateLimited(SOURCE, "rate limited", retry_after=parse_retry_after(headers.get("Retry-After")))
        if error in AUTH_ERRORS or status in (401, 403):
            return AuthFailed(SOURCE, error or f"HTTP {status}")
        if status >= 500 or error in TRANSIENT_ERRORS:
            return Unavailable(SOURCE, error or f"HTTP {status}")
        if not error:  # not JSON, or JSON without ok/error: not what the API promises
            return Unavailable(SOURCE, f"unexpected answer (HTTP {status})")
        if error in NOT_FOUND_ERRORS:
            return NotFound(SOURCE, error)
        return Rejected(SOURCE, error)
    if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
        return Unavailable(SOURCE, "timeout")
    if isinstance(exc, aiohttp.ClientError):
        return Unavailable(SOURCE, f"connection failed: {type(exc).__name__}")
    if isinstance(exc, SlackClientError):
        return Unavailable(SOURCE, f"client error: {type(exc).__name__}")
    return Unavailable(SOURCE, f"unexpected failure: {type(exc).__name__}")


class SlackConnector:
    """Slack Web API via one AsyncWebClient: the `AlertSink` plus the calls later flows need."""

    def __init__(self, token: str, *, base_url: str | None = None, timeout: float = 10.0) -> None:
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url or AsyncWebClient.BASE_URL,
            timeout=timeout,  # type: ignore[arg-type]  # aiohttp takes float seconds
            retry_handlers=[],
        )

    def __repr__(self) -> str:
        return f"SlackConnector(base_url={self.client.base_url!r})"  # never the token

    async def _call(self, call: Awaitable[Any]) -> Any:
        try:
            response = await call
        except Exception as exc:  # noqa: BLE001 - no slack_sdk/aiohttp exception may leave the connector
            raise map_slack_error(exc) from None
        if not isinstance(getattr(response, "data", None), dict):
            raise Unavailable(SOURCE, "unexpected answer")
        return response

    async def check(self) -> None:
        """Prove the token works (auth.test)."""
        await self._call(self.client.auth_test())

    async def post_alert(self, request: AlertRequest, *, check_existing: bool = False) -> AlertResult:
        """Post the alert to the channel, then DM the agent; with `check_existing`, skip what is already there."""
        found = await self._earlier_alert(request.channel, request.handoff_id) if check_existing else None
        if found is not None:
            channel, ts = found.channel, found.ts
        else:
            channel, ts = await self._post(request.channel, request)
        dm_ts = None
        if request.dm_user_id:
            dm_channel = await self.open_dm(request.dm_user_id)
            dm_found = await self._earlier_alert(dm_channel, request.handoff_id) if check_existing else None
            dm_ts = dm_found.ts if dm_found is not None else (await self._post(dm_channel, request))[1]
        return AlertResult(channel=channel, ts=ts, dm_ts=dm_ts)

    async def _earlier_alert(self, channel: str, handoff_id: str) -> AlertResult | None:
        """find_alert, but a channel whose history cannot be read means "not found": posting decides.

        Slack answers `channel_not_found` to conversations.history for a `#name` (it wants ids) and for a
        channel nothing was ever posted to by us; failing the delivery there would make every retry dead.
        """
        try:
            return await self.find_alert(channel, handoff_id)
        except Rejected as exc:
            if exc.reason != "channel_not_found":
                raise
            log.warning("cannot read the history of Slack channel %s to look for an earlier alert of %s; posting it "
                        "(configure alert channels by id, C..., so a retry never posts twice)", channel, handoff_id)
            return None

    async def _post(self, channel: str, request: AlertRequest) -> tuple[str, str]:
        response = await self._call(self.client.chat_postMessage(
            channel=channel, text=_text(request.text), blocks=_blocks(request.blocks) or None,
            metadata=alert_metadata(request.handoff_id), unfurl_links=False, unfurl_media=False,
        ))
        return str(response.get("channel") or channel), _required(response, "ts")

    async def find_alert(
        self, channel: str, handoff_id: str, oldest: str | float | datetime | None = None
    ) -> AlertResult | None:
        """The alert already posted for this handoff in `channel` (newest pages first), or None."""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = await self._call(self.client.conversations_history(
                channel=channel, oldest=_slack_ts(oldest), include_all_metadata=True, limit=200, cursor=cursor,
            ))
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                payload = metadata.get("event_payload") or {}
                if metadata.get("event_type") == EVENT_TYPE and payload.get("handoff_id") == handoff_id:
                    return AlertResult(channel=channel, ts=message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                break
        return None

    async def open_dm(self, user_id: str) -> str:
        """The DM channel id with one user (conversations.open)."""
        response = await self._call(self.client.conversations_open(users=user_id))
        channel = response.get("channel")
        if not isinstance(channel, dict) or not channel.get("id"):
            raise Unavailable(SOURCE, "conversations.open answered without a channel id")
        return str(channel["id"])

    async def update_alert(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> str:
        """Replace an alert's text and blocks (claimed, solved); returns its ts."""
        response = await self._call(self.client.chat_update(channel=channel, ts=ts, text=_text(text),
                                                            blocks=_blocks(blocks)))
        return _required(response, "ts")

    async def post_message(self, channel: str, text: str, blocks: list[dict[str, Any]] | None = None) -> str:
        """A plain channel message (the weekly digest); returns its ts."""
        response = await self._call(self.client.chat_postMessage(
            channel=channel, text=_text(text), blocks=_blocks(blocks), unfurl_links=False,
        ))
        return _required(response, "ts")

    async def post_thread(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> str:
        """Reply in the alert's thread; returns the reply's ts."""
        response = await self._call(self.client.chat_postMessage(
            channel=channel, thread_ts=ts, text=_text(text), blocks=_blocks(blocks), unfurl_links=False,
        ))
        return _required(response, "ts")

    async def post_reply(self, channel: str, ts: str, text: str, key: str) -> str:
        """A reply in the alert's thread marked with `key` (what `find_reply` looks for); returns its ts."""
        response = await self._call(self.client.chat_postMessage(
            channel=channel, thread_ts=ts, text=_text(text), unfurl_links=False, unfurl_media=False,
            metadata={"event_type": REPLY_EVENT_TYPE, "event_payload": {"key": key}},
        ))
        return _required(response, "ts")

    async def find_reply(self, channel: str, ts: str, key: str) -> str | None:
        """The ts of the reply marked with `key` in the thread of `ts`, if it was posted."""
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            response = await self._call(self.client.conversations_replies(
                channel=channel, ts=ts, include_all_metadata=True, limit=200, cursor=cursor,
            ))
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                if (metadata.get("event_type") == REPLY_EVENT_TYPE
                        and (metadata.get("event_payload") or {}).get("key") == key):
                    return str(message.get("ts"))
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                break
        return None

    async def post_ephemeral(
        self, channel: str, user: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> str:
        """A message only `user` sees in `channel`; returns its message_ts."""
        response = await self._call(self.client.chat_postEphemeral(
            channel=channel, user=user, text=_text(text), blocks=_blocks(blocks),
        ))
        return _required(response, "message_ts")

    async def lookup_user_by_email(self, email: str) -> str | None:
        """The Slack user id for an email, or None when nobody in the workspace has it."""
        try:
            response = await self._call(self.client.users_lookupByEmail(email=email))
        except NotFound:
            return None
        user = response.get("user")
        return str(user["id"]) if isinstance(user, dict) and user.get("id") else None

    async def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        """Open a modal for an interaction; returns the view id."""
        response = await self._call(self.client.views_open(trigger_id=trigger_id, view=view))
        opened = response.get("view")
        if not isinstance(opened, dict) or not opened.get("id"):
            raise Unavailable(SOURCE, "views.open answered without a view id")
        return str(opened["id"])


def _required(response: Any, key: str) -> str:
    value = response.get(key)
    if not value:
        raise Unavailable(SOURCE, f"answer without {key}")
    return str(value)
