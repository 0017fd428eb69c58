"""A big conversation for tests: 1,500 AI replies of 30 KB between short customer questions (45 MB), stored
in bulk as the turn service would have stored it turn by turn (rows, and the decision state replayed by the
real engine), in a few seconds instead of the minute 3,000 HTTP turns take."""
from __future__ import annotations

import functools
import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from handoff.core.decide import DecisionContext, initial_state, step
from handoff.core.decide.config import TriggerSettings
from handoff.core.models import Message
from handoff.storage.tables import ConversationRow, MessageRow

AI_TURNS = 1500
AI_CHARS = 30_000
HANDOFF_TEXT = "This is not working for me, I want to talk to a real person please."

# Neutral words: no trigger phrase (hedging, frustration, categories) can be built from them.
_WORDS = (
    "open the reports page and choose the dashboard then select export and pick the format you need "
    "each widget keeps its own filters so check the date range before sharing with your team members "
    "scheduled exports run every morning at the time set in workspace preferences under notifications "
    "large tables are split into pages of five hundred rows and every page arrives as a separate file "
    "charts render as images in the pdf version while tables stay as text so they remain searchable"
).split()
_TOPICS = ("export", "dashboard", "widget", "schedule", "filter", "table", "chart", "report", "page", "column",
           "layout", "theme", "label", "legend", "axis", "preset", "folder", "tag", "view", "panel")


def _sentences(rng: random.Random, count: int = 400) -> list[str]:
    out = []
    for _ in range(count):
        words = [rng.choice(_WORDS) for _ in range(rng.randint(8, 20))]
        out.append(" ".join(words).capitalize() + ".")
    return out


def ai_text(rng: random.Random, n: int, chars: int = AI_CHARS, sentences: list[str] | None = None) -> str:
    """An AI reply of `chars` characters, different from every other one (no loop trigger)."""
    pool = sentences or _sentences(rng)
    head = f"Answer {n}: here is how the {rng.choice(_TOPICS)} {rng.choice(_TOPICS)} setting works. "
    parts: list[str] = [head]
    size = len(head)
    while size < chars:
        batch = rng.sample(pool, 40)
        parts.extend(batch)
        size += sum(len(p) + 1 for p in batch)
    return " ".join(parts)[: chars - 1].rstrip() + "."


def customer_text(n: int) -> str:
    """A short neutral customer question, different each time."""
    return (f"Thanks. Next question {n}: how does the {_TOPICS[n % 20]} option relate to the "
            f"{_TOPICS[(n * 7 + 3) % 20]} one?")


@functools.lru_cache(maxsize=4)
def conversation(ai_turns: int = AI_TURNS, ai_chars: int = AI_CHARS, seed: int = 12) -> tuple[Message, ...]:
    """A greeting, then AI replies and customer questions alternating; no trigger fires on any of them."""
    rng = random.Random(seed)
    pool = _sentences(rng)
    out = [Message("customer", "Hello, I have a few questions about exporting reports.", 0)]
    for n in range(ai_turns):
        out.append(Message("ai", ai_text(rng, n, ai_chars, pool), len(out), confidence=0.95))
        out.append(Message("customer", customer_text(n), len(out)))
    return tuple(out)


@functools.lru_cache(maxsize=8)
def _state_after(messages: tuple[Message, ...], triggers_json: str) -> dict:  # type: ignore[type-arg]
    triggers = TriggerSettings.model_validate_json(triggers_json)
    state = initial_state()
    context = DecisionContext()
    for m in messages:
        state, decision = step(state, m, context, triggers)
        assert not decision.handoff, f"message {m.index} would hand off: {decision.reasons}"
    return state.to_json()


def store_conversation(sessions: sessionmaker[Session], cid: str, messages: tuple[Message, ...],
                       triggers: TriggerSettings, *, email: str = "big@example.com") -> None:
    """Store `messages` as conversation `cid`, with the engine's state after them; fails if one hands off."""
    state = _state_after(tuple(messages), triggers.model_dump_json())
    start = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    rows = [
        {"conversation_id": cid, "idx": m.index, "message_id": None, "role": m.role, "text": m.text,
         "sent_at": None, "received_at": start + timedelta(seconds=m.index), "confidence": m.confidence,
         "page_url": None, "extra": {"kb_articles": [], "ai_actions": []},
         "response": {"decision": "continue", "message_index": m.index, "category": None}}
        for m in messages
    ]
    with sessions() as s:
        s.add(ConversationRow(id=cid, created_at=start, updated_at=start, version=len(messages),
                              customer={"email": email, "name": "Bea Big"}, state=state,
                              message_count=len(messages)))
        s.flush()
        for at in range(0, len(rows), 200):
            s.execute(insert(MessageRow), rows[at:at + 200])
        s.commit()
