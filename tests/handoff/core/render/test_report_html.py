"""The HTML stats report: self-contained, escaped, defensive; charts, tables and the page as rendered."""
from __future__ import annotations

import base64
import hashlib
import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from handoff.core.render.report_html import (
    FIRST_RESPONSE_BUCKETS,
    MAX_BARS,
    first_response_histogram,
    quality_histogram,
    render_report,
)
from tests.handoff.core.render.report_pages import CHARTS, EVIL, NOW, parse_dom, sample_page, sample_stats


# ---- pure rendering -----------------------------------------------------------------------------------------


def test_page_loads_nothing_from_anywhere() -> None:
    d = parse_dom(sample_page())
    for tag, attrs, _ in d.elements:
        assert tag not in {"link", "img", "iframe", "object", "embed", "base"}, tag
        for name in ("src", "href", "xlink:href", "srcset", "action", "poster", "data"):
            assert name not in attrs, f"<{tag} {name}=...>"
        assert "url(" not in attrs.get("style", "")
    css = "".join(d.styles)
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    # the only namespace URI is the SVG one, which browsers never fetch
    assert set(re.findall(r"https?://[^\s\"'<]+", "".join(d.scripts + d.styles))) == set()


def test_only_the_hashed_measuring_script_may_run() -> None:
    html = sample_page()
    d = parse_dom(html)
    assert len([t for t, _, _ in d.elements if t == "script"]) == 1
    csp = next(a["content"] for t, a, _ in d.elements
               if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy")
    digest = base64.b64encode(hashlib.sha256(d.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_customer_text_is_escaped_everywhere() -> None:
    stats = sample_stats(
        by_reason={EVIL: 3, "ok": 1},
        by_category={EVIL: 2},
        trigger_precision={EVIL: {"handoffs": 3, "flagged_unnecessary": 1, "precision": 0.66}},
        by_team={EVIL: {"handoffs": 1}},
    )
    stats["worst_handoffs"][0]["id"] = EVIL
    html = sample_page(stats, title=EVIL, filters={"team": EVIL})
    d = parse_dom(html)
    tags = [t for t, _, _ in d.elements]
    assert tags.count("script") == 1 and "img" not in tags and "b" not in tags
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in html
    assert "<script>alert(" not in html
    assert "&lt;b&gt;reassigned&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "stats",
    [
        {},
        None,
        {"conversations": 0, "handoffs": 0, "handoff_rate": 0.0, "by_reason": {}, "by_category": {},
         "time_to_handoff_seconds": {"median": None, "p90": None}, "csat": None, "quality_score": None,
         "repeat_contact_rate": None, "unnecessary_rate": None, "timeline": [], "worst_handoffs": []},
        {"by_reason": ["not", "a", "dict"], "timeline": {"bucket": "x"}, "worst_handoffs": "oops", "csat": 3,
         "by_category": {"billing": float("nan")}, "quality_score": {"mean": float("inf")}, "by_team": [1],
         "trigger_precision": {"x": None}, "handoff_rate": "12%"},
    ],
    ids=["empty-dict", "none", "empty-store", "garbage"],
)


def test_missing_or_malformed_stats_render_no_data_per_chart(stats: Any) -> None:
    html = render_report(stats, first_response_seconds=[], quality_scores=[None, float("nan")], generated_at=NOW)
    d = parse_dom(html)
    assert set(d.figures) == set(CHARTS)
    for chart in CHARTS:
        assert "No data yet" in d.figure_text[chart], chart
        assert d.in_figure(chart, "svg") == []
    assert not re.search(r"\b(?:nan|inf)\b", html, re.IGNORECASE)


def test_headline_numbers_appear() -> None:
    html = sample_page()
    for metric, expected in [("conversations", "3,412"), ("handoffs", "487"), ("handoff_rate", "14.3%"),
                             ("unnecessary_rate", "8.3%"), ("repeat_contact_rate", "6.1%"), ("csat", "84%"),
                             ("quality_score", "71.3")]:
        card = re.search(rf'data-metric="{metric}"><dt>[^<]*</dt><dd>([^<]*)', html)
        assert card and card.group(1) == expected, (metric, card and card.group(1))
    assert "vs AI-only 82% · +2.9 pts" in html and "120 good / 22 bad" in html
    assert "3.5m" in html and "15m" in html and "2d" in html  # durations: 212 s, 900 s, 172800 s


def test_one_bar_per_reason_and_category_longest_first() -> None:
    stats = sample_stats()
    d = parse_dom(sample_page(stats))
    assert len(d.in_figure("reasons", "rect", "bar")) == len(stats["by_reason"])
    assert len(d.in_figure("categories", "rect", "bar")) == len(stats["by_category"])
    widths = [float(a["width"]) for a in d.in_figure("reasons", "rect", "bar")]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1] > 0
    assert widths[-1] / widths[0] == pytest.approx(40 / 180, rel=0.01)


def test_many_reasons_fold_into_other() -> None:
    reasons = {f"trigger_{i:02d}": 100 - i for i in range(MAX_BARS + 5)}
    d = parse_dom(sample_page(sample_stats(by_reason=reasons)))
    assert len(d.in_figure("reasons", "rect", "bar")) == MAX_BARS
    assert "other (6)" in d.figure_text["reasons"]


def test_rate_line_has_one_point_per_period_and_fills_in_missing_rates() -> None:
    timeline = [
        {"bucket": "2026-11-03", "conversations": 50, "handoffs": 5},  # no rate: derived as 10%
        {"bucket": "2026-11-01", "conversations": 40, "handoffs": 8, "rate": 0.2},
        {"bucket": "2026-11-02", "conversations": 0, "handoffs": 0, "rate": None},  # nothing to plot
    ]
    d = parse_dom(sample_page(sample_stats(timeline=timeline)))
    points = d.in_figure("rate", "circle", "point")
    assert len(points) == 2 and len(d.in_figure("rate", "path", "line")) == 1
    assert float(points[0]["cx"]) < float(points[1]["cx"])  # sorted by date
    assert float(points[0]["cy"]) < float(points[1]["cy"])  # 20% is drawn higher than 10%
    assert "2026-11-03: 10.0% (5 of 50)" in d.figure_text["rate"]


def test_every_chart_is_labelled_for_screen_readers() -> None:
    html = sample_page()
    d = parse_dom(html)
    for chart in CHARTS:
        (svg,) = d.in_figure(chart, "svg")
        assert svg["role"] == "img" and len(svg["aria-label"]) > 10
        assert re.search(rf'data-chart="{chart}"><figcaption>.*?<svg [^>]*><title>[^<]+</title>', html)


@pytest.mark.parametrize(
    ("seconds", "bucket"),
    [(0, "<1m"), (59.9, "<1m"), (60, "1–5m"), (299, "1–5m"), (300, "5–15m"), (3599, "15–60m"),
     (3600, "1–4h"), (86399, "4–24h"), (86400, ">24h"), (10**7, ">24h")],
)


def test_first_response_buckets(seconds: float, bucket: str) -> None:
    labels = [name for name, _ in FIRST_RESPONSE_BUCKETS]
    counts = first_response_histogram([seconds])
    assert counts[labels.index(bucket)] == 1 and sum(counts) == 1


def test_first_response_histogram_drops_what_is_not_a_duration() -> None:
    assert sum(first_response_histogram([-5, None, float("nan"), "12", True, 30])) == 1


@pytest.mark.parametrize(("score", "index"), [(0, 0), (9.99, 0), (10, 1), (55, 5), (99.9, 9), (100, 9),
                                                (105, 9), (-3, 0)])


def test_quality_buckets(score: float, index: int) -> None:
    counts = quality_histogram([score])
    assert counts[index] == 1 and sum(counts) == 1


def test_histograms_draw_only_filled_buckets_with_heights_in_proportion() -> None:
    d = parse_dom(sample_page(first_response_seconds=[10, 20, 30, 4000], quality_scores=[50, 51]))
    bars = d.in_figure("first-response", "rect", "bar")
    assert len(bars) == 2
    assert float(bars[0]["height"]) == pytest.approx(3 * float(bars[1]["height"]), rel=0.01)
    assert len(d.in_figure("quality", "rect", "bar")) == 1
    assert "n = 4" in d.figure_text["first-response"] and "median 25s" in d.figure_text["first-response"]


def test_header_shows_time_scope_and_title() -> None:
    html = sample_page(title="Weekly handoffs", filters={"since": "2026-11-01", "team": "billing"})
    assert "<title>Weekly handoffs</title>" in html and "<h1>Weekly handoffs</h1>" in html
    assert "2026-11-21 05:00 UTC" in html and "since = 2026-11-01 · team = billing" in html
    assert "all conversations" in sample_page(sample_stats(filters=None))


def test_tables_list_worst_handoffs_and_trigger_precision_lowest_first() -> None:
    html = sample_page()
    assert html.index("conv-0192") < html.index("conv-0007")
    assert html.index("low_confidence</code>") < html.index("explicit_request</code>", html.index("Trigger precision"))
    assert "70.0%" in html and "97.8%" in html
    assert "billing · 2026-10-04" in html  # where the worst handoff happened
    assert re.search(r"<code>conv-0192</code>.*?10%.*?30%.*?15%.*?20%", html)  # parts shown as shares


def test_team_table_formats_by_column_meaning() -> None:
    html = sample_page()
    section = html[html.index('<section class="teams">'):]
    assert "First response median</th>" in section and "CSAT</th>" in section
    assert re.search(r"<td>tech</td><td class=\"num\">297</td><td class=\"num\">10.0%</td>"
                     r"<td class=\"num\">68.2</td><td class=\"num\">13.3m</td><td class=\"num\">82%</td>", section)


def test_filters_come_from_the_stats_unless_given() -> None:
    assert "since = 2026-10-01 · bucket = day" in sample_page()
    assert "until = 2026-11-01 12:30" in sample_page(filters={"until": "2026-11-01T12:30:00+00:00"})
    assert "team = billing" in sample_page(filters={"team": "billing"})


def test_renders_what_compute_stats_returns() -> None:
    from handoff.core.measure.analytics import compute_stats
    from handoff.core.measure.quality_settings import QualitySettings
    from handoff.core.measure.records import ConversationRecord, HandoffRecord

    t0, hour = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc), timedelta(hours=1)

    def handoff(n: int, triggers: tuple[str, ...], answered_after: timedelta | None) -> HandoffRecord:
        created = t0 + n * timedelta(days=1)
        return HandoffRecord(
            id=f"h{n}", conversation_id=f"c{n}", team="billing", category="billing", priority="normal",
            triggers=triggers, created_at=created, conversation_started_at=created - hour / 6,
            claimed_at=None, first_response_at=answered_after and created + answered_after,
            solved_at=answered_after and created + 3 * answered_after, reassigned=0, unnecessary=n == 2,
            csat="good" if n == 1 else None, customer_email=None, sources={"stripe": "ok"},
            briefing_fields={"summary": True}, pre_handoff_customer_texts=(), post_handoff_customer_texts=(),
            summary=f"customer {n} <needs> help")

    handoffs = [handoff(0, ("explicit_request",), hour / 2), handoff(1, ("negative_sentiment",), 5 * hour),
                handoff(2, ("explicit_request", "low_confidence"), None)]
    conversations = [ConversationRecord(f"c{n}", t0 + n * timedelta(days=1) - hour / 6, n < 3, None)
                     for n in range(6)]
    stats = compute_stats(handoffs, conversations, settings=QualitySettings(), now=t0 + timedelta(days=4))
    from handoff.core.measure.signal_settings import SignalSettings
    from handoff.core.measure.signals import SignalRecord, product_signals

    # signals are computed beside compute_stats (handoff.app.product_signals), from the same handoffs
    stats["signals"] = product_signals(
        [SignalRecord(h.created_at, h.team, h.category, h.topic, f"/orders/{h.id}1234") for h in handoffs],
        end=t0 + timedelta(days=4), period=timedelta(days=7), settings=SignalSettings())
    d = parse_dom(render_report(stats, first_response_seconds=[1800, 3600, 10800], quality_scores=[40, 75, 90],
                           generated_at=NOW))
    for chart in CHARTS:
        assert d.in_figure(chart, "svg"), f"{chart} fell back to 'no data' on real stats"
    assert len(d.in_figure("reasons", "rect", "bar")) == len(stats["by_reason"])
    assert len(d.in_figure("rate", "circle", "point")) == sum(1 for r in stats["timeline"] if r["rate"] is not None)


def test_rendering_is_deterministic() -> None:
    assert sample_page() == sample_page()


def test_precision_reads_no_feedback_until_agents_said_something_and_worst_lists_handoffs() -> None:
    from handoff.core.render.report_html.tables import precision_table, worst_table

    html = precision_table({"explicit_request": {"handoffs": 4, "flagged_unnecessary": 0, "confirmed": 0, "precision": 1.0},
                            "frustration": {"handoffs": 2, "flagged_unnecessary": 1, "confirmed": 1, "precision": 0.5}})
    explicit = html[html.index("explicit_request"):].split("</tr>")[0]
    assert "no feedback yet" in explicit and "100" not in explicit
    assert "50" in html[html.index("frustration"):].split("</tr>")[0]
    worst = worst_table([{"id": "h_0a1b2c3d4e5f", "score": 40, "notes": ["briefing lacks account facts"]}])
    assert "<th" in worst and ">Handoff<" in worst and ">Conversation<" not in worst


def test_signals_chart_marks_spikes_in_words_not_colour_alone() -> None:
    html = sample_page()
    figure = html.split('data-chart="signals"')[1].split("</figure>")[0]
    assert figure.count('class="bar spike"') == 1 and figure.count('class="bar"') == 2
    assert figure.count('class="usual"') == 3
    assert "31 · SPIKE 3.4×" in figure and "12 · 1.0× usual" in figure and "3 · new" in figure
    assert "against the mean of 4 earlier periods" in figure
    assert "<script>alert" not in figure  # a page key from a URL is escaped
    no_history = sample_stats(signals={**sample_stats()["signals"],
                                       "baseline": {"periods": 4, "periods_with_data": 0}})
    assert "no earlier history to compare with yet" in sample_page(no_history)
