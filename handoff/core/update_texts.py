"""The texts of customer updates: place in line and wait, the alternatives offered, a choice confirmed, and the
warm introduction of the agent who took the conversation. Pure; in the customer's language, English otherwise.

The introduction quotes the briefing (the customer's own words and the AI's actions), so it is masked like a
ticket: card numbers, credentials, IBANs and SSNs never reach the customer's screen or the bot.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handoff.core.locales.waiting_messages import WAITING_TEXTS, ordinal
from handoff.core.masking import for_ticket
from handoff.core.route.messages import format_callback, format_wait, normalize_language, templates_for
from handoff.core.waiting import CHOICES, Choice, UpdateKind

FALLBACK = "en"
ABOUT_CHARS = 160  # an introduction is one breath, not the briefing
CHECKED_ACTIONS = 3
# intents that only say the customer wants a person: the introduction says what they want help with instead
_ASKING_FOR_A_HUMAN = ("explicit_request",)


@dataclass(frozen=True)
class UpdateText:
    """One update as the customer reads it: kind, language, text and, with alternatives, the choices."""

    kind: UpdateKind
    language: str
    text: str
    choices: tuple[Mapping[str, str], ...] = ()
    data: Mapping[str, Any] = field(default_factory=dict)


def language_of(tag: str | None) -> str:
    """The language the texts are written in for a customer's language tag (English when not shipped)."""
    lang = normalize_language(tag) or FALLBACK
    return lang if lang in WAITING_TEXTS else FALLBACK


def _t(lang: str) -> Mapping[str, str]:
    return WAITING_TEXTS[lang]


def waiting_text(language: str | None, position: int | None, wait_seconds: int) -> UpdateText:
    """"You're now 2nd in line. Someone will be with you in about 3 minutes." (no place when one is assigned)."""
    lang = language_of(language)
    t = _t(lang)
    parts = []
    if position is not None and position >= 1:
        parts.append(t["next"] if position == 1 else t["position"].format(ordinal=ordinal(position, lang)))
    parts.append(t["soon_minute"] if wait_seconds <= 60 else t["soon"].format(wait=format_wait(wait_seconds, templates_for(lang))))
    return UpdateText(UpdateKind.WAITING, lang, " ".join(parts),
                      data={"queue_position": position, "expected_wait_seconds": wait_seconds})


def callback_words(language: str, callback_at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """When a callback would be, in words relative to `now` ("today at 3:40 PM EDT")."""
    return format_callback(callback_at, now, zone, templates_for(language))


def alternatives_text(language: str | None, *, callback_at: datetime, now: datetime, zone: ZoneInfo,
                      position: int | None, wait_seconds: int) -> UpdateText:
    """The offer, once the wait is long: a callback at the next free slot, an e-mail follow-up, or keep waiting."""
    lang = language_of(language)
    t = _t(lang)
    when = callback_words(lang, callback_at, now, zone)
    choices = tuple({"choice": c, "label": t[f"choice_{c}"].format(callback=when)} for c in CHOICES)
    return UpdateText(UpdateKind.ALTERNATIVES, lang, t["alternatives"].format(callback=when), choices,
                      data={"queue_position": position, "expected_wait_seconds": wait_seconds,
                            "callback_at": callback_at.isoformat(), "choices": list(CHOICES)})


def confirmed_text(language: str | None, choice: Choice, *, team: str, callback_at: datetime | None = None,
                   now: datetime | None = None, zone: ZoneInfo | None = None) -> UpdateText:
    """The customer's choice confirmed in their language (a callback says when)."""
    lang = language_of(language)
    t = _t(lang)
    when = ""
    if choice == Choice.CALLBACK:
        if callback_at is None or now is None or zone is None:
            raise ValueError("a confirmed callback needs its time, now and the customer's zone")
        when = callback_words(lang, callback_at, now, zone)
    data: dict[str, Any] = {"choice": choice.value}
    if callback_at is not None:
        data["callback_at"] = callback_at.isoformat()
    return UpdateText(UpdateKind.CHOICE_CONFIRMED, lang, t[f"confirmed_{choice.value}"].format(team=team, callback=when),
                      data=data)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split()).rstrip(" .!?")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class IntroFacts:
    """What the introduction says of the case, from the stored briefing."""

    first_name: str | None = None
    about: str | None = None  # what they are asking about (the briefing's intent)
    quote: str | None = None  # else their first words, quoted
    checked: str | None = None  # what the AI already did (its actions)


def intro_facts(briefing: Mapping[str, Any]) -> IntroFacts:
    """The customer's first name, what they are asking about (or their first words) and what the AI did."""
    if briefing.get("erased"):
        return IntroFacts()  # an erased briefing has nothing to quote
    customer = briefing.get("customer") or {}
    words = str(customer.get("name") or "").split()
    about = briefing.get("intent") if briefing.get("category") not in _ASKING_FOR_A_HUMAN else None
    quote = None
    if not about:  # a request for a person says nothing of the case: their first words say it
        quote = next((str(m["text"]) for m in briefing.get("transcript") or []
                      if isinstance(m, dict) and m.get("role") == "customer" and m.get("text")), None)
    actions: list[str] = []
    for attempt in briefing.get("ai_attempts") or []:
        for action in (attempt.get("actions") or []) if isinstance(attempt, dict) else []:
            if action and str(action) not in actions:
                actions.append(str(action))
    return IntroFacts(first_name=words[0] if words else None,
                      about=_clip(str(about), ABOUT_CHARS) if about else None,
                      quote=_clip(quote, ABOUT_CHARS) if quote else None,
                      checked="; ".join(_clip(a, 80) for a in actions[-CHECKED_ACTIONS:]) or None)


def warm_intro_text(language: str | None, *, agent_name: str, team: str, facts: IntroFacts) -> UpdateText:
    """"I'm bringing in Sam from our billing team. Sam, Ana is asking about a refund on invoice INV-7731. …",
    masked like a ticket (it quotes the briefing)."""
    lang = language_of(language)
    t = _t(lang)
    customer = facts.first_name or t["the_customer"]
    parts = [t["intro"].format(agent_name=agent_name, team=team)]
    if facts.about:
        about = facts.about if lang == "de" else _lowered(facts.about)
        parts.append(t["intro_about"].format(agent_name=agent_name, customer=customer, about=about))
    elif facts.quote:
        parts.append(t["intro_quote"].format(agent_name=agent_name, customer=customer, quote=facts.quote))
    if facts.checked:
        parts.append(t["intro_checked"].format(checked=facts.checked))
    return UpdateText(UpdateKind.WARM_INTRO, lang, for_ticket(" ".join(parts)), data={"agent_name": agent_name, "team": team})


def _lowered(text: str) -> str:
    """A sentence's start put mid-sentence ("A refund" → "a refund"; "INV-7731" and "I" stay; German keeps its
    capitals: its nouns have them)."""
    word = text.split(" ", 1)[0]
    if word != "I" and word[:1].isupper() and (len(word) == 1 or word[1:].islower()):
        return text[0].lower() + text[1:]
    return text
