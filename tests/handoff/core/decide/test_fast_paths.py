"""The engine's fast paths decide exactly as the plain code they replace.

The reference implementations below are the code as it was before the speed-up (normalisation running
every contraction and the NFKD pass, VADER's own polarity_scores, the model's rows found through `_rows` and
summed by fancy indexing, the state copied through dataclasses.replace). A sample of the shipped corpus and
every example conversation is stepped through the engine with the fast paths and again with the
references swapped in: every decision and every state must be the same. Comparing the two at run time
(not against a stored file) keeps this true when the lexicon or the model change.
"""
from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from handoff.core.formats.conversations import read_conversations
from handoff.core.decide import TriggerSettings, engine, initial_state, sentiment, step, turn_steps
from handoff.core.decide import normalize as norm_mod
from handoff.core.decide.learned import model as model_mod
from handoff.core.decide.learned.build import corpus_files
from handoff.core.decide.learned.examples import message_context
from handoff.core.decide.learned.features import fold, words
from handoff.core.decide.replay import context_for

ROOT = Path(__file__).resolve().parents[4]


# --- the references: the code before the speed-up -------------------------------------------------

def ref_strip_accents(text: str) -> str:
    text = text.translate(norm_mod._APOSTROPHES).lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def ref_normalize(text: str, *, typos: bool = True, max_chars: int = 4000) -> str:
    t = ref_strip_accents(text[:max_chars])
    for rx, repl in norm_mod._CONTRACTIONS:
        t = rx.sub(repl, t)
    t = norm_mod._NON_WORD.sub(" ", t)
    t = norm_mod._REPEATS.sub(r"\1", t)
    out: list[str] = []
    for tok in t.split():
        if tok in norm_mod._INTENSIFIERS:
            continue
        tok = norm_mod.SLANG.get(tok, tok)
        if typos and " " not in tok:
            tok = norm_mod.correct_token(tok)
        out.append(tok)
    return " ".join(out)


def ref_score(self: model_mod.IntentModel, text: str, context: list[str]) -> model_mod.Scores:
    rows, _ = self._rows(words(fold(text)), context)
    if not rows:
        return model_mod._NOTHING
    z = (self.stacked[rows].sum(axis=0) * (1.0 / math.sqrt(len(rows)))).tolist()
    k = len(self.intent.classes)

    def softmax(v: list[float], intercept: np.ndarray, temperature: float) -> list[float]:
        # in double precision, as the model's own: the float32 sums are what the fast path must not change
        x = [(a + b) / temperature for a, b in zip(v, intercept.tolist())]
        e = [math.exp(u - max(x)) for u in x]
        return [u / sum(e) for u in e]

    p_int = softmax(z[:k], self.intent.intercept, self.intent.temperature)
    p_top = softmax(z[k:], self.topic.intercept, self.topic.temperature)
    best, best_p = 0, -1.0
    for i, c in enumerate(self.intent.classes):
        if c != "none" and p_int[i] > best_p:
            best, best_p = i, p_int[i]
    ct = int(np.argmax(p_top))
    none = self.intent.classes.index("none") if "none" in self.intent.classes else -1
    escalate = 1.0 - p_int[none] if none >= 0 else p_int[best]
    return model_mod.Scores(self.intent.classes[best], p_int[best], escalate, self.topic.classes[ct],
                            p_top[ct], dict(zip(self.intent.classes, p_int)))


def ref_copy(state: engine.DecisionState) -> engine.DecisionState:
    return dataclasses.replace(
        state, reasons=list(state.reasons), sentiments=list(state.sentiments),
        frustration_points=list(state.frustration_points), customer_fps=list(state.customer_fps),
        ai_fps=list(state.ai_fps), weak={k: list(v) for k, v in state.weak.items()}, topics=list(state.topics),
        topic_scores=dict(state.topic_scores))


# --- the sample -------------------------------------------------------------------------------------

def _sample(every: int = 18) -> list:  # about 2,000 conversations of the corpus
    convs = list(read_conversations(ROOT / "examples" / "conversations.jsonl"))
    n = 0
    for path in corpus_files():
        for conv in read_conversations(path):
            if n % every == 0:
                convs.append(conv)
            n += 1
    return convs


SAMPLE = _sample()
TEXTS = [m.text for c in SAMPLE for m in c.messages]
EXTRA = [
    "I can't log in", "i cant log in and i wont wait", "you're not helping, it's broken", "It\u2019s GONE!!!",
    "Ich möchte kündigen, das ist unmöglich", "ﬁle not found — naïve café", "cancel ain't hard", "",
    "   ", "😡 this is terrible 😡", "WHY IS THIS SO SLOW", "plz get me a humn", "aaaaaargh nooooo",
    "It is kind of bad but not terrible", "no good", "x" * 5000, "don't do that, we'd rather wait",
]


def _trace(conv, settings: TriggerSettings) -> list:
    ctx = context_for(conv)
    st = initial_state()
    out = []
    for m in conv.messages:
        st, d = step(st, m, ctx, settings)
        out.append((d, st.to_json()))
    return out


@pytest.fixture
def references(monkeypatch: pytest.MonkeyPatch):
    """Swap the plain code in for the fast paths."""
    def use() -> None:
        monkeypatch.setattr(turn_steps, "normalize", ref_normalize)
        monkeypatch.setattr(engine, "copy_state", ref_copy)
        monkeypatch.setattr(sentiment, "strip_accents", ref_strip_accents)
        monkeypatch.setattr(sentiment, "_vader", sentiment._ANALYZER.polarity_scores)
        monkeypatch.setattr(model_mod.IntentModel, "score", ref_score)
    return use


@pytest.mark.parametrize("learned", [True, False], ids=["learned", "rules"])
def test_every_decision_and_state_is_the_same_with_the_plain_code(references, learned: bool) -> None:
    settings = TriggerSettings(learned={"enabled": learned})
    fast = [_trace(c, settings) for c in SAMPLE]
    references()
    plain = [_trace(c, settings) for c in SAMPLE]
    differ = [c.id for c, a, b in zip(SAMPLE, fast, plain) if a != b]
    assert not differ, f"{len(differ)} of {len(SAMPLE)} conversations decide differently: {differ[:10]}"
    assert any(d.handoff for t in fast for d, _ in t)  # the sample does escalate (the comparison means something)


def test_normalize_is_the_same_as_the_plain_code() -> None:
    for text in TEXTS + EXTRA:
        for typos in (True, False):
            assert norm_mod.normalize(text, typos=typos) == ref_normalize(text, typos=typos), text
        assert norm_mod.strip_accents(text) == ref_strip_accents(text), text


def test_vader_without_the_emoji_pass_gives_the_same_numbers() -> None:
    for text in TEXTS + EXTRA:
        for t in (text, text.upper(), f"  {text} !! "):
            assert sentiment._vader(t[:2000]) == sentiment._ANALYZER.polarity_scores(t[:2000]), t


def test_scoring_finds_the_same_rows_and_probabilities() -> None:
    model = model_mod.load()
    ctx = message_context(first_turn=False, page_kind="billing", ai_text="Sorry, could you tell me more?",
                          ai_confidence=0.5, ai_offer=True)
    for text in TEXTS + EXTRA:
        ws = words(fold(text))
        assert model.score_rows(ws, ctx) == model._rows(ws, ctx)[0], text
        assert model.score(text, ctx) == ref_score(model, text, ctx), text


def test_the_word_cache_stays_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_mod.load()
    monkeypatch.setattr(model_mod, "_WORD_CACHE", 50)
    model._word_rows.clear()
    for i in range(500):
        model.score(f"word{i} another{i} refund please", [])
    assert 0 < len(model._word_rows) <= 50
    assert model.score("refund please", []) == ref_score(model, "refund please", [])


def test_the_fast_copy_is_a_deep_enough_copy() -> None:
    st = engine.DecisionState(reasons=[{"trigger": "x"}], sentiments=[0.1], weak={"hedging": [1, "e", "d"]},
                              topic_scores={"billing": 0.5}, topics=["billing"])
    new = engine.copy_state(st)
    assert new == ref_copy(st) and new is not st
    new.sentiments.append(0.2)
    new.weak["hedging"].append("x")
    new.topic_scores["general"] = 1.0
    new.topics.append("technical")
    assert st.sentiments == [0.1] and st.weak == {"hedging": [1, "e", "d"]}
    assert st.topic_scores == {"billing": 0.5} and st.topics == ["billing"]


def test_contractions_without_an_apostrophe_are_still_expanded() -> None:
    assert norm_mod.normalize("i cant and i wont") == "i can not and i will not"
    assert re.search(r"\bcan not\b", norm_mod.normalize("I can't"))


def ref_text_features(ws: list[str]) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    for i, w in enumerate(ws):
        out.append(("w:" + w, i))
        padded = f" {w} "
        n_chars = len(padded)
        for n in (3, 4, 5):
            if n > n_chars:
                break
            for j in range(n_chars - n + 1):
                out.append((padded[j:j + n], i))
        if i:
            out.append(("b:" + ws[i - 1] + " " + w, i - 1))
    return out


def test_text_features_are_the_same_as_the_plain_code() -> None:
    from handoff.core.decide.learned.features import text_features

    for text in TEXTS + EXTRA + ["a", "ab", "a b c", "x y"]:
        ws = words(fold(text))
        assert text_features(ws) == ref_text_features(ws), text
