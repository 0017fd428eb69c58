"""A handoff's lifecycle: the statuses it is stored with, the moves allowed between them, and what the bot sees.

Pure: no I/O, no clock. The store keeps `HandoffStatus`; the bot is told who owns the conversation
(`owner`) and, while a human does, a `BotStatus` that says how far the human side has got:

| stored                | agent set | bot sees             | owner |
|-----------------------|-----------|----------------------|-------|
| open                  | no        | queued               | human |
| open                  | yes       | assigned             | human |
| claimed               | -         | claimed              | human |
| callback_scheduled    | -         | callback_scheduled   | human |
| solved                | -         | solved               | human |
| released              | -         | released             | ai    |

`solved` is not in DESIGN.md's list: a solved handoff is still the human's (a customer who writes again
reopens the ticket in Zendesk, so the bot must stay quiet), and saying `claimed` would be untrue.
"""
from __future__ import annotations

from enum import StrEnum


class HandoffStatus(StrEnum):
    """A handoff's stored status."""

    OPEN = "open"
    CLAIMED = "claimed"
    CALLBACK_SCHEDULED = "callback_scheduled"
    SOLVED = "solved"
    RELEASED = "released"


class BotStatus(StrEnum):
    """The status the bot is told in every answer of a conversation a human owns."""

    QUEUED = "queued"
    ASSIGNED = "assigned"
    CLAIMED = "claimed"
    CALLBACK_SCHEDULED = "callback_scheduled"
    SOLVED = "solved"
    RELEASED = "released"


class Owner(StrEnum):
    """Who answers the customer: the AI, or a human (then the bot stays quiet)."""

    AI = "ai"
    HUMAN = "human"


_S = HandoffStatus
# Claimed → claimed is a reassignment (Zendesk assignee changed); released is terminal: the conversation
# is the AI's again and a later handoff is a new one.
TRANSITIONS: dict[HandoffStatus, frozenset[HandoffStatus]] = {
    # open → callback_scheduled: a waiting customer chose a callback instead (handoff.app.choices)
    _S.OPEN: frozenset({_S.CLAIMED, _S.CALLBACK_SCHEDULED, _S.SOLVED, _S.RELEASED}),
    _S.CALLBACK_SCHEDULED: frozenset({_S.OPEN, _S.CLAIMED, _S.SOLVED, _S.RELEASED}),
    _S.CLAIMED: frozenset({_S.CLAIMED, _S.SOLVED, _S.RELEASED}),
    _S.SOLVED: frozenset({_S.RELEASED}),
    _S.RELEASED: frozenset(),
}


# still waiting for a human to take it: what a claim may move on from
WAITING: tuple[HandoffStatus, ...] = (_S.OPEN, _S.CALLBACK_SCHEDULED)


def can_move(current: str, target: HandoffStatus) -> bool:
    """Whether a handoff in `current` may move to `target` (an unknown stored status may not move)."""
    try:
        return target in TRANSITIONS[HandoffStatus(current)]
    except ValueError:
        return False


def movable_to(target: HandoffStatus) -> tuple[str, ...]:
    """The stored statuses from which `target` may be reached (for a conditional UPDATE's WHERE)."""
    return tuple(s.value for s, allowed in TRANSITIONS.items() if target in allowed)


def bot_status(status: str, agent: str | None) -> BotStatus:
    """What the bot is told for a stored status; an unknown stored status reads as queued (still a human's)."""
    if status == _S.OPEN:
        return BotStatus.ASSIGNED if agent else BotStatus.QUEUED
    try:
        return BotStatus(HandoffStatus(status).value)
    except ValueError:
        return BotStatus.QUEUED


def owner_of(status: str | None) -> Owner:
    """Who owns a conversation whose handoff has `status` (None: no handoff, the AI's)."""
    return Owner.AI if status is None or status == _S.RELEASED else Owner.HUMAN
