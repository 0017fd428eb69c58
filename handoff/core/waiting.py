"""While a customer waits for a human: which update is due now, the live wait, and when a callback would be.

Pure: the job (jobs/waiting.py) reads the handoff, its place in line and its earlier updates from the store,
and asks `due_update`. The defaults follow the support guides: say nothing while the wait is short (the
handoff's own message already told the customer), else a short status every 60-90 s, and once, after ten
minutes, offer a way out (a callback at the next free slot or an e-mail follow-up).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from handoff.core.route.hours import Schedule, next_opening


class UpdateKind(StrEnum):
    """What a customer update says."""

    WAITING = "waiting"  # your place in line and the expected wait
    ALTERNATIVES = "alternatives"  # a callback or an e-mail instead of waiting longer
    CHOICE_CONFIRMED = "choice_confirmed"  # what the customer chose, confirmed
    WARM_INTRO = "warm_intro"  # the agent who took the conversation, introduced


class Choice(StrEnum):
    """What a customer may choose when offered alternatives."""

    CALLBACK = "callback"
    EMAIL = "email"
    KEEP_WAITING = "keep_waiting"


CHOICES: tuple[str, ...] = tuple(c.value for c in Choice)


class WaitingSettings(BaseModel):
    """`[waiting]`: when a waiting customer hears from us, and when they are offered alternatives."""

    model_config = ConfigDict(extra="forbid")
    enabled: bool = True
    # a shorter expected wait needs no updates: the handoff's own message said who is coming and when
    min_expected_wait_seconds: int = Field(120, ge=0, le=24 * 3600)
    update_every_seconds: int = Field(75, ge=60, le=90)
    alternatives: bool = True
    alternatives_after_seconds: int = Field(600, ge=60, le=24 * 3600)
    check_seconds: float = Field(15.0, gt=0, le=3600)  # how often the job looks


@dataclass(frozen=True)
class WaitState:
    """One unclaimed handoff as the job sees it now."""

    queue_position: int | None  # live place in its team's line (1 = next); None when an agent is assigned
    expected_wait_seconds: int
    waited_seconds: float  # since the handoff (or its callback firing) began the wait
    since_last_update_seconds: float | None  # None: no update yet
    alternatives_offered: bool
    chosen: frozenset[str] = frozenset()  # choices already made (Choice values)


def due_update(state: WaitState, settings: WaitingSettings) -> UpdateKind | None:
    """The update due now, if any: the alternatives once past their time, else a status at the set interval."""
    if not settings.enabled or Choice.EMAIL in state.chosen:
        return None  # an e-mail follow-up was chosen: the chat has nothing more to say while they wait
    if (settings.alternatives and not state.alternatives_offered and not state.chosen
            and state.waited_seconds >= settings.alternatives_after_seconds):
        return UpdateKind.ALTERNATIVES
    if state.expected_wait_seconds <= settings.min_expected_wait_seconds:
        return None
    # the first status comes an interval after the wait began: the handoff's message said where they stand
    quiet = state.since_last_update_seconds if state.since_last_update_seconds is not None else state.waited_seconds
    return UpdateKind.WAITING if quiet >= settings.update_every_seconds else None


def live_wait_seconds(position: int | None, *, handle_seconds: float, slots: int, pickup_seconds: int) -> int:
    """The expected wait of the `position`th in line, as routing estimates it (handoff.core.route.router._queue):
    each busy slot frees about once per handle time, so the line moves `slots` places per handle time."""
    if position is None or position < 1:
        return pickup_seconds  # an agent is already assigned: their pick-up time
    return max(pickup_seconds, round(position * handle_seconds / max(1, slots)))


def callback_slot(now: datetime, expected_wait_seconds: int, schedule: Schedule, *,
                  delay_minutes: int = 0) -> datetime:
    """When a callback would be (UTC): when the line is expected to reach the customer, or the team's next
    opening after that when the team is closed by then (the opening plus routing's callback delay)."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    reached = now.astimezone(timezone.utc) + timedelta(seconds=max(0, expected_wait_seconds))
    opening = next_opening(schedule, reached).astimezone(timezone.utc)
    return opening if opening == reached else opening + timedelta(minutes=delay_minutes)
