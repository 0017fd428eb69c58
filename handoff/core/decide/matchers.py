"""Compiled phrase matchers built once per settings object from the lexicon and the settings."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from handoff.core.decide import lexicon, lookalikes
from handoff.core.decide.anchors import category_anchors, is_common, pattern_anchors
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned import model as learned_model
from handoff.core.decide.normalize import normalize


_LONG_TEXT = 400


def _blank(rx: re.Pattern[str], text: str) -> str:
    out, n = rx.subn(" ~ ", text)
    # normalised text is single-spaced already: with nothing blanked there is nothing to tidy
    return _SPACES.sub(" ", out).strip() if n else text


_SPACES = re.compile(r"\s+")


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns))


class Alternation:
    """Patterns searched as one: those anchored at the start apart, tried only there.

    One "^" branch inside a big alternation makes re try every branch at every position of every message
    (the cancellation patterns went from 5 to 15 us a message with one); "^(?:a|b)" on its own is tried once.
    """

    __slots__ = ("_start", "_anywhere")

    def __init__(self, patterns: list[str]) -> None:
        start = [p[1:] for p in patterns if p.startswith("^")]
        anywhere = [p for p in patterns if not p.startswith("^")]
        self._start = re.compile("^(?:" + "|".join(f"(?:{p})" for p in start) + ")") if start else None
        self._anywhere = _factored(anywhere)

    def search(self, text: str) -> re.Match[str] | None:
        """The match at the start if an anchored pattern has one, else the leftmost of the others."""
        m = self._start.search(text) if self._start is not None else None
        if m is None and self._anywhere is not None:
            m = self._anywhere.search(text)
        return m


class CategoryPatterns:
    """A category's patterns in two alternations: those opening with rarer words, searched only when the message
    holds one of them, and those opening with common words ("i", "my", "how") or unreadably, searched whenever
    their own first words are there. Together they find the leftmost match the single alternation finds."""

    __slots__ = ("_buckets",)

    def __init__(self, patterns: list[str]) -> None:
        pieces = [piece for p in patterns for piece in _scan(p)[0]]
        read = [(piece, pattern_anchors(piece)) for piece in pieces]
        rare = [piece for piece, a in read if not is_common(a)]
        common = [piece for piece, a in read if is_common(a)]
        self._buckets = tuple((category_anchors(group), Alternation(group)) for group in (rare, common) if group)

    def search(self, text: str, tokens: list[str] | None = None, token_set: set[str] | None = None) -> re.Match[str] | None:
        """The leftmost match of any pattern (the rarer words' on a tie); `tokens`: the text's, if split already."""
        if tokens is None or token_set is None:
            tokens = text.split()
            token_set = set(tokens)
        best: re.Match[str] | None = None
        for anchors, rx in self._buckets:
            if anchors is not None and not anchors.admit(tokens, token_set):
                continue  # none of the words its matches start with
            m = rx.search(text)
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        return best


@lru_cache(maxsize=64)
def category_patterns(patterns: tuple[str, ...]) -> CategoryPatterns:
    """The CategoryPatterns of these patterns, built once per process: reading the first words of a lexicon's
    patterns costs ~0.1 s, and every settings object (each test's, each reload's) asks again."""
    return CategoryPatterns(list(patterns))


_WORD_START = "\\b"


def _scan(pattern: str) -> tuple[list[str], int | None]:
    """The pattern's top-level alternatives, and where its first group closes (None unless it opens one)."""
    pieces, first_close = [], None
    depth, start, i, n, in_set = 0, 0, 0, len(pattern), False
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if in_set:
            in_set = ch != "]"
        elif ch == "[":
            in_set = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and first_close is None:
                first_close = i + 1
        elif ch == "|" and depth == 0:
            pieces.append(pattern[start:i])
            start = i + 1
        i += 1
    pieces.append(pattern[start:])
    return pieces, first_close


def _split_head(piece: str) -> tuple[str, str]:
    """A "\\b(?:...)rest" piece as ("(?:...)", "rest"); any other piece as (itself without the "\\b", "")."""
    body = piece[len(_WORD_START):]
    if body.startswith("(?:"):
        _, close = _scan(body)
        if close is not None and (close == len(body) or body[close] not in "?*+{"):
            return body[:close], body[close:]
    return body, ""


def _factored(patterns: list[str]) -> re.Pattern[str] | None:
    """One alternation that finds the same leftmost match position as `_alternation(patterns)`, faster.

    When every pattern starts at a word boundary, the "\\b" is tested once per position instead of once per
    pattern, and patterns that open with the same word group ("(?:charge|charges|payment|...)", shared by
    dozens of billing patterns) share one test of it. At one position the first pattern of the first group
    that matches wins, so only the quoted words can differ from the plain alternation, never whether or where.
    """
    pieces = [piece for p in patterns for piece in _scan(p)[0]]  # "a|b" is the patterns "a" and "b", in order
    if not pieces or not all(p.startswith(_WORD_START) for p in pieces):
        return _alternation(patterns)
    groups: dict[str, list[str]] = {}
    for piece in pieces:
        head, rest = _split_head(piece)
        groups.setdefault(head, []).append(rest)
    branches = [head + ("(?:" + "|".join(f"(?:{r})" for r in rests) + ")" if any(rests) else "")
                for head, rests in groups.items()]
    return re.compile(_WORD_START + "(?:" + "|".join(f"(?:{b})" for b in branches) + ")")


def _alternation_split(patterns: list[str]) -> Alternation | None:
    return Alternation(patterns) if patterns else None


def _phrases_to_patterns(phrases: list[str]) -> list[str]:
    """Plain phrases from settings become whole-word patterns on their normalised form."""
    out = []
    for phrase in phrases:
        norm = normalize(phrase, typos=False)
        if norm:
            out.append(r"\b" + re.escape(norm) + r"\b")
    return out


@dataclass(frozen=True)
class Matchers:
    """Every compiled pattern the engine needs."""

    explicit: CategoryPatterns | None
    explicit_negatives: re.Pattern[str] | None
    # (name, its patterns filtered by their first words, each pattern apart for long text)
    categories: tuple[tuple[str, CategoryPatterns, tuple[re.Pattern[str], ...]], ...]
    frustration_strong: Alternation | None
    frustration_mild: re.Pattern[str] | None
    pushback: Alternation | None
    hedges: re.Pattern[str] | None
    ai_failure: re.Pattern[str] | None
    closers: re.Pattern[str]
    ai_offer: re.Pattern[str]
    page_cancellation: re.Pattern[str] | None
    page_billing: re.Pattern[str] | None
    topics: tuple[tuple[str, re.Pattern[str]], ...]
    intent_model: learned_model.IntentModel | None = None
    # category -> its look-alike guard (lookalikes.CATEGORY_LOOKALIKES), tried only after the category hit
    category_guards: dict[str, re.Pattern[str]] = field(default_factory=dict)
    explicit_guard: re.Pattern[str] | None = None  # lookalikes.EXPLICIT_LOOKALIKES, tried only after a hit
    circumstances: CategoryPatterns | None = None  # lexicon.SENSITIVE_CIRCUMSTANCES, when "sensitive" is on
    circumstance_matters: re.Pattern[str] = re.compile(lexicon.CIRCUMSTANCE_MATTERS)

    def find_category(self, text: str) -> tuple[str, str] | None:
        """The first always-human category whose pattern matches outside a look-alike context, with its words."""
        long = len(text) > _LONG_TEXT
        tokens = text.split()
        token_set = set(tokens)
        for name, combined, parts in self.categories:
            # Short text: the filtered alternations are fastest. Long text: one search per pattern, because
            # an alternation retries every pattern at every position and backtracks far more.
            for rx in parts if long else (combined,):
                m = self._unguarded(name, rx, text, tokens, token_set)
                if m:
                    return name, m.group(0)
        return None

    def find_circumstance(self, text: str) -> str | None:
        """The words of an illness or a bereavement the message tells of, outside the "sensitive" look-alikes."""
        if self.circumstances is None:
            return None
        tokens = text.split()
        m = self._unguarded("sensitive", self.circumstances, text, tokens, set(tokens))
        return m.group(0) if m else None

    def _unguarded(self, name: str, rx: CategoryPatterns | re.Pattern[str], text: str, tokens: list[str],
                   token_set: set[str]) -> re.Match[str] | None:
        """A match of `rx` that is still there once the look-alikes of category `name` are blanked out."""
        m = _search(rx, text, tokens, token_set)
        guard = self.category_guards.get(name)
        if m is not None and guard is not None and guard.search(text):
            # blanking only removes words, so the original's tokens still admit whatever could match
            m = _search(rx, _blank(guard, text), tokens, token_set)
        return m

    def guarded(self, text: str, intent: str) -> bool:
        """Whether a look-alike guard of `intent` matches `text`: the learned layer's reason for it is withdrawn."""
        guard = self.explicit_guard if intent == "explicit_request" else self.category_guards.get(intent)
        return guard is not None and guard.search(text) is not None

    def find_explicit(self, text: str) -> str | None:
        """The words of an explicit request for a human, once look-alikes are blanked out."""
        if self.explicit is None:
            return None
        negatives = self.explicit_negatives
        m = self.explicit.search(_blank(negatives, text) if negatives is not None else text)
        guard = self.explicit_guard
        if m is not None and guard is not None and guard.search(text):
            # only after a hit, so the look-alike guards cost nothing on the other messages; on the original
            # text, since a shorter negative ("my customers") would hide the look-alike's first words
            text = _blank(guard, text)
            m = self.explicit.search(_blank(negatives, text) if negatives is not None else text)
        return m.group(0) if m else None


def _search(rx: CategoryPatterns | re.Pattern[str], text: str, tokens: list[str], token_set: set[str]) -> re.Match[str] | None:
    return rx.search(text, tokens, token_set) if isinstance(rx, CategoryPatterns) else rx.search(text)


def build(settings: TriggerSettings) -> Matchers:
    """Compile the shipped lexicon (for the configured languages) plus the settings' phrases."""
    langs = [lang for lang in settings.languages]
    er = settings.explicit_request
    explicit = [p for lang in langs for p in lexicon.EXPLICIT.get(lang, [])]
    explicit += er.extra_patterns + _phrases_to_patterns(er.extra_phrases)
    negatives = lexicon.EXPLICIT_NEGATIVES + er.extra_negatives

    ah = settings.always_human
    cats: list[tuple[str, CategoryPatterns, tuple[re.Pattern[str], ...]]] = []
    names = list(ah.categories) + [c for c in {**ah.extra_phrases, **ah.extra_patterns} if c not in ah.categories]
    for name in names:
        pats = [p for lang in langs for p in lexicon.ALWAYS_HUMAN.get(name, {}).get(lang, [])]
        pats += ah.extra_patterns.get(name, []) + _phrases_to_patterns(ah.extra_phrases.get(name, []))
        if pats:
            cats.append((name, category_patterns(tuple(pats)), tuple(re.compile(p) for p in pats)))

    sensitive_on = ah.enabled and "sensitive" in ah.categories
    circumstances = [p for lang in langs for p in lexicon.SENSITIVE_CIRCUMSTANCES.get(lang, [])] if sensitive_on else []
    fr = settings.frustration
    pc = settings.page_context
    return Matchers(
        explicit=category_patterns(tuple(explicit)) if er.enabled and explicit else None,
        explicit_negatives=_alternation(negatives),
        categories=tuple(cats) if ah.enabled else (),
        frustration_strong=_alternation_split(lexicon.FRUSTRATION_STRONG + _phrases_to_patterns(fr.extra_strong)),
        frustration_mild=_alternation(lexicon.FRUSTRATION_MILD + _phrases_to_patterns(fr.extra_mild)),
        pushback=_alternation_split(lexicon.PUSHBACK),
        hedges=_alternation(lexicon.HEDGES + _phrases_to_patterns(settings.hedging.extra_phrases)),
        ai_failure=_alternation(lexicon.AI_FAILURE),
        closers=re.compile(lexicon.AI_CLOSERS),
        ai_offer=re.compile(lexicon.AI_OFFER),
        page_cancellation=_alternation(lexicon.PAGE_PATTERNS["cancellation"] + pc.cancellation_patterns),
        page_billing=_alternation(lexicon.PAGE_PATTERNS["billing"] + pc.billing_patterns),
        topics=tuple((name, re.compile("|".join(p))) for name, p in lexicon.TOPICS.items()),
        explicit_guard=_alternation(lookalikes.EXPLICIT_LOOKALIKES),
        category_guards={name: rx for name, rx in
                         ((n, _alternation(lookalikes.CATEGORY_LOOKALIKES.get(n, []))) for n, _, _ in cats) if rx is not None},
        intent_model=learned_model.load(settings.learned.model_path) if settings.learned.enabled else None,
        circumstances=category_patterns(tuple(circumstances)) if circumstances else None,
    )


_CACHE: dict[int, tuple[TriggerSettings, Matchers]] = {}


def for_settings(settings: TriggerSettings) -> Matchers:
    """The matchers of a settings object, compiled on first use (settings are treated as immutable)."""
    hit = _CACHE.get(id(settings))
    if hit is not None and hit[0] is settings:
        return hit[1]
    m = build(settings)
    if len(_CACHE) > 16:
        _CACHE.clear()
    _CACHE[id(settings)] = (settings, m)
    return m
