"""What the enrichment sources know about a customer, as typed facts: Stripe billing, HubSpot CRM, Zendesk history.

The connectors build these; the briefing, the account signals and the recommended action read their
fields and never a vendor's dict. Facts that arrive as JSON (a stored briefing, a test, a file given to
`simulate`) are read once, here, by `parse_facts`, which is the only place that is lenient about shape:
a missing or ill-typed field becomes "not known", never an error. `to_json` gives back the shape
`briefing.account.<source>.facts` has always had.

Money is in major units ($49.00 is 49.0). A JSON amount that is an integer is read as Stripe's minor
units (cents), as a raw Stripe object carries it; a float is already major.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
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


# ---- reading JSON (the one lenient place) ---------------------------------------------------------------------

def _str(value: Any) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    return str(value) if isinstance(value, str | int | float) else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def number(value: Any) -> float | None:
    """A number from JSON or a CRM property ("1,200.50" included); None when it is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().replace(",", ""))
        except ValueError:
            return None
    return None


def _currency(value: Any) -> str | None:
    return value.strip().lower() or None if isinstance(value, str) else None


def _stripe_amount(value: Any, currency: str | None) -> float | None:
    """An amount as major units: an integer is Stripe's minor units, a float already major."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    if isinstance(value, int):
        return float(value) if (currency or "usd") in ZERO_DECIMAL else value / 100
    return number(value)


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _dicts(value: Any) -> Sequence[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list | tuple) else []


def _scalars(value: Any) -> dict[str, Scalar]:
    return {str(k): v for k, v in _dict(value).items() if v is None or isinstance(v, str | int | float | bool)}


def _reasons(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in _dict(value).items()}


def _plan(d: Mapping[str, Any]) -> StripePlan | None:
    if not d:
        return None
    return StripePlan(
        subscription_id=_str(d.get("subscription_id")), product=_str(d.get("product")),
        product_name=_str(d.get("product_name")), price_id=_str(d.get("price_id")), nickname=_str(d.get("nickname")),
        lookup_key=_str(d.get("lookup_key")), interval=_str(d.get("interval")),
        interval_count=_int(d.get("interval_count")), status=_str(d.get("status")),
        cancel_at_period_end=d.get("cancel_at_period_end") is True, cancel_at=_str(d.get("cancel_at")),
        quantity=_int(d.get("quantity")))


def _failed(value: Any) -> FailedPayments:
    if not isinstance(value, Mapping):
        return FailedPayments(count=max(_int(value) or 0, 0))
    invoices = tuple(
        FailedInvoice(invoice=_str(i.get("invoice")), number=_str(i.get("number")), date=_str(i.get("date")),
                      amount_due=number(i.get("amount_due")), amount_remaining=number(i.get("amount_remaining")),
                      currency=_currency(i.get("currency")), status=_str(i.get("status")),
                      attempt_count=_int(i.get("attempt_count")),
                      next_payment_attempt=_str(i.get("next_payment_attempt")))
        for i in _dicts(value.get("invoices")))
    charges = tuple(
        FailedCharge(charge=_str(c.get("charge")), date=_str(c.get("date")), amount=number(c.get("amount")),
                     currency=_currency(c.get("currency")), failure_code=_str(c.get("failure_code")),
                     failure_message=_str(c.get("failure_message")), outcome_reason=_str(c.get("outcome_reason")))
        for c in _dicts(value.get("charges")))
    count = _int(value.get("count"))
    if count is None:
        count = len(_dicts(value.get("items"))) or len(invoices) + len(charges)
    return FailedPayments(count=max(count, 0), invoices=invoices, charges=charges)


def parse_stripe(d: Mapping[str, Any]) -> StripeFacts:
    """Stripe facts from their JSON form."""
    mrr = _dict(d.get("mrr"))
    mrr_amount = number(mrr.get("amount"))
    card = _dict(d.get("card"))
    last4 = _str(card.get("last4"))
    return StripeFacts(
        customer_id=_str(d.get("customer_id")), email=_str(d.get("email")), name=_str(d.get("name")),
        delinquent=d.get("delinquent") is True, currency=_currency(d.get("currency")), plan=_plan(_dict(d.get("plan"))),
        subscriptions=max(_int(d.get("subscriptions")) or 0, 0),
        mrr=Money(mrr_amount, _currency(mrr.get("currency"))) if mrr_amount is not None else None,
        failed_payments_90d=_failed(d.get("failed_payments_90d")),
        open_disputes=tuple(
            Dispute(id=_str(x.get("id")), charge=_str(x.get("charge")),
                    amount=_stripe_amount(x.get("amount"), _currency(x.get("currency"))),
                    currency=_currency(x.get("currency")), reason=_str(x.get("reason")), status=_str(x.get("status")),
                    date=_str(x.get("date")), evidence_due_by=_str(x.get("evidence_due_by")))
            for x in _dicts(d.get("open_disputes"))),
        recent_refunds=tuple(
            Refund(id=_str(x.get("id")), charge=_str(x.get("charge")), date=_str(x.get("date")),
                   amount=_stripe_amount(x.get("amount"), _currency(x.get("currency"))),
                   currency=_currency(x.get("currency")), reason=_str(x.get("reason")), status=_str(x.get("status")))
            for x in _dicts(d.get("recent_refunds"))),
        card=Card(_str(card.get("brand")), last4[-4:]) if last4 else None,
        incomplete=_reasons(d.get("incomplete")))


def parse_hubspot(d: Mapping[str, Any]) -> HubSpotFacts:
    """HubSpot facts from their JSON form."""
    owner, company = _dict(d.get("owner")), _dict(d.get("company"))
    return HubSpotFacts(
        contact_id=_str(d.get("contact_id")), email=_str(d.get("email")), name=_str(d.get("name")),
        lifecycle_stage=_str(d.get("lifecycle_stage")), lead_status=_str(d.get("lead_status")),
        owner=CrmOwner(_str(owner.get("id")), _str(owner.get("name")), _str(owner.get("email"))) if owner else None,
        company=Company(id=_str(company.get("id")), name=_str(company.get("name")), domain=_str(company.get("domain")),
                        annual_revenue=number(company.get("annual_revenue")),
                        tier=_str(company.get("tier")) or None) if company else None,
        open_deals=tuple(Deal(id=_str(x.get("id")), name=_str(x.get("name")), amount=number(x.get("amount")),
                              stage=_str(x.get("stage")), close_date=_str(x.get("close_date")),
                              pipeline=_str(x.get("pipeline")))
                         for x in _dicts(d.get("open_deals"))),
        open_deals_amount=number(d.get("open_deals_amount")) or 0.0,
        health=_scalars(d.get("health")), churn=_scalars(d.get("churn")), incomplete=_reasons(d.get("incomplete")))


def _ticket(t: Mapping[str, Any]) -> PriorTicket:
    tags = t.get("tags")
    return PriorTicket(id=_int(t.get("id")), subject=_str(t.get("subject")), status=_str(t.get("status")),
                       priority=_str(t.get("priority")), created_at=_str(t.get("created_at")),
                       tags=tuple(str(x) for x in tags) if isinstance(tags, list | tuple) else (),
                       handoff=t.get("handoff") is True)


def parse_zendesk(d: Mapping[str, Any]) -> ZendeskHistory:
    """Zendesk history from its JSON form."""
    return ZendeskHistory(
        open_tickets=tuple(_ticket(t) for t in _dicts(d.get("open_tickets"))),
        recent_tickets=tuple(_ticket(t) for t in _dicts(d.get("recent_tickets"))),
        tickets_last_90_days=_int(d.get("tickets_last_90_days")),
        tickets_last_60_days=_int(d.get("tickets_last_60_days")),
        prior_handoffs=max(_int(d.get("prior_handoffs")) or 0, 0))


_PARSERS: dict[str, Callable[[Mapping[str, Any]], Facts]] = {
    "stripe": parse_stripe, "hubspot": parse_hubspot, "zendesk": parse_zendesk}


def parse_facts(source: str, data: Mapping[str, Any] | None) -> Facts:
    """One source's facts from their JSON form (`{"found": false}`: the source does not know the customer)."""
    data = data if isinstance(data, Mapping) else {}
    if data.get("found") is False:
        return NoSuchCustomer()
    parser = _PARSERS.get(source)
    return parser(data) if parser else OtherFacts(dict(data))
