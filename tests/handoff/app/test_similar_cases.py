"""Similar cases end to end: solved handoffs feed the index, a later handoff carries them in its briefing,
its Zendesk note and its Slack card; the index is refreshed off the turn's path; erasure removes them."""
from __future__ import annotations

import asyncio
import json
import threading

import pytest
from sqlalchemy import select, update

from handoff.app.erasure import erase
from handoff.app.similar_import import index_export
from handoff.app.turns import TurnInput
from handoff.bootstrap import build_runtime
from handoff.core.models import Customer
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow, PastCaseRow

CARD = "4111 1111 1111 1111"
ANA = Customer(email="ana@example.com", name="Ana")


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def runtime(make_config, tmp_path, clock):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=clock)
    yield rt
    rt.close()


async def handoff(rt, cid, text, customer=None):
    result = await rt.service.post_message(cid, TurnInput(role="customer", text=text, customer=customer,
                                                          page_url="https://app.example.com/settings/billing"))
    assert result["decision"] == "handoff", result
    return result["handoff_id"]


async def solve(rt, clock, hid, ticket_id, reply, tags=("handoff", "refund")):
    """What the webhook processing records for the handoff's ticket: the agent's reply, then solved."""
    with rt.sessions() as s:
        s.execute(update(HandoffRow).where(HandoffRow.id == hid).values(zendesk_ticket_id=ticket_id))
        s.commit()
    clock.advance(minutes=20)
    await asyncio.to_thread(rt.operations.ticket_event, ticket_id, "agent_replied", {"reply": reply}, clock())
    clock.advance(minutes=25)
    await asyncio.to_thread(rt.operations.ticket_event, ticket_id, "solved", {"tags": list(tags)}, clock())


def payloads(rt, hid):
    with rt.sessions() as s:
        return {d.kind: d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid))}


async def test_a_handoff_after_two_solved_similar_ones_carries_them(runtime, clock):
    first = await handoff(runtime, "c-1", f"My card {CARD} was charged twice for the Pro plan, get me a real person")
    second = await handoff(runtime, "c-2", "You charged me twice this month for the plan! I want a real person")
    other = await handoff(runtime, "c-3", "The CSV export crashes every time, let me talk to a human")
    await solve(runtime, clock, first, 501, "I refunded the duplicate charge; it shows on your card in 5-10 days.")
    await solve(runtime, clock, second, 502, "Refunded the second charge of this month and fixed the renewal date.")
    await solve(runtime, clock, other, 503, "Fixed by the export patch released today.", tags=("bug",))

    await runtime.similar.refresh()
    assert runtime.similar.size == 3
    clock.advance(hours=1)
    hid = await handoff(runtime, "c-4", "I was charged twice for my plan, can I talk to a real person?")

    briefing = runtime.service.get_handoff(hid)["briefing"]
    similar = briefing["similar"]
    assert [c["ref"] for c in similar][:2] in ([first, second], [second, first])
    assert other not in [c["ref"] for c in similar][:2]
    by_ref = {c["ref"]: c for c in similar}
    assert by_ref[first]["resolution"].startswith("I refunded the duplicate charge")
    assert by_ref[first]["tags"] == ["handoff", "refund"] and by_ref[first]["source"] == "handoff"
    assert by_ref[first]["resolved_in_seconds"] >= 45 * 60
    assert by_ref[first]["topic"] == "billing" and by_ref[first]["page"] == "billing settings page"
    assert CARD not in json.dumps(similar)
    with runtime.sessions() as s:
        stored = s.scalars(select(PastCaseRow.text).where(PastCaseRow.ref == first)).one()
    assert CARD not in stored and "1111" in stored  # masked before it is stored, the last four shown

    sent = payloads(runtime, hid)
    note = sent["zendesk_ticket"]["note"]
    assert "SIMILAR CASES" in note and "Refunded the second charge of this month" in note
    assert f"handoff {first}" in note and "Tags: handoff, refund" in note
    card = json.dumps(sent["slack_alert"]["blocks"])
    assert "Similar cases" in card and "I refunded the duplicate charge" in card


async def test_an_empty_index_gives_no_similar_cases(runtime):
    await runtime.similar.refresh()  # first look: an empty table
    assert runtime.similar.size == 0
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    assert runtime.service.get_handoff(hid)["briefing"]["similar"] == []
    sent = payloads(runtime, hid)
    assert "SIMILAR CASES" not in sent["zendesk_ticket"]["note"]
    assert "Similar cases" not in json.dumps(sent["slack_alert"]["blocks"])


async def test_solving_a_handoff_feeds_the_index_once(runtime, clock):
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person", ANA)
    await solve(runtime, clock, hid, 601, "Refunded.")
    # a redelivered "solved" changes nothing; a later reply does not rewrite a solved case
    await asyncio.to_thread(runtime.operations.ticket_event, 601, "solved", {"tags": ["x"]}, clock())
    with runtime.sessions() as s:
        rows = s.scalars(select(PastCaseRow)).all()
        replies = s.scalars(select(HandoffEventRow.data).where(HandoffEventRow.kind == "agent_reply")).all()
    assert len(rows) == 1
    row = rows[0]
    assert (row.source, row.ref, row.conversation_id) == ("handoff", hid, "c-1")
    assert row.resolution == "Refunded." and row.tags == ["handoff", "refund"]
    assert row.resolved_in_seconds == 45 * 60 and row.customer_email == "ana@example.com"
    assert "charged twice" in row.text
    assert [r["text"] for r in replies] == ["Refunded."]


async def test_the_latest_reply_is_the_resolution(runtime, clock):
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    with runtime.sessions() as s:
        s.execute(update(HandoffRow).where(HandoffRow.id == hid).values(zendesk_ticket_id=700))
        s.commit()
    for reply in ("Looking into it.", "Looking into it.", "Refunded the second charge."):
        await asyncio.to_thread(runtime.operations.ticket_event, 700, "agent_replied", {"reply": reply}, clock())
    await asyncio.to_thread(runtime.operations.ticket_event, 700, "solved", {}, clock())
    with runtime.sessions() as s:
        row = s.scalars(select(PastCaseRow)).one()
        replies = s.scalars(select(HandoffEventRow.data).where(HandoffEventRow.kind == "agent_reply")).all()
        h = s.get(HandoffRow, hid)
    assert [r["text"] for r in replies] == ["Looking into it.", "Refunded the second charge."]
    assert row.resolution == "Refunded the second charge."
    assert h.first_response_at is not None  # the first reply still counts as the first response
    # without tags on the solved event, those the handoff's ticket was given
    assert "handoff" in row.tags


async def test_the_index_is_rebuilt_only_when_the_table_changed(runtime, clock):
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    await runtime.similar.settled()
    await runtime.similar.refresh()
    assert await runtime.similar.refresh() is False  # nothing changed: no rebuild
    await solve(runtime, clock, hid, 801, "Refunded.")
    assert runtime.similar.size == 0  # not until the next check
    assert await runtime.similar.refresh() is True and runtime.similar.size == 1
    assert await runtime.similar.refresh() is False


async def test_a_lookup_refreshes_a_stale_index_in_the_background(runtime, clock, monkeypatch):
    from handoff.app import similar_cases

    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    await runtime.similar.settled()
    await solve(runtime, clock, hid, 901, "Refunded.")  # the clock moves on: the next lookup finds a check due
    release = threading.Event()
    real = similar_cases.SimilarIndex

    def slow_build(*args, **kwargs):
        assert release.wait(10), "the test never released the build"
        return real(*args, **kwargs)

    monkeypatch.setattr(similar_cases, "SimilarIndex", slow_build)
    found = await runtime.similar.similar(_query("charged twice"))
    assert found == ()  # served by the old index while the new one is being built: the turn never waits for it
    release.set()
    await runtime.similar.settled()
    assert [c.ref for c in await runtime.similar.similar(_query("charged twice"))] == [hid]


async def test_each_process_holds_its_own_index(runtime, clock):
    from handoff.app.similar_cases import SimilarCases

    other = SimilarCases(runtime.sessions, runtime.config.settings.similar, clock)  # as in another process
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    await solve(runtime, clock, hid, 951, "Refunded.")
    assert other.size == 0
    await other.refresh()
    assert other.size == 1 and [c.ref for c in other.top(_query("charged twice"))] == [hid]


def _query(text):
    from handoff.core.similar import SimilarQuery

    return SimilarQuery(text)


def test_a_store_that_does_not_answer_keeps_the_old_index(runtime, monkeypatch):
    from handoff.app import similar_cases

    def down(_conn):
        raise OSError("database went away")

    monkeypatch.setattr(similar_cases, "version", down)
    assert asyncio.run(runtime.similar.refresh()) is False
    assert runtime.similar.top(_query("charged twice")) == ()


async def test_erasure_deletes_the_customers_past_cases(runtime, clock, tmp_path):
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person", ANA)
    keep = await handoff(runtime, "c-2", "I was charged twice too, get me a real person", Customer(email="bob@example.com"))
    await solve(runtime, clock, hid, 1001, "Refunded.")
    await solve(runtime, clock, keep, 1002, "Refunded.")
    export = tmp_path / "export.jsonl"
    export.write_text(json.dumps({
        "id": 77, "status": "closed", "requester_id": 5, "subject": "double charge",
        "comments": [{"id": 1, "author_id": 5, "public": True, "plain_body": "charged twice", "created_at": "2026-03-01T10:00:00Z"}],
    }) + "\n")
    users_export = tmp_path / "export.json"
    users_export.write_text(json.dumps({"tickets": [json.loads(export.read_text())],
                                        "users": [{"id": 5, "email": "ANA@example.com"}]}))
    index_export(runtime.sessions, users_export, clock=clock, settings=runtime.config.settings.similar)

    dry = erase(runtime.sessions, clock, email="ana@example.com", dry_run=True)
    assert dry.past_cases == 2
    with runtime.sessions() as s:
        assert len(s.scalars(select(PastCaseRow)).all()) == 3  # a dry run deletes nothing
    report = erase(runtime.sessions, clock, email="ana@example.com")
    assert report.past_cases == 2 and report.as_dict()["past_cases"] == 2
    with runtime.sessions() as s:
        left = [(r.source, r.ref) for r in s.scalars(select(PastCaseRow))]
    assert left == [("handoff", keep)]
    await runtime.similar.refresh()
    assert [c.ref for c in runtime.similar.top(_query("charged twice"))] == [keep]


async def test_erasure_of_a_customer_known_only_from_an_export(runtime, clock, tmp_path):
    export = tmp_path / "export.json"
    export.write_text(json.dumps({"tickets": [{
        "id": 78, "status": "solved", "requester_id": 6, "subject": "refund",
        "comments": [{"id": 1, "author_id": 6, "public": True, "plain_body": "refund me", "created_at": "2026-03-01T10:00:00Z"}],
    }], "users": [{"id": 6, "email": "carl@example.com"}]}))
    index_export(runtime.sessions, export, clock=clock, settings=runtime.config.settings.similar)
    assert "1 past case(s) would be erased" in erase(runtime.sessions, clock, email="carl@example.com",
                                                     dry_run=True).as_text()
    assert erase(runtime.sessions, clock, email="carl@example.com").past_cases == 1
    assert erase(runtime.sessions, clock, conversation_id="zendesk-78").past_cases == 0
    with runtime.sessions() as s:
        assert s.scalars(select(PastCaseRow)).all() == []


async def test_a_failing_lookup_never_fails_the_handoff(runtime, monkeypatch):
    def broken(_query):
        raise RuntimeError("index broken")

    monkeypatch.setattr(runtime.similar, "top", broken)
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    assert runtime.service.get_handoff(hid)["briefing"]["similar"] == []


async def test_a_handoff_handed_back_to_the_ai_is_no_past_case(runtime, clock):
    hid = await handoff(runtime, "c-1", "I was charged twice, get me a real person")
    await runtime.service.release(hid)
    await solve(runtime, clock, hid, 1101, "Refunded.")
    with runtime.sessions() as s:
        assert s.scalars(select(PastCaseRow)).all() == []
