"""Pick the team and agent for a handoff, or its place in a queue, or a callback at the next opening.

Order of choice (documented in settings.toml too):
1. The category's skill picks the primary team; unknown categories go to the default team.
2. The team chain: the primary team, then (enterprise/VIP accounts) the senior team, then each team's
   `fallback`, then the default team.
3. Among agents of the chain who are available, on shift and under their capacity, the best by:
   the account owner (enterprise/VIP accounts), the customer's language, seniority (enterprise/VIP
   accounts), position in the chain, their own skill for the category, then lightest load, then the
   order in settings. With `language_before_team = false` position in the chain comes before language.
4. Nobody free: queue at the first team of the chain that is open (preferring one with available
   agents); expected wait = (queue ahead + 1) × recent handle time / free-able slots, where slots =
   available on-shift agents × their capacity (at least 1); never less than the pickup time.
5. No team of the chain open: a callback at the earliest opening among the chain (ties to the earlier
   team), plus `callback_delay_minutes`.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from handoff.core.models import PRIORITIES, Route
from handoff.core.route.config import AgentSettings, RoutingSettings, TeamSettings
from handoff.core.route.hours import is_open, load_zone, next_opening
from handoff.core.route.messages import (
    assigned_message,
    normalize_language,
    off_hours_message,
    queued_message,
    templates_for,
    Templates,
)
from handoff.core.route.priority import prioritize


@dataclass(frozen=True)
class RouteRequest:
    """What routing needs to know about the handoff."""

    category: str | None = None
    topic: str | None = None  # what the case is about; picks the team when the category's skill is general
    priority: str = "normal"  # the decision's hint; routing may raise it (see final_priority)
    language: str | None = None
    tier: str | None = None
    owner_email: str | None = None
    customer_name: str | None = None
    customer_timezone: str | None = None
    sentiment: float | None = None
    trajectory: str | None = None
    churn_risk: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON form stored with the handoff, so a later re-route (a callback) asks the same question.

        The customer's name is left out: it is personal data kept (and erased) with the briefing.
        """
        return {k: v for k, v in asdict(self).items() if k != "customer_name"}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, customer_name: str | None = None) -> "RouteRequest":
        """The request stored by `as_dict`, with the customer's name given back; unknown keys are ignored."""
        known = {f.name for f in fields(cls)} - {"customer_name"}
        return cls(**{k: v for k, v in data.items() if k in known}, customer_name=customer_name)


@dataclass(frozen=True)
class AgentLoad:
    """An agent's current availability and number of open handoffs."""

    agent: str
    available: bool = True
    active: int = 0


@dataclass(frozen=True)
class Roster:
    """The live state routing reads: agent loads, queue lengths, recent handle time."""

    agents: tuple[AgentLoad, ...] = ()
    queued: dict[str, int] = field(default_factory=dict)  # team -> handoffs waiting unassigned
    handle_seconds: dict[str, float] = field(default_factory=dict)  # team -> recent median
    # team -> priority -> waiting; when given, only equal or higher priorities count as ahead
    queued_by_priority: dict[str, dict[str, int]] = field(default_factory=dict)
    # Agents missing from `agents` count as available and idle (simulate/backtest without a store).
    assume_available: bool = False

    def load(self, agent_id: str) -> AgentLoad | None:
        """The live state of one agent, if known (or assumed)."""
        for a in self.agents:
            if a.agent == agent_id:
                return a
        return AgentLoad(agent_id) if self.assume_available else None


@dataclass(frozen=True)
class _Candidate:
    agent: AgentSettings
    team: TeamSettings
    rank: int  # position of `team` in the chain
    active: int
    capacity: int


def final_priority(request: RouteRequest, settings: RoutingSettings) -> str:
    """The priority routing uses: the request's hint raised by tier, category, churn risk and sentiment."""
    return _priority(request, settings)[0]


def _priority(request: RouteRequest, settings: RoutingSettings) -> tuple[str, tuple[str, ...]]:
    return prioritize(
        request.priority, request.tier, request.sentiment, category=request.category,
        trajectory=request.trajectory, churn_risk=request.churn_risk, settings=settings.priority,
    )


def _primary_team(request: RouteRequest, settings: RoutingSettings) -> tuple[TeamSettings, str | None, str]:
    """The team for the category, the skill wanted, and a reason."""
    default = settings.team_map[settings.default_team]
    skill = settings.skill_for(request.category)
    by_topic = settings.skill_for_topic(request.topic)
    if skill in (None, "general") and by_topic not in (None, "general"):
        team = next((t for t in settings.teams if by_topic in t.skills), None)
        if team is not None:
            return team, by_topic, f"category {request.category or 'none'}, topic {request.topic} needs {by_topic}: team {team.name}"
    if skill is None:
        what = f"unknown category {request.category!r}" if request.category else "no category"
        return default, None, f"{what}: default team {default.name}"
    team = next((t for t in settings.teams if skill in t.skills), None)
    if team is None:
        return default, skill, f"no team offers skill {skill!r}: default team {default.name}"
    return team, skill, f"category {request.category} needs {skill}: team {team.name}"


def _chain(primary: TeamSettings, senior: bool, settings: RoutingSettings) -> list[TeamSettings]:
    """The teams to try, in order: primary, senior team (for senior tiers), fallbacks, default team."""
    names = [primary.name]
    if senior and settings.senior_team and settings.senior_team not in names:
        # A general question from an enterprise account belongs with the senior team before general.
        names.insert(0 if primary.name == settings.default_team else 1, settings.senior_team)
    seen = {primary.name}
    team = primary
    while team.fallback and team.fallback not in seen:
        seen.add(team.fallback)
        team = settings.team_map[team.fallback]
        if team.name not in names:
            names.append(team.name)
    if settings.default_team not in names:
        names.append(settings.default_team)
    return [settings.team_map[n] for n in names]


def _candidates(
    chain: list[TeamSettings], owner: AgentSettings | None, roster: Roster, now: datetime, settings: RoutingSettings
) -> list[_Candidate]:
    """Agents of the chain (and the owner) who are available, on shift and under capacity."""
    out: list[_Candidate] = []
    ranks = {t.name: i for i, t in enumerate(chain)}
    for agent in settings.agents:
        load = roster.load(agent.id)
        if load is None or not load.available:
            continue
        capacity = settings.agent_capacity(agent)
        if load.active >= capacity:
            continue
        teams = sorted((t for t in agent.teams if t in ranks), key=ranks.__getitem__)
        if agent is owner and not teams:
            teams = list(agent.teams)  # the owner may sit outside the chain; their own team takes it
        for name in teams:
            team = settings.team_map[name]
            if is_open(settings.agent_schedule(agent, team), now):
                out.append(_Candidate(agent, team, ranks.get(name, len(chain)), load.active, capacity))
                break
    return out


def _team_state(team: TeamSettings, roster: Roster, now: datetime, settings: RoutingSettings) -> str:
    """Why nobody of a team can take the handoff, in a few words."""
    members = [a for a in settings.agents if team.name in a.teams]
    if not members:
        return f"{team.name} has no agents"
    on_shift = [a for a in members if is_open(settings.agent_schedule(a, team), now)]
    if not on_shift:
        return f"{team.name} is off shift"
    loads = [roster.load(a.id) for a in on_shift]
    available = [(a, ld) for a, ld in zip(on_shift, loads) if ld is not None and ld.available]
    if not available:
        return f"no {team.name} agent is available"
    return f"{team.name} agents are all at capacity"


def _owner(request: RouteRequest, settings: RoutingSettings) -> AgentSettings | None:
    if not request.owner_email:
        return None
    email = request.owner_email.strip().lower()
    return next((a for a in settings.agents if a.email and a.email.strip().lower() == email), None)


def _ahead(team: TeamSettings, priority: str, roster: Roster) -> int:
    by_priority = roster.queued_by_priority.get(team.name)
    if by_priority:
        mine = PRIORITIES.index(priority) if priority in PRIORITIES else 1
        return sum(n for p, n in by_priority.items() if p in PRIORITIES and PRIORITIES.index(p) >= mine)
    return roster.queued.get(team.name, 0)


def _customer_zone(request: RouteRequest, fallback: ZoneInfo) -> ZoneInfo:
    if request.customer_timezone:
        try:
            return load_zone(request.customer_timezone)
        except ValueError:
            pass  # a bad zone from the bot must not lose the handoff; the team's zone is still right
    return fallback


@dataclass
class _Job:
    """Everything one routing call has worked out so far."""

    request: RouteRequest
    roster: Roster
    now: datetime
    settings: RoutingSettings
    priority: str
    reasons: list[str]
    primary: TeamSettings
    skill: str | None
    chain: list[TeamSettings]
    lang: str | None
    senior: bool
    owner: AgentSettings | None
    templates: Templates

    def route(self, team: TeamSettings, agent: AgentSettings | None, **fields: object) -> Route:
        """The Route for `team` (and `agent`), with delivery ids, reasons and priority filled in."""
        return Route(
            team=team.name,
            agent=agent.id if agent else None,
            agent_name=agent.name if agent else None,
            zendesk_group_id=team.zendesk_group_id,
            zendesk_assignee_id=agent.zendesk_user_id if agent else None,
            slack_channel=team.slack_channel,
            slack_user_id=agent.slack_user_id if agent else None,
            reasons=tuple(self.reasons),
            priority=self.priority,
            **fields,  # type: ignore[arg-type]
        )


def route(request: RouteRequest, roster: Roster, now: datetime, settings: RoutingSettings) -> Route:
    """Decide where a handoff goes at `now` (aware); pure."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    priority, raises = _priority(request, settings)
    primary, skill, why = _primary_team(request, settings)
    reasons = [why, *raises]
    tier = (request.tier or "").lower()
    senior = tier in settings.senior_tiers
    chain = _chain(primary, senior, settings)
    if chain[0] is not primary:
        reasons.append(f"{tier} account: {chain[0].name} team first")
    if len(chain) > 1:
        reasons.append("chain: " + " → ".join(t.name for t in chain))
    lang = normalize_language(request.language)
    job = _Job(
        request=request, roster=roster, now=now, settings=settings, priority=priority, reasons=reasons,
        primary=chain[0], skill=skill, chain=chain, lang=lang, senior=senior,
        owner=_owner(request, settings) if senior else None, templates=templates_for(lang, settings.messages),
    )
    candidates = _candidates(chain, job.owner, roster, now, settings)
    if candidates:
        return _assign(job, candidates)
    open_teams = [t for t in chain if is_open(settings.team_schedule(t), now)]
    if open_teams:
        return _queue(job, open_teams)
    return _callback(job)


def _assign(job: _Job, candidates: list[_Candidate]) -> Route:
    """Hand the case to the best free agent."""
    s, lang, owner, senior = job.settings, job.lang, job.owner, job.senior
    order = {a.id: i for i, a in enumerate(s.agents)}

    def speaks(c: _Candidate) -> bool:
        return lang is None or lang in s.agent_languages(c.agent)

    def has_skill(c: _Candidate) -> bool:
        # A specialist keeps their skill when they step in for a broader team.
        return job.skill is not None and (
            job.skill in c.agent.skills or any(job.skill in s.team_map[t].skills for t in c.agent.teams)
        )

    def key(c: _Candidate) -> tuple[object, ...]:
        lang_miss = not speaks(c)
        not_senior = not (senior and c.agent.is_senior)
        middle = (lang_miss, not_senior, c.rank) if s.language_before_team else (not_senior, c.rank, lang_miss)
        return (c.agent is not owner, *middle, not has_skill(c), c.active / c.capacity, c.active, order[c.agent.id])

    best = min(candidates, key=key)
    agent, team, primary = best.agent, best.team, job.primary
    if owner is not None:
        job.reasons.append(f"account owner {owner.name} is {'free' if agent is owner else 'not free'}")
    if senior:
        found = "senior agent" if agent.is_senior else "no senior agent free"
        job.reasons.append(f"{job.request.tier} account: {found}")
    if lang is not None:
        job.reasons.append(f"speaks {lang}" if speaks(best) else f"nobody free speaks {lang}")
    fallback_reason = None
    if team is not primary and agent is not owner:
        primary_free = [c for c in candidates if c.team is primary]
        if not primary_free:
            fallback_reason = f"{_team_state(primary, job.roster, job.now, s)}; routed to {team.name}"
        else:
            runner_up = min(primary_free, key=key)
            if senior and agent.is_senior and not runner_up.agent.is_senior:
                fallback_reason = f"no senior {primary.name} agent free; routed to {team.name}"
            elif speaks(best) and not speaks(runner_up):
                fallback_reason = f"no {primary.name} agent free speaks {lang}; routed to {team.name}"
            else:
                fallback_reason = f"routed to {team.name}"
    job.reasons.append(f"{agent.name} ({team.name}): {best.active}/{best.capacity} open")
    wait = s.pickup_seconds
    spoken = s.agent_languages(agent)
    message = assigned_message(
        job.templates, customer_name=job.request.customer_name, agent_name=agent.public_name,
        team=team.label_for(lang), wait_seconds=wait,
        # nobody free speaks the customer's language: say which one the agent will write in
        agent_language=None if speaks(best) or not spoken else spoken[0],
    )
    return job.route(
        team, agent, queue_position=0, expected_wait_seconds=wait, on_shift=True,
        fallback_reason=fallback_reason, customer_message=message,
    )


def _queue(job: _Job, open_teams: list[TeamSettings]) -> Route:
    """Nobody free but a team on shift: a place in its queue and the expected wait."""
    s, roster, now = job.settings, job.roster, job.now
    staffed = [t for t in open_teams if available_slots(t, roster, now, s) > 0]
    team = (staffed or open_teams)[0]
    fallback_reason = None
    if team is not job.primary:
        fallback_reason = f"{_team_state(job.primary, roster, now, s)}; queued at {team.name}"
    ahead = _ahead(team, job.priority, roster)
    handle = roster.handle_seconds.get(team.name) or s.default_handle_seconds
    slots = available_slots(team, roster, now, s)
    # Each busy slot frees up about once per handle time, so the line moves `slots` places per handle time.
    wait = max(s.pickup_seconds, round((ahead + 1) * handle / max(1, slots)))
    job.reasons.append(
        f"nobody free: queued at {team.name}, {ahead} ahead, ~{round(handle)}s handle time, {slots} slot(s)"
    )
    message = queued_message(
        job.templates, customer_name=job.request.customer_name, team=team.label_for(job.lang),
        position=ahead + 1, wait_seconds=wait,
    )
    return job.route(
        team, None, queue_position=ahead + 1, expected_wait_seconds=wait, on_shift=True,
        fallback_reason=fallback_reason, customer_message=message,
    )


def _callback(job: _Job) -> Route:
    """Nobody on shift: a callback at the earliest opening among the chain's teams."""
    s, now = job.settings, job.now
    openings = [(next_opening(s.team_schedule(t), now), i, t) for i, t in enumerate(job.chain)]
    opening, _, team = min(openings, key=lambda o: (o[0].astimezone(timezone.utc), o[1]))
    team_zone = s.team_schedule(team).zone
    # Subtract and compare in UTC: aware datetimes sharing a zone subtract as wall clocks, wrong across DST.
    callback_at = (opening + timedelta(minutes=s.callback_delay_minutes)).astimezone(timezone.utc)
    fallback_reason = None
    if team is not job.primary:
        fallback_reason = f"{job.primary.name} is off shift; {team.name} opens first"
    job.reasons.append(
        f"nobody on shift: callback when {team.name} opens, {callback_at.astimezone(team_zone):%a %Y-%m-%d %H:%M %Z}"
    )
    message = off_hours_message(
        job.templates, customer_name=job.request.customer_name, team=team.label_for(job.lang),
        callback_at=callback_at, now=now, zone=_customer_zone(job.request, team_zone),
    )
    return job.route(
        team, None, queue_position=_ahead(team, job.priority, job.roster) + 1,
        expected_wait_seconds=max(0, int((callback_at - now.astimezone(timezone.utc)).total_seconds())),
        callback_at=callback_at.astimezone(team_zone), on_shift=False, fallback_reason=fallback_reason,
        customer_message=message,
    )


def available_slots(team: TeamSettings, roster: Roster, now: datetime, settings: RoutingSettings) -> int:
    """Conversation slots of a team's available, on-shift agents: how many handoffs it works at once."""
    slots = 0
    for agent in settings.agents:
        if team.name not in agent.teams:
            continue
        load = roster.load(agent.id)
        if load is not None and load.available and is_open(settings.agent_schedule(agent, team), now):
            slots += settings.agent_capacity(agent)
    return slots
