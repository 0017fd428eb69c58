"""`handoff backtest`: replay labelled conversations on the trigger settings."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer


from handoff.edge.cli.base import (
    AtOpt,
    SettingsOpt,
    app,
    bot_ids,
    config_from,
    database_or_fail,
    err,
    fail,
    out,
    parse_at,
)


@app.command()
def backtest(
    ctx: typer.Context,
    file: Annotated[
        Optional[Path], typer.Argument(help="labelled conversations (JSON Lines) or a Zendesk export")
    ] = None,
    settings: SettingsOpt = None,
    at: AtOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    from_history: Annotated[
        bool,
        typer.Option("--from-history", help="replay the stored conversations (DATABASE_URL), real outcomes as labels"),
    ] = False,
    since: Annotated[
        Optional[str], typer.Option("--since", help="with --from-history: conversations started at or after (ISO-8601)")
    ] = None,
    until: Annotated[
        Optional[str], typer.Option("--until", help="with --from-history: conversations started before (ISO-8601)")
    ] = None,
    limit: Annotated[
        Optional[int], typer.Option("--limit", min=1, help="with --from-history: at most this many conversations")
    ] = None,
    settle_minutes: Annotated[
        int,
        typer.Option("--settle-minutes", min=0,
                     help="with --from-history: skip conversations without a handoff active in the last N minutes"),
    ] = 30,
    compare_with: Annotated[
        Optional[Path],
        typer.Option("--compare-with", help="with --from-history: proposed settings.toml to compare against --settings"),
    ] = None,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="replay on N processes (0: one per core); same report as 1")
    ] = 1,
    errors_to: Annotated[
        Optional[Path],
        typer.Option("--errors", help="write every miss, false positive and late or early handoff here (JSON Lines)"),
    ] = None,
) -> None:
    """Replay many conversations through the triggers and score them against their labels.

    --from-history: replay stored conversations, real outcomes as labels; --compare-with: what a new file would do.
    --jobs N: replay on N processes; --errors OUT.jsonl: every conversation it got wrong, with the reasons.
    """
    from datetime import timedelta

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    from handoff.app.backtest import ErrorsFile, render_report, run_backtest
    from handoff.core.formats.conversations import ConversationFileError
    from handoff.core.formats.zendesk_export import read_any

    if from_history and file is not None:
        fail("give either FILE or --from-history, not both")
    if not from_history and file is None:
        fail("give a conversations FILE, or --from-history to replay the stored conversations")
    if not from_history and (since or until or limit or compare_with):
        fail("--since, --until, --limit and --compare-with go with --from-history")
    if compare_with is not None and (jobs != 1 or errors_to is not None):
        fail("--jobs and --errors do not go with --compare-with")
    config = config_from(settings)
    now = parse_at(at)  # a file back-test validates it only; history uses it to tell finished conversations
    errors_file = None
    if errors_to is not None:
        try:  # before any replay: a path that cannot be written should not cost the whole run
            errors_file = ErrorsFile.open(errors_to)
        except OSError as e:
            fail(f"--errors {errors_to}: cannot write there ({e.strerror or e})")
            raise
        # runs on every way out; after commit() it has nothing left to do, so a failed run leaves no half file
        ctx.call_on_close(errors_file.discard)
    on_error = errors_file.write if errors_file is not None else None
    show = not as_json and sys.stderr.isatty()

    class Bar(Progress):
        """A progress bar shown from its first update: its refresh thread then starts after `--jobs` has
        started its worker processes, which are forked only while this process runs no other thread."""

        def start(self) -> None:
            pass

        def update(self, task_id: TaskID, **kwargs: Any) -> None:
            if not self.disable and not self.live.is_started:
                super().start()
            super().update(task_id, **kwargs)

    def bar() -> Progress:
        return Bar(TextColumn("backtest"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=err, disable=not show, transient=True)

    if from_history:
        from handoff.core.formats.conversations import parse_time
        from handoff.app.history import compare, labelled_from_store, render_comparison
        from handoff.storage.db import make_engine, make_sessionmaker, migrate

        try:
            start = parse_time(since, "--since")
            end = parse_time(until, "--until")
        except ValueError as e:
            fail(str(e))
            raise
        proposed = config_from(compare_with).settings.triggers if compare_with is not None else None
        with database_or_fail(config):
            engine = make_engine(config.database_url())
            try:
                migrate(engine)
                history = labelled_from_store(make_sessionmaker(engine), since=start, until=end, limit=limit,
                                              settled_before=now - timedelta(minutes=settle_minutes))
                with bar() as progress:
                    task = progress.add_task("backtest", total=limit)

                    def tick(n: int) -> None:
                        progress.update(task, completed=n)

                    if proposed is not None:
                        comparison = compare(history, config.settings.triggers, proposed, progress=tick)
                    else:
                        report = run_backtest(history, config.settings.triggers, progress=tick, jobs=jobs,
                                              on_error=on_error)
            finally:
                engine.dispose()
        if proposed is not None:
            if as_json:
                print(json.dumps(comparison.as_dict(), indent=2, ensure_ascii=False, default=str))
            else:
                out.print(render_comparison(comparison))
            return
    else:
        assert file is not None
        if not file.exists():
            fail(f"{file} does not exist")
        total = None
        try:
            with open(file, "rb") as fh:
                total = sum(1 for line in fh if line.strip())
        except OSError as e:
            fail(f"{file}: {e.strerror or e}")
        try:
            with bar() as progress:
                task = progress.add_task("backtest", total=total)
                report = run_backtest(read_any(file, bot_user_ids=bot_ids(config)), config.settings.triggers,
                                      progress=lambda n: progress.update(task, completed=n), jobs=jobs,
                                      on_error=on_error)
        except ConversationFileError as e:
            fail(f"{file}: {e}")
    if errors_file is not None:
        errors_file.commit()
        typer.echo(f"{errors_file.written} misses, false positives and late or early handoffs written to {errors_to}",
                   err=True)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str))
        return
    out.print(render_report(report))
