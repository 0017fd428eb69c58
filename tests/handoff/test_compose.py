"""The composition root's start-up work: warming up before the first request."""
from __future__ import annotations

from structlog.testing import capture_logs

from handoff.compose import build_runtime
from handoff.decide import matchers
from handoff.service import DB_THREADS


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
