"""Optional suggested replies drafted by an OpenAI-compatible chat completions endpoint.

The rules' replies are always there; this only offers better-worded ones from the same facts. The answer
must be a JSON list of two or three non-empty strings, each at most REPLY_MAX_CHARS: anything else (a
timeout, an HTTP error, prose, a longer list) returns None and the caller keeps the rules' replies. What is
sent is masked; the API key never appears in logs or in this object's repr. Nothing is sent to the customer.
"""
from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx

from connectors.chat_completions import ChatCompletions
from handoff.core.brief import ReplyDrafterSettings, tidy_replies
from handoff.core.brief.replies import ReplyFacts
from handoff.core.masking import mask_pii

log = logging.getLogger(__name__)

REPLY_MAX_CHARS = 400
_ROLE = {"customer": "Customer", "ai": "AI", "agent": "Agent"}
_LANGUAGE = {"en": "English", "es": "Spanish", "fr": "French", "de": "German", "pt": "Portuguese"}
_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.S)

SYSTEM_PROMPT = (
    "You suggest the next message a human support agent could send to a customer they just took over from an "
    "AI assistant. Reply with ONLY a JSON array of 2 or 3 strings, each one short message (at most 60 words) in "
    "{language}. Use only the facts given; promise nothing that is not in them (no refunds, dates or amounts "
    "you were not told); don't repeat what the AI already said; no greeting, no markdown, no placeholders."
)


class LLMReplyDrafter:
    """Calls POST {url}/chat/completions and returns 2-3 suggested replies, or None on any failure."""

    def __init__(self, url: str, model: str, api_key: str | None, timeout_seconds: float,
                 client: httpx.AsyncClient | None = None, *, max_tokens: int = 300,
                 max_transcript_chars: int = 6000) -> None:
        self._chat = ChatCompletions(url, api_key, timeout_seconds, name="reply drafter", client=client)
        self._model = model
        self._max_tokens = max_tokens
        self._max_transcript_chars = max_transcript_chars

    @classmethod
    def from_settings(cls, settings: ReplyDrafterSettings, api_key: str | None,
                      client: httpx.AsyncClient | None = None) -> "LLMReplyDrafter | None":
        """The drafter `[briefing.replies]` asks for, or None when it is disabled."""
        if not settings.enabled:
            return None
        return cls(settings.url, settings.model, api_key, settings.timeout_seconds, client,
                   max_tokens=settings.max_tokens, max_transcript_chars=settings.max_transcript_chars)

    def __repr__(self) -> str:
        key = "set" if self._chat.has_key else "none"
        return f"LLMReplyDrafter(endpoint={self._chat.endpoint!r}, model={self._model!r}, key={key})"

    def request_body(self, facts: ReplyFacts) -> dict[str, Any]:
        """The chat completions request for a handoff's facts, PII masked."""
        system = SYSTEM_PROMPT.format(language=_LANGUAGE.get(facts.language, "English"))
        return {"model": self._model, "messages": [{"role": "system", "content": system},
                                                   {"role": "user", "content": self._prompt(facts)}],
                "max_tokens": self._max_tokens, "temperature": 0.2, "n": 1}

    async def draft(self, facts: ReplyFacts) -> tuple[str, ...] | None:
        """Two or three replies from the LLM, or None (timeout, error, unusable answer)."""
        content = await self._chat.complete(self.request_body(facts))
        replies = None if content is None else parse_replies(content)
        if content is not None and replies is None:
            log.warning("reply drafter answer is not a JSON list of 2-3 short strings")
        return replies

    def _prompt(self, facts: ReplyFacts) -> str:
        lines = [f"Case: {facts.category or 'unknown'}", "Account facts:", *(f"- {f}" for f in facts.account_facts),
                 "What the AI already said:", *(f"- {t}" for t in facts.ai_tried),
                 "How similar earlier cases were resolved:", *(f"- {r}" for r in facts.resolutions),
                 "Suggestions to improve on:", *(f"- {r}" for r in facts.rules), "Transcript (last messages):"]
        kept: list[str] = []
        used = 0
        for role, text in reversed(facts.transcript):
            line = f"{_ROLE.get(role, role)}: {text}"
            if used + len(line) > self._max_transcript_chars:
                break
            kept.append(line)
            used += len(line) + 1
        return mask_pii("\n".join([*lines, *reversed(kept)]))


def parse_replies(content: str) -> tuple[str, ...] | None:
    """The replies in an answer that is a JSON list of 2-3 non-empty strings (fenced or not), else None."""
    text = content.strip()
    fenced = _FENCE.match(text)
    try:
        data = json.loads(fenced.group(1) if fenced else text)
    except ValueError:
        return None
    if not isinstance(data, list) or not 2 <= len(data) <= 3:
        return None
    if not all(isinstance(r, str) and r.strip() and len(r) <= REPLY_MAX_CHARS for r in data):
        return None
    replies = tidy_replies(data)
    return replies if len(replies) >= 2 else None
