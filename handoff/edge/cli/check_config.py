"""`handoff check-config`: the settings as understood, and whether the database answers."""
from __future__ import annotations

from typing import Annotated

import typer

from handoff.edge.cli.base import SettingsOpt, app, config_from, out

DATABASE_CHECK_SECONDS = 5.0  # a check, not a wait: an unreachable database is reported, not waited out


@app.command("check-config")
def check_config(
    settings: SettingsOpt = None,
    database: Annotated[bool, typer.Option("--database/--no-database",
                                           help="also try to connect to the database (5 s at most)")] = True,
) -> None:
    """Validate settings.toml and the environment, print what was understood, and try the database."""
    from handoff.edge.cli.config_report import config_report
    from handoff.settings import SUPPORTED_DATABASES_TEXT
    from handoff.storage.db import check_database

    config = config_from(settings)
    out.print(config_report(config), highlight=False)
    out.print(f"supported databases: {SUPPORTED_DATABASES_TEXT}", highlight=False)
    if not database:
        return
    ok, line = check_database(config.database_url(), DATABASE_CHECK_SECONDS)
    out.print(f"database: {line}", highlight=False, markup=False, soft_wrap=True)
    if not ok:
        raise typer.Exit(1)
