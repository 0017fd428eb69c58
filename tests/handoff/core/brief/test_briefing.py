"""The briefing: extractive summary, recommended action, greeting, facts and its JSON form."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from typing import Any

import pytest

from handoff.core.brief import (
    Briefing,
    BriefingSettings,
    account_facts,
    build_briefing,
    clip,
    greeting,
    page_label,
    recommended_action,
)
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


def stripe(**facts: Any) -> SourceResult:
    return SourceResult("stripe", "ok", facts)


def hubspot(**facts: Any) -> SourceResult:
    return SourceResult("hubspot", "ok", facts)


def zendesk(**facts: Any) -> SourceResult:
    return SourceResult("zendesk", "ok", facts)


def ctx(*sources: SourceResult, tier: str | None = None, churn: bool = False, owner: str | None = None) -> AccountContext:
    return AccountContext(sources, AccountSignals(tier=tier, churn_risk=churn, owner_name=owner))


def decision(category: str | None, *triggers: str, trajectory: str = "green", sentiment: float | None = None) -> Decision:
    reasons = tuple(Reason(t, 0, "evidence") for t in triggers)
    return Decision(True, reasons, category=category, priority="high", sentiment=sentiment, trajectory=trajectory)


MESSAGES = (
    Message("customer", "I was charged twice for March, why?", 0, T0),
    Message(
        "ai",
        "I think this may be a pending authorization that will drop off.",
        1,
        T0,
        confidence=0.55,
        kb_articles=(KBArticle("kb-12", "Pending charges"),),
        ai_actions=("sent_article:kb-12",),
    ),
    Message("customer", "That is ridiculous, it is not pending. This is useless.", 2, T0),
    Message(
        "ai",
        "It's possible that your bank declined it.",
        3,
        T0,
        confidence=0.4,
        kb_articles=(KBArticle("kb-12", "", "https://help.example.com/kb-12"), KBArticle("kb-7", "Refunds")),
    ),
    Message("customer", "Get me a real person.", 4, T0),
)


def build(
    *,
    messages: tuple[Message, ...] = MESSAGES,
    dec: Decision | None = None,
    account: AccountContext | None = None,
    route: Route | None = None,
    customer: Customer = Customer(email="ana@example.com", name="Ana Lima", language="en"),
    page_url: str | None = "https://app.example.com/settings/billing",
    settings: BriefingSettings | None = None,
    summary_override: str | None = None,
) -> Briefing:
    return build_briefing(
        conversation_id="c-1",
        messages=messages,
        decision=dec or decision("billing_dispute", "billing_dispute", "explicit_request"),
        account=account or ctx(),
        route=route,
        customer=customer,
        page_url=page_url,
        settings=settings or BriefingSettings(),
        summary_override=summary_override,
    )


# ---------------------------------------------------------------- summary


SUMMARY_CASES = [
    (
        "the issue's example",
        decision("cancellation", "cancellation"),
        ctx(stripe(failed_payments_90d={"count": 3, "items": []})),
        "https://app.example.com/settings/billing",
        "Customer, third failed payment in 90 days, expressing cancellation intent, on billing settings page",
    ),
    (
        "enterprise, dispute, repeat contact, red",
        decision("billing_dispute", "billing_dispute", trajectory="red"),
        ctx(
            stripe(open_disputes=[{"id": "dp_1", "amount": 4900, "currency": "usd"}]),
            zendesk(tickets_last_60_days=2, open_tickets=[]),
            tier="enterprise",
        ),
        None,
        "Enterprise customer, open dispute on $49.00, third contact in 60 days, disputing a charge, very unhappy",
    ),
    (
        "one failed payment, yellow",
        decision("billing", trajectory="yellow"),
        ctx(stripe(failed_payments_90d={"count": 1})),
        "https://app.example.com/",
        "Customer, a failed payment in 90 days, asking about billing, sentiment dropping, on home page",
    ),
    (
        "delinquent without count, several disputes",
        decision("security"),
        ctx(stripe(delinquent=True, open_disputes=[{}, {}])),
        None,
        "Customer, account delinquent, 2 open disputes, reporting a security problem",
    ),
    (
        "tier from HubSpot company when signals have none",
        decision("explicit_request", "explicit_request"),
        ctx(hubspot(company={"tier": "vip"})),
        None,
        "VIP customer, asking for a human",
    ),
    (
        "no category falls back to the first trigger",
        decision(None, "low_confidence"),
        ctx(),
        None,
        "Customer, AI unsure of its answers",
    ),
    (
        "unknown category is spelled out",
        decision("warranty_claim"),
        ctx(),
        None,
        "Customer, about warranty claim",
    ),
    (
        "other tiers read as tiers",
        decision("account_security"),
        ctx(tier="pro"),
        None,
        "Pro-tier customer, reporting a security problem",
    ),
    (
        "a vague category is described by its strongest trigger",
        decision("general", "complexity"),
        ctx(),
        None,
        "Customer, with a complex, multi-topic issue",
    ),
    ("fraud", decision("fraud"), ctx(), None, "Customer, reporting possible fraud"),
    (
        "frustration already says how they feel",
        decision("frustration", "frustration", trajectory="red"),
        ctx(),
        None,
        "Customer, frustrated with the AI's answers",
    ),
    ("nothing at all", Decision(True), ctx(), None, "Customer needs a human"),
    ("general and no known trigger", decision("general", "mystery"), ctx(), None, "Customer needs a human"),
]


@pytest.mark.parametrize(("name", "dec", "account", "page", "expected"), SUMMARY_CASES, ids=[c[0] for c in SUMMARY_CASES])
def test_extractive_summary(name: str, dec: Decision, account: AccountContext, page: str | None, expected: str) -> None:
    b = build(dec=dec, account=account, page_url=page)
    assert b.summary == expected
    assert b.summary_source == "extractive"


def test_summary_drops_least_important_clauses_to_fit() -> None:
    settings = BriefingSettings(summary_max_chars=60)
    b = build(
        dec=decision("cancellation", trajectory="red"),
        account=ctx(stripe(failed_payments_90d={"count": 3}), tier="enterprise"),
        settings=settings,
    )
    assert len(b.summary) <= 60
    assert b.summary.startswith("Enterprise customer, third failed payment in 90 days")
    assert "billing settings" not in b.summary


def test_summary_is_deterministic() -> None:
    assert build().as_dict() == build().as_dict()


def test_summary_override_is_used_and_extractive_kept() -> None:
    b = build(summary_override="  Ana was double charged\nand wants a person.  ")
    assert b.summary == "Ana was double charged and wants a person."
    assert b.summary_source == "llm"
    assert b.extractive_summary.startswith("Customer, disputing a charge")
    assert b.with_summary("x").summary == "x"


# ---------------------------------------------------------------- page


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://app.example.com/settings/billing", "billing settings page"),
        ("https://app.example.com/settings/billing?tab=cards#x", "billing settings page"),
        ("https://app.example.com/account/subscription/cancel", "cancel subscription page"),
        ("https://app.example.com/en/pricing", "pricing page"),
        ("https://app.example.com/orders/12345", "orders page"),
        ("https://app.example.com/customers/cus_9a8b7c6d5e/payment-methods", "payment methods customers page"),
        ("https://app.example.com/", "home page"),
        ("/help/reset_password.html", "reset password help page"),
        (None, None),
        ("", None),
    ],
)
def test_page_label(url: str | None, expected: str | None) -> None:
    assert page_label(url) == expected


def test_page_taken_from_latest_message_when_not_given() -> None:
    msgs = (
        Message("customer", "hi", 0, page_url="https://x.test/pricing"),
        Message("customer", "cancel", 1, page_url="https://x.test/settings/billing"),
    )
    b = build(messages=msgs, page_url=None)
    assert b.page_url == "https://x.test/settings/billing"
    assert b.page_label == "billing settings page"


# ---------------------------------------------------------------- recommended action


ACTION_CASES = [
    (
        "dispute in Stripe",
        decision("billing_dispute"),
        ctx(stripe(open_disputes=[{"id": "dp_123", "amount": 4900, "currency": "usd", "reason": "duplicate"}])),
        "Review dispute dp_123 ($49.00, duplicate) in Stripe before replying",
    ),
    (
        "dispute amounts already in major units",
        decision("billing_dispute"),
        ctx(stripe(open_disputes=[{"id": "dp_9", "amount": 49.5, "currency": "eur"}])),
        "Review dispute dp_9 (€49.50) in Stripe",
    ),
    ("billing with failed payments", decision("billing_dispute"), ctx(stripe(failed_payments_90d={"count": 2})), "Check the 2 failed payments"),
    ("billing without facts", decision("billing_dispute"), ctx(), "Find the charge in Stripe"),
    ("cancellation + churn risk", decision("cancellation"), ctx(churn=True, owner="Sam Lee"), "Retention case: ask what isn't working and loop in the account owner (Sam Lee)"),
    ("cancellation + enterprise", decision("cancellation"), ctx(tier="enterprise"), "Retention case"),
    ("cancellation + HubSpot churn text", decision("cancellation"), ctx(hubspot(churn={"churn_risk": "High"})), "Retention case"),
    ("cancellation + failed payments", decision("cancellation"), ctx(stripe(failed_payments_90d={"count": 3})), "Failed payments may be behind this"),
    ("plain cancellation", decision("cancellation"), ctx(), "Confirm what they want to cancel"),
    ("legal", decision("legal"), ctx(), "Don't discuss the substance"),
    ("security", decision("security"), ctx(), "Verify identity first"),
    ("account security", decision("account_security"), ctx(), "Verify identity first"),
    ("fraud", decision("fraud"), ctx(), "Treat as possible fraud"),
    ("fraud with a dispute", decision("fraud"), ctx(stripe(open_disputes=[{"id": "dp_7"}])), "Review dispute dp_7 in Stripe"),
    ("technical", decision("technical"), ctx(), "Reproduce the problem"),
    ("AI low confidence category", decision("ai_low_confidence", "hedging"), ctx(), "answer the open question directly"),
    ("customer loop trigger", decision("loop", "loop_customer"), ctx(), "answer the open question directly"),
    ("privacy", decision("data_privacy"), ctx(), "Verify identity and log the privacy request"),
    ("explicit request", decision("explicit_request", "explicit_request"), ctx(), "Acknowledge and take over"),
    ("explicit as a trigger only", decision("other", "explicit_request"), ctx(), "Acknowledge and take over"),
    ("low confidence quotes the question", decision(None, "low_confidence"), ctx(), 'answer the open question directly: "I was charged twice for March, why?"'),
    ("frustration", decision("frustration", "frustration"), ctx(), "Acknowledge the frustration"),
    ("fallback", decision("something_else"), ctx(), "Take over the conversation"),
    (
        "open tickets are linked",
        decision("security"),
        ctx(zendesk(open_tickets=[{"id": 812, "subject": "Locked out"}, {"id": 813}])),
        "Link or merge with open ticket #812 (and 1 more).",
    ),
    ("enterprise keeps owner informed", decision("security"), ctx(tier="enterprise", owner="Sam"), "Keep the account owner (Sam) informed."),
]


@pytest.mark.parametrize(("name", "dec", "account", "expected"), ACTION_CASES, ids=[c[0] for c in ACTION_CASES])
def test_recommended_action(name: str, dec: Decision, account: AccountContext, expected: str) -> None:
    assert expected in build(dec=dec, account=account).recommended_action


def test_action_override_per_category() -> None:
    settings = BriefingSettings(actions={"cancellation": "Offer the 50% retention discount."})
    b = build(dec=decision("cancellation"), account=ctx(churn=True), settings=settings)
    assert b.recommended_action == "Offer the 50% retention discount."


def test_action_mentions_callback_off_hours() -> None:
    at = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
    b = build(route=Route("billing", on_shift=False, callback_at=at))
    assert "offered a callback on Tue 03 Mar 09:00 UTC." in b.recommended_action


def test_recommended_action_is_pure_function() -> None:
    out = recommended_action(category="legal", decision=decision("legal"), account=ctx(), last_question=None)
    assert out.startswith("Don't discuss")


# ---------------------------------------------------------------- greeting


GREETING_CASES = [
    (Customer(name="ana lima", language="en"), "billing_dispute", ctx(), "Hi Ana, ", "about the charge on your account"),
    (Customer(name=None, language=None), "cancellation", ctx(), "Hi there, ", "about cancelling your subscription"),
    (Customer(name="ana@example.com"), "security", ctx(), "Hi there, ", "your account's security"),
    (Customer(name="Lucía", language="es-MX"), "cancellation", ctx(), "Hola Lucía, ", "la cancelación de tu suscripción"),
    (Customer(name=None, language="es"), "refund", ctx(), "Hola, gracias", "tu reembolso"),
    (Customer(name="Jean", language="fr"), "billing_dispute", ctx(), "Bonjour Jean, ", "le prélèvement"),
    (Customer(name="Jonas", language="de_DE"), "security", ctx(), "Hallo Jonas, ", "Sicherheit Ihres Kontos"),
    (Customer(name="João", language="pt-BR"), "legal", ctx(), "Olá João, ", "o assunto que mencionou"),
    (Customer(name="Kenji", language="ja"), "other", ctx(), "Hi Kenji, ", "about your question"),
    (Customer(name="Ana"), "billing", ctx(stripe(failed_payments_90d={"count": 3})), "Hi Ana, ", "the recent failed payments"),
    (Customer(name="Ana", language="de"), "fraud", ctx(), "Hallo Ana, ", "verdächtigen Aktivitäten"),
    (Customer(name="Ana"), "account_security", ctx(), "Hi Ana, ", "your account's security"),
]


@pytest.mark.parametrize(("customer", "category", "account", "start", "issue"), GREETING_CASES)
def test_greeting(customer: Customer, category: str, account: AccountContext, start: str, issue: str) -> None:
    text = greeting(customer=customer, category=category, account=account)
    assert text.startswith(start)
    assert issue in text


@pytest.mark.parametrize("word", ["refund will", "guarantee", "promise", "I will fix"])
def test_greeting_promises_nothing(word: str) -> None:
    for lang in ("en", "es", "fr", "de", "pt"):
        for cat in ("billing_dispute", "cancellation", "refund", "security"):
            text = greeting(customer=Customer(name="Ana", language=lang), category=cat, account=ctx())
            assert word not in text.lower()


def test_greeting_says_the_conversation_was_read() -> None:
    text = build().greeting
    assert "read your conversation" in text and "won't need to repeat" in text


def test_greeting_override_with_placeholders() -> None:
    settings = BriefingSettings(greetings={"en": "Hey {first_name}! Re {issue}. {unknown}"})
    assert build(settings=settings).greeting == "Hey Ana! Re the charge on your account. {unknown}"


# ---------------------------------------------------------------- the rest of the briefing


def test_ai_attempts_confidence_and_kb() -> None:
    b = build()
    d = b.as_dict()
    assert [a["message_index"] for a in d["ai_attempts"]] == [1, 3]
    assert d["ai_attempts"][0]["confidence"] == 0.55
    assert d["ai_attempts"][0]["kb_articles"] == [{"id": "kb-12", "title": "Pending charges", "url": None}]
    assert d["ai_attempts"][0]["actions"] == ["sent_article:kb-12"]
    assert d["ai_confidence"] == {"last": 0.4, "min": 0.4, "avg": 0.475}
    # deduplicated, keeping the title of the first mention and the URL of the second
    assert d["kb_articles"] == [
        {"id": "kb-12", "title": "Pending charges", "url": "https://help.example.com/kb-12"},
        {"id": "kb-7", "title": "Refunds", "url": None},
    ]


def test_ai_excerpt_is_clipped() -> None:
    long = Message("ai", "word " * 500, 1, confidence=0.9)
    b = build(messages=(MESSAGES[0], long), settings=BriefingSettings(excerpt_chars=50))
    assert len(b.ai_attempts[0].excerpt) <= 50
    assert b.ai_attempts[0].excerpt.endswith("…")


def test_no_ai_replies_gives_empty_confidence() -> None:
    b = build(messages=(MESSAGES[0],))
    assert b.as_dict()["ai_confidence"] == {"last": None, "min": None, "avg": None}
    assert b.ai_attempts == ()


def test_sentiment_history_per_customer_message() -> None:
    b = build(dec=decision("billing_dispute", sentiment=-0.7, trajectory="red"))
    s = b.as_dict()["sentiment"]
    assert s["now"] == -0.7
    assert s["trajectory"] == "red"
    assert len(s["history"]) == 3
    assert s["history"][1] < 0  # "ridiculous ... useless"


def test_sentiment_now_falls_back_to_last_customer_message() -> None:
    b = build(dec=Decision(True, category="billing"))
    assert b.sentiment_now == b.sentiment_history[-1]


def test_messages_without_indexes_are_numbered() -> None:
    msgs = (Message("customer", "a"), Message("ai", "b"), Message("customer", "c"))
    b = build(messages=msgs)
    assert [t["index"] for t in b.as_dict()["transcript"]] == [0, 1, 2]
    assert b.ai_attempts[0].message_index == 1


def test_reason_evidence_clipped() -> None:
    dec = Decision(True, (Reason("frustration", 2, "x" * 1000, "detail"),), category="frustration")
    b = build(dec=dec, settings=BriefingSettings(evidence_chars=80))
    r = b.as_dict()["reasons"][0]
    assert len(r["evidence"]) <= 80
    assert r == {"trigger": "frustration", "message_index": 2, "evidence": r["evidence"], "detail": "detail"}


REQUIRED_KEYS = {
    "summary", "category", "intent", "priority", "sentiment", "page_url", "ai_attempts", "ai_confidence",
    "kb_articles", "account", "open_tickets", "recommended_action", "greeting", "reasons", "transcript", "customer",
}


def test_as_dict_keys_and_json_round_trip() -> None:
    account = ctx(
        stripe(plan={"product": "Pro", "interval": "month"}, mrr={"amount": 49.0, "currency": "usd"}),
        hubspot(owner={"name": "Sam"}),
        zendesk(open_tickets=[{"id": 5, "subject": "Card", "status": "open", "created_at": "2026-03-01T00:00:00Z", "x": 1}]),
        tier="pro",
    )
    d = build(account=account).as_dict()
    assert REQUIRED_KEYS <= d.keys()
    assert json.loads(json.dumps(d)) == d
    assert d["transcript"][0] == {"index": 0, "role": "customer", "text": MESSAGES[0].text, "sent_at": "2026-03-02T10:00:00+00:00"}
    assert d["customer"] == {"name": "Ana Lima", "email": "ana@example.com", "language": "en"}
    assert d["account"]["stripe"]["status"] == "ok"
    assert d["account"]["stripe"]["facts"]["mrr"]["amount"] == 49.0
    assert d["account"]["tier"] == "pro"
    assert d["open_tickets"] == [{"id": 5, "subject": "Card", "status": "open", "created_at": "2026-03-01T00:00:00Z"}]
    assert d["intent"] == "dispute a charge"


def test_account_shows_each_source_or_why_not() -> None:
    account = AccountContext(
        (
            SourceResult("stripe", "unavailable", reason="timeout after 2.0s"),
            SourceResult("hubspot", "not_configured", reason="HUBSPOT_ACCESS_TOKEN not set"),
        )
    )
    d = build(account=account).as_dict()["account"]
    assert d["stripe"] == {"status": "unavailable", "reason": "timeout after 2.0s"}
    assert d["hubspot"] == {"status": "not_configured", "reason": "HUBSPOT_ACCESS_TOKEN not set"}
    # a source that produced no result at all is still listed, with a reason
    assert d["zendesk"]["status"] == "not_configured" and d["zendesk"]["reason"]


def test_account_facts_are_readable() -> None:
    account = ctx(
        stripe(
            plan={"product": "Business", "interval": "year", "status": "active", "quantity": 12, "cancel_at_period_end": True},
            mrr={"amount": 2400, "currency": "usd"},
            failed_payments_90d={"count": 3},
            delinquent=True,
            open_disputes=[{"id": "dp_1", "amount": 4900, "currency": "usd", "reason": "fraudulent"}],
            recent_refunds=[{"amount": 1000, "currency": "usd"}, {"amount": 500, "currency": "usd"}],
            card={"brand": "visa", "last4": "4242"},
        ),
        hubspot(
            company={"name": "Acme", "annual_revenue": "5000000"},
            lifecycle_stage="customer",
            lead_status="OPEN",
            owner={"name": "Sam Lee"},
            open_deals=[{"name": "Renewal", "amount": "28800", "stage": "contractsent"}],
            health={"health_score": 42, "empty": None},
            churn={"churn_risk": "high"},
        ),
        zendesk(open_tickets=[{"id": 1}], tickets_last_60_days=4, prior_handoffs=2),
        tier="enterprise",
    )
    facts = {(f.source, f.label): f.value for f in account_facts(account)}
    assert facts[("signals", "Tier")] == "enterprise"
    assert facts[("stripe", "Plan")] == "Business (yearly, active, 12 seats, cancels at period end)"
    assert facts[("stripe", "MRR")] == "$2,400.00"
    assert facts[("stripe", "Open disputes")] == "dp_1 $49.00 fraudulent"
    assert facts[("stripe", "Recent refunds")] == "2 ($15.00)"
    assert facts[("stripe", "Card")] == "visa •••• 4242"
    assert facts[("hubspot", "Company")] == "Acme, revenue $5,000,000.00"
    assert facts[("hubspot", "Lifecycle")] == "customer (OPEN)"
    assert facts[("hubspot", "Open deals")] == "Renewal $28,800.00 (contractsent)"
    assert facts[("hubspot", "Health")] == "health_score=42"
    assert facts[("hubspot", "Churn")] == "churn_risk=high"
    assert facts[("zendesk", "Tickets (60d)")] == "4"
    assert facts[("zendesk", "Prior handoffs")] == "2"


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"plan": None, "mrr": "lots", "failed_payments_90d": "many", "open_disputes": {"id": 1}, "card": []},
        {"failed_payments_90d": {"items": [1, 2]}, "open_disputes": ["dp_1", None], "recent_refunds": [None]},
        {"found": False},
    ],
)
def test_odd_or_missing_facts_never_raise(facts: dict[str, Any]) -> None:
    account = ctx(
        SourceResult("stripe", "ok", facts),
        SourceResult("hubspot", "ok", dict(facts)),
        SourceResult("zendesk", "ok", dict(facts)),
    )
    b = build(account=account, dec=decision("cancellation"))
    json.dumps(b.as_dict())
    assert b.summary and b.recommended_action and b.greeting


def test_not_found_customer_says_so() -> None:
    facts = account_facts(ctx(SourceResult("stripe", "ok", {"found": False})))
    assert ("stripe", "Status", "no matching customer") in [(f.source, f.label, f.value) for f in facts]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [
        ("short", 10, "short"),
        ("a  b\n c", 10, "a b c"),
        ("one two three four", 11, "one two…"),
        ("abcdefghij", 5, "abcd…"),
        # never leave the first digits of a card number behind, where masking can't recognise them
        ("My card is 4242 4242 4242 4242 thanks", 30, "My card is…"),
        ("card 4242-4242-4242-4242", 20, "card…"),
        ("order 2026 shipped to you", 12, "order 2026…"),
    ],
)
def test_clip(text: str, limit: int, expected: str) -> None:
    assert clip(text, limit) == expected


def test_settings_reject_unknown_keys() -> None:
    with pytest.raises(ValueError):
        BriefingSettings.model_validate({"summary_max_chars": 100, "nope": 1})
    with pytest.raises(ValueError):
        BriefingSettings.model_validate({"summariser": {"enabled": True, "key": "sk-..."}})


def test_unavailable_reason_is_not_said_twice() -> None:
    account = AccountContext((SourceResult("stripe", "not_configured", reason="not configured (set STRIPE_API_KEY)"),
                              SourceResult("hubspot", "unavailable", reason="timed out after 2.0 s")))
    facts = {(f.source, f.label): f.value for f in account_facts(account)}
    assert facts[("stripe", "Status")] == "not configured (set STRIPE_API_KEY)"
    assert facts[("hubspot", "Status")] == "unavailable: timed out after 2.0 s"


# ---------------------------------------------------------------- big conversations


def long_conversation(n: int = 3000, chars: int = 3000) -> tuple[Message, ...]:
    """Customer and AI alternating; every AI reply has its own confidence and KB article."""
    out = []
    for i in range(n):
        if i % 2:
            out.append(Message("ai", f"reply {i} " + "open the export page. " * (chars // 22), i,
                               confidence=round(0.5 + (i % 7) / 20, 2), kb_articles=(KBArticle(f"kb-{i}", ""),)))
        else:
            out.append(Message("customer", f"question {i}: how do I export this?", i))
    return tuple(out)


def test_a_long_conversations_briefing_carries_the_last_messages_and_replies_and_counts_the_rest() -> None:
    msgs = long_conversation()
    b = build(messages=msgs, settings=BriefingSettings(transcript_messages=20, ai_attempts=5))
    assert [m.index for m in b.transcript] == list(range(2980, 3000)) and b.transcript_total == 3000
    assert [a.message_index for a in b.ai_attempts] == [2991, 2993, 2995, 2997, 2999] and b.ai_attempts_total == 1500
    d = b.as_dict()
    assert (len(d["transcript"]), d["transcript_total"], d["ai_attempts_total"]) == (20, 3000, 1500)
    assert len(json.dumps(d)) < 100_000  # 30 KB of text in 20 messages, not 4.5 MB
    # confidence and KB articles still cover every reply
    replies = [m for m in msgs if m.role == "ai"]
    assert d["ai_confidence"]["min"] == min(m.confidence for m in replies)
    assert [k["id"] for k in d["kb_articles"]] == [f"kb-{i}" for i in range(2901, 3000, 2)]  # the latest 50
    assert len(d["sentiment"]["history"]) == 10  # the customer messages among the last 20


def test_a_briefing_reads_only_the_texts_it_shows() -> None:
    """So a caller may load only those: the others (left empty here) change nothing."""
    from handoff.core.brief import texts_needed

    msgs = long_conversation(400)
    settings = BriefingSettings(transcript_messages=20, ai_attempts=5)
    needed = texts_needed([m.role for m in msgs], settings)
    assert needed == set(range(380, 400))
    thin = tuple(m if m.index in needed else Message(m.role, "", m.index, confidence=m.confidence,
                                                      kb_articles=m.kb_articles) for m in msgs)
    assert build(messages=thin, settings=settings).as_dict() == build(messages=msgs, settings=settings).as_dict()


def test_texts_needed_reach_back_for_the_last_ai_replies() -> None:
    from handoff.core.brief import texts_needed

    roles = ["ai", "customer", "ai"] + ["customer"] * 30
    assert texts_needed(roles, BriefingSettings(transcript_messages=4, ai_attempts=2)) == {0, 2, 29, 30, 31, 32}


def test_a_briefing_stored_before_it_was_bounded_is_shown_bounded() -> None:
    from handoff.core.brief import bounded_briefing_json

    old = {"summary": "s", "transcript": [{"index": i} for i in range(500)],
           "ai_attempts": [{"message_index": i} for i in range(250)]}
    shown = bounded_briefing_json(old, BriefingSettings(transcript_messages=20, ai_attempts=5))
    assert [m["index"] for m in shown["transcript"]] == list(range(480, 500)) and shown["transcript_total"] == 500
    assert [a["message_index"] for a in shown["ai_attempts"]] == list(range(245, 250))
    assert shown["ai_attempts_total"] == 250 and shown["summary"] == "s"
    new = build().as_dict()
    assert bounded_briefing_json(new, BriefingSettings(transcript_messages=2)) == new  # already bounded: as stored
    assert bounded_briefing_json({"erased": True}, BriefingSettings()) == {"erased": True}
    assert bounded_briefing_json(None, BriefingSettings()) == {}


# ---------------------------------------------------------------- masked_clip


def _mask_cards(text: str) -> str:
    from handoff.core.masking import mask_pii

    return mask_pii(text)


def test_masked_clip_masks_a_bounded_head_of_a_long_text() -> None:
    from handoff.core.brief import MASK_MARGIN_CHARS, masked_clip

    seen: list[int] = []

    def mask(text: str) -> str:
        seen.append(len(text))
        return _mask_cards(text)

    text = "Your card 4111 1111 1111 1111 is on file. " + "More details follow here. " * 1200  # 31 KB
    out = masked_clip(text, 200, mask)
    assert seen and max(seen) <= 2 * 200 + MASK_MARGIN_CHARS
    assert out == clip(_mask_cards(text), 200)  # what masking all of it, then cutting, gives
    short = "Card 4111 1111 1111 1111 please."
    assert masked_clip(short, 200, _mask_cards) == clip(_mask_cards(short), 200)


@pytest.mark.parametrize("shift", range(0, 30, 3))
def test_masked_clip_never_cuts_a_card_number_in_two_before_masking_it(shift: int) -> None:
    """Whitespace collapses in the excerpt, so whatever ends the masked head could land in the excerpt."""
    from handoff.core.brief import MASK_MARGIN_CHARS, masked_clip

    bound = 2 * 100 + MASK_MARGIN_CHARS
    for card in ("4111 1111 1111 1111", "4111-1111-1111-1111", "4111111111111111", "3782 822463 10005"):
        text = " " * (bound - shift) + card + " and then the rest of the message." * 50
        out = masked_clip(text, 100, _mask_cards)
        assert not re.search(r"\d{3}", out.replace("1111", "").replace("0005", "")), (card, shift, out)
        assert out.endswith("…")
