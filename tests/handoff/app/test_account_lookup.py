"""Account facts on demand: a lookup by e-mail, and a refresh that updates the briefing and notes the ticket once
per request, through the outbox to the fake Zendesk."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from structlog.testing import capture_logs

from handoff.app.account_lookup import AccountLookups, HandoffReleased, LookupsOff
from handoff.app.handoff_reads import NotFoundError
from handoff.app.turns import TurnInput
from handoff.bootstrap import build_runtime
from handoff.core.models import AccountContext, Customer, SourceResult
from handoff.devtools.support.clock import Clock
from handoff.storage.tables import DeliveryRow, HandoffEventRow, HandoffRow

MONDAY = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
EMAIL = "ana.lima@example.com"


class StepEnricher:
    """An Enricher whose answers change on each call: Stripe's MRR goes up, HubSpot is down."""

    def __init__(self) -> None:
        self.asked: list[Customer] = []
        self.forgotten: list[Customer] = []

    def forget(self, customer: Customer) -> None:
        self.forgotten.append(customer)

    async def enrich(self, customer: Customer) -> AccountContext:
        self.asked.append(customer)
        mrr = 49.0 * len(self.asked)
        return AccountContext((
            SourceResult("stripe", "ok", {"customer_id": "cus_1", "mrr": {"amount": mrr, "currency": "usd"},
                                          "card": {"brand": "visa", "last4": "4242"}}),
            SourceResult("hubspot", "unavailable", reason="timed out after 2 s"),
            SourceResult("zendesk", "not_configured", reason="not configured (set ZENDESK_EMAIL and ZENDESK_API_TOKEN)"),
        ))


@pytest.fixture
def runtime(make_config, fake_zendesk):
    config = make_config("[zendesk]\nsubdomain = 'acme'\n[[routing.teams]]\nname = 'general'\n"
                         "[[routing.agents]]\nid = 'sam'\nname = 'Sam Rivera'\nteams = ['general']\n",
                         ZENDESK_EMAIL=fake_zendesk.email, ZENDESK_API_TOKEN=fake_zendesk.token,
                         ZENDESK_URL=fake_zendesk.url)
    rt = build_runtime(config, clock=Clock(MONDAY))
    rt.enricher_fake = StepEnricher()  # type: ignore[attr-defined]
    rt.operations.accounts = AccountLookups(rt.sessions, rt.enricher_fake, rt.clock,  # type: ignore[attr-defined]
                                            zendesk_target=rt.targets["zendesk"], wake=rt.dispatcher.wake)
    yield rt
    rt.close()


async def hand_off(rt) -> str:
    result = await rt.service.post_message("c-1", TurnInput(role="customer", text="get me an agent pls",
                                                            customer=Customer(email=EMAIL, name="Ana Lima")))
    assert result["decision"] == "handoff"
    await rt.dispatcher.idle()
    return result["handoff_id"]


def refresh_notes(rt, hid):
    with rt.sessions() as s:
        return list(s.scalars(select(DeliveryRow).where(DeliveryRow.handoff_id == hid,
                                                        DeliveryRow.dedupe_key.like(f"{hid}:zendesk:refresh:%"))))


async def test_lookup_runs_the_enrichment_for_the_address(runtime):
    with capture_logs() as logs:
        facts = await runtime.operations.lookup(f"  {EMAIL} ")
    [logged] = [e for e in logs if e["event"] == "account_lookup"]
    assert logged["email"] == "a***@example.com" and EMAIL not in str(logs)
    assert runtime.enricher_fake.asked == [Customer(email=EMAIL)]
    shown = {(f.source, f.label): f.value for f in facts}
    assert shown[("stripe", "MRR")] == "$49.00"
    assert shown[("hubspot", "Status")] == "unavailable: timed out after 2 s"
    assert shown[("zendesk", "Status")].startswith("not configured")


async def test_a_refresh_updates_the_briefing_and_notes_the_ticket_once_per_request(runtime, fake_zendesk):
    hid = await hand_off(runtime)
    [ticket] = fake_zendesk.tickets.values()
    before = len(fake_zendesk.comments[ticket["id"]])

    done = await runtime.operations.refresh(hid, "sam")
    assert runtime.enricher_fake.forgotten[0].email == EMAIL  # asked again, not served from the cache
    assert done.number == 1 and "stripe MRR: $49.00 (new)" in done.changes
    with runtime.sessions() as s:
        briefing = s.get(HandoffRow, hid).briefing
    assert {"source": "stripe", "label": "MRR", "value": "$49.00"} in briefing["account_facts"]
    assert briefing["account"]["hubspot"]["status"] == "unavailable"
    assert briefing["summary"]  # the rest of the briefing is kept

    runtime.clock.advance(60)
    again = await runtime.operations.refresh(hid, "sam")
    assert again.number == 2 and again.changes == ("stripe MRR: $49.00 → $98.00",)
    assert len(refresh_notes(runtime, hid)) == 2
    await runtime.dispatcher.idle()
    assert {d.status for d in refresh_notes(runtime, hid)} == {"sent"}
    notes = [c for c in fake_zendesk.comments[ticket["id"]][before:] if "Account facts refreshed at" in c["body"]]
    assert len(notes) == 2 and all(c["public"] is False for c in notes)
    assert "Account facts refreshed at 2026-03-02 15:01 UTC: what changed" in notes[1]["body"]
    assert "$49.00 → $98.00" in notes[1]["body"]
    with runtime.sessions() as s:
        events = s.scalars(select(HandoffEventRow.kind).where(HandoffEventRow.handoff_id == hid)).all()
    assert events.count("account_refreshed") == 2


async def test_refresh_of_an_unknown_or_released_handoff_changes_nothing(runtime):
    with pytest.raises(NotFoundError):
        await runtime.operations.refresh("h_ffff", "sam")
    hid = await hand_off(runtime)
    await runtime.service.release(hid, None)
    with pytest.raises(HandoffReleased):
        await runtime.operations.refresh(hid, "sam")
    assert refresh_notes(runtime, hid) == []


async def test_without_an_enricher_lookups_say_they_are_off(runtime):
    runtime.operations.accounts = None
    with pytest.raises(LookupsOff):
        await runtime.operations.lookup(EMAIL)
