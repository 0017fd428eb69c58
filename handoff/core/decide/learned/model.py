"""The learned intent layer's model: linear heads over hashed-free string features, loaded once, scored purely.

A model file is gzipped: a JSON header (the feature vocabulary and, per head ("intent", "topic"), the classes,
intercepts and a temperature that calibrates the probabilities) then a float32 weight row per feature. Scoring is a sum of
the weight rows of its known features, so it costs the same at turn 5 and at turn 500, and its explanation
is exact: the words whose features added most to the winning class.
"""
from __future__ import annotations

import gzip
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from handoff.core.decide.learned.features import (
    CHAR_N,
    MAX_CHARS,
    fold,
    words,
)

FORMAT = "handoff-intent-model/1"
MAGIC = b"HANDOFF-INTENT-MODEL\n"
SHIPPED = "shipped"  # the model_path that means the model inside the package
_TOKENS = re.compile(r"\w+")


@dataclass(frozen=True)
class Head:
    """One classifier: classes, a weight row per feature, intercepts and a calibration temperature."""

    classes: tuple[str, ...]
    weights: np.ndarray  # (features, classes) float32
    intercept: np.ndarray  # (classes,)
    temperature: float = 1.0


@dataclass(frozen=True)
class Scores:
    """What the model says about one message: the likeliest non-"none" intent and topic, with probabilities."""

    intent: str
    intent_p: float
    escalate_p: float  # 1 - p(none): that some intent a human must handle is there
    topic: str
    topic_p: float
    probabilities: dict[str, float]


@dataclass(frozen=True)
class IntentModel:
    """A loaded model: the vocabulary and its heads (stacked into one matrix: one lookup scores both)."""

    vocabulary: dict[str, int]
    intent: Head
    topic: Head
    meta: dict[str, object]
    stacked: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    # word -> (its "w:" row or -1, its character n-gram rows in first-seen order): chat repeats its words, and
    # looking up a word's dozen n-grams once instead of on every message is most of the scoring's saving
    _word_rows: dict[str, tuple[int, tuple[int, ...]]] = field(default_factory=dict, repr=False, compare=False)
    _none: int = field(default=-1, repr=False, compare=False)  # the "none" class's column, -1 without one
    # the heads' intercepts as Python floats: a softmax over a dozen classes is cheaper in Python than in numpy
    _intercepts: tuple[list[float], list[float]] = field(default=([], []), repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stacked", np.ascontiguousarray(np.hstack([self.intent.weights, self.topic.weights])))
        object.__setattr__(self, "_none", self.intent.classes.index("none") if "none" in self.intent.classes else -1)
        object.__setattr__(self, "_intercepts", (self.intent.intercept.tolist(), self.topic.intercept.tolist()))

    def _rows(self, ws: list[str], context: list[str]) -> tuple[list[int], list[int]]:
        vocab = self.vocabulary
        rows: list[int] = []
        owners: list[int] = []
        seen: set[int] = set()  # binary features, as in training: a repeated n-gram counts once
        get = vocab.get
        # the loops of features.text_features, inlined: this is the hot path of every customer message
        for i, w in enumerate(ws):
            padded = f" {w} "
            r = get("w:" + w)
            if r is not None and r not in seen:
                seen.add(r)
                rows.append(r)
                owners.append(i)
            if i:
                r = get("b:" + ws[i - 1] + " " + w)
                if r is not None and r not in seen:
                    seen.add(r)
                    rows.append(r)
                    owners.append(i - 1)
            last = len(padded)
            for n in CHAR_N:
                for j in range(last - n + 1):
                    r = get(padded[j:j + n])
                    if r is not None and r not in seen:
                        seen.add(r)
                        rows.append(r)
                        owners.append(i)
        for f in context:
            r = vocab.get(f)
            if r is not None and r not in seen:
                seen.add(r)
                rows.append(r)
                owners.append(-1)
        return rows, owners

    def _word(self, w: str) -> tuple[int, tuple[int, ...]]:
        get = self.vocabulary.get
        r = get("w:" + w)
        padded = f" {w} "
        last = len(padded)
        chars: dict[int, None] = {}
        for n in CHAR_N:
            for j in range(last - n + 1):
                c = get(padded[j:j + n])
                if c is not None:
                    chars[c] = None
        hit = (-1 if r is None else r, tuple(chars))
        cache = self._word_rows
        if len(cache) >= _WORD_CACHE:
            cache.clear()  # bounded: a flood of distinct words costs lookups again, never memory
        cache[w] = hit
        return hit

    def score_rows(self, ws: list[str], context: list[str]) -> list[int]:
        """The rows `_rows` finds, in the same order (so the float sums are the same), from the word cache."""
        get = self.vocabulary.get
        cache = self._word_rows
        seq: list[int] = []
        prev: str | None = None
        for w in ws:
            hit = cache.get(w) or self._word(w)
            if hit[0] >= 0:
                seq.append(hit[0])
            if prev is not None:
                r = get("b:" + prev + " " + w)
                if r is not None:
                    seq.append(r)
            seq.extend(hit[1])
            prev = w
        for f in context:
            r = get(f)
            if r is not None:
                seq.append(r)
        return list(dict.fromkeys(seq))  # first occurrences, in order: binary features

    def score(self, text: str, context: list[str]) -> Scores:
        """Probabilities of every intent and topic for a customer message in its context."""
        rows = self.score_rows(words(fold(text)), context)
        if not rows:
            return _NOTHING
        # take() on an index array and np.add.reduce (what ndarray.sum calls, without its Python wrapper): the
        # same float32 sums as fancy indexing with a list, at half the cost
        at = np.fromiter(rows, dtype=np.intp, count=len(rows))
        z = (_SUM(self.stacked.take(at, axis=0), axis=0) * (1.0 / math.sqrt(len(rows)))).tolist()
        intent, topic = self.intent, self.topic
        k = len(intent.classes)
        b_int, b_top = self._intercepts
        p_int = _softmax(z[:k], b_int, intent.temperature)
        p_top = _softmax(z[k:], b_top, topic.temperature)
        ci = _best_non_none(intent.classes, p_int)
        ct = p_top.index(max(p_top))  # the first of equal maxima, as argmax
        none = self._none
        escalate = 1.0 - p_int[none] if none >= 0 else p_int[ci]
        return Scores(intent.classes[ci], p_int[ci], escalate, topic.classes[ct], p_top[ct],
                      dict(zip(intent.classes, p_int)))

    def explain(self, text: str, context: list[str], intent: str, k: int = 3) -> tuple[str, ...]:
        """The message's words whose features added most to `intent`, in the customer's spelling."""
        ws = words(fold(text))
        rows, owners = self._rows(ws, context)
        if not rows or intent not in self.intent.classes:
            return ()
        contrib = self.intent.weights[rows, self.intent.classes.index(intent)].tolist()
        per_word: dict[int, float] = {}
        for pos, c in zip(owners, contrib):
            if pos >= 0:
                per_word[pos] = per_word.get(pos, 0.0) + c
        original = _TOKENS.findall(text[:MAX_CHARS])
        shown = original if len(original) == len(ws) else ws  # folding kept the word boundaries
        # never a word with a digit: the reason is written to tickets, cards and logs, and a number a customer
        # typed may be part of a card or account number ("4111" of "4111 1111 1111 1111" once weighed most)
        best = [pos for pos, c in sorted(per_word.items(), key=lambda kv: -kv[1])
                if c > 0 and not _HAS_DIGIT.search(shown[pos])][:k]
        return tuple(shown[pos] for pos in sorted(best))


_HAS_DIGIT = re.compile(r"\d")
_NOTHING = Scores("none", 1.0, 0.0, "general", 0.0, {})
_WORD_CACHE = 1 << 14  # words: about 2 MB at most (measured), and chat repeats far fewer distinct words


_SUM = np.add.reduce


def _softmax(z: list[float], intercept: list[float], temperature: float) -> list[float]:
    v = [(a + b) / temperature for a, b in zip(z, intercept)]
    top = max(v)
    e = [math.exp(x - top) for x in v]
    total = sum(e)
    return [x / total for x in e]


def _best_non_none(classes: tuple[str, ...], p: list[float]) -> int:
    best, best_p = 0, -1.0
    for i, c in enumerate(classes):
        if c != "none" and p[i] > best_p:
            best, best_p = i, p[i]
    return best


def _head(data: dict[str, Any], n_features: int) -> Head:
    classes = tuple(data["classes"])
    w = np.asarray(data["weights"], dtype=np.float32).reshape(n_features, len(classes))
    return Head(classes, w, np.asarray(data["intercept"], dtype=np.float32), float(data.get("temperature", 1.0)))


def from_json(data: dict[str, Any]) -> IntentModel:
    """Build a model from its JSON form, refusing another format."""
    if data.get("format") != FORMAT:
        raise ValueError(f"not a Handoff intent model (format {data.get('format')!r}, expected {FORMAT!r})")
    vocab_list = list(data["vocabulary"])
    n = len(vocab_list)
    return IntentModel(
        vocabulary={f: i for i, f in enumerate(vocab_list)},
        intent=_head(data["intent"], n),
        topic=_head(data["topic"], n),
        meta=dict(data.get("meta") or {}),
    )


def read_bytes(path: str) -> bytes:
    """The bytes of a model file, or of the shipped model for `shipped`."""
    if path == SHIPPED:
        return resources.files("handoff.core.decide.data").joinpath("intent_model.json.gz").read_bytes()
    return Path(path).read_bytes()


def parse(raw: bytes) -> dict[str, Any]:
    """The model's data from a file's bytes (header JSON, then the float32 weights)."""
    body = gzip.decompress(raw) if raw[:2] == b"\x1f\x8b" else raw
    if not body.startswith(MAGIC):
        return json.loads(body)  # not ours: from_json names the format it found
    start = len(MAGIC) + 8
    size = int.from_bytes(body[len(MAGIC):start], "little")
    data: dict[str, Any] = json.loads(body[start:start + size])
    weights = np.frombuffer(body, dtype="<f4", offset=start + size)
    for name in ("intent", "topic"):
        head = data[name]
        at, count = head.pop("weights_at")
        head["weights"] = weights[at:at + count]
    return data


def check_file(path: str) -> None:
    """Raise OSError or ValueError unless `path` opens as a model file (its start only, not the weights)."""
    if path == SHIPPED:
        return
    with gzip.open(path, "rb") as fh:
        try:
            head = fh.read(len(MAGIC))
        except (OSError, EOFError) as exc:
            raise ValueError(f"{path}: not a readable intent model ({exc})") from None
    if head != MAGIC:
        raise ValueError(f"{path}: not a Handoff intent model (written by `handoff train`)")


@lru_cache(maxsize=8)
def load(path: str = SHIPPED) -> IntentModel:
    """Load a model file once per process (the shipped one by default)."""
    raw = read_bytes(path)
    try:
        data = parse(raw)
        return from_json(data)
    except (OSError, EOFError, KeyError, TypeError) as exc:
        raise ValueError(f"{path}: not a readable intent model ({exc})") from None
    except ValueError as exc:
        if "not a Handoff intent model" in str(exc):
            raise
        raise ValueError(f"{path}: not a readable intent model ({exc})") from None
