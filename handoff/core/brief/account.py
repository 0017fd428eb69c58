"""Account tier and churn risk derived from enrichment facts by configurable rules (pure)."""
from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from handoff.core.account_facts import HubSpotFacts, StripeFacts, number
from handoff.core.models import AccountSignals, SourceResult

F = TypeVar("F", StripeFacts, HubSpotFacts)


class TierRule(BaseModel):
    """One rule: when every condition it sets holds, the account has `tier`."""

    model_config = ConfigDict(extra="forbid")

    tier: str
    emails: list[str] = Field(default_factory=list)
    domains: list[str] = Field(default_factory=list)
    company_tiers: list[str] = Field(default_factory=list)
    lifecycle_stages: list[str] = Field(default_factory=list)
    plans: list[str] = Field(default_factory=list)
    min_mrr: float | None = None
    min_company_revenue: float | None = None

    @model_validator(mode="after")
    def _has_a_condition(self) -> "TierRule":
        # A rule without conditions would silently swallow every account below it.
        if not (
            self.emails or self.domains or self.company_tiers or self.lifecycle_stages or self.plans
            or self.min_mrr is not None or self.min_company_revenue is not None
        ):
            raise ValueError(f"tier rule {self.tier!r} sets no condition; use `default` for a catch-all")
        return self


def _default_rules() -> list[TierRule]:
    return [
        TierRule(tier="enterprise", company_tiers=["enterprise"]),
        TierRule(tier="enterprise", min_mrr=2000),
        TierRule(tier="pro", min_mrr=0.01),
    ]


class TierRules(BaseModel):
    """Ordered tier rules (first match wins) and the tier of a known account no rule matched."""

    model_config = ConfigDict(extra="forbid")

    rules: list[TierRule] = Field(default_factory=_default_rules)
    default: str | None = "free"


class ChurnRules(BaseModel):
    """When an account counts as a churn risk."""

    model_config = ConfigDict(extra="forbid")

    health_below: float = 50.0
    churn_at_least: float = 50.0
    churn_values: list[str] = Field(default_factory=lambda: ["high", "true", "yes", "at risk", "at_risk"])
    cancel_at_period_end: bool = True
    delinquent: bool = True
    failed_payments_at_least: int = 2
    open_disputes: bool = True


class AccountRules(BaseModel):
    """The `[account]` table: `[account.tiers]` and `[account.churn]`."""

    model_config = ConfigDict(extra="forbid")

    tiers: TierRules = Field(default_factory=TierRules)
    churn: ChurnRules = Field(default_factory=ChurnRules)


def _facts(sources: Sequence[SourceResult], kind: type[F]) -> F | None:
    """The facts of a source that answered and knew the customer, if of `kind`."""
    return next((s.facts for s in sources if s.status == "ok" and isinstance(s.facts, kind)), None)


def _lower(values: Sequence[str]) -> set[str]:
    return {v.strip().lower() for v in values}


def _plan_names(stripe: StripeFacts | None) -> set[str]:
    plan = stripe.plan if stripe else None
    if plan is None:
        return set()
    names = (plan.lookup_key, plan.nickname, plan.price_id, plan.product, plan.product_name)
    return {n.strip().lower() for n in names if n}


def _rule_matches(rule: TierRule, email: str | None, stripe: StripeFacts | None,
                  hubspot: HubSpotFacts | None) -> bool:
    addr = (email or "").strip().lower()
    company = hubspot.company if hubspot else None
    checks: list[bool] = []
    if rule.emails:
        checks.append(bool(addr) and addr in _lower(rule.emails))
    if rule.domains:
        domain = addr.rpartition("@")[2]
        checks.append(bool(domain) and domain in {d.lstrip("@") for d in _lower(rule.domains)})
    if rule.company_tiers:
        tier = company.tier if company else None
        checks.append(bool(tier) and str(tier).strip().lower() in _lower(rule.company_tiers))
    if rule.lifecycle_stages:
        stage = hubspot.lifecycle_stage if hubspot else None
        checks.append(bool(stage) and str(stage).strip().lower() in _lower(rule.lifecycle_stages))
    if rule.plans:
        checks.append(bool(_plan_names(stripe) & _lower(rule.plans)))
    if rule.min_mrr is not None:
        mrr = stripe.mrr.amount if stripe and stripe.mrr else None
        checks.append(mrr is not None and mrr >= rule.min_mrr)
    if rule.min_company_revenue is not None:
        revenue = company.annual_revenue if company else None
        checks.append(revenue is not None and revenue >= rule.min_company_revenue)
    return bool(checks) and all(checks)


def derive_tier(sources: Sequence[SourceResult], rules: TierRules, *, email: str | None = None) -> str | None:
    """The first matching rule's tier; `rules.default` for a known account; None when nothing is known."""
    stripe, hubspot = _facts(sources, StripeFacts), _facts(sources, HubSpotFacts)
    for rule in rules.rules:
        if _rule_matches(rule, email, stripe, hubspot):
            return rule.tier
    return rules.default if (stripe or hubspot) else None


def churn_reasons(sources: Sequence[SourceResult], rules: ChurnRules) -> list[str]:
    """Why the account looks at risk of churning (empty when it does not)."""
    reasons: list[str] = []
    hubspot = _facts(sources, HubSpotFacts)
    for prop, value in (hubspot.health if hubspot else {}).items():
        score = number(value)
        if score is not None and score < rules.health_below:
            reasons.append(f"HubSpot {prop} is {value} (below {rules.health_below:g})")
    for prop, value in (hubspot.churn if hubspot else {}).items():
        score = number(value)
        risky = (score >= rules.churn_at_least) if score is not None else (
            isinstance(value, str) and value.strip().lower() in _lower(rules.churn_values))
        if risky:
            reasons.append(f"HubSpot {prop} is {value}")
    stripe = _facts(sources, StripeFacts)
    if stripe is None:
        return reasons
    if rules.cancel_at_period_end and stripe.plan and stripe.plan.cancel_at_period_end:
        reasons.append("subscription set to cancel at period end")
    if rules.delinquent and stripe.delinquent:
        reasons.append("Stripe marks the customer delinquent")
    failed = stripe.failed_payments_90d.count
    if rules.failed_payments_at_least > 0 and failed >= rules.failed_payments_at_least:
        reasons.append(f"{failed} failed payments in 90 days")
    if rules.open_disputes and stripe.open_disputes:
        reasons.append(f"{len(stripe.open_disputes)} open dispute(s)")
    return reasons


def derive_signals(sources: Sequence[SourceResult], rules: AccountRules | None = None, *,
                   email: str | None = None) -> AccountSignals:
    """Tier, churn risk and account owner from the enrichment results."""
    rules = rules or AccountRules()
    hubspot = _facts(sources, HubSpotFacts)
    owner = hubspot.owner if hubspot else None
    return AccountSignals(
        tier=derive_tier(sources, rules.tiers, email=email),
        churn_risk=bool(churn_reasons(sources, rules.churn)),
        owner_email=owner.email if owner else None,
        owner_name=owner.name if owner else None,
    )
