"""Account facts for the agent, read from the enrichment sources' answers (Stripe, HubSpot, Zendesk)."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any
from handoff.core.models import AccountContext
from handoff.core.brief.models import AccountFact, KNOWN_SOURCES, source_result


def source_facts(account: AccountContext, name: str) -> dict[str, Any]:
    """The facts one source answered with (empty when it was unavailable or not configured)."""
    s = account.source(name)
    if s is None or s.status != "ok" or not isinstance(s.facts, dict):
        return {}
    return s.facts


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list | tuple) else []


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


def _num(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


_CURRENCY_SIGNS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}


def money(amount: Any, currency: Any = "usd") -> str:
    """An amount in major units as text: `$1,234.50`, `1,200.00 CHF`."""
    value = _num(amount)
    if value is None:
        return "?"
    cur = str(currency or "usd").lower()
    sign = _CURRENCY_SIGNS.get(cur)
    text = f"{value:,.2f}"
    return f"{sign}{text}" if sign else f"{text} {cur.upper()}"


def stripe_minor(amount: Any, currency: Any) -> str:
    """A Stripe amount as money for people ("$49.00"), "?" when there is none."""
    # Raw Stripe objects carry integer amounts in minor units (zero-decimal currencies aside);
    # a float means the connector already converted to major units.
    value = _num(amount)
    if value is None:
        return "?"
    cur = str(currency or "usd").lower()
    if isinstance(amount, float):
        return money(value, cur)
    zero_decimal = cur in {"jpy", "krw", "vnd", "clp", "isk", "ugx", "xaf", "xof"}
    return money(value if zero_decimal else value / 100, cur)


def tier_of(account: AccountContext) -> str | None:
    """The account's tier: the signals' (derived by the tier rules), else HubSpot's company tier, or None."""
    if account.signals.tier:
        return account.signals.tier
    company = _dict(source_facts(account, "hubspot").get("company"))
    tier = company.get("tier")
    return str(tier) if tier else None


def failed_payments(stripe: Mapping[str, Any]) -> int:
    """How many of the customer's payments failed in the last 90 days, by Stripe."""
    fp = stripe.get("failed_payments_90d")
    if isinstance(fp, dict):
        n = _int(fp.get("count"))
        if n is None:
            n = len(_list(fp.get("items")))
        return max(n, 0)
    return max(_int(fp) or 0, 0)


def open_disputes(stripe: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The customer's open disputes, by Stripe."""
    return [d for d in _list(stripe.get("open_disputes")) if isinstance(d, dict)]


def contacts_60d(zendesk: Mapping[str, Any]) -> int | None:
    """How many times the customer contacted support in the last 60 days, by Zendesk."""
    return _int(zendesk.get("tickets_last_60_days"))


def open_tickets(zendesk: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """The customer's open Zendesk tickets (id, subject, status, created_at), as Zendesk listed them."""
    out = []
    for t in _list(zendesk.get("open_tickets")):
        if isinstance(t, dict):
            out.append({k: t.get(k) for k in ("id", "subject", "status", "created_at") if k in t})
    return tuple(out)


def account_owner(account: AccountContext) -> str | None:
    """The account owner's name or e-mail, by HubSpot, or None."""
    sig = account.signals
    if sig.owner_name:
        return sig.owner_name
    owner = _dict(source_facts(account, "hubspot").get("owner"))
    name = owner.get("name") or owner.get("email") or sig.owner_email
    return str(name) if name else None


def churn_risk_of(account: AccountContext) -> bool:
    """Whether the account is at risk of churn (the signals, else HubSpot's properties)."""
    if account.signals.churn_risk:
        return True
    churn = _dict(source_facts(account, "hubspot").get("churn"))
    return any(
        v is True or (isinstance(v, str) and v.strip().lower() in {"high", "yes", "true", "at_risk", "at risk"})
        for v in churn.values()
    )


_INTERVALS = {"day": "daily", "week": "weekly", "month": "monthly", "year": "yearly"}


def _stripe_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    plan = _dict(facts.get("plan"))
    if plan:
        name = (plan.get("nickname") or plan.get("product_name") or plan.get("lookup_key")
                or plan.get("product") or "plan")
        interval = plan.get("interval")
        bits = [b for b in (_INTERVALS.get(str(interval), interval), plan.get("status")) if b]
        if plan.get("quantity") not in (None, 1):
            bits.append(f"{plan.get('quantity')} seats")
        if plan.get("cancel_at_period_end"):
            bits.append("cancels at period end")
        out.append(("Plan", f"{name} ({', '.join(str(b) for b in bits)})" if bits else str(name)))
    mrr = _dict(facts.get("mrr"))
    if mrr.get("amount") is not None:
        out.append(("MRR", money(mrr.get("amount"), mrr.get("currency"))))
    n = failed_payments(facts)
    if n:
        out.append(("Failed payments (90d)", str(n)))
    if facts.get("delinquent") is True:
        out.append(("Delinquent", "yes"))
    disputes = open_disputes(facts)
    if disputes:
        shown = []
        for d in disputes[:3]:
            bits = [str(d.get("id") or "dispute")]
            if d.get("amount") is not None:
                bits.append(stripe_minor(d.get("amount"), d.get("currency")))
            if d.get("reason"):
                bits.append(str(d["reason"]))
            shown.append(" ".join(bits))
        extra = f" (+{len(disputes) - 3} more)" if len(disputes) > 3 else ""
        out.append(("Open disputes", "; ".join(shown) + extra))
    refunds = [r for r in _list(facts.get("recent_refunds")) if isinstance(r, dict)]
    if refunds:
        amounts = [r.get("amount") for r in refunds]
        # keep integers integral so they stay read as Stripe minor units
        total: Any = sum(a for a in amounts if isinstance(a, int) and not isinstance(a, bool))
        if any(isinstance(a, float) for a in amounts):
            total = float(total) / 100 + sum(a for a in amounts if isinstance(a, float))
        cur = refunds[0].get("currency") or "usd"
        out.append(("Recent refunds", f"{len(refunds)} ({stripe_minor(total, cur)})"))
    card = _dict(facts.get("card"))
    if card.get("last4"):
        out.append(("Card", f"{card.get('brand') or 'card'} •••• {card['last4']}"))
    return out


def _hubspot_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    company = _dict(facts.get("company"))
    if company.get("name"):
        bits = [str(company["name"])]
        if company.get("annual_revenue") not in (None, ""):
            bits.append(f"revenue {money(company['annual_revenue'], 'usd')}")
        out.append(("Company", ", ".join(bits)))
    stage = facts.get("lifecycle_stage")
    if stage:
        status = facts.get("lead_status")
        out.append(("Lifecycle", f"{stage}" + (f" ({status})" if status else "")))
    owner = _dict(facts.get("owner"))
    if owner.get("name") or owner.get("email"):
        out.append(("Owner", str(owner.get("name") or owner.get("email"))))
    deals = [d for d in _list(facts.get("open_deals")) if isinstance(d, dict)]
    if deals:
        shown = []
        for d in deals[:3]:
            text = str(d.get("name") or "deal")
            if d.get("amount") not in (None, ""):
                text += f" {money(d['amount'], 'usd')}"
            if d.get("stage"):
                text += f" ({d['stage']})"
            shown.append(text)
        out.append(("Open deals", "; ".join(shown) + (f" (+{len(deals) - 3} more)" if len(deals) > 3 else "")))
    health = _dict(facts.get("health"))
    shown_health = [f"{k}={v}" for k, v in health.items() if v not in (None, "")]
    if shown_health:
        out.append(("Health", ", ".join(shown_health[:6])))
    churn = _dict(facts.get("churn"))
    shown_churn = [f"{k}={v}" for k, v in churn.items() if v not in (None, "")]
    if shown_churn:
        out.append(("Churn", ", ".join(shown_churn[:6])))
    return out


def _zendesk_facts(facts: Mapping[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    tickets = _list(facts.get("open_tickets"))
    out.append(("Open tickets", str(len(tickets))))
    n = contacts_60d(facts)
    if n is not None:
        out.append(("Tickets (60d)", str(n)))
    prior = _int(facts.get("prior_handoffs"))
    if prior:
        out.append(("Prior handoffs", str(prior)))
    return out


_FACT_BUILDERS = {"stripe": _stripe_facts, "hubspot": _hubspot_facts, "zendesk": _zendesk_facts}


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
        if s.status == "ok" and isinstance(s.facts, dict) and s.facts.get("found") is False:
            out.append(AccountFact(name, "Status", "no matching customer"))
        elif s.status == "ok":
            rows = _FACT_BUILDERS[name](s.facts if isinstance(s.facts, dict) else {})
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
