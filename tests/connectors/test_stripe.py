"""Contract tests of the Stripe connector: the real `stripe` client against a local fake Stripe API."""
from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.errors import AuthFailed, NotFound, RateLimited, Rejected, Unavailable
from connectors.stripe import StripeConnector, StripeSettings, major, subscription_monthly_minor
from handoff.core.account_facts import Money
from handoff.core.models import Customer
from handoff.devtools.fakes.stripe import API_KEY, FakeStripe

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
TS = int(NOW.timestamp())
DAY = 86_400
ANA = Customer(email="ana@example.com")


@pytest.fixture
async def connector(fake_stripe: FakeStripe) -> AsyncIterator[StripeConnector]:
    conn = StripeConnector(API_KEY, api_base=fake_stripe.url, timeout=0.5, now=lambda: NOW)
    yield conn
    await conn.aclose()


def billing_trouble(fake: FakeStripe) -> dict[str, Any]:
    """A customer with a plan, payment failures, a dispute and a refund."""
    c = fake.add_customer("ana@example.com", name="Ana", delinquent=True, card=("mastercard", "4444"))
    fake.add_subscription(c["id"], unit_amount=4900, lookup_key="pro_monthly", nickname="Pro", quantity=3,
                          cancel_at_period_end=True)
    fake.add_subscription(c["id"], unit_amount=999, status="canceled", lookup_key="starter")
    fake.add_invoice(c["id"], created=TS - 3 * DAY, amount_due=14700, status="open", attempt_count=3)
    fake.add_invoice(c["id"], created=TS - 40 * DAY, amount_due=14700, status="paid", attempt_count=1)
    fake.add_charge(c["id"], created=TS - 3 * DAY, amount=14700, status="failed", failure_code="card_declined")
    fake.add_charge(c["id"], created=TS - 200 * DAY, amount=14700, status="failed", failure_code="expired_card")
    disputed = fake.add_charge(c["id"], created=TS - 10 * DAY, amount=14700, disputed=True, refund=2000)
    fake.add_dispute(disputed["id"], amount=14700, status="needs_response", reason="duplicate")
    won = fake.add_charge(c["id"], created=TS - 60 * DAY, amount=500, disputed=True)
    fake.add_dispute(won["id"], amount=500, status="won")
    return c


async def test_summarises_billing(fake_stripe: FakeStripe, connector: StripeConnector) -> None:
    c = billing_trouble(fake_stripe)
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["found"] is True and facts["customer_id"] == c["id"] and facts["delinquent"] is True
    assert facts["plan"].items() >= {"lookup_key": "pro_monthly", "nickname": "Pro", "interval": "month",
                                     "status": "active", "cancel_at_period_end": True, "quantity": 3}.items()
    assert facts["mrr"] == {"amount": 147.0, "currency": "usd"}  # the canceled plan carries no revenue
    failed = facts["failed_payments_90d"]
    assert failed["count"] == 3  # the open invoice's three attempts outweigh one failed charge
    assert [i["attempt_count"] for i in failed["invoices"]] == [3]
    assert [ch["failure_code"] for ch in failed["charges"]] == ["card_declined"]  # 200 days ago is out
    assert [(d["reason"], d["amount"]) for d in facts["open_disputes"]] == [("duplicate", 147.0)]
    assert [r["amount"] for r in facts["recent_refunds"]] == [20.0]
    assert facts["card"] == {"brand": "mastercard", "last4": "4444"}
    assert "incomplete" not in facts


async def test_card_is_brand_and_last4_only(fake_stripe: FakeStripe, connector: StripeConnector) -> None:
    c = fake_stripe.add_customer("ana@example.com", card=None)
    fake_stripe.add_charge(c["id"], created=TS - DAY, amount=100, card=("amex", "0005"))
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["card"] == {"brand": "amex", "last4": "0005"}
    text = json.dumps(facts)
    assert "fingerprint" not in text and "exp_year" not in text


async def test_calls_depend_only_on_the_customer(fake_stripe: FakeStripe, connector: StripeConnector) -> None:
    billing_trouble(fake_stripe)
    await connector.fetch(ANA)
    paths = [r.path for r in fake_stripe.requests]
    assert paths[0] == "/v1/customers"
    assert set(paths[1:]) == {"/v1/subscriptions", "/v1/invoices", "/v1/charges", "/v1/disputes"}
    assert paths.index("/v1/disputes") > paths.index("/v1/charges")
    # Disputes are asked per disputed charge, never per customer (Stripe cannot filter them by customer).
    assert sorted(r.query["charge"] for r in fake_stripe.requests_to("/v1/disputes")) == sorted(
        c["id"] for c in fake_stripe.charges if c["disputed"])
    customers = fake_stripe.requests_to("/v1/customers")[0]
    assert customers.query["expand[0]"] == "data.invoice_settings.default_payment_method"
    assert fake_stripe.requests_to("/v1/charges")[0].query["expand[0]"] == "data.refunds"
    assert int(fake_stripe.requests_to("/v1/invoices")[0].query["created[gte]"]) == TS - 90 * DAY


async def test_email_lookup_falls_back_to_lower_case(fake_stripe: FakeStripe, connector: StripeConnector) -> None:
    fake_stripe.add_customer("ana@example.com")
    facts = (await connector.fetch(Customer(email="Ana@Example.com"))).to_json()
    assert facts["email"] == "ana@example.com"
    assert [r.query["email"] for r in fake_stripe.requests_to("/v1/customers")] == ["Ana@Example.com",
                                                                                   "ana@example.com"]


async def test_unknown_customer_is_not_found(connector: StripeConnector) -> None:
    with pytest.raises(NotFound):
        await connector.fetch(ANA)


async def test_customer_without_email_is_rejected_without_a_call(fake_stripe: FakeStripe,
                                                                 connector: StripeConnector) -> None:
    with pytest.raises(Rejected, match="no customer email"):
        await connector.fetch(Customer(name="Ana"))
    assert fake_stripe.requests == []


@pytest.mark.parametrize(
    ("fault", "error", "reason", "retry_after"),
    [
        ({"delay": 2.0}, Unavailable, "timed out", None),
        ({"status": 500}, Unavailable, "server error (HTTP 500)", None),
        ({"status": 429, "headers": {"Retry-After": "30"}}, RateLimited, "rate limited", 30.0),
        ({"status": 401}, AuthFailed, "unauthorised (check STRIPE_API_KEY)", None),
        ({"garbage": True}, Unavailable, "answered garbage", None),
        ({"status": 200, "body": {"object": "list", "data": "nope"}}, Unavailable, "answered garbage", None),
        ({"status": 200, "body": {"object": "list", "data": [], "has_more": False, "url": "/v1/customers"}},
         NotFound, "no customer with this email", None),
    ],
    ids=["timeout", "500", "429", "401", "malformed-json", "wrong-shape", "empty"],
)
async def test_failure_matrix_on_the_customer_lookup(fake_stripe: FakeStripe, connector: StripeConnector,
                                                     fault: dict[str, Any], error: type[Exception], reason: str,
                                                     retry_after: float | None) -> None:
    fake_stripe.add_customer("ana@example.com")
    fake_stripe.fail_endpoint("/v1/customers", **fault)
    with pytest.raises(error) as raised:
        await connector.fetch(ANA)
    assert raised.value.reason == reason
    assert raised.value.retry_after == retry_after
    if error is not NotFound:
        assert fake_stripe.count("/v1/customers") == 1  # no client retries: the budget is ours


async def test_wrong_key_is_unauthorised(fake_stripe: FakeStripe) -> None:
    conn = StripeConnector("sk_test_wrong", api_base=fake_stripe.url, timeout=0.5)
    with pytest.raises(AuthFailed) as raised:
        await conn.fetch(ANA)
    await conn.aclose()
    assert "sk_test_wrong" not in str(raised.value)


@pytest.mark.parametrize("endpoint", ["/v1/subscriptions", "/v1/invoices", "/v1/charges", "/v1/disputes"])
async def test_a_failing_detail_keeps_the_rest(fake_stripe: FakeStripe, connector: StripeConnector,
                                               endpoint: str) -> None:
    billing_trouble(fake_stripe)
    fake_stripe.fail_endpoint(endpoint, status=500)
    facts = (await connector.fetch(ANA)).to_json()
    what = endpoint.rsplit("/", 1)[1]
    assert facts["incomplete"] == {what: "server error (HTTP 500)"}
    assert facts["delinquent"] is True and facts["card"] == {"brand": "mastercard", "last4": "4444"}


@pytest.mark.parametrize(
    ("unit", "interval", "count", "quantity", "percent_off", "monthly"),
    [
        (1000, "month", 1, 1, None, 1000.0),
        (12000, "year", 1, 1, None, 1000.0),
        (3000, "month", 3, 2, None, 2000.0),
        (1000, "week", 1, 1, None, 1000 * 52 / 12),
        (100, "day", 1, 1, None, 100 * 365 / 12),
        (1000, "month", 1, 4, 25.0, 3000.0),
    ],
)
def test_monthly_normalisation(unit: int, interval: str, count: int, quantity: int, percent_off: float | None,
                               monthly: float) -> None:
    coupon = {"source": {"coupon": {"percent_off": percent_off}}} if percent_off else None
    sub = {"items": {"data": [{"quantity": quantity, "price": {
        "unit_amount": unit, "recurring": {"interval": interval, "interval_count": count}}}]},
        "discounts": [coupon] if coupon else ["di_unexpanded"]}
    assert subscription_monthly_minor(sub) == pytest.approx(monthly)


@pytest.mark.parametrize(("amount", "currency", "expected"), [(1999, "usd", 19.99), (1999, "jpy", 1999.0),
                                                              (None, "usd", None)])
def test_major_units(amount: int | None, currency: str, expected: float | None) -> None:
    assert major(amount, currency) == expected


def test_settings_build_the_connector() -> None:
    conn = StripeConnector.from_settings(StripeSettings(api_base="http://127.0.0.1:1"), "sk_test_secret",
                                         api_base="http://127.0.0.1:2")
    assert repr(conn) == "StripeConnector(api_base='http://127.0.0.1:2')"
    with pytest.raises(ValueError):
        StripeSettings(api_key="sk_live_never_in_settings")


async def test_a_coupon_lowers_mrr(fake_stripe: FakeStripe, connector: StripeConnector) -> None:
    c = fake_stripe.add_customer("ana@example.com")
    fake_stripe.add_subscription(c["id"], unit_amount=10000, percent_off=50.0)
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["mrr"] == {"amount": 50.0, "currency": "usd"}
    expand = {v for k, v in fake_stripe.requests_to("/v1/subscriptions")[0].query.items() if k.startswith("expand")}
    assert "data.discounts.source.coupon" in expand  # the coupon is an id at any shallower expansion


@pytest.mark.parametrize("expand", [[], ["data.discounts"]])
def test_fake_stripe_leaves_coupons_unexpanded_like_stripe(fake_stripe: FakeStripe, expand: list[str]) -> None:
    import stripe

    c = fake_stripe.add_customer("ana@example.com")
    fake_stripe.add_subscription(c["id"], unit_amount=10000, percent_off=50.0)
    client = stripe.StripeClient(API_KEY, base_addresses={"api": fake_stripe.url}, max_network_retries=0)
    sub = client.v1.subscriptions.list({"customer": c["id"], "expand": expand}).data[0].to_dict()
    discount = sub["discounts"][0]
    if not expand:
        assert isinstance(discount, str) and discount.startswith("di_")
    else:
        assert isinstance(discount["source"]["coupon"], str)
    assert subscription_monthly_minor(sub) == 10000.0  # nothing to compute the discount with


def test_fake_stripe_refuses_expansions_deeper_than_four_levels(fake_stripe: FakeStripe) -> None:
    import stripe

    client = stripe.StripeClient(API_KEY, base_addresses={"api": fake_stripe.url}, max_network_retries=0)
    with pytest.raises(stripe.InvalidRequestError, match="more than 4 levels"):
        client.v1.subscriptions.list({"customer": "cus_x", "expand": ["data.discounts.source.coupon.applies_to"]})


@pytest.mark.parametrize(("status", "open_"), [
    ("warning_needs_response", True), ("warning_under_review", True), ("needs_response", True),
    ("under_review", True), ("appeal_needs_response", True), ("appeal_under_review", True),
    ("won", False), ("lost", False), ("prevented", False), ("warning_closed", False),
])
async def test_open_disputes_follow_the_current_statuses(fake_stripe: FakeStripe, connector: StripeConnector,
                                                         status: str, open_: bool) -> None:
    c = fake_stripe.add_customer("ana@example.com")
    charge = fake_stripe.add_charge(c["id"], created=TS - DAY, amount=900, disputed=True)
    fake_stripe.add_dispute(charge["id"], amount=900, status=status)
    facts = (await connector.fetch(ANA)).to_json()
    assert [d["status"] for d in facts["open_disputes"]] == ([status] if open_ else [])


def test_dispute_statuses_are_the_librarys() -> None:
    """Every status stripe's Dispute class knows is classified as open or closed (a new one fails here)."""
    import typing

    import stripe

    from connectors.stripe import OPEN_DISPUTE

    literal = next(a for a in typing.get_args(stripe.Dispute.__annotations__["status"]) if typing.get_args(a))
    known = set(typing.get_args(literal))
    closed = {"won", "lost", "prevented", "warning_closed"}
    assert OPEN_DISPUTE | closed == known


async def test_mrr_currency_without_a_subscription_currency(fake_stripe: FakeStripe,
                                                            connector: StripeConnector) -> None:
    c = fake_stripe.add_customer("ana@example.com")
    sub = fake_stripe.add_subscription(c["id"], unit_amount=2000, currency="eur")
    del sub["currency"]  # API versions before 2022 carry it on the prices only
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["mrr"] == {"amount": 20.0, "currency": "eur"}


async def test_mrr_currency_is_the_customers_without_subscriptions(fake_stripe: FakeStripe,
                                                                   connector: StripeConnector) -> None:
    fake_stripe.add_customer("ana@example.com")
    facts = (await connector.fetch(ANA)).to_json()
    assert facts["mrr"] == {"amount": 0.0, "currency": "usd"}


def test_mrr_counts_a_subscription_without_any_currency_in_the_customers() -> None:
    from connectors.stripe import mrr_facts

    sub = {"status": "active", "items": {"data": [{"quantity": 1, "price": {
        "unit_amount": 1500, "recurring": {"interval": "month", "interval_count": 1}}}]}}
    assert mrr_facts([sub], "EUR") == Money(15.0, "eur")
