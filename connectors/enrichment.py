"""Fetch every enrichment source concurrently under one time budget, with a short per-customer cache.

Each source's outcome becomes a `SourceResult`; a slow, failing or unconfigured source is marked
"unavailable: why" (or "not configured") and logged, never raised, so the handoff is never lost.

Choices worth knowing:
- `NotFound` from a source means the customer is not known there: that is status "ok" with facts
  `{"found": false}` (a fact for the agent), not an outage.
- Results are cached per (source, customer email) for `cache_ttl_seconds`; failures for the shorter
  `failure_ttl_seconds`, except a rate limit, cached until its Retry-After passes (capped at the TTL)
  so a burst does not hammer an API that already said "slow down".
- Concurrent `enrich()` calls for the same customer share one upstream fetch per source.
"""
from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from connectors.config import EnrichmentSettings
from connectors.errors import (
    AuthFailed,
    NotFound,
    RateLimited,
    UpstreamError,
)
from handoff.core.brief.account import AccountRules, derive_signals
from handoff.core.account_facts import FACT_TYPES, Facts, NoSuchCustomer, parse_facts
from handoff.core.models import AccountContext, Customer, SourceResult

log = logging.getLogger(__name__)

# Which secret to check when a source says "unauthorised" or is off.
CREDENTIAL_HINTS: dict[str, str] = {
    "stripe": "STRIPE_API_KEY",
    "hubspot": "HUBSPOT_ACCESS_TOKEN",
    "zendesk": "ZENDESK_EMAIL and ZENDESK_API_TOKEN",
}

# Grace past the budget before a source that ignores cancellation is abandoned.
_OUTER_GRACE_SECONDS = 0.05


@runtime_checkable
class Source(Protocol):
    """One enrichment source: `fetch` returns facts or raises a `connectors.errors` error."""

    name: str

    async def fetch(self, customer: Customer) -> Facts | dict[str, Any]:
        """Facts about the customer from this source: typed (the built-in connectors), or JSON (a custom source),
        which the Enricher reads once with parse_facts."""
        ...


class NotConfiguredSource:
    """Stands in for a source switched off for lack of credentials."""

    def __init__(self, name: str, hint: str | None = None) -> None:
        self.name = name
        self.reason = f"not configured (set {hint or CREDENTIAL_HINTS.get(name, 'its credentials')})"

    async def fetch(self, customer: Customer) -> dict[str, Any]:
        """Never called by the Enricher; raising keeps direct callers honest."""
        raise AuthFailed(self.name, self.reason)



def cache_key(customer: Customer) -> str | None:
    """Who the customer is for caching: email (case-folded), else external id, else None (no cache)."""
    if customer.email and customer.email.strip():
        return "email:" + customer.email.strip().lower()
    if customer.external_id:
        return "id:" + customer.external_id
    return None


def seconds(value: float) -> str:
    """Seconds for a reason line: one decimal ("2.0"), more only when needed ("0.05")."""
    return f"{value:.1f}" if round(value, 1) == value else f"{value:g}"


def failure_reason(source: str, exc: BaseException, timeout: float) -> str:
    """The briefing's "unavailable: why" for an error raised by a source."""
    if isinstance(exc, TimeoutError):
        return f"timed out after {seconds(timeout)} s"
    if isinstance(exc, RateLimited):
        return f"rate limited (retry after {exc.retry_after:g} s)" if exc.retry_after is not None else "rate limited"
    if isinstance(exc, AuthFailed):
        return f"unauthorised (check {CREDENTIAL_HINTS.get(source, 'its credentials')})"
    if isinstance(exc, UpstreamError):
        return exc.reason
    return f"failed unexpectedly ({type(exc).__name__})"


@dataclass(frozen=True)
class _Outcome:
    """A source's result plus what the cache needs to know about it."""

    result: SourceResult
    retry_after: float | None = None


class Enricher:
    """Runs all sources concurrently under one budget; caches and coalesces per customer."""

    def __init__(
        self,
        sources: Sequence[Source],
        *,
        budget_seconds: float = 2.0,
        source_timeouts: Mapping[str, float] | None = None,
        cache_ttl_seconds: float = 60.0,
        failure_ttl_seconds: float = 5.0,
        cache_max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        rules: AccountRules | None = None,
    ) -> None:
        names = [s.name for s in sources]
        if len(set(names)) != len(names):
            raise ValueError(f"enrichment source names must be unique: {names}")
        self._sources = tuple(sources)
        self._budget = budget_seconds
        self._timeouts = dict(source_timeouts or {})
        self._ttl = cache_ttl_seconds
        self._failure_ttl = failure_ttl_seconds
        self._max_entries = cache_max_entries
        self._clock = clock
        self._rules = rules or AccountRules()
        self._cache: OrderedDict[tuple[str, str], tuple[float, SourceResult]] = OrderedDict()
        self._inflight: dict[tuple[str, str], asyncio.Task[_Outcome]] = {}

    @classmethod
    def from_settings(cls, sources: Sequence[Source], settings: EnrichmentSettings, *,
                      rules: AccountRules | None = None,
                      clock: Callable[[], float] = time.monotonic) -> "Enricher":
        """Build from the `[enrichment]` settings."""
        return cls(sources, budget_seconds=settings.budget_seconds, source_timeouts=settings.source_timeouts,
                   cache_ttl_seconds=settings.cache_ttl_seconds, failure_ttl_seconds=settings.failure_ttl_seconds,
                   cache_max_entries=settings.cache_max_entries, clock=clock, rules=rules)

    def timeout_for(self, name: str) -> float:
        """The time one source gets: its own timeout, never more than the budget."""
        return min(self._timeouts.get(name, self._budget), self._budget)

    def clear_cache(self) -> None:
        """Forget every cached result (in-flight fetches still complete)."""
        self._cache.clear()

    def forget(self, customer: Customer) -> None:
        """Forget the cached results of one customer, so the next enrich() asks every source again."""
        key = cache_key(customer)
        for slot in [slot for slot in self._cache if slot[1] == key]:
            del self._cache[slot]

    async def enrich(self, customer: Customer) -> AccountContext:
        """Every source's result (never raises) and the account signals derived from them."""
        key = cache_key(customer)
        tasks = [asyncio.ensure_future(self._result(s, customer, key)) for s in self._sources]
        results: list[SourceResult] = []
        if tasks:
            try:
                await asyncio.wait(tasks, timeout=self._budget + _OUTER_GRACE_SECONDS)
            except asyncio.CancelledError:
                for task in tasks:
                    task.cancel()  # shared fetches are shielded and carry on for other callers
                raise
        for source, task in zip(self._sources, tasks):
            if task.done() and not task.cancelled() and task.exception() is None:
                results.append(task.result())
            else:
                task.cancel()
                reason = f"timed out after {seconds(self.timeout_for(source.name))} s"
                log.warning("enrichment source %s unavailable: %s", source.name, reason)
                results.append(SourceResult(source.name, "unavailable", reason=reason))
        return AccountContext(tuple(results), derive_signals(results, self._rules, email=customer.email))

    async def _result(self, source: Source, customer: Customer, key: str | None) -> SourceResult:
        if isinstance(source, NotConfiguredSource):
            return SourceResult(source.name, "not_configured", reason=source.reason)
        if key is None:
            return (await self._fetch(source, customer)).result
        slot = (source.name, key)
        cached = self._cache.get(slot)
        if cached is not None:
            if cached[0] > self._clock():
                return cached[1]
            del self._cache[slot]
        task = self._inflight.get(slot)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._fetch(source, customer))
            self._inflight[slot] = task
            task.add_done_callback(functools.partial(self._settle, slot))
        # Shielded: one caller giving up must not cancel the fetch the others are waiting for.
        return (await asyncio.shield(task)).result

    def _settle(self, slot: tuple[str, str], task: asyncio.Task[_Outcome]) -> None:
        if self._inflight.get(slot) is task:
            del self._inflight[slot]
        if task.cancelled() or task.exception() is not None:
            return
        outcome = task.result()
        ttl = self._ttl_for(outcome)
        if ttl <= 0 or self._max_entries <= 0:
            return
        self._cache[slot] = (self._clock() + ttl, outcome.result)
        self._cache.move_to_end(slot)
        while len(self._cache) > self._max_entries:
            self._cache.popitem(last=False)

    def _ttl_for(self, outcome: _Outcome) -> float:
        if outcome.result.status == "ok":
            return self._ttl
        if outcome.retry_after is not None:
            return min(max(outcome.retry_after, self._failure_ttl), self._ttl)
        return min(self._failure_ttl, self._ttl)

    async def _fetch(self, source: Source, customer: Customer) -> _Outcome:
        timeout = self.timeout_for(source.name)
        start = self._clock()

        def elapsed() -> float:
            return round((self._clock() - start) * 1000, 1)

        try:
            answer = await asyncio.wait_for(source.fetch(customer), timeout)
            # a source that answers JSON (custom sources, tests) is read once, here
            facts = parse_facts(source.name, answer) if isinstance(answer, dict) else answer
            if not isinstance(facts, FACT_TYPES):
                raise TypeError(f"{source.name} returned {type(facts).__name__}, not facts")
            return _Outcome(SourceResult(source.name, "ok", facts=facts, elapsed_ms=elapsed()))
        except NotFound:
            return _Outcome(SourceResult(source.name, "ok", facts=NoSuchCustomer(), elapsed_ms=elapsed()))
        except Exception as exc:  # noqa: BLE001 - a source's failure must never lose the handoff
            reason = failure_reason(source.name, exc, timeout)
            if isinstance(exc, (UpstreamError, TimeoutError)):
                log.warning("enrichment source %s unavailable: %s", source.name, reason)
            else:
                log.exception("enrichment source %s failed unexpectedly", source.name)
            retry_after = exc.retry_after if isinstance(exc, RateLimited) else None
            return _Outcome(SourceResult(source.name, "unavailable", reason=reason, elapsed_ms=elapsed()), retry_after)


def build_sources(*, env: Mapping[str, str], stripe: Any = None, hubspot: Any = None,
                  extra: Sequence[Source] = ()) -> list[Source]:
    """Stripe and HubSpot sources from settings and secrets (off when the secret is missing), then `extra`."""
    from connectors.hubspot import HubSpotConnector, HubSpotSettings
    from connectors.stripe import StripeConnector, StripeSettings

    stripe = stripe or StripeSettings()
    hubspot = hubspot or HubSpotSettings()
    sources: list[Source] = []
    if env.get("STRIPE_API_KEY"):
        sources.append(StripeConnector.from_settings(stripe, env["STRIPE_API_KEY"],
                                                     api_base=env.get("STRIPE_API_BASE")))
    else:
        sources.append(NotConfiguredSource("stripe"))
    if env.get("HUBSPOT_ACCESS_TOKEN"):
        sources.append(HubSpotConnector.from_settings(hubspot, env["HUBSPOT_ACCESS_TOKEN"],
                                                      host=env.get("HUBSPOT_URL")))
    else:
        sources.append(NotConfiguredSource("hubspot"))
    sources.extend(extra)
    return sources
