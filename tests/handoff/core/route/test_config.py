"""The `[routing]` settings: the shipped example loads, and mistakes fail with the key named."""
from __future__ import annotations

from datetime import date
from typing import Any, Callable

import pytest
from pydantic import ValidationError

from handoff.core.route.config import DEFAULT_CATEGORY_SKILLS, RoutingSettings
from handoff.core.route.hours import Schedule

from .conftest import shipped_data


def test_shipped_example_loads(shipped: RoutingSettings) -> None:
    assert [t.name for t in shipped.teams] == ["general", "billing", "technical", "security", "enterprise"]
    assert shipped.senior_team == "enterprise"
    business = shipped.compiled_schedules["business"]
    assert business.timezone == "America/New_York" and business.country == "US"
    assert business.weekly[0] == ((540, 1080),) and business.weekly[5] == ()
    assert all(shipped.team_schedule(t) == business for t in shipped.teams)
    assert date(2026, 12, 24) in business.closed_dates
    agents = {a.id: a for a in shipped.agents}
    assert "es" in agents["sam"].languages and "fr" in agents["lucas"].languages
    assert agents["morgan"].is_senior and agents["morgan"].teams == ["enterprise"]
    assert shipped.agent_capacity(agents["alex"]) == 4 and shipped.agent_capacity(agents["sam"]) == 3
    assert all(a.slack_user_id and a.zendesk_user_id for a in shipped.agents)


@pytest.mark.parametrize(
    ("category", "team"),
    [
        ("billing_dispute", "billing"), ("billing", "billing"), ("fraud", "billing"), ("cancellation", "billing"),
        ("account_security", "security"), ("legal", "security"), ("data_privacy", "security"),
        ("enterprise_contract", "enterprise"), ("technical", "technical"), ("frustration", "general"),
        ("explicit_request", "general"),
    ],
)
def test_shipped_categories_reach_a_team_by_skill(shipped: RoutingSettings, category: str, team: str) -> None:
    skill = shipped.skill_for(category)
    assert next(t.name for t in shipped.teams if skill in t.skills) == team


def test_defaults_without_any_settings() -> None:
    s = RoutingSettings()
    assert s.default_team == "general" and s.max_concurrent == 3 and s.pickup_seconds == 120
    assert s.team_schedule(s.teams[0]) == Schedule.always()  # no hours declared: always open
    assert s.skill_for("billing_dispute") == DEFAULT_CATEGORY_SKILLS["billing_dispute"]
    assert s.skill_for("something_new") is None


def test_team_skills_default_to_its_name() -> None:
    s = RoutingSettings.model_validate({"teams": [{"name": "general"}, {"name": "billing"}]})
    assert s.team_map["billing"].skills == ["billing"]


def _edit(fn: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    data = shipped_data()
    fn(data)
    return data


def _team(data: dict[str, Any], name: str) -> dict[str, Any]:
    return next(t for t in data["teams"] if t["name"] == name)


def _agent(data: dict[str, Any], agent_id: str) -> dict[str, Any]:
    return next(a for a in data["agents"] if a["id"] == agent_id)


@pytest.mark.parametrize(
    ("edit", "error"),
    [
        (lambda d: _team(d, "billing").update(fallback="generl"), r"routing\.teams\[billing\]\.fallback: unknown team 'generl'"),
        (lambda d: _agent(d, "sam").update(teams=["billing", "sales"]), r"routing\.agents\[sam\]\.teams: unknown team 'sales'"),
        (lambda d: d.update(default_team="support"), r"routing\.default_team: unknown team 'support'"),
        (lambda d: d.update(senior_team="vip"), r"routing\.senior_team: unknown team 'vip'"),
        (lambda d: _team(d, "billing").update(hours="nights"), r"routing\.teams\[billing\]\.hours: unknown schedule 'nights'"),
        (lambda d: _agent(d, "sam").update(hours="nights"), r"routing\.agents\[sam\]\.hours: unknown schedule 'nights'"),
        (lambda d: d.update(default_hours="nights"), r"routing\.default_hours: unknown schedule 'nights'"),
        (lambda d: d["schedules"]["business"].update(timezone="America/New_Yrok"),
         r"schedules\.business\.timezone\n.*unknown time zone 'America/New_Yrok'"),
        (lambda d: d["schedules"]["business"].update(weekly={"mon-fri": "9-6"}), r"schedules\.business\.weekly\n.*bad hours '9-6'"),
        (lambda d: d["schedules"]["business"].update(weekly={"mon-fry": "09:00-18:00"}),
         r"schedules\.business\.weekly\n.*unknown weekday 'mon-fry'"),
        (lambda d: d["schedules"]["business"].update(weekly={"daily": "closed"}), r"schedules\.business\.weekly\n.*no open hours"),
        (lambda d: d["schedules"]["business"].update(holidays="XX"), r"schedules\.business\n.*no holiday calendar for 'XX'"),
        (lambda d: d["schedules"]["business"].update(holiday_subdivision="ZZ"), r"no holiday calendar for 'US/ZZ'"),
        (lambda d: d["schedules"]["business"].update(closed_dates=["2026-13-01"]), r"schedules\.business\.closed_dates\.0"),
        (lambda d: d["category_skills"].update(fraud="frauds"), r"routing\.category_skills\.fraud: no team offers skill 'frauds'"),
        (lambda d: d["teams"].append({"name": "billing"}), r"duplicate team name\(s\) billing"),
        (lambda d: d["agents"].append({"id": "sam", "name": "Sam Two", "teams": ["general"]}), r"duplicate agent id\(s\) sam"),
        (lambda d: _agent(d, "sam").update(seniority="principal"), r"agents\.0\.seniority"),
        (lambda d: _agent(d, "sam").update(max_concurrent=0), r"agents\.0\.max_concurrent"),
        (lambda d: _agent(d, "sam").update(teams=[]), r"agents\.0\.teams"),
        (lambda d: _team(d, "billing").update(colour="green"), r"teams\.1\.colour\n.*Extra inputs are not permitted"),
        (lambda d: d.update(max_concurrency=3), r"max_concurrency\n.*Extra inputs are not permitted"),
        (lambda d: d["messages"]["en"].update(assigned="Hi {agent}"), r"messages\.en\.assigned: unknown placeholder"),
        (lambda d: d["priority"].update(churn_risk_floor="asap"), r"churn_risk_floor: unknown priority 'asap'"),
    ],
)
def test_mistakes_fail_naming_the_key(edit: Callable[[dict[str, Any]], None], error: str) -> None:
    with pytest.raises(ValidationError, match=error):
        RoutingSettings.model_validate(_edit(edit))


def test_language_tags_are_normalised() -> None:
    data = _edit(lambda d: _agent(d, "sam").update(languages=["EN", "es-MX"]))
    data["messages"]["pt-BR"] = {"greeting": "Oi."}
    s = RoutingSettings.model_validate(data)
    assert s.agents[0].languages == ["en", "es"]
    assert "pt" in s.messages


def test_country_code_is_case_insensitive() -> None:
    data = _edit(lambda d: d["schedules"]["business"].update(holidays="us"))
    assert RoutingSettings.model_validate(data).compiled_schedules["business"].country == "US"


def test_summary_for_check_config(shipped: RoutingSettings) -> None:
    summary = shipped.summary()
    billing = next(t for t in summary["teams"] if t["name"] == "billing")  # type: ignore[union-attr]
    assert billing == {
        "name": "billing",
        "skills": ["billing", "retention"],
        "hours": "mon-fri 09:00-18:00 America/New_York, US holidays, 2 closed date(s)",
        "fallback": "general",
        "agents": ["sam", "priya"],
    }
    assert summary["categories"]["cancellation"] == "retention → billing"  # type: ignore[index]
    assert summary["categories"]["data_privacy"] == "privacy → security"  # type: ignore[index]
    assert summary["languages"] == ["de", "en", "es", "fr", "pt"]
