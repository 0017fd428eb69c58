"""Features of the learned intent layer: the same pure function at training and at run time.

A customer message becomes a set of string features: character 3-5-grams inside each word (robust to
typos, inflection and the five languages' morphology), word unigrams and bigrams, and a few context
features (first turn, the page, the AI's last confidence and words, the previous turn's intent).
Binary features, L2-normalised by the model: a message's length does not decide its score.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NON_WORD = re.compile(r"[^a-z0-9]+")
_DIGIT = re.compile(r"[0-9]")
_REPEATS = re.compile(r"([a-z])\1{2,}")
_FOLD = str.maketrans({"\u00df": "ss", "\u0153": "oe", "\u00e6": "ae", "\u00f8": "o", "\u0142": "l", "\u2019": "'"})
MAX_CHARS = 600  # what decides the intent is near the start; long pastes cost no more than this
AI_WORDS = 40  # words of the AI's last reply kept as context
CHAR_N = (3, 4, 5)


def fold(text: str) -> str:
    """Lower case, accents and ligatures removed, digits as 0, runs of 3+ letters cut to 2."""
    t = text[:MAX_CHARS].lower()
    if not t.isascii():  # most chat text is ASCII: skip the per-character work then
        t = unicodedata.normalize("NFKD", t.translate(_FOLD))
        t = "".join(c for c in t if not unicodedata.combining(c))
    t = _REPEATS.sub(r"\1\1", t)
    t = _DIGIT.sub("0", t)
    return _NON_WORD.sub(" ", t).strip()


def words(folded: str) -> list[str]:
    """The words of folded text."""
    return folded.split()


def text_features(ws: list[str]) -> list[tuple[str, int]]:
    """Every (feature, word position) of a message's words; a bigram is credited to its first word."""
    out: list[tuple[str, int]] = []
    for i, w in enumerate(ws):
        out.extend([(g, i) for g in _word_grams(w)])
        if i:
            out.append(("b:" + ws[i - 1] + " " + w, i - 1))
    return out


def feature_names(ws: list[str]) -> list[str]:
    """The features of `text_features` without their positions, in the same order (what training needs)."""
    out: list[str] = []
    prev: str | None = None
    for w in ws:
        out.extend(_word_grams(w))
        if prev is not None:
            out.append("b:" + prev + " " + w)
        prev = w
    return out


@lru_cache(maxsize=1 << 15)  # training featurises every word of a corpus: the frequent ones once
def _word_grams(w: str) -> tuple[str, ...]:
    """A word's own features in order: the word, then its character 3-, 4- and 5-grams (padded)."""
    out = ["w:" + w]
    padded = f" {w} "
    n_chars = len(padded)
    for n in CHAR_N:
        if n > n_chars:
            break
        for j in range(n_chars - n + 1):
            out.append(padded[j:j + n])
    return tuple(out)


def ai_features(ai_text: str) -> list[str]:
    """Context features from the AI's last reply: its first words, prefixed so they never mix with the customer's."""
    seen: dict[str, None] = {}
    for w in words(fold(ai_text))[:AI_WORDS]:
        seen.setdefault("a:" + w)
    return list(seen)


def context_features(*, first_turn: bool, page_kind: str | None, ai_confidence: float | None,
                     ai_offer: bool, previous_intent: str | None) -> list[str]:
    """Context of the message as features: turn position, page, AI confidence and offer, previous intent."""
    out = ["~first" if first_turn else "~later", f"~page:{page_kind or 'none'}"]
    if ai_confidence is None:
        out.append("~conf:none")
    else:
        out.append("~conf:low" if ai_confidence < 0.6 else "~conf:mid" if ai_confidence < 0.8 else "~conf:high")
    if ai_offer:
        out.append("~offer")
    if previous_intent:
        out.append(f"~prev:{previous_intent}")
    return out
