"""GDPR erasure: the customer's personal data leaves the store; the counts the metrics need stay."""
from __future__ import annotations

import asyncio
import json
import unicodedata
from datetime import UTC, datetime

import httpx
import pytest
from sqlalchemy import select, text

from handoff.app import erasure
from handoff.bootstrap import build_runtime
from handoff.app.erasure import ERASED, ERASED_PAYLOAD, erase
from handoff.core.models import Customer
from handoff.app.turns import TurnInput
from handoff.storage.claims import claim_due
from handoff.storage.tables import (
    Base,
    ConversationRow,
    DeliveryRow,
    HandoffEventRow,
    HandoffRow,
    InboundEventRow,
    MessageRow,
)
from jobs import deliveries
from tests.handoff.edge.zendesk.test_webhooks import BOT_ID, SECRET, signed
from handoff.devtools.support.clock import Clock
from handoff.devtools.support.settings import shipped_settings

ANA = Customer(email="Ana.Lima@example.com", name="Ana Lima")
BOB = Customer(email="bob@example.com", name="Bob")


@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock())
    yield rt
    rt.close()


@pytest.fixture
def zendesk_runtime(make_config, fake_zendesk, fake_slack):
    config = make_config(
        f"[zendesk]\nsubdomain = 'acme'\nbot_user_id = {BOT_ID}\n[slack]\ndefault_channel = 'C0HANDOFF'\n",
        ZENDESK_WEBHOOK_SECRET=SECRET, ZENDESK_EMAIL=fake_zendesk.email, ZENDESK_API_TOKEN=fake_zendesk.token,
        ZENDESK_URL=fake_zendesk.url, SLACK_BOT_TOKEN=fake_slack.token, SLACK_API_URL=fake_slack.api_url,
    )
    rt = build_runtime(config)
    yield rt
    rt.close()


async def seed(rt):
    await rt.service.post_message("ana-1", TurnInput(role="customer", text="my card 4242 is charged twice", customer=ANA))
    await rt.service.post_message("ana-2", TurnInput(role="customer", text="how do I export invoices?", customer=ANA,
                                                     page_url="https://app.example.com/billing"))
    await rt.service.post_message("bob-1", TurnInput(role="customer", text="I want a human", customer=BOB))
    await rt.dispatcher.idle()


async def one_turn_each(rt, customers: dict[str, str | None], text_: str = "how do I export invoices?"):
    """One routine turn per conversation id, with that customer e-mail."""
    for cid, email in customers.items():
        await rt.service.post_message(cid, TurnInput(role="customer", text=text_, customer=Customer(email=email)))


def texts(rt, cid):
    with rt.sessions() as s:
        return [m.text for m in s.scalars(select(MessageRow).where(MessageRow.conversation_id == cid).order_by(MessageRow.idx))]


def store_dump(rt) -> str:
    """Every row of every table as text: what a search of the whole store for personal data would read."""
    with rt.sessions() as s:
        tables = {t.name: sorted(json.dumps(list(r), default=str, ensure_ascii=False) for r in s.execute(select(t)))
                  for t in Base.metadata.sorted_tables}
    return json.dumps(tables, ensure_ascii=False)


async def test_erase_by_email_removes_the_data_and_keeps_the_counts(runtime, tmp_path):
    await seed(runtime)
    with runtime.sessions() as s:
        ana_handoff = s.scalars(select(HandoffRow).where(HandoffRow.conversation_id == "ana-1")).one()
    assert list((tmp_path / "outbox" / "zendesk").glob(f"{ana_handoff.id}.*"))

    report = erase(runtime.sessions, runtime.clock, email="ana.lima@EXAMPLE.com", outbox=tmp_path / "outbox")

    assert report.conversations == ["ana-1", "ana-2"] and report.messages == 2 and report.handoffs == 1
    assert report.files_removed >= 3 and report.in_flight == []
    assert texts(runtime, "ana-1") == [ERASED] and texts(runtime, "ana-2") == [ERASED]
    assert texts(runtime, "bob-1") == ["I want a human"]  # someone else's data stays
    with runtime.sessions() as s:
        h = s.get(HandoffRow, ana_handoff.id)
        conv = s.get(ConversationRow, "ana-2")
        payloads = [d.payload for d in s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == h.id))]
    dumped = json.dumps([h.briefing, h.reasons, h.customer_message, conv.customer, conv.state, payloads])
    for personal in ("Ana", "ana.lima", "4242", "charged twice", "app.example.com"):
        assert personal.lower() not in dumped.lower()
    assert h.category == "billing_dispute" and h.reasons[0]["trigger"]  # the metrics still count it
    assert not list((tmp_path / "outbox" / "zendesk").glob(f"{ana_handoff.id}.*"))
    assert "ana.lima" not in store_dump(runtime).lower()


async def test_pending_deliveries_are_cancelled_not_sent(runtime):
    runtime.service.on_handoff = lambda _id: None  # nothing sent yet
    await runtime.service.post_message("c-1", TurnInput(role="customer", text="talk to a person", customer=ANA))
    report = erase(runtime.sessions, runtime.clock, conversation_id="c-1")
    assert report.deliveries_cancelled == 2
    assert await runtime.dispatcher.run_due() == 0


def test_nothing_found_and_bad_arguments(runtime):
    assert erase(runtime.sessions, runtime.clock, email="nobody@example.com").as_dict()["conversations"] == 0
    with pytest.raises(ValueError):
        erase(runtime.sessions, runtime.clock)
    for bad in ("", "  ", "%", "ana", "ana@", "@example.com", "a b@example.com", "a@b@example.com", "a\x00@b.c"):
        with pytest.raises(ValueError):
            erase(runtime.sessions, runtime.clock, email=bad)


async def test_the_email_is_matched_exactly_never_as_a_pattern(runtime):
    """`_` and `%` are characters of the address, not wildcards: only the one customer is erased."""
    customers = {"under": "john_doe@example.com", "x": "johnXdoe@example.com", "dot": "john.doe@example.com",
                 "longer": "john_doe@example.com.au", "prefix": "a.john_doe@example.com", "pct": "100%@example.com",
                 "pct-other": "1000@example.com"}
    await one_turn_each(runtime, customers, "I want a human")  # handoffs too: they keep the address as well

    assert erase(runtime.sessions, runtime.clock, email="John_Doe@Example.COM").conversations == ["under"]
    assert erase(runtime.sessions, runtime.clock, email="100%@example.com").conversations == ["pct"]
    assert erase(runtime.sessions, runtime.clock, email="%@example.com").conversations == []
    assert [cid for cid in customers if texts(runtime, cid) == [ERASED]] == ["under", "pct"]


async def test_non_ascii_quoted_and_backslashed_addresses_are_found(runtime):
    customers = {"jose": "Jösé.Müller@Bücher.example", "quote": "o'brien\"x@example.com",
                 "slash": "back\\slash@example.com", "ascii": "jose.muller@bucher.example"}
    await one_turn_each(runtime, customers)

    decomposed = unicodedata.normalize("NFD", "JÖSÉ.MÜLLER@BÜCHER.EXAMPLE")  # as some keyboards and mail clients send it
    assert erase(runtime.sessions, runtime.clock, email=decomposed).conversations == ["jose"]
    assert erase(runtime.sessions, runtime.clock, email="O'Brien\"X@example.com").conversations == ["quote"]
    assert erase(runtime.sessions, runtime.clock, email="BACK\\slash@example.com").conversations == ["slash"]
    assert texts(runtime, "ascii") == ["how do I export invoices?"]  # the look-alike ASCII address is someone else


async def test_a_handoff_made_for_the_address_is_found_after_the_customer_changed_it(runtime):
    await runtime.service.post_message("c-1", TurnInput(role="customer", text="I want a human", customer=ANA))
    await runtime.service.post_message("c-1", TurnInput(role="customer", text="use my new address",
                                                        customer=Customer(email="ana@new.example")))
    with runtime.sessions() as s:
        assert erasure.find_conversations(s, email=ANA.email) == ["c-1"]
        assert erasure.find_conversations(s, email="ana@new.example") == ["c-1"]


async def test_a_conversation_id_that_is_the_email_is_found_and_replaced_everywhere(runtime, tmp_path):
    # the bot keys this conversation by the customer's address and sends no customer object
    await runtime.service.post_message("Ana.Lima@example.com", TurnInput(role="customer", text="I want a human"))
    await runtime.service.post_message("c-2", TurnInput(role="customer", text="hello", customer=ANA))
    await runtime.dispatcher.idle()

    report = erase(runtime.sessions, runtime.clock, email="ana.lima@example.com", outbox=tmp_path / "outbox")

    assert report.conversations == ["Ana.Lima@example.com", "c-2"]
    new = report.renamed["Ana.Lima@example.com"]
    assert list(report.renamed) == ["Ana.Lima@example.com"] and new.startswith("erased-")
    with runtime.sessions() as s:
        assert s.get(ConversationRow, "Ana.Lima@example.com") is None
        assert s.get(ConversationRow, new).message_count == 1
        assert s.scalars(select(HandoffRow.conversation_id)).all() == [new]
    assert texts(runtime, new) == [ERASED]
    assert "ana.lima" not in store_dump(runtime).lower()  # the address is nowhere, not even in a key
    assert f"{new}" in report.as_text()
    # the bot writing to the old id again starts afresh
    await runtime.service.post_message("Ana.Lima@example.com", TurnInput(role="customer", text="hi again"))
    assert texts(runtime, "Ana.Lima@example.com") == ["hi again"]


async def test_webhook_payloads_and_the_customers_zendesk_id_of_an_api_created_ticket_are_erased(
        zendesk_runtime, fake_zendesk):
    """A handoff from the API creates its ticket; the webhooks about that ticket hold the customer's
    comments and Zendesk user id: they are erased with the conversation (the ticket id lives only on the
    handoff, not on the conversation)."""
    rt = zendesk_runtime
    await rt.service.post_message("api-1", TurnInput(role="customer", text="I want a human", customer=ANA))
    await rt.dispatcher.idle()
    with rt.sessions() as s:
        h = s.scalars(select(HandoffRow)).one()
    ticket = h.zendesk_ticket_id
    requester = fake_zendesk.tickets[ticket]["requester_id"]
    assert ticket is not None and requester != fake_zendesk.me["id"]
    other = fake_zendesk.add_ticket(subject="not Ana's", requester_email="carl@example.com", comments=["hello"])

    comment = json.dumps({
        "type": "zen:event-type:ticket.comment_added", "id": "evt-c", "time": "2026-03-02T10:00:00Z",
        "subject": f"zen:ticket:{ticket}", "detail": {"id": str(ticket), "status": "OPEN", "requester_id": str(requester)},
        "event": {"comment": {"id": "9", "body": "Ana Lima here, my IBAN is PT50 0002", "is_public": True,
                              "author": {"id": str(requester)}}},
    }).encode()
    rated = json.dumps({"ticket_id": str(ticket), "status": "Solved", "requester_id": str(requester),
                        "current_user_id": str(requester), "satisfaction_score": "Good",
                        "updated_at": "2026-03-02T11:00:00Z"}).encode()
    unrelated = json.dumps({"ticket_id": str(other["id"]), "status": "Open", "requester_id": str(other["requester_id"]),
                            "current_user_id": str(other["requester_id"])}).encode()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=rt.app(jobs=False)), base_url="http://t") as c:
        for n, body in enumerate((comment, rated, unrelated)):
            r = await c.post("/webhooks/zendesk", content=body, headers=signed(body, invocation=f"inv-{n}"))
            assert r.status_code == 202, r.text
    await rt.inbound.idle()
    with rt.sessions() as s:
        actors = s.scalars(select(HandoffEventRow.actor).where(HandoffEventRow.handoff_id == h.id)).all()
    assert str(requester) in actors  # the customer's own rating names them

    report = erase(rt.sessions, rt.clock, email=ANA.email)

    with rt.sessions() as s:
        events = {e.ticket_id: e for e in s.scalars(select(InboundEventRow))}
        handoff_events = s.scalars(select(HandoffEventRow).where(HandoffEventRow.handoff_id == h.id)).all()
    assert events[ticket].payload == ERASED_PAYLOAD
    assert events[other["id"]].payload["ticket_id"] == other["id"]  # someone else's ticket keeps its event
    assert handoff_events and all(e.data == {} and e.actor != str(requester) for e in handoff_events)
    dump = store_dump(rt)
    assert "IBAN" not in dump and str(requester) not in dump
    assert report.zendesk_tickets == [ticket] and report.webhook_events == 2  # to erase in Zendesk too


async def test_the_customers_zendesk_id_is_cleared_from_handoff_events_but_agents_stay(runtime):
    """The customer's Zendesk id comes from the requester of their ticket's webhooks; agents' ids stay."""
    await runtime.service.post_message("c-1", TurnInput(role="customer", text="I want a human", customer=ANA))
    now = runtime.clock()
    with runtime.sessions() as s:
        h = s.scalars(select(HandoffRow)).one()
        h.zendesk_ticket_id = 4100
        s.add(InboundEventRow(source="zendesk", event_key="k1", kind="solved", ticket_id=4100, status="done",
                              payload={"ticket_id": 4100, "data": {"requester_id": 555, "comment_body": "bye"}},
                              attempts=1, next_attempt_at=now, received_at=now))
        s.add_all([HandoffEventRow(handoff_id=h.id, kind="solved", actor="555", data={"actor_id": 555}, at=now),
                   HandoffEventRow(handoff_id=h.id, kind="agent_assigned", actor="777", data={"assignee_id": 777}, at=now),
                   HandoffEventRow(handoff_id=h.id, kind="claimed", actor="maria", data={"source": "slack"}, at=now)])
        s.commit()
    report = erase(runtime.sessions, runtime.clock, conversation_id="c-1")
    with runtime.sessions() as s:
        actors = sorted(str(a) for a in s.scalars(select(HandoffEventRow.actor)))
    assert actors == ["777", "None", "maria"]
    assert report.handoff_events == 3


async def test_a_send_in_flight_does_not_revive_the_erased_deliveries(runtime, tmp_path, monkeypatch):
    """The ticket write is on its way when the erasure runs: it lands (it cannot be called back), but both
    deliveries stay cancelled, the alert waiting for it is never sent, and the report says a send was in flight."""
    # the alert waits for its ticket however long the test takes: what happens next must not depend on timing
    monkeypatch.setattr(deliveries, "ALERT_WAITS_FOR_TICKET_SECONDS", 120.0)
    runtime.service.on_handoff = lambda _id: None
    await runtime.service.post_message("c-1", TurnInput(role="customer", text="talk to a person, card 4111 1111 1111 1111",
                                                        customer=ANA))
    local = runtime.dispatcher.sinks["local"]
    gate = Gate(local)
    runtime.dispatcher.sinks["local"] = gate
    outbox = tmp_path / "outbox"

    sending = asyncio.create_task(runtime.dispatcher.run_due())
    await asyncio.wait_for(gate.started.wait(), 30)
    report = await asyncio.to_thread(erase, runtime.sessions, runtime.clock, email=ANA.email, outbox=outbox)
    gate.release.set()
    await asyncio.wait_for(sending, 30)

    with runtime.sessions() as s:
        h = s.scalars(select(HandoffRow)).one()
        rows = {d.kind: d for d in s.scalars(select(DeliveryRow))}
    assert {r.status for r in rows.values()} == {"cancelled"}
    assert all(r.payload == ERASED_PAYLOAD for r in rows.values())
    assert gate.alerts == 0 and not list((outbox / "slack").glob("*"))  # withdrawn before it went out
    assert await runtime.dispatcher.run_due() == 0
    assert rows["zendesk_ticket"].result["url"].startswith("file:")  # where it landed, for the operator
    assert "reached local" in rows["zendesk_ticket"].last_error
    # both were claimed: the ticket on the wire, the alert waiting for it
    assert report.in_flight == [f"{h.id} slack_alert to local", f"{h.id} zendesk_ticket to local"]
    assert report.deliveries_cancelled == 2 and "in flight" in report.as_text()
    # the ticket file was written after the erasure: running it again by conversation id removes it
    assert list((outbox / "zendesk").glob(f"{h.id}.*"))
    again = erase(runtime.sessions, runtime.clock, conversation_id="c-1", outbox=outbox)
    assert again.files_removed == 2 and not list((outbox / "zendesk").glob(f"{h.id}.*"))


class Gate:
    """The local outbox, holding ticket writes until released."""

    def __init__(self, inner):
        self.inner = inner
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.alerts = 0

    async def upsert_ticket(self, request):
        self.started.set()
        await self.release.wait()
        return await self.inner.upsert_ticket(request)

    async def post_alert(self, request, *, check_existing=False):
        self.alerts += 1
        return await self.inner.post_alert(request, check_existing=check_existing)


async def test_a_turn_in_flight_does_not_write_the_erased_data_back(runtime):
    """A handoff being packaged while the erasure runs read the conversation before it: it starts over."""
    await runtime.service.post_message("c-1", TurnInput(role="customer", text="how do I export invoices?", customer=ANA))
    held = HeldEnricher(runtime.service.enricher)
    runtime.service.enricher = held

    turn = asyncio.create_task(runtime.service.post_message("c-1", TurnInput(role="customer", text="I want a human")))
    await asyncio.wait_for(held.started.wait(), 30)
    await asyncio.to_thread(erase, runtime.sessions, runtime.clock, email=ANA.email)
    held.release.set()
    answer = await asyncio.wait_for(turn, 30)

    assert answer["decision"] == "handoff"
    with runtime.sessions() as s:
        conv = s.get(ConversationRow, "c-1")
        h = s.scalars(select(HandoffRow)).one()
    assert conv.customer_email is None and not (conv.customer or {}).get("email")
    assert texts(runtime, "c-1") == [ERASED, "I want a human"]  # the new turn is new data
    kept = json.dumps([conv.customer, h.briefing, h.customer_email, h.customer_message]).lower()
    assert "ana.lima" not in kept and "ana lima" not in kept


class HeldEnricher:
    """The runtime's enricher, holding every call until released."""

    def __init__(self, inner):
        self.inner = inner
        self.started = asyncio.Event()
        self.release = asyncio.Event()

    async def enrich(self, customer):
        self.started.set()
        await self.release.wait()
        return await self.inner.enrich(customer)


async def test_a_webhook_event_being_processed_stays_closed_after_the_erasure(zendesk_runtime):
    rt = zendesk_runtime
    await rt.service.post_message("c-1", TurnInput(role="customer", text="I want a human", customer=ANA))
    now = datetime.now(UTC)
    with rt.sessions() as s:
        s.execute(HandoffRow.__table__.update().values(zendesk_ticket_id=4200))
        s.add(InboundEventRow(source="zendesk", event_key="k", kind="comment_added", ticket_id=4200, status="pending",
                              payload={"kind": "comment_added", "ticket_id": 4200, "data": {"comment_body": "secret"}},
                              attempts=0, next_attempt_at=now, received_at=now))
        s.commit()
    [row] = claim_due(rt.sessions, InboundEventRow, now=now, lease_seconds=60, owner=rt.inbound.owner, limit=5,
                      working="processing")
    report = erase(rt.sessions, rt.clock, email=ANA.email)
    rt.inbound._finish(row, RuntimeError("Zendesk timed out"), True, None)  # the processing that was under way ends
    with rt.sessions() as s:
        stored = s.get(InboundEventRow, row.id)
    assert stored.status == "done" and stored.payload == ERASED_PAYLOAD
    assert report.in_flight == [f"webhook event {row.id} of ticket 4200"]


async def test_nothing_is_half_done_when_the_erasure_fails(runtime, tmp_path, monkeypatch):
    await runtime.service.post_message("ana@example.com", TurnInput(role="customer", text="I want a human", customer=ANA))
    await runtime.dispatcher.idle()
    before = store_dump(runtime)
    files = sorted((tmp_path / "outbox").rglob("*"))

    def broken(s, old):
        raise RuntimeError("disk full")  # the last step of the transaction fails

    monkeypatch.setattr(erasure, "_rename", broken)
    with pytest.raises(RuntimeError):
        erase(runtime.sessions, runtime.clock, email=ANA.email, outbox=tmp_path / "outbox")
    assert store_dump(runtime) == before
    assert sorted((tmp_path / "outbox").rglob("*")) == files


async def test_the_dry_run_lists_exactly_what_the_real_run_erases(runtime, tmp_path):
    customers = {"ana@example.com": None, "ANA@EXAMPLE.COM ": None, "c-1": "Ana@Example.com", "c-2": "ana_@example.com",
                 "c-3": "anaX@example.com", "c-4": " ana@example.com"}
    await one_turn_each(runtime, customers, "I want a human")
    await runtime.dispatcher.idle()
    before = store_dump(runtime)

    dry = erase(runtime.sessions, runtime.clock, email="ana@example.com", outbox=tmp_path / "outbox", dry_run=True)
    assert store_dump(runtime) == before  # a dry run writes nothing
    real = erase(runtime.sessions, runtime.clock, email="ana@example.com", outbox=tmp_path / "outbox")

    assert dry.conversations == real.conversations == ["ANA@EXAMPLE.COM ", "ana@example.com", "c-1", "c-4"]
    assert list(dry.renamed) == list(real.renamed) == ["ANA@EXAMPLE.COM ", "ana@example.com"]
    same = ("messages", "handoffs", "deliveries_cancelled", "handoff_events", "webhook_events", "files_removed")
    assert {k: getattr(dry, k) for k in same} == {k: getattr(real, k) for k in same}
    assert real.messages == 4 and real.handoffs == 4 and real.files_removed > 0


def test_finding_by_email_uses_the_index(runtime):
    """A large store is not read whole to find one customer: the look-ups are index searches."""
    with runtime.sessions() as s:
        bind = s.get_bind()
        if bind.dialect.name != "sqlite":
            pytest.skip("the plan is checked on SQLite; bench/erasure.py times both")
        plans = [" ".join(r[-1] for r in s.execute(text(f"EXPLAIN QUERY PLAN SELECT id FROM {table} "
                                                          "WHERE customer_email = 'a@b.c'")))
                 for table in ("conversations", "handoffs")]
    assert all("USING" in p and "INDEX" in p for p in plans), plans


@pytest.mark.parametrize(("language", "expected"), [(None, "A member of our support team"),
                                                    ("es", "Una persona de nuestro equipo")])
async def test_a_turn_after_the_erasure_never_shows_the_customer_an_erasure_marker(runtime, language, expected):
    """The conversation keeps its handoff: later turns are still the people's, told so in neutral words."""
    customer = Customer(email=ANA.email, name=ANA.name, language=language)
    first = await runtime.service.post_message("c-1", TurnInput(role="customer", text="I want a human", customer=customer))
    await runtime.dispatcher.idle()
    erase(runtime.sessions, runtime.clock, conversation_id="c-1")

    later = await runtime.service.post_message("c-1", TurnInput(role="customer", text="hello? anyone there?"))
    asked = await runtime.service.request_handoff("c-1", "the customer insists", None)

    for answer in (later, asked):
        assert answer["decision"] == "handoff" and answer["handoff_id"] == first["handoff_id"]
        assert ERASED not in json.dumps(answer)
        assert expected in answer["customer_message"] and "Ana" not in answer["customer_message"]
        assert answer["reasons"] == [] and answer["agent"] is None
    assert later["message_index"] == 1


async def test_an_erased_messages_id_sent_again_is_refused_not_answered_with_nothing(runtime):
    """Its stored answer was erased (it was `{}`, not an answer): the bot is told to use a new message_id."""
    from handoff.app.turns import MessageIdReused

    turn = TurnInput(role="customer", text="how do I export invoices?", customer=ANA, message_id="m-1")
    await runtime.service.post_message("c-1", turn)
    erase(runtime.sessions, runtime.clock, conversation_id="c-1")
    with pytest.raises(MessageIdReused, match="erased"):
        await runtime.service.post_message("c-1", turn)
