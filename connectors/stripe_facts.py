"""Stripe objects (as the API returns them, expanded) turned into typed billing facts: plan, MRR, failed
payments, refunds, disputes and the card's brand and last 4. Pure: no calls, no clock."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from handoff.core.account_facts import (
    ZERO_DECIMAL,
    Card,
    Dispute,
    FailedCharge,
    FailedInvoice,
    FailedPayments,
    Money,
    Refund,
    StripePlan,
)

# Statuses awaiting our evidence or the issuer's review (API 2026-10-28, stripe 16.x); the closed ones are
# won, lost, prevented, warning_closed (and charge_refunded in older API versions).
OPEN_DISPUTE = frozenset({"warning_needs_response", "warning_under_review", "needs_response", "under_review",
                          "appeal_needs_response", "appeal_under_review"})
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


def primary_subscription(subs: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The subscription that stands for the customer's plan: the first in PLAN_PREFERENCE's order of status."""
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
