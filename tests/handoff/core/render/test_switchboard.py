"""The Switchboard metadata: always within Sunshine's 4 KB as the client sends it, the summary cut first,
the handoff id kept, texts masked and flat."""
from __future__ import annotations

import json

from hypothesis import example, given, settings
from hypothesis import strategies as st

from handoff.core.render.switchboard import (
    ELLIPSIS,
    METADATA_MAX_BYTES,
    fit_metadata,
    metadata_size,
    pass_metadata,
    release_metadata,
)

HID = "h_0123456789abcdef01234567"


def test_a_usual_handoff_is_sent_whole():
    m = pass_metadata(handoff_id=HID, summary="Charged twice for March; wants a refund.", category="billing",
                      priority="high", team="billing", triggers=["explicit_request", "topic", "explicit_request"])
    assert m == {"handoff_id": HID, "handoff_summary": "Charged twice for March; wants a refund.",
                 "handoff_category": "billing", "handoff_priority": "high", "handoff_team": "billing",
                 "handoff_triggers": "explicit_request, topic"}


def test_empty_values_are_left_out():
    assert pass_metadata(handoff_id=HID, summary="", category=None, priority="normal", team=None) == {
        "handoff_id": HID, "handoff_priority": "normal"}
    assert release_metadata(handoff_id=HID, reason=None) == {"handoff_id": HID}
    assert release_metadata(handoff_id=HID, reason="  resolved by the bot \n ") == {
        "handoff_id": HID, "handoff_release_reason": "resolved by the bot"}


def test_the_size_is_what_the_client_sends():
    # the client sends json.dumps' defaults: "é" is 6 bytes (\u00e9), not 2
    assert metadata_size({"a": "é"}) == len('{"a": "\\u00e9"}')


def test_a_long_summary_is_cut_and_everything_else_kept():
    m = pass_metadata(handoff_id=HID, summary="日本語の要約 " * 2000, category="billing", priority="urgent",
                      team="billing", triggers=["sentiment"])
    assert metadata_size(m) <= METADATA_MAX_BYTES
    assert METADATA_MAX_BYTES - metadata_size(m) < 12  # cut as late as it can be (one escaped character and the ellipsis)
    assert m["handoff_summary"].endswith(ELLIPSIS) and m["handoff_summary"].startswith("日本語の要約")
    assert {k: v for k, v in m.items() if k != "handoff_summary"} == {
        "handoff_id": HID, "handoff_category": "billing", "handoff_priority": "urgent", "handoff_team": "billing",
        "handoff_triggers": "sentiment"}


def test_the_summary_goes_before_anything_else_gives_way():
    m = pass_metadata(handoff_id=HID, summary="s" * 10_000, category="c" * 2000, priority="high", team="t")
    assert metadata_size(m) <= METADATA_MAX_BYTES
    assert m["handoff_category"] == "c" * 2000 and m["handoff_summary"].startswith("sss")
    m = pass_metadata(handoff_id=HID, summary="s" * 10_000, category="c" * 5000, priority="high", team="t")
    assert metadata_size(m) <= METADATA_MAX_BYTES
    assert "handoff_summary" not in m  # nothing of it fits next to a 5,000-character category, which is cut next
    assert m["handoff_category"].startswith("ccc") and m["handoff_category"].endswith(ELLIPSIS)
    assert m["handoff_id"] == HID and m["handoff_priority"] == "high" and m["handoff_team"] == "t"


def test_card_numbers_are_masked_before_the_cut():
    summary = "card 4242 4242 4242 4242 " + "x" * 5000
    m = pass_metadata(handoff_id=HID, summary=summary, category=None, priority=None, team=None)
    assert "4242 4242 4242 4242" not in json.dumps(m)
    assert "4242 4242 42" not in m["handoff_summary"]  # never half a card either


def test_a_smaller_limit_is_honoured():
    m = pass_metadata(handoff_id=HID, summary="word " * 100, category="billing", priority="high", team="b",
                      limit=200)
    assert metadata_size(m) <= 200 and m["handoff_id"] == HID


def test_entries_are_dropped_only_when_nothing_else_can_give_way():
    m = fit_metadata({"flag": True, "n": 3, "text": "x" * 100}, ("text",), limit=22)
    assert metadata_size(m) <= 22 and "text" not in m
    assert fit_metadata({"n": 1}, (), limit=2) == {}


texts = st.text(alphabet=st.characters(codec="utf-8"), max_size=3000)


@settings(max_examples=300, deadline=None)
@given(summary=texts, category=st.one_of(st.none(), st.text(max_size=2000)), team=st.text(max_size=500),
       priority=st.sampled_from(["low", "normal", "high", "urgent"]), triggers=st.lists(st.text(max_size=300), max_size=8),
       limit=st.integers(min_value=120, max_value=8192))
@example(summary="\U0001f600" * 3000, category="c" * 2000, team="t" * 500, priority="urgent", triggers=["x" * 300] * 8,
         limit=METADATA_MAX_BYTES)
def test_any_handoff_fits_and_keeps_its_id(summary, category, team, priority, triggers, limit):
    m = pass_metadata(handoff_id=HID, summary=summary, category=category, priority=priority, team=team,
                      triggers=triggers, limit=limit)
    assert metadata_size(m) <= limit
    assert m["handoff_id"] == HID  # ids are short: with 120 bytes and more, the id always stays
    assert all(isinstance(v, (str, int, float, bool)) for v in m.values())  # flat, as Sunshine takes it
    assert all("\n" not in v for v in m.values() if isinstance(v, str))
    if "handoff_summary" in m and m["handoff_summary"] != " ".join(summary.split()):
        assert m["handoff_summary"].endswith(ELLIPSIS)  # a cut says so


@settings(max_examples=200, deadline=None)
@given(values=st.dictionaries(st.text(min_size=1, max_size=40),
                              st.one_of(st.text(max_size=2000), st.integers(), st.booleans(), st.none()), max_size=12),
       limit=st.integers(min_value=2, max_value=4096))
def test_fitting_anything_always_fits(values, limit):
    m = fit_metadata(values, tuple(values)[:3], limit=limit)
    assert metadata_size(m) <= limit
    assert set(m) <= set(values)
