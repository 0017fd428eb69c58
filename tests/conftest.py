"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when DATABASE_URL names one)."""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from handoff.settings import normalise_database_url

pytest_plugins = ["tests.vendor_fixtures", "tests.enrichment_fixtures"]



def _pg_server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return normalise_database_url(url) if url.startswith(("postgres://", "postgresql")) else None


# Process-level tests: they start real servers and workers, kill them and wait on sockets. Marked `slow`, so
# `python -m pytest -q` is the fast run for working; CI and `-m "slow or not slow"` run everything.
SLOW_MODULES = frozenset({
    "tests/handoff/edge/http/test_serving.py", "tests/handoff/edge/cli/test_serve.py",
    "tests/hostile/test_slow_clients.py", "tests/faults/test_process_kill.py", "tests/faults/test_database_outage.py",
    "tests/test_big_conversation.py", "tests/test_end_to_end.py", "tests/jobs/test_workers.py",
    "tests/test_after_the_handoff.py", "tests/apps/zendesk_sidebar/test_sidebar_in_browser.py",
    "tests/apps/zendesk_sidebar/test_zcli_server.py",
})


DATABASE_FIXTURES = frozenset({"database_url", "pg_database"})


def pytest_addoption(parser: pytest.Parser) -> None:
    """--only-database-tests: for the second run of the suite, on PostgreSQL."""
    parser.addoption("--only-database-tests", action="store_true",
                     help="run only the tests that use the test database (the database_url or pg_database "
                          "fixture): the others cannot behave differently on another database")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the process-level tests slow; with --only-database-tests, leave out those that use no database."""
    root = Path(str(config.rootpath))
    for item in items:
        if Path(str(item.path)).relative_to(root).as_posix() in SLOW_MODULES:
            item.add_marker(pytest.mark.slow)
    if config.getoption("--only-database-tests"):
        uses = [bool(DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))) for item in items]
        kept = [item for item, used in zip(items, uses) if used]
        dropped = [item for item, used in zip(items, uses) if not used]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = kept


@pytest.fixture(autouse=True)
def _logging_restored() -> Iterator[None]:
    """A command run in-process (serve, worker, stats...) configures logging onto the stream of its test: put
    the previous configuration back, so a later test's background job does not print into the run's output."""
    import logging

    import structlog

    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


requires_postgres = pytest.mark.skipif(
    _pg_server_url() is None, reason="needs PostgreSQL: set DATABASE_URL=postgresql://..."
)


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A throw-away PostgreSQL database for this test session, when DATABASE_URL points at a server."""
    server = _pg_server_url()
    if server is None:
        yield None
        return
    name = f"handoff_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def _pg_engine(pg_database: str | None) -> Iterator[Engine]:
    """One engine for emptying the session's PostgreSQL database between tests (a connection per test costs)."""
    assert pg_database is not None
    engine = create_engine(pg_database)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite database made once per session: tests get a copy (a file copy is ~15 times
    cheaper than running the migrations again)."""
    from handoff.storage.db import make_engine, migrate

    path = tmp_path_factory.mktemp("schema") / "handoff.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


@pytest.fixture
def database_url(tmp_path: Path, pg_database: str | None, request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated database with no rows: a copy of the session's SQLite template, or the session's PostgreSQL
    database emptied. `@pytest.mark.fresh_database` gives an empty SQLite file instead (migration tests)."""
    if pg_database is None:
        path = tmp_path / "handoff.db"
        if request.node.get_closest_marker("fresh_database") is None:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    from handoff.storage.tables import Base

    engine = request.getfixturevalue("_pg_engine")
    with engine.begin() as c:
        present = set(c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        # DELETE, children first, rather than one TRUNCATE: on tables this small it is ~3 times cheaper, and
        # ~600 tests each empty the database
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in present:
                c.execute(table.delete())
    yield pg_database


@pytest.fixture
def make_config(tmp_path: Path, database_url: str):
    """Build a Config on the test database with settings TOML text and environment variables."""
    from handoff.settings import load_config

    def make(settings_toml: str = "", **env: str):
        path = tmp_path / "settings.toml"
        outbox = (tmp_path / "outbox").as_posix()
        head = "" if "[service]" in settings_toml else f'[service]\noutbox_dir = "{outbox}"\n'
        path.write_text(head + settings_toml, encoding="utf-8")
        return load_config(path, environ={"DATABASE_URL": database_url, **env})

    return make


@pytest.fixture
def sessions(database_url: str):
    """Sessions on the migrated test database."""
    from handoff.storage.db import make_engine, make_sessionmaker, migrate

    engine = make_engine(database_url)
    migrate(engine)
    yield make_sessionmaker(engine)
    engine.dispose()
