"""The turn service's storage: turns racing between processes, repeated message ids, and on PostgreSQL the
routine turn as one read and one write statement."""
from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import event, func, select

from handoff.bootstrap import build_runtime
from handoff.app.turns import TurnInput
from handoff.storage.turn_store import Conflict, TurnWrite
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
    assert answer == {"decision": "continue", "message_index": 1, "category": None, "owner": "ai", "status": None}
    assert len(statements) == 2, statements
    assert statements[0].lstrip().startswith("SELECT")
    assert statements[1].lstrip().startswith("WITH changed AS") and "INSERT INTO messages" in statements[1]


@requires_postgres
async def test_a_stale_turn_on_postgresql_stores_nothing(make_config) -> None:
    """Decided on a version another process has since replaced: the statement stores neither half."""
    rt = build_runtime(make_config())
    try:
        await rt.service.post_message("stale", question(0))
        with rt.service.store.autocommit.connect() as conn:
            planned = rt.service._plan(conn, "stale", question(1), None)
        assert isinstance(planned, TurnWrite)
        await rt.service.post_message("stale", question(2))  # another turn wins the race
        with rt.service.store.autocommit.connect() as conn, pytest.raises(Conflict):
            rt.service.store.write_in_one_statement(conn, "stale", planned, rt.clock())
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
    from handoff.core.models import Customer
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


# ---- big conversations: a 45 MB conversation costs a later turn what a short one does ------------------------

class ReadMeter:
    """Bytes the database returned for the SELECTs run while inside: each is run again on leaving and the
    values of its rows measured (deterministic, where timings are not)."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.engine = engine
        self.selects: list[tuple[str, object]] = []

    def __enter__(self) -> "ReadMeter":
        event.listen(self.engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc: object) -> None:
        event.remove(self.engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, parameters, _context, _many) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            self.selects.append((statement, parameters))

    def bytes(self) -> int:
        """What those SELECTs return, in bytes of their values' text."""
        total = 0
        with self.engine.connect() as c:
            for statement, parameters in self.selects:
                for row in c.exec_driver_sql(statement, parameters):  # type: ignore[arg-type]
                    total += sum(len(v if isinstance(v, bytes) else str(v).encode()) for v in row if v is not None)
        return total


@pytest.fixture
def big(make_config) -> Iterator:
    """A runtime; `store(rt, cid, ai_turns)` puts a conversation of that many 30 KB AI replies in its store."""
    rt = build_runtime(make_config())
    rt.service.on_handoff = lambda _id: None
    rt.service.on_deliveries = lambda: None  # no dispatcher reading deliveries while a turn's reads are metered
    try:
        yield rt
    finally:
        rt.close()


def store(rt, cid: str, ai_turns: int) -> None:  # type: ignore[no-untyped-def]
    """Conversation `cid`: a greeting, then `ai_turns` AI replies of 30 KB and customer questions (1,500: 45 MB)."""
    from handoff.devtools.support.big_conversation import conversation, store_conversation

    store_conversation(rt.sessions, cid, conversation(ai_turns), rt.config.settings.triggers)


def _ask_for_a_person() -> TurnInput:
    from handoff.devtools.support.big_conversation import HANDOFF_TEXT

    return TurnInput(role="customer", text=HANDOFF_TEXT)


async def _read_by_one_turn(rt, cid: str, turn: TurnInput) -> tuple[dict, int]:  # type: ignore[no-untyped-def]
    with ReadMeter(rt.engine) as meter:
        answer = await rt.service.post_message(cid, turn)
    return answer, meter.bytes()


async def test_turns_of_a_45_mb_conversation_read_what_a_short_ones_do(big) -> None:
    """Routine turns (the engine's state is O(1)) and turns once a human has the conversation (the handoff's
    answer, not its briefing)."""
    store(big, "big", 1500), store(big, "short", 2)
    routine, later = {}, {}
    for cid in ("short", "big"):
        answer, routine[cid] = await _read_by_one_turn(
            big, cid, TurnInput(role="ai", text="Open Reports, choose the dashboard and click Export.", confidence=0.9))
        assert answer["decision"] == "continue"
        handoff = await big.service.post_message(cid, _ask_for_a_person())
        assert handoff["decision"] == "handoff"
        answer, later[cid] = await _read_by_one_turn(big, cid, TurnInput(role="customer", text="Still there?"))
        # the bot is still told who has the conversation
        assert {k: answer[k] for k in ("decision", "handoff_id", "team")} == {
            k: handoff[k] for k in ("decision", "handoff_id", "team")}
    assert routine["big"] <= routine["short"] + 1024 and routine["big"] < 16_000, routine
    assert later["big"] <= later["short"] + 1024 and later["big"] < 16_000, later


async def test_a_handoff_of_a_45_mb_conversation_reads_and_stores_only_what_it_shows(big) -> None:
    import json

    from handoff.storage.tables import DeliveryRow, HandoffRow

    store(big, "big", 1500)
    answer, read = await _read_by_one_turn(big, "big", _ask_for_a_person())
    assert answer["decision"] == "handoff"
    assert read < 2_000_000, read  # the last messages' texts and every message's metadata, not 45 MB
    with big.sessions() as s:
        h = s.get(HandoffRow, answer["handoff_id"])
        payloads = {d.kind: d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == h.id))}
    b = h.briefing
    assert [m["index"] for m in b["transcript"]] == list(range(2982, 3002)) and b["transcript_total"] == 3002
    assert [a["message_index"] for a in b["ai_attempts"]] == [2991, 2993, 2995, 2997, 2999]
    assert b["ai_attempts_total"] == 1500
    assert len(json.dumps(b)) < 700_000  # 20 messages of at most 32,000 characters, not the transcript again
    assert len(payloads["zendesk_ticket"]["note"]) < 40_000
    assert len(json.dumps(payloads["slack_alert"]["blocks"])) < 20_000


async def test_handoffs_are_briefed_and_rendered_off_the_event_loop(big, monkeypatch) -> None:
    import threading

    import handoff.app.packaging as packaging

    threads: dict[str, set[int]] = {}

    def recorded(name: str, fn):  # type: ignore[no-untyped-def]
        def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
            threads.setdefault(name, set()).add(threading.get_ident())
            return fn(*args, **kwargs)
        return wrapper

    for name in ("build_briefing", "render_zendesk_note", "render_slack_card"):
        monkeypatch.setattr(packaging, name, recorded(name, getattr(packaging, name)))
    store(big, "long", 30), store(big, "short", 2)
    loop_thread = threading.get_ident()
    assert (await big.service.post_message("long", _ask_for_a_person()))["decision"] == "handoff"
    assert (await big.service.request_handoff("short", "the bot gives up", None))["created"] is True
    assert set(threads) == {"build_briefing", "render_zendesk_note", "render_slack_card"}
    assert all(loop_thread not in idents for idents in threads.values()), threads


async def test_get_handoff_pages_through_the_full_transcript_from_the_messages_table(big) -> None:
    from handoff.app.turns import TRANSCRIPT_PAGE_CHARS
    from handoff.devtools.support.big_conversation import HANDOFF_TEXT, conversation

    store(big, "long", 100)  # 3 MB: three pages
    hid = (await big.service.post_message("long", _ask_for_a_person()))["handoff_id"]
    texts = [m.text for m in conversation(100)] + [HANDOFF_TEXT]
    first = (await asyncio.to_thread(big.service.get_handoff, hid))["transcript"]
    assert first["total"] == 202 and first["offset"] == 0
    page = [m["text"] for m in first["messages"]]
    # a page ends after the message that passes the character budget
    assert sum(map(len, page[:-1])) <= TRANSCRIPT_PAGE_CHARS < sum(map(len, page))
    assert page == texts[: len(page)] and first["next_offset"] == len(page)
    got, offset, pages = [], 0, 0
    while offset is not None:
        t = (await asyncio.to_thread(lambda: big.service.get_handoff(hid, transcript_offset=offset,
                                                                     transcript_limit=500)))["transcript"]
        assert t["offset"] == offset
        got.extend(m["text"] for m in t["messages"])
        offset = t["next_offset"]
        pages += 1
    assert got == texts and pages == 3
    assert [m["index"] for m in first["messages"][:3]] == [0, 1, 2] and first["messages"][1]["role"] == "ai"


async def test_a_short_transcript_is_one_page(big) -> None:
    store(big, "short", 2)
    hid = (await big.service.post_message("short", _ask_for_a_person()))["handoff_id"]
    t = (await asyncio.to_thread(big.service.get_handoff, hid))["transcript"]
    assert (t["total"], len(t["messages"]), t["next_offset"]) == (6, 6, None)
    limited = (await asyncio.to_thread(lambda: big.service.get_handoff(hid, transcript_limit=4)))["transcript"]
    assert [m["index"] for m in limited["messages"]] == [0, 1, 2, 3] and limited["next_offset"] == 4


async def test_a_briefing_stored_with_the_whole_transcript_is_still_readable(big) -> None:
    """Briefings stored before they were bounded hold every message and every AI reply."""
    from sqlalchemy import update

    from handoff.app.stats import load_records
    from handoff.storage.tables import HandoffRow

    store(big, "short", 2)
    hid = (await big.service.post_message("short", _ask_for_a_person()))["handoff_id"]
    with big.sessions() as s:
        old = dict(s.get(HandoffRow, hid).briefing)
        old.pop("transcript_total"), old.pop("ai_attempts_total")
        old["transcript"] = [{"index": i, "role": "customer", "text": f"m{i}", "sent_at": None} for i in range(300)]
        old["ai_attempts"] = [{"message_index": i, "text": f"a{i}", "confidence": None, "kb_articles": [],
                               "actions": []} for i in range(150)]
        s.execute(update(HandoffRow).where(HandoffRow.id == hid).values(briefing=old))
        s.commit()
    shown = (await asyncio.to_thread(big.service.get_handoff, hid))["briefing"]
    assert [m["text"] for m in shown["transcript"]] == [f"m{i}" for i in range(280, 300)]
    assert shown["transcript_total"] == 300
    assert [a["text"] for a in shown["ai_attempts"]] == [f"a{i}" for i in range(145, 150)]
    assert shown["ai_attempts_total"] == 150
    assert (await big.service.post_message("short", TurnInput(role="customer", text="hello?")))["handoff_id"] == hid
    handoffs, _ = load_records(big.sessions)
    assert [h.briefing_fields["transcript"] for h in handoffs] == [True]


async def test_the_summariser_gets_the_recent_messages_it_can_read_with_their_texts(big) -> None:
    from handoff.devtools.support.big_conversation import HANDOFF_TEXT, conversation

    class Recording:
        got: tuple = ()

        async def summarise(self, messages):  # type: ignore[no-untyped-def]
            self.got = tuple(messages)
            return "Customer wants a person after many export questions."

    summariser = big.service.summariser = Recording()
    store(big, "long", 300)  # 9 MB
    answer = await big.service.post_message("long", _ask_for_a_person())
    assert answer["decision"] == "handoff"
    texts = [m.text for m in conversation(300)] + [HANDOFF_TEXT]
    got = summariser.got
    assert [m.index for m in got] == list(range(602 - len(got), 602))
    assert [m.text for m in got] == texts[-len(got):]  # whole texts, none left empty
    keeps = big.config.settings.briefing.summariser.max_transcript_chars
    assert sum(min(len(m.text), 1000) + 1 for m in got) > keeps  # enough for the summariser's own cut ...
    assert len(got) < 100  # ... and not the conversation
