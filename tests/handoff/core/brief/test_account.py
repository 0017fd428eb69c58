"""Account tier and churn risk from enrichment facts."""
from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from handoff.core.brief.account import AccountRules, ChurnRules, TierRule, TierRules, churn_reasons, derive_signals, derive_tier
from handoff.core.models import SourceResult


def stripe(**facts: Any) -> SourceResult:
    return SourceResult("stripe", "ok", {"found": True, **facts})


def hubspot(**facts: Any) -> SourceResult:
    return SourceResult("hubspot", "ok", {"found": True, **facts})


RULES = TierRules(rules=[
    TierRule(tier="vip", emails=["ceo@bigcorp.com"]),
    TierRule(tier="vip", domains=["@vip.example"]),
    TierRule(tier="enterprise", company_tiers=["Enterprise", "strategic"]),
    TierRule(tier="enterprise", min_mrr=2000),
    TierRule(tier="enterprise", min_company_revenue=10_000_000, lifecycle_stages=["customer"]),
    TierRule(tier="pro", plans=["pro_monthly", "Pro yearly"]),
    TierRule(tier="pro", min_mrr=0.01),
])


@pytest.mark.parametrize(
    ("sources", "email", "tier"),
    [
        ([stripe(mrr={"amount": 10.0})], "CEO@BigCorp.com", "vip"),
        ([hubspot()], "someone@vip.example", "vip"),
        ([hubspot(company={"tier": " enterprise "})], None, "enterprise"),
        ([stripe(mrr={"amount": 2500.0, "currency": "usd"})], None, "enterprise"),
        ([stripe(mrr={"amount": 1999.99})], None, "pro"),
        ([hubspot(company={"annual_revenue": 2e7}, lifecycle_stage="customer")], None, "enterprise"),
        ([hubspot(company={"annual_revenue": 2e7}, lifecycle_stage="lead")], None, "free"),  # both must hold
        ([stripe(plan={"lookup_key": None, "nickname": "Pro Yearly"}, mrr={"amount": 0})], None, "pro"),
        ([stripe(plan={"lookup_key": "pro_monthly"}, mrr={"amount": 0})], None, "pro"),
        ([stripe(plan=None, mrr={"amount": 0.0})], None, "free"),
        ([SourceResult("stripe", "ok", {"found": False})], "x@y.com", None),
        ([SourceResult("stripe", "unavailable", reason="timed out after 2.0 s")], None, None),
        ([SourceResult("hubspot", "not_configured", reason="not configured")], None, None),
        ([], None, None),
    ],
)
def test_tier(sources: list[SourceResult], email: str | None, tier: str | None) -> None:
    assert derive_tier(sources, RULES, email=email) == tier


def test_first_matching_rule_wins() -> None:
    rules = TierRules(rules=[TierRule(tier="pro", min_mrr=1), TierRule(tier="enterprise", min_mrr=1000)])
    assert derive_tier([stripe(mrr={"amount": 5000})], rules) == "pro"


def test_default_rules() -> None:
    assert derive_tier([stripe(mrr={"amount": 2000.0})], TierRules()) == "enterprise"
    assert derive_tier([stripe(mrr={"amount": 49.0})], TierRules()) == "pro"
    assert derive_tier([stripe(mrr={"amount": 0.0})], TierRules()) == "free"
    assert derive_tier([stripe(mrr={"amount": 0.0})], TierRules(default=None)) is None


def test_rule_without_condition_is_refused() -> None:
    with pytest.raises(ValidationError, match="sets no condition"):
        TierRule(tier="vip")
    with pytest.raises(ValidationError):
        TierRules(rules=[{"tier": "vip", "email": ["typo@x.com"]}])


@pytest.mark.parametrize(
    ("sources", "expected"),
    [
        ([hubspot(health={"health_score": "32"})], ["HubSpot health_score is 32 (below 50)"]),
        ([hubspot(health={"health_score": "80"})], []),
        ([hubspot(health={"health_score": "n/a"})], []),
        ([hubspot(churn={"churn_risk": "High"})], ["HubSpot churn_risk is High"]),
        ([hubspot(churn={"churn_risk": "low"})], []),
        ([hubspot(churn={"churn_score": "75"})], ["HubSpot churn_score is 75"]),
        ([stripe(plan={"cancel_at_period_end": True})], ["subscription set to cancel at period end"]),
        ([stripe(delinquent=True)], ["Stripe marks the customer delinquent"]),
        ([stripe(failed_payments_90d={"count": 1})], []),
        ([stripe(failed_payments_90d={"count": 2})], ["2 failed payments in 90 days"]),
        ([stripe(open_disputes=[{"id": "dp_1"}])], ["1 open dispute(s)"]),
        ([SourceResult("stripe", "unavailable", reason="rate limited")], []),
    ],
)
def test_churn_reasons(sources: list[SourceResult], expected: list[str]) -> None:
    assert churn_reasons(sources, ChurnRules()) == expected


def test_churn_checks_can_be_switched_off() -> None:
    rules = ChurnRules(cancel_at_period_end=False, delinquent=False, failed_payments_at_least=0)
    sources = [stripe(plan={"cancel_at_period_end": True}, delinquent=True, failed_payments_90d={"count": 9})]
    assert churn_reasons(sources, rules) == []


def test_signals_carry_tier_churn_and_owner() -> None:
    sources = [stripe(mrr={"amount": 99.0}, delinquent=True),
               hubspot(owner={"id": "1", "name": "Sam Owner", "email": "sam@example.com"})]
    signals = derive_signals(sources, AccountRules(), email="ana@example.com")
    assert (signals.tier, signals.churn_risk, signals.owner_name, signals.owner_email) == (
        "pro", True, "Sam Owner", "sam@example.com")


def test_account_rules_parse_from_settings_tables() -> None:
    rules = AccountRules.model_validate({
        "tiers": {"default": "free", "rules": [{"tier": "vip", "domains": ["vip.example"]},
                                               {"tier": "enterprise", "min_mrr": 1500}]},
        "churn": {"health_below": 40, "failed_payments_at_least": 3},
    })
    assert [r.tier for r in rules.tiers.rules] == ["vip", "enterprise"] and rules.churn.health_below == 40
