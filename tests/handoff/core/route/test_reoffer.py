"""Passing an unclaimed offer on, and sending a conversation back to its agent: pure, on the shipped example."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from handoff.core.route.config import RoutingSettings
from handoff.core.route.reoffer import (
    PriorHandoff,
    back_to_agent,
    fallback_team,
    next_offer,
    within_rehandoff_window,
    without,
)
from handoff.core.route.router import AgentLoad, Roster, RouteRequest, route

from .conftest import shipped_data

NY = ZoneInfo("America/New_York")
MONDAY_10AM = datetime(2026, 3, 2, 10, 0, tzinfo=NY)
SATURDAY_10AM = datetime(2026, 3, 7, 10, 0, tzinfo=NY)
AGENTS = ("sam", "priya", "lucas", "dana", "alex", "morgan")
BILLING = RouteRequest(category="billing")


@pytest.fixture(scope="module")
def settings() -> RoutingSettings:
    return RoutingSettings.model_validate(shipped_data())


def roster(**loads: tuple[bool, int]) -> Roster:
    """Everyone available and idle, except agents given as name=(available, active)."""
    return Roster(agents=tuple(AgentLoad(a, *loads.get(a, (True, 0))) for a in AGENTS))


@pytest.mark.parametrize(("offered", "agent", "team"), [
    ((), "sam", "billing"),  # nobody offered yet: what routing picks
    (("sam",), "priya", "billing"),  # the next billing agent
    (("sam", "priya"), "alex", "general"),  # billing's fallback team, its billing specialist first
    (("sam", "priya", "alex"), "lucas", "general"),
])
def test_the_next_offer_is_routings_pick_without_the_agents_offered_already(settings, offered, agent, team):
    r = next_offer(BILLING, roster(), MONDAY_10AM, settings, offered, "billing")
    assert (r.agent, r.team) == (agent, team)
    assert r.slack_user_id == next(a.slack_user_id for a in settings.agents if a.id == agent)


def test_the_same_rules_apply_capacity_availability_and_language(settings):
    # priya is away and alex full: after sam, the next free agent of the chain
    busy = roster(priya=(False, 0), alex=(True, 4))  # alex takes 4 at once
    assert next_offer(BILLING, busy, MONDAY_10AM, settings, ["sam"], "billing").agent == "lucas"
    # a Spanish speaker first: sam; without him nobody speaks Spanish, so the billing agent
    spanish = RouteRequest(category="billing", language="es")
    assert next_offer(spanish, roster(), MONDAY_10AM, settings, [], "billing").agent == "sam"
    assert next_offer(spanish, roster(), MONDAY_10AM, settings, ["sam"], "billing").agent == "priya"
    # a French technical case: lucas speaks French; without him dana, who does not
    french = RouteRequest(category="technical", language="fr")
    assert next_offer(french, roster(), MONDAY_10AM, settings, ["lucas"], "technical").agent == "dana"


def test_an_enterprise_account_keeps_the_senior_team_first(settings):
    vip = RouteRequest(category="billing", tier="enterprise")
    first = route(vip, roster(), MONDAY_10AM, settings)
    again = next_offer(vip, roster(), MONDAY_10AM, settings, [first.agent or ""], first.team)
    assert again.agent not in (None, first.agent)


def test_with_nobody_left_the_offer_goes_to_the_fallback_team_unassigned(settings):
    everyone = ["sam", "priya", "alex", "lucas", "dana", "morgan"]
    r = next_offer(BILLING, roster(), MONDAY_10AM, settings, everyone, "billing")
    general = settings.team_map["general"]
    assert (r.agent, r.team, r.zendesk_assignee_id, r.slack_user_id) == (None, "general", None, None)
    assert r.zendesk_group_id == general.zendesk_group_id and r.slack_channel == general.slack_channel
    assert r.on_shift and r.callback_at is None and "nobody left" in (r.fallback_reason or "")
    # the default team has no fallback: it stays there
    assert next_offer(RouteRequest(), roster(), MONDAY_10AM, settings, everyone, "general").team == "general"


def test_nobody_on_shift_still_means_the_fallback_teams_queue_not_a_callback(settings):
    r = next_offer(BILLING, roster(), SATURDAY_10AM, settings, ["sam"], "billing")
    assert r.agent is None and r.team == "general" and r.callback_at is None and r.on_shift


def test_fallback_team_is_the_teams_fallback_else_the_default(settings):
    assert fallback_team("billing", settings) == "general"
    assert fallback_team("general", settings) == settings.default_team
    assert fallback_team("no-such-team", settings) == settings.default_team


def test_without_marks_the_agents_unavailable_even_when_the_roster_assumes_everyone_is():
    r = without(Roster(assume_available=True), ["sam"])
    assert r.load("sam") == AgentLoad("sam", available=False)
    assert r.load("priya") == AgentLoad("priya")


@pytest.mark.parametrize(("minutes_ago", "window", "inside"), [
    (0, 60, True), (59, 60, True), (60, 60, True), (61, 60, False), (5, 0, False),
])
def test_the_rehandoff_window(minutes_ago, window, inside):
    now = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
    prior = PriorHandoff("h_1", "sam", "billing", 42, now - timedelta(minutes=minutes_ago))
    assert within_rehandoff_window(prior, now, window) is inside


def test_no_prior_or_no_release_time_is_never_inside_the_window():
    now = datetime(2026, 3, 2, 15, 0, tzinfo=timezone.utc)
    assert not within_rehandoff_window(None, now, 60)
    assert not within_rehandoff_window(PriorHandoff("h_1", "sam", "billing", 42, None), now, 60)


def test_back_to_the_agent_who_had_it_even_at_capacity(settings):
    full = roster(sam=(True, settings.max_concurrent))
    r = back_to_agent(BILLING, full, MONDAY_10AM, settings, "sam", "billing")
    assert r is not None and (r.agent, r.team, r.queue_position) == ("sam", "billing", 0)
    assert r.zendesk_assignee_id == next(a.zendesk_user_id for a in settings.agents if a.id == "sam")
    assert "Sam" in r.customer_message


def test_back_to_an_agent_in_their_own_team_when_the_handoffs_team_is_not_theirs(settings):
    r = back_to_agent(BILLING, roster(), MONDAY_10AM, settings, "lucas", "billing")
    assert r is not None and r.team in ("technical", "general")


@pytest.mark.parametrize(("who", "loads", "at"), [
    ("sam", {"sam": (False, 0)}, MONDAY_10AM),  # away
    ("sam", {}, SATURDAY_10AM),  # off shift
    ("nobody", {}, MONDAY_10AM),  # no longer in settings
])
def test_no_way_back_to_an_agent_away_off_shift_or_gone(settings, who, loads, at):
    assert back_to_agent(BILLING, roster(**loads), at, settings, who, "billing") is None
