"""The composition root's start-up work: warming up before the first request."""
from __future__ import annotations

from structlog.testing import capture_logs

from handoff.bootstrap import build_runtime
from handoff.core.decide import matchers
from handoff.app.turns import DB_THREADS


def test_warm_up_compiles_the_triggers_and_opens_the_turn_threads_connections(make_config) -> None:
    rt = build_runtime(make_config())
    try:
        matchers._CACHE.clear()
        rt.warm_up()
        assert any(settings is rt.config.settings.triggers for settings, _ in matchers._CACHE.values())
        expected = 1 if rt.engine.dialect.name == "sqlite" else DB_THREADS
        assert rt.engine.pool.checkedin() >= expected  # opened, and back in the pool for the first turns
    finally:
        rt.close()


def test_warm_up_with_the_database_down_only_warns(make_config) -> None:
    rt = build_runtime(make_config(DATABASE_URL="postgresql://nobody@127.0.0.1:9/none"), run_migrations=False)
    try:
        with capture_logs() as logs:
            rt.warm_up()
        [line] = [e for e in logs if e["event"] == "could not open database connections at start-up"]
        assert line["log_level"] == "warning" and "OperationalError" in line["error"]
    finally:
        rt.close()


SLACK_ENV = {"SLACK_BOT_TOKEN": "xoxb-compose-test", "SLACK_SIGNING_SECRET": "compose-signing-secret"}


def test_an_unpinned_slack_workspace_is_a_start_up_warning(make_config) -> None:
    rt = build_runtime(make_config(**SLACK_ENV))
    try:
        [note] = [n for n in rt.notes if "team_id" in n]
        assert "[slack] team_id and [slack] app_id not set" in note and "any workspace" in note
    finally:
        rt.close()
    pinned = build_runtime(make_config('[slack]\nteam_id = "T0ACME"\napp_id = "A0HANDOFF"\n', **SLACK_ENV))
    try:
        assert not [n for n in pinned.notes if "team_id" in n]
    finally:
        pinned.close()
