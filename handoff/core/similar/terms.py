"""The words a case is found by: lower-cased, stop words of the five languages left out, lightly stemmed."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from bm25s.stopwords import STOPWORDS_EN, STOPWORDS_FRENCH, STOPWORDS_GERMAN, STOPWORDS_PORTUGUESE, STOPWORDS_SPANISH

_WORD = re.compile(r"[^\W\d_]{2,}", re.UNICODE)
# support chat's own filler, which every case shares and which tells none apart
_CHAT = ("hi", "hello", "hey", "thanks", "thank", "please", "hallo", "hola", "bonjour", "ola", "olá", "danke", "gracias",
         "merci", "obrigado", "obrigada", "bitte", "ok", "okay", "yes", "no", "my", "me", "you", "your", "can", "could", "would", "get", "got")
STOPWORDS = frozenset(w.lower() for w in (*STOPWORDS_EN, *STOPWORDS_GERMAN, *STOPWORDS_FRENCH, *STOPWORDS_SPANISH,
                                          *STOPWORDS_PORTUGUESE, *_CHAT))
# one case's words are counted on this much of its text, so a huge message costs what a long one does
MAX_TEXT_CHARS = 20_000


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # English inflections, the language most support text is in; the other languages only lose a plural "s"
    # ("charged", "charges", "charging", "charge" are one word), never below three letters
    if not word.endswith("ss"):
        for suffix in ("ing", "ed", "es", "s"):
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def terms(text: str) -> list[str]:
    """The indexable words of `text`, in order (repeats kept: BM25 counts them)."""
    folded = unicodedata.normalize("NFC", text[:MAX_TEXT_CHARS]).lower()
    return [_stem(w) for w in _WORD.findall(folded) if w not in STOPWORDS]
