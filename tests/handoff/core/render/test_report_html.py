"""The HTML stats report: self-contained, escaped, defensive, and drawn for real by headless Chromium."""
from __future__ import annotations

import base64
import hashlib
import re
import shutil
import struct
import subprocess
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from handoff.core.render.report_html import (
    FIRST_RESPONSE_BUCKETS,
    MAX_BARS,
    first_response_histogram,
    quality_histogram,
    render_report,
)

CHARTS = ("rate", "reasons", "categories", "first-response", "quality")
NOW = datetime(2026, 11, 21, 5, 0, tzinfo=timezone.utc)
EVIL = "<script>alert('x')</script><img src=\"https://evil.example/p.png\"> see https://evil.example/help"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def _stats(**overrides: Any) -> dict[str, Any]:
    # the shape handoff.core.measure.analytics.compute_stats returns (timeline rows keyed "start", parts 0..1)
    timeline = [
        {"start": f"2026-10-{day:02d}", "conversations": 100 + day, "handoffs": 10 + day % 7,
         "rate": (10 + day % 7) / (100 + day), "quality_mean": 60 + day % 20}
        for day in range(1, 15)
    ]
    stats: dict[str, Any] = {
        "filters": {"since": "2026-10-01T00:00:00+00:00", "until": None, "team": None, "bucket": "day"},
        "conversations": 3412,
        "handoffs": 487,
        "handoff_rate": 0.1427,
        "by_reason": {"explicit_request": 180, "negative_sentiment": 96, "repeated_question": 71,
                      "billing_dispute": 64, "low_confidence": 40},
        "by_category": {"billing": 190, "technical": 150, "account": 90},
        "time_to_handoff_seconds": {"median": 212, "p90": 900, "count": 487},
        "time_to_first_human_response_seconds": {"median": 540, "p90": 7200, "count": 450},
        "resolution_seconds": {"median": 14400, "p90": 172800, "count": 400},
        "csat": {"handoff": {"good": 120, "bad": 22, "rate": 0.845},
                 "ai_only": {"good": 400, "bad": 90, "rate": 0.816}, "difference": 0.029},
        "repeat_contact_rate": 0.061,
        "unnecessary_rate": 0.083,
        "quality_score": {"mean": 71.3, "median": 74.0, "count": 450},
        "worst_handoffs": [
            {"id": "conv-0192", "conversation_id": "c-192", "team": "billing",
             "created_at": "2026-10-04T09:12:00+00:00", "score": 18.5,
             "parts": {"context": 0.1, "routing": 0.3, "smoothness": 0.15, "speed": 0.2},
             "notes": ["asked for the order number twice", "<b>reassigned</b>"], "summary": EVIL},
            {"id": "conv-0007", "score": 27.0,
             "parts": {"context": 0.4, "routing": 0.2, "smoothness": 0.3, "speed": 0.15},
             "notes": [], "summary": "Refund for a double charge."},
        ],
        "trigger_precision": {
            "explicit_request": {"handoffs": 180, "flagged_unnecessary": 4, "precision": 0.978},
            "low_confidence": {"handoffs": 40, "flagged_unnecessary": 12, "precision": 0.7},
        },
        "timeline": timeline,
        "by_team": {
            "tech": {"handoffs": 297, "unnecessary_rate": 0.1, "quality_mean": 68.25,
                     "first_response_median_seconds": 800.0, "csat": {"good": 41, "bad": 9, "rate": 0.82}},
            "billing": {"handoffs": 190, "unnecessary_rate": 0.05, "quality_mean": 74.0,
                        "first_response_median_seconds": None, "csat": {"good": 43, "bad": 7, "rate": 0.86}},
        },
    }
    stats.update(overrides)
    return stats


FIRST_RESPONSES = [20, 45, 90, 200, 400, 700, 1000, 2000, 5000, 9000, 20000, 90000, 100000]
QUALITY = [5, 15, 35, 55, 62, 68, 71, 74, 77, 83, 88, 91, 99, 100]


def _page(stats: Any = None, **kw: Any) -> str:
    args: dict[str, Any] = {"first_response_seconds": FIRST_RESPONSES, "quality_scores": QUALITY,
                            "generated_at": NOW}
    args.update(kw)
    return render_report(_stats() if stats is None else stats, **args)


class _Dom(HTMLParser):
    """Just enough of a DOM: every element's tag, attributes and the figure it sits in, plus script/style text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str], str | None]] = []
        self.figures: dict[str, dict[str, str]] = {}
        self.figure_text: dict[str, str] = {}
        self.scripts: list[str] = []
        self.styles: list[str] = []
        self._figure: str | None = None
        self._raw: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "figure" and "chart" in a.get("class", "").split():
            self._figure = a["data-chart"]
            self.figures[self._figure] = a
            self.figure_text[self._figure] = ""
        self.elements.append((tag, a, self._figure))
        if tag in ("script", "style"):
            self._raw = tag

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "figure":
            self._figure = None
        self._raw = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.scripts.append(data)
        elif self._raw == "style":
            self.styles.append(data)
        if self._figure:
            self.figure_text[self._figure] += data

    def in_figure(self, chart: str, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [a for t, a, f in self.elements
                if f == chart and t == tag and (cls is None or cls in a.get("class", "").split())]


def _dom(html: str) -> _Dom:
    d = _Dom()
    d.feed(html)
    d.close()
    return d


# ---- pure rendering -----------------------------------------------------------------------------------------


def test_page_loads_nothing_from_anywhere() -> None:
    d = _dom(_page())
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
    html = _page()
    d = _dom(html)
    assert len([t for t, _, _ in d.elements if t == "script"]) == 1
    csp = next(a["content"] for t, a, _ in d.elements
               if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy")
    digest = base64.b64encode(hashlib.sha256(d.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    assert "default-src 'none'" in csp


def test_customer_text_is_escaped_everywhere() -> None:
    stats = _stats(
        by_reason={EVIL: 3, "ok": 1},
        by_category={EVIL: 2},
        trigger_precision={EVIL: {"handoffs": 3, "flagged_unnecessary": 1, "precision": 0.66}},
        by_team={EVIL: {"handoffs": 1}},
    )
    stats["worst_handoffs"][0]["id"] = EVIL
    html = _page(stats, title=EVIL, filters={"team": EVIL})
    d = _dom(html)
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
    d = _dom(html)
    assert set(d.figures) == set(CHARTS)
    for chart in CHARTS:
        assert "No data yet" in d.figure_text[chart], chart
        assert d.in_figure(chart, "svg") == []
    assert not re.search(r"\b(?:nan|inf)\b", html, re.IGNORECASE)


def test_headline_numbers_appear() -> None:
    html = _page()
    for metric, expected in [("conversations", "3,412"), ("handoffs", "487"), ("handoff_rate", "14.3%"),
                             ("unnecessary_rate", "8.3%"), ("repeat_contact_rate", "6.1%"), ("csat", "84%"),
                             ("quality_score", "71.3")]:
        card = re.search(rf'data-metric="{metric}"><dt>[^<]*</dt><dd>([^<]*)', html)
        assert card and card.group(1) == expected, (metric, card and card.group(1))
    assert "vs AI-only 82% · +2.9 pts" in html and "120 good / 22 bad" in html
    assert "3.5m" in html and "15m" in html and "2d" in html  # durations: 212 s, 900 s, 172800 s


def test_one_bar_per_reason_and_category_longest_first() -> None:
    stats = _stats()
    d = _dom(_page(stats))
    assert len(d.in_figure("reasons", "rect", "bar")) == len(stats["by_reason"])
    assert len(d.in_figure("categories", "rect", "bar")) == len(stats["by_category"])
    widths = [float(a["width"]) for a in d.in_figure("reasons", "rect", "bar")]
    assert widths == sorted(widths, reverse=True) and widths[0] > widths[-1] > 0
    assert widths[-1] / widths[0] == pytest.approx(40 / 180, rel=0.01)


def test_many_reasons_fold_into_other() -> None:
    reasons = {f"trigger_{i:02d}": 100 - i for i in range(MAX_BARS + 5)}
    d = _dom(_page(_stats(by_reason=reasons)))
    assert len(d.in_figure("reasons", "rect", "bar")) == MAX_BARS
    assert "other (6)" in d.figure_text["reasons"]


def test_rate_line_has_one_point_per_period_and_fills_in_missing_rates() -> None:
    timeline = [
        {"bucket": "2026-11-03", "conversations": 50, "handoffs": 5},  # no rate: derived as 10%
        {"bucket": "2026-11-01", "conversations": 40, "handoffs": 8, "rate": 0.2},
        {"bucket": "2026-11-02", "conversations": 0, "handoffs": 0, "rate": None},  # nothing to plot
    ]
    d = _dom(_page(_stats(timeline=timeline)))
    points = d.in_figure("rate", "circle", "point")
    assert len(points) == 2 and len(d.in_figure("rate", "path", "line")) == 1
    assert float(points[0]["cx"]) < float(points[1]["cx"])  # sorted by date
    assert float(points[0]["cy"]) < float(points[1]["cy"])  # 20% is drawn higher than 10%
    assert "2026-11-03: 10.0% (5 of 50)" in d.figure_text["rate"]


def test_every_chart_is_labelled_for_screen_readers() -> None:
    html = _page()
    d = _dom(html)
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
    d = _dom(_page(first_response_seconds=[10, 20, 30, 4000], quality_scores=[50, 51]))
    bars = d.in_figure("first-response", "rect", "bar")
    assert len(bars) == 2
    assert float(bars[0]["height"]) == pytest.approx(3 * float(bars[1]["height"]), rel=0.01)
    assert len(d.in_figure("quality", "rect", "bar")) == 1
    assert "n = 4" in d.figure_text["first-response"] and "median 25s" in d.figure_text["first-response"]


def test_header_shows_time_scope_and_title() -> None:
    html = _page(title="Weekly handoffs", filters={"since": "2026-11-01", "team": "billing"})
    assert "<title>Weekly handoffs</title>" in html and "<h1>Weekly handoffs</h1>" in html
    assert "2026-11-21 05:00 UTC" in html and "since = 2026-11-01 · team = billing" in html
    assert "all conversations" in _page(_stats(filters=None))


def test_tables_list_worst_handoffs_and_trigger_precision_lowest_first() -> None:
    html = _page()
    assert html.index("conv-0192") < html.index("conv-0007")
    assert html.index("low_confidence</code>") < html.index("explicit_request</code>", html.index("Trigger precision"))
    assert "70.0%" in html and "97.8%" in html
    assert "billing · 2026-10-04" in html  # where the worst handoff happened
    assert re.search(r"<code>conv-0192</code>.*?10%.*?30%.*?15%.*?20%", html)  # parts shown as shares


def test_team_table_formats_by_column_meaning() -> None:
    html = _page()
    section = html[html.index('<section class="teams">'):]
    assert "First response median</th>" in section and "CSAT</th>" in section
    assert re.search(r"<td>tech</td><td class=\"num\">297</td><td class=\"num\">10.0%</td>"
                     r"<td class=\"num\">68.2</td><td class=\"num\">13.3m</td><td class=\"num\">82%</td>", section)


def test_filters_come_from_the_stats_unless_given() -> None:
    assert "since = 2026-10-01 · bucket = day" in _page()
    assert "until = 2026-11-01 12:30" in _page(filters={"until": "2026-11-01T12:30:00+00:00"})
    assert "team = billing" in _page(filters={"team": "billing"})


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
    d = _dom(render_report(stats, first_response_seconds=[1800, 3600, 10800], quality_scores=[40, 75, 90],
                           generated_at=NOW))
    for chart in CHARTS:
        assert d.in_figure(chart, "svg"), f"{chart} fell back to 'no data' on real stats"
    assert len(d.in_figure("reasons", "rect", "bar")) == len(stats["by_reason"])
    assert len(d.in_figure("rate", "circle", "point")) == sum(1 for r in stats["timeline"] if r["rate"] is not None)


def test_rendering_is_deterministic() -> None:
    assert _page() == _page()


# ---- drawn by a real browser ----------------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (apt-get install chromium)")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    cmd = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True,
                          env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})


@needs_chromium
def test_chromium_draws_every_chart(tmp_path: Path) -> None:
    stats = _stats()
    page = tmp_path / "report.html"
    page.write_text(_page(stats), encoding="utf-8")
    dumped = _chromium(tmp_path, "--dump-dom", page.as_uri()).stdout
    d = _dom(dumped)
    assert d.elements[0][1].get("data-measured") == "true"  # the measuring script ran under the page's CSP
    assert set(d.figures) == set(CHARTS)
    expected_marks = {
        "rate": len(stats["timeline"]) + 1,  # every point and the line
        "reasons": len(stats["by_reason"]),
        "categories": len(stats["by_category"]),
        "first-response": sum(1 for n in first_response_histogram(FIRST_RESPONSES) if n),
        "quality": sum(1 for n in quality_histogram(QUALITY) if n),
    }
    for chart, fig in d.figures.items():
        assert int(fig["data-drawn-marks"]) == expected_marks[chart], chart
        assert float(fig["data-drawn-width"]) > 200 and float(fig["data-drawn-height"]) > 50, (chart, fig)


@needs_chromium
def test_chromium_measures_an_empty_report_as_drawing_nothing(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_text(render_report({}, first_response_seconds=[], quality_scores=[], generated_at=NOW), "utf-8")
    d = _dom(_chromium(tmp_path, "--dump-dom", page.as_uri()).stdout)
    assert d.elements[0][1].get("data-measured") == "true"
    assert {c: f["data-drawn-marks"] for c, f in d.figures.items()} == {c: "0" for c in CHARTS}


@needs_chromium
def test_chromium_screenshot_is_a_full_size_png(tmp_path: Path) -> None:
    page, png = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(_page(), encoding="utf-8")
    _chromium(tmp_path, "--hide-scrollbars", f"--screenshot={png}", "--window-size=1200,2400", page.as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1200, 2400)
    assert len(data) > 20_000  # a blank page compresses to a few KB; charts and text do not
