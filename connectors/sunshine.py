"""Zendesk messaging (Sunshine Conversations) through its official client: the Switchboard's pass and release.

`passControl` makes the agent workspace (`[sunshine] switchboard_integration`) the conversation's active
integration, with the handoff's metadata; `releaseControl` gives the conversation back to the switchboard's
default integration (the bot). sunshine-conversations-client is synchronous (urllib3), so each call runs in a
worker thread, with urllib3's retries off and a per-request timeout: the delivery dispatcher decides on
retries, honouring Retry-After. Authentication is basic, with an API key's id and secret, as the library does
it. The metadata is fitted to Sunshine's 4 KB once more just before sending (masked, summary cut first),
whatever built it.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import urllib3
from pydantic import ValidationError
from sunshine_conversations_client import (
    ApiClient,
    Configuration,
    PassControlBody,
    ReleaseControlBody,
    SwitchboardActionsApi,
)
from sunshine_conversations_client.exceptions import ApiException, OpenApiException

from connectors.errors import (
    AuthFailed,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
    parse_retry_after,
)
from handoff.core.render.switchboard import PASS_SHRINK_ORDER, RELEASE_SHRINK_ORDER, Scalar, fit_metadata

SOURCE = "sunshine"
DEFAULT_INTEGRATION = "zd-agentWorkspace"

T = TypeVar("T")


def api_url(url: str | None, zendesk_subdomain: str | None) -> str | None:
    """Where the API is: the given URL, else a licensed Zendesk account's `/sc` host, else the library's default."""
    if url:
        return url.rstrip("/")
    if zendesk_subdomain:
        return f"https://{zendesk_subdomain}.zendesk.com/sc"
    return None


def _detail(body: Any) -> str:
    """Sunshine's first error (`{"errors": [{"code", "title"}]}`), kept short; never the request."""
    try:
        errors = json.loads(body or "null").get("errors") or []
        first = errors[0]
        return f"{first.get('code') or 'error'}: {first.get('title') or ''}".strip(": ")[:200]
    except (ValueError, TypeError, AttributeError, IndexError, KeyError):
        return "error"


def error_for(exc: BaseException) -> UpstreamError:
    """The project's error for anything the client or urllib3 raised."""
    if isinstance(exc, UpstreamError):
        return exc
    if isinstance(exc, ApiException):
        status = exc.status if isinstance(exc.status, int) else 0
        detail = _detail(exc.body)
        if status in (401, 403):
            return AuthFailed(SOURCE, f"HTTP {status}: {detail} (check SUNSHINE_KEY_ID and SUNSHINE_KEY_SECRET)")
        if status == 404:
            return NotFound(SOURCE, f"HTTP 404: {detail}")
        if status == 429:
            headers = exc.headers or {}
            return RateLimited(SOURCE, "HTTP 429: rate limited", retry_after=parse_retry_after(headers.get("Retry-After")))
        if status >= 500:
            return Unavailable(SOURCE, f"HTTP {status}: {detail}")
        if status == 0:  # the client's own wrapping of TLS failures
            return Unavailable(SOURCE, "connection failed")
        return Rejected(SOURCE, f"HTTP {status}: {detail}")
    if isinstance(exc, (ValidationError, OpenApiException)):
        return Rejected(SOURCE, f"the request is not valid: {type(exc).__name__}")
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        exc = exc.reason
    # NewConnectionError (refused, unreachable) is a ConnectTimeoutError in urllib3's hierarchy: test it first
    if isinstance(exc, urllib3.exceptions.TimeoutError) and not isinstance(exc, urllib3.exceptions.NewConnectionError):
        return Unavailable(SOURCE, "timed out")
    if isinstance(exc, (urllib3.exceptions.HTTPError, OSError)):
        return Unavailable(SOURCE, f"connection failed: {type(exc).__name__}")
    return Unavailable(SOURCE, f"unexpected answer: {type(exc).__name__}")


class SunshineConnector:
    """The Switchboard of one Sunshine Conversations app: `pass_control` and `release_control`."""

    def __init__(self, key_id: str, key_secret: str, *, app_id: str, url: str | None = None,
                 switchboard_integration: str = DEFAULT_INTEGRATION, timeout: float = 10.0) -> None:
        if not (key_id and key_secret and app_id):
            raise ValueError("Sunshine Conversations needs a key id, its secret and an app id")
        # retries=0: a refused connection or a 503 surfaces at once, and the outbox retries with backoff
        config = Configuration(host=url, username=key_id, password=key_secret, retries=0)
        self._client = ApiClient(config)
        self._api = SwitchboardActionsApi(self._client)
        self._host = config.host
        self.app_id = app_id
        self.switchboard_integration = switchboard_integration
        self._timeout = float(timeout)  # the client takes a float only

    def __repr__(self) -> str:
        return f"SunshineConnector(host={self._host!r}, app_id={self.app_id!r})"  # never the secret

    def close(self) -> None:
        """Release pooled connections."""
        self._client.rest_client.pool_manager.clear()

    async def pass_control(self, conversation_id: str, metadata: Mapping[str, Scalar], *,
                           app_id: str | None = None) -> dict[str, Any]:
        """Make the agent workspace the conversation's active integration, telling it about the handoff."""
        body = PassControlBody(switchboard_integration=self.switchboard_integration,
                               metadata=fit_metadata(metadata, PASS_SHRINK_ORDER) or None)
        app = app_id or self.app_id
        await self._run(self._api.pass_control, app, conversation_id, body)
        return {"action": "pass", "app_id": app, "conversation_id": conversation_id,
                "switchboard_integration": self.switchboard_integration}

    async def release_control(self, conversation_id: str, metadata: Mapping[str, Scalar] | None = None, *,
                              app_id: str | None = None) -> dict[str, Any]:
        """Give the conversation back to the switchboard's default integration (the bot)."""
        fitted = fit_metadata(metadata or {}, RELEASE_SHRINK_ORDER)
        body = ReleaseControlBody(metadata=fitted) if fitted else ReleaseControlBody()
        app = app_id or self.app_id
        await self._run(self._api.release_control, app, conversation_id, body)
        return {"action": "release", "app_id": app, "conversation_id": conversation_id}

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        def call() -> T:
            try:
                return fn(*args, _request_timeout=self._timeout)
            except Exception as exc:  # noqa: BLE001 - no client or urllib3 exception may leave the connector
                raise error_for(exc) from None

        return await asyncio.to_thread(call)


__all__ = ["SunshineConnector", "api_url", "error_for"]
