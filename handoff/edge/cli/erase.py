"""`handoff erase`: remove a customer's personal data."""
from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Optional

import typer


from handoff.edge.cli.base import SettingsOpt, app, config_from, database_or_fail, fail, out


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
    config = config_from(settings)
    with database_or_fail(config):
        engine = make_engine(config.database_url())
        try:
            migrate(engine)
            report = erase_data(make_sessionmaker(engine), lambda: datetime.now(UTC), email=email,
                                conversation_id=conversation_id, outbox=config.settings.service.outbox_dir,
                                dry_run=not yes)
        finally:
            engine.dispose()
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        out.print(report.as_text(), markup=False, highlight=False)
