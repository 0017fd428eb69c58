"""Customer-facing handoff messages: templates per language, waits and callback times in words."""
from __future__ import annotations

import math
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from handoff.core.locales.customer_messages import DEFAULT_TEMPLATES, LANGUAGE_NAMES

# Placeholders each template may use; checked when settings load so a typo fails at start-up.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "greeting": frozenset(),
    "greeting_named": frozenset({"customer_name"}),
    "assigned": frozenset({"greeting", "agent_name", "team", "wait", "customer_name"}),
    "queued": frozenset({"greeting", "team", "wait", "position", "customer_name"}),
    "off_hours": frozenset({"greeting", "team", "callback", "customer_name"}),
    "wait_minute": frozenset(),
    "wait_minutes": frozenset({"n"}),
    "wait_hour": frozenset(),
    "wait_hours": frozenset({"n"}),
    "callback_today": frozenset({"time", "tz"}),
    "callback_tomorrow": frozenset({"time", "tz"}),
    "callback_weekday": frozenset({"weekday", "time", "tz"}),
    "callback_date": frozenset({"weekday", "day", "month", "time", "tz"}),
    "agent_language": frozenset({"agent_name", "language"}),
}
# Keys a language added in settings may leave out: English text is used for them.
OPTIONAL_KEYS = frozenset({"agent_language"})
CLOCKS = ("12h", "24h")

FALLBACK_LANGUAGE = "en"


class MessageTemplates(BaseModel):
    """Overrides of one language's templates (`[routing.messages.<lang>]`); unset keys keep the shipped text."""

    model_config = ConfigDict(extra="forbid")
    greeting: str | None = None
    greeting_named: str | None = None
    assigned: str | None = None
    queued: str | None = None
    off_hours: str | None = None
    wait_minute: str | None = None
    wait_minutes: str | None = None
    wait_hour: str | None = None
    wait_hours: str | None = None
    callback_today: str | None = None
    callback_tomorrow: str | None = None
    callback_weekday: str | None = None
    callback_date: str | None = None
    agent_language: str | None = None
    clock: str | None = None
    weekdays: list[str] | None = None
    months: list[str] | None = None


@dataclass(frozen=True)
class Templates:
    """A complete set of one language's templates."""

    language: str
    text: Mapping[str, str]
    clock: str
    weekdays: tuple[str, ...]
    months: tuple[str, ...]


def normalize_language(tag: str | None) -> str | None:
    """The primary subtag of a language tag, lower-cased: `pt-BR` → `pt`, `ES` → `es`, blank → None."""
    if not tag or not tag.strip():
        return None
    return tag.strip().replace("_", "-").split("-")[0].lower()


def check_templates(language: str, overrides: MessageTemplates) -> None:
    """Raise a ValueError naming the key if an override is malformed or a new language is incomplete."""
    given = overrides.model_dump(exclude_none=True)
    if language not in DEFAULT_TEMPLATES:
        missing = sorted((set(PLACEHOLDERS) - OPTIONAL_KEYS | {"clock", "weekdays", "months"}) - set(given))
        if missing:
            raise ValueError(
                f"messages.{language}: a language without shipped templates must set every key; missing "
                + ", ".join(missing)
            )
    for key, value in given.items():
        if key in PLACEHOLDERS:
            try:
                fields = {f for _, f, _, _ in string.Formatter().parse(value) if f is not None}
            except ValueError as exc:
                raise ValueError(f"messages.{language}.{key}: {exc}") from exc
            unknown = fields - PLACEHOLDERS[key]
            if unknown:
                allowed = ", ".join("{" + p + "}" for p in sorted(PLACEHOLDERS[key])) or "none"
                raise ValueError(
                    f"messages.{language}.{key}: unknown placeholder(s) "
                    + ", ".join("{" + u + "}" for u in sorted(unknown))
                    + f"; allowed: {allowed}"
                )
    if "clock" in given and given["clock"] not in CLOCKS:
        raise ValueError(f"messages.{language}.clock: must be one of {', '.join(CLOCKS)}")
    if "weekdays" in given and len(given["weekdays"]) != 7:
        raise ValueError(f"messages.{language}.weekdays: needs 7 names, Monday first")
    if "months" in given and len(given["months"]) != 12:
        raise ValueError(f"messages.{language}.months: needs 12 names, January first")


def templates_for(language: str | None, overrides: Mapping[str, MessageTemplates] | None = None) -> Templates:
    """The templates for a customer's language, with settings overrides; English when the language is unknown."""
    overrides = overrides or {}
    lang = normalize_language(language) or FALLBACK_LANGUAGE
    if lang not in DEFAULT_TEMPLATES and lang not in overrides:
        lang = FALLBACK_LANGUAGE
    merged: dict[str, str | list[str]] = dict(DEFAULT_TEMPLATES.get(lang, DEFAULT_TEMPLATES[FALLBACK_LANGUAGE]))
    if lang in overrides:
        merged.update(overrides[lang].model_dump(exclude_none=True))
    return Templates(
        language=lang,
        text={k: str(merged.get(k, DEFAULT_TEMPLATES[FALLBACK_LANGUAGE][k])) for k in PLACEHOLDERS},
        clock=str(merged["clock"]),
        weekdays=tuple(merged["weekdays"]),
        months=tuple(merged["months"]),
    )


def format_wait(seconds: int, t: Templates) -> str:
    """A wait in words: whole minutes rounded up under an hour, else hours to the nearest one."""
    minutes = max(1, math.ceil(seconds / 60))
    if minutes < 60:
        return t.text["wait_minute"] if minutes == 1 else t.text["wait_minutes"].format(n=minutes)
    hours = max(1, int(minutes / 60 + 0.5))
    return t.text["wait_hour"] if hours == 1 else t.text["wait_hours"].format(n=hours)


def format_clock(moment: datetime, t: Templates) -> str:
    """`9:00 AM` (12-hour templates) or `09:00` (24-hour), without the machine's locale."""
    if t.clock == "12h":
        hour = moment.hour % 12 or 12
        return f"{hour}:{moment.minute:02d} {'AM' if moment.hour < 12 else 'PM'}"
    return f"{moment.hour:02d}:{moment.minute:02d}"


def zone_label(moment: datetime) -> str:
    """The zone abbreviation (`EST`, `CEST`), or `UTC-3` where the zone has no letters."""
    name = moment.tzname() or ""
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or timedelta(0)
    total = int(offset.total_seconds() // 60)
    sign = "-" if total < 0 else "+"
    h, m = divmod(abs(total), 60)
    return f"UTC{sign}{h}" + (f":{m:02d}" if m else "")


def format_callback(callback_at: datetime, now: datetime, zone: ZoneInfo, t: Templates) -> str:
    """When the team will be back, in words relative to `now` in `zone`: today, tomorrow, a weekday or a date."""
    local = callback_at.astimezone(zone)
    days = (local.date() - now.astimezone(zone).date()).days
    parts = {
        "time": format_clock(local, t),
        "tz": zone_label(local),
        "weekday": t.weekdays[local.weekday()],
        "day": str(local.day),
        "month": t.months[local.month - 1],
    }
    key = (
        "callback_today" if days <= 0
        else "callback_tomorrow" if days == 1
        else "callback_weekday" if days < 7
        else "callback_date"
    )
    return t.text[key].format(**parts)


def _greeting(t: Templates, customer_name: str | None) -> str:
    name = (customer_name or "").strip()
    return t.text["greeting_named"].format(customer_name=name) if name else t.text["greeting"]


def assigned_message(t: Templates, *, customer_name: str | None, agent_name: str, team: str, wait_seconds: int,
                     agent_language: str | None = None) -> str:
    """Told when an agent has been picked: who is coming, roughly when, and that they see the conversation.

    `agent_language`: the language the agent will write in, when it is not the customer's (nobody free speaks
    it): the message says so rather than promise a conversation in the customer's language.
    """
    text = t.text["assigned"].format(
        greeting=_greeting(t, customer_name), customer_name=customer_name or "", agent_name=agent_name,
        team=team, wait=format_wait(wait_seconds, t),
    )
    if agent_language and agent_language != t.language:
        names = LANGUAGE_NAMES.get(t.language, LANGUAGE_NAMES[FALLBACK_LANGUAGE])
        text += " " + t.text["agent_language"].format(agent_name=agent_name,
                                                      language=names.get(agent_language, agent_language))
    return text


def queued_message(t: Templates, *, customer_name: str | None, team: str, position: int, wait_seconds: int) -> str:
    """Told when the team is on shift but busy: place in line and the expected wait."""
    return t.text["queued"].format(
        greeting=_greeting(t, customer_name), customer_name=customer_name or "", team=team,
        position=position, wait=format_wait(wait_seconds, t),
    )


def off_hours_message(
    t: Templates, *, customer_name: str | None, team: str, callback_at: datetime, now: datetime, zone: ZoneInfo
) -> str:
    """Told when nobody is on shift: the callback time in the customer's (or the team's) zone."""
    return t.text["off_hours"].format(
        greeting=_greeting(t, customer_name), customer_name=customer_name or "", team=team,
        callback=format_callback(callback_at, now, zone, t),
    )

