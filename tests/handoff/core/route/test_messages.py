"""Customer-facing templates: languages, waits, callback times, overrides and their validation."""
from __future__ import annotations

import string
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from handoff.core.route.messages import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    MessageTemplates,
    assigned_message,
    check_templates,
    format_callback,
    format_clock,
    format_wait,
    normalize_language,
    off_hours_message,
    queued_message,
    templates_for,
    zone_label,
)

NY = ZoneInfo("America/New_York")
EN = templates_for("en")


@pytest.mark.parametrize(("tag", "lang"), [("en", "en"), ("pt-BR", "pt"), ("ES", "es"), ("fr_CA", "fr"), ("", None), (None, None)])
def test_normalize_language(tag: str | None, lang: str | None) -> None:
    assert normalize_language(tag) == lang


@pytest.mark.parametrize(("tag", "lang"), [("es-MX", "es"), ("de", "de"), ("ja", "en"), (None, "en"), ("xx-YY", "en")])
def test_templates_fall_back_to_english(tag: str | None, lang: str) -> None:
    assert templates_for(tag).language == lang


@pytest.mark.parametrize("lang", sorted(DEFAULT_TEMPLATES))
def test_shipped_templates_are_complete_and_use_known_placeholders(lang: str) -> None:
    t = templates_for(lang)
    assert t.language == lang and len(t.weekdays) == 7 and len(t.months) == 12
    for key, allowed in PLACEHOLDERS.items():
        fields = {f for _, f, _, _ in string.Formatter().parse(t.text[key]) if f}
        assert fields <= allowed, (lang, key)
    check_templates(lang, MessageTemplates(**{k: v for k, v in DEFAULT_TEMPLATES[lang].items()}))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "1 minute"), (45, "1 minute"), (61, "2 minutes"), (120, "2 minutes"), (3540, "59 minutes"),
     (3600, "1 hour"), (5400, "2 hours"), (3 * 3600 + 600, "3 hours")],
)
def test_format_wait(seconds: int, text: str) -> None:
    assert format_wait(seconds, EN) == text


@pytest.mark.parametrize(
    ("lang", "moment", "text"),
    [
        ("en", datetime(2026, 3, 2, 9, 0, tzinfo=NY), "9:00 AM"),
        ("en", datetime(2026, 3, 2, 0, 30, tzinfo=NY), "12:30 AM"),
        ("en", datetime(2026, 3, 2, 12, 5, tzinfo=NY), "12:05 PM"),
        ("en", datetime(2026, 3, 2, 18, 0, tzinfo=NY), "6:00 PM"),
        ("de", datetime(2026, 3, 2, 9, 0, tzinfo=NY), "09:00"),
    ],
)
def test_format_clock(lang: str, moment: datetime, text: str) -> None:
    assert format_clock(moment, templates_for(lang)) == text


@pytest.mark.parametrize(
    ("zone", "moment", "label"),
    [
        ("America/New_York", datetime(2026, 1, 5, 9), "EST"),
        ("America/New_York", datetime(2026, 7, 6, 9), "EDT"),
        ("Europe/Berlin", datetime(2026, 7, 6, 9), "CEST"),
        ("America/Sao_Paulo", datetime(2026, 7, 6, 9), "UTC-3"),
        ("Asia/Kathmandu", datetime(2026, 7, 6, 9), "UTC+5:45"),
    ],
)
def test_zone_label(zone: str, moment: datetime, label: str) -> None:
    assert zone_label(moment.replace(tzinfo=ZoneInfo(zone))) == label


@pytest.mark.parametrize(
    ("now", "callback", "zone", "lang", "text"),
    [
        (datetime(2026, 3, 3, 7, 0, tzinfo=NY), datetime(2026, 3, 3, 9, 0, tzinfo=NY), "America/New_York", "en",
         "today at 9:00 AM EST"),
        (datetime(2026, 3, 2, 19, 0, tzinfo=NY), datetime(2026, 3, 3, 9, 0, tzinfo=NY), "America/New_York", "en",
         "tomorrow at 9:00 AM EST"),
        (datetime(2026, 3, 6, 19, 0, tzinfo=NY), datetime(2026, 3, 9, 9, 0, tzinfo=NY), "America/New_York", "en",
         "on Monday at 9:00 AM EDT"),
        (datetime(2026, 3, 6, 19, 0, tzinfo=NY), datetime(2026, 3, 9, 9, 0, tzinfo=NY), "Europe/London", "en",
         "on Monday at 1:00 PM GMT"),
        (datetime(2026, 3, 6, 19, 0, tzinfo=NY), datetime(2026, 3, 9, 9, 0, tzinfo=NY), "Europe/Madrid", "es",
         "el lunes a las 14:00 (CET)"),
        (datetime(2026, 12, 18, 19, 0, tzinfo=NY), datetime(2026, 12, 28, 9, 0, tzinfo=NY), "America/New_York", "en",
         "on Monday, December 28 at 9:00 AM EST"),
        (datetime(2026, 12, 18, 19, 0, tzinfo=NY), datetime(2026, 12, 28, 9, 0, tzinfo=NY), "Europe/Berlin", "de",
         "am Montag, 28. Dezember, um 15:00 Uhr (CET)"),
        # Late evening in Tokyo is already the next day there.
        (datetime(2026, 3, 2, 19, 0, tzinfo=NY), datetime(2026, 3, 3, 9, 0, tzinfo=NY), "Asia/Tokyo", "en",
         "today at 11:00 PM JST"),
    ],
)
def test_format_callback(now: datetime, callback: datetime, zone: str, lang: str, text: str) -> None:
    assert format_callback(callback, now, ZoneInfo(zone), templates_for(lang)) == text


def test_assigned_message_names_agent_team_wait_and_shared_conversation() -> None:
    text = assigned_message(EN, customer_name="Ana", agent_name="Sam", team="billing", wait_seconds=120)
    assert text.startswith("Thanks, Ana. I'm bringing in Sam from our billing team")
    assert "about 2 minutes" in text
    assert "won't need to repeat anything" in text


def test_messages_without_a_name_use_the_plain_greeting() -> None:
    text = queued_message(EN, customer_name=None, team="billing", position=3, wait_seconds=900)
    assert text.startswith("Thanks. Our billing team is helping other customers")
    assert "number 3 in line" in text and "about 15 minutes" in text


def test_off_hours_message_offers_the_callback() -> None:
    text = off_hours_message(
        templates_for("fr"), customer_name="Léa", team="facturation", callback_at=datetime(2026, 3, 9, 9, 0, tzinfo=NY),
        now=datetime(2026, 3, 6, 19, 0, tzinfo=NY), zone=ZoneInfo("Europe/Paris"),
    )
    assert text.startswith("Merci, Léa.")
    assert "lundi à 14:00 (CET)" in text and "rien à répéter" in text


def test_a_name_with_braces_is_not_reinterpreted() -> None:
    text = assigned_message(EN, customer_name="{agent_name}", agent_name="Sam", team="billing", wait_seconds=60)
    assert text.startswith("Thanks, {agent_name}. I'm bringing in Sam")


def test_overrides_replace_only_the_keys_given() -> None:
    t = templates_for("en", {"en": MessageTemplates(greeting="Hi!")})
    assert t.text["greeting"] == "Hi!"
    assert t.text["assigned"] == DEFAULT_TEMPLATES["en"]["assigned"]


def test_a_new_language_can_be_added_with_every_key() -> None:
    italian = {k: v for k, v in DEFAULT_TEMPLATES["en"].items()}
    italian["greeting"] = "Grazie."
    check_templates("it", MessageTemplates(**italian))  # type: ignore[arg-type]
    assert templates_for("it-IT", {"it": MessageTemplates(**italian)}).text["greeting"] == "Grazie."  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("lang", "overrides", "error"),
    [
        ("en", {"assigned": "Hi {agent}"}, r"messages\.en\.assigned: unknown placeholder\(s\) \{agent\}"),
        ("en", {"queued": "Hi {position"}, r"messages\.en\.queued"),
        ("en", {"clock": "13h"}, r"messages\.en\.clock"),
        ("es", {"weekdays": ["lunes"]}, r"messages\.es\.weekdays: needs 7"),
        ("de", {"months": ["Januar"]}, r"messages\.de\.months: needs 12"),
        ("it", {"greeting": "Grazie."}, r"messages\.it: .*missing .*assigned"),
    ],
)
def test_bad_overrides_name_the_key(lang: str, overrides: dict[str, object], error: str) -> None:
    with pytest.raises(ValueError, match=error):
        check_templates(lang, MessageTemplates(**overrides))  # type: ignore[arg-type]
