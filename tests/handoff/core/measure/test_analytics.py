"""`compute_stats` and `trend`: the numbers of `handoff stats`, checked against values worked out by hand."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from handoff.core.measure.analytics import compute_stats, distribution
from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.records import ConversationRecord, HandoffRecord
from handoff.core.measure.trend import trend
from handoff.core.measure.quality import score_handoff

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # a Monday
M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
FIELDS = ("summary", "category", "sentiment", "ai_attempts", "account", "recommended_action", "greeting", "transcript")
SETTINGS = QualitySettings()


def rec(id: str, conv: str, *, created: datetime, **over) -> HandoffRecord:
    """A handoff with clean defaults (scores 100 when solved in time)."""
    base = dict(
        id=id,
        conversation_id=conv,
        team="billing",
        category="billing_dispute",
        priority="normal",
        triggers=("always_human",),
        created_at=created,
        conversation_started_at=created - 10 * M,
        claimed_at=None,
        first_response_at=None,
        solved_at=None,
        reassigned=0,
        unnecessary=False,
        csat=None,
        customer_email=None,
        sources={"stripe": "ok", "hubspot": "ok", "zendesk": "ok"},
        briefing_fields=dict.fromkeys(FIELDS, True),
        pre_handoff_customer_texts=(),
        post_handoff_customer_texts=(),
        summary=f"summary of {id}",
    )
    return HandoffRecord(**{**base, **over})


# Four handoffs and nine conversations; every expected number below is worked out from these.
HANDOFFS = [
    rec("h1", "c1", created=T0, triggers=("always_human", "negative_sentiment"), claimed_at=T0 + 5 * M,
        first_response_at=T0 + 30 * M, solved_at=T0 + 2 * H, csat="good", customer_email="ana@example.com"),
    rec("h2", "c2", created=T0 + D, conversation_started_at=T0 + D - 5 * M, triggers=("explicit_request",),
        first_response_at=T0 + D + H, solved_at=T0 + D + 30 * H, csat="bad", customer_email=" ANA@example.com",
        reassigned=1),
    rec("h3", "c3", created=T0 + 2 * D, conversation_started_at=T0 + 2 * D - 20 * M, team="technical",
        category="technical", triggers=("low_confidence", "explicit_request"), unnecessary=True,
        customer_email="bob@example.com"),
    rec("h4", "c4", created=T0 + 8 * D, conversation_started_at=T0 + 8 * D - M, team="technical",
        category="technical", triggers=("low_confidence",), claimed_at=T0 + 8 * D + H,
        first_response_at=T0 + 8 * D + 4 * H, solved_at=T0 + 11 * D, csat="good", unnecessary=True),
]
CONVERSATIONS = [
    ConversationRecord("c1", T0 - 10 * M, True, None, "billing"),
    ConversationRecord("c2", T0 + D - 5 * M, True, None, "billing"),
    ConversationRecord("c3", T0 + 2 * D - 20 * M, True, None, "technical"),
    ConversationRecord("c4", T0 + 8 * D - M, True, None, "technical"),
    ConversationRecord("c5", T0 + H, False, "good"),
    ConversationRecord("c6", T0 + D, False, "good"),
    ConversationRecord("c7", T0 + 3 * D, False, "bad"),
    ConversationRecord("c8", T0 + 3 * D, False, "bad"),
    ConversationRecord("c9", None, False, None),
]


def stats(**kw):
    return compute_stats(HANDOFFS, CONVERSATIONS, settings=kw.pop("settings", SETTINGS), **kw)


def test_counts_rates_and_breakdowns():
    s = stats()
    assert (s["conversations"], s["handoffs"], s["handoff_rate"]) == (9, 4, 0.4444)
    assert list(s["by_reason"].items()) == [
        ("explicit_request", 2), ("low_confidence", 2), ("always_human", 1), ("negative_sentiment", 1)
    ]
    assert s["by_category"] == {"billing_dispute": 2, "technical": 2}
    assert s["unnecessary_rate"] == 0.5
    assert s["repeat_contact_rate"] == 0.3333  # h1 (ana) came back as h2; 3 handoffs carry an email
    assert s["repeat_contacts"] == {"repeated": 1, "with_email": 3}


def test_durations_median_and_nearest_rank_p90():
    s = stats()
    assert s["time_to_handoff_seconds"] == {"median": 450.0, "p90": 1200.0, "count": 4}
    assert s["time_to_first_human_response_seconds"] == {"median": 3600.0, "p90": 14400.0, "count": 3}
    assert s["resolution_seconds"] == {"median": 108000.0, "p90": 259200.0, "count": 3}


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([], None, None),
        ([10], 10, 10),
        ([5, 1, 3], 3, 5),
        (list(range(1, 11)), 5.5, 9),
        (list(range(1, 12)), 6, 10),
        ([0.25, 0.75], 0.5, 0.8),  # rounded to one decimal
    ],
)
def test_distribution(values, median, p90):
    d = distribution(values)
    assert (d["median"], d["p90"], d["count"]) == (median, p90, len(values))


def test_csat_handoff_against_ai_only():
    assert stats()["csat"] == {
        "handoff": {"good": 2, "bad": 1, "rate": 0.6667},
        "ai_only": {"good": 2, "bad": 2, "rate": 0.5},
        "difference": 0.1667,
    }
    only_ai = compute_stats([], CONVERSATIONS, settings=SETTINGS)["csat"]
    assert only_ai["handoff"]["rate"] is None and only_ai["difference"] is None


def test_quality_scores_and_worst_list():
    s = stats()
    # h1 100; h2 reassigned once, solved in 30 h -> 25*(1+.5+1+.875); h3 unsolved, nothing known -> speed .5;
    # h4 solved in 72 h (3x target) -> speed 0
    assert [(w["id"], w["score"]) for w in s["worst_handoffs"]] == [("h4", 75.0), ("h2", 84.4), ("h3", 87.5), ("h1", 100.0)]
    assert s["quality_score"]["count"] == 4
    assert s["quality_score"]["mean"] == pytest.approx(86.7, abs=0.051)
    assert s["quality_score"]["median"] == pytest.approx(85.95, abs=0.051)
    assert s["quality_score"]["parts_mean"]["routing"] == 0.875
    h2 = s["worst_handoffs"][1]
    assert h2["parts"] == {"context": 1.0, "routing": 0.5, "smoothness": 1.0, "speed": 0.875}
    assert h2["notes"] == ["reassigned once", "resolved in 30 h (target 24 h)"]
    assert h2["summary"] == "summary of h2" and h2["created_at"] == "2026-03-03T10:00:00+00:00"
    assert [w["id"] for w in stats(settings=QualitySettings(worst_count=2))["worst_handoffs"]] == ["h4", "h2"]


def test_now_judges_waiting_handoffs_and_ties_go_to_the_older():
    s = stats(now=T0 + 10 * D)  # h3 has waited 8 days without a reply: speed 0, like h4
    assert [(w["id"], w["score"]) for w in s["worst_handoffs"]][:2] == [("h3", 75.0), ("h4", 75.0)]
    assert "no human response yet after 192 h (target 4 h)" in s["worst_handoffs"][0]["notes"]


def test_trigger_precision_from_agent_feedback():
    assert stats()["trigger_precision"] == {
        "explicit_request": {"handoffs": 2, "flagged_unnecessary": 1, "confirmed": 1, "precision": 0.5},
        "low_confidence": {"handoffs": 2, "flagged_unnecessary": 2, "confirmed": 0, "precision": 0.0},
        "always_human": {"handoffs": 1, "flagged_unnecessary": 0, "confirmed": 1, "precision": 1.0},
        "negative_sentiment": {"handoffs": 1, "flagged_unnecessary": 0, "confirmed": 1, "precision": 1.0},
    }


def test_confirmed_needs_a_claim_or_a_solve():
    hs = [rec("a", "ca", created=T0), rec("b", "cb", created=T0, claimed_at=T0 + M)]
    assert compute_stats(hs, [], settings=SETTINGS)["trigger_precision"]["always_human"]["confirmed"] == 1


def test_daily_timeline_fills_gaps():
    rows = stats()["timeline"]
    assert [r["start"] for r in rows] == [f"2026-03-{d:02d}" for d in range(2, 11)]
    got = [(r["conversations"], r["handoffs"], r["rate"]) for r in rows]
    assert got == [(2, 1, 0.5), (2, 1, 0.5), (1, 1, 1.0), (2, 0, 0.0)] + [(0, 0, None)] * 4 + [(1, 1, 1.0)]
    assert rows[0]["quality_mean"] == 100.0 and rows[3]["quality_mean"] is None


def test_weekly_timeline_starts_on_monday():
    rows = stats(bucket="week")["timeline"]
    assert [(r["start"], r["conversations"], r["handoffs"], r["rate"]) for r in rows] == [
        ("2026-03-02", 7, 3, 0.4286),
        ("2026-03-09", 1, 1, 1.0),
    ]
    assert rows[1]["quality_mean"] == 75.0


def test_timeline_spans_the_window_when_given():
    rows = stats(since=T0 - 2 * D, until=T0 + D)["timeline"]
    # `until` at 10:00 on 3 March: that day is partly inside, so it has a row
    assert [r["start"] for r in rows] == ["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03"]
    assert [r["handoffs"] for r in rows] == [0, 0, 1, 0]
    assert [r["conversations"] for r in rows] == [0, 0, 2, 1]


def test_time_window_is_half_open():
    s = stats(since=T0 + D, until=T0 + 8 * D)
    assert [w["id"] for w in s["worst_handoffs"]] == ["h2", "h3"]  # h4 at `until` is out
    # c2 started 5 minutes before `since`: out, although its handoff is in; c4 started a minute
    # before `until`: in, although its handoff is out; c9 has no start time
    assert s["conversations"] == 5 and s["handoff_rate"] == 0.4
    assert s["filters"] == {
        "since": "2026-03-03T10:00:00+00:00", "until": "2026-03-10T10:00:00+00:00", "team": None, "bucket": "day"
    }


def test_naive_window_is_read_as_utc():
    naive = stats(since=datetime(2026, 3, 3, 10, 0), until=datetime(2026, 3, 10, 10, 0))
    assert naive["handoffs"] == stats(since=T0 + D, until=T0 + 8 * D)["handoffs"] == 2


def test_repeat_contact_follow_up_is_looked_for_beyond_the_window():
    s = stats(until=T0 + D)  # only h1 in the window; its follow-up h2 is outside
    assert s["handoffs"] == 1 and s["repeat_contact_rate"] == 1.0


def test_team_filter_keeps_all_conversations_as_denominator():
    s = stats(team="technical")
    assert (s["conversations"], s["handoffs"], s["handoff_rate"]) == (9, 2, 0.2222)
    assert list(s["by_team"]) == ["technical"]
    assert s["csat"]["ai_only"]["rate"] == 0.5  # the AI-only baseline is the same for every team
    assert s["csat"]["handoff"] == {"good": 1, "bad": 0, "rate": 1.0}
    assert s["filters"]["team"] == "technical"
    assert stats(team="nobody")["handoffs"] == 0


def test_by_team():
    bt = stats()["by_team"]
    assert list(bt) == ["billing", "technical"]
    assert bt["billing"] == {
        "handoffs": 2,
        "unnecessary_rate": 0.0,
        "reassigned_rate": 0.5,
        "quality_mean": pytest.approx(92.2, abs=0.051),
        "first_response_median_seconds": 2700.0,
        "resolution_median_seconds": 57600.0,
        "csat": {"good": 1, "bad": 1, "rate": 0.5},
    }
    assert bt["technical"]["first_response_median_seconds"] == 14400.0
    assert bt["technical"]["unnecessary_rate"] == 1.0


A = "ana@example.com"


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        (dict(created=T0 + 7 * D), 0.5),  # exactly at the window's end: counts
        (dict(created=T0 + 7 * D + timedelta(seconds=1)), 0.0),
        (dict(created=T0 + timedelta(seconds=1)), 0.5),
        (dict(created=T0), 0.0),  # same instant is not "followed by"
        (dict(created=T0 - D), 0.5),  # the earlier one is the repeated one
        (dict(created=T0 + D, category="technical"), 0.0),
        (dict(created=T0 + D, conv="c-a"), 0.0),  # the same conversation handed again is no new contact
        (dict(created=T0 + D, email=" Ana@Example.com "), 0.5),
        (dict(created=T0 + D, email=None), 0.0),  # and only one handoff is eligible
        (dict(created=T0 + D, email="bob@example.com"), 0.0),
    ],
)
def test_repeat_contact_window_edges(second, expected):
    first = rec("a", "c-a", created=T0, customer_email=A)
    other = rec("b", second.get("conv", "c-b"), created=second["created"], customer_email=second.get("email", A),
                category=second.get("category", "billing_dispute"))
    assert compute_stats([first, other], [], settings=SETTINGS)["repeat_contact_rate"] == expected


def test_repeat_window_days_is_a_setting():
    pair = [rec("a", "c-a", created=T0, customer_email=A), rec("b", "c-b", created=T0 + 2 * D, customer_email=A)]
    assert compute_stats(pair, [], settings=QualitySettings(repeat_window_days=1))["repeat_contact_rate"] == 0.0
    assert compute_stats(pair, [], settings=QualitySettings(repeat_window_days=2))["repeat_contact_rate"] == 0.5


def test_empty_input_gives_zeros_and_nones():
    s = compute_stats([], [], settings=SETTINGS)
    assert (s["conversations"], s["handoffs"], s["handoff_rate"]) == (0, 0, 0.0)
    assert s["by_reason"] == {} and s["by_category"] == {} and s["worst_handoffs"] == [] and s["timeline"] == []
    for key in ("time_to_handoff_seconds", "time_to_first_human_response_seconds", "resolution_seconds"):
        assert s[key] == {"median": None, "p90": None, "count": 0}
    assert s["repeat_contact_rate"] is None and s["unnecessary_rate"] is None
    assert s["quality_score"]["mean"] is None and s["quality_score"]["count"] == 0
    assert s["csat"]["difference"] is None
    json.dumps(s)


def test_missing_times_are_skipped_not_fatal():
    h = replace(HANDOFFS[0], conversation_started_at=None, first_response_at=None, solved_at=None)
    s = compute_stats([h], [], settings=SETTINGS)
    assert s["time_to_handoff_seconds"]["count"] == 0 and s["resolution_seconds"]["count"] == 0
    assert s["handoff_rate"] == 0.0  # no conversation records at all


def test_output_is_plain_json():
    s = stats(since=T0 - D, until=T0 + 20 * D, now=T0 + 20 * D, bucket="week")
    assert json.loads(json.dumps(s)) == s


def test_bad_bucket_is_refused():
    with pytest.raises(ValueError):
        stats(bucket="month")


def test_scores_match_score_handoff():
    s = stats()
    for w in s["worst_handoffs"]:
        h = next(h for h in HANDOFFS if h.id == w["id"])
        assert w["score"] == score_handoff(h, SETTINGS).total


def test_trend_between_two_weeks():
    this = stats(since=T0 + 7 * D, until=T0 + 14 * D)  # h4 only
    last = stats(since=T0, until=T0 + 7 * D)  # h1, h2, h3
    t = trend(this, last)
    assert t["handoffs"] == {"current": 1, "previous": 3, "delta": -2}
    assert t["handoff_rate"] == {"current": 1.0, "previous": 0.5, "delta": 0.5}
    assert t["unnecessary_rate"] == {"current": 1.0, "previous": 0.3333, "delta": 0.6667}
    assert t["quality_mean"]["current"] == 75.0 and t["quality_mean"]["delta"] == pytest.approx(-15.6, abs=0.051)
    assert t["top_reasons"] == ["low_confidence"]
    assert t["reason_changes"][0] == {"trigger": "explicit_request", "current": 0, "previous": 2, "delta": -2}
    assert {c["trigger"] for c in t["reason_changes"]} == {"explicit_request", "always_human", "negative_sentiment"}
    assert t["new_reasons"] == [] and t["gone_reasons"] == ["always_human", "explicit_request", "negative_sentiment"]
    json.dumps(t)


def test_trend_with_empty_sides_has_no_deltas():
    empty = compute_stats([], [], settings=SETTINGS)
    t = trend(empty, empty)
    assert t["unnecessary_rate"] == {"current": None, "previous": None, "delta": None}
    assert t["reason_changes"] == [] and t["top_reasons"] == []
    assert trend({}, {})["quality_mean"]["delta"] is None
