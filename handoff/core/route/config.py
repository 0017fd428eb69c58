"""Teams, agents, hours, skills and message templates: the `[routing]` table of settings.toml."""
from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from handoff.core.route.hours import Schedule, check_calendar, load_zone, parse_weekly
from handoff.core.route.messages import DEFAULT_TEMPLATES, MessageTemplates, check_templates, normalize_language
from handoff.core.route.priority import PrioritySettings

Seniority = Literal["junior", "mid", "senior", "lead"]
SENIOR_LEVELS: frozenset[str] = frozenset({"senior", "lead"})

# Category (from the decision engine) → skill. Teams offer skills; the first team offering a skill gets it.
# legal → "legal" and data_privacy → "privacy": the shipped example gives both to the security team, and a
# company with a legal or DPO team only has to list the skill there. cancellation → "retention": the
# shipped billing team offers it.
DEFAULT_CATEGORY_SKILLS: dict[str, str] = {
    "billing_dispute": "billing",
    "billing": "billing",
    "fraud": "billing",
    "cancellation": "retention",
    "account_security": "security",
    "legal": "legal",
    "data_privacy": "privacy",
    "enterprise_contract": "enterprise",
    "technical": "technical",
    "explicit_request": "general",
    "sensitive": "general",
    "frustration": "general",
    "ai_low_confidence": "general",
    "loop": "general",
    "general": "general",
}
# Topic (what the case is about) -> skill, used when the category's own skill is "general"
# (an explicit request, frustration, a loop...): a frustrated customer whose card fails goes to billing.
DEFAULT_TOPIC_SKILLS: dict[str, str] = {
    "billing": "billing",
    "technical": "technical",
    "account_access": "general",
    "cancellation": "retention",
    "sales": "enterprise",
    "general": "general",
}


class ScheduleSettings(BaseModel):
    """Opening hours (`[routing.schedules.<name>]`): a weekly pattern, a zone, holidays and closed dates."""

    model_config = ConfigDict(extra="forbid")
    timezone: str = "UTC"
    weekly: dict[str, str | list[str]] = {"mon-fri": "09:00-18:00"}
    holidays: str | None = None  # country code for the holidays package, e.g. "US"
    holiday_subdivision: str | None = None  # e.g. "NY", "BY"
    closed_dates: list[date] = []
    open_dates: list[date] = []  # country holidays the team works anyway

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        load_zone(value)
        return value

    @field_validator("weekly")
    @classmethod
    def _weekly(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        week = parse_weekly(value)
        if not any(week):
            raise ValueError("no open hours on any day")
        return value

    @field_validator("holidays")
    @classmethod
    def _country(cls, value: str | None) -> str | None:
        return value.strip().upper() if value else None

    @model_validator(mode="after")
    def _calendar(self) -> "ScheduleSettings":
        if self.holiday_subdivision and not self.holidays:
            raise ValueError("holiday_subdivision needs holidays (the country code)")
        if self.holidays:
            check_calendar(self.holidays, self.holiday_subdivision)
        return self

    def describe(self) -> str:
        """One line for check-config: `mon-fri 09:00-18:00 America/New_York, US holidays, 2 closed dates`."""
        days = "; ".join(
            f"{key} {v if isinstance(v, str) else ', '.join(v)}" for key, v in self.weekly.items()
        )
        parts = [f"{days} {self.timezone}"]
        if self.holidays:
            where = f"{self.holidays}-{self.holiday_subdivision}" if self.holiday_subdivision else self.holidays
            parts.append(f"{where} holidays")
        if self.closed_dates:
            parts.append(f"{len(self.closed_dates)} closed date(s)")
        if self.open_dates:
            parts.append(f"{len(self.open_dates)} holiday(s) worked")
        return ", ".join(parts)

    def to_schedule(self) -> Schedule:
        """The pure schedule the hours functions take."""
        return Schedule(
            timezone=self.timezone,
            weekly=parse_weekly(self.weekly),
            country=self.holidays,
            subdivision=self.holiday_subdivision,
            closed_dates=frozenset(self.closed_dates),
            open_dates=frozenset(self.open_dates),
        )


class TeamSettings(BaseModel):
    """One team (`[[routing.teams]]`)."""

    model_config = ConfigDict(extra="forbid")
    name: str
    label: str | None = None  # what customers read ("our billing team"); defaults to the name
    labels: dict[str, str] = {}  # per language: { es = "facturación" }
    skills: list[str] = []  # defaults to [name]
    hours: str | None = None  # a schedule name; None = routing.default_hours, or always open if that is unset
    fallback: str | None = None  # broader team when this one is full or off shift
    zendesk_group_id: int | None = None
    slack_channel: str | None = None

    @model_validator(mode="after")
    def _defaults(self) -> "TeamSettings":
        if not self.skills:
            self.skills = [self.name]
        self.labels = {normalize_language(k) or k: v for k, v in self.labels.items()}
        return self

    def label_for(self, language: str | None) -> str:
        """The team's customer-facing name in a language."""
        return self.labels.get(language or "", self.label or self.name)


class AgentSettings(BaseModel):
    """One person who takes handoffs (`[[routing.agents]]`)."""

    model_config = ConfigDict(extra="forbid")
    id: str
    name: str
    display_name: str | None = None  # what customers read; defaults to the first word of name
    email: str | None = None  # matched against the account owner's email
    teams: list[str] = Field(min_length=1)
    skills: list[str] = []  # on top of the skills of their teams
    languages: list[str] = []  # empty = routing.default_language
    seniority: Seniority = "mid"
    max_concurrent: int | None = Field(default=None, ge=1)  # None = routing.max_concurrent
    hours: str | None = None  # personal schedule; None = the team's hours
    zendesk_user_id: int | None = None
    slack_user_id: str | None = None

    @field_validator("languages")
    @classmethod
    def _langs(cls, value: list[str]) -> list[str]:
        return [normalize_language(v) or v for v in value]

    @property
    def public_name(self) -> str:
        """The name customers read."""
        return self.display_name or self.name.split()[0]

    @property
    def is_senior(self) -> bool:
        """True for senior and lead agents."""
        return self.seniority in SENIOR_LEVELS


class RoutingSettings(BaseModel):
    """Routing rules, teams, agents, hours and customer-message templates."""

    model_config = ConfigDict(extra="forbid")
    default_team: str = "general"
    senior_team: str | None = None  # team for enterprise/VIP accounts (tried right after the skill's team)
    senior_tiers: list[str] = ["enterprise", "vip"]
    default_language: str = "en"
    # True: a speaker of the customer's language in a fallback team beats a specialist who does not speak it.
    language_before_team: bool = True
    max_concurrent: int = Field(default=3, ge=1)
    pickup_seconds: int = Field(default=120, ge=0)
    default_handle_seconds: int = Field(default=600, ge=1)
    callback_delay_minutes: int = Field(default=0, ge=0)
    # an offer nobody claims within this goes to the next agent routing would pick (0: never re-offered)
    claim_timeout_seconds: int = Field(default=120, ge=0)
    # a conversation handed off again this soon after a hand-back reopens its ticket for the same agent (0: off)
    rehandoff_window_minutes: int = Field(default=60, ge=0)
    default_hours: str | None = None
    category_skills: dict[str, str] = {}  # overrides of DEFAULT_CATEGORY_SKILLS
    topic_skills: dict[str, str] = {}  # overrides of DEFAULT_TOPIC_SKILLS
    priority: PrioritySettings = PrioritySettings()
    schedules: dict[str, ScheduleSettings] = {}
    teams: list[TeamSettings] = [TeamSettings(name="general")]
    agents: list[AgentSettings] = []
    messages: dict[str, MessageTemplates] = {}

    @field_validator("senior_tiers")
    @classmethod
    def _tiers(cls, value: list[str]) -> list[str]:
        return [v.lower() for v in value]

    @field_validator("default_language")
    @classmethod
    def _lang(cls, value: str) -> str:
        return normalize_language(value) or "en"

    @field_validator("messages")
    @classmethod
    def _messages(cls, value: dict[str, MessageTemplates]) -> dict[str, MessageTemplates]:
        out: dict[str, MessageTemplates] = {}
        for lang, templates in value.items():
            key = normalize_language(lang) or lang
            check_templates(key, templates)
            out[key] = templates
        return out

    @model_validator(mode="after")
    def _references(self) -> "RoutingSettings":
        if not self.teams:
            raise ValueError("routing.teams: declare at least one team")
        names = [t.name for t in self.teams]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"routing.teams: duplicate team name(s) {', '.join(dupes)}")
        known = ", ".join(names)

        def team_ref(ref: str | None, key: str) -> None:
            if ref is not None and ref not in names:
                raise ValueError(f"{key}: unknown team {ref!r} (teams: {known})")

        def schedule_ref(ref: str | None, key: str) -> None:
            if ref is not None and ref not in self.schedules:
                listed = ", ".join(self.schedules) or "none declared"
                raise ValueError(f"{key}: unknown schedule {ref!r} (routing.schedules: {listed})")

        team_ref(self.default_team, "routing.default_team")
        team_ref(self.senior_team, "routing.senior_team")
        schedule_ref(self.default_hours, "routing.default_hours")
        for t in self.teams:
            team_ref(t.fallback, f"routing.teams[{t.name}].fallback")
            schedule_ref(t.hours, f"routing.teams[{t.name}].hours")
        ids = [a.id for a in self.agents]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"routing.agents: duplicate agent id(s) {', '.join(dupes)}")
        for a in self.agents:
            for team in a.teams:
                team_ref(team, f"routing.agents[{a.id}].teams")
            schedule_ref(a.hours, f"routing.agents[{a.id}].hours")
        offered = {s for t in self.teams for s in t.skills}
        for category, skill in self.category_skills.items():
            if skill not in offered:
                raise ValueError(
                    f"routing.category_skills.{category}: no team offers skill {skill!r} "
                    f"(skills: {', '.join(sorted(offered))})"
                )
        for topic, skill in self.topic_skills.items():
            if topic not in DEFAULT_TOPIC_SKILLS:
                raise ValueError(f"routing.topic_skills.{topic}: unknown topic (topics: {', '.join(DEFAULT_TOPIC_SKILLS)})")
            if skill not in offered:
                raise ValueError(
                    f"routing.topic_skills.{topic}: no team offers skill {skill!r} "
                    f"(skills: {', '.join(sorted(offered))})"
                )
        return self

    # Derived lookups, computed once; settings are not mutated after validation.
    @cached_property
    def team_map(self) -> dict[str, TeamSettings]:
        """Teams by name."""
        return {t.name: t for t in self.teams}

    @cached_property
    def compiled_schedules(self) -> dict[str, Schedule]:
        """Schedules by name, ready for the hours functions."""
        return {name: s.to_schedule() for name, s in self.schedules.items()}

    def summary(self) -> dict[str, object]:
        """What check-config shows: teams with skills, hours, fallback and members; where each category goes."""
        def hours(name: str | None) -> str:
            return self.schedules[name].describe() if name else "always open"

        teams = [
            {
                "name": t.name,
                "skills": t.skills,
                "hours": hours(t.hours or self.default_hours),
                "fallback": t.fallback,
                "agents": [a.id for a in self.agents if t.name in a.teams],
            }
            for t in self.teams
        ]
        categories = {}
        for category in sorted({*DEFAULT_CATEGORY_SKILLS, *self.category_skills}):
            skill = self.skill_for(category)
            team = next((t.name for t in self.teams if skill in t.skills), self.default_team)
            categories[category] = f"{skill} → {team}"
        topics = {}
        for topic in DEFAULT_TOPIC_SKILLS:
            skill = self.skill_for_topic(topic)
            topics[topic] = f"{skill} → {next((t.name for t in self.teams if skill in t.skills), self.default_team)}"
        return {
            "default_team": self.default_team,
            "senior_team": self.senior_team,
            "senior_tiers": self.senior_tiers,
            "teams": teams,
            "agents": [
                {"id": a.id, "teams": a.teams, "languages": self.agent_languages(a), "seniority": a.seniority,
                 "max_concurrent": self.agent_capacity(a)}
                for a in self.agents
            ],
            "categories": categories,
            "topics": topics,
            "languages": sorted({*DEFAULT_TEMPLATES, *self.messages}),
        }

    def skill_for(self, category: str | None) -> str | None:
        """The skill a category needs, or None for an unknown category."""
        if category is None:
            return None
        return self.category_skills.get(category, DEFAULT_CATEGORY_SKILLS.get(category))

    def skill_for_topic(self, topic: str | None) -> str | None:
        """The skill a topic needs, or None for no or an unknown topic."""
        if topic is None:
            return None
        return self.topic_skills.get(topic, DEFAULT_TOPIC_SKILLS.get(topic))

    def team_schedule(self, team: TeamSettings) -> Schedule:
        """A team's opening hours (always open when neither the team nor default_hours names a schedule)."""
        name = team.hours or self.default_hours
        return self.compiled_schedules[name] if name else Schedule.always()

    def agent_schedule(self, agent: AgentSettings, team: TeamSettings) -> Schedule:
        """When an agent works for a team: their personal hours, else the team's."""
        return self.compiled_schedules[agent.hours] if agent.hours else self.team_schedule(team)

    def agent_capacity(self, agent: AgentSettings) -> int:
        """How many handoffs an agent may hold at once."""
        return agent.max_concurrent or self.max_concurrent

    def agent_languages(self, agent: AgentSettings) -> list[str]:
        """The languages an agent takes, the default language if none are listed."""
        return agent.languages or [self.default_language]
