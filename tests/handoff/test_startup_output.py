"""What a process prints while it starts: nothing a library adds that nobody acts on."""
from __future__ import annotations

import logging

from handoff.bootstrap import build_runtime
from handoff.storage.db import make_engine, migrate


def test_migrations_are_one_info_line_and_alembic_speaks_only_at_debug(database_url, caplog):
    engine = make_engine(database_url)
    try:
        with caplog.at_level(logging.INFO):
            migrate(engine)
            first = [r for r in caplog.records]
            caplog.clear()
            migrate(engine)  # already current: nothing to say
            again = list(caplog.records)
    finally:
        engine.dispose()
    assert not [r for r in first if r.name.startswith("alembic")]
    migrated = [r.getMessage() for r in first if r.name == "handoff.storage"]
    assert len(migrated) <= 1 and all(m.startswith("database schema migrated from ") for m in migrated)
    assert again == []


def test_migrations_at_debug_show_alembics_lines(database_url, caplog):
    engine = make_engine(database_url)
    try:
        with caplog.at_level(logging.DEBUG):
            migrate(engine)
    finally:
        engine.dispose()
    assert [r for r in caplog.records if r.name.startswith("alembic")]


def test_the_slack_app_starts_without_bolts_token_warning(make_config, monkeypatch, caplog):
    """bolt reads SLACK_BOT_TOKEN itself and warned "`token` will be unused" at every start."""
    env = {"SLACK_BOT_TOKEN": "xoxb-start-up", "SLACK_SIGNING_SECRET": "start-up-secret",
           "SLACK_API_URL": "http://127.0.0.1:9/api/"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)  # where bolt looks
    rt = build_runtime(make_config(**env))
    try:
        with caplog.at_level(logging.INFO):
            rt.app(jobs=False)
    finally:
        rt.close()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
