"""Replay a whole conversation through the engine, stopping at the first handoff."""
from __future__ import annotations

from dataclasses import dataclass

from handoff.core.formats.conversations import Conversation
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.engine import DecisionContext, DecisionState, initial_state, step
from handoff.core.models import Decision


@dataclass(frozen=True)
class Replay:
    """The outcome of replaying a conversation."""

    decision: Decision
    handoff_at: int | None
    state: DecisionState


def context_for(conversation: Conversation) -> DecisionContext:
    """The decision context a conversation file implies (page, channel, account)."""
    return DecisionContext(page_url=conversation.page_url, channel=conversation.channel, account=conversation.account,
                           language=conversation.customer.language)


def replay(conversation: Conversation, settings: TriggerSettings, context: DecisionContext | None = None) -> Replay:
    """Step through the messages until the first handoff; the decision is that one or the last."""
    ctx = context or context_for(conversation)
    state = initial_state()
    decision = Decision(False)
    for message in conversation.messages:
        state, decision = step(state, message, ctx, settings)
        if decision.handoff:
            return Replay(decision, state.handoff_at, state)
    return Replay(decision, None, state)
