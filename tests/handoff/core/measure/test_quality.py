"""Quality score of one handoff: each part, the total, the notes."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from handoff.core.measure.quality_settings import QualitySettings
from handoff.core.measure.records import HandoffRecord
from handoff.core.measure.quality import content_words, format_duration, score_handoff

T0 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)
FIELDS = ("summary", "category", "sentiment", "ai_attempts", "account", "recommended_action", "greeting", "transcript", "page_url")
SETTINGS = QualitySettings()

BASE = HandoffRecord(
    id="h-1",
    conversation_id="c-1",
    team="billing",
    category="billing_dispute",
    priority="normal",
    triggers=("always_human",),
    created_at=T0,
    conversation_started_at=T0 - 10 * timedelta(minutes=1),
    claimed_at=T0 + timedelta(minutes=5),
    first_response_at=T0 + timedelta(minutes=20),
    solved_at=T0 + 2 * H,
    reassigned=0,
    unnecessary=False,
    csat=None,
    customer_email="ana@example.com",
    sources={"stripe": "ok", "hubspot": "ok", "zendesk": "ok"},
    briefing_fields=dict.fromkeys(FIELDS, True),
    pre_handoff_customer_texts=("My card was charged twice this month", "I want a refund"),
    post_handoff_customer_texts=(),
    summary="Charged twice; wants a refund",
)


def test_a_clean_handoff_scores_100_without_notes():
    s = score_handoff(BASE, SETTINGS)
    assert s.total == 100.0
    assert s.parts == {"context": 1.0, "routing": 1.0, "smoothness": 1.0, "speed": 1.0}
    assert s.notes == ()


@pytest.mark.parametrize(
    ("sources", "fields", "expected", "notes"),
    [
        ({"stripe": "ok", "hubspot": "ok", "zendesk": "ok"}, dict.fromkeys(FIELDS, True), 1.0, ()),
        ({"stripe": "ok", "hubspot": "unavailable", "zendesk": "ok"}, dict.fromkeys(FIELDS, True), 0.833, ("HubSpot unavailable",)),
        # not configured is a deployment choice, not a failure
        ({"stripe": "ok", "hubspot": "not_configured", "zendesk": "ok"}, dict.fromkeys(FIELDS, True), 1.0, ()),
        (
            {"stripe": "not_configured", "hubspot": "not_configured"},
            {**dict.fromkeys(FIELDS, True), "page_url": False},
            0.889,
            ("briefing lacks the page",),
        ),
        (
            {"stripe": "unavailable", "zendesk": "unavailable"},
            {**dict.fromkeys(FIELDS, True), "account": False, "greeting": False},
            0.5 * 0 + 0.5 * 7 / 9,
            ("Stripe unavailable", "Zendesk unavailable", "briefing lacks account facts, a greeting"),
        ),
        ({"stripe": "unavailable", "zendesk": "ok"}, {}, 0.5, ("Stripe unavailable",)),
        ({}, {}, 0.5, ("no context recorded",)),
    ],
)
def test_context(sources, fields, expected, notes):
    s = score_handoff(replace(BASE, sources=sources, briefing_fields=fields), SETTINGS)
    assert s.parts["context"] == pytest.approx(expected, abs=0.001)
    assert s.notes == notes


def test_context_blend_follows_the_sources_weight():
    h = replace(BASE, sources={"stripe": "unavailable"}, briefing_fields={"summary": True})
    assert score_handoff(h, QualitySettings(context_sources_weight=0.8)).parts["context"] == pytest.approx(0.2)
    assert score_handoff(h, QualitySettings(context_sources_weight=0.0)).parts["context"] == 1.0


@pytest.mark.parametrize(
    ("reassigned", "expected", "notes"),
    [(0, 1.0, ()), (1, 0.5, ("reassigned once",)), (2, 0.0, ("reassigned twice",)), (5, 0.0, ("reassigned 5 times",))],
)
def test_routing(reassigned, expected, notes):
    s = score_handoff(replace(BASE, reassigned=reassigned), SETTINGS)
    assert s.parts["routing"] == expected
    assert s.notes == notes


@pytest.mark.parametrize(
    ("pre", "post", "expected", "repeated"),
    [
        (("My card was charged twice this month",), (), 1.0, []),
        (("My card was charged twice this month",), ("ok thanks", "hello?"), 1.0, []),
        (
            ("My card was charged twice this month",),
            ("I already told you, my card was charged twice this month!",),
            0.5,
            ["I already told you, my card was charged twice this month!"],
        ),
        (
            ("My card was charged twice this month", "Order 4471 never arrived at my house"),
            ("my card was charged twice", "order 4471 never arrived", "ok"),
            0.0,
            ["my card was charged twice", "order 4471 never arrived"],
        ),
        (("My card was charged twice this month",), ("Can you also update my billing address to Berlin?",), 1.0, []),
        # greetings and pings are not repeats even when identical
        (("hello? is anyone there",), ("hello? is anyone there",), 1.0, []),
        (("I need help please",), ("I need help please",), 1.0, []),
        ((), ("my card was charged twice",), 1.0, []),
    ],
)
def test_smoothness(pre, post, expected, repeated):
    s = score_handoff(replace(BASE, pre_handoff_customer_texts=pre, post_handoff_customer_texts=post), SETTINGS)
    assert s.parts["smoothness"] == expected
    assert [n for n in s.notes if n.startswith("customer repeated")] == [f"customer repeated: '{t}'" for t in repeated]


def test_smoothness_quotes_are_shortened_and_threshold_applies():
    long = "my card was charged twice and " + "really " * 20 + "nobody answers"
    h = replace(BASE, pre_handoff_customer_texts=(long,), post_handoff_customer_texts=(long,))
    note = score_handoff(h, SETTINGS).notes[0]
    assert note.startswith("customer repeated: 'my card was charged twice") and note.endswith("…'")
    assert len(note) < 90
    near = replace(BASE, post_handoff_customer_texts=("my card got charged two times this month",))
    assert score_handoff(near, QualitySettings(smoothness_threshold=100)).parts["smoothness"] == 1.0


@pytest.mark.parametrize(
    ("priority", "solved", "first_response", "now", "expected", "note"),
    [
        ("normal", 1 * H, None, None, 1.0, None),
        ("normal", 24 * H, None, None, 1.0, None),
        ("normal", 48 * H, None, None, 0.5, "resolved in 48 h (target 24 h)"),
        ("normal", 72 * H, None, None, 0.0, "resolved in 72 h (target 24 h)"),
        ("normal", 100 * H, None, None, 0.0, "resolved in 100 h (target 24 h)"),
        ("urgent", 6 * H, None, None, 0.75, "resolved in 6 h (target 4 h)"),
        ("low", 71 * H, None, None, 1.0, None),
        ("critical", 48 * H, None, None, 0.5, "resolved in 48 h (target 24 h)"),  # unknown priority: normal's target
        # unsolved: judged on what is known, neutral when nothing is
        ("normal", None, None, None, 0.5, None),
        ("high", None, 0.5 * H, None, 1.0, None),
        ("high", None, 2 * H, None, 0.5, "first response after 2 h (target 1 h)"),
        ("urgent", None, timedelta(minutes=45), None, 0.0, "first response after 45 min (target 15 min)"),
        ("normal", None, None, 3 * H, 0.5, None),
        ("normal", None, None, 8 * H, 0.5, "no human response yet after 8 h (target 4 h)"),
        ("normal", None, 1 * H, 48 * H, 0.5, "unresolved after 48 h (target 24 h)"),
        ("normal", None, 1 * H, 10 * H, 1.0, None),
    ],
)
def test_speed(priority, solved, first_response, now, expected, note):
    h = replace(
        BASE,
        priority=priority,
        solved_at=T0 + solved if solved is not None else None,
        first_response_at=T0 + first_response if first_response is not None else None,
    )
    s = score_handoff(h, SETTINGS, now=T0 + now if now is not None else None)
    assert s.parts["speed"] == pytest.approx(expected)
    assert s.notes == ((note,) if note else ())


def test_total_uses_the_weights_and_collects_notes_in_part_order():
    h = replace(
        BASE,
        sources={"stripe": "ok", "hubspot": "unavailable"},
        reassigned=1,
        post_handoff_customer_texts=("my card was charged twice this month!!",),
        solved_at=T0 + 48 * H,
    )
    equal = score_handoff(h, SETTINGS)
    # context 0.5*0.5 + 0.5*1 = 0.75, routing 0.5, smoothness 0.5, speed 0.5
    assert equal.parts == {"context": 0.75, "routing": 0.5, "smoothness": 0.5, "speed": 0.5}
    assert equal.total == pytest.approx(56.25, abs=0.051)  # 56.25 rounded to one decimal
    skewed = score_handoff(h, QualitySettings(weights={"context": 0.7, "routing": 0.1, "smoothness": 0.1, "speed": 0.1}))
    assert skewed.total == 67.5
    assert equal.notes == (
        "HubSpot unavailable",
        "reassigned once",
        "customer repeated: 'my card was charged twice this month!!'",
        "resolved in 48 h (target 24 h)",
    )


def test_negative_durations_count_as_zero():
    h = replace(BASE, solved_at=T0 - H)  # clock skew: solved "before" the handoff
    assert score_handoff(h, SETTINGS).parts["speed"] == 1.0


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 min"), (59, "1 min"), (45 * 60, "45 min"), (3600, "1 h"), (5400, "1.5 h"), (31 * 3600, "31 h"), (72 * 3600, "72 h")],
)
def test_format_duration(seconds, text):
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("text", "words"),
    [("ok", []), ("Hello? is anyone there", []), ("My card was charged TWICE!", ["card", "charged", "twice"])],
)
def test_content_words(text, words):
    assert content_words(text) == words


@pytest.mark.parametrize(
    "bad",
    [
        {"weights": {"context": 0.5}},
        {"weights": {"context": 0.25, "routing": 0.25, "smoothness": 0.25, "speed": 0.2}},
        {"weights": {"context": -0.25, "routing": 0.5, "smoothness": 0.5, "speed": 0.25}},
        {"weights": {"context": 0.25, "routing": 0.25, "smoothness": 0.25, "speed": 0.25, "tone": 0}},
        {"resolution_target_seconds": {"critical": 60}},
        {"resolution_target_seconds": {"urgent": 0}},
        {"first_response_target_seconds": {"high": "soon"}},
        {"first_response_target_seconds": {"high": True}},
        {"repeat_window_days": 0},
        {"smoothness_threshold": 120},
        {"zero_at_multiple": 1},
        {"worst": 3},
    ],
)
def test_settings_reject_bad_values(bad):
    with pytest.raises(ValidationError):
        QualitySettings(**bad)


def test_settings_defaults_and_partial_targets():
    s = QualitySettings(
        weights={"context": 0.4, "routing": 0.2, "smoothness": 0.2, "speed": 0.2000001},
        resolution_target_seconds={"urgent": 7200},
    )
    assert s.resolution_target_seconds == {"urgent": 7200, "high": 28800, "normal": 86400, "low": 259200}
    assert s.first_response_target_seconds == {"urgent": 900, "high": 3600, "normal": 14400, "low": 86400}
    assert (s.repeat_window_days, s.worst_count) == (7, 10)
    assert s.resolution_target_for("whatever") == 86400
