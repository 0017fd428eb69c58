"""Which of the five supported languages a customer writes in, offline (lingua's bundled trigram models).

The engine asks only until it is sure (the answer is kept in the conversation's state), so a long
conversation pays for detection on its first customer messages, not on every one.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

MIN_LETTERS = 12  # shorter texts ("agent", "ok") say little about their language
_SURE = 0.75


@lru_cache(maxsize=1)
def _detector() -> Any:
    from lingua import Language, LanguageDetectorBuilder

    langs = [Language.ENGLISH, Language.SPANISH, Language.FRENCH, Language.GERMAN, Language.PORTUGUESE]
    # trigram models only: on chat messages as accurate as the full models here (199/200 first messages of
    # the five-language set either way), a fraction of the memory, and nothing to load at start-up
    return LanguageDetectorBuilder.from_languages(*langs).with_low_accuracy_mode().build()


_CODES = {"ENGLISH": "en", "SPANISH": "es", "FRENCH": "fr", "GERMAN": "de", "PORTUGUESE": "pt"}


def warm_up() -> None:
    """Load the detector's models now (at start-up) rather than on the first message."""
    _detector()


def detect(text: str) -> tuple[str | None, float]:
    """The most likely supported language of `text` and its confidence (None when too short to tell)."""
    sample = text[:400]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None, 0.0
    values = _detector().compute_language_confidence_values(sample)
    if not values:
        return None, 0.0
    best = values[0]
    return _CODES.get(best.language.name), float(best.value)


def is_sure(confidence: float) -> bool:
    """Whether a detection is confident enough to keep for the rest of the conversation."""
    return confidence >= _SURE
