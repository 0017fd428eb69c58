"""Shared fixtures: a fresh database per test (SQLite file, or PostgreSQL when DATABASE_URL names one)."""
from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from handoff.settings import normalise_database_url

pytest_plugins = ["tests.fakes.fixtures", "tests.fakes.enrichment_fixtures"]



def _pg_server_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return normalise_database_url(url) if url.startswith(("postgres://", "postgresql")) else None


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


@pytest.fixture
def database_url(tmp_path: Path, pg_database: str | None) -> Iterator[str]:
    """A database with no rows: a new SQLite file, or the session's PostgreSQL database emptied."""
    if pg_database is None:
        yield f"sqlite:///{tmp_path / 'handoff.db'}"
        return
    from handoff.storage.tables import Base

    engine = create_engine(pg_database)
    with engine.begin() as c:
        present = set(c.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
        tables = [t.name for t in Base.metadata.sorted_tables if t.name in present]
        if tables:
            c.execute(text(f"TRUNCATE {', '.join(tables)} CASCADE"))
    engine.dispose()
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
