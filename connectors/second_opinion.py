"""The optional second opinion: an OpenAI-compatible chat model asked whether a doubtful turn needs a human.

Asked only on turns the engine is in doubt about (handoff/core/decide/second_opinion.py), within a strict time
budget: no answer in `timeout_ms`, an HTTP error, or an answer that is not exactly the JSON object asked for
returns None, and the local decision stands. The customer's messages are PII-masked before they are sent;
the API key (HANDOFF_SECOND_OPINION_API_KEY) never appears in logs or in this object's repr.
"""
from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from typing import Any

import httpx

from handoff.core.decide.categories import CATEGORIES
from handoff.core.decide.config import SecondOpinion
from handoff.core.decide.second_opinion import Doubt, Verdict
from handoff.core.masking import mask_pii

log = logging.getLogger(__name__)

WHY_MAX_CHARS = 300
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)
_KEYS = {"escalate", "category", "why"}

SYSTEM_PROMPT = (
    "You review a customer support chat handled by an AI assistant and decide whether a human agent must "
    "take over now. A human is needed when the customer asks for one, is clearly frustrated, or raises a "
    "topic an AI must not handle alone: " + ", ".join(sorted(c for c in CATEGORIES if c not in (
        "explicit_request", "frustration", "ai_low_confidence", "loop", "technical", "billing", "account",
        "shipping", "general"))) + ". "
    "Reply with ONLY a JSON object, no markdown: "
    '{"escalate": true or false, "category": one of ' + json.dumps(sorted(CATEGORIES)) + ' or null, '
    '"why": "at most 20 words"}'
)


class LLMSecondOpinion:
    """Calls POST {url}/chat/completions and returns a Verdict, or None on any failure or timeout."""

    def __init__(self, settings: SecondOpinion, api_key: str | None, client: httpx.AsyncClient | None = None) -> None:
        self._endpoint = settings.url.rstrip("/") + "/chat/completions"
        self._model = settings.model
        self._api_key = api_key
        self._timeout = settings.timeout_ms / 1000
        self._max_chars = settings.max_chars
        self._client = client
        self._own_client = client is None

    @classmethod
    def from_settings(cls, settings: SecondOpinion, api_key: str | None,
                      client: httpx.AsyncClient | None = None) -> "LLMSecondOpinion | None":
        """The second opinion `[triggers.second_opinion]` asks for, or None when it is off."""
        return cls(settings, api_key, client) if settings.enabled else None

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"LLMSecondOpinion(endpoint={self._endpoint!r}, model={self._model!r}, key={key})"

    def request_body(self, customer_texts: Sequence[str]) -> dict[str, Any]:
        """The chat completions request: the recent customer messages, masked, newest last (the local layer's
        call is not shown, so the model judges the words, not the classifier)."""
        kept: list[str] = []
        used = 0
        for text in reversed(customer_texts):
            line = " ".join(text.split())[: self._max_chars - used]
            if not line:
                break
            kept.append(line)
            used += len(line)
            if used >= self._max_chars:
                break
        prompt = "\n".join(f"Customer: {t}" for t in reversed(kept))
        return {
            "model": self._model,
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": mask_pii(prompt)}],
            "max_tokens": 80,
            "temperature": 0,
            "n": 1,
        }

    async def ask(self, customer_texts: Sequence[str], doubt: Doubt) -> Verdict | None:
        """The model's verdict on the doubtful turn, or None (timeout, error, unusable answer).

        `doubt` (the local layer's call) is part of the service's protocol; this judge does not send it.
        """
        body = self.request_body(customer_texts)
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        try:
            # httpx's timeout is per phase (connect, read...); wait_for bounds the whole exchange
            response = await asyncio.wait_for(self._post(body, headers), timeout=self._timeout)
        except (asyncio.TimeoutError, httpx.TimeoutException):
            log.warning("second opinion timed out after %d ms", round(self._timeout * 1000))
            return None
        except httpx.HTTPError as e:
            log.warning("second opinion request failed: %s", type(e).__name__)
            return None
        if response.status_code != 200:
            log.warning("second opinion answered HTTP %s", response.status_code)
            return None
        verdict = parse_verdict(response)
        if verdict is None:
            log.warning("second opinion answer is not the JSON verdict asked for")
        return verdict

    async def _post(self, body: dict[str, Any], headers: dict[str, str]) -> httpx.Response:
        if self._client is None:
            # one client for the process: a connection kept open is what fits a sub-second budget
            self._client = httpx.AsyncClient(timeout=httpx.Timeout(self._timeout))
        return await self._client.post(self._endpoint, json=body, headers=headers,
                                       timeout=httpx.Timeout(self._timeout))

    async def aclose(self) -> None:
        """Close the connection pool it opened (not one it was given)."""
        if self._own_client and self._client is not None:
            await self._client.aclose()
            self._client = None


def parse_verdict(response: httpx.Response) -> Verdict | None:
    """The verdict in a chat completions answer, or None unless it is exactly {"escalate", "category", "why"}."""
    try:
        data = response.json()
        choice = data["choices"][0]
        content = choice["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    if not isinstance(content, str) or (isinstance(choice, dict) and choice.get("finish_reason") == "content_filter"):
        return None
    text = content.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1)
    try:
        obj = json.loads(text)
    except ValueError:
        return None
    if not isinstance(obj, dict) or set(obj) - _KEYS or "escalate" not in obj or "why" not in obj:
        return None
    escalate, category, why = obj["escalate"], obj.get("category"), obj["why"]
    if not isinstance(escalate, bool) or not isinstance(why, str) or not why.strip():
        return None
    if category in ("", "none"):
        category = None
    if category is not None and category not in CATEGORIES:
        return None
    why = " ".join(why.split())
    return Verdict(escalate, category, mask_pii(why[:WHY_MAX_CHARS]))
