"""Stripe enrichment: plan, MRR, delinquency, failed payments, disputes, refunds, card brand and last 4.

Uses the `stripe` library's async methods over httpx with no client retries (the enrichment budget is
ours). After the customer lookup, subscriptions, invoices and charges are fetched concurrently;
disputes follow the disputed charges as soon as the charges arrive. A failure after the customer was
found leaves the facts it could not get listed under `incomplete` instead of losing the rest.
"""
from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable, Mapping, Sequence
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
from handoff.core.account_facts import (
    Card,
    Dispute,
    FailedCharge,
    FailedInvoice,
    FailedPayments,
    Money,
    Refund,
    StripeFacts,
    StripePlan,
    ZERO_DECIMAL,
)
from handoff.core.models import Customer

SOURCE = "stripe"

# Statuses awaiting our evidence or the issuer's review (API 2026-10-28, stripe 16.x); the closed ones are
# won, lost, prevented, warning_closed (and charge_refunded in older API versions).
OPEN_DISPUTE = frozenset({"warning_needs_response", "warning_under_review", "needs_response", "under_review",
                          "appeal_needs_response", "appeal_under_review"})
# A subscription's discounts are ids unless expanded, and an expanded discount's coupon is an id unless
# expanded too: the coupon is four levels down, Stripe's deepest expansion.
SUBSCRIPTION_EXPAND = ("data.discounts.source.coupon",)
# Months per one interval unit; Stripe intervals are day, week, month, year (times interval_count).
MONTHS_PER = {"day": 12 / 365, "week": 12 / 52, "month": 1.0, "year": 12.0}
# Statuses that carry revenue (Stripe's own MRR counts active and past_due, not trials).
REVENUE_STATUSES = ("active", "past_due")
PLAN_PREFERENCE = ("active", "past_due", "trialing", "unpaid", "incomplete", "paused")



def major(amount: Any, currency: str | None) -> float | None:
    """Minor units (cents) to major units, aware of zero-decimal currencies."""
    if amount is None or isinstance(amount, bool):
        return None
    value = float(amount)
    return value if (currency or "").lower() in ZERO_DECIMAL else round(value / 100, 2)


def _iso(ts: Any) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat() if isinstance(ts, (int, float)) and ts else None


def item_monthly_minor(item: Mapping[str, Any]) -> float | None:
    """One subscription item's monthly amount in minor units; None when it is not a fixed price."""
    price = item.get("price") or {}
    recurring = price.get("recurring") or {}
    if not isinstance(price, Mapping) or recurring.get("usage_type") == "metered":
        return None
    unit = price.get("unit_amount")
    if unit is None and price.get("unit_amount_decimal") is not None:
        unit = float(price["unit_amount_decimal"])
    months = MONTHS_PER.get(recurring.get("interval") or "") if recurring else None
    if unit is None or months is None:
        return None
    months *= recurring.get("interval_count") or 1
    return float(unit) * (item.get("quantity") or 1) / months


def _coupons(sub: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = []
    for d in [*(sub.get("discounts") or []), sub.get("discount")]:
        if not isinstance(d, Mapping):
            continue  # an unexpanded discount id: nothing to compute with
        coupon = d.get("coupon") or (d.get("source") or {}).get("coupon")
        if isinstance(coupon, Mapping):
            found.append(coupon)
    return found


def subscription_monthly_minor(sub: Mapping[str, Any]) -> float:
    """A subscription's monthly amount in minor units after percentage and fixed discounts."""
    items = (sub.get("items") or {}).get("data") or []
    total = sum(v for v in (item_monthly_minor(i) for i in items) if v is not None)
    months = 1.0
    if items:
        rec = (items[0].get("price") or {}).get("recurring") or {}
        months = MONTHS_PER.get(rec.get("interval") or "month", 1.0) * (rec.get("interval_count") or 1)
    for coupon in _coupons(sub):
        if coupon.get("percent_off"):
            total *= 1 - float(coupon["percent_off"]) / 100
        elif coupon.get("amount_off"):
            total -= float(coupon["amount_off"]) / months  # amount_off applies once per invoice
    return max(total, 0.0)


def _primary_subscription(subs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    for status in PLAN_PREFERENCE:
        for sub in subs:
            if sub.get("status") == status:
                return sub
    return subs[0] if subs else None


def plan_facts(sub: Mapping[str, Any]) -> StripePlan:
    """The plan of a subscription from its biggest item's expanded price."""
    items = (sub.get("items") or {}).get("data") or []
    item: Mapping[str, Any] = max(items, key=lambda i: item_monthly_minor(i) or 0.0, default={})
    price = item.get("price") or {}
    recurring = price.get("recurring") or {}
    product = price.get("product")
    return StripePlan(
        subscription_id=sub.get("id"),
        product=product.get("id") if isinstance(product, Mapping) else product,
        product_name=product.get("name") if isinstance(product, Mapping) else None,
        price_id=price.get("id"),
        nickname=price.get("nickname"),
        lookup_key=price.get("lookup_key"),
        interval=recurring.get("interval"),
        interval_count=recurring.get("interval_count"),
        status=sub.get("status"),
        cancel_at_period_end=bool(sub.get("cancel_at_period_end")),
        cancel_at=_iso(sub.get("cancel_at")),
        quantity=item.get("quantity"),
    )


def subscription_currency(sub: Mapping[str, Any]) -> str | None:
    """A subscription's currency, else its items' prices' (older API versions have none on the subscription)."""
    if sub.get("currency"):
        return str(sub["currency"]).lower()
    for item in (sub.get("items") or {}).get("data") or []:
        price = item.get("price")
        if isinstance(price, Mapping) and price.get("currency"):
            return str(price["currency"]).lower()
    return None


def mrr_facts(subs: Sequence[Mapping[str, Any]], default_currency: str | None = None) -> Money:
    """MRR in major units over revenue-carrying subscriptions, normalised to a month.

    The currency is the first paying subscription's, else any subscription's, else `default_currency`
    (the customer's), so a zero MRR still says in what.
    """
    paying = [s for s in subs if s.get("status") in REVENUE_STATUSES]
    currency = next((c for c in map(subscription_currency, [*paying, *subs]) if c), None)
    currency = currency or (default_currency.lower() if default_currency else None)
    minor_total = sum(subscription_monthly_minor(s) for s in paying
                      if (subscription_currency(s) or currency) == currency)
    return Money(major(round(minor_total, 2), currency) or 0.0, currency)


def _invoice_failed_attempts(inv: Mapping[str, Any]) -> int:
    attempts = int(inv.get("attempt_count") or 0)
    return max(attempts - 1, 0) if inv.get("status") == "paid" else attempts


def _is_problem_invoice(inv: Mapping[str, Any]) -> bool:
    status = inv.get("status")
    return (int(inv.get("attempt_count") or 0) > 1 or status == "uncollectible"
            or (status == "open" and bool(inv.get("attempted"))))


def failed_payment_facts(invoices: Sequence[Mapping[str, Any]], charges: Sequence[Mapping[str, Any]],
                         since: int) -> FailedPayments:
    """Invoices with failed or repeated attempts and failed charges since `since` (a Unix time).

    `count` estimates failed attempts: failed charges, or the invoices' failed attempts when more.
    """
    bad_invoices = [i for i in invoices if (i.get("created") or 0) >= since and _is_problem_invoice(i)]
    failed = [c for c in charges if (c.get("created") or 0) >= since and c.get("status") == "failed"]
    count = max(len(failed), sum(_invoice_failed_attempts(i) for i in bad_invoices))
    return FailedPayments(
        count=count,
        invoices=tuple(FailedInvoice(
            invoice=i.get("id"), number=i.get("number"), date=_iso(i.get("created")),
            amount_due=major(i.get("amount_due"), i.get("currency")),
            amount_remaining=major(i.get("amount_remaining"), i.get("currency")),
            currency=i.get("currency"), status=i.get("status"), attempt_count=i.get("attempt_count"),
            next_payment_attempt=_iso(i.get("next_payment_attempt")),
        ) for i in bad_invoices),
        charges=tuple(FailedCharge(
            charge=c.get("id"), date=_iso(c.get("created")),
            amount=major(c.get("amount"), c.get("currency")), currency=c.get("currency"),
            failure_code=c.get("failure_code"), failure_message=c.get("failure_message"),
            outcome_reason=(c.get("outcome") or {}).get("reason"),
        ) for c in failed),
    )


def refund_facts(charges: Sequence[Mapping[str, Any]], since: int) -> tuple[Refund, ...]:
    """Refunds created since `since`, read from the charges' expanded refund lists."""
    out = []
    for charge in charges:
        for r in (charge.get("refunds") or {}).get("data") or []:
            if (r.get("created") or 0) >= since:
                out.append(Refund(id=r.get("id"), charge=charge.get("id"), date=_iso(r.get("created")),
                                  amount=major(r.get("amount"), r.get("currency")), currency=r.get("currency"),
                                  reason=r.get("reason"), status=r.get("status")))
    return tuple(out)


def dispute_facts(disputes: Sequence[Mapping[str, Any]]) -> tuple[Dispute, ...]:
    """Disputes still open (needing a response or under review)."""
    return tuple(Dispute(id=d.get("id"), charge=d.get("charge"), amount=major(d.get("amount"), d.get("currency")),
                         currency=d.get("currency"), reason=d.get("reason"), status=d.get("status"),
                         date=_iso(d.get("created")),
                         evidence_due_by=_iso((d.get("evidence_details") or {}).get("due_by")))
                 for d in disputes if d.get("status") in OPEN_DISPUTE)


def card_facts(customer: Mapping[str, Any], charges: Sequence[Mapping[str, Any]]) -> Card | None:
    """Brand and last 4 of the default card, else of the latest card charge; nothing else of the card."""
    candidates: list[Any] = []
    pm = (customer.get("invoice_settings") or {}).get("default_payment_method")
    if isinstance(pm, Mapping):
        candidates.append(pm.get("card"))
    src = customer.get("default_source")
    if isinstance(src, Mapping):
        candidates.append(src.get("card") if src.get("object") == "source" else src)
    candidates += [(c.get("payment_method_details") or {}).get("card") for c in charges]
    for card in candidates:
        if isinstance(card, Mapping) and card.get("last4"):
            return Card(card.get("brand"), str(card.get("last4"))[-4:])
    return None


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
        primary = _primary_subscription(subs)
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
