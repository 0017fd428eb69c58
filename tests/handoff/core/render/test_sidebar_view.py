"""The sidebar app's JSON from a stored handoff: what is shown, in which words, masked like the ticket note."""
from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from handoff.core.render.sidebar_view import SidebarHandoff, no_handoff_view, sidebar_view

AT = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
CARD = "4111 1111 1111 1111"
BRIEFING = {
    "summary": f"Charged twice on card {CARD}",
    "priority": "high", "category": "billing_dispute", "language": "en",
    "sentiment": {"now": -0.61, "trajectory": "red", "history": [0.1, -0.3, -0.61]},
    "customer": {"name": "Ana Lima", "email": "ana@example.com", "language": None},
    "reasons": [{"trigger": "always_human", "message_index": 2, "evidence": "charged twice"},
                {"trigger": "learned_intent", "message_index": 2, "evidence": "charged twice", "detail": "0.97"},
                {"trigger": "low_confidence", "message_index": -1, "evidence": ""}],
    "account": {"stripe": {"status": "ok", "facts": {}}, "hubspot": {"status": "unavailable", "reason": "timed out"},
                "tier": "enterprise", "churn_risk": True},
    "account_facts": [{"source": "signals", "label": "Tier", "value": "enterprise"},
                      {"source": "signals", "label": "Churn risk", "value": "yes"},
                      {"source": "stripe", "label": "MRR", "value": "$499.00"},
                      {"source": "hubspot", "label": "Status", "value": "unavailable: timed out after 2 s"}],
    "open_tickets": [],
    "ai_attempts": [{"message_index": 1, "text": "Try again later", "confidence": 0.4, "kb_articles": [], "actions": []}],
    "ai_attempts_total": 3, "ai_confidence": {"last": 0.4, "min": 0.3, "avg": 0.35},
    "similar": [{"ref": "h_1", "source": "handoff", "title": "Double charge", "resolution": "Refunded",
                 "resolved_in_seconds": 1800, "tags": ["refund"]}],
    "recommended_action": "Refund the duplicate", "greeting": f"Hi Ana, about card {CARD}…",
    "transcript": [{"index": 0, "role": "customer", "text": f"my card is {CARD}", "sent_at": None}],
    "transcript_total": 7,
}


def view(status: str = "open", briefing=None, claimed_by=None, name=None):
    return sidebar_view(SidebarHandoff(handoff_id="h_abc", status=status, ticket_id=42, created_at=AT, facts_as_of=AT,
                                       claimed_by=claimed_by, claimed_by_name=name, team="billing",
                                       briefing=BRIEFING if briefing is None else briefing))


def test_the_top_bar_and_the_sentiment_in_words_not_colour_alone():
    v = view()
    assert v["customer"]["name"] == "Ana Lima" and v["tier"] == "enterprise" and v["priority"] == "high"
    assert v["sentiment"] == {"level": "red", "label": "upset", "symbol": "✕", "score": -0.61,
                              "history": [0.1, -0.3, -0.61]}
    odd = view(briefing={**BRIEFING, "sentiment": {"trajectory": "purple"}})
    assert odd["sentiment"]["level"] == "yellow"  # unknown is never shown as calm


def test_reasons_quote_each_message_once_and_number_messages_from_one():
    reasons = view()["reasons"]
    assert [(r["label"], r["message_number"], r["evidence"]) for r in reasons] == [
        ("always human", 3, "charged twice"), ("learned intent", 3, None), ("low confidence", None, None)]
    assert reasons[1]["detail"] == "0.97"


def test_each_source_ok_or_why_not_and_the_facts_freshness():
    account = view()["account"]
    by = {s["source"]: s for s in account["sources"]}
    assert by["stripe"]["available"] and by["stripe"]["facts"] == [{"label": "MRR", "value": "$499.00"}]
    assert not by["hubspot"]["available"] and by["hubspot"]["reason"] == "timed out after 2 s"
    assert by["zendesk"]["status"] == "not_configured" and by["zendesk"]["reason"] == "not configured"
    assert account["signals"] == [{"label": "Churn risk", "value": "yes"}]  # the tier is in the top bar
    assert account["as_of"] == AT.isoformat()
    assert account["open_tickets"] == {"known": False, "items": []}


def test_what_the_ai_tried_similar_cases_and_the_transcript():
    v = view()
    assert v["ai"]["total"] == 3 and v["ai"]["attempts"][0]["message_number"] == 2
    assert v["ai"]["confidence"] == {"last": 0.4, "min": 0.3, "avg": 0.35}
    assert v["similar"][0]["resolved_in"] == "30 min"
    assert v["transcript"]["total"] == 7 and v["transcript"]["messages"][0]["number"] == 1


def test_card_numbers_are_masked_everywhere_and_emails_kept():
    text = json.dumps(view(), ensure_ascii=False)
    assert CARD not in text and "1111" in text
    assert "ana@example.com" in text


@pytest.mark.parametrize("status, claim, hand_back", [
    ("open", True, True), ("callback_scheduled", True, True), ("claimed", False, True), ("released", False, False),
    ("bogus", False, False)])
def test_what_the_buttons_may_do(status, claim, hand_back):
    v = view(status)
    assert (v["can_claim"], v["can_hand_back"]) == (claim, hand_back)


def test_who_has_it_and_an_empty_briefing():
    assert view("claimed", claimed_by="sam", name="Sam Rivera")["claimed_by"] == {"id": "sam", "name": "Sam Rivera"}
    bare = view("open", briefing={})
    assert bare["summary"] == "" and bare["reasons"] == [] and bare["sentiment"]["level"] == "yellow"
    assert no_handoff_view(7, None) == {"ticket_id": 7, "external_id": None, "handoff": None}
