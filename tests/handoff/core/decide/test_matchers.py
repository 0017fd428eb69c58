"""Phrase matching on held-out phrasings: requests for a human, look-alikes, always-human topics."""
import pytest

from handoff.core.decide import TriggerSettings
from handoff.core.decide.matchers import build, for_settings
from handoff.core.decide.normalize import normalize

M = for_settings(TriggerSettings())


def explicit(text: str) -> str | None:
    return M.find_explicit(normalize(text))


def category(text: str) -> str | None:
    hit = M.find_category(normalize(text))
    return hit[0] if hit else None


@pytest.mark.parametrize(
    "text",
    [
        "can I get a real person on this",
        "talk to sb from ur team",
        "agent pls",
        "let me speak with a human being",
        "is there anyone available to help me?",
        "could a member of your staff contact me",
        "pls transfer to agent",
        "I'd like to be assisted by a human",
        "stop the bot, I want a person",
        "put me through to someone who can actually help",
        "u are not helping, what can i do to talk to a person?",
        "Quiero hablar con un asesor",
        "Je voudrais parler à un conseiller",
        "Kann ich mit einem Mitarbeiter sprechen?",
        "Quero falar com um atendente",
        "HUMAIN",
        "humain j'ai dit",
        "hay alguien ahí que no sea un robot? tenemos el checkout caído",
        "kundenbetreuer pls, hab fragen zu meiner Steuerbescheinigung",
        "das sagst du seit 40 min. gib mir nen Menschen",
        "ok et sinon jpeux avoir qqn au tel ?",
        "nan laisse, passe moi qqun stp",
        "je veux appeler le service à la clientèle",
        "pouvez-vous transmettre ma demande à un responsable ?",
        "quero falar com uma pessoa de vdd",
        "ich möcht bitte mit der Pflegedienstleitung sprechen",
    ],
)
def test_explicit_requests(text: str) -> None:
    assert explicit(text)


@pytest.mark.parametrize(
    "text",
    [
        "how do I install the monitoring agent",
        "can the export show human-readable dates",
        "what is the user agent header",
        "my travel agent booked this",
        "agent version 3.2 keeps crashing",
        "we need 5 more agent licenses",
        "how do I assign a person to a task",
        "share the report with someone in finance",
        "can u ask an agent to track my shipment?",
        "I need to talk to my manager first",
        "how do I let customers chat with my agents",
        "I need a personal access token",
    ],
)
def test_look_alikes_are_not_requests(text: str) -> None:
    assert explicit(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("please deactivate my account", "cancellation"),
        ("I want my account deleted!", "cancellation"),
        ("i dont wan my accout, close it", "cancellation"),
        ("Quiero dar de baja mi cuenta", "cancellation"),
        ("Je veux supprimer mon compte", "cancellation"),
        ("Ich möchte mein Abo kündigen", "cancellation"),
        ("Quero encerrar minha conta", "cancellation"),
        ("I've been double billed", "billing_dispute"),
        ("there is a payment in the app that is not mine", "billing_dispute"),
        ("you charged me after I cancelled", "billing_dispute"),
        ("Me cobraron dos veces", "billing_dispute"),
        ("someone else made a purchase with my card", "fraud"),
        ("my card was cloned", "fraud"),
        ("i need to report fraud", "fraud"),
        ("someone hacked my account", "account_security"),
        ("i'm going to sue", "legal"),
        ("this is a GDPR request", "data_privacy"),
        ("I can't pay, I lost my job", "sensitive"),
        ("we want to renegotiate our contract", "enterprise_contract"),
        # imperative, colloquial and counted forms in the other languages
        ("résiliez mon abonnement à la salle, je déménage", "cancellation"),
        ("comment on fait pour ne plus être client chez vous ?", "cancellation"),
        ("che, cómo doy de baja esto, ya fue", "cancellation"),
        ("anulen mi póliza de vida por favor", "cancellation"),
        ("cancel pls", "cancellation"),
        ("me cobraron 3 veces la anualidad de la tarjeta", "billing_dispute"),
        ("3 fois 39,90 ce mois-ci avec votre nom", "billing_dispute"),
        ("des SMS+ à 4,99 par semaine sur ma facture, j'ai jamais souscrit à ça", "billing_dispute"),
        ("tem 34,90 de vcs no meu cartão e eu nem sou cliente", "billing_dispute"),
        ("ich hab nichts bestellt und ihr bucht 30 Euro ab", "billing_dispute"),
        ("gracias, pero hoy es distinto. pienso en hacerme daño", "sensitive"),
        ("j'ai envie de disparaître, elle me fait du chantage avec des photos", "sensitive"),
        ("ich will nicht mehr leben", "sensitive"),
        ("alguém tá me assediando pelo app, mesmo bloqueado", "sensitive"),
        ("i'm having chest pain and my left arm feels numb, should i book a video appointment?", "sensitive"),
        ("my mother just took a double dose of her heart medicine by mistake", "sensitive"),
        ("ich bekomme alle 5 Minuten einen Anmeldecode per SMS, ich hab keinen angefordert", "account_security"),
        ("Meldung 'neues Gerät verknüpft – iPhone 15'. ich hab ein Samsung", "account_security"),
        ("no puedo entrar, la contraseña es incorrecta y el 2fa no es el mío", "account_security"),
        ("je reçois des codes par sms que j'ai pas demandé", "account_security"),
        ("me vaciaron la billetera, hay 4 envíos a números que no conozco", "fraud"),
        ("levaram meu celular no ônibus e tem compras novas", "fraud"),
        ("c'est LUI qui a annulé 1h avant, pas moi. rendez-moi les 16 balles", "billing_dispute"),
        ("je paye pas 1200 pour un simple", "billing_dispute"),
        ("no pienso pagar eso", "billing_dispute"),
        ("zahl ich nicht, die Stornogebühr", "billing_dispute"),
        ("não vou pagar isso", "billing_dispute"),
        ("i'm not paying for that", "billing_dispute"),
        ("sí, y quiero devolver las tablets y dejar de pagar", "cancellation"),
        ("da igual la verdad. ya no sé para qué sigo, esta noche no creo que aguante", "sensitive"),
        ("je sais plus quoi faire, j'en peux plus de tout ça", "sensitive"),
        ("plusieurs invités sont malades après le buffet, une dame est aux urgences", "sensitive"),
        ("it opened, but these are not my results. it's a woman's name and her HIV test", "data_privacy"),
        ("me habéis mandado por email la ficha de otro alumno con su DNI", "data_privacy"),
        ("I'm here and there's smoke coming from the electronics room", "sensitive"),
        ("es gibt keine neue Adresse. wir müssen aus dem Vertrag raus, irgendwie", "cancellation"),
        ("can I get out of the remaining 8 weeks", "cancellation"),
    ],
)
def test_always_human_categories(text: str, expected: str) -> None:
    assert category(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "how do I cancel an order",
        "how do I delete a task",
        "how much do you charge per user",
        "how do I bill my customers twice a month",
        "where do I see my past payments",
        "export my data",
        "I hacked together a script using your API",
        "I was sick last week so I missed the webinar",
        "we are a law firm, what plan do you recommend",
        "my card expired, how do I update it",
        "what is the minimum payment on my bill",
        "cancel my order please",
        "no soy cliente todavía, ¿cuánto cuesta?",
        "je ne suis pas encore client, c'est combien ?",
        "nunca pedí factura en papel, ¿se puede digital?",
        "jamais commandé chez vous avant, la livraison est gratuite ?",
        "I set a double dose reminder in the app, how do I change the time",
        "wie erfasse ich einen Schlaganfall-Patienten im Formular",
        "comment annuler une commande",
        "où est le code promo que j'ai pas demandé ?",
        "je peux payer en 3 fois sans frais ?",
        "how does the refund process work?",
        "¿cómo puedo dejar de pagar en efectivo y pagar con tarjeta?",
        "si je paye pas ce mois-ci, il se passe quoi ?",
        "je ne paye pas de frais si je paye par virement ?",
        "how do I see another user's results as an admin?",
        "the fire alarm test is on friday, can we book the room",
        "how do I fire the webhook on a schedule",
        "das Terminal zeigt keine Zahlungen mehr an",  # a payment terminal: not a terminal illness
    ],
)
def test_look_alikes_are_not_categories(text: str) -> None:
    assert category(text) is None
    assert M.find_circumstance(normalize(text)) is None


def test_extra_phrases_and_negatives_come_from_settings() -> None:
    s = TriggerSettings.model_validate(
        {
            "explicit_request": {"extra_phrases": ["snakker med et menneske"], "extra_negatives": [r"\breal person mode\b"]},
            "always_human": {"extra_phrases": {"warranty": ["warranty claim"]}},
        }
    )
    m = build(s)
    assert m.find_explicit(normalize("Kan jeg snakker med et menneske?"))
    assert m.find_explicit(normalize("how do I turn on real person mode")) is None
    assert m.find_category(normalize("I want to file a warranty claim")) == ("warranty", "warranty claim")


def test_languages_can_be_limited() -> None:
    m = build(TriggerSettings(languages=["en"]))
    assert m.find_category(normalize("Ich möchte mein Abo kündigen")) is None


def test_disabled_category_does_not_match() -> None:
    m = build(TriggerSettings.model_validate({"always_human": {"categories": ["legal"]}}))
    assert m.find_category(normalize("please close my account")) is None
    assert m.find_category(normalize("my lawyer will call")) is not None


# --- the factored alternation finds what the plain one finds --------------------------------------

import re  # noqa: E402

from hypothesis import given, settings as hyp_settings, strategies as st  # noqa: E402

from handoff.core.decide import lexicon  # noqa: E402
from handoff.core.decide.matchers import Alternation, _alternation, _factored  # noqa: E402

TRICKY = [
    r"\b(?:charge|charges) (?:\w+ ){0,2}twice\b",
    r"\b(?:charge|charges) i (?:never|did not) (?:make|authori[sz]e)\b",
    r"\b(?:refund|money back)\b|\bchargeback\b",  # a top-level bar: two patterns, not "(?:refund...)(?:\b|\bch...)"
    r"\b(?:double)? ?billed\b",  # a quantified first group is not a head to share
    r"\b(?:[(]x|y)\) fee\b",  # a parenthesis inside a character set does not close the group
    r"\bunauthori[sz]ed\b",
]


def _starts(rx: re.Pattern[str] | Alternation | None, text: str) -> tuple[int, int] | None:
    m = rx.search(text) if rx is not None else None
    return (m.start(), m.end()) if m else None


def test_factored_handles_bars_quantified_heads_and_sets() -> None:
    plain, fast = _alternation(TRICKY), _factored(TRICKY)
    for text in ["they charge twice", "my charges i never made", "i want a chargeback", "refund please",
                 "billed", "double billed", "(x) fee", "y) fee", "an unauthorized one", "chargeback"]:
        assert _starts(fast, text) == _starts(plain, text), text
    assert fast.search("i want a chargeback").group(0) == "chargeback"
    assert _factored([r"\bfoo\b", r"bar"]).pattern == _alternation([r"\bfoo\b", r"bar"]).pattern  # not all at \b


_BILLING = [p for lang in ("en", "es", "fr", "de", "pt") for p in lexicon.ALWAYS_HUMAN["billing_dispute"][lang]]
_WORDS = sorted({w for p in _BILLING for w in re.findall(r"[a-z]{2,}", p)}) + ["i", "my", "the", "was", "0"]


@hyp_settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=14))
def test_factored_billing_patterns_match_where_the_plain_ones_do(ws: list[str]) -> None:
    text = " ".join(ws)
    fast, plain = _factored(_BILLING).search(text), _alternation(_BILLING).search(text)
    assert (fast and fast.start()) == (plain and plain.start())  # whether and where; the words may differ
