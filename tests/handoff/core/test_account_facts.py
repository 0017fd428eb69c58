"""Typed account facts: read leniently from JSON once, written back in the briefing's shape."""
from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from handoff.core.account_facts import (
    Dispute,
    HubSpotFacts,
    NoSuchCustomer,
    OtherFacts,
    StripeFacts,
    ZendeskHistory,
    parse_facts,
)
from handoff.core.models import SourceResult

STRIPE_JSON = {
    "found": True, "customer_id": "cus_1", "email": "ana@example.com", "name": "Ana", "delinquent": False,
    "currency": "usd",
    "plan": {"subscription_id": "sub_1", "product": "prod_1", "product_name": "Pro", "price_id": "price_1",
             "nickname": "Pro monthly", "lookup_key": "pro", "interval": "month", "interval_count": 1,
             "status": "active", "cancel_at_period_end": True, "cancel_at": None, "quantity": 3},
    "subscriptions": 1, "mrr": {"amount": 147.0, "currency": "usd"},
    "failed_payments_90d": {"count": 2, "invoices": [], "charges": [
        {"charge": "ch_1", "date": "2026-03-01T00:00:00+00:00", "amount": 49.0, "currency": "usd",
         "failure_code": "card_declined", "failure_message": "declined", "outcome_reason": None}]},
    "open_disputes": [{"id": "dp_1", "charge": "ch_2", "amount": 49.0, "currency": "usd", "reason": "fraudulent",
                       "status": "needs_response", "date": None, "evidence_due_by": None}],
    "recent_refunds": [], "card": {"brand": "visa", "last4": "4242"},
}


def test_stripe_json_reads_into_typed_facts_and_writes_back_the_same_shape():
    facts = parse_facts("stripe", STRIPE_JSON)
    assert isinstance(facts, StripeFacts)
    assert facts.plan is not None and facts.plan.cancel_at_period_end and facts.plan.quantity == 3
    assert facts.failed_payments_90d.count == 2 and facts.failed_payments_90d.charges[0].failure_code == "card_declined"
    assert facts.open_disputes == (Dispute("dp_1", "ch_2", 49.0, "usd", "fraudulent", "needs_response"),)
    assert facts.to_json() == STRIPE_JSON  # `incomplete` is left out when nothing was


def test_integer_amounts_are_read_as_stripe_minor_units_and_floats_as_major():
    facts = parse_facts("stripe", {"open_disputes": [{"amount": 4900, "currency": "usd"},
                                                     {"amount": 4900, "currency": "jpy"},
                                                     {"amount": 49.5, "currency": "USD"}]})
    assert [(d.amount, d.currency) for d in facts.open_disputes] == [(49.0, "usd"), (4900.0, "jpy"), (49.5, "usd")]


def test_ill_typed_fields_become_unknown_not_errors():
    facts = parse_facts("stripe", {"plan": "pro", "mrr": {"amount": "lots"}, "delinquent": "yes",
                                   "failed_payments_90d": 3, "open_disputes": {"id": "dp"}, "card": {"brand": "visa"}})
    assert facts == StripeFacts(failed_payments_90d=facts.failed_payments_90d)
    assert facts.failed_payments_90d.count == 3  # a bare count is a count
    hub = parse_facts("hubspot", {"company": {"name": "Acme", "annual_revenue": "1,200,000"},
                                  "health": {"score": 40, "nested": {"x": 1}}, "owner": None})
    assert isinstance(hub, HubSpotFacts) and hub.company is not None
    assert hub.company.annual_revenue == 1_200_000.0 and hub.owner is None and hub.health == {"score": 40}
    zen = parse_facts("zendesk", {"open_tickets": [{"id": "12", "subject": "Help"}, "junk"],
                                  "tickets_last_60_days": "x"})
    assert isinstance(zen, ZendeskHistory) and zen.open_tickets[0].id == 12 and zen.tickets_last_60_days is None


def test_not_found_and_unknown_sources():
    assert parse_facts("stripe", {"found": False}) == NoSuchCustomer()
    assert parse_facts("crm2", {"x": 1}) == OtherFacts({"x": 1})
    r = SourceResult("hubspot", "ok", facts={"found": False})
    assert not r.knows_customer and r.as_dict() == {"status": "ok", "facts": {"found": False}}
    assert SourceResult("stripe", "unavailable", reason="down").as_dict() == {"status": "unavailable", "reason": "down"}


json_values = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
                           max_leaves=10)


@given(source=st.sampled_from(["stripe", "hubspot", "zendesk"]),
       data=st.dictionaries(st.sampled_from(sorted({*STRIPE_JSON, "company", "owner", "open_deals", "health", "churn",
                                                    "open_tickets", "recent_tickets", "prior_handoffs",
                                                    "tickets_last_60_days"})), json_values, max_size=8))
def test_any_json_reads_without_error_and_its_json_form_reads_back_to_the_same_facts(source, data):
    facts = parse_facts(source, data)
    again = parse_facts(source, json.loads(json.dumps(facts.to_json())))
    assert again == facts
