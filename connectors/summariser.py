"""Optional one-line summary of a briefing by an OpenAI-compatible chat completions endpoint.

The extractive summary is always there; this only offers a better sentence. Any failure
(timeout, HTTP error, refusal, garbage) returns None and the caller keeps the extractive
summary. What is sent is masked (cards, secrets, e-mail addresses, phone numbers), and the
API key never appears in logs or in this object's repr.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

import httpx

from connectors.chat_completions import ChatCompletions
from handoff.core.brief import Briefing, SummariserSettings, clip
from handoff.core.masking import mask_pii
from handoff.core.models import Message

log = logging.getLogger(__name__)

SUMMARY_MAX_CHARS = 300
_ROLE = {"customer": "Customer", "ai": "AI", "agent": "Agent"}

SYSTEM_PROMPT = (
    "You write the first line of a briefing for a human support agent taking over a chat from an AI "
    "assistant. Reply with ONE sentence of at most 30 words: who the customer is, what they want, how they "
    "feel, and what matters for the reply (account facts). No greeting, no advice, no quotes, no markdown."
)


class LLMSummariser:
    """Calls POST {url}/chat/completions and returns a one-line summary, or None on any failure."""

    def __init__(
        self,
        url: str,
        model: str,
        api_key: str | None,
        timeout_seconds: float,
        client: httpx.AsyncClient | None = None,
        *,
        max_tokens: int = 120,
        max_transcript_chars: int = 12000,
    ) -> None:
        self._chat = ChatCompletions(url, api_key, timeout_seconds, name="summariser", client=client)
        self._model = model
        self._max_tokens = max_tokens
        self._max_transcript_chars = max_transcript_chars

    @classmethod
    def from_settings(
        cls, settings: SummariserSettings, api_key: str | None, client: httpx.AsyncClient | None = None
    ) -> "LLMSummariser | None":
        """The summariser `[briefing.summariser]` asks for, or None when it is disabled."""
        if not settings.enabled:
            return None
        return cls(
            settings.url,
            settings.model,
            api_key,
            settings.timeout_seconds,
            client,
            max_tokens=settings.max_tokens,
            max_transcript_chars=settings.max_transcript_chars,
        )

    def __repr__(self) -> str:
        key = "set" if self._chat.has_key else "none"
        return f"LLMSummariser(endpoint={self._chat.endpoint!r}, model={self._model!r}, key={key})"

    def request_body(self, briefing: Briefing | Sequence[Message]) -> dict[str, Any]:
        """The chat completions request for a briefing (or bare messages), PII masked."""
        return {
            "model": self._model,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": self._prompt(briefing)},
            ],
            "max_tokens": self._max_tokens,
            "temperature": 0,
            "n": 1,
        }

    async def summarise(self, briefing: Briefing | Sequence[Message]) -> str | None:
        """A one-line summary from the LLM, or None (timeout, error, unusable answer)."""
        content = await self._chat.complete(self.request_body(briefing))
        return None if content is None else _tidy(content)

    def _prompt(self, briefing: Briefing | Sequence[Message]) -> str:
        if isinstance(briefing, Briefing):
            messages: Sequence[Message] = briefing.transcript
            facts = [f"{f.source} {f.label}: {f.value}" for f in briefing.account_facts]
            head = [
                f"Category: {briefing.category or 'unknown'}",
                f"Sentiment trajectory: {briefing.trajectory}",
                f"Page: {briefing.page_label or briefing.page_url or 'unknown'}",
                f"Draft summary: {briefing.extractive_summary or briefing.summary}",
                "Account facts:",
                *(f"- {f}" for f in facts),
            ]
        else:
            messages, head = briefing, []
        lines = [f"{_ROLE.get(m.role, m.role)}: {clip(m.text, 1000)}" for m in messages]
        # Keep the most recent turns when the transcript is long: that is where the case stands.
        kept: list[str] = []
        used = 0
        for line in reversed(lines):
            if used + len(line) > self._max_transcript_chars:
                kept.append("[earlier messages omitted]")
                break
            kept.append(line)
            used += len(line) + 1
        text = "\n".join([*head, "Transcript:", *reversed(kept)])
        return mask_pii(text)


def _tidy(content: str) -> str | None:
    text = " ".join(content.split()).strip().strip('"“”').strip()
    text = re.sub(r"^(?:summary|one-line summary)\s*:\s*", "", text, flags=re.I)
    if len(text) < 10:
        return None
    return clip(mask_pii(text), SUMMARY_MAX_CHARS)
