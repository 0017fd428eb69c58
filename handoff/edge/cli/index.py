"""`handoff index`: add the solved tickets of a Zendesk export to the similar-cases index."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from handoff.edge.cli.base import SettingsOpt, app, bot_ids, config_from, database_or_fail, fail


@app.command()
def index(
    file: Annotated[Path, typer.Argument(help="a Zendesk export (Incremental Ticket Export with comments, or JSON Lines)")],
    settings: SettingsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
) -> None:
    """Index the solved tickets of a Zendesk export as past cases for the briefings' similar cases."""
    from handoff.app.similar_import import index_export
    from handoff.core.formats.conversations import ConversationFileError
    from handoff.storage.db import make_engine, make_sessionmaker, migrate

    config = config_from(settings)
    if not file.is_file():
        fail(f"{file} does not exist or is not a file")
    with database_or_fail(config):
        engine = make_engine(config.database_url())
        try:
            migrate(engine)
            report = index_export(make_sessionmaker(engine), file, clock=lambda: datetime.now(UTC),
                                  settings=config.settings.similar, bot_user_ids=bot_ids(config))
        except ConversationFileError as e:
            fail(f"{file}: {e}; nothing was indexed")
        except OSError as e:
            fail(f"{file}: {e.strerror or e}; nothing was indexed")
        finally:
            engine.dispose()
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        typer.echo(report.as_text(str(file)))
