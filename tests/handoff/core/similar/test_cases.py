"""Past cases from a solved handoff and from an exported Zendesk ticket: masked, clipped, timed."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from handoff.core.models import Message
from handoff.core.similar import SimilarSettings
from handoff.core.similar.cases import past_case_from_handoff, past_case_from_ticket, query_for

CARD = "4111 1111 1111 1111"
SETTINGS = SimilarSettings()
USERS = {1: {"id": 1, "email": "ana@example.com", "role": "end-user"}, 2: {"id": 2, "role": "agent"}}


def ticket(**over):
    base = {
        "id": 4100, "status": "solved", "subject": f"Charged twice on card {CARD}", "requester_id": 1,
        "tags": ["billing", "refund"], "created_at": "2026-03-02T10:00:00Z",
        "comments": [
            {"id": 1, "author_id": 1, "public": True, "plain_body": f"You charged my card {CARD} twice",
             "created_at": "2026-03-02T10:00:00Z"},
            {"id": 2, "author_id": 2, "public": True, "plain_body": "Looking into it.",
             "created_at": "2026-03-02T10:20:00Z"},
            {"id": 3, "author_id": 2, "public": False, "plain_body": "private: fraud check",
             "created_at": "2026-03-02T10:30:00Z"},
            {"id": 4, "author_id": 2, "public": True, "plain_body": "Refunded the second charge.",
             "created_at": "2026-03-02T11:00:00Z"},
        ],
    }
    return {**base, **over}


def test_a_solved_ticket_gives_its_last_public_reply_tags_and_time() -> None:
    case = past_case_from_ticket(ticket(), USERS, settings=SETTINGS)
    assert case is not None
    assert (case.source, case.ref, case.conversation_id) == ("zendesk", "4100", "zendesk-4100")
    assert case.resolution == "Refunded the second charge."  # the last public reply, not the private note
    assert case.tags == ("billing", "refund") and case.topic == "billing"
    assert case.resolved_in_seconds == 3600.0  # created → the resolving reply (the export has no solved time)
    assert case.customer_email == "ana@example.com"
    for text in (case.title, case.text):
        assert CARD not in text and "1111" in text  # masked, last four shown


def test_the_solved_time_is_read_when_the_export_has_it() -> None:
    case = past_case_from_ticket(ticket(metric_set={"solved_at": "2026-03-03T10:00:00Z"}), USERS, settings=SETTINGS)
    assert case is not None and case.resolved_in_seconds == 86400.0


@pytest.mark.parametrize("status", ["open", "pending", "new", None])
def test_a_ticket_not_solved_is_no_case(status) -> None:
    assert past_case_from_ticket(ticket(status=status), USERS, settings=SETTINGS) is None


def test_a_ticket_without_customer_words_is_no_case() -> None:
    only_agent = ticket(comments=[ticket()["comments"][3]], requester_id=1)
    assert past_case_from_ticket(only_agent, USERS, settings=SETTINGS) is None


@pytest.mark.parametrize(("change", "field"), [
    ({"tags": "billing"}, "tags"),
    ({"created_at": "yesterday"}, "created_at"),
    ({"comments": [{"author_id": 1, "plain_body": 7}]}, "body"),
    ({"id": None}, "id"),
])
def test_a_malformed_ticket_names_the_field(change, field) -> None:
    with pytest.raises(ValueError, match=field):
        past_case_from_ticket(ticket(**change), USERS, where="tickets[3].", settings=SETTINGS)


def test_a_solved_handoff_gives_the_customers_words_and_the_agents_reply() -> None:
    long_reply = "We refunded it. " * 100
    case = past_case_from_handoff(
        handoff_id="h_1", conversation_id="c-1", customer_texts=[f"my card {CARD} was charged twice", "hello?"],
        briefing={"intent": "refund of a double charge", "topic": "billing", "page_url": "https://x.test/settings/billing"},
        category="billing_dispute", reply=long_reply, tags=["handoff", "handoff_billing_dispute"],
        created_at=datetime(2026, 3, 2, 10, tzinfo=UTC), solved_at=datetime(2026, 3, 2, 12, tzinfo=UTC),
        customer_email="ana@example.com", settings=SETTINGS)
    assert case.title == "refund of a double charge" and case.topic == "billing" and case.page == "billing settings page"
    assert CARD not in case.text and "charged twice" in case.text
    assert len(case.resolution) <= SETTINGS.resolution_chars and case.resolution.endswith("…")
    assert case.resolved_in_seconds == 7200.0 and case.tags == ("handoff", "handoff_billing_dispute")


def test_the_query_is_the_customers_last_words_topic_and_page() -> None:
    messages = [Message("customer", "first", 0, page_url="https://x.test/a"), Message("ai", "answer", 1),
                *(Message("customer", f"m{i}", i + 2) for i in range(8))]
    q = query_for(messages, topic="billing", page_url=None)
    assert q is not None and q.text.split("\n") == [f"m{i}" for i in range(2, 8)]
    assert q.topic == "billing" and q.page == "a page"
    assert query_for([Message("ai", "hi", 0)], topic=None, page_url=None) is None
