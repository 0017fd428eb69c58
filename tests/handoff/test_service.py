"""The turn service's storage: turns racing between processes, repeated message ids, and on PostgreSQL the
routine turn as one read and one write statement."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from handoff.compose import build_runtime
from handoff.service import TurnInput, _Conflict, _TurnWrite
from handoff.storage.tables import ConversationRow, MessageRow
from tests.conftest import requires_postgres


@pytest.fixture
def two_processes(make_config) -> Iterator[tuple]:
    """Two runtimes on one database, as two `serve` processes would be (each with its own pool and locks)."""
    config = make_config()
    a, b = build_runtime(config), build_runtime(config, run_migrations=False)
    for rt in (a, b):
        rt.service.on_handoff = lambda _id: None
    try:
        yield a, b
    finally:
        a.close()
        b.close()


def question(i: int, message_id: str | None = None) -> TurnInput:
    return TurnInput(role="customer", text=f"question number {i} about the export", message_id=message_id)


async def test_turns_racing_from_two_processes_are_all_kept_once_and_in_order(two_processes) -> None:
    a, b = two_processes
    answers = await asyncio.gather(*(
        (a if i % 2 else b).service.post_message("race", question(i)) for i in range(16)
    ))
    assert sorted(x["message_index"] for x in answers) == list(range(16))
    with a.sessions() as s:
        stored = s.scalars(select(MessageRow.idx).where(MessageRow.conversation_id == "race")).all()
        conv = s.get(ConversationRow, "race")
    assert sorted(stored) == list(range(16))
    assert conv.message_count == 16 and conv.version == 16


async def test_one_message_id_from_two_processes_is_stored_once(two_processes) -> None:
    a, b = two_processes
    await a.service.post_message("dup", question(0, "m-0"))
    answers = await asyncio.gather(*(
        (a if i % 2 else b).service.post_message("dup", question(1, "m-1")) for i in range(8)
    ))
    assert {x["message_index"] for x in answers} == {1}
    with a.sessions() as s:
        assert s.scalar(select(func.count()).where(MessageRow.conversation_id == "dup")) == 2


@requires_postgres
async def test_a_routine_turn_on_postgresql_is_one_read_and_one_write_statement(make_config) -> None:
    rt = build_runtime(make_config())
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    try:
        await rt.service.post_message("lean", question(0))
        event.listen(rt.engine, "before_cursor_execute", seen)
        answer = await rt.service.post_message("lean", TurnInput(role="ai", text="Open Reports and click Export.",
                                                                 confidence=0.9))
        event.remove(rt.engine, "before_cursor_execute", seen)
    finally:
        rt.close()
    assert answer == {"decision": "continue", "message_index": 1, "category": None}
    assert len(statements) == 2, statements
    assert statements[0].lstrip().startswith("SELECT")
    assert statements[1].lstrip().startswith("WITH changed AS") and "INSERT INTO messages" in statements[1]


@requires_postgres
async def test_a_stale_turn_on_postgresql_stores_nothing(make_config) -> None:
    """Decided on a version another process has since replaced: the statement stores neither half."""
    rt = build_runtime(make_config())
    try:
        await rt.service.post_message("stale", question(0))
        with rt.service._autocommit.connect() as conn:
            planned = rt.service._plan(conn, "stale", question(1), None)
        assert isinstance(planned, _TurnWrite)
        await rt.service.post_message("stale", question(2))  # another turn wins the race
        with rt.service._autocommit.connect() as conn, pytest.raises(_Conflict):
            rt.service._write_in_one_statement(conn, "stale", planned)
        with rt.sessions() as s:
            texts = s.scalars(select(MessageRow.text).where(MessageRow.conversation_id == "stale")
                              .order_by(MessageRow.idx)).all()
            conv = s.get(ConversationRow, "stale")
        assert [t.split()[2] for t in texts] == ["0", "2"] and conv.message_count == 2 and conv.version == 2
    finally:
        rt.close()


async def test_every_write_path_keeps_the_customers_email_key(make_config) -> None:
    """The conversation's e-mail key (erasure finds customers by it) follows the customer on the first turn,
    routine turns (one statement on PostgreSQL), a handoff, a turn after it and a bot-requested handoff."""
    from handoff.models import Customer
    from handoff.storage.tables import HandoffRow

    rt = build_runtime(make_config())
    rt.service.on_handoff = lambda _id: None

    def keys(cid: str) -> tuple:
        with rt.sessions() as s:
            handoff = s.scalar(select(HandoffRow.customer_email).where(HandoffRow.conversation_id == cid))
            return s.get(ConversationRow, cid).customer_email, handoff

    try:
        def turn(text: str, email: str | None) -> TurnInput:
            return TurnInput(role="customer", text=text, customer=Customer(email=email) if email else None)

        await rt.service.post_message("c", turn("how do I export?", " Ana@Example.COM"))
        assert keys("c") == ("ana@example.com", None)
        await rt.service.post_message("c", turn("and invoices?", "ÁNA@example.com"))
        await rt.service.post_message("c", turn("and reports?", None))  # no customer: the stored one stays
        assert keys("c") == ("ána@example.com", None)
        await rt.service.post_message("c", turn("I want a human", None))
        assert keys("c") == ("ána@example.com", "ána@example.com")
        await rt.service.post_message("c", turn("still there?", "new@example.com"))
        assert keys("c") == ("new@example.com", "ána@example.com")
        await rt.service.request_handoff("b", "the bot asks", Customer(email="Bo@Example.com"))
        assert keys("b") == ("bo@example.com", "bo@example.com")
    finally:
        rt.close()
