"""Migrations build the schema the tables declare, on SQLite and PostgreSQL alike."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from handoff.storage.db import make_engine, migrate
from handoff.storage.tables import Base
from tests.conftest import requires_postgres


def test_migrations_match_the_tables_and_are_idempotent(database_url):
    engine = make_engine(database_url)
    try:
        migrate(engine)
        migrate(engine)  # a second start changes nothing
        names = set(inspect(engine).get_table_names())
        assert {"conversations", "messages", "handoffs", "deliveries", "agent_status"} <= names
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"tables and migrations disagree: {diff}"
    finally:
        engine.dispose()


@requires_postgres
def test_concurrent_migrations_on_postgresql(pg_database):
    """Several processes starting at once: the advisory lock lets one migrate and the rest find it done."""
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import create_engine, text

    with create_engine(pg_database, isolation_level="AUTOCOMMIT").connect() as c:
        c.execute(text("DROP SCHEMA public CASCADE"))
        c.execute(text("CREATE SCHEMA public"))
    engines = [make_engine(pg_database) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            list(pool.map(migrate, engines))
        assert "deliveries" in inspect(engines[0]).get_table_names()
    finally:
        for e in engines:
            e.dispose()
