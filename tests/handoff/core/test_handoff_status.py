"""The handoff lifecycle: allowed moves, and what the bot is told about who owns the conversation."""
from __future__ import annotations

import pytest

from handoff.core.handoff_status import (
    TRANSITIONS,
    BotStatus,
    HandoffStatus,
    Owner,
    bot_status,
    can_move,
    movable_to,
    owner_of,
)


@pytest.mark.parametrize(("stored", "agent", "seen"), [
    ("open", None, BotStatus.QUEUED),
    ("open", "sam", BotStatus.ASSIGNED),
    ("claimed", "sam", BotStatus.CLAIMED),
    ("callback_scheduled", None, BotStatus.CALLBACK_SCHEDULED),
    ("callback_scheduled", "sam", BotStatus.CALLBACK_SCHEDULED),
    ("solved", "sam", BotStatus.SOLVED),
    ("released", None, BotStatus.RELEASED),
])
def test_stored_status_maps_to_what_the_bot_sees(stored, agent, seen):
    assert bot_status(stored, agent) is seen


def test_an_unknown_stored_status_still_reads_as_a_humans():
    assert bot_status("frozen", None) is BotStatus.QUEUED
    assert owner_of("frozen") is Owner.HUMAN


def test_only_a_released_handoff_or_none_gives_the_conversation_to_the_ai():
    assert owner_of(None) is Owner.AI
    assert owner_of("released") is Owner.AI
    for s in ("open", "claimed", "callback_scheduled", "solved"):
        assert owner_of(s) is Owner.HUMAN


def test_released_is_terminal_and_reachable_from_every_other_status():
    assert TRANSITIONS[HandoffStatus.RELEASED] == frozenset()
    assert set(movable_to(HandoffStatus.RELEASED)) == {"open", "claimed", "callback_scheduled", "solved"}
    assert not can_move("released", HandoffStatus.OPEN)


def test_moves():
    assert can_move("open", HandoffStatus.CLAIMED)
    assert can_move("callback_scheduled", HandoffStatus.OPEN)
    assert can_move("claimed", HandoffStatus.CLAIMED)  # a reassignment
    assert not can_move("solved", HandoffStatus.CLAIMED)
    assert can_move("open", HandoffStatus.CALLBACK_SCHEDULED)  # a waiting customer chose a callback
    assert not can_move("claimed", HandoffStatus.CALLBACK_SCHEDULED)
    assert set(movable_to(HandoffStatus.CALLBACK_SCHEDULED)) == {"open"}
    assert not can_move("nonsense", HandoffStatus.SOLVED)
    assert can_move("open", HandoffStatus.OPEN)  # a re-offer: another agent, still waiting


def test_solved_is_reached_no_more_a_solved_ticket_is_a_release():
    """A solved ticket hands back like a release: nothing moves to `solved`, every live status may be released."""
    assert movable_to(HandoffStatus.SOLVED) == ()
    for s in ("open", "claimed", "callback_scheduled"):
        assert not can_move(s, HandoffStatus.SOLVED)
        assert can_move(s, HandoffStatus.RELEASED)
    assert can_move("solved", HandoffStatus.RELEASED)  # a row stored solved before revision 0007


def test_the_docstring_table_names_every_stored_status():
    import handoff.core.handoff_status as module

    rows = [line.split("|")[1].strip() for line in (module.__doc__ or "").splitlines() if line.startswith("| ")]
    assert {s.value for s in HandoffStatus} <= set(rows)


def test_every_stored_status_has_a_bot_status_and_transitions():
    assert set(TRANSITIONS) == set(HandoffStatus)
    assert {bot_status(s.value, None).value for s in HandoffStatus} <= {b.value for b in BotStatus}
