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


# The name of a place, a song or a film says nothing of the customer's mood: "a restaurant called ugly duckling",
# "the song is called Bad Habit", "ein Film namens Stirb langsam" scored -0.5. Dropped when a noun of such a thing
# introduces it (not "I called twice and the agent was terrible", not "I was called an idiot"), up to five words,
# stopping at a clause ("my app is called Dead Notes and it crashes, this is awful" stays negative).
_NAMED_THINGS = (
    r"(?:restaurants?|hotels?|guesthouse|hostel|place|bar|pub|cafe|café|museum|gallery|song|track|album|band|artist|"
    r"singer|film|movie|show|series|book|novel|game|app|event|play|musical|shop|store|brand|street|venue|attraction|"
    r"theatre|theater|club|gym|salon|restaurante|canci[oó]n|pel[ií]cula|libro|juego|tienda|calle|lugar|sitio|chanson|"
    r"livre|jeu|boutique|rue|lieu|salle|lied|buch|spiel|laden|stra(?:ß|ss)e|m[uú]sica|filme|livro|jogo|loja|rua)"
)
_NAMING = (r"(?:called|named|titled|entitled|llamad[oa]|se llama|appel[ée]e?|intitul[ée]e?|s'appelle|namens|"
           r"hei(?:ß|ss)t|chamad[oa]|se chama)")
_NAMED = re.compile(
    r"\b" + _NAMED_THINGS + r"(?:\s+(?:is|was|'s|que|qui|es|est|ist|é))?\s+" + _NAMING + r"\s+[\"'“«„]?"
    r"((?:(?!(?:and|but|because|which|y|pero|porque|et|mais|und|aber|weil|mas)\b)[^\s.,;:!?\"”»“]+\s*){1,5})",
    re.IGNORECASE)


# the naming words' stems, looked for first as plain substrings: most messages have none, and the whole pattern
# cost 25 µs a message (a case-insensitive search for the stems alone, 10)
_NAMING_STEMS = ("called", "named", "titled", "llama", "appel", "intitul", "namens", "heißt", "heisst", "chama")


def _without_names(text: str) -> str:
    low = text.lower()
    if not any(stem in low for stem in _NAMING_STEMS):
        return text
    return _NAMED.sub(lambda m: m.group(0)[: m.start(1) - m.start(0)], text)


def score(text: str, language: str | None = None) -> float:
    """Compound sentiment of `text` in `language` (en when unknown) from -1 to 1; 0 when empty."""
    if not text or not text.strip():
        return 0.0
    rest = _ANSWER_NO.sub("", text, count=1)
    if rest.strip(" \t\n,.;:!?"):
        text = rest
    text = _without_names(text)
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
