"""Briefings shared by the renderer tests: a rich case and an everything-unavailable case."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from handoff.core.brief import Briefing, BriefingSettings, build_briefing
from handoff.core.models import (
    AccountContext,
    AccountSignals,
    Customer,
    Decision,
    KBArticle,
    Message,
    Reason,
    Route,
    SourceResult,
)

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)

RICH_MESSAGES = (
    Message("customer", "My card 4242 4242 4242 4242 was charged twice this month!", 0, T0),
    Message(
        "ai",
        "I think this may be a pending authorization that drops off in a few days.",
        1,
        T0,
        confidence=0.55,
        kb_articles=(KBArticle("kb-12", "Pending charges"),),
        ai_actions=("sent_article:kb-12",),
    ),
    Message(
        "customer",
        "No, it's the third failed payment, this is ridiculous. I want to cancel. Mail ana.lima@example.com <!channel>",
        2,
        T0,
    ),
    Message("ai", "It's possible that your bank declined it.", 3, T0, confidence=0.4),
    Message("customer", "Let me talk to a real person now. My key is sk_live_abcdefgh12345678", 4, T0),
)

RICH_ACCOUNT = AccountContext(
    (
        SourceResult(
            "stripe",
            "ok",
            {
                "customer_id": "cus_1",
                "email": "ana.lima@example.com",
                "delinquent": True,
                "plan": {"product": "Business", "interval": "month", "status": "past_due", "quantity": 12},
                "mrr": {"amount": 2400.0, "currency": "usd"},
                "failed_payments_90d": {"count": 3, "items": []},
                "open_disputes": [{"id": "dp_123", "amount": 4900, "currency": "usd", "reason": "duplicate"}],
                "recent_refunds": [],
                "card": {"brand": "visa", "last4": "4242"},
            },
        ),
        SourceResult(
            "hubspot",
            "ok",
            {
                "owner": {"name": "Sam Lee", "email": "sam@example.com"},
                "company": {"name": "Acme", "annual_revenue": "5000000", "tier": "enterprise"},
                "lifecycle_stage": "customer",
                "open_deals": [{"name": "Renewal", "amount": "28800", "stage": "contractsent"}],
                "churn": {"churn_risk": "high"},
            },
        ),
        SourceResult(
            "zendesk",
            "ok",
            {
                "open_tickets": [{"id": 812, "subject": "Double charge", "status": "open", "created_at": "2026-02-20"}],
                "tickets_last_60_days": 2,
                "prior_handoffs": 1,
            },
        ),
    ),
    AccountSignals("enterprise", True, "sam@example.com", "Sam Lee"),
)

RICH_DECISION = Decision(
    True,
    (Reason("cancellation", 2, "I want to cancel"), Reason("explicit_request", 4, "talk to a real person")),
    category="cancellation",
    priority="urgent",
    sentiment=-0.6,
    trajectory="red",
)

RICH_ROUTE = Route("retention", agent="a1", agent_name="Jo", queue_position=2, expected_wait_seconds=300)

UNAVAILABLE_ACCOUNT = AccountContext(
    (
        SourceResult("stripe", "unavailable", reason="timeout after 2.0s"),
        SourceResult("hubspot", "unavailable", reason="HTTP 503 from HubSpot"),
        SourceResult("zendesk", "not_configured", reason="ZENDESK_API_TOKEN not set"),
    )
)


def make(
    *,
    messages: tuple[Message, ...] = RICH_MESSAGES,
    decision: Decision = RICH_DECISION,
    account: AccountContext = RICH_ACCOUNT,
    route: Route | None = RICH_ROUTE,
    customer: Customer = Customer(email="ana.lima@example.com", name="Ana Lima", language="en"),
    page_url: str | None = "https://app.example.com/settings/billing",
    settings: BriefingSettings | None = None,
) -> Briefing:
    """A briefing from the rich case, with any part replaced."""
    return build_briefing(
        conversation_id="c-17",
        messages=messages,
        decision=decision,
        account=account,
        route=route,
        customer=customer,
        page_url=page_url,
        settings=settings or BriefingSettings(),
    )


@pytest.fixture
def rich() -> Briefing:
    """Enterprise customer, failed payments, open dispute, repeat contact, red sentiment."""
    return make()


@pytest.fixture
def unavailable() -> Briefing:
    """Every enrichment source failed or is not configured; only the conversation is known."""
    return make(
        account=UNAVAILABLE_ACCOUNT,
        route=None,
        decision=Decision(True, (Reason("explicit_request", 0, "human please"),), "explicit_request", "normal"),
        messages=(Message("customer", "human please", 0),),
        customer=Customer(),
        page_url=None,
    )


@pytest.fixture
def make_briefing():  # type: ignore[no-untyped-def]
    """The `make` factory, for tests that vary the rich case."""
    return make
