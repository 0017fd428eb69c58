"""The first-word filter: what it reads from a pattern, and that it never skips a pattern that could match."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from handoff.core.decide import TriggerSettings, lexicon
from handoff.core.decide.anchors import Anchors, category_anchors, is_common, pattern_anchors
from handoff.core.decide.matchers import CategoryPatterns, _alternation, for_settings
from handoff.core.decide.normalize import normalize


@pytest.mark.parametrize("pattern, exact, prefixes", [
    (r"\bcancel\b", {"cancel"}, ()),
    (r"\b(?:charge|charges) (?:\w+ ){0,2}twice\b", {"charge", "charges"}, ()),
    (r"\bsuicid\w*", set(), ("suicid",)),
    (r"\bcancel(?: (?:please|pls))+$", {"cancel"}, ()),
    (r"\b(?:drei|vier) ?mal\b", {"drei", "vier", "dreimal", "viermal"}, ()),
    (r"\b(?:really )?cancel", {"really"}, ("cancel",)),  # no boundary after it: "cancellation" starts so
    (r"\b(?:hacked(?! up)|x)\b", {"hacked", "x"}, ()),
    (r"\b(?:\d|deux) fois\b", {"deux"}, tuple("0123456789")),
])
def test_first_words_read_from_a_pattern(pattern: str, exact: set[str], prefixes: tuple[str, ...]) -> None:
    assert pattern_anchors(pattern) == Anchors(frozenset(exact), prefixes)


@pytest.mark.parametrize("pattern", [
    r"cancel\b",  # no boundary first: a match may start inside a word
    r"\b\w+ cancel",  # any word first
    r"\b(?:a|b)*c",  # a repeat that may be empty
    r"\b~ cancel",  # a character normalised text never holds
    r"^cancel",
])
def test_patterns_whose_first_word_cannot_be_read_are_not_filtered(pattern: str) -> None:
    assert pattern_anchors(pattern) is None
    assert category_anchors([r"\bcancel\b", pattern]) is None
    assert is_common(None)


def test_a_message_without_the_first_words_is_not_admitted() -> None:
    a = category_anchors([r"\bcancel\b", r"\bsuicid\w*"])
    for text, admitted in [("please cancel it", True), ("suicidal thoughts", True), ("how do i export", False),
                           ("cancellation", False)]:
        tokens = text.split()
        assert a.admit(tokens, set(tokens)) is admitted, text


def _start(m: re.Match[str] | None) -> int | None:
    return m.start() if m else None


@pytest.mark.parametrize("category", sorted(lexicon.ALWAYS_HUMAN))
def test_every_category_finds_where_its_plain_alternation_does_on_its_own_phrases(category: str) -> None:
    patterns = [p for lang in ("en", "es", "fr", "de", "pt") for p in lexicon.ALWAYS_HUMAN[category].get(lang, [])]
    fast, plain = CategoryPatterns(patterns), _alternation(patterns)
    words = sorted({w for p in patterns for w in re.findall(r"[a-z]{2,}", p)})
    # each pattern's own words in a row, and the same amid others: the texts most likely to match
    texts = [" ".join(words[i:i + 6]) for i in range(0, len(words), 3)]
    texts += [f"hello i need help {t} thanks" for t in texts]
    assert any(plain.search(t) for t in texts)
    for t in texts:
        assert _start(fast.search(t)) == _start(plain.search(t)), t


_EXPLICIT = [p for lang in ("en", "es", "fr", "de", "pt") for p in lexicon.EXPLICIT.get(lang, [])]
_ALL = [p for d in lexicon.ALWAYS_HUMAN.values() for lang in ("en", "es", "fr", "de", "pt") for p in d.get(lang, [])]
_WORDS = sorted({w for p in _ALL + _EXPLICIT for w in re.findall(r"[a-z]{2,}", p)}) + ["i", "my", "a", "0", "3", "the"]
_BY_CATEGORY = {c: (CategoryPatterns(ps), _alternation(ps)) for c, ps in (
    (c, [p for lang in ("en", "es", "fr", "de", "pt") for p in d.get(lang, [])]) for c, d in lexicon.ALWAYS_HUMAN.items())}
_BY_CATEGORY["explicit requests"] = (CategoryPatterns(_EXPLICIT), _alternation(_EXPLICIT))  # "^" ones included


@hyp_settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=12))
def test_the_filter_never_skips_a_match(ws: list[str]) -> None:
    text = " ".join(ws)
    for category, (fast, plain) in _BY_CATEGORY.items():
        assert _start(fast.search(text)) == _start(plain.search(text)), category


def test_find_category_is_unchanged_by_the_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    """On a sample of the corpus and of the examples: the same category and words with the filter and without."""
    from pathlib import Path

    from handoff.core.decide.learned.build import corpus_files
    from handoff.core.formats.conversations import read_conversations

    root = Path(__file__).resolve().parents[4]
    convs = [c for p in [*corpus_files(), root / "examples" / "conversations.jsonl"] for c in read_conversations(p)]
    texts = [normalize(m.text) for c in convs[::14] for m in c.messages if m.role == "customer"]
    mx = for_settings(TriggerSettings())
    fast = [mx.find_category(t) for t in texts]
    monkeypatch.setattr(Anchors, "admit", lambda self, tokens, token_set: True)
    plain = [mx.find_category(t) for t in texts]
    assert sum(f is not None for f in fast) > 200  # the sample does hold categories
    assert [f and f[0] for f in fast] == [p and p[0] for p in plain]
    assert fast == plain
