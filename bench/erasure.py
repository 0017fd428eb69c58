"""Benchmark: GDPR erasure of one customer in a large store (default 100,000 conversations).

Seeds a store at migration 0004 (before the e-mail keys), times migration 0005 filling in the keys,
then times finding one customer by e-mail through the index, the dry run, and the erasure itself,
against what finding the customer would cost without the keys (reading every conversation's
customer JSON and comparing in Python).

    python bench/erasure.py [--conversations 100000] [--database-url postgresql://...] [--json]

Without --database-url it uses a new SQLite file in a temporary directory. A PostgreSQL URL names a
server: the benchmark creates (and drops) its own database there.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script from anywhere

from alembic import command  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from handoff.app.erasure import erase, find_conversations  # noqa: E402
from handoff.settings import normalise_database_url  # noqa: E402
from handoff.storage.db import alembic_config, make_engine, make_sessionmaker, migrate  # noqa: E402
from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffRow, MessageRow  # noqa: E402

TARGET = "Jösé.Müller@Example.com"
BATCH = 5000


def seed(engine: Any, n: int) -> None:
    """N conversations of N customers, one message each, a handoff with two deliveries every tenth;
    the target customer has three conversations (one keyed by the address itself)."""
    now = datetime(2026, 3, 2, tzinfo=UTC)
    conversations, messages, handoffs, deliveries = [], [], [], []
    for i in range(n):
        email = TARGET if i % (n // 3) == 7 else f"customer{i}@example.com"
        cid = email if i == 7 else f"conv-{i:07d}"
        conversations.append({"id": cid, "channel": "chat", "customer": {"email": email, "name": f"Customer {i}"},
                              "state": {"turns": 1}, "message_count": 1, "version": 1, "created_at": now,
                              "updated_at": now})
        messages.append({"conversation_id": cid, "idx": 0, "role": "customer", "text": f"question {i}",
                         "received_at": now, "extra": {}, "response": {"decision": "continue"}})
        if i % 10 == 7:
            hid = f"h_{i:024d}"
            handoffs.append({"id": hid, "conversation_id": cid, "source": "api", "status": "open", "priority": "normal",
                             "team": "general", "reasons": [{"trigger": "explicit_request", "message_index": 0,
                                                             "evidence": "a human please"}],
                             "route": {}, "briefing": {"summary": "s"}, "customer_message": "soon",
                             "customer_email": email, "reassigned": 0, "unnecessary": False, "created_at": now,
                             "updated_at": now})
            for kind in ("zendesk_ticket", "slack_alert"):
                deliveries.append({"handoff_id": hid, "kind": kind, "target": "local", "dedupe_key": f"{hid}:{kind}",
                                   "status": "sent", "payload": {"note": "n"}, "attempts": 1, "next_attempt_at": now,
                                   "result": {}, "created_at": now, "updated_at": now})
    with engine.begin() as conn:
        for table, rows in ((ConversationRow, conversations), (MessageRow, messages), (HandoffRow, handoffs),
                            (DeliveryRow, deliveries)):
            for k in range(0, len(rows), BATCH):
                conn.execute(insert(table.__table__), rows[k:k + BATCH])


def timed(fn: Any, runs: int = 5) -> float:
    """Median milliseconds of `runs` calls."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return round(statistics.median(times), 1)


def scan_without_keys(sessions: Any) -> list[str]:
    """Finding the customer without the keys: every conversation's customer JSON, compared in Python."""
    wanted = TARGET.lower()
    with sessions() as s:
        rows = s.execute(select(ConversationRow.id, ConversationRow.customer)).yield_per(BATCH)
        return sorted(cid for cid, c in rows if str((c or {}).get("email") or "").lower() == wanted)


def run(url: str, n: int) -> dict[str, Any]:
    """Seed, migrate and time; returns the timings in milliseconds."""
    engine = make_engine(url)
    try:
        cfg = alembic_config(url)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0004")
        seed(engine, n)
        start = time.perf_counter()
        migrate(engine)  # 0005: the keys of every existing row
        backfill_ms = round((time.perf_counter() - start) * 1000, 1)
        sessions = make_sessionmaker(engine)

        def find() -> list[str]:
            with sessions() as s:
                return find_conversations(s, email=TARGET.upper())

        found = find()
        assert len(found) == 3 and scan_without_keys(sessions) == sorted(found), found
        result = {
            "database": engine.dialect.name, "conversations": n, "migration_0005_backfill_ms": backfill_ms,
            "find_by_email_ms": timed(find),
            "dry_run_ms": timed(lambda: erase(sessions, lambda: datetime.now(UTC), email=TARGET, dry_run=True)),
            "scan_without_keys_ms": timed(lambda: scan_without_keys(sessions), runs=3),
        }
        start = time.perf_counter()
        report = erase(sessions, lambda: datetime.now(UTC), email=TARGET)
        result["erase_ms"] = round((time.perf_counter() - start) * 1000, 1)
        assert len(report.conversations) == 3 and len(report.renamed) == 1
        return result
    finally:
        engine.dispose()


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--database-url", help="a PostgreSQL server URL (default: a temporary SQLite file)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    if args.database_url:
        server = normalise_database_url(args.database_url)
        name = f"handoff_bench_erasure_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            result = run(make_url(server).set(database=name).render_as_string(hide_password=False),
                         args.conversations)
        finally:
            with admin.connect() as c:
                c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as tmp:
            result = run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.conversations)
    if args.json:
        print(json.dumps(result))
        return
    for key, value in result.items():
        print(f"{key:>28}: {value}")


if __name__ == "__main__":
    main()
