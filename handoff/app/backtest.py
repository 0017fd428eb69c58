"""Back-test the trigger settings on labelled conversations: confusion counts, timing, misses.

`run_backtest(..., jobs=N)` replays on N worker processes: the conversations go to them in chunks, each
chunk comes back as a partial report (and its errors), and the parts are merged in input order, so the
result is the one a single process gives, down to the order of the worst misses and examples.
"""
from __future__ import annotations

import errno
import itertools
import json
import multiprocessing
import os
import signal
import sys
import tempfile
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from rich.console import Group
from rich.table import Table

from handoff.core.formats.conversations import Conversation, Label
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.replay import Replay, replay
from handoff.core.masking import CARDS_AND_SECRETS, mask_pii
from handoff.core.models import Reason

MAX_WORST = 10
_EXCERPT_CHARS = 240
# Conversations per task sent to a worker: large enough that pickling and queueing cost little next to
# the replay, small enough to keep both cores busy to the end and the progress bar moving.
CHUNK_SIZE = 64
_IN_FLIGHT_PER_JOB = 4  # chunks queued per worker: keeps workers fed without reading the whole file ahead
ERROR_KINDS = ("missed", "false_positive", "late", "early")


@dataclass
class TriggerCount:
    """How often a trigger fired, and how often it was right."""

    fired: int = 0
    true_positives: int = 0
    false_positives: int = 0

    def as_dict(self) -> dict[str, int]:
        """JSON form."""
        return {"fired": self.fired, "true_positives": self.true_positives, "false_positives": self.false_positives}


@dataclass
class Miss:
    """A labelled conversation the engine got wrong."""

    id: str
    kind: str  # false_negative | false_positive
    label_category: str | None
    label_turn: int | None
    handoff_at: int | None
    text: str
    triggers: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": {"category": self.label_category, "turn": self.label_turn},
            "handoff_at": self.handoff_at,
            "triggers": list(self.triggers),
            "text": self.text,
        }


@dataclass
class BacktestReport:
    """The outcome of a back-test."""

    conversations: int = 0
    labelled: int = 0
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    true_negatives: int = 0
    late: int = 0
    early: int = 0
    on_time: int = 0
    handoffs: int = 0
    by_trigger: dict[str, TriggerCount] = field(default_factory=dict)
    by_category: Counter[str] = field(default_factory=Counter)
    by_label_category: dict[str, Counter[str]] = field(default_factory=dict)
    worst_misses: list[Miss] = field(default_factory=list)
    _fp_samples: list[Miss] = field(default_factory=list)
    _miss_candidates: list[tuple[int, Miss]] = field(default_factory=list, repr=False)

    @property
    def false_positive_rate(self) -> float:
        """False positives over all labelled conversations that should not escalate."""
        neg = self.false_positives + self.true_negatives
        return self.false_positives / neg if neg else 0.0

    @property
    def recall(self) -> float:
        """Escalations caught over all labelled conversations that should escalate."""
        pos = self.true_positives + self.false_negatives
        return self.true_positives / pos if pos else 1.0

    @property
    def precision(self) -> float:
        """Right escalations over all escalations of labelled conversations."""
        fired = self.true_positives + self.false_positives
        return self.true_positives / fired if fired else 1.0

    def as_dict(self) -> dict[str, Any]:
        """The `backtest --json` object (DESIGN §4 keys plus details)."""
        return {
            "conversations": self.conversations,
            "labelled": self.labelled,
            "handoffs": self.handoffs,
            "true_positives": self.true_positives,
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
            "true_negatives": self.true_negatives,
            "false_positive_rate": round(self.false_positive_rate, 4),
            "recall": round(self.recall, 4),
            "precision": round(self.precision, 4),
            "late": self.late,
            "early": self.early,
            "on_time": self.on_time,
            "by_trigger": {k: v.as_dict() for k, v in sorted(self.by_trigger.items())},
            "by_category": dict(sorted(self.by_category.items())),
            "by_label_category": {k: dict(v) for k, v in sorted(self.by_label_category.items())},
            "worst_misses": [m.as_dict() for m in self.worst_misses],
            "false_positive_examples": [m.as_dict() for m in self._fp_samples],
        }


@dataclass(frozen=True)
class BacktestError:
    """One labelled conversation the engine missed, wrongly escalated, or escalated late or early."""

    id: str
    kind: str  # one of ERROR_KINDS
    label: Label
    handoff_at: int | None
    category: str | None
    reasons: tuple[Reason, ...]
    customer_messages: tuple[tuple[int, str], ...]  # (message index, text with card numbers and secrets masked)

    def as_dict(self) -> dict[str, Any]:
        """One line of `backtest --errors`."""
        return {
            "id": self.id,
            "kind": self.kind,
            "label": {"escalate": self.label.escalate, "turn": self.label.turn, "category": self.label.category},
            "engine": {
                "handoff": self.handoff_at is not None,
                "handoff_at": self.handoff_at,
                "category": self.category,
                "reasons": [{"trigger": r.trigger, "message_index": r.message_index, "evidence": r.evidence,
                             "detail": r.detail} for r in self.reasons],
            },
            "customer_messages": [{"index": i, "text": t} for i, t in self.customer_messages],
        }


def _masked(text: str) -> str:
    return mask_pii(text, CARDS_AND_SECRETS)


def error_for(conv: Conversation, result: Replay) -> BacktestError | None:
    """What the engine got wrong on a labelled conversation (None when right and on time, or unlabelled)."""
    label = conv.label
    if label is None:
        return None
    decision = result.decision
    at = result.handoff_at if decision.handoff else None
    if label.escalate and not decision.handoff:
        kind = "missed"
    elif not label.escalate and decision.handoff:
        kind = "false_positive"
    elif decision.handoff and label.turn is not None and at is not None and at != label.turn:
        kind = "late" if at > label.turn else "early"
    else:
        return None
    # The relevant turn: the later of the labelled turn and the handoff, so both are in view.
    turns = [t for t in (label.turn, at) if t is not None]
    msgs = conv.messages if not turns else conv.messages[: max(turns) + 1]
    reasons = tuple(Reason(r.trigger, r.message_index, _masked(r.evidence), _masked(r.detail))
                    for r in decision.reasons)
    return BacktestError(conv.id, kind, label, at, decision.category, reasons,
                         tuple((m.index, _masked(m.text)) for m in msgs if m.role == "customer"))


class ErrorsFile:
    """The `backtest --errors` file: one BacktestError a line, in input order.

    A regular file is written beside its target and moved into place when the run succeeds, so a run that
    fails half-way leaves the old file, or none, rather than half a list. Opening it checks the path can be
    written, before any replay. It is created readable by its owner only: it quotes customers.
    """

    def __init__(self, path: Path, fh: IO[str], temporary: Path | None) -> None:
        self.path = path
        self.written = 0
        self._fh = fh
        self._temporary = temporary

    @classmethod
    def open(cls, path: str | Path) -> ErrorsFile:
        """Make the file ready to write; raises OSError (the path is a directory, not writable, ...)."""
        target = Path(os.path.realpath(path))
        if target.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
        if target.exists() and not target.is_file():  # a pipe or /dev/stdout: no rename, write straight to it
            return cls(Path(path), open(target, "w", encoding="utf-8"), None)
        if target.exists() and not os.access(target, os.W_OK):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        return cls(target, os.fdopen(fd, "w", encoding="utf-8"), Path(tmp))

    def write(self, error: BacktestError) -> None:
        """Add one error as a JSON line."""
        self._fh.write(json.dumps(error.as_dict(), ensure_ascii=False) + "\n")
        self.written += 1

    def commit(self) -> None:
        """Close the file and put it in place."""
        self._fh.close()
        if self._temporary is not None:
            os.replace(self._temporary, self.path)
            self._temporary = None

    def discard(self) -> None:
        """Close and remove what was written (a failed run)."""
        self._fh.close()
        if self._temporary is not None:
            self._temporary.unlink(missing_ok=True)
            self._temporary = None

    def __enter__(self) -> ErrorsFile:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if exc_type is None:
            self.commit()
        else:
            self.discard()


def excerpt(conv: Conversation, upto: int | None = None) -> str:
    """The customer's words, up to the labelled turn, card numbers and secrets masked, shortened for a table."""
    msgs = conv.messages if upto is None else conv.messages[: upto + 1]
    text = " | ".join(" ".join(_masked(m.text).split()) for m in msgs if m.role == "customer")
    return text if len(text) <= _EXCERPT_CHARS else text[: _EXCERPT_CHARS - 1] + "\u2026"


def score_conversation(report: BacktestReport, conv: Conversation, result: Replay) -> None:
    """Add one replayed conversation to the report (call `finish_report` after the last one)."""
    decision = result.decision
    report.conversations += 1
    triggers = tuple(dict.fromkeys(r.trigger for r in decision.reasons)) if decision.handoff else ()
    if decision.handoff:
        report.handoffs += 1
        report.by_category[decision.category or "general"] += 1
        for t in triggers:
            report.by_trigger.setdefault(t, TriggerCount()).fired += 1
    label = conv.label
    if label is None:
        return
    report.labelled += 1
    cat = label.category or "unlabelled"
    per_cat = report.by_label_category.setdefault(cat, Counter())
    if label.escalate and decision.handoff:
        report.true_positives += 1
        per_cat["true_positives"] += 1
        for t in triggers:
            report.by_trigger[t].true_positives += 1
        if label.turn is not None and result.handoff_at is not None:
            if result.handoff_at > label.turn:
                report.late += 1
            elif result.handoff_at < label.turn:
                report.early += 1
            else:
                report.on_time += 1
    elif label.escalate:
        report.false_negatives += 1
        per_cat["false_negatives"] += 1
        # Single-message misses first: those are the plainest phrasing gaps.
        report._miss_candidates.append((len(conv.messages), Miss(conv.id, "false_negative", label.category, label.turn,
                                                                 None, excerpt(conv, label.turn))))
    elif decision.handoff:
        report.false_positives += 1
        per_cat["false_positives"] += 1
        for t in triggers:
            report.by_trigger[t].false_positives += 1
        if len(report._fp_samples) < MAX_WORST:
            report._fp_samples.append(Miss(conv.id, "false_positive", label.category, label.turn,
                                           result.handoff_at, excerpt(conv, result.handoff_at), triggers))
    else:
        report.true_negatives += 1
        per_cat["true_negatives"] += 1


def _trim_miss_candidates(report: BacktestReport) -> None:
    # A stable sort by length keeps input order among equals; what is cut here could never be picked.
    report._miss_candidates.sort(key=lambda x: x[0])
    del report._miss_candidates[MAX_WORST:]


def finish_report(report: BacktestReport) -> BacktestReport:
    """Pick the worst misses once every conversation is scored."""
    _trim_miss_candidates(report)
    report.worst_misses = [m for _, m in report._miss_candidates]
    return report


def merge_reports(into: BacktestReport, part: BacktestReport) -> None:
    """Add a partial report of the conversations that follow `into`'s (merge parts in input order)."""
    for name in ("conversations", "labelled", "true_positives", "false_positives", "false_negatives",
                 "true_negatives", "late", "early", "on_time", "handoffs"):
        setattr(into, name, getattr(into, name) + getattr(part, name))
    for trigger, count in part.by_trigger.items():
        mine = into.by_trigger.setdefault(trigger, TriggerCount())
        mine.fired += count.fired
        mine.true_positives += count.true_positives
        mine.false_positives += count.false_positives
    into.by_category.update(part.by_category)
    for cat, counts in part.by_label_category.items():
        into.by_label_category.setdefault(cat, Counter()).update(counts)
    into._fp_samples.extend(part._fp_samples[: MAX_WORST - len(into._fp_samples)])
    into._miss_candidates.extend(part._miss_candidates)
    _trim_miss_candidates(into)


def resolve_jobs(jobs: int) -> int:
    """The number of worker processes `jobs` asks for: 0 means one per usable core."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (all cores) or more")
    if jobs:
        return jobs
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on, not all the machine's
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _replay_and_score(report: BacktestReport, conv: Conversation, settings: TriggerSettings,
                      on_error: Callable[[BacktestError], None] | None) -> None:
    result = replay(conv, settings)
    score_conversation(report, conv, result)
    if on_error is not None and (error := error_for(conv, result)) is not None:
        on_error(error)


_worker_settings: TriggerSettings | None = None
_worker_wants_errors = False


def _init_worker(settings: dict[str, Any], wants_errors: bool) -> None:
    global _worker_settings, _worker_wants_errors
    # Ctrl-C reaches the whole process group: the parent stops the pool; a worker should not die mid-chunk.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker_settings = TriggerSettings.model_validate(settings)
    _worker_wants_errors = wants_errors


def _score_chunk(chunk: list[Conversation]) -> tuple[BacktestReport, list[BacktestError]]:
    assert _worker_settings is not None, "worker not initialised"
    part = BacktestReport()
    errors: list[BacktestError] = []
    on_error = errors.append if _worker_wants_errors else None
    for conv in chunk:
        _replay_and_score(part, conv, _worker_settings, on_error)
    _trim_miss_candidates(part)  # send back only what the merge can use
    return part, errors


def _chunks(conversations: Iterable[Conversation], size: int) -> Iterator[list[Conversation]]:
    it = iter(conversations)
    while chunk := list(itertools.islice(it, size)):
        yield chunk


def _pool_context() -> multiprocessing.context.BaseContext:
    """How to start workers: fork when it is safe, else a fork server that imported the engine once."""
    methods = multiprocessing.get_all_start_methods()
    # fork costs nothing at start-up (the engine is already imported, here), which a run of a few seconds
    # needs to gain from a second core; but a child forked while another thread holds a lock can hang
    # on it, so with other threads running (a progress bar, say) a fork server's clean process is used.
    if "fork" in methods and sys.platform == "linux" and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([__name__])
        return ctx
    return multiprocessing.get_context("spawn")


def run_backtest(
    conversations: Iterable[Conversation],
    settings: TriggerSettings,
    progress: Callable[[int], None] | None = None,
    *,
    jobs: int = 1,
    on_error: Callable[[BacktestError], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> BacktestReport:
    """Replay every conversation; score the labelled ones; the same report whatever `jobs` is.

    `progress(n)` is called with the number of conversations done (after each one, or each chunk with
    jobs); `on_error` receives every miss, false positive and late or early escalation, in input order.
    `jobs` worker processes replay chunks of `chunk_size` conversations (0: one per core; 1: this process).
    """
    workers = resolve_jobs(jobs)
    if workers == 1:
        report = BacktestReport()
        for n, conv in enumerate(conversations, start=1):
            _replay_and_score(report, conv, settings, on_error)
            if progress is not None:
                progress(n)
        return finish_report(report)
    return finish_report(_run_parallel(conversations, settings, progress, workers, on_error, chunk_size))


def _run_parallel(
    conversations: Iterable[Conversation],
    settings: TriggerSettings,
    progress: Callable[[int], None] | None,
    workers: int,
    on_error: Callable[[BacktestError], None] | None,
    chunk_size: int,
) -> BacktestReport:
    report = BacktestReport()
    pending: deque[Future[tuple[BacktestReport, list[BacktestError]]]] = deque()
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_init_worker,
                               initargs=(settings.model_dump(), on_error is not None))

    def collect() -> None:
        part, errors = pending.popleft().result()
        merge_reports(report, part)
        if on_error is not None:
            for error in errors:
                on_error(error)
        if progress is not None:
            progress(report.conversations)

    try:
        for chunk in _chunks(conversations, chunk_size):
            pending.append(pool.submit(_score_chunk, chunk))
            if len(pending) >= workers * _IN_FLIGHT_PER_JOB:
                collect()
        while pending:
            collect()
    except BaseException:
        # a bad line in the input or Ctrl-C: queued chunks are dropped; running ones are short
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return report


def render_report(report: BacktestReport) -> Group:
    """Rich tables: summary, per trigger, per category, worst misses and sample false positives."""
    summary = Table(title="Backtest", show_header=False)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    rows = [
        ("conversations", report.conversations),
        ("labelled", report.labelled),
        ("handoffs", report.handoffs),
        ("true positives", report.true_positives),
        ("false negatives (missed)", report.false_negatives),
        ("false positives", report.false_positives),
        ("true negatives", report.true_negatives),
        ("recall", f"{report.recall:.1%}"),
        ("false-positive rate", f"{report.false_positive_rate:.1%}"),
        ("precision", f"{report.precision:.1%}"),
        ("early (before labelled turn)", report.early),
        ("on time", report.on_time),
        ("late (after labelled turn)", report.late),
    ]
    for k, v in rows:
        style = "bold red" if k.startswith("false negatives") and report.false_negatives else None
        summary.add_row(k, str(v), style=style)

    triggers = Table(title="By trigger")
    for col in ("trigger", "fired", "true pos.", "false pos."):
        triggers.add_column(col, justify="right" if col != "trigger" else "left")
    for name, c in sorted(report.by_trigger.items(), key=lambda kv: -kv[1].fired):
        triggers.add_row(name, str(c.fired), str(c.true_positives), str(c.false_positives))

    cats = Table(title="By decided category")
    cats.add_column("category")
    cats.add_column("handoffs", justify="right")
    for name, count in report.by_category.most_common():
        cats.add_row(name, str(count))

    parts: list[Any] = [summary, triggers, cats]
    if report.worst_misses:
        worst = Table(title="Worst misses (should have escalated)")
        for col in ("id", "label", "turn", "text"):
            worst.add_column(col, overflow="fold")
        for m in report.worst_misses:
            worst.add_row(m.id, m.label_category or "", str(m.label_turn), m.text)
        parts.append(worst)
    if report._fp_samples:
        fps = Table(title="False positives (sample)")
        for col in ("id", "at", "triggers", "text"):
            fps.add_column(col, overflow="fold")
        for m in report._fp_samples:
            fps.add_row(m.id, str(m.handoff_at), ", ".join(m.triggers), m.text)
        parts.append(fps)
    return Group(*parts)
