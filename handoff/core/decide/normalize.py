"""Text normalisation for phrase matching: case, accents, contractions, chat slang and typos."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u00b4": "'", "`": "'", "\u00df": "ss"})
_CONTRACTIONS = [
    (re.compile(r"\bcan'?t\b"), "can not"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\bain'?t\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"\bi'm\b"), "i am"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"\b(i|you|we|they|he|she)'d\b"), r"\1 would"),
    (re.compile(r"'s\b"), "s"),
]
_NON_WORD = re.compile(r"[^a-z0-9]+")
_REPEATS = re.compile(r"([a-z])\1{2,}")

SLANG: dict[str, str] = {
    "u": "you", "yu": "you", "ur": "your", "yr": "your", "r": "are",
    "pls": "please", "plz": "please", "plse": "please", "plez": "please", "pleas": "please",
    "pleae": "please", "pleaes": "please", "pleez": "please", "plss": "please", "pl0x": "please",
    "sb": "someone", "smb": "someone", "sm1": "someone", "some1": "someone", "smbdy": "somebody",
    "sum1": "someone", "smone": "someone", "sumone": "someone", "somone": "someone",
    "ppl": "people", "wanna": "want to", "gonna": "going to", "gotta": "got to", "lemme": "let me",
    "gimme": "give me", "im": "i am", "ive": "i have", "dont": "do not", "doesnt": "does not",
    "didnt": "did not", "cant": "can not", "cannot": "can not", "isnt": "is not",
    "arent": "are not", "wasnt": "was not", "werent": "were not", "havent": "have not",
    "hasnt": "has not", "wouldnt": "would not", "couldnt": "could not", "shouldnt": "should not",
    "youre": "you are", "theyre": "they are", "thats": "that is", "whats": "what is",
    "its": "it is", "thx": "thanks", "thnx": "thanks", "ty": "thanks", "cuz": "because",
    "coz": "because", "bc": "because", "rn": "right now", "ot": "to", "ym": "my", "acn": "can",
    "hw": "how", "abt": "about", "wat": "what", "wut": "what", "hv": "have", "tho": "though",
    "idont": "i do not", "idon": "i do not", "odnt": "do not", "odn": "do not",
    "agnt": "agent", "od": "do", "wan": "want", "wnat": "want", "whant": "want", "humn": "human", "hmn": "human", "prsn": "person", "rep": "rep",
}

# Words the patterns hinge on; a near miss of one ("agnet", "hman", "cancle") is corrected.
KEYWORDS: tuple[str, ...] = (
    "human", "person", "agent", "someone", "somebody", "representative", "operator", "manager",
    "supervisor", "speak", "talk", "contact", "cancel", "delete", "account", "subscription",
    "charged", "twice", "payment", "transaction", "recognize", "recognise", "withdrawal",
    "close", "remove", "profile", "fraudulent", "unauthorized", "dispute", "please", "online",
    "help", "helping", "understand", "refund", "transactions", "payments", "unknown",
    "duplicate", "someone", "available", "withdrawals", "statement",
)
# Real words one edit away from a keyword that must stay what they are.
NOT_TYPOS: frozenset[str] = frozenset(
    """agency agenda urgent argent contract contracts change changed changes charge charges
    remote chose clone clove lose loose closer closes cancer stalk tall walk task talc tale tank
    balk chalk steak sneak spear speck speaks managed manages manage mange range agents humans
    persons accounts profiles payments transactions refunds person human agent account please
    lease pleased helps helped helper helpful hello held hemp heap online inline onliner spoke
    cancels canceled cancelled deleted removed closed close talks talked hurt heel hell
    disputes dispute operate separate decline humane authorized authorised authorize
    authorise withdrawn withdraw transition statements persona personas humano humana humanos humanas
    humain humaine humains recognised recognized recognises recognizes agente agentes cancela cancele cancelo contacto contacte contactar
    transaccion transacciones operador operadora representante representantes duplicado duplicada
    duplicados duplicadas suscripcion suscripciones fraudulenta fraudulento subscricao pessoa
    pessoas perfil perfiles cuenta cuentas conta contas helpe ayuda agenten humanen""".split()
)


# Glued words ("toclose", "isthere", "myprofile"): a short head word stuck to a keyword.
_HEADS = ("to", "too", "my", "is", "help", "i", "a", "an", "the", "can", "how", "me", "want", "need")
_SPLIT_TAILS = frozenset("there someone somebody anyone human person agent contact close cancel canceling cancelling delete remove profile account talk speak".split())


@lru_cache(maxsize=65536)
def correct_token(token: str) -> str:
    """The keyword a token is a near miss of (or a glued pair it hides), or the token itself."""
    if len(token) < 4 or token in NOT_TYPOS or not token.isalpha():
        return token
    if len(token) >= 6:
        for head in _HEADS:
            if token.startswith(head) and len(token) - len(head) >= 4:
                tail = token[len(head):]
                if tail in _SPLIT_TAILS or tail in KEYWORDS:
                    return f"{head} {tail}"
    return _correct(token)


def _correct(token: str) -> str:
    limit = 2 if len(token) >= 9 else 1
    best, best_d = token, limit + 1
    for kw in KEYWORDS:
        if abs(len(kw) - len(token)) > limit:
            continue
        d = OSA.distance(token, kw, score_cutoff=limit)
        if d < best_d:
            best, best_d = kw, d
            if d == 0:
                return token
    return best if best_d <= limit else token


def strip_accents(text: str) -> str:
    """Lowercase, map curly quotes and sharp s, and drop accents."""
    text = text.translate(_APOSTROPHES).lower()
    if text.isascii():  # most chat text: NFKD would change nothing and there is nothing to drop
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# Intensifiers carry no meaning for matching and sit between words the patterns pair up.
_INTENSIFIERS = frozenset("fucking fuckin fking fkn freaking frickin friggin effing damn bloody goddamn".split())


def normalize(text: str, *, typos: bool = True, max_chars: int = 4000) -> str:
    """The form patterns are matched against: plain lowercase ASCII words separated by spaces."""
    t = strip_accents(text[:max_chars])
    # every contraction but the apostrophe-less "cant", "wont" and "aint" needs an apostrophe: skip the
    # ten substitutions when neither can be there (the common case), the output is the same
    if "'" in t:
        for rx, repl in _CONTRACTIONS:
            t = rx.sub(repl, t)
    elif "nt" in t:
        for rx, repl in _CONTRACTIONS[:3]:
            t = rx.sub(repl, t)
    t = _NON_WORD.sub(" ", t)
    t = _REPEATS.sub(r"\1", t)
    out: list[str] = []
    for tok in t.split():
        if tok in _INTENSIFIERS:
            continue
        tok = SLANG.get(tok, tok)
        if typos and " " not in tok:
            tok = correct_token(tok)
        out.append(tok)
    return " ".join(out)
