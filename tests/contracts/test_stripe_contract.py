"""The Stripe connector's real calls (stripe library) against FakeStripe: requests checked against Stripe's
OpenAPI fragment, answers against the installed stripe library's resource classes."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from connectors.stripe import StripeConnector
from handoff.core.models import Customer
from tests.contracts.stripe_shapes import answer_problems, decode_query, request_problems
from handoff.devtools.fakes.http import Exchange, FakeRequest, FakeResponse
from handoff.devtools.fakes.stripe import API_KEY, FakeStripe

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
DAY = 86_400


@pytest.fixture
async def connector(fake_stripe: FakeStripe) -> AsyncIterator[StripeConnector]:
    conn = StripeConnector(API_KEY, api_base=fake_stripe.url, timeout=2.0, now=lambda: NOW)
    yield conn
    await conn.aclose()


def a_busy_customer(fake: FakeStripe) -> None:
    """Every kind of object the connector reads, expanded where it expands."""
    c = fake.add_customer("ana@example.com", name="Ana", delinquent=True)
    fake.add_subscription(c["id"], unit_amount=4900, lookup_key="pro", quantity=2, percent_off=20.0)
    fake.add_subscription(c["id"], unit_amount=999, status="canceled")
    fake.add_invoice(c["id"], created=TS - 3 * DAY, amount_due=9800, status="open", attempt_count=2)
    fake.add_charge(c["id"], created=TS - 3 * DAY, amount=9800, status="failed", failure_code="card_declined")
    disputed = fake.add_charge(c["id"], created=TS - 9 * DAY, amount=9800, disputed=True, refund=500)
    fake.add_dispute(disputed["id"], amount=9800, status="appeal_needs_response")


async def test_every_request_and_answer_matches_stripe(fake_stripe: FakeStripe, connector: StripeConnector) -> None:
    a_busy_customer(fake_stripe)
    await connector.fetch(Customer(email="Ana@Example.com"))  # the look-up, then its lower-cased retry

    problems = [p for e in fake_stripe.exchanges for p in request_problems(e) + answer_problems(e)]

    assert problems == []
    assert {e.request.path for e in fake_stripe.exchanges} == {
        "/v1/customers", "/v1/subscriptions", "/v1/invoices", "/v1/charges", "/v1/disputes"}


def exchange(path: str, query: list[tuple[str, str]], body: object = None) -> Exchange:
    request = FakeRequest("GET", path, dict(query), {}, b"", query_items=query)
    listing = {"object": "list", "data": body or [], "has_more": False, "url": path}
    return Exchange(request, FakeResponse(200, listing))


def test_stripe_query_encoding_is_decoded_as_stripe_does() -> None:
    assert decode_query([("expand[0]", "a"), ("expand[1]", "b"), ("created[gte]", "5"), ("limit", "3")]) == {
        "expand": ["a", "b"], "created": {"gte": "5"}, "limit": "3"}


@pytest.mark.parametrize(("path", "query", "problem"), [
    ("/v1/subscriptions", [("status", "everything")], "status='everything'"),
    ("/v1/customers", [("limit", "lots")], "limit='lots'"),
    ("/v1/disputes", [("customer", "cus_1")], "query parameter 'customer' is not in the spec"),
    ("/v1/invoices", [("created[gte]", "soon")], "created="),
    ("/v1/subscriptions", [("expand[0]", "data.discounts.source.coupon.applies_to")], "deeper than"),
])
def test_the_request_check_catches(path: str, query: list[tuple[str, str]], problem: str) -> None:
    [found] = request_problems(exchange(path, query))
    assert problem in found


def subscription_with_discount(fake: FakeStripe, *, coupon_expanded: bool) -> dict[str, object]:
    c = fake.add_customer("bo@example.com")
    sub = fake.add_subscription(c["id"], unit_amount=100, percent_off=50.0)
    view = fake._subscription_view(sub, {"data.discounts.source.coupon"})  # noqa: SLF001 - the fake's own view
    if not coupon_expanded:
        view["discounts"][0]["source"]["coupon"] = view["discounts"][0]["source"]["coupon"]["id"]
    return view


def test_the_answer_check_catches_an_expansion_nobody_asked_for(fake_stripe: FakeStripe) -> None:
    """What hid the coupon bug: a fake that expanded the coupon when only the discounts were expanded."""
    view = subscription_with_discount(fake_stripe, coupon_expanded=True)
    found = answer_problems(exchange("/v1/subscriptions", [("expand[0]", "data.discounts")], [view]))
    assert found == ["GET /v1/subscriptions answer: data.discounts.source.coupon: expanded although "
                     "data.discounts.source.coupon was not asked for"]
    assert answer_problems(exchange("/v1/subscriptions", [("expand[0]", "data.discounts.source.coupon")],
                                    [view])) == []


@pytest.mark.parametrize(("change", "problem"), [
    (lambda s: s.update(status="sleeping"), "data.status: 'sleeping' is not a value stripe knows"),
    (lambda s: s.update(shiny=True), "data.shiny: not an attribute of stripe's Subscription"),
    (lambda s: s.pop("items"), "data.items: missing"),
    (lambda s: s["items"]["data"][0]["price"].update(unit_amount="100"), "unit_amount: '100' is not int"),
])
def test_the_answer_check_catches(fake_stripe: FakeStripe, change, problem: str) -> None:  # noqa: ANN001
    view = subscription_with_discount(fake_stripe, coupon_expanded=True)
    change(view)
    found = answer_problems(exchange("/v1/subscriptions", [("expand[0]", "data.discounts.source.coupon")], [view]))
    assert len(found) == 1 and problem in found[0]
