"""Running a back-test: in this process, or on worker processes that replay chunks and send back partial
reports, merged in input order so the result is the one a single process gives."""
from __future__ import annotations

import itertools
import multiprocessing
import os
import signal
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from handoff.app.backtest.errors import BacktestError, error_for
from handoff.app.backtest.report import (
    BacktestReport,
    finish_report,
    merge_reports,
    score_conversation,
    trim_miss_candidates,
)
from handoff.core.decide.config import TriggerSettings
from handoff.core.decide.replay import replay
from handoff.core.formats.conversations import Conversation

# Conversations per task sent to a worker: large enough that pickling and queueing cost little next to
# the replay, small enough to keep both cores busy to the end and the progress bar moving.
CHUNK_SIZE = 64
_IN_FLIGHT_PER_JOB = 4  # chunks queued per worker: keeps workers fed without reading the whole file ahead


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
    trim_miss_candidates(part)  # send back only what the merge can use
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
