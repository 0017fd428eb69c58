"""`handoff train`: fit the learned intent layer on a team's own labelled history and show what changed.

The team's conversations (backtest JSON Lines, or a Zendesk export as `backtest` reads it) are split by a
hash of their ids: a fifth is held back, the rest is added to the shipped corpus (or used alone) to fit a
model, and the held-back part is back-tested with the current settings and with the new model, so the team
sees what the model would change before pointing `[triggers.learned] model_path` at it.
"""
from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from handoff.app.backtest import BacktestReport, run_backtest
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.learned.build import corpus_files
from handoff.core.decide.learned.examples import INTENTS, all_examples
from handoff.core.decide.learned.model import SHIPPED, IntentModel
from handoff.core.decide.learned.model import load as load_model
from handoff.core.decide.learned.probes import page_and_offer
from handoff.core.decide.learned.train import TrainOptions, fit, to_bytes
from handoff.core.formats.conversations import (
    Conversation,
    ConversationFileError,
    parse_conversation,
    read_conversations,
    read_json_lines,
)
from handoff.core.formats.zendesk_export import detect_format, read_zendesk

HOLD_OUT = 5  # one conversation in five is held back for the before/after comparison


@dataclass
class TrainingReport:
    """What `handoff train` did: data, the model written, and the before/after back-test."""

    files: list[str]
    conversations: int
    held_back: int
    examples: int
    intents: dict[str, int]
    features: int
    out: str
    size_bytes: int
    seconds: float
    top_features: dict[str, list[str]] = field(default_factory=dict)
    before: BacktestReport | None = None
    after: BacktestReport | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON form for `train --json`."""
        def bt(r: BacktestReport | None) -> dict[str, Any] | None:
            if r is None:
                return None
            return {k: v for k, v in r.as_dict().items() if k in (
                "labelled", "true_positives", "false_positives", "false_negatives", "true_negatives",
                "false_positive_rate", "recall", "precision", "late")}
        return {"files": self.files, "conversations": self.conversations, "held_back": self.held_back,
                "examples": self.examples, "intents": self.intents, "features": self.features, "out": self.out,
                "size_bytes": self.size_bytes, "seconds": round(self.seconds, 2), "top_features": self.top_features,
                "before": bt(self.before), "after": bt(self.after)}


def read_labelled(path: Path, bot_user_ids: Sequence[int] = ()) -> list[Conversation]:
    """Every conversation of a team's file; an unreadable or unlabelled line is an error naming its line."""
    try:
        fmt = detect_format(path)
    except OSError as e:
        raise ConversationFileError(None, f"cannot read {path}: {e.strerror}") from None
    if fmt != "conversations":
        return list(read_zendesk(path, bot_user_ids))  # an export labels every ticket (a human replied or not)
    out: list[Conversation] = []
    for lineno, obj in read_json_lines(path):
        try:
            conv = parse_conversation(obj)
        except ValueError as e:
            raise ConversationFileError(lineno, str(e)) from None
        if conv.label is None:
            raise ConversationFileError(lineno, f"conversation {conv.id!r} has no label: training needs "
                                                "\"label\": {\"escalate\": ..., \"turn\": ..., \"category\": ...}")
        out.append(conv)
    return out


def fold_of(conversation_id: str) -> int:
    """Which of HOLD_OUT folds a conversation falls in, by a hash of its id (stable across runs and machines)."""
    return int(hashlib.sha256(conversation_id.encode()).hexdigest()[:8], 16) % HOLD_OUT


def held_back(conversation_id: str) -> bool:
    """Whether a conversation is in the held-back fifth (fold 0)."""
    return fold_of(conversation_id) == 0


def _top_features(model: IntentModel, k: int = 8) -> dict[str, list[str]]:
    """The words and word pairs that set each escalating intent apart from every other class (numbers left out)."""
    import numpy as np

    vocab = sorted(model.vocabulary, key=model.vocabulary.__getitem__)
    shown = np.array([f.startswith(("w:", "b:")) and len(f) > 4 and not _ZEROS.fullmatch(f[2:]) for f in vocab])
    out: dict[str, list[str]] = {}
    weights = model.intent.weights
    for j, intent in enumerate(model.intent.classes):
        if intent == "none" or weights.shape[1] < 2:
            continue
        # the margin over the strongest other class: "my account" weighs for every escalation, "a person" for one
        margin = weights[:, j] - np.delete(weights, j, axis=1).max(axis=1)
        best = np.where(shown, margin, -np.inf).argsort()[::-1][:k]
        out[intent] = [vocab[i][2:] for i in best if shown[i] and margin[i] > 0]
    return out


_ZEROS = re.compile(r"[0 ]+")  # digits fold to 0: "000 for" is an amount, not a word


def train(files: Iterable[Path], out: Path, settings: TriggerSettings, *, with_shipped: bool = True,
          bot_user_ids: Sequence[int] = (), options: TrainOptions = TrainOptions()) -> TrainingReport:
    """Fit a model on the team's files (plus the shipped corpus), write it to `out`, back-test before and after."""
    started = time.perf_counter()
    paths = list(files)
    team = [c for p in paths for c in read_labelled(p, bot_user_ids)]
    if not team:
        raise ValueError("the files hold no conversations")
    test = [c for c in team if held_back(c.id)]
    learn = [c for c in team if not held_back(c.id)] if len(team) >= HOLD_OUT else team
    shipped = [c for p in corpus_files() for c in read_conversations(p)] if with_shipped else []
    page_kind, ai_offer = page_and_offer(settings)
    examples = all_examples([*shipped, *learn], page_kind, ai_offer)
    compare = bool(test) and learn is not team
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the current settings' backtest needs no new model: it runs while the solver works (whose heavy
        # parts leave the interpreter free)
        before = pool.submit(run_backtest, test, settings) if compare else None
        # with the shipped corpus in, the shipped model (fitted on it) is where the solver starts
        data, model = fit(examples, options, meta={"trained_on": [p.name for p in paths], "with_shipped": with_shipped},
                          start=load_model(SHIPPED) if with_shipped else None)
        raw = to_bytes(data)
        out.write_bytes(raw)
        report = TrainingReport(
            files=[str(p) for p in paths], conversations=len(team), held_back=len(test) if compare else 0,
            examples=len(examples), intents=dict(Counter(e.intent for e in examples if e.intent)),
            features=len(model.vocabulary), out=str(out), size_bytes=len(raw), seconds=0.0,
            top_features=_top_features(model),
        )
        if before is not None:
            new = settings.model_copy(update={"learned": settings.learned.model_copy(update={"model_path": str(out.resolve()), "enabled": True})})
            report.before = before.result()
            report.after = run_backtest(test, new)
    report.intents = {k: report.intents.get(k, 0) for k in INTENTS if report.intents.get(k)}
    report.seconds = time.perf_counter() - started
    return report
