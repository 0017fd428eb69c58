"""What a turn's database step hands on to the rest of the turn (handoff.app.turns): a handoff still to package,
a doubt to put to the second opinion, the opinion heard, or deliveries to send."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handoff.core.decide import DecisionContext, DecisionState
from handoff.core.decide.second_opinion import Doubt, Verdict
from handoff.core.models import Customer, Decision, Message
from handoff.storage.tables import ConversationRow


@dataclass(frozen=True)
class Undecided:
    """A turn loaded and decided in the database thread that still needs the slow path (a handoff)."""

    conv: ConversationRow | None
    message: Message
    customer: Customer
    page_url: str | None
    ticket_id: int | None
    state: DecisionState | None = None
    new_state: DecisionState | None = None
    context: DecisionContext | None = None
    decision: Decision | None = None
    opinion: Verdict | None = None  # the second opinion heard on this turn
    messaging_id: str | None = None  # the conversation's place in Zendesk messaging (app/messaging.py)


@dataclass(frozen=True)
class Doubtful:
    """A turn the engine is in doubt about: ask the second opinion, then decide the turn again with it."""

    doubt: Doubt
    customer_texts: tuple[str, ...]


@dataclass(frozen=True)
class Asked:
    """The second opinion was asked on this turn (`verdict` None: no usable answer in time)."""

    verdict: Verdict | None


@dataclass(frozen=True)
class Forwarded:
    """A turn stored with deliveries to send (a customer's message after the handoff)."""

    response: dict[str, Any]
