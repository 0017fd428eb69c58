"""The `handoff` command: serve, worker, check-config, simulate, backtest, stats."""
from __future__ import annotations

import asyncio
import json
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console

from handoff.settings import Config, SettingsError, load_config

app = typer.Typer(
    name="handoff",
    help="Decide when an AI support agent must hand a customer to a human, and hand over well.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

SettingsOpt = Annotated[
    Optional[Path],
    typer.Option("--settings", "-s", help="settings.toml to use (default $HANDOFF_SETTINGS or ./settings.toml)"),
]
AtOpt = Annotated[
    Optional[str], typer.Option("--at", help="fix the clock (ISO-8601, e.g. 2026-03-06T22:00:00Z) for hours and callbacks")
]


def fail(message: str, code: int = 2) -> None:
    """Print a clear error and exit non-zero."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)  # plain text: scripts grep it
    raise typer.Exit(code)


def _config(path: Path | None) -> Config:
    try:
        return load_config(path)
    except SettingsError as e:
        fail(str(e))
        raise  # unreachable


def _setup_logging(config: Config) -> None:
    from handoff.logs import configure_logging

    svc = config.settings.service
    configure_logging(svc.log_level, svc.log_format, config.env.secret_values())


def _parse_at(at: str | None, option: str = "--at") -> datetime:
    if not at:
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        fail(f"{option} {at!r} is not an ISO-8601 time (e.g. 2026-03-06T22:00:00Z)")
        raise
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _bot_ids(config: Config) -> tuple[int, ...]:
    bot = config.settings.zendesk.bot_user_id
    return (bot,) if bot is not None else ()


def _startup_notes(runtime: Any) -> None:
    import structlog

    log = structlog.get_logger("handoff")
    for note in runtime.notes:
        log.warning(note)
    db = runtime.engine.url.render_as_string(hide_password=True)
    log.info("storage", database=db)


# Threads for blocking calls made with asyncio.to_thread: connectors run sync SDKs (zenpy) there for as
# long as an upstream takes to answer, so the default (cores + 4) would let one slow Zendesk starve the
# webhook ack and every other database call that shares the default executor.
IO_THREADS = 64
SERVE_JOBS_ENV = "HANDOFF_SERVE_JOBS"  # how `serve --workers N` tells its worker processes about --no-jobs


def with_io_threads(app: Any, threads: int = IO_THREADS) -> Any:
    """Give the app's event loop a default executor of `threads` threads for the life of the app."""
    from concurrent.futures import ThreadPoolExecutor
    from contextlib import asynccontextmanager

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> Any:
        executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="handoff-io")
        asyncio.get_running_loop().set_default_executor(executor)
        async with inner(a) as state:
            yield state

    app.router.lifespan_context = lifespan
    return app


def serve_app() -> Any:
    """The app of one `serve --workers N` process, built from the environment (uvicorn calls this in each)."""
    import os

    from handoff.bootstrap import build_runtime

    config = _config(None)  # $HANDOFF_SETTINGS, set by `serve` when --settings was given
    _setup_logging(config)
    from handoff.edge.http.serving import freeze_startup_heap

    runtime = build_runtime(config, run_migrations=False)  # the parent migrated before starting workers
    app = _forget_on_exit(with_io_threads(runtime.app(jobs=os.environ.get(SERVE_JOBS_ENV, "1") == "1")))
    runtime.warm_up()
    freeze_startup_heap()
    return app


def _forget_on_exit(app: Any) -> Any:
    """Mark this worker's metrics dead when its app stops (live gauges only; counters keep counting)."""
    import os
    from contextlib import asynccontextmanager

    from handoff import metrics

    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> Any:
        try:
            async with inner(a) as state:
                yield state
        finally:
            metrics.process_exited(os.getpid())

    app.router.lifespan_context = lifespan
    return app


@app.command()
def serve(
    settings: SettingsOpt = None,
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on", min=1, max=65535)] = 8000,
    jobs: Annotated[bool, typer.Option("--jobs/--no-jobs", help="also run the background jobs in this process")] = True,
    workers: Annotated[int, typer.Option(
        "--workers", "-w", min=1, max=64,
        help="HTTP worker processes sharing the port, each with its own connections and jobs (about one per core)",
    )] = 1,
) -> None:
    """Run the HTTP API (and, unless --no-jobs, the background jobs)."""
    import os

    import structlog
    import uvicorn

    from handoff.bootstrap import build_runtime
    from handoff.edge.http.serving import (
        LOCAL_ONLY_WARNING,
        PortInUse,
        balanced_workers_supported,
        check_port_free,
        freeze_startup_heap,
        run_workers,
        uvicorn_options,
    )

    config = _config(settings)
    _setup_logging(config)
    log = structlog.get_logger("handoff")
    try:
        check_port_free(host, port)
    except PortInUse as e:
        fail(f"cannot listen: {e.strerror}")
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
    if workers == 1:
        runtime = build_runtime(config)
        _startup_notes(runtime)
        target: Any = with_io_threads(runtime.app(jobs=jobs))
        runtime.warm_up()
        freeze_startup_heap()
    else:
        from handoff.storage.db import make_engine, migrate

        engine = make_engine(config.database_url())
        migrate(engine)  # once, here: the workers start on the current schema
        engine.dispose()
        runtime = build_runtime(config, run_migrations=False)  # for the start-up notes only
        _startup_notes(runtime)
        runtime.close()
        if settings is not None:
            os.environ["HANDOFF_SETTINGS"] = str(settings.resolve())
        os.environ[SERVE_JOBS_ENV] = "1" if jobs else "0"
        target = "handoff.edge.cli.main:serve_app"
    if not config.env.api_keys():
        log.warning(LOCAL_ONLY_WARNING)
    log.info("listening", url=f"http://{host}:{port}", docs=f"http://{host}:{port}/docs", workers=workers)
    metrics_dir = _shared_metrics_dir() if workers > 1 else None
    options = uvicorn_options(config.settings.service, keyed=bool(config.env.api_keys()))
    try:
        if workers > 1 and balanced_workers_supported():
            try:
                code = run_workers(workers, host, port, {"app": target, "factory": True, **options})
            except PortInUse as e:  # taken between the check above and the workers' start
                fail(f"cannot listen: {e.strerror}")
            if code:
                fail("a worker could not start; see the log above", code)
        else:
            uvicorn.run(target, host=host, port=port, factory=workers > 1, workers=workers if workers > 1 else None,
                        **options)
    finally:
        if metrics_dir is not None:
            import shutil

            shutil.rmtree(metrics_dir, ignore_errors=True)


def _shared_metrics_dir() -> str:
    """A fresh private directory for the workers' metric files, announced to them through the environment.

    Set before the workers are spawned, so each imports prometheus_client already in multiprocess mode
    (this parent imported it earlier, in single-process mode, and serves no requests). Never reused: a
    directory left by an earlier run would add its counts to this one's.
    """
    import os
    import tempfile

    from handoff.metrics import MULTIPROC_ENV

    _remove_stale_metrics_dirs(Path(tempfile.gettempdir()))
    path = tempfile.mkdtemp(prefix=f"handoff-metrics-{os.getpid()}-")  # empty, mode 0700
    os.environ[MULTIPROC_ENV] = path
    return path


def _remove_stale_metrics_dirs(tmp: Path) -> None:
    """Remove the metrics directories of earlier `serve` runs that were killed before they could (pid gone)."""
    import os
    import shutil

    for d in tmp.glob("handoff-metrics-*-*"):
        pid = d.name.split("-")[2]
        if not pid.isdigit() or d.stat().st_uid != os.getuid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(d, ignore_errors=True)
        except OSError:
            pass  # alive, someone else's: leave it


@app.command()
def worker(settings: SettingsOpt = None) -> None:
    """Run the background jobs without HTTP (deliveries, later callbacks); run several for scale-out."""
    import structlog

    from handoff.bootstrap import build_runtime

    config = _config(settings)
    _setup_logging(config)
    from handoff.edge.http.serving import freeze_startup_heap

    runtime = build_runtime(config)
    _startup_notes(runtime)
    log = structlog.get_logger("handoff")
    freeze_startup_heap()

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with runtime.background():
            log.info("worker started", owner=runtime.dispatcher.owner)
            await stop.wait()
        log.info("worker stopped")

    asyncio.run(main())


@app.command("check-config")
def check_config(settings: SettingsOpt = None) -> None:
    """Validate settings.toml and the environment, and print what was understood."""
    from handoff.edge.cli.config_report import config_report

    config = _config(settings)
    out.print(config_report(config), highlight=False)


def _simulate_one(config: Config, conversation: Any, now: datetime) -> dict[str, Any]:
    from handoff.bootstrap import build_enricher
    from handoff.core.decide.replay import replay
    from handoff.core.models import AccountContext
    from handoff.app.packaging import package_handoff
    from handoff.core.route import AgentLoad, Roster

    result = replay(conversation, config.settings.triggers)
    decision = result.decision
    base: dict[str, Any] = {
        "conversation_id": conversation.id,
        "decision": "handoff" if decision.handoff else "continue",
        "handoff_at": result.handoff_at,
        "reasons": [r.as_dict() for r in decision.reasons],
        "category": decision.category,
        "priority": decision.priority,
        "briefing": None,
        "route": None,
        "customer_message": None,
    }
    if not decision.handoff:
        return base
    enricher = build_enricher(config)
    account: AccountContext = asyncio.run(enricher.enrich(conversation.customer))
    roster = Roster(agents=tuple(AgentLoad(agent=a.id) for a in getattr(config.settings.routing, "agents", [])))
    upto = result.handoff_at if result.handoff_at is not None else len(conversation.messages) - 1
    messages = conversation.messages[: upto + 1]
    page = conversation.page_url
    for m in messages:
        page = m.page_url or page
    pkg = package_handoff(
        handoff_id="simulated", conversation_id=conversation.id, messages=messages, decision=decision,
        account=account, customer=conversation.customer, page_url=page, roster=roster, now=now,
        settings=config.settings,
    )
    route = pkg.route.as_dict()
    from handoff.core.render.simulate_view import simulated_briefing

    return {
        **base,
        "priority": pkg.priority,
        "briefing": simulated_briefing(pkg.briefing, messages),
        "route": route,
        "customer_message": pkg.route.customer_message,
        "zendesk_note": pkg.ticket["note"],
    }


@app.command()
def simulate(
    file: Annotated[Path, typer.Argument(help="conversation file (JSON Lines) or a Zendesk export")],
    settings: SettingsOpt = None,
    conversation_id: Annotated[Optional[str], typer.Option("--id", help="which conversation (default: the first)")] = None,
    at: AtOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Run one conversation through decide, enrich, package and route, and print the result."""
    from handoff.core.formats.conversations import ConversationFileError
    from handoff.core.formats.zendesk_export import read_any

    config = _config(settings)
    now = _parse_at(at)
    if not file.exists():
        fail(f"{file} does not exist")
    chosen = None
    try:
        for conv in read_any(file, bot_user_ids=_bot_ids(config)):
            if conversation_id is None or conv.id == conversation_id:
                chosen = conv
                break
    except ConversationFileError as e:
        fail(f"{file}: {e}")
    except OSError as e:
        fail(f"{file}: {e.strerror or e}")
    if chosen is None:
        fail(f"{file}: no conversation" + (f" with id {conversation_id!r}" if conversation_id else ""))
    result = _simulate_one(config, chosen, now)
    if as_json:
        result.pop("zendesk_note", None)
        print(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        return
    from handoff.core.render.simulate_view import render_simulation

    out.print(render_simulation(chosen, result))


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
    config = _config(settings)
    now = _parse_at(at)  # a file back-test validates it only; history uses it to tell finished conversations
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
        proposed = _config(compare_with).settings.triggers if compare_with is not None else None
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
                report = run_backtest(read_any(file, bot_user_ids=_bot_ids(config)), config.settings.triggers,
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


@app.command()
def train(
    files: Annotated[list[Path], typer.Argument(help="labelled conversations (JSON Lines) or Zendesk exports")],
    out: Annotated[Path, typer.Option("--out", "-o", help="model file to write")] = Path("handoff-intent-model.json.gz"),
    settings: SettingsOpt = None,
    only_mine: Annotated[bool, typer.Option("--only-mine", help="fit on these files alone, without the shipped corpus")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Fit the learned decision layer on your own labelled history; prints a before/after backtest."""
    from rich.table import Table

    from handoff.core.formats.conversations import ConversationFileError
    from handoff.app.training import train as run_training

    config = _config(settings)
    for f in files:
        if not f.exists():
            fail(f"{f} does not exist")
    try:
        report = run_training(files, out, config.settings.triggers, with_shipped=not only_mine, bot_user_ids=_bot_ids(config))
    except ConversationFileError as e:
        fail(f"{files[0] if len(files) == 1 else 'input'}: {e}")
        raise
    except ValueError as e:
        fail(str(e))
        raise
    if as_json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
        return
    console = Console()
    console.print(f"trained on {report.conversations} conversations ({report.held_back} held back), "
                  f"{report.examples} examples, {report.features} features in {report.seconds:.1f} s")
    console.print(f"wrote {report.out} ({report.size_bytes // 1024} KB): set \\[triggers.learned] model_path = \"{report.out}\"")
    t = Table("intent", "examples", "words that weigh most", title="what it learned", title_justify="left")
    for intent, n in report.intents.items():
        if intent == "none":
            t.add_row("none (routine)", str(n), "-")
            continue
        t.add_row(intent, str(n), ", ".join(report.top_features.get(intent, [])) or "-")
    console.print(t)
    if report.before is not None and report.after is not None:
        b = Table("on the held-back part", "recall", "false positives", "missed", title="before / after", title_justify="left")
        for name, r in (("current settings", report.before), ("with the new model", report.after)):
            b.add_row(name, f"{r.recall:.1%}", f"{r.false_positives} ({r.false_positive_rate:.1%})", str(r.false_negatives))
        console.print(b)
    else:
        console.print("fewer than 5 conversations: nothing held back to compare on")


@app.command()
def stats(
    settings: SettingsOpt = None,
    since: Annotated[Optional[str], typer.Option(help="from this time (ISO-8601) or a span back from now: 7d, 24h")] = None,
    until: Annotated[Optional[str], typer.Option(help="up to this time (ISO-8601)")] = None,
    team: Annotated[Optional[str], typer.Option(help="only handoffs routed to this team")] = None,
    bucket: Annotated[str, typer.Option(help="timeline buckets: day or week")] = "day",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    html: Annotated[Optional[Path], typer.Option("--html", help="write a self-contained HTML report with charts")] = None,
) -> None:
    """Handoff quality metrics from the store: rate, reasons, response and resolution times, CSAT, quality."""
    from handoff.app.stats import collect_stats, load_records, render_stats
    from handoff.storage.db import make_engine, make_sessionmaker, migrate

    config = _config(settings)
    now = datetime.now(UTC)
    start = _parse_since(since, now)
    end = _parse_at(until, "--until") if until else None
    if bucket not in ("day", "week"):
        fail("--bucket must be day or week")
    if team is not None and team not in {t.name for t in config.settings.routing.teams}:
        fail(f"--team {team!r} is not a team in settings.toml")
    engine = make_engine(config.database_url())
    try:
        migrate(engine)
        sessions = make_sessionmaker(engine)
        quality = config.settings.quality
        records = load_records(sessions, since=start, until=end, repeat_window_days=quality.repeat_window_days)
        data = collect_stats(sessions, quality, since=start, until=end, team=team, bucket=bucket, now=now,
                             records=records)
    except Exception as e:  # noqa: BLE001 - a clear line instead of a traceback for an unreachable database
        fail(f"cannot read the store ({config.database_url().split(':')[0]}): {type(e).__name__}: {e}")
        raise
    finally:
        engine.dispose()
    if html is not None:
        from handoff.core.measure.quality import score_handoff
        from handoff.core.render.report_html import render_report

        handoffs = [h for h in records[0] if (team is None or h.team == team)
                    and (start is None or h.created_at >= start) and (end is None or h.created_at < end)]
        first = [(h.first_response_at - h.created_at).total_seconds() for h in handoffs if h.first_response_at]
        scores = [score_handoff(h, quality, now=now).total for h in handoffs]
        filters = {k: v for k, v in (("since", since), ("until", until), ("team", team)) if v}
        try:
            html.write_text(render_report(data, first_response_seconds=first, quality_scores=scores,
                                          generated_at=now, filters=filters), encoding="utf-8")
        except OSError as e:
            fail(f"cannot write {html}: {e.strerror or e}")
        if not as_json:
            out.print(f"report written to {html}")
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    elif html is None:
        out.print(render_stats(data))


def _parse_since(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    import re

    m = re.fullmatch(r"(\d+)([dhw])", value.strip())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return now - {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]
    return _parse_at(value, "--since")


@app.command()
def erase(
    settings: SettingsOpt = None,
    email: Annotated[Optional[str], typer.Option(
        help="erase every conversation of this customer e-mail (matched exactly, case-insensitively)")] = None,
    conversation_id: Annotated[Optional[str], typer.Option("--conversation", help="erase one conversation")] = None,
    yes: Annotated[bool, typer.Option("--yes", help="do it (without it, only say what would be erased)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """GDPR erasure: remove a customer's personal data from the store and the local outbox."""
    from handoff.app.erasure import check_email
    from handoff.app.erasure import erase as erase_data
    from handoff.storage.db import make_engine, make_sessionmaker, migrate

    if (email is None) == (conversation_id is None):
        fail("give exactly one of --email or --conversation")
    if conversation_id is not None and not conversation_id.strip():
        fail("--conversation is empty")
    if email is not None:
        try:
            email = check_email(email)
        except ValueError as e:
            fail(f"--email: {e}")
    config = _config(settings)
    engine = make_engine(config.database_url())
    try:
        migrate(engine)
        report = erase_data(make_sessionmaker(engine), lambda: datetime.now(UTC), email=email,
                            conversation_id=conversation_id, outbox=config.settings.service.outbox_dir, dry_run=not yes)
    finally:
        engine.dispose()
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        out.print(report.as_text(), markup=False, highlight=False)


setup_app = typer.Typer(help="Create what Handoff needs in outside systems.", no_args_is_help=True)
app.add_typer(setup_app, name="setup")


@setup_app.command("zendesk")
def setup_zendesk_cmd(
    settings: SettingsOpt = None,
    url: Annotated[Optional[str], typer.Option(
        "--url", help="public URL of POST /webhooks/zendesk (default: [service] public_url + /webhooks/zendesk)")] = None,
    name: Annotated[str, typer.Option(help="name of the webhook and the trigger")] = "Handoff",
    kind: Annotated[str, typer.Option(help="trigger (default; carries CSAT) or events")] = "trigger",
    show_secret: Annotated[bool, typer.Option("--show-secret", help="print the webhook's signing secret")] = False,
) -> None:
    """Create the Zendesk webhook (and trigger) that call this service; safe to run again."""
    from connectors.errors import UpstreamError
    from connectors.zendesk_setup import describe, setup_zendesk
    from handoff.bootstrap import build_zendesk

    config = _config(settings)
    if kind not in ("trigger", "events"):
        fail("--kind must be trigger or events")
    url = url or config.settings.service.public_url.rstrip("/") + "/webhooks/zendesk"
    if not url.startswith(("https://", "http://")):
        fail("--url must be the public http(s) URL of /webhooks/zendesk")
    connector = build_zendesk(config)
    if connector is None:
        fail("Zendesk is not configured: set ZENDESK_EMAIL, ZENDESK_API_TOKEN and [zendesk] subdomain")
    try:
        result = asyncio.run(setup_zendesk(connector, target_url=url, name=name, kind=kind))
    except (UpstreamError, ValueError) as e:
        fail(str(e))
    finally:
        connector.close()
    typer.echo(describe(result, show_secret=show_secret))


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
