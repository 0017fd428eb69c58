"""Stripe enrichment: plan, MRR, delinquency, failed payments, disputes, refunds, card brand and last 4.

Uses the `stripe` library's async methods over httpx with no client retries (the enrichment budget is
ours). After the customer lookup, subscriptions, invoices and charges are fetched concurrently;
disputes follow the disputed charges as soon as the charges arrive. A failure after the customer was
found leaves the facts it could not get listed under `incomplete` instead of losing the rest.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from connectors.config import StripeSettings
from connectors.errors import (
    AuthFailed,
    NotFound,
    RateLimited,
    Rejected,
    Unavailable,
    UpstreamError,
    parse_retry_after,
)
from connectors.stripe_facts import (
    card_facts,
    dispute_facts,
    failed_payment_facts,
    mrr_facts,
    plan_facts,
    primary_subscription,
    refund_facts,
)
from handoff.core.account_facts import StripeFacts
from handoff.core.models import Customer

SOURCE = "stripe"

# A subscription's discounts are ids unless expanded, and an expanded discount's coupon is an id unless
# expanded too: the coupon is four levels down, Stripe's deepest expansion.
SUBSCRIPTION_EXPAND = ("data.discounts.source.coupon",)


def _error(exc: Exception) -> UpstreamError:
    """The project's error for a Stripe library error."""
    status = getattr(exc, "http_status", None)
    if isinstance(exc, (stripe.AuthenticationError, stripe.PermissionError)):
        return AuthFailed(SOURCE, "unauthorised (check STRIPE_API_KEY)")
    if isinstance(exc, stripe.RateLimitError):
        headers = getattr(exc, "headers", None) or {}
        value = next((v for k, v in dict(headers).items() if k.lower() == "retry-after"), None)
        return RateLimited(SOURCE, "rate limited", retry_after=parse_retry_after(value))
    if isinstance(exc, stripe.APIConnectionError):
        cause = exc.__cause__
        timed_out = cause is not None and "Timeout" in type(cause).__name__
        return Unavailable(SOURCE, "timed out" if timed_out else "connection failed")
    if isinstance(exc, stripe.APIError) and status is not None and status >= 500:
        return Unavailable(SOURCE, f"server error (HTTP {status})")
    if isinstance(exc, stripe.APIError):
        return Unavailable(SOURCE, "answered garbage")
    if isinstance(exc, stripe.InvalidRequestError) and status == 404:
        return NotFound(SOURCE, "not found")
    if isinstance(exc, stripe.StripeError):
        return Rejected(SOURCE, f"rejected the request (HTTP {status}: {exc.user_message or 'no message'})")
    return Unavailable(SOURCE, "answered garbage")


def _data(listing: Any) -> list[dict[str, Any]]:
    """A list object's items as plain dicts; anything else is garbage."""
    items = listing.to_dict(for_json=True).get("data") if isinstance(listing, stripe.StripeObject) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise Unavailable(SOURCE, "answered garbage")
    return items


class StripeConnector:
    """Enrichment source `stripe`: finds the customer by email and summarises billing."""

    name = SOURCE

    def __init__(self, api_key: str, *, api_base: str | None = None, timeout: float = 1.5,
                 window_days: int = 90, max_disputed_charges: int = 5,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._api_key = api_key
        self._api_base = api_base
        self._timeout = timeout
        self._window = timedelta(days=window_days)
        self._max_disputed = max_disputed_charges
        self._now = now
        # httpx's async pool belongs to one event loop, so each loop gets its own client.
        self._clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, stripe.StripeClient] = (
            weakref.WeakKeyDictionary())

    @classmethod
    def from_settings(cls, settings: StripeSettings, api_key: str, *, api_base: str | None = None) -> "StripeConnector":
        """Build from `[stripe]` settings; an explicit `api_base` (STRIPE_API_BASE) wins over the settings."""
        return cls(api_key, api_base=api_base or settings.api_base, timeout=settings.timeout_seconds,
                   window_days=settings.window_days, max_disputed_charges=settings.max_disputed_charges)

    def __repr__(self) -> str:
        return f"StripeConnector(api_base={self._api_base!r})"  # never the key

    def _client(self) -> stripe.StripeClient:
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None:
            client = stripe.StripeClient(
                self._api_key,
                base_addresses={"api": self._api_base} if self._api_base else None,
                http_client=stripe.HTTPXClient(timeout=self._timeout),
                max_network_retries=0,
            )
            self._clients[loop] = client
        return client

    async def aclose(self) -> None:
        """Close the HTTP pool of the running loop's client."""
        client = self._clients.pop(asyncio.get_running_loop(), None)
        http = client._requestor._client if client is not None else None  # noqa: SLF001 - the library exposes no close
        if http is not None:
            await http.close_async()

    async def _call(self, request: Awaitable[Any]) -> Any:
        try:
            return await request
        except stripe.StripeError as exc:
            raise _error(exc) from exc

    async def _find_customer(self, client: stripe.StripeClient, email: str) -> dict[str, Any]:
        expand = ["data.invoice_settings.default_payment_method", "data.default_source"]
        # customers.list(email=) is case-sensitive: try as given, then lower-cased.
        for candidate in dict.fromkeys([email, email.lower()]):
            found = _data(await self._call(client.v1.customers.list_async(
                {"email": candidate, "limit": 3, "expand": expand})))
            live = [c for c in found if not c.get("deleted")]
            if live:
                return live[0]
        raise NotFound(SOURCE, "no customer with this email")

    async def fetch(self, customer: Customer) -> StripeFacts:
        """Billing facts for the customer's email (raises NotFound when Stripe has no such customer)."""
        if not customer.email:
            raise Rejected(SOURCE, "no customer email to look up")
        client = self._client()
        try:
            cust = await self._find_customer(client, customer.email.strip())
            since = int((self._now() - self._window).timestamp())
            return await self._facts(client, cust, since)
        except UpstreamError:
            raise
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise Unavailable(SOURCE, "answered garbage") from exc

    async def _facts(self, client: stripe.StripeClient, cust: dict[str, Any], since: int) -> StripeFacts:
        cid = cust["id"]
        incomplete: dict[str, str] = {}

        async def step(what: str, work: Awaitable[Any], empty: Any) -> Any:
            try:
                return await work
            except UpstreamError as exc:
                incomplete[what] = exc.reason
                return empty

        async def charges_then_disputes() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
            charges = _data(await self._call(client.v1.charges.list_async(
                {"customer": cid, "limit": 100, "expand": ["data.refunds"]})))
            disputed = [c["id"] for c in charges if c.get("disputed")][: self._max_disputed]
            pages = await asyncio.gather(*(step("disputes", self._list_disputes(client, ch), []) for ch in disputed))
            return charges, [d for page in pages for d in page]

        # Subscription items embed their full price, so only the discounts and their coupons need expanding.
        subs, invoices, (charges, disputes) = await asyncio.gather(
            step("subscriptions", self._list(client.v1.subscriptions.list_async(
                {"customer": cid, "status": "all", "limit": 20,
                 "expand": list(SUBSCRIPTION_EXPAND)})), []),
            step("invoices", self._list(client.v1.invoices.list_async(
                {"customer": cid, "limit": 100, "created": {"gte": since}})), []),
            step("charges", charges_then_disputes(), ([], [])),
        )
        primary = primary_subscription(subs)
        return StripeFacts(
            customer_id=cid,
            email=cust.get("email"),
            name=cust.get("name"),
            delinquent=bool(cust.get("delinquent")),
            currency=cust.get("currency"),
            plan=plan_facts(primary) if primary else None,
            subscriptions=len(subs),
            mrr=mrr_facts(subs, cust.get("currency")),
            failed_payments_90d=failed_payment_facts(invoices, charges, since),
            open_disputes=dispute_facts(disputes),
            recent_refunds=refund_facts(charges, since),
            card=card_facts(cust, charges),
            incomplete=incomplete,
        )

    async def _list(self, request: Awaitable[Any]) -> list[dict[str, Any]]:
        return _data(await self._call(request))

    async def _list_disputes(self, client: stripe.StripeClient, charge_id: str) -> list[dict[str, Any]]:
        return await self._list(client.v1.disputes.list_async({"charge": charge_id, "limit": 10}))
