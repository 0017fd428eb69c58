"""A handoff's lifecycle: the statuses it is stored with, the moves allowed between them, and what the bot sees.

Pure: no I/O, no clock. The store keeps `HandoffStatus`; the bot is told who owns the conversation
(`owner`) and, while a human does, a `BotStatus` that says how far the human side has got:

| stored                | agent set | bot sees             | owner | how it gets there                          |
|-----------------------|-----------|----------------------|-------|--------------------------------------------|
| open                  | no        | queued               | human | routed to a queue, or re-offered when      |
|                       |           |                      |       | nobody was left but the fallback team      |
| open                  | yes       | assigned             | human | routed, or re-offered, to an agent         |
| claimed               | -         | claimed              | human | an agent claimed it (Slack, Zendesk)       |
| callback_scheduled    | -         | callback_scheduled   | human | nobody on shift: a callback at the opening;|
|                       |           |                      |       | or a waiting customer chose a callback     |
| solved                | -         | solved               | human | only rows stored before revision 0007      |
| released              | -         | released             | ai    | handed back: released (API, Slack) or the  |
|                       |           |                      |       | ticket solved in Zendesk (`solved_at` set) |

A solved ticket hands the conversation back to the AI exactly as a release does (handoff.app.release.
hand_back_in): the handoff is stored `released` and keeps its `solved_at`, which is what the quality
metrics count as solved. `solved` is no longer reached; rows stored with it before stay the human's
(a customer who wrote again reopened the ticket) and may still be released. Re-offering an unclaimed
handoff keeps it `open` and changes only its agent (or, with nobody left, its team).
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
# Open → open is a re-offer, claimed → claimed a reassignment (Zendesk assignee changed); released is terminal:
# the conversation is the AI's again and a later handoff is a new one (within the re-handoff window, one that
# reopens the same ticket for the same agent). Solved is reached no more: a solved ticket is a release.
TRANSITIONS: dict[HandoffStatus, frozenset[HandoffStatus]] = {
    # open → callback_scheduled: a waiting customer chose a callback instead (handoff.app.choices)
    _S.OPEN: frozenset({_S.OPEN, _S.CLAIMED, _S.CALLBACK_SCHEDULED, _S.RELEASED}),
    _S.CALLBACK_SCHEDULED: frozenset({_S.OPEN, _S.CLAIMED, _S.RELEASED}),
    _S.CLAIMED: frozenset({_S.CLAIMED, _S.RELEASED}),
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
