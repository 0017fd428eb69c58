"""Sentiment of a customer message, -1 (negative) .. 1 (positive), by a method valid for its language.

English: VADER's compound score. Spanish, French, German and Portuguese: the same compound formula over
word lists written for each language (handoff.core.decide.sentiment_lexicons), with negation and boosters, so an
English lexicon never reads another language ("die" is an article in German, not a verb).
"""
from __future__ import annotations

import math
import re

from vaderSentiment.vaderSentiment import BOOSTER_DICT, SentimentIntensityAnalyzer, SentiText

from handoff.core.decide.normalize import strip_accents
from handoff.core.decide.sentiment_lexicons import BOOSTERS, LEXICONS, NEGATORS

# Building the analyzer loads its lexicon from disk: do it once per process.
_ANALYZER = SentimentIntensityAnalyzer()
_WORD = re.compile(r"[a-z]+")
_ALPHA = 15.0  # VADER's normalisation constant
_NEGATION_SPAN = 3
_BOOST = 0.3


# A leading "no" answers the bot's question ("No, make it Thursday", "No I think that's everything"): it says
# nothing of the customer's mood, but VADER scores it and lets it negate the next words ("No I'd like ..." came out
# at -0.51). Dropped when a comma or stop follows it, or, in English, a word that starts a new clause.
_ANSWER_NO = re.compile(
    r"^\s*(?:no+|nope|nah|non|nein|nee|nao|não)\s*(?:[,.;:!]+\s*|\s+(?=(?:i|i'd|i'm|i'll|i've|id|im|we|we'd|we're|"
    r"it's|its|that's|thats|thanks|thank|just|please|actually|the|a|an|let's|lets|make|go|issues?|"
    r"problems|worries)\b))", re.IGNORECASE)


def score(text: str, language: str | None = None) -> float:
    """Compound sentiment of `text` in `language` (en when unknown) from -1 to 1; 0 when empty."""
    if not text or not text.strip():
        return 0.0
    rest = _ANSWER_NO.sub("", text, count=1)
    if rest.strip(" \t\n,.;:!?"):
        text = rest
    lexicon = LEXICONS.get(language or "en")
    if lexicon is None:
        return float(_vader(text[:2000])["compound"])
    return _lexicon_score(text[:2000], language or "en", lexicon)


# VADER's emoji lexicon has no ASCII character, so ASCII text has no emoji to describe
_NO_ASCII_EMOJI = not any(k.isascii() for k in _ANALYZER.emojis)


def _vader(text: str) -> dict[str, float]:
    """VADER's polarity_scores, the same numbers; ASCII text skips its per-character emoji pass.

    The body after that pass is polarity_scores' own (vaderSentiment 3.3.2, MIT licence, C.J. Hutto):
    the pass rebuilds the text one character at a time, which was most of VADER's cost on a long message.
    """
    if not (_NO_ASCII_EMOJI and text.isascii()):
        return _ANALYZER.polarity_scores(text)
    text = text.strip()  # what the emoji pass returns when it finds none
    sentitext = SentiText(text)
    sentiments: list[float] = []
    wes = sentitext.words_and_emoticons
    for i, item in enumerate(wes):
        lower = item.lower()
        if lower in BOOSTER_DICT:
            sentiments.append(0)
            continue
        if i < len(wes) - 1 and lower == "kind" and wes[i + 1].lower() == "of":
            sentiments.append(0)
            continue
        sentiments = _ANALYZER.sentiment_valence(0, sentitext, item, i, sentiments)
    sentiments = _ANALYZER._but_check(wes, sentiments)
    return _ANALYZER.score_valence(sentiments, text)


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
