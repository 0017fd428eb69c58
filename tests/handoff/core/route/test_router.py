"""Routing rules, one table per concern, on the shipped SaaS example unless a test says otherwise."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from handoff.core.route.config import RoutingSettings
from handoff.core.route.router import AgentLoad, Roster, RouteRequest, final_priority, route

from .conftest import shipped_data

NY = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
UTC = timezone.utc
MONDAY_10AM = datetime(2026, 3, 2, 10, 0, tzinfo=NY)
AGENTS = ("sam", "priya", "lucas", "dana", "alex", "morgan")


def roster(queued: dict[str, int] | None = None, handle: dict[str, float] | None = None, **loads: Any) -> Roster:
    """Everyone available and idle, except agents given as name=(available, active)."""
    agents = tuple(AgentLoad(a, *loads.get(a, (True, 0))) for a in AGENTS)
    return Roster(agents=agents, queued=queued or {}, handle_seconds=handle or {})


def settings_with(**changes: Any) -> RoutingSettings:
    """The shipped example with top-level keys replaced."""
    data = shipped_data()
    data.update(changes)
    return RoutingSettings.model_validate(data)


def berlin_technical() -> RoutingSettings:
    """The shipped example with the technical team in Berlin, 09:00-17:00 on weekdays, German holidays."""
    data = shipped_data()
    data["schedules"]["berlin"] = {"timezone": "Europe/Berlin", "weekly": {"weekdays": "09:00-17:00"}, "holidays": "DE"}
    next(t for t in data["teams"] if t["name"] == "technical")["hours"] = "berlin"
    return RoutingSettings.model_validate(data)


@pytest.mark.parametrize(
    ("category", "team", "agent"),
    [
        ("billing_dispute", "billing", "sam"),
        ("billing", "billing", "sam"),
        ("fraud", "billing", "sam"),
        ("cancellation", "billing", "sam"),
        ("account_security", "security", "dana"),
        ("legal", "security", "dana"),
        ("data_privacy", "security", "dana"),
        ("enterprise_contract", "enterprise", "morgan"),
        ("technical", "technical", "lucas"),
        ("frustration", "general", "sam"),
        ("explicit_request", "general", "sam"),
        (None, "general", "sam"),
        ("made_up_category", "general", "sam"),
    ],
)
def test_category_picks_the_team_by_skill(shipped: RoutingSettings, category: str | None, team: str, agent: str) -> None:
    r = route(RouteRequest(category=category), roster(), MONDAY_10AM, shipped)
    assert (r.team, r.agent, r.on_shift, r.fallback_reason) == (team, agent, True, None)


def test_unknown_category_says_why(shipped: RoutingSettings) -> None:
    r = route(RouteRequest(category="made_up_category"), roster(), MONDAY_10AM, shipped)
    assert r.reasons[0] == "unknown category 'made_up_category': default team general"


def test_assigned_route_carries_delivery_ids_wait_and_message(shipped: RoutingSettings) -> None:
    r = route(RouteRequest(category="billing_dispute", customer_name="Ana"), roster(), MONDAY_10AM, shipped)
    assert (r.agent, r.agent_name, r.queue_position, r.expected_wait_seconds) == ("sam", "Sam Rivera", 0, 120)
    assert (r.zendesk_group_id, r.zendesk_assignee_id) == (360001000002, 421000000001)
    assert (r.slack_channel, r.slack_user_id) == ("C0BILLING01", "U0AGENT01")
    assert r.callback_at is None and r.priority == "normal"
    assert r.customer_message == (
        "Thanks, Ana. I'm bringing in Sam from our billing team; they'll be with you in about 2 minutes. "
        "They can see our whole conversation, so you won't need to repeat anything."
    )


@pytest.mark.parametrize(
    ("category", "loads", "agent"),
    [
        ("billing", {}, "sam"),  # equal load: order in settings
        ("billing", {"sam": (True, 1)}, "priya"),  # lighter load wins
        ("billing", {"sam": (True, 1), "priya": (True, 1)}, "sam"),
        ("billing", {"sam": (True, 2), "priya": (True, 1)}, "priya"),
        ("frustration", {"sam": (True, 3), "alex": (True, 2), "lucas": (True, 1)}, "lucas"),  # 1/3 beats 2/4
        ("frustration", {"sam": (True, 3), "alex": (True, 1), "lucas": (True, 1)}, "alex"),  # 1/4 beats 1/3
    ],
)
def test_ties_go_to_the_lightest_load_then_settings_order(
    shipped: RoutingSettings, category: str, loads: dict[str, tuple[bool, int]], agent: str
) -> None:
    assert route(RouteRequest(category=category), roster(**loads), MONDAY_10AM, shipped).agent == agent


@pytest.mark.parametrize(
    ("loads", "agent", "fallback"),
    [
        # Specialists full: the broader team, and there the person with the billing skill first.
        ({"sam": (True, 3), "priya": (True, 3)}, "alex", "billing agents are all at capacity; routed to general"),
        ({"sam": (False, 0), "priya": (False, 0)}, "alex", "no billing agent is available; routed to general"),
        ({"sam": (True, 3), "priya": (False, 0), "alex": (True, 4)}, "lucas",
         "billing agents are all at capacity; routed to general"),
        ({"sam": (True, 2)}, "priya", None),  # under capacity still counts
        ({"alex": (True, 3), "sam": (True, 3), "priya": (True, 3)}, "alex", "billing agents are all at capacity; routed to general"),
    ],
)
def test_full_or_away_specialists_fall_back_to_the_broader_team(
    shipped: RoutingSettings, loads: dict[str, tuple[bool, int]], agent: str, fallback: str | None
) -> None:
    r = route(RouteRequest(category="billing_dispute"), roster(**loads), MONDAY_10AM, shipped)
    assert (r.agent, r.fallback_reason) == (agent, fallback)
    assert r.team == ("billing" if fallback is None else "general")


def test_everyone_full_queues_with_position_and_wait(shipped: RoutingSettings) -> None:
    full = {a: (True, 4) for a in AGENTS}
    r = route(RouteRequest(category="billing"), roster(queued={"billing": 2}, handle={"billing": 900}, **full),
              MONDAY_10AM, shipped)
    # 2 ahead + this one, 900 s each, over 6 slots (sam 3 + priya 3).
    assert (r.team, r.agent, r.queue_position, r.expected_wait_seconds, r.on_shift) == ("billing", None, 3, 450, True)
    assert r.fallback_reason is None and r.callback_at is None
    assert "number 3 in line" in r.customer_message and "about 8 minutes" in r.customer_message
    assert r.zendesk_group_id == 360001000002 and r.zendesk_assignee_id is None


def test_queue_counts_only_equal_or_higher_priorities_ahead(shipped: RoutingSettings) -> None:
    full = {a: (True, 4) for a in AGENTS}
    base = roster(**full)
    r_low = Roster(agents=base.agents, queued_by_priority={"billing": {"normal": 4, "high": 1}})
    high = route(RouteRequest(category="billing", priority="high"), r_low, MONDAY_10AM, shipped)
    normal = route(RouteRequest(category="billing"), r_low, MONDAY_10AM, shipped)
    assert (high.queue_position, normal.queue_position) == (2, 6)


def test_open_team_with_nobody_available_queues_with_the_default_handle_time(shipped: RoutingSettings) -> None:
    away = {a: (False, 0) for a in AGENTS}
    r = route(RouteRequest(category="billing"), roster(**away), MONDAY_10AM, shipped)
    assert (r.team, r.queue_position, r.expected_wait_seconds, r.on_shift) == ("billing", 1, 600, True)


def test_wait_is_never_shorter_than_the_pickup_time(shipped: RoutingSettings) -> None:
    full = {a: (True, 4) for a in AGENTS}
    r = route(RouteRequest(category="billing"), roster(handle={"billing": 60}, **full), MONDAY_10AM, shipped)
    assert r.expected_wait_seconds == shipped.pickup_seconds


def test_missing_roster_entries_are_unavailable_unless_assumed(shipped: RoutingSettings) -> None:
    req = RouteRequest(category="billing")
    assert route(req, Roster(), MONDAY_10AM, shipped).agent is None
    assert route(req, Roster(assume_available=True), MONDAY_10AM, shipped).agent == "sam"


@pytest.mark.parametrize(
    ("language", "loads", "agent", "team", "fallback", "reason", "opening"),
    [
        ("es", {}, "sam", "billing", None, "speaks es", "Gracias, Ana. Te paso con Sam, de nuestro equipo de facturación"),
        ("es-MX", {"sam": (True, 3)}, "priya", "billing", None, "nobody free speaks es", "Gracias, Ana. Te paso con Priya"),
        ("fr", {}, "lucas", "general", "no billing agent free speaks fr; routed to general", "speaks fr",
         "Merci, Ana. Je fais appel à Lucas, de notre équipe support"),
        ("ja", {}, "sam", "billing", None, "nobody free speaks ja", "Thanks, Ana. I'm bringing in Sam"),
        ("pt-BR", {}, "sam", "billing", None, "nobody free speaks pt", "Obrigado, Ana. Vou chamar Sam, da nossa equipe de faturamento"),
        ("de", {}, "sam", "billing", None, "nobody free speaks de", "Danke, Ana. Ich hole Sam aus unserem Abrechnungs-Team dazu"),
    ],
)
def test_language(
    shipped: RoutingSettings, language: str, loads: dict[str, tuple[bool, int]], agent: str, team: str,
    fallback: str | None, reason: str, opening: str,
) -> None:
    r = route(RouteRequest(category="billing_dispute", language=language, customer_name="Ana"), roster(**loads),
              MONDAY_10AM, shipped)
    assert (r.agent, r.team, r.fallback_reason) == (agent, team, fallback)
    assert reason in r.reasons
    assert r.customer_message.startswith(opening)


@pytest.mark.parametrize(("language", "loads", "said"), [
    ("es", {"sam": (True, 3)}, "Priya te escribirá en inglés."),  # Sam (es) is full: Priya speaks English only
    ("de", {}, "Sam schreibt Ihnen auf Englisch."),  # nobody speaks German
])
def test_an_agent_who_does_not_speak_the_customers_language_is_announced_as_such(
    shipped: RoutingSettings, language: str, loads: dict[str, tuple[bool, int]], said: str,
) -> None:
    r = route(RouteRequest(category="billing_dispute", language=language, customer_name="Ana"), roster(**loads),
              MONDAY_10AM, shipped)
    assert r.customer_message.endswith(said)


def test_an_agent_who_speaks_the_customers_language_needs_no_note(shipped: RoutingSettings) -> None:
    r = route(RouteRequest(category="billing_dispute", language="es", customer_name="Ana"), roster(), MONDAY_10AM, shipped)
    assert r.agent == "sam" and r.customer_message.endswith("no tendrás que repetir nada.")


def test_language_after_team_keeps_the_specialist() -> None:
    s = settings_with(language_before_team=False)
    r = route(RouteRequest(category="billing_dispute", language="fr"), roster(), MONDAY_10AM, s)
    assert (r.agent, r.team) == ("sam", "billing")
    assert "nobody free speaks fr" in r.reasons


@pytest.mark.parametrize(
    ("tier", "category", "owner", "loads", "agent", "team", "fallback"),
    [
        ("enterprise", "billing_dispute", None, {}, "sam", "billing", None),
        ("enterprise", "billing_dispute", None, {"sam": (True, 3)}, "morgan", "enterprise",
         "no senior billing agent free; routed to enterprise"),
        ("enterprise", "billing_dispute", None, {"sam": (True, 3), "morgan": (True, 2)}, "priya", "billing", None),
        ("enterprise", "frustration", None, {}, "morgan", "enterprise", None),  # general question: senior team first
        ("vip", "frustration", "lucas.martin@example.com", {}, "lucas", "general", None),
        ("vip", "frustration", "Morgan.Lee@Example.com", {}, "morgan", "enterprise", None),
        ("vip", "billing_dispute", "dana.kim@example.com", {}, "dana", "security", None),  # owner outside the chain
        ("vip", "frustration", "morgan.lee@example.com", {"morgan": (True, 2)}, "sam", "general",
         "enterprise agents are all at capacity; routed to general"),
        ("pro", "billing_dispute", "lucas.martin@example.com", {}, "sam", "billing", None),  # owner only for senior tiers
        ("vip", "frustration", "nobody@example.com", {}, "morgan", "enterprise", None),
    ],
)
def test_tier_and_account_owner(
    shipped: RoutingSettings, tier: str, category: str, owner: str | None, loads: dict[str, tuple[bool, int]],
    agent: str, team: str, fallback: str | None,
) -> None:
    r = route(RouteRequest(category=category, tier=tier, owner_email=owner), roster(**loads), MONDAY_10AM, shipped)
    assert (r.agent, r.team, r.fallback_reason) == (agent, team, fallback)


def test_vip_owner_reasons_and_priority(shipped: RoutingSettings) -> None:
    r = route(RouteRequest(category="frustration", tier="vip", owner_email="morgan.lee@example.com"),
              roster(morgan=(True, 2)), MONDAY_10AM, shipped)
    assert "account owner Morgan Lee is not free" in r.reasons
    assert "vip account: senior agent" in r.reasons
    assert r.priority == "high" and "priority high: vip tier" in r.reasons


def test_final_priority_matches_the_route(shipped: RoutingSettings) -> None:
    req = RouteRequest(category="fraud", tier="enterprise", sentiment=-0.8)
    assert final_priority(req, shipped) == "urgent"
    assert route(req, roster(), MONDAY_10AM, shipped).priority == "urgent"


@pytest.mark.parametrize(
    ("now", "agent", "team", "fallback"),
    [
        (datetime(2026, 3, 2, 10, 0, tzinfo=NY), "lucas", "technical", None),  # 16:00 in Berlin
        # 18:00 in Berlin: the technical team is off; Lucas still works for general in New York.
        (datetime(2026, 3, 2, 12, 0, tzinfo=NY), "lucas", "general", "technical is off shift; routed to general"),
    ],
)
def test_team_in_another_time_zone(now: datetime, agent: str, team: str, fallback: str | None) -> None:
    r = route(RouteRequest(category="technical"), roster(), now, berlin_technical())
    assert (r.agent, r.team, r.fallback_reason) == (agent, team, fallback)


def test_callback_goes_to_the_team_that_opens_first() -> None:
    # 02:00 in New York is 08:00 in Berlin: technical opens at 09:00 CET, before general.
    r = route(RouteRequest(category="technical"), roster(), datetime(2026, 3, 2, 2, 0, tzinfo=NY), berlin_technical())
    assert (r.team, r.on_shift, r.agent) == ("technical", False, None)
    assert r.callback_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert r.callback_at.tzinfo == BERLIN
    assert "get back to you today at 9:00 AM CET" in r.customer_message


@pytest.mark.parametrize(
    ("now", "callback_utc", "when"),
    [
        # Friday evening to Monday morning across the US spring-forward weekend.
        (datetime(2026, 3, 6, 19, 0, tzinfo=NY), datetime(2026, 3, 9, 13, 0, tzinfo=UTC), "on Monday at 9:00 AM EDT"),
        # Saturday of the same weekend.
        (datetime(2026, 3, 7, 12, 0, tzinfo=NY), datetime(2026, 3, 9, 13, 0, tzinfo=UTC), "on Monday at 9:00 AM EDT"),
        # US fall-back weekend.
        (datetime(2026, 10, 30, 18, 30, tzinfo=NY), datetime(2026, 11, 2, 14, 0, tzinfo=UTC), "on Monday at 9:00 AM EST"),
        # Thanksgiving: Friday.
        (datetime(2026, 11, 25, 19, 0, tzinfo=NY), datetime(2026, 11, 27, 14, 0, tzinfo=UTC), "on Friday at 9:00 AM EST"),
        # Closed 24th (settings), Christmas (US): the Monday after.
        (datetime(2026, 12, 23, 18, 5, tzinfo=NY), datetime(2026, 12, 28, 14, 0, tzinfo=UTC), "on Monday at 9:00 AM EST"),
        # Before opening on a weekday: today.
        (datetime(2026, 3, 3, 7, 0, tzinfo=NY), datetime(2026, 3, 3, 14, 0, tzinfo=UTC), "today at 9:00 AM EST"),
        # After closing on a weekday: tomorrow.
        (datetime(2026, 3, 3, 18, 0, tzinfo=NY), datetime(2026, 3, 4, 14, 0, tzinfo=UTC), "tomorrow at 9:00 AM EST"),
    ],
)
def test_off_hours_plans_a_callback_at_the_next_opening(
    shipped: RoutingSettings, now: datetime, callback_utc: datetime, when: str
) -> None:
    r = route(RouteRequest(category="billing_dispute", customer_name="Ana"), roster(queued={"billing": 4}), now, shipped)
    assert (r.team, r.agent, r.on_shift, r.fallback_reason) == ("billing", None, False, None)
    assert r.callback_at == callback_utc
    assert r.callback_at.tzinfo == NY and r.callback_at.hour == 9
    assert r.queue_position == 5
    assert r.expected_wait_seconds == int((callback_utc - now).total_seconds())
    assert r.zendesk_group_id == 360001000002 and r.slack_channel == "C0BILLING01"
    assert r.customer_message == (
        "Thanks, Ana. Our billing team is offline right now, so I've passed everything to them and they'll get back "
        f"to you {when}. They'll see our whole conversation, so you won't need to repeat anything."
    )


@pytest.mark.parametrize(
    ("language", "zone", "when"),
    [
        ("en", "Europe/London", "on Monday at 1:00 PM GMT"),
        ("fr", "Europe/Paris", "lundi à 14:00 (CET)"),
        ("es", "America/Mexico_City", "el lunes a las 07:00 (CST)"),
        ("en", "Mars/Olympus_Mons", "on Monday at 9:00 AM EDT"),  # unknown zone: the team's
        ("en", None, "on Monday at 9:00 AM EDT"),
    ],
)
def test_callback_time_in_the_customers_zone(shipped: RoutingSettings, language: str, zone: str | None, when: str) -> None:
    req = RouteRequest(category="billing", language=language, customer_timezone=zone)
    r = route(req, roster(), datetime(2026, 3, 6, 19, 0, tzinfo=NY), shipped)
    assert when in r.customer_message


def test_eu_daylight_saving_weekend() -> None:
    s = RoutingSettings.model_validate({
        "schedules": {"eu": {"timezone": "Europe/Berlin", "weekly": {"mon-fri": "09:00-17:00"}, "holidays": "DE"}},
        "default_hours": "eu",
        "teams": [{"name": "general"}],
        "agents": [{"id": "jonas", "name": "Jonas Weber", "teams": ["general"], "languages": ["de", "en"]}],
    })
    now = datetime(2026, 3, 27, 17, 30, tzinfo=BERLIN)  # Friday; clocks go forward on Sunday the 29th
    r = route(RouteRequest(language="de", customer_timezone="America/New_York"), Roster(assume_available=True), now, s)
    assert r.callback_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert "am Montag um 03:00 Uhr (EDT)" in r.customer_message
    monday = route(RouteRequest(language="de"), Roster(assume_available=True), datetime(2026, 3, 30, 7, 0, tzinfo=UTC), s)
    assert (monday.agent, monday.on_shift) == ("jonas", True)


def test_callback_delay_is_added() -> None:
    s = settings_with(callback_delay_minutes=15)
    r = route(RouteRequest(category="billing"), roster(), datetime(2026, 3, 6, 19, 0, tzinfo=NY), s)
    assert r.callback_at == datetime(2026, 3, 9, 9, 15, tzinfo=NY)
    assert "9:15 AM EDT" in r.customer_message


def test_personal_hours_keep_an_agent_on_shift_after_the_team_closes() -> None:
    data = shipped_data()
    data["schedules"]["late"] = {"timezone": "America/Los_Angeles", "weekly": {"mon-fri": "09:00-18:00"}}
    next(a for a in data["agents"] if a["id"] == "priya")["hours"] = "late"
    s = RoutingSettings.model_validate(data)
    r = route(RouteRequest(category="billing"), roster(), datetime(2026, 3, 2, 19, 0, tzinfo=NY), s)  # 16:00 in LA
    assert (r.agent, r.on_shift) == ("priya", True)
    early = route(RouteRequest(category="billing"), roster(), datetime(2026, 3, 2, 10, 0, tzinfo=NY), s)  # 07:00 in LA
    assert early.agent == "sam"


def test_always_open_default_settings_route_to_the_default_team() -> None:
    s = RoutingSettings.model_validate({"agents": [{"id": "a1", "name": "Ari", "teams": ["general"]}]})
    sunday_3am = datetime(2026, 3, 8, 3, 0, tzinfo=UTC)
    r = route(RouteRequest(category="billing_dispute"), Roster(assume_available=True), sunday_3am, s)
    assert (r.team, r.agent) == ("general", "a1")
    assert r.reasons[0] == "no team offers skill 'billing': default team general"


def test_pickup_time_is_configurable() -> None:
    s = settings_with(pickup_seconds=45)
    r = route(RouteRequest(category="billing"), roster(), MONDAY_10AM, s)
    assert r.expected_wait_seconds == 45 and "about 1 minute." in r.customer_message


def test_overridden_template_is_used() -> None:
    data = shipped_data()
    data["messages"]["en"] = {"assigned": "{agent_name} ({team}) will join in {wait}."}
    r = route(RouteRequest(category="billing"), roster(), MONDAY_10AM, RoutingSettings.model_validate(data))
    assert r.customer_message == "Sam (billing) will join in 2 minutes."


def test_naive_now_is_refused(shipped: RoutingSettings) -> None:
    with pytest.raises(ValueError, match="aware"):
        route(RouteRequest(), roster(), datetime(2026, 3, 2, 10, 0), shipped)


def test_route_is_deterministic_for_the_same_clock(shipped: RoutingSettings) -> None:
    req = RouteRequest(category="billing_dispute", tier="vip", language="es", customer_name="Ana")
    now = datetime(2026, 3, 6, 23, 59, tzinfo=NY) + timedelta(seconds=30)
    assert route(req, roster(), now, shipped) == route(req, roster(), now, shipped)


def test_the_topic_picks_the_team_when_the_category_is_general() -> None:
    s = settings_with()
    # a frustrated customer whose card keeps failing is a billing case, not a general one
    r = route(RouteRequest(category="frustration", topic="billing"), roster(), MONDAY_10AM, s)
    assert r.team == "billing" and any("topic billing" in x for x in r.reasons)
    assert route(RouteRequest(category="frustration", topic="general"), roster(), MONDAY_10AM, s).team == "general"
    # a category with its own skill keeps it whatever the topic
    assert route(RouteRequest(category="legal", topic="billing"), roster(), MONDAY_10AM, s).team == "security"


def test_topic_skills_are_checked_and_overridable() -> None:
    s = settings_with(topic_skills={"account_access": "security"})
    assert route(RouteRequest(category="explicit_request", topic="account_access"), roster(), MONDAY_10AM, s).team == "security"
    with pytest.raises(ValueError, match="routing.topic_skills.nonsense"):
        settings_with(topic_skills={"nonsense": "billing"})
    with pytest.raises(ValueError, match="no team offers skill 'astrology'"):
        settings_with(topic_skills={"billing": "astrology"})
