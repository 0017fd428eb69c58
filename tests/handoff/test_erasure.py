"""GDPR erasure: the customer's personal data leaves the store; the counts the metrics need stay."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from handoff.compose import build_runtime
from handoff.erasure import ERASED, erase
from handoff.models import Customer
from handoff.service import TurnInput
from handoff.storage.tables import ConversationRow, DeliveryRow, HandoffRow, MessageRow
from tests.support.clock import Clock
from tests.support.settings import shipped_settings

ANA = Customer(email="Ana.Lima@example.com", name="Ana Lima")
BOB = Customer(email="bob@example.com", name="Bob")


@pytest.fixture
def runtime(make_config, tmp_path):
    rt = build_runtime(make_config(shipped_settings(tmp_path / "outbox")), clock=Clock())
    yield rt
    rt.close()


async def seed(rt):
    await rt.service.post_message("ana-1", TurnInput(role="customer", text="my card 4242 is charged twice", customer=ANA))
    await rt.service.post_message("ana-2", TurnInput(role="customer", text="how do I export invoices?", customer=ANA,
                                                     page_url="https://app.example.com/billing"))
    await rt.service.post_message("bob-1", TurnInput(role="customer", text="I want a human", customer=BOB))
    await rt.dispatcher.idle()


def texts(rt, cid):
    with rt.sessions() as s:
        return [m.text for m in s.scalars(select(MessageRow).where(MessageRow.conversation_id == cid))]


async def test_erase_by_email_removes_the_data_and_keeps_the_counts(runtime, tmp_path):
    await seed(runtime)
    with runtime.sessions() as s:
        ana_handoff = s.scalars(select(HandoffRow).where(HandoffRow.conversation_id == "ana-1")).one()
    assert list((tmp_path / "outbox" / "zendesk").glob(f"{ana_handoff.id}.*"))

    report = erase(runtime.sessions, runtime.clock, email="ana.lima@EXAMPLE.com", outbox=tmp_path / "outbox")

    assert report.conversations == ["ana-1", "ana-2"] and report.messages == 2 and report.handoffs == 1
    assert report.files_removed >= 3
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
