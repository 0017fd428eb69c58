"""Back-test the trigger settings on labelled conversations: confusion counts, timing, misses.

`run_backtest(..., jobs=N)` replays on N worker processes: the conversations go to them in chunks, each
chunk comes back as a partial report (and its errors), and the parts are merged in input order, so the
result is the one a single process gives, down to the order of the worst misses and examples.
"""
from __future__ import annotations

from handoff.app.backtest.errors import (
    ERROR_KINDS,
    BacktestError,
    ErrorsFile,
    error_for,
)
from handoff.app.backtest.report import (
    MAX_WORST,
    BacktestReport,
    Miss,
    TriggerCount,
    excerpt,
    finish_report,
    merge_reports,
    score_conversation,
)
from handoff.app.backtest.run import CHUNK_SIZE, resolve_jobs, run_backtest
from handoff.app.backtest.tables import render_report

__all__ = [
    "CHUNK_SIZE", "ERROR_KINDS", "MAX_WORST", "BacktestError", "BacktestReport", "ErrorsFile", "Miss", "TriggerCount",
    "error_for", "excerpt", "finish_report", "merge_reports", "render_report", "resolve_jobs", "run_backtest",
    "score_conversation",
]
