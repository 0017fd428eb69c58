"""Migrations build the schema the tables declare, on SQLite and PostgreSQL alike."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from handoff.storage.db import make_engine, migrate
from handoff.storage.tables import Base
from tests.conftest import requires_postgres


@pytest.mark.fresh_database
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


@requires_postgres
def test_connection_that_died_while_idle_is_replaced_without_an_error(database_url, monkeypatch):
    """After a quiet spell a pooled connection is checked before use; a dead one is swapped for a new one."""
    from sqlalchemy import text

    from handoff.storage import db
    from tests.faults.tcp_proxy import proxied_database

    now = [1000.0]
    monkeypatch.setattr(db.time, "monotonic", lambda: now[0])
    with proxied_database(database_url) as (proxy, url):
        engine = make_engine(url)
        try:
            with engine.connect() as c:
                assert c.execute(text("SELECT 1")).scalar() == 1
            proxy.cut()  # the server restarts while the service is idle
            proxy.restore()
            now[0] += db.IDLE_CHECK_SECONDS + 1
            with engine.connect() as c:
                assert c.execute(text("SELECT 2")).scalar() == 2
            assert proxy.accepted == 2  # the dead connection was replaced, once
        finally:
            engine.dispose()


@requires_postgres
def test_busy_connection_is_not_pinged_and_a_break_refreshes_the_pool(database_url, monkeypatch):
    """In use within IDLE_CHECK_SECONDS, a connection is not pinged (no extra round trip per turn): a break
    shows as one error, which the request answers with a 503, and makes the pool replace its connections."""
    import pytest
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from handoff.storage import db
    from tests.faults.tcp_proxy import proxied_database

    monkeypatch.setattr(db.time, "monotonic", lambda: 1000.0)
    with proxied_database(database_url) as (proxy, url):
        engine = make_engine(url)
        try:
            with engine.connect() as a, engine.connect() as b:  # two pooled connections
                a.execute(text("SELECT 1"))
                b.execute(text("SELECT 1"))
            proxy.cut()
            proxy.restore()
            with pytest.raises(OperationalError), engine.connect() as c:
                c.execute(text("SELECT 1"))
            for _ in range(2):  # both stale connections were discarded with the first failure
                with engine.connect() as c:
                    assert c.execute(text("SELECT 3")).scalar() == 3
        finally:
            engine.dispose()


@pytest.mark.fresh_database
def test_the_email_keys_migration_fills_in_existing_rows(database_url):
    """Stores made before the keys existed get them: their customers are found by e-mail after the upgrade."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import insert, select

    from handoff.storage.db import alembic_config
    from handoff.storage.tables import ConversationRow, HandoffRow

    engine = make_engine(database_url)
    now = datetime(2026, 3, 2, tzinfo=UTC)
    if engine.dialect.name == "postgresql":  # the session's database is migrated already: start it empty
        from sqlalchemy import text

        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    try:
        cfg = alembic_config(database_url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0004")
        conversations, handoffs = ConversationRow.__table__, HandoffRow.__table__
        customers = {"c-1": {"email": " Jösé@Example.COM"}, "c-2": {"name": "no address"}, "c-3": {"email": None}}
        customers.update({f"bulk-{i:04d}": {"email": f"User{i}@Example.com"} for i in range(2500)})  # > one batch
        with engine.begin() as conn:
            conn.execute(insert(conversations), [
                {"id": cid, "customer": customer, "state": {}, "message_count": 0, "version": 1, "created_at": now,
                 "updated_at": now} for cid, customer in customers.items()])
            conn.execute(insert(handoffs).values(
                id="h_1", conversation_id="c-2", source="api", status="open", priority="normal", team="general",
                reasons=[], route={}, briefing={}, customer_message="", customer_email="Old.Address@Example.com",
                reassigned=0, unnecessary=False, created_at=now, updated_at=now))
        migrate(engine)
        with engine.connect() as conn:
            keys = dict(conn.execute(select(conversations.c.id, conversations.c.customer_email)).all())
            handoff_key = conn.execute(select(handoffs.c.customer_email)).scalar_one()
        assert keys["c-1"] == "jösé@example.com" and keys["c-2"] is None and keys["c-3"] is None
        assert keys["bulk-2499"] == "user2499@example.com" and None not in {keys[f"bulk-{i:04d}"] for i in range(2500)}
        assert handoff_key == "old.address@example.com"
    finally:
        engine.dispose()


def test_migrations_in_several_threads_leave_alembics_logging_as_it_was(tmp_path):
    """Each migration mutes alembic for its run and restores it; two at once must not leave it muted."""
    import logging
    from concurrent.futures import ThreadPoolExecutor

    chatter = logging.getLogger("alembic")
    before = chatter.level
    engines = [make_engine(f"sqlite:///{tmp_path / f'{i}.db'}") for i in range(6)]
    try:
        with ThreadPoolExecutor(6) as pool:
            list(pool.map(migrate, engines))
    finally:
        for e in engines:
            e.dispose()
    assert chatter.level == before


@pytest.mark.fresh_database
def test_the_offers_migration_dates_what_is_already_waiting_or_handed_back(database_url):
    """Stores made before 0007: a handoff waiting for its agent counts as offered when made (or when its callback
    fired), so the re-offer job picks it up; a released one as released when last updated (the re-handoff window)."""
    from datetime import UTC, datetime, timedelta

    from alembic import command
    from sqlalchemy import insert, select, text

    from handoff.storage.db import alembic_config
    from handoff.storage.tables import ConversationRow, HandoffRow

    engine = make_engine(database_url)
    made = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("DROP SCHEMA public CASCADE"))
            c.execute(text("CREATE SCHEMA public"))
    try:
        cfg = alembic_config(database_url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0006")
        conversations, handoffs = ConversationRow.__table__, HandoffRow.__table__
        base = {"source": "api", "priority": "normal", "team": "general", "reasons": [], "route": {}, "briefing": {},
                "customer_message": "", "reassigned": 0, "unnecessary": False, "created_at": made,
                "callback_fired_at": None, "claimed_by": None}  # one key set for every row of the insert
        with engine.begin() as conn:
            conn.execute(insert(conversations), [{"id": f"c-{i}", "customer": {}, "state": {}, "message_count": 0,
                                                  "version": 1, "created_at": made, "updated_at": made} for i in range(4)])
            conn.execute(insert(handoffs), [
                {**base, "id": "h_waiting", "conversation_id": "c-0", "status": "open", "agent": "sam",
                 "updated_at": made},
                {**base, "id": "h_called", "conversation_id": "c-1", "status": "open", "agent": "sam",
                 "callback_fired_at": made + timedelta(hours=60), "updated_at": made + timedelta(hours=60)},
                {**base, "id": "h_queued", "conversation_id": "c-2", "status": "open", "agent": None, "updated_at": made},
                {**base, "id": "h_released", "conversation_id": "c-3", "status": "released", "agent": "sam",
                 "claimed_by": "sam", "updated_at": made + timedelta(minutes=30)},
            ])
        migrate(engine)
        with engine.connect() as conn:
            got = {r.id: r for r in conn.execute(select(handoffs.c.id, handoffs.c.offered_at, handoffs.c.reoffers,
                                                        handoffs.c.released_at))}
        assert got["h_waiting"].offered_at == made
        assert got["h_called"].offered_at == made + timedelta(hours=60)
        assert got["h_queued"].offered_at is None and got["h_released"].offered_at is None
        assert got["h_released"].released_at == made + timedelta(minutes=30) and got["h_waiting"].released_at is None
        assert {r.reoffers for r in got.values()} == {0}
    finally:
        engine.dispose()
