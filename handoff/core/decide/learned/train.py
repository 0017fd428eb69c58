"""Fitting the learned layer (scikit-learn) and writing its model file; used by `handoff train` and the build.

Two multinomial logistic regressions share one vocabulary: the intent head (none, an explicit request, each
always-human category, frustration) on every example, and the topic head on the examples whose conversation
names its topic. Each head is fitted on nine tenths and its temperature on the last tenth, so its
probabilities are calibrated on examples it never saw;
weights are rounded and the file is written without timestamps, so the same corpus gives the same bytes.
"""
from __future__ import annotations

import functools
import gzip
import itertools
import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from handoff.core.decide.learned.examples import INTENTS, TOPICS, Example
from handoff.core.decide.learned.model import FORMAT, MAGIC, Head, IntentModel, from_json

_DECIMALS = 4


@dataclass(frozen=True)
class TrainOptions:
    """How to fit: regularisation, the rarest feature kept, the held-out share for calibration, the seed."""

    c: float = 16.0
    min_count: int = 2
    calibration_share: float = 0.1
    seed: int = 13
    # fitted to a tight tolerance: at 1e-3 the solver stopped early and ranked held-out escalations worse
    # (recall at a 2 % message false-positive rate 0.90 against 0.92), at twice the fitting time
    max_iter: int = 2000
    tol: float = 1e-4
    # the topic head, when the solver starts from the shipped model: routing needs its ranking, not the last
    # decimals, and from that start the tight tolerance took 20 times the iterations (230 against 10 on
    # `bench/backtest.py`'s 10,000 conversations); fitted from zero on the corpus, 1e-3 cost 0.6 points of
    # held-back topic accuracy (70.0 against 70.6 %)
    warm_topic_tol: float = 1e-3


@dataclass(frozen=True)
class _Design:
    """Every example vectorised once: the vocabulary, one normalised row per distinct feature set, and which
    row each example is. Both heads take their rows from it, so nothing is featurised or counted twice."""

    vocabulary: list[str]
    rows: Any  # scipy CSR, one row per distinct feature set
    row_of: np.ndarray  # example i -> its row

    def matrix(self, picks: Sequence[int]):
        """The rows of the given examples, in their order."""
        return self.rows[self.row_of[np.asarray(picks, dtype=np.int64)]]


def _design(examples: Sequence[Example], min_count: int) -> _Design:
    """Vectorise the examples: features seen in at least `min_count` examples, the most frequent first; binary
    values, each row L2-normalised (a message's length does not decide its score).

    Frequency order is for the solver: each of its passes reads, and writes, the row of weights of every feature
    of every example, and with the frequent features' rows side by side those stay in the cache (the intent head's fit on
    the corpus took 28 s instead of 38 s, in the same iterations). The model file lists its features sorted.
    """
    from scipy.sparse import csr_matrix

    # a feature's id on first sight, with no Python code run per feature: 20 million lookups on the corpus
    ids: defaultdict[str, int] = defaultdict(itertools.count().__next__)
    intern = ids.__getitem__
    distinct: dict[tuple[str, ...], int] = {}
    row_of = np.empty(len(examples), dtype=np.int64)
    flat: list[int] = []
    lengths: list[int] = []
    for i, e in enumerate(examples):
        r = distinct.get(e.features)
        if r is None:
            # a feature tuple holds each feature once (the examples are built so), so ids are distinct in a row
            r = distinct[e.features] = len(distinct)
            flat.extend(map(intern, e.features))
            lengths.append(len(e.features))
        row_of[i] = r
    cols = np.asarray(flat, dtype=np.int64)
    row_ids = np.repeat(np.arange(len(lengths)), lengths)
    # in how many examples each feature occurs, repeats included
    counts = np.bincount(cols, weights=np.bincount(row_of, minlength=len(lengths))[row_ids], minlength=len(ids))
    names = list(ids)
    seen = counts.tolist()
    kept = sorted(np.flatnonzero(counts >= min_count).tolist(), key=lambda i: (-seen[i], names[i]))
    remap = np.full(len(ids), -1, dtype=np.int64)
    remap[np.asarray(kept, dtype=np.int64)] = np.arange(len(kept))
    mapped = remap[cols]
    keep = mapped >= 0
    per_row = np.bincount(row_ids[keep], minlength=len(lengths))
    indptr = np.concatenate([[0], np.cumsum(per_row)])
    rows = csr_matrix((np.ones(int(indptr[-1])), mapped[keep], indptr), shape=(len(lengths), len(kept)))
    rows.sort_indices()
    nnz = np.maximum(np.diff(rows.indptr), 1)
    rows.data /= np.sqrt(np.repeat(nnz, np.diff(rows.indptr)))
    return _Design([names[i] for i in kept], rows, row_of)


def _start_from(head: Head, start_vocab: dict[str, int], vocab: Sequence[str], fitted: Sequence[str]):
    """Initial coefficients for sklearn (classes as it orders them, features as `vocab`), from a model's head:
    what it knew of each feature, zero for the ones it never saw."""
    rows = np.array([start_vocab.get(f, -1) for f in vocab])
    known = rows >= 0
    coef = np.zeros((len(fitted), len(vocab)))
    inter = np.zeros(len(fitted))
    for j, c in enumerate(fitted):
        if c in head.classes:
            k = head.classes.index(c)
            coef[j, known] = head.weights[rows[known], k]
            inter[j] = head.intercept[k]
    if len(fitted) == 2:  # sklearn keeps one row for two classes: the second's margin over the first
        return coef[1:] - coef[:1], inter[1:] - inter[:1]
    return coef, inter


def _merged(picks: Sequence[int], labels: Sequence[str], row_of: np.ndarray) -> tuple[list[int], list[float]]:
    """The examples of distinct (row, label) among `picks`, in first-seen order, each with how often it occurs.

    A count as a sample weight is the same loss as the repeated rows, so the same optimum, at the cost of
    one row: a team's history repeats its "hi", "thanks" and "agent please" thousands of times.
    """
    counts: dict[tuple[int, str], int] = {}
    first: dict[tuple[int, str], int] = {}
    for i, y in zip(picks, labels):
        key = (int(row_of[i]), y)
        if key in counts:
            counts[key] += 1
        else:
            counts[key] = 1
            first[key] = i
    return list(first.values()), [float(n) for n in counts.values()]


def _fit(x, y: list[str], classes: Sequence[str], opts: TrainOptions, start=None, weights=None, tol=None):
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=opts.c, max_iter=opts.max_iter, solver="lbfgs", tol=opts.tol if tol is None else tol,
                             warm_start=start is not None)
    if start is not None:
        # the solver goes on from a fit of most of the same examples: the same optimum (the problem is
        # convex), reached in far fewer iterations
        clf.coef_, clf.intercept_ = start(sorted(set(y)))
    clf.fit(x, y, sample_weight=None if weights is None else np.asarray(weights))
    # widen to every class of the head (an absent class gets a very negative intercept)
    w = np.zeros((x.shape[1], len(classes)))
    b = np.full(len(classes), -30.0)
    fitted = list(clf.classes_)
    if len(fitted) == 2:  # sklearn keeps one row for two classes
        coef = np.vstack([-clf.coef_[0] / 2, clf.coef_[0] / 2])
        inter = np.array([-clf.intercept_[0] / 2, clf.intercept_[0] / 2])
    else:
        coef, inter = clf.coef_, clf.intercept_
    for j, c in enumerate(fitted):
        k = list(classes).index(c)
        w[:, k] = coef[j]
        b[k] = inter[j]
    return w, b


def _temperature(x, y: list[str], classes: Sequence[str], w: np.ndarray, b: np.ndarray) -> float:
    if not y:
        return 1.0
    z = np.asarray(x @ w) + b
    idx = np.array([list(classes).index(c) for c in y])
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.5, 3.01, 0.05):
        zt = z / t
        zt -= zt.max(axis=1, keepdims=True)
        logp = zt - np.log(np.exp(zt).sum(axis=1, keepdims=True))
        nll = -float(logp[np.arange(len(idx)), idx].mean())
        if nll < best_nll - 1e-9:
            best, best_nll = float(round(t, 2)), nll
    return best


def _intent_label(e: Example) -> str | None:
    return e.intent


def _topic_label(e: Example) -> str | None:
    return e.topic if e.topic in TOPICS else None


def fit(examples: Sequence[Example], opts: TrainOptions = TrainOptions(), meta: dict[str, object] | None = None,
        *, start: IntentModel | None = None) -> tuple[dict[str, object], IntentModel]:
    """Fit both heads on the examples; returns the model's JSON form and the loaded model.

    `start`: a model fitted on much of the same data (the shipped one, when a team's history is added to the
    shipped corpus): the solver starts from its weights instead of from zero.
    """
    intent_ex = [e for e in examples if e.intent is not None]
    if not intent_ex or len({e.intent for e in intent_ex}) < 2:
        raise ValueError("training needs labelled examples of at least two intents (routine and an escalation)")
    design = _design(examples, opts.min_count)
    vocab = design.vocabulary
    rng = random.Random(opts.seed)
    heads: dict[str, dict[str, Any]] = {}
    jobs = []
    for name, classes, label in (("intent", INTENTS, _intent_label), ("topic", TOPICS, _topic_label)):
        labels = {i: y for i, y in ((i, label(e)) for i, e in enumerate(examples)) if y is not None}
        rows = list(labels)
        seen = set(labels.values())
        if len(seen) < 2:  # nothing to tell apart: the head always answers the one class it saw
            w, b, t = np.zeros((len(vocab), len(classes))), np.zeros(len(classes)), 1.0
            b[list(classes).index(seen.pop() if seen else classes[-1])] = 5.0
            heads[name] = {"classes": list(classes), "w": w, "b": b, "temperature": t}
        else:
            order = list(range(len(rows)))
            rng.shuffle(order)  # both splits drawn first, in head order: the same splits as one head at a time
            cut = int(len(order) * opts.calibration_share)
            held, fit_rows = [rows[i] for i in order[:cut]], [rows[i] for i in order[cut:]]
            jobs.append((name, classes, held, fit_rows, labels))
            heads[name] = {}

    def fit_head(job):
        name, classes, held, fit_rows, labels = job
        begin, tol = None, None
        if start is not None:
            head = getattr(start, name)
            begin = functools.partial(_start_from, head, start.vocabulary, vocab)
            tol = opts.warm_topic_tol if name == "topic" else None
        picks, weights = _merged(fit_rows, [labels[i] for i in fit_rows], design.row_of)
        w, b = _fit(design.matrix(picks), [labels[i] for i in picks], classes, opts, begin, weights, tol)
        # calibrated on examples the fit never saw; not refitted on them (a second fit doubled the time)
        t = _temperature(design.matrix(held), [labels[i] for i in held], classes, w, b) if held else 1.0
        return name, {"classes": list(classes), "w": w, "b": b, "temperature": t}

    # the heads are independent and the solver releases the GIL: fitting them side by side gives the
    # same weights in the time of the slower one (on 10,000 conversations 51 s became 34 s on 2 cores)
    with ThreadPoolExecutor(max_workers=max(1, len(jobs))) as pool:
        for name, head in pool.map(fit_head, jobs):
            heads[name] = head
    # drop features no head uses, then round: smaller file, same decisions
    used = np.zeros(len(vocab), dtype=bool)
    for h in heads.values():
        used |= np.abs(np.round(h["w"], _DECIMALS)).max(axis=1) > 0
    keep = np.asarray(sorted(np.flatnonzero(used).tolist(), key=vocab.__getitem__), dtype=np.int64)
    kept_vocab = [vocab[i] for i in keep]
    data: dict[str, object] = {
        "format": FORMAT,
        "meta": {**(meta or {}), "features": len(kept_vocab), "examples": len(examples),
                 "intent_examples": dict(sorted(Counter(e.intent for e in intent_ex).items())),
                 "options": {"c": opts.c, "min_count": opts.min_count, "seed": opts.seed, "tol": opts.tol}},
        "vocabulary": kept_vocab,
    }
    for name, h in heads.items():
        w = np.round(h["w"][keep], _DECIMALS)
        data[name] = {"classes": h["classes"], "temperature": h["temperature"],
                      "intercept": [round(float(v), _DECIMALS) for v in h["b"]],
                      "weights": w.astype(np.float32).ravel()}
    return data, from_json(data)


def to_bytes(data: dict[str, object]) -> bytes:
    """The model file's bytes: a JSON header and the weights as little-endian float32, gzipped without a
    timestamp (reproducible; loading is a buffer copy, not the parsing of a million numbers)."""
    header = dict(data)
    blobs: list[bytes] = []
    offset = 0
    for name in ("intent", "topic"):
        head = dict(header[name])  # type: ignore[call-overload]
        w = np.asarray(head.pop("weights"), dtype="<f4")
        head["weights_at"] = [offset, int(w.size)]
        blobs.append(w.tobytes())
        offset += w.size
        header[name] = head
    meta = json.dumps(header, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    raw = MAGIC + len(meta).to_bytes(8, "little") + meta + b"".join(blobs)
    return gzip.compress(raw, compresslevel=6, mtime=0)
