"""The typed account facts: one dataclass per source and the records they hold (money in major units)."""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypeAlias

# Stripe's zero-decimal currencies: their amounts are whole units, not cents
ZERO_DECIMAL = frozenset({"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd",
                          "vuv", "xaf", "xof", "xpf"})


@dataclass(frozen=True)
class StripePlan:
    """The customer's main subscription and its biggest item's price."""

    subscription_id: str | None = None
    product: str | None = None
    product_name: str | None = None
    price_id: str | None = None
    nickname: str | None = None
    lookup_key: str | None = None
    interval: str | None = None
    interval_count: int | None = None
    status: str | None = None
    cancel_at_period_end: bool = False
    cancel_at: str | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class Money:
    """An amount in major units and its currency (lower case, None when unknown)."""

    amount: float
    currency: str | None = None


@dataclass(frozen=True)
class FailedInvoice:
    """An invoice with failed or repeated payment attempts."""

    invoice: str | None = None
    number: str | None = None
    date: str | None = None
    amount_due: float | None = None
    amount_remaining: float | None = None
    currency: str | None = None
    status: str | None = None
    attempt_count: int | None = None
    next_payment_attempt: str | None = None


@dataclass(frozen=True)
class FailedCharge:
    """A charge that failed."""

    charge: str | None = None
    date: str | None = None
    amount: float | None = None
    currency: str | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    outcome_reason: str | None = None


@dataclass(frozen=True)
class FailedPayments:
    """Failed payments in the last 90 days: `count` estimates the failed attempts."""

    count: int = 0
    invoices: tuple[FailedInvoice, ...] = ()
    charges: tuple[FailedCharge, ...] = ()


@dataclass(frozen=True)
class Dispute:
    """A dispute still open (needing a response or under review)."""

    id: str | None = None
    charge: str | None = None
    amount: float | None = None
    currency: str | None = None
    reason: str | None = None
    status: str | None = None
    date: str | None = None
    evidence_due_by: str | None = None


@dataclass(frozen=True)
class Refund:
    """A recent refund."""

    id: str | None = None
    charge: str | None = None
    date: str | None = None
    amount: float | None = None
    currency: str | None = None
    reason: str | None = None
    status: str | None = None


@dataclass(frozen=True)
class Card:
    """Brand and last four digits of the customer's card: nothing else of it is ever kept."""

    brand: str | None
    last4: str


@dataclass(frozen=True)
class StripeFacts:
    """Billing facts from Stripe."""

    customer_id: str | None = None
    email: str | None = None
    name: str | None = None
    delinquent: bool = False
    currency: str | None = None
    plan: StripePlan | None = None
    subscriptions: int = 0
    mrr: Money | None = None
    failed_payments_90d: FailedPayments = FailedPayments()
    open_disputes: tuple[Dispute, ...] = ()
    recent_refunds: tuple[Refund, ...] = ()
    card: Card | None = None
    incomplete: Mapping[str, str] = field(default_factory=dict)  # what could not be read, and why

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the briefing."""
        return _json(self)


@dataclass(frozen=True)
class CrmOwner:
    """The account owner in the CRM."""

    id: str | None = None
    name: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Company:
    """The customer's company in the CRM."""

    id: str | None = None
    name: str | None = None
    domain: str | None = None
    annual_revenue: float | None = None
    tier: str | None = None


@dataclass(frozen=True)
class Deal:
    """An open deal."""

    id: str | None = None
    name: str | None = None
    amount: float | None = None
    stage: str | None = None
    close_date: str | None = None
    pipeline: str | None = None


Scalar: TypeAlias = str | int | float | bool | None


@dataclass(frozen=True)
class HubSpotFacts:
    """CRM facts from HubSpot; `health` and `churn` hold the configured properties' values as HubSpot has them."""

    contact_id: str | None = None
    email: str | None = None
    name: str | None = None
    lifecycle_stage: str | None = None
    lead_status: str | None = None
    owner: CrmOwner | None = None
    company: Company | None = None
    open_deals: tuple[Deal, ...] = ()
    open_deals_amount: float = 0.0
    health: Mapping[str, Scalar] = field(default_factory=dict)
    churn: Mapping[str, Scalar] = field(default_factory=dict)
    incomplete: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the briefing."""
        return _json(self)


@dataclass(frozen=True)
class PriorTicket:
    """One of the customer's earlier Zendesk tickets."""

    id: int | None = None
    subject: str | None = None
    status: str | None = None
    priority: str | None = None
    created_at: str | None = None
    tags: tuple[str, ...] = ()
    handoff: bool = False  # an earlier handoff's ticket


@dataclass(frozen=True)
class ZendeskHistory:
    """The customer's support history in Zendesk."""

    open_tickets: tuple[PriorTicket, ...] = ()
    recent_tickets: tuple[PriorTicket, ...] = ()
    tickets_last_90_days: int | None = None
    tickets_last_60_days: int | None = None
    prior_handoffs: int = 0

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the briefing."""
        return _json(self)


@dataclass(frozen=True)
class NoSuchCustomer:
    """The source answered and does not know the customer."""

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the briefing."""
        return {"found": False}


@dataclass(frozen=True)
class OtherFacts:
    """Facts of a source this module has no model for, kept as given."""

    data: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        """The JSON form kept in the briefing."""
        return dict(self.data)


Facts: TypeAlias = StripeFacts | HubSpotFacts | ZendeskHistory | NoSuchCustomer | OtherFacts
FACT_TYPES = (StripeFacts, HubSpotFacts, ZendeskHistory, NoSuchCustomer, OtherFacts)


def _lists(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def _json(facts: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"found": True, **_lists(dataclasses.asdict(facts))}
    if not out.get("incomplete"):
        out.pop("incomplete", None)
    return out
