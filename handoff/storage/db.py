"""Engine and sessions for SQLite (embedded default) and PostgreSQL, and running migrations."""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.util import CommandError
from sqlalchemy import CursorResult, Engine, Executable, create_engine, event, exc, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from handoff.storage.errors import describe

# stdlib logging, not structlog: commands that print JSON run migrations before (or without) configuring
# logs, and unconfigured structlog writes to stdout
log = logging.getLogger("handoff.storage")
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# A pooled connection idle for longer than this is checked (one round trip) before use: after a quiet
# spell the server may have restarted or a proxy dropped it. A busy connection is not: SQLAlchemy's
# pool_pre_ping would add that round trip (and ~0.25 ms of CPU, a fifth of a turn's) to every turn,
# and a connection that breaks while in use is caught anyway (the pool is then refreshed as a whole).
IDLE_CHECK_SECONDS = 10.0
# How long opening a PostgreSQL connection may take before it is a failure (libpq waits for the OS's TCP
# timeout, minutes, for a host that drops packets); a URL's own ?connect_timeout= wins.
CONNECT_TIMEOUT_SECONDS = 10


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
    connect_args = {} if "connect_timeout" in make_url(url).query else {"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    engine = create_engine(url, pool_size=20, max_overflow=10, hide_parameters=True, connect_args=connect_args)
    _check_connections_after_idle(engine, IDLE_CHECK_SECONDS)
    return engine


def changed_rows(session: Session, statement: Executable) -> int:
    """Run an INSERT, UPDATE or DELETE in `session` and return how many rows it changed."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):  # only a SELECT returns anything else
        raise TypeError("changed_rows() takes an INSERT, UPDATE or DELETE statement")
    return result.rowcount


# What opening or migrating a database can raise: its driver's errors through SQLAlchemy, a URL SQLAlchemy
# cannot read, Alembic finding a schema newer than this version knows, a SQLite file that cannot be made.
OPEN_ERRORS = (exc.SQLAlchemyError, CommandError, sqlite3.Error)


def where(url: str) -> str:
    """The database a URL names, for people: its URL without the password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return url.split(":", 1)[0] + ":…"


def open_failure(url: str, error: BaseException) -> str:
    """One line saying which database could not be used and why, never its password."""
    reason = describe(error)
    try:
        password = make_url(url).password
    except exc.ArgumentError:
        password = None
    if password:
        reason = reason.replace(str(password), "***")
    return f"cannot use the database {where(url)}: {reason}"


def check_database(url: str, timeout_seconds: float = 5.0) -> tuple[bool, str]:
    """Whether the database answers, and one line saying so; a SQLite file is never created by asking."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _check_sqlite(parsed.database)
    engine = create_engine(url, poolclass=NullPool, connect_args={"connect_timeout": max(1, round(timeout_seconds))})
    try:
        with engine.connect() as c:
            version = c.execute(text("SHOW server_version")).scalar()
        return True, f"reachable: PostgreSQL {version} at {where(url)}"
    except OPEN_ERRORS as e:
        return False, open_failure(url, e)
    finally:
        engine.dispose()


def _check_sqlite(database: str | None) -> tuple[bool, str]:
    if not database or database == ":memory:":
        return True, "SQLite in memory (nothing is kept after the process ends)"
    path = Path(database).resolve()
    if not path.exists():
        if os.access(path.parent, os.W_OK):
            return True, f"SQLite file {path} does not exist yet: serve creates it"
        return False, f"SQLite file {path} cannot be created: {path.parent} is missing or not writable"
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as e:
        return False, f"SQLite file {path} cannot be read: {e}"
    return True, f"reachable: SQLite file {path}"


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


_MIGRATE_LOCK = threading.Lock()


def alembic_config(url: str) -> AlembicConfig:
    """An Alembic configuration pointing at the packaged migrations and `url`."""
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema up to the newest migration; one log line when it changed anything.

    Alembic's own lines ("Context impl SQLiteImpl.", one per migration) show at debug only: at every start
    they said nothing an operator acts on.
    """
    from alembic.runtime.migration import MigrationContext

    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    chatter = logging.getLogger("alembic")
    # the level is the process's: two migrations at once (threads) would restore each other's WARNING
    # and leave alembic muted for good, so one thread at a time changes it
    _MIGRATE_LOCK.acquire()
    quiet = not chatter.isEnabledFor(logging.DEBUG)
    previous = chatter.level
    if quiet:
        chatter.setLevel(logging.WARNING)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                # several processes starting at once: one migrates, the others wait and find it done
                conn.execute(text("SELECT pg_advisory_xact_lock(4242001)"))
            before = MigrationContext.configure(conn).get_current_revision()
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            after = MigrationContext.configure(conn).get_current_revision()
    finally:
        chatter.setLevel(previous)
        _MIGRATE_LOCK.release()
    if after != before:
        log.info("database schema migrated from %s to %s", before or "empty", after)
