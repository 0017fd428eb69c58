"""The learned layer inside the engine: its reasons, topics, languages, and the rules beside it."""
from __future__ import annotations

from pathlib import Path

from handoff.core.decide import DecisionContext, TriggerSettings
from handoff.core.decide.categories import topic_for

from tests.handoff.core.decide.learned.conftest import tiny_model_file  # noqa: F401  (the fixture)
from tests.handoff.core.decide.test_engine import run, triggers

OFF = TriggerSettings(learned={"enabled": False})


def with_model(path: Path, **learned: object) -> TriggerSettings:
    return TriggerSettings(learned={"model_path": str(path), **learned})


def test_a_learned_reason_names_the_intent_the_message_and_the_words(tiny_model_file: Path) -> None:
    turns = [("customer", "hi, how do I rename a project"), ("ai", "Open it and click its name.", 0.9),
             ("customer", "thanks. also we are done, how do we stop paying?")]
    _, rules_only, _ = run(turns, settings=OFF)
    assert not rules_only.handoff  # the rules' phrasing misses it
    _, d, at = run(turns, settings=with_model(tiny_model_file))
    assert at == 2 and d.handoff and d.category == "cancellation" and d.topic == "cancellation"
    [r] = [r for r in d.reasons if r.trigger == "learned_intent"]
    assert r.message_index == 2 and r.evidence.startswith("thanks. also we are done")
    assert r.detail.startswith("cancellation (") and ('"paying"' in r.detail or '"stop"' in r.detail)


def test_the_threshold_and_switches_hold_the_layer_back(tiny_model_file: Path) -> None:
    turns = [("customer", "we are done, how do we stop paying?")]
    assert not run(turns, settings=with_model(tiny_model_file, threshold=0.999))[1].handoff
    assert not run(turns, settings=with_model(tiny_model_file, thresholds={"cancellation": 0.999}))[1].handoff
    off = TriggerSettings(learned={"model_path": str(tiny_model_file)}, always_human={"categories": ["legal"]})
    assert "learned_intent" not in triggers(run(turns, settings=off)[1])


def test_rules_still_fire_beside_the_layer(tiny_model_file: Path) -> None:
    _, d, _ = run([("customer", "I want to cancel my subscription")], settings=with_model(tiny_model_file))
    assert "always_human" in triggers(d) and d.category == "cancellation"


def test_language_is_detected_and_kept(tiny_model_file: Path) -> None:
    st, d, _ = run([("customer", "Hallo, wo finde ich die Rechnung für den letzten Monat?")], settings=OFF)
    assert d.language == "de" and st.language_sure
    _, d, _ = run([("customer", "Hallo, wo finde ich die Rechnung für den letzten Monat?")],
                  ctx=DecisionContext(language="pt-BR"), settings=OFF)
    assert d.language == "pt"  # what the bot says wins


def test_an_article_is_not_a_verb_in_german() -> None:
    # VADER reads "die" as the English verb: "Wo finde ich die Rechnung?" used to escalate as urgent frustration
    _, d, _ = run([("customer", "Wo finde ich die Rechnung?"), ("ai", "Unter Konto > Rechnungen.", 0.9),
                   ("customer", "Und wo finde ich die Rechnung vom März?")], settings=OFF)
    assert not d.handoff and (d.sentiment or 0) > -0.05


def test_hedging_is_heard_in_every_language() -> None:
    for hedge in ("creo que puede ser el navegador", "je pense que c'est peut-être le cache",
                  "ich glaube, vielleicht liegt es am Browser", "acho que talvez seja o navegador"):
        st, _, _ = run([("customer", "the export does not start"), ("ai", hedge, 0.9)], settings=OFF)
        assert "hedging" in st.weak, hedge


def test_topic_comes_from_the_category_then_the_evidence_then_the_page() -> None:
    assert topic_for("billing_dispute", {"technical": 3.0}) == "billing"
    assert topic_for("frustration", {"technical": 0.9, "general": 2.0}) == "technical"
    assert topic_for("frustration", {}, "billing") == "billing"
    assert topic_for("explicit_request", {}, None, ["account"]) == "account_access"
    assert topic_for("explicit_request", {}) == "general"


def test_a_frustrated_customer_on_the_billing_page_is_a_billing_case() -> None:
    turns = [("customer", "my card keeps failing", None, "https://app.example.com/settings/billing"),
             ("ai", "Please try again.", 0.9),
             ("customer", "this is ridiculous, it still does not work"),
             ("ai", "Please try again later.", 0.9),
             ("customer", "useless. absolutely useless")]
    _, d, _ = run(turns, settings=OFF)
    assert d.handoff and d.category == "frustration" and d.topic == "billing"


def test_the_customers_language_from_a_file_or_the_api_reaches_the_engine() -> None:
    from handoff.core.formats.conversations import Conversation
    from handoff.core.decide.replay import replay
    from handoff.core.models import Customer, Message

    conv = Conversation(id="x", messages=(Message("customer", "Hallo, wo finde ich die Rechnung für den letzten Monat?"),),
                        customer=Customer(language="pt-BR"))
    assert replay(conv, OFF).decision.language == "pt"


async def test_the_api_passes_the_customers_language(make_config) -> None:
    from handoff.bootstrap import build_runtime
    from handoff.core.models import Customer
    from handoff.app.turns import TurnInput
    from handoff.storage.tables import ConversationRow

    rt = build_runtime(make_config())
    try:
        await rt.service.post_message("lang", TurnInput(role="customer", text="Hallo, wo finde ich die Rechnung bitte?",
                                                        customer=Customer(language="fr")))
        with rt.sessions() as s:
            state = s.get(ConversationRow, "lang").state
        assert state["language"] is None  # given, so nothing was detected
    finally:
        rt.close()


def test_a_look_alike_guard_withdraws_the_layers_reason_for_its_intent() -> None:
    """The shipped model reads "kündige ... abo" as a cancellation (0.97 today); the rules' guard says only part of the plan."""
    from handoff.core.decide.learned.model import load
    from handoff.core.decide.matchers import for_settings
    from handoff.core.decide.normalize import normalize

    text = "wie kündige ich nur das Sportpaket, nicht das ganze Abo"
    shipped = TriggerSettings()
    scores = load().score(text, ["first_turn"])
    assert scores.intent == "cancellation" and scores.escalate_p >= shipped.learned.threshold
    assert for_settings(shipped).guarded(normalize(text), "cancellation")
    _, d, at = run([("customer", text)], settings=shipped)
    assert at is None and not d.handoff
    # a cancellation meant outright is not guarded, and the layer and the rules both fire
    _, d, at = run([("customer", "wie kündige ich mein ganzes Abo, ich will raus")], settings=shipped)
    assert at == 0 and "learned_intent" in triggers(d)


def test_an_illness_or_a_death_told_in_passing_is_not_a_sensitive_case() -> None:
    """With an account, a bill or a contract to settle it is; without the learned layer to tell, it always is."""
    passing = [("customer", "my husband passed three years ago and I live alone. the boiler is making a gurgling noise, "
                            "is that the pump?")]
    shipped = TriggerSettings()
    assert not run(passing, settings=shipped)[1].handoff
    for text, words in [("I've been in the hospital for two weeks and missed the payment deadline", '"missed"'),
                        ("my mum passed away and her subscription is still charging", '"subscription"'),
                        ("meine Frau ist verstorben und von ihrem Konto wird noch abgebucht", '"konto"')]:
        _, d, _ = run([("customer", text)], settings=shipped)
        assert d.handoff and d.category == "sensitive", text
        [r] = [r for r in d.reasons if r.trigger == "always_human"]
        assert r.detail.startswith("sensitive: ") and r.detail.endswith(f"with {words}"), r.detail
    _, d, _ = run(passing, settings=OFF)
    assert d.handoff and d.category == "sensitive"  # the rules alone cannot tell passing from matter
    anything = TriggerSettings(learned={"circumstance_threshold": 0.0})
    assert run(passing, settings=anything)[1].category == "sensitive"
    no_sensitive = TriggerSettings(always_human={"categories": ["legal"]}, learned={"enabled": False})
    assert not run(passing, settings=no_sensitive)[1].handoff
