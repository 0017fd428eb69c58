"""Engine and sessions for SQLite (embedded default) and PostgreSQL, and running migrations."""
from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, exc, text
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A pooled connection idle for longer than this is checked (one round trip) before use: after a quiet
# spell the server may have restarted or a proxy dropped it. A busy connection is not: SQLAlchemy's
# pool_pre_ping would add that round trip (and ~0.25 ms of CPU, a fifth of a turn's) to every turn,
# and a connection that breaks while in use is caught anyway (the pool is then refreshed as a whole).
IDLE_CHECK_SECONDS = 10.0


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout so processes can share a file.

    `hide_parameters`: a database error's text (logged, in tracebacks) shows the SQL but never the bound
    values, which are customers' messages, e-mails and card numbers as they typed them.
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, hide_parameters=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and url not in ("sqlite://", "sqlite:///"):
                cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    engine = create_engine(url, pool_size=20, max_overflow=10, hide_parameters=True)
    _check_connections_after_idle(engine, IDLE_CHECK_SECONDS)
    return engine


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an INSERT, UPDATE or DELETE in `session` and return how many rows it changed."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):  # only a SELECT returns anything else
        raise TypeError("changed_rows() takes an INSERT, UPDATE or DELETE statement")
    return result.rowcount


def _check_connections_after_idle(engine: Engine, idle_seconds: float) -> None:
    """Ping a pooled connection before use when it has sat idle for `idle_seconds` (SQLAlchemy's
    pessimistic disconnect recipe, limited to idle connections); a dead one is replaced transparently."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _taken(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since < idle_seconds:
            return
        try:
            cur = dbapi_conn.cursor()
            try:
                cur.execute("SELECT 1")
            finally:
                cur.close()
            dbapi_conn.rollback()  # leave no transaction open behind the ping
        except Exception as e:  # noqa: BLE001 - any failure here means the connection is unusable
            # the pool discards this connection and checks out another (a fresh one if need be)
            raise exc.DisconnectionError(f"pooled connection found dead after {idle_seconds:g} s idle") from e


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration pointing at the packaged migrations and `url`."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema up to the newest migration."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            # several processes starting at once: one migrates, the others wait and find it done
            conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
