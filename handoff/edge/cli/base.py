"""What every `handoff` command shares: the Typer app, options, errors, settings and logging."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, NoReturn, Optional

import typer
from rich.console import Console

from handoff.core.times import parse_iso
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


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error and exit non-zero."""
    typer.secho(f"error: {message}", err=True, fg=typer.colors.RED)  # plain text: scripts grep it
    raise typer.Exit(code)


def config_from(path: Path | None) -> Config:
    """The settings at `path` (or the default place), or a clear CLI error naming the wrong key."""
    try:
        return load_config(path)
    except SettingsError as e:
        fail(str(e))
        raise  # unreachable


@contextmanager
def database_or_fail(config: Config) -> Iterator[None]:
    """Turn a database that cannot be opened, reached or migrated into one line and exit 1, not a traceback."""
    from handoff.storage.db import OPEN_ERRORS, open_failure

    try:
        yield
    except OPEN_ERRORS as e:
        fail(open_failure(config.database_url(), e), code=1)


def setup_logging(config: Config) -> None:
    """Logging as `[service]` asks, with the environment's secrets redacted."""
    from handoff.logs import configure_logging

    svc = config.settings.service
    configure_logging(svc.log_level, svc.log_format, config.env.secret_values())


def parse_at(at: str | None, option: str = "--at") -> datetime:
    """The clock reading an `--at` option fixes (now when not given), or a clear CLI error."""
    if not at:
        return datetime.now(UTC)
    try:
        return parse_iso(at)
    except ValueError:
        fail(f"{option} {at!r} is not an ISO-8601 time (e.g. 2026-03-06T22:00:00Z)")
        raise


def bot_ids(config: Config) -> tuple[int, ...]:
    """The Zendesk user id of the bot (`[zendesk] bot_user_id`), whose comments are not the customer's, if set."""
    bot = config.settings.zendesk.bot_user_id
    return (bot,) if bot is not None else ()


setup_app = typer.Typer(help="Create what Handoff needs in outside systems.", no_args_is_help=True)
app.add_typer(setup_app, name="setup")
