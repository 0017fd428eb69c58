"""One call to an OpenAI-compatible `POST {url}/chat/completions`, bounded in time, for the optional models.

The summariser and the second opinion both use it: the answer's first choice's text, or None on a timeout,
an HTTP error, a non-200 answer, garbage or a content filter, each logged in one line that never holds the key.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)


class ChatCompletions:
    """A chat completions endpoint with an API key and a time budget for the whole exchange."""

    def __init__(self, url: str, api_key: str | None, timeout_seconds: float, *, name: str,
                 client: httpx.AsyncClient | None = None, keep_open: bool = False) -> None:
        self.endpoint = url.rstrip("/") + "/chat/completions"
        self._api_key = api_key
        self._timeout = timeout_seconds
        self._name = name
        self._client = client
        self._own_client = client is None
        self._keep_open = keep_open  # one pooled client for the process, when a sub-second budget needs it

    @property
    def has_key(self) -> bool:
        """Whether an API key is set (for a repr that says so without showing it)."""
        return bool(self._api_key)

    async def complete(self, body: dict[str, Any]) -> str | None:
        """The text of the first choice, or None (logged) when there is no usable answer in time."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            # httpx's timeout is per phase (connect, read...); wait_for bounds the whole exchange
            response = await asyncio.wait_for(self._post(body, headers), timeout=self._timeout)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            log.warning("%s timed out after %d ms", self._name, round(self._timeout * 1000))
            return None
        except httpx.HTTPError as e:
            log.warning("%s request failed: %s", self._name, type(e).__name__)
            return None
        if response.status_code != 200:
            log.warning("%s answered HTTP %s", self._name, response.status_code)
            return None
        try:
            choice = response.json()["choices"][0]
            content = choice["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError):
            log.warning("%s answer has no choices[0].message.content", self._name)
            return None
        if not isinstance(content, str) or (isinstance(choice, dict) and choice.get("finish_reason") == "content_filter"):
            return None
        return content

    async def _post(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        timeout = httpx.Timeout(self._timeout)
        if self._client is None and self._keep_open:
            self._client = httpx.AsyncClient(timeout=timeout)
        if self._client is not None:
            return await self._client.post(self.endpoint, json=body, headers=headers, timeout=timeout)
        async with httpx.AsyncClient(timeout=timeout) as client:
            return await client.post(self.endpoint, json=body, headers=headers)

    async def aclose(self) -> None:
        """Close the connection pool it opened (not one it was given)."""
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None
