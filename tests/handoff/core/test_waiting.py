"""Which update a waiting customer is due, the live wait, and when a callback would be (pure rules)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from handoff.core.route.hours import Schedule, parse_weekly
from handoff.core.waiting import (
    Choice,
    UpdateKind,
    WaitingSettings,
    WaitState,
    callback_slot,
    due_update,
    live_wait_seconds,
)

S = WaitingSettings()


def state(**kw):
    base = dict(queue_position=2, expected_wait_seconds=600, waited_seconds=100, since_last_update_seconds=None,
                alternatives_offered=False)
    return WaitState(**{**base, **kw})


def test_the_defaults_follow_the_guides():
    assert (S.min_expected_wait_seconds, S.update_every_seconds, S.alternatives_after_seconds) == (120, 75, 600)


def test_a_short_wait_gets_no_updates():
    assert due_update(state(expected_wait_seconds=120, waited_seconds=500), S) is None
    assert due_update(state(expected_wait_seconds=121, waited_seconds=500), S) == UpdateKind.WAITING


def test_the_first_update_comes_an_interval_after_the_wait_began_then_one_each_interval():
    assert due_update(state(waited_seconds=74), S) is None
    assert due_update(state(waited_seconds=75), S) == UpdateKind.WAITING
    assert due_update(state(waited_seconds=200, since_last_update_seconds=74), S) is None
    assert due_update(state(waited_seconds=200, since_last_update_seconds=75), S) == UpdateKind.WAITING


def test_alternatives_once_past_ten_minutes_even_with_a_recent_update():
    assert due_update(state(waited_seconds=599, since_last_update_seconds=80), S) == UpdateKind.WAITING
    assert due_update(state(waited_seconds=600, since_last_update_seconds=5), S) == UpdateKind.ALTERNATIVES
    # offered already: back to the status updates
    assert due_update(state(waited_seconds=900, since_last_update_seconds=5, alternatives_offered=True), S) is None
    assert due_update(state(waited_seconds=900, since_last_update_seconds=80, alternatives_offered=True),
                      S) == UpdateKind.WAITING


def test_alternatives_are_offered_even_when_the_remaining_wait_is_short():
    assert due_update(state(expected_wait_seconds=60, waited_seconds=700), S) == UpdateKind.ALTERNATIVES


def test_choices_stop_what_they_should():
    keep = frozenset({Choice.KEEP_WAITING.value})
    assert due_update(state(waited_seconds=900, since_last_update_seconds=5, chosen=keep), S) is None
    assert due_update(state(waited_seconds=900, since_last_update_seconds=80, chosen=keep), S) == UpdateKind.WAITING
    email = frozenset({Choice.EMAIL.value})
    assert due_update(state(waited_seconds=900, since_last_update_seconds=800, chosen=email), S) is None


def test_settings_turn_things_off_and_are_checked():
    assert due_update(state(waited_seconds=900), WaitingSettings(enabled=False)) is None
    no_offer = WaitingSettings(alternatives=False)
    assert due_update(state(waited_seconds=900, since_last_update_seconds=5), no_offer) is None
    with pytest.raises(ValidationError):
        WaitingSettings(update_every_seconds=30)  # the guides: every 60-90 s
    with pytest.raises(ValidationError):
        WaitingSettings(update_everyseconds=75)  # a typo is an error, not ignored


def test_live_wait_moves_with_the_line_and_the_free_slots():
    assert live_wait_seconds(1, handle_seconds=600, slots=1, pickup_seconds=120) == 600
    assert live_wait_seconds(3, handle_seconds=600, slots=2, pickup_seconds=120) == 900
    assert live_wait_seconds(1, handle_seconds=60, slots=4, pickup_seconds=120) == 120  # never under the pick-up
    assert live_wait_seconds(2, handle_seconds=600, slots=0, pickup_seconds=120) == 1200  # nobody on: as one slot
    assert live_wait_seconds(None, handle_seconds=600, slots=1, pickup_seconds=120) == 120  # an agent is assigned


OFFICE = Schedule(weekly=parse_weekly({"mon-fri": "09:00-17:00"}), timezone="America/New_York")
MONDAY_10_NY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def test_a_callback_is_when_the_line_reaches_the_customer_while_the_team_is_open():
    assert callback_slot(MONDAY_10_NY, 900, OFFICE) == MONDAY_10_NY + timedelta(seconds=900)


def test_a_callback_past_closing_moves_to_the_next_opening_plus_the_delay():
    friday_1650 = datetime(2026, 3, 6, 21, 50, tzinfo=UTC)  # 16:50 in New York
    at = callback_slot(friday_1650, 1200, OFFICE, delay_minutes=15)
    assert at == datetime(2026, 3, 9, 13, 15, tzinfo=UTC)  # Monday 09:00 EDT (clocks moved) + 15 min
    with pytest.raises(ValueError):
        callback_slot(datetime(2026, 3, 2, 10, 0), 60, OFFICE)
