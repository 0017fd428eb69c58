"""The concurrent enrichment runner with fake sources (pure asyncio), plus one run against the fake vendors."""
from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from connectors.enrichment import (
    Enricher,
    EnrichmentSettings,
    NotConfiguredSource,
    build_sources,
    cache_key,
)
from connectors.errors import AuthFailed, NotFound, RateLimited, Rejected, Unavailable, parse_retry_after
from connectors.hubspot import HubSpotConnector
from connectors.stripe import StripeConnector
from handoff.core.account_facts import Money
from handoff.core.models import Customer
from handoff.devtools.fakes.hubspot import TOKEN, FakeHubSpot
from handoff.devtools.fakes.stripe import API_KEY, FakeStripe

ANA = Customer(email="ana@example.com", name="Ana")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class FakeSource:
    """A source that answers `facts`, raises `error`, or waits on `gate` first; counts its calls."""

    def __init__(self, name: str, facts: Any = None, *, error: BaseException | None = None,
                 gate: asyncio.Event | None = None) -> None:
        self.name = name
        self.facts = {"answer": name} if facts is None else facts
        self.error = error
        self.gate = gate
        self.calls = 0

    async def fetch(self, customer: Customer) -> Any:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.facts


class Hangs(FakeSource):
    """A source that never answers."""

    async def fetch(self, customer: Customer) -> Any:
        self.calls += 1
        await asyncio.Event().wait()


async def test_sources_run_concurrently() -> None:
    # Each source finishes only once all three have started: run one after another, none would.
    started: list[str] = []
    all_started = asyncio.Event()

    class Barrier(FakeSource):
        async def fetch(self, customer: Customer) -> Any:
            started.append(self.name)
            if len(started) == 3:
                all_started.set()
            await all_started.wait()
            return {"ok": self.name}

    enricher = Enricher([Barrier("stripe"), Barrier("hubspot"), Barrier("zendesk")], budget_seconds=2.0)
    ctx = await enricher.enrich(ANA)
    assert [s.status for s in ctx.sources] == ["ok", "ok", "ok"]
    assert [s.source for s in ctx.sources] == ["stripe", "hubspot", "zendesk"]


async def test_slow_source_times_out_alone_with_reason(caplog: pytest.LogCaptureFixture) -> None:
    fast = FakeSource("stripe")
    enricher = Enricher([fast, Hangs("hubspot")], budget_seconds=2.0, source_timeouts={"hubspot": 0.05})
    with caplog.at_level(logging.WARNING, logger="connectors.enrichment"):
        ctx = await enricher.enrich(ANA)
    assert ctx.source("stripe").status == "ok"
    slow = ctx.source("hubspot")
    assert (slow.status, slow.reason) == ("unavailable", "timed out after 0.05 s")
    assert slow.as_dict() == {"status": "unavailable", "reason": "timed out after 0.05 s"}
    assert "enrichment source hubspot unavailable: timed out after 0.05 s" in caplog.text


async def test_budget_caps_every_source_timeout() -> None:
    enricher = Enricher([Hangs("stripe"), Hangs("hubspot")], budget_seconds=0.1, source_timeouts={"stripe": 30})
    assert enricher.timeout_for("stripe") == 0.1
    loop = asyncio.get_running_loop()
    started = loop.time()
    ctx = await enricher.enrich(ANA)
    # Generous structural bound: both gave up at the budget, not at the 30 s source timeout.
    assert loop.time() - started < 2.0
    assert {s.reason for s in ctx.sources} == {"timed out after 0.1 s"}


@pytest.mark.parametrize(
    ("error", "status", "reason", "facts"),
    [
        (RateLimited("stripe", "rate limited", retry_after=30), "unavailable", "rate limited (retry after 30 s)", None),
        (RateLimited("stripe", "rate limited"), "unavailable", "rate limited", None),
        (AuthFailed("stripe", "401"), "unavailable", "unauthorised (check STRIPE_API_KEY)", None),
        (Unavailable("stripe", "answered garbage"), "unavailable", "answered garbage", None),
        (Unavailable("stripe", "server error (HTTP 500)"), "unavailable", "server error (HTTP 500)", None),
        (Rejected("stripe", "no customer email to look up"), "unavailable", "no customer email to look up", None),
        (ValueError("boom"), "unavailable", "failed unexpectedly (ValueError)", None),
        (NotFound("stripe", "no customer"), "ok", None, {"found": False}),
    ],
)
async def test_errors_become_results(error: BaseException, status: str, reason: str | None,
                                     facts: dict[str, Any] | None) -> None:
    enricher = Enricher([FakeSource("stripe", error=error), FakeSource("hubspot")])
    ctx = await enricher.enrich(ANA)
    result = ctx.source("stripe")
    assert (result.status, result.reason) == (status, reason)
    if facts is not None:
        assert result.facts.to_json() == facts
    assert ctx.source("hubspot").status == "ok"  # one source's failure never touches another
    assert result.elapsed_ms is not None


async def test_non_dict_answer_is_a_failure_not_a_crash() -> None:
    ctx = await Enricher([FakeSource("stripe", facts=["not", "a", "dict"])]).enrich(ANA)
    assert ctx.source("stripe").reason == "failed unexpectedly (TypeError)"


async def test_not_configured_source_is_marked_and_never_fetched() -> None:
    ctx = await Enricher([NotConfiguredSource("stripe"), NotConfiguredSource("zendesk")]).enrich(ANA)
    assert ctx.source("stripe").as_dict() == {"status": "not_configured",
                                              "reason": "not configured (set STRIPE_API_KEY)"}
    assert ctx.source("zendesk").reason == "not configured (set ZENDESK_EMAIL and ZENDESK_API_TOKEN)"
    assert ctx.signals.tier is None


async def test_cache_serves_within_ttl_and_refetches_after() -> None:
    clock, source = Clock(), FakeSource("stripe")
    enricher = Enricher([source], cache_ttl_seconds=60, clock=clock)
    await enricher.enrich(ANA)
    clock.now += 59
    await enricher.enrich(Customer(email="  ANA@example.com "))  # same customer, differently typed
    assert source.calls == 1
    clock.now += 2
    await enricher.enrich(ANA)
    assert source.calls == 2


async def test_forget_drops_one_customers_cache_only() -> None:
    clock, source = Clock(), FakeSource("stripe")
    enricher = Enricher([source], cache_ttl_seconds=60, clock=clock)
    await enricher.enrich(ANA)
    await enricher.enrich(Customer(email="bo@example.com"))
    enricher.forget(Customer(email="ANA@example.com"))
    await enricher.enrich(ANA)  # asked again
    await enricher.enrich(Customer(email="bo@example.com"))  # still cached
    assert source.calls == 3


async def test_failures_are_cached_shorter_than_answers() -> None:
    clock = Clock()
    good, bad = FakeSource("stripe"), FakeSource("hubspot", error=Unavailable("hubspot", "server error (HTTP 500)"))
    enricher = Enricher([good, bad], cache_ttl_seconds=60, failure_ttl_seconds=5, clock=clock)
    await enricher.enrich(ANA)
    clock.now += 4
    await enricher.enrich(ANA)
    assert (good.calls, bad.calls) == (1, 1)
    clock.now += 2
    await enricher.enrich(ANA)
    assert (good.calls, bad.calls) == (1, 2)


async def test_rate_limit_is_cached_until_retry_after() -> None:
    clock = Clock()
    limited = FakeSource("stripe", error=RateLimited("stripe", "rate limited", retry_after=30))
    enricher = Enricher([limited], cache_ttl_seconds=60, failure_ttl_seconds=5, clock=clock)
    await enricher.enrich(ANA)
    clock.now += 29
    ctx = await enricher.enrich(ANA)
    assert limited.calls == 1 and ctx.source("stripe").reason == "rate limited (retry after 30 s)"
    clock.now += 2
    await enricher.enrich(ANA)
    assert limited.calls == 2


async def test_customer_without_email_or_id_is_not_cached() -> None:
    source = FakeSource("stripe")
    enricher = Enricher([source])
    await enricher.enrich(Customer(name="anonymous"))
    await enricher.enrich(Customer(name="anonymous"))
    assert source.calls == 2


async def test_burst_of_concurrent_requests_makes_one_call_per_source() -> None:
    gate = asyncio.Event()
    stripe, hubspot = FakeSource("stripe", gate=gate), FakeSource("hubspot", gate=gate)
    enricher = Enricher([stripe, hubspot])
    burst = [asyncio.ensure_future(enricher.enrich(ANA)) for _ in range(10)]
    await asyncio.sleep(0)  # let every request reach the in-flight fetch
    gate.set()
    results = await asyncio.gather(*burst)
    assert (stripe.calls, hubspot.calls) == (1, 1)
    assert all(r.source("stripe").facts == results[0].source("stripe").facts for r in results)
    assert results[0].source("stripe").facts.to_json()["found"] is True


async def test_one_caller_giving_up_does_not_cancel_the_shared_fetch() -> None:
    gate = asyncio.Event()
    source = FakeSource("stripe", gate=gate)
    enricher = Enricher([source])
    first = asyncio.ensure_future(enricher.enrich(ANA))
    second = asyncio.ensure_future(enricher.enrich(ANA))
    await asyncio.sleep(0)
    first.cancel()
    gate.set()
    ctx = await second
    assert ctx.source("stripe").status == "ok" and source.calls == 1


async def test_signals_are_derived_from_the_results() -> None:
    hubspot = FakeSource("hubspot", {"found": True, "owner": {"name": "Sam Owner", "email": "sam@example.com"},
                                     "company": {"tier": "Enterprise"}, "health": {"health_score": "20"}})
    ctx = await Enricher([FakeSource("stripe", error=NotFound("stripe", "x")), hubspot]).enrich(ANA)
    assert ctx.signals.tier == "enterprise"
    assert ctx.signals.churn_risk is True
    assert (ctx.signals.owner_name, ctx.signals.owner_email) == ("Sam Owner", "sam@example.com")


def test_duplicate_source_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        Enricher([FakeSource("stripe"), FakeSource("stripe")])


@pytest.mark.parametrize(
    ("customer", "key"),
    [(Customer(email=" Ana@Example.com"), "email:ana@example.com"), (Customer(external_id="u-1"), "id:u-1"),
     (Customer(name="x"), None)],
)
def test_cache_key(customer: Customer, key: str | None) -> None:
    assert cache_key(customer) == key


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("30", 30.0), ("1.5", 1.5), (None, None), ("soon", None), ("-4", 0.0),
     ("Mon, 02 Mar 2026 10:01:00 GMT", 60.0)],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, now=datetime(2026, 3, 2, 10, 0, tzinfo=UTC)) == seconds


def test_settings_build_an_enricher() -> None:
    settings = EnrichmentSettings(budget_seconds=1.5, source_timeouts={"stripe": 0.5})
    enricher = Enricher.from_settings([FakeSource("stripe"), FakeSource("hubspot")], settings)
    assert (enricher.timeout_for("stripe"), enricher.timeout_for("hubspot")) == (0.5, 1.5)
    with pytest.raises(ValueError):
        EnrichmentSettings(budget_seconds=2, unknown_key=1)


def test_build_sources_switches_off_what_has_no_secret() -> None:
    sources = build_sources(env={"STRIPE_API_KEY": "sk_test_x", "STRIPE_API_BASE": "http://127.0.0.1:9"})
    assert [type(s).__name__ for s in sources] == ["StripeConnector", "NotConfiguredSource"]
    assert "sk_test_x" not in repr(sources[0])


async def test_real_connectors_against_fakes_one_down(fake_stripe: FakeStripe, fake_hubspot: FakeHubSpot) -> None:
    customer = fake_stripe.add_customer("ana@example.com")
    fake_stripe.add_subscription(customer["id"], unit_amount=250_000, lookup_key="scale_monthly")
    fake_hubspot.fail_endpoint("/crm/v3/objects/contacts/search", status=503)
    stripe = StripeConnector(API_KEY, api_base=fake_stripe.url, timeout=1.0)
    enricher = Enricher([stripe, HubSpotConnector(TOKEN, host=fake_hubspot.url, timeout=1.0),
                         NotConfiguredSource("zendesk")])
    ctx = await enricher.enrich(ANA)
    await stripe.aclose()
    assert ctx.source("stripe").facts.mrr == Money(2500.0, "usd")
    assert ctx.source("hubspot").as_dict() == {"status": "unavailable", "reason": "server error (HTTP 503)"}
    assert ctx.source("zendesk").status == "not_configured"
    assert ctx.signals.tier == "enterprise"  # MRR ≥ 2000 by the default rules
