"""Offers and hand-backs in the stats: counted from the handoff records, through compute_stats' window."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from handoff.core.measure.analytics import compute_stats
from handoff.core.measure.offers import offer_stats
from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.records import HandoffRecord

T0 = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def record(hid: str, *, claimed_after: float | None = None, **extra: object) -> HandoffRecord:
    return HandoffRecord(
        id=hid, conversation_id=f"c-{hid}", team="general", category="general", priority="normal", triggers=(),
        created_at=T0, conversation_started_at=None,
        claimed_at=T0 + timedelta(seconds=claimed_after) if claimed_after is not None else None,
        first_response_at=None, solved_at=None, reassigned=0, unnecessary=False, csat=None, customer_email=None,
        sources={}, briefing_fields={}, pre_handoff_customer_texts=(), post_handoff_customer_texts=(), summary="",
        **extra)  # type: ignore[arg-type]


RECORDS = [
    record("a", claimed_after=60),
    record("b", claimed_after=300, reoffers=2),
    record("c", reoffers=1, released_via="api"),
    record("d", claimed_after=30, released_via="zendesk_solved", rehandoff="same_agent"),
    record("e", released_via="zendesk_solved", rehandoff="routed"),
    record("f", released_via="slack"),
]


def test_offer_stats_count_reoffers_late_claims_hand_backs_and_rehandoffs():
    assert offer_stats(RECORDS) == {
        "offers": {"reoffered": 2, "reoffers": 3, "claimed": 3, "claimed_after_reoffer": 1},
        "hand_backs": {"total": 4, "by_source": {"api": 1, "slack": 1, "zendesk_solved": 2}},
        "rehandoffs": {"within_window": 2, "same_agent": 1},
    }


def test_nothing_to_count():
    assert offer_stats([]) == {"offers": {"reoffered": 0, "reoffers": 0, "claimed": 0, "claimed_after_reoffer": 0},
                               "hand_backs": {"total": 0, "by_source": {}},
                               "rehandoffs": {"within_window": 0, "same_agent": 0}}


def test_the_report_carries_the_time_waiting_before_claim_and_the_counts():
    data = compute_stats(RECORDS, [], settings=QualitySettings())
    assert data["time_to_claim_seconds"] == {"median": 60.0, "p90": 300.0, "count": 3}
    assert data["hand_backs"]["total"] == 4 and data["offers"]["claimed_after_reoffer"] == 1
    later = compute_stats(RECORDS, [], settings=QualitySettings(), since=T0 + timedelta(days=1))
    assert later["time_to_claim_seconds"]["count"] == 0 and later["hand_backs"]["total"] == 0
