"""Product signals: a page or topic is flagged when it rises well above its usual level, never on no history."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from handoff.core.measure.signal_settings import SignalSettings
from handoff.core.measure.signals import SignalRecord, describe_spike, product_signals

END = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def _h(at: datetime, page: str | None = "/settings/billing", *, category: str = "billing", topic: str = "billing",
       team: str = "billing") -> SignalRecord:
    return SignalRecord(created_at=at, team=team, category=category, topic=topic, page_url=page)


def _weekly(n: int, weeks_back: range, **kw) -> list[SignalRecord]:
    return [_h(END - w * WEEK - timedelta(hours=i + 1), **kw) for w in weeks_back for i in range(n)]


def _signals(records, **settings):
    return product_signals(records, end=END, period=WEEK, settings=SignalSettings(**settings))


def test_a_page_well_above_its_usual_level_is_a_spike_with_its_top_reason() -> None:
    records = (_weekly(3, range(1, 5), page="https://app.example.com/settings/billing?invoice=1")
               + _weekly(8, range(0, 1), category="payment_failed")
               + _weekly(2, range(0, 1), category="frustration"))
    s = _signals(records)
    [page] = s["pages"]
    assert page == {"key": "/settings/billing", "current": 10, "usual": 3.0, "ratio": 3.33, "spike": True,
                    "top_reason": "payment failed", "top_reason_count": 8}
    assert [(x["kind"], x["key"]) for x in s["spikes"]] == [("page", "/settings/billing"), ("topic", "billing")]
    assert describe_spike(s["spikes"][0]) == ("/settings/billing: 10 handoffs this week, 3.3× the usual 3; "
                                              "top reason: payment failed (8)")
    assert describe_spike(s["spikes"][1]).startswith("topic billing: 10 handoffs this week")


def test_a_steady_page_and_a_small_rise_are_not_spikes() -> None:
    records = _weekly(6, range(0, 5)) + _weekly(1, range(1, 5), page="/orders/1/refund") + _weekly(
        4, range(0, 1), page="/orders/2/refund")
    s = _signals(records)
    by_key = {r["key"]: r for r in s["pages"]}
    assert by_key["/settings/billing"]["spike"] is False and by_key["/settings/billing"]["ratio"] == 1.0
    # 4× its usual, but fewer than min_handoffs (5): too few to mean anything
    assert by_key["/orders/:id/refund"] == {**by_key["/orders/:id/refund"], "current": 4, "ratio": 4.0, "spike": False}
    assert s["spikes"] == []


def test_a_page_new_this_week_is_flagged_once_there_is_history() -> None:
    records = _weekly(3, range(1, 3)) + _weekly(3, range(0, 1)) + _weekly(6, range(0, 1), page="/checkout/new-flow",
                                                                           topic="technical")
    s = _signals(records)
    [spike, topic] = s["spikes"]
    assert topic["key"] == "technical"
    assert spike["key"] == "/checkout/new-flow" and spike["ratio"] is None and spike["usual"] == 0
    # two weeks of history: the usual is their mean, not the mean of four
    assert s["baseline"]["periods_with_data"] == 2
    assert describe_spike(spike).startswith("/checkout/new-flow: 6 handoffs this week, none in the previous 4 weeks")


def test_without_history_nothing_is_flagged() -> None:
    s = _signals(_weekly(40, range(0, 1)))
    assert s["baseline"]["periods_with_data"] == 0
    assert s["pages"][0]["current"] == 40 and s["spikes"] == []


def test_older_handoffs_than_the_baseline_and_later_than_the_end_do_not_count() -> None:
    records = _weekly(3, range(1, 5)) + _weekly(50, range(5, 9)) + [_h(END + timedelta(hours=1))] * 20
    s = _signals(records)
    assert s["pages"] == [] and s["baseline"]["periods_with_data"] == 4


def test_patterns_keep_ids_from_splitting_a_product_area_and_teams_filter() -> None:
    records = ([_h(END - timedelta(hours=i + 1), f"/projects/p{i}x/settings/members", team="technical")
                for i in range(7)] + _weekly(1, range(1, 5), page="/projects/a/settings", team="technical")
               + _weekly(9, range(0, 1), team="billing"))
    s = product_signals(records, end=END, period=WEEK, team="technical",
                        settings=SignalSettings(page_groups=[{"pattern": "/projects/*/settings*",
                                                              "name": "project settings"}]))
    assert [(r["key"], r["current"], r["spike"]) for r in s["pages"]] == [("project settings", 7, True)]


def test_handoffs_without_a_page_are_counted_apart() -> None:
    s = _signals(_weekly(2, range(0, 1), page=None) + _weekly(1, range(0, 1)))
    assert s["without_page"] == 2 and [r["key"] for r in s["pages"]] == ["/settings/billing"]
    assert s["topics"][0]["current"] == 3


def test_tables_show_the_top_rows_and_every_spike() -> None:
    quiet = [r for i in range(6) for r in _weekly(6, range(0, 5), page=f"/area{i}")]
    rare = [r for p in ("/rare", "/odd") for r in _weekly(5, range(0, 1), page=p) + _weekly(1, range(1, 5), page=p)]
    s = _signals(quiet + rare, top=1)
    # spikes first, and all of them even past `top`
    assert [r["key"] for r in s["pages"]] == ["/odd", "/rare"]
    assert len(_signals(quiet + rare, top=4)["pages"]) == 4


def test_the_window_must_be_positive_and_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        product_signals([], end=END, period=timedelta(0), settings=SignalSettings())
    assert SignalSettings(page_groups=["/a/*"]).groups().groups[0].name == "/a/*"
    with pytest.raises(ValidationError):
        SignalSettings(spike_ratio=1.0)
    with pytest.raises(ValidationError):
        SignalSettings(page_groups=[{"pattern": "/a", "colour": "red"}])
