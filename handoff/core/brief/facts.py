"""Account facts for the agent, read from the enrichment sources' answers (Stripe, HubSpot, Zendesk)."""
from __future__ import annotations

from typing import Any

from handoff.core.account_facts import Dispute, HubSpotFacts, NoSuchCustomer, StripeFacts, ZendeskHistory, number
from handoff.core.models import AccountContext
from handoff.core.brief.models import AccountFact, KNOWN_SOURCES, source_result


def stripe_of(account: AccountContext) -> StripeFacts | None:
    """Stripe's facts when Stripe answered and knows the customer."""
    s = account.source("stripe")
    return s.facts if s is not None and s.status == "ok" and isinstance(s.facts, StripeFacts) else None


def hubspot_of(account: AccountContext) -> HubSpotFacts | None:
    """HubSpot's facts when HubSpot answered and knows the customer."""
    s = account.source("hubspot")
    return s.facts if s is not None and s.status == "ok" and isinstance(s.facts, HubSpotFacts) else None


def zendesk_of(account: AccountContext) -> ZendeskHistory | None:
    """Zendesk's history of the customer when Zendesk answered."""
    s = account.source("zendesk")
    return s.facts if s is not None and s.status == "ok" and isinstance(s.facts, ZendeskHistory) else None


_CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}


def money(amount: Any, currency: Any = "usd") -> str:
    """An amount in major units as text: `$1,234.50`, `1,200.00 CHF`."""
    value = number(amount)
    if value is None:
        return "?"
    cur = str(currency or "usd").lower()
    sign = _CURRENCY_SIGNS.get(cur)
    text = f"{value:,.2f}"
    return f"{sign}{text}" if sign else f"{text} {cur.upper()}"


def tier_of(account: AccountContext) -> str | None:
    """The account's tier: the signals' (derived by the tier rules), else HubSpot's company tier, or None."""
    if account.signals.tier:
        return account.signals.tier
    hubspot = hubspot_of(account)
    return hubspot.company.tier if hubspot and hubspot.company and hubspot.company.tier else None


def failed_payments(stripe: StripeFacts | None) -> int:
    """How many of the customer's payments failed in the last 90 days, by Stripe."""
    return stripe.failed_payments_90d.count if stripe else 0


def open_disputes(stripe: StripeFacts | None) -> tuple[Dispute, ...]:
    """The customer's open disputes, by Stripe."""
    return stripe.open_disputes if stripe else ()


def contacts_60d(zendesk: ZendeskHistory | None) -> int | None:
    """How many times the customer contacted support in the last 60 days, by Zendesk."""
    return zendesk.tickets_last_60_days if zendesk else None


def open_tickets(zendesk: ZendeskHistory | None) -> tuple[dict[str, Any], ...]:
    """The customer's open Zendesk tickets (id, subject, status, created_at), for the briefing."""
    if zendesk is None:
        return ()
    return tuple({"id": t.id, "subject": t.subject, "status": t.status, "created_at": t.created_at}
                 for t in zendesk.open_tickets)


def account_owner(account: AccountContext) -> str | None:
    """The account owner's name or e-mail, by HubSpot, or None."""
    sig = account.signals
    if sig.owner_name:
        return sig.owner_name
    hubspot = hubspot_of(account)
    owner = hubspot.owner if hubspot else None
    return (owner.name or owner.email if owner else None) or sig.owner_email


def churn_risk_of(account: AccountContext) -> bool:
    """Whether the account is at risk of churn (the signals, else HubSpot's churn properties)."""
    if account.signals.churn_risk:
        return True
    hubspot = hubspot_of(account)
    return hubspot is not None and any(
        v is True or (isinstance(v, str) and v.strip().lower() in {"high", "yes", "true", "at_risk", "at risk"})
        for v in hubspot.churn.values()
    )


def dispute_text(d: Dispute) -> str:
    """A dispute in a few words: "dp_1 $49.00 fraudulent"."""
    bits = [d.id or "dispute"]
    if d.amount is not None:
        bits.append(money(d.amount, d.currency))
    if d.reason:
        bits.append(d.reason)
    return " ".join(bits)


_INTERVALS = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


def _stripe_facts(facts: StripeFacts) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    plan = facts.plan
    if plan:
        name = plan.nickname or plan.product_name or plan.lookup_key or plan.product or "plan"
        bits = [b for b in (_INTERVALS.get(plan.interval or "", plan.interval), plan.status) if b]
        if plan.quantity not in (None, 1):
            bits.append(f"{plan.quantity} seats")
        if plan.cancel_at_period_end:
            bits.append("cancels at period end")
        out.append(("Plan", f"{name} ({', '.join(bits)})" if bits else name))
    if facts.mrr is not None:
        out.append(("MRR", money(facts.mrr.amount, facts.mrr.currency)))
    n = failed_payments(facts)
    if n:
        out.append(("Failed payments (90d)", str(n)))
    if facts.delinquent:
        out.append(("Delinquent", "yes"))
    disputes = facts.open_disputes
    if disputes:
        extra = f" (+{len(disputes) - 3} more)" if len(disputes) > 3 else ""
        out.append(("Open disputes", "; ".join(dispute_text(d) for d in disputes[:3]) + extra))
    refunds = facts.recent_refunds
    if refunds:
        total = sum(r.amount for r in refunds if r.amount is not None)
        out.append(("Recent refunds", f"{len(refunds)} ({money(total, refunds[0].currency or 'usd')})"))
    if facts.card:
        out.append(("Card", f"{facts.card.brand or 'card'} •••• {facts.card.last4}"))
    return out


def _hubspot_facts(facts: HubSpotFacts) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    company = facts.company
    if company and company.name:
        bits = [company.name]
        if company.annual_revenue is not None:
            bits.append(f"revenue {money(company.annual_revenue, 'usd')}")
        out.append(("Company", ", ".join(bits)))
    if facts.lifecycle_stage:
        status = facts.lead_status
        out.append(("Lifecycle", facts.lifecycle_stage + (f" ({status})" if status else "")))
    owner = facts.owner
    if owner and (owner.name or owner.email):
        out.append(("Owner", str(owner.name or owner.email)))
    deals = facts.open_deals
    if deals:
        shown = []
        for d in deals[:3]:
            text = d.name or "deal"
            if d.amount is not None:
                text += f" {money(d.amount, 'usd')}"
            if d.stage:
                text += f" ({d.stage})"
            shown.append(text)
        out.append(("Open deals", "; ".join(shown) + (f" (+{len(deals) - 3} more)" if len(deals) > 3 else "")))
    shown_health = [f"{k}={v}" for k, v in facts.health.items() if v not in (None, "")]
    if shown_health:
        out.append(("Health", ", ".join(shown_health[:6])))
    shown_churn = [f"{k}={v}" for k, v in facts.churn.items() if v not in (None, "")]
    if shown_churn:
        out.append(("Churn", ", ".join(shown_churn[:6])))
    return out


def _zendesk_facts(facts: ZendeskHistory) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = [("Open tickets", str(len(facts.open_tickets)))]
    if facts.tickets_last_60_days is not None:
        out.append(("Tickets (60d)", str(facts.tickets_last_60_days)))
    if facts.prior_handoffs:
        out.append(("Prior handoffs", str(facts.prior_handoffs)))
    return out


def _source_rows(facts: Any) -> list[tuple[str, str]]:
    if isinstance(facts, StripeFacts):
        return _stripe_facts(facts)
    if isinstance(facts, HubSpotFacts):
        return _hubspot_facts(facts)
    if isinstance(facts, ZendeskHistory):
        return _zendesk_facts(facts)
    return []


_STATUS_TEXT = {"unavailable": "unavailable", "not_configured": "not configured"}


def account_facts(account: AccountContext) -> tuple[AccountFact, ...]:
    """The account facts worth showing, per source; an unusable source says why in one line."""
    out: list[AccountFact] = []
    tier = tier_of(account)
    if tier:
        out.append(AccountFact("signals", "Tier", tier))
    if churn_risk_of(account):
        out.append(AccountFact("signals", "Churn risk", "yes"))
    for name in KNOWN_SOURCES:
        s = source_result(account, name)
        if s.status == "ok" and isinstance(s.facts, NoSuchCustomer):
            out.append(AccountFact(name, "Status", "no matching customer"))
        elif s.status == "ok":
            rows = _source_rows(s.facts)
            if not rows:
                rows = [("Facts", "nothing on record")]
            out.extend(AccountFact(name, label, value) for label, value in rows)
        else:
            status = _STATUS_TEXT.get(s.status, s.status)
            reason = s.reason or ""
            # reasons often start with the status already ("not configured (set STRIPE_API_KEY)")
            text = reason if reason.startswith(status) else f"{status}: {reason}" if reason else status
            out.append(AccountFact(name, "Status", text))
    return tuple(out)
