"""Training, the model file and scoring with explanations."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned import model as learned_model
from handoff.core.decide.learned.examples import Example, all_examples, intent_of
from handoff.core.decide.learned.probes import page_and_offer
from handoff.core.decide.learned.train import TrainOptions, fit, to_bytes

from tests.handoff.core.decide.learned.conftest import tiny_corpus

CTX = ["~first", "~page:none", "~conf:none"]


def test_scores_an_unseen_phrasing_and_explains_with_its_words(tiny_model_file: Path) -> None:
    m = learned_model.load(str(tiny_model_file))
    s = m.score("ok we're done, how can I stop paying for this", CTX)
    assert s.intent == "cancellation" and s.escalate_p > 0.5
    words = m.explain("ok we're done, how can I stop paying for this", CTX, "cancellation")
    assert "paying" in words or "stop" in words
    routine = m.score("where do I change the notification settings", CTX)
    assert routine.escalate_p < 0.5


def test_explanation_shows_the_customers_spelling(tiny_model_file: Path) -> None:
    m = learned_model.load(str(tiny_model_file))
    assert "Paying" in m.explain("STOP Paying, we're DONE", CTX, "cancellation") or \
        "STOP" in m.explain("STOP Paying, we're DONE", CTX, "cancellation")


def test_probabilities_are_a_distribution(tiny_model_file: Path) -> None:
    s = learned_model.load(str(tiny_model_file)).score("real human please", CTX)
    assert abs(sum(s.probabilities.values()) - 1.0) < 1e-4
    assert s.escalate_p == pytest.approx(1 - s.probabilities["none"], abs=1e-6)


def test_same_corpus_gives_the_same_bytes() -> None:
    page_kind, ai_offer = page_and_offer(TriggerSettings())
    ex = all_examples(tiny_corpus(), page_kind, ai_offer)
    a, _ = fit(ex, TrainOptions(c=20.0, min_count=1))
    b, _ = fit(ex, TrainOptions(c=20.0, min_count=1))
    assert to_bytes(a) == to_bytes(b)
    assert gzip.decompress(to_bytes(a)).startswith(learned_model.MAGIC)


def test_a_file_of_another_format_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json.gz"
    bad.write_bytes(gzip.compress(json.dumps({"format": "something-else"}).encode()))
    with pytest.raises(ValueError, match="not a Handoff intent model"):
        learned_model.load(str(bad))
    garbage = tmp_path / "garbage.json.gz"
    garbage.write_bytes(b"\x1f\x8bnot gzip at all")
    with pytest.raises(ValueError, match="not a readable intent model"):
        learned_model.load(str(garbage))


def test_training_needs_two_intents() -> None:
    only = [Example(("w:x",), "none", None, "c", 0, "x")]
    with pytest.raises(ValueError, match="at least two intents"):
        fit(only)


def test_label_categories_map_to_intents() -> None:
    assert intent_of("security") == "fraud" and intent_of("privacy") == "data_privacy"
    assert intent_of("routine") == "none" and intent_of("loop") is None and intent_of("made_up") is None


def test_the_shipped_model_loads_and_catches_plain_requests() -> None:
    m = learned_model.load()
    assert m.meta.get("features", 0) > 1000
    for text in ("I want to speak to a human", "quiero hablar con una persona", "je veux parler à un humain",
                 "ich möchte mit einem Menschen sprechen", "quero falar com um atendente"):
        s = m.score(text, CTX)
        assert s.intent == "explicit_request" and s.escalate_p >= 0.5, (text, s)


def test_a_fit_started_from_an_earlier_model_reaches_the_same_model() -> None:
    """Warm start (a team's history added to the shipped corpus) changes where the solver starts, not where it
    ends: the problem is convex, so the refit scores every example as the cold fit does."""
    page_kind, ai_offer = page_and_offer(TriggerSettings())
    opts = TrainOptions(c=20.0, min_count=1, tol=1e-8, warm_topic_tol=1e-8)
    corpus = tiny_corpus()
    _, earlier = fit(all_examples(corpus[::2], page_kind, ai_offer), opts)  # fitted on half: a different optimum
    ex = all_examples(corpus, page_kind, ai_offer)
    _, cold = fit(ex, opts)
    _, warm = fit(ex, opts, start=earlier)
    for e in ex:
        context = [f for f in e.features if f.startswith("~")]
        a, b = cold.score(e.text, context), warm.score(e.text, context)
        assert (a.intent, a.topic) == (b.intent, b.topic)
        assert a.escalate_p == pytest.approx(b.escalate_p, abs=0.02)


def test_repeated_examples_fit_as_one_weighted_row() -> None:
    """Merging repeats into sample weights is the same loss: the weights of the fit do not change."""
    import numpy as np

    from handoff.core.decide.learned import train as train_mod

    page_kind, ai_offer = page_and_offer(TriggerSettings())
    ex = all_examples(tiny_corpus(), page_kind, ai_offer)
    repeated = ex + ex[:7] * 5 + ex[-3:] * 2  # "thanks that worked" and "agent please" come back often
    opts = TrainOptions(c=20.0, min_count=1, tol=1e-10)
    design = train_mod._design(repeated, 1)
    everything = list(range(len(repeated)))
    picks, weights = train_mod._merged(everything, [e.intent for e in repeated], design.row_of)
    assert picks == list(range(len(ex))) and sum(weights) == len(repeated) and weights[0] == 6.0
    plain = train_mod._fit(design.matrix(everything), [e.intent for e in repeated],
                           ("none", "cancellation", "explicit_request"), opts)
    merged = train_mod._fit(design.matrix(picks), [repeated[i].intent for i in picks],
                            ("none", "cancellation", "explicit_request"), opts, weights=weights)
    np.testing.assert_allclose(merged[0], plain[0], atol=1e-3)
    np.testing.assert_allclose(merged[1], plain[1], atol=1e-3)


def test_an_explanation_never_quotes_a_number() -> None:
    """The shipped model once explained a dispute with "4111", the first digits of the customer's card number."""
    m = learned_model.load()
    text = "Charged twice on 4111 1111 1111 1111, pw hunter2. Human now!"
    scores = m.score(text, CTX)
    words = m.explain(text, CTX, scores.intent, k=8)
    assert words and not any(ch.isdigit() for w in words for ch in w)


def test_routine_messages_are_also_learned_joined_into_one_long_message() -> None:
    """Written escalations run long: the routine messages said at once teach that length is not a reason."""
    from handoff.core.formats.conversations import Conversation, Label
    from handoff.core.models import Message

    first = "hi, I moved house last month and want to update the delivery address on my weekly veg box"
    second = "also can the box come on thursdays instead of mondays from now on, we are out on mondays"
    msgs = (Message("customer", first), Message("ai", "Done: Settings, Address.", confidence=0.9),
            Message("customer", second), Message("ai", "Thursdays it is.", confidence=0.9),
            Message("customer", "and please cancel my subscription, we are leaving"))
    page_kind, ai_offer = page_and_offer(TriggerSettings())
    routine = Conversation(id="r", messages=msgs[:4], label=Label(False, None, "routine", "general"))
    leaving = Conversation(id="e", messages=msgs, label=Label(True, 4, "cancellation", "cancellation"))
    for conv in (routine, leaving):
        ex = all_examples([conv], page_kind, ai_offer)
        joined = [e for e in ex if e.text == f"{first} {second}"]
        assert len(joined) == 1 and joined[0].intent == "none" and "~first" in joined[0].features, conv.id
    assert [e.intent for e in all_examples([leaving], page_kind, ai_offer, join_routine=False)] == \
        ["none", "none", "cancellation"]
    short = Conversation(id="s", messages=(Message("customer", "hi"), Message("ai", "Hello!", confidence=0.9),
                                           Message("customer", "thanks")), label=Label(False, None, "routine"))
    assert len(all_examples([short], page_kind, ai_offer)) == 2  # too short to say anything about length


def test_the_design_matrix_is_the_plain_one_with_repeats_sharing_a_row() -> None:
    """Vectorised once for both heads: the vocabulary keeps features seen in `min_count` examples (repeats
    counted), the most frequent first; each example's row is its binary features over the square root of how
    many it has; the model file lists the features sorted whatever order the solver had them in."""
    import numpy as np

    from handoff.core.decide.learned import train as train_mod
    from handoff.core.decide.learned.examples import Example

    def ex(intent: str, *features: str) -> Example:
        return Example(tuple(features), intent, None, "c", 0, "")

    examples = [ex("none", "w:b", "w:a", "w:rare"), ex("cancellation", "w:a", "w:c"), ex("none", "w:b", "w:a", "w:rare"),
                ex("none", "w:once"), ex("cancellation", "w:c"), ex("cancellation", "w:c")]
    design = train_mod._design(examples, 2)
    assert design.vocabulary == ["w:a", "w:c", "w:b", "w:rare"]  # "w:rare" twice, by one repeated example
    assert design.row_of.tolist() == [0, 1, 0, 2, 3, 3]
    dense = design.matrix(range(len(examples))).toarray()
    third, half = 1 / np.sqrt(3), 1 / np.sqrt(2)
    np.testing.assert_allclose(dense, [[third, 0, third, third], [half, half, 0, 0], [third, 0, third, third],
                                       [0, 0, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0]])
    data, model = train_mod.fit(examples, TrainOptions(min_count=2, calibration_share=0.0))
    assert data["vocabulary"] == sorted(data["vocabulary"]) and set(data["vocabulary"]) <= set(design.vocabulary)
    w, classes = model.intent.weights, model.intent.classes
    none, cancel = classes.index("none"), classes.index("cancellation")
    for feature, side in (("w:c", 1), ("w:b", -1), ("w:rare", -1)):  # each weight stayed with its own feature
        row = w[model.vocabulary[feature]]
        assert side * (row[cancel] - row[none]) > 0


def test_examples_repeat_nothing_between_runs_and_keep_no_cache() -> None:
    """Each distinct message is featurised once within a run; the caches are emptied after it, and a run on a
    repeated history gives each copy the same features as the first."""
    from handoff.core.decide.learned import examples as ex_mod

    page_kind, ai_offer = page_and_offer(TriggerSettings())
    corpus = tiny_corpus()
    once = all_examples(corpus, page_kind, ai_offer)
    twice = all_examples(corpus + corpus, page_kind, ai_offer)
    assert twice == once + once
    assert ex_mod._message_features.cache_info().currsize == 0 and ex_mod._context.cache_info().currsize == 0
