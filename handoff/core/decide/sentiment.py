"""Sentiment of a customer message, -1 (negative) .. 1 (positive), by a method valid for its language.

English: VADER's compound score. Spanish, French, German and Portuguese: the same compound formula over
word lists written for each language (handoff.core.decide.sentiment_lexicons), with negation and boosters, so an
English lexicon never reads another language ("die" is an article in German, not a verb).
"""
from __future__ import annotations

import math
import re

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from handoff.core.decide.normalize import strip_accents
from handoff.core.decide.sentiment_lexicons import BOOSTERS, LEXICONS, NEGATORS

# Building the analyzer loads its lexicon from disk: do it once per process.
_ANALYZER = SentimentIntensityAnalyzer()
_WORD = re.compile(r"[a-z]+")
_ALPHA = 15.0  # VADER's normalisation constant
_NEGATION_SPAN = 3
_BOOST = 0.3


def score(text: str, language: str | None = None) -> float:
    """Compound sentiment of `text` in `language` (en when unknown) from -1 to 1; 0 when empty."""
    if not text or not text.strip():
        return 0.0
    lexicon = LEXICONS.get(language or "en")
    if lexicon is None:
        return float(_ANALYZER.polarity_scores(text[:2000])["compound"])
    return _lexicon_score(text[:2000], language or "en", lexicon)


def _lexicon_score(text: str, language: str, lexicon: dict[str, float]) -> float:
    negators, boosters = NEGATORS[language], BOOSTERS[language]
    raw_words = text.split()
    loud = sum(1 for w in raw_words if len(w) > 2 and w.isupper() and w.isalpha())
    tokens = _WORD.findall(strip_accents(text))
    total = 0.0
    for i, tok in enumerate(tokens):
        v = lexicon.get(tok)
        if v is None and len(tok) > 3 and tok.endswith("s"):
            v = lexicon.get(tok[:-1])
        if v is None:
            continue
        before = tokens[max(0, i - _NEGATION_SPAN):i]
        if any(b in boosters for b in before[-1:]):
            v += _BOOST * (1 if v > 0 else -1) * 2
        if any(b in negators for b in before):
            v *= -0.74  # VADER's damped flip: "not good" is mildly bad, not very bad
        total += v
    if total:
        emphasis = min(text.count("!"), 4) * 0.292 + (0.733 if loud and loud * 2 >= max(len(raw_words), 1) else 0.0)
        total += emphasis if total > 0 else -emphasis
    return max(-1.0, min(1.0, total / math.sqrt(total * total + _ALPHA)))
