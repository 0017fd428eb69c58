"""Alembic environment: runs on the connection handed over by handoff.storage.db.migrate, or on the URL."""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from handoff.storage.tables import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    """Run the migrations online, on a given connection or a fresh engine."""
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: pass a connection or set sqlalchemy.url")
    engine = create_engine(url)
    with engine.begin() as conn:
        context.configure(connection=conn, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
