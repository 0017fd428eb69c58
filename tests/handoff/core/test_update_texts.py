"""The texts a waiting customer reads, in five languages, and the warm introduction of the agent (pure)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from handoff.core.locales.waiting_messages import WAITING_TEXTS, ordinal
from handoff.core.update_texts import (
    IntroFacts,
    alternatives_text,
    confirmed_text,
    intro_facts,
    language_of,
    waiting_text,
    warm_intro_text,
)
from handoff.core.waiting import Choice, UpdateKind

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NY = ZoneInfo("America/New_York")


@pytest.mark.parametrize(("n", "en"), [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
                                       (13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st"), (111, "111th")])
def test_english_ordinals(n, en):
    assert ordinal(n, "en") == en


def test_ordinals_in_the_other_languages():
    assert [ordinal(n, "es") for n in (1, 2)] == ["1.º", "2.º"]
    assert [ordinal(n, "fr") for n in (1, 2)] == ["1er", "2e"]
    assert [ordinal(n, "de") for n in (1, 2)] == ["1.", "2."]
    assert [ordinal(n, "pt") for n in (1, 2)] == ["1º", "2º"]


def test_every_language_has_every_text():
    assert set(WAITING_TEXTS) == {"en", "es", "fr", "de", "pt"}
    for lang, table in WAITING_TEXTS.items():
        assert set(table) == set(WAITING_TEXTS["en"]), lang


def test_waiting_in_english():
    u = waiting_text("en", 2, 60)
    assert u.kind == UpdateKind.WAITING and u.language == "en"
    assert u.text == "You're now 2nd in line. Someone will be with you in about a minute."
    assert waiting_text("en-GB", 1, 300).text == "You're next in line. Someone will be with you in about 5 minutes."
    assert waiting_text("en", None, 120).text == "Someone will be with you in about 2 minutes."  # an agent is assigned
    assert dict(u.data) == {"queue_position": 2, "expected_wait_seconds": 60}


@pytest.mark.parametrize(("lang", "text"), [
    ("es", "Ahora estás en el 3.º lugar de la fila. Alguien te atenderá en aproximadamente 10 minutos."),
    ("fr", "Vous êtes maintenant 3e dans la file d'attente. Quelqu'un sera avec vous dans environ 10 minutes."),
    ("de", "Sie sind jetzt an 3. Stelle in der Warteschlange. In etwa 10 Minuten ist jemand für Sie da."),
    ("pt-BR", "Agora você é o 3º da fila. Alguém vai atender você em cerca de 10 minutos."),
])
def test_waiting_in_the_other_languages(lang, text):
    assert waiting_text(lang, 3, 600).text == text


def test_an_unknown_language_falls_back_to_english():
    assert language_of("ja") == "en" and language_of(None) == "en" and language_of("PT_br") == "pt"
    assert waiting_text("ja", 2, 600).text.startswith("You're now 2nd in line.")


def test_the_alternatives_offer_a_callback_time_an_email_or_waiting():
    at = NOW + timedelta(minutes=25)
    u = alternatives_text("en", callback_at=at, now=NOW, zone=NY, position=4, wait_seconds=1500)
    assert u.kind == UpdateKind.ALTERNATIVES
    assert "get back to you today at 10:25 AM EST, or follow up by e-mail" in u.text
    assert [c["choice"] for c in u.choices] == ["callback", "email", "keep_waiting"]
    assert u.choices[0]["label"] == "Get back to me today at 10:25 AM EST"
    assert u.data["callback_at"] == at.isoformat() and u.data["queue_position"] == 4
    de = alternatives_text("de", callback_at=at, now=NOW, zone=ZoneInfo("Europe/Berlin"), position=4, wait_seconds=1500)
    assert "melden wir uns heute um 16:25 Uhr (CET) bei Ihnen" in de.text
    assert [c["label"] for c in de.choices][1:] == ["Antwort per E-Mail", "Weiter warten"]


def test_a_choice_is_confirmed_in_the_customers_language():
    at = NOW + timedelta(minutes=25)
    cb = confirmed_text("fr", Choice.CALLBACK, team="facturation", callback_at=at, now=NOW, zone=ZoneInfo("Europe/Paris"))
    assert cb.text.startswith("C'est noté : notre équipe facturation reviendra vers vous aujourd'hui à 16:25 (CET).")
    assert cb.data == {"choice": "callback", "callback_at": at.isoformat()}
    assert confirmed_text("en", Choice.EMAIL, team="billing").text.startswith(
        "Done: our billing team will follow up by e-mail")
    assert confirmed_text("pt", Choice.KEEP_WAITING, team="x").text.startswith("Obrigado pela paciência.")
    with pytest.raises(ValueError):
        confirmed_text("en", Choice.CALLBACK, team="billing")  # a callback without its time


BRIEFING = {
    "category": "billing_dispute", "intent": "A refund on invoice INV-7731",
    "customer": {"name": "Ana Silva", "email": "ana@example.com"},
    "ai_attempts": [{"actions": ["checked it's within the return window"]},
                    {"actions": ["checked it's within the return window", "looked up the order"]}],
    "transcript": [{"role": "customer", "text": "Hi there"}],
}


def test_the_warm_intro_reads_like_the_guide():
    u = warm_intro_text("en", agent_name="Sam", team="billing", facts=intro_facts(BRIEFING))
    assert u.kind == UpdateKind.WARM_INTRO
    assert u.text == ("I'm bringing in Sam from our billing team. Sam, Ana is asking about a refund on invoice "
                      "INV-7731. What I've already done: checked it's within the return window; looked up the order.")


def test_a_request_for_a_person_is_introduced_by_the_customers_first_words():
    briefing = {**BRIEFING, "category": "explicit_request", "intent": "talk to a person", "ai_attempts": [],
                "transcript": [{"role": "ai", "text": "Hello!"}, {"role": "customer", "text": "My export keeps failing."}]}
    facts = intro_facts(briefing)
    assert facts.about is None and facts.quote == "My export keeps failing"
    u = warm_intro_text("es", agent_name="Sam", team="facturación", facts=facts)
    assert u.text == "Te paso con Sam, de nuestro equipo de facturación. Sam, Ana escribió: «My export keeps failing»."


def test_the_warm_intro_masks_card_numbers_and_needs_no_name():
    facts = IntroFacts(about="the card 4111 1111 1111 1111 that was charged twice")
    u = warm_intro_text("de", agent_name="Sam", team="Abrechnung", facts=facts)
    assert "4111 1111 1111 1111" not in u.text and "1111" in u.text  # the last four stay
    assert u.text.startswith("Ich hole Sam aus unserem Abrechnung-Team dazu. Sam, der Kunde fragt nach the card")
    assert warm_intro_text("en", agent_name="Sam", team="billing", facts=intro_facts({"erased": True})).text == (
        "I'm bringing in Sam from our billing team.")
