"""The learned layer's features: folding, n-grams with the word they came from, context."""
from handoff.core.decide.learned.features import ai_features, context_features, feature_names, fold, text_features, words


def test_fold_removes_case_accents_digits_and_long_runs() -> None:
    assert fold("Ich möchte KÜNDIGEN!!! Straße 12") == "ich mochte kundigen strasse 00"
    assert fold("Nooooo") == "noo"
    assert fold("contraseña") == "contrasena"


def test_text_features_credit_each_gram_to_its_word() -> None:
    feats = text_features(words(fold("stop paying")))
    assert ("w:stop", 0) in feats and ("w:paying", 1) in feats
    assert ("b:stop paying", 0) in feats  # a bigram counts for its first word
    assert (" st", 0) in feats and ("ing ", 1) in feats  # char n-grams inside word boundaries
    assert not any(" " in f.strip() and not f.startswith("b:") for f, _ in feats)  # no gram spans two words


def test_ai_features_are_prefixed_unique_and_bounded() -> None:
    feats = ai_features("Sure sure, " + "word " * 100)
    assert feats[0] == "a:sure" and len(feats) == len(set(feats)) and len(feats) <= 40
    assert all(f.startswith("a:") for f in feats)


def test_context_features_bucket_confidence_and_name_the_page() -> None:
    ctx = context_features(first_turn=False, page_kind="billing", ai_confidence=0.55, ai_offer=True, previous_intent=None)
    assert ctx == ["~later", "~page:billing", "~conf:low", "~offer"]
    assert "~conf:none" in context_features(first_turn=True, page_kind=None, ai_confidence=None, ai_offer=False,
                                            previous_intent=None)


def test_feature_names_are_text_features_without_positions() -> None:
    """Training uses the position-free list: it must be the same features in the same order as the engine's."""
    for text in ("stop paying", "Ich möchte KÜNDIGEN!!! Straße 12", "a", "", "quiero hablar con una persona ya"):
        ws = words(fold(text))
        assert feature_names(ws) == [f for f, _ in text_features(ws)]
