"""`handoff serve` and `handoff worker`: the long-running processes."""
from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Annotated, Any

import typer


from handoff.edge.cli.base import SettingsOpt, app, config_from, database_or_fail, fail, setup_logging


def startup_notes(runtime: Any) -> None:
    """Log the start-up notes (as warnings: what is missing or off) and the database in use, password hidden."""
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

    config = config_from(None)  # $HANDOFF_SETTINGS, set by `serve` when --settings was given
    setup_logging(config)
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

    config = config_from(settings)
    setup_logging(config)
    log = structlog.get_logger("handoff")
    try:
        check_port_free(host, port)
    except PortInUse as e:
        fail(f"cannot listen: {e.strerror}")
    except OSError as e:
        fail(f"cannot listen on {host}:{port}: {e.strerror or e}")
    if workers == 1:
        with database_or_fail(config):
            runtime = build_runtime(config)
        startup_notes(runtime)
        target: Any = with_io_threads(runtime.app(jobs=jobs))
        runtime.warm_up()
        freeze_startup_heap()
    else:
        from handoff.storage.db import make_engine, migrate

        with database_or_fail(config):
            engine = make_engine(config.database_url())
            try:
                migrate(engine)  # once, here: the workers start on the current schema
            finally:
                engine.dispose()
        runtime = build_runtime(config, run_migrations=False)  # for the start-up notes only
        startup_notes(runtime)
        runtime.close()
        if settings is not None:
            os.environ["HANDOFF_SETTINGS"] = str(settings.resolve())
        os.environ[SERVE_JOBS_ENV] = "1" if jobs else "0"
        target = "handoff.edge.cli.serve:serve_app"
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

    config = config_from(settings)
    setup_logging(config)
    from handoff.edge.http.serving import freeze_startup_heap

    with database_or_fail(config):
        runtime = build_runtime(config)
    startup_notes(runtime)
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
