"""Sentiment of a customer message: VADER compound score, -1 (negative) .. 1 (positive)."""
from __future__ import annotations

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

# Building the analyzer loads its lexicon from disk: do it once per process.
_ANALYZER = SentimentIntensityAnalyzer()


def score(text: str) -> float:
    """Compound sentiment of `text` from -1 (very negative) to 1 (very positive); 0 when empty."""
    if not text or not text.strip():
        return 0.0
    return float(_ANALYZER.polarity_scores(text[:2000])["compound"])
