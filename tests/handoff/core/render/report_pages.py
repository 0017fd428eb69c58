"""What the HTML report tests share: stats shaped as compute_stats returns them, a rendered sample page,
and just enough of a DOM to read it back."""
from __future__ import annotations

import shutil
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

from handoff.core.render.report_html import render_report

CHARTS = ("rate", "reasons", "categories", "signals", "first-response", "quality")
NOW = datetime(2026, 11, 21, 5, 0, tzinfo=timezone.utc)
EVIL = "<script>alert('x')</script><img src=\"https://evil.example/p.png\"> see https://evil.example/help"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def sample_stats(**overrides: Any) -> dict[str, Any]:
    """A full stats object, with `overrides` replacing its keys."""
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
        "signals": {
            "period": {"start": "2026-11-14T05:00:00+00:00", "end": "2026-11-21T05:00:00+00:00", "days": 7.0},
            "baseline": {"periods": 4, "periods_with_data": 4, "start": "2026-10-17T05:00:00+00:00"},
            "spike_rule": {"ratio": 2.0, "min_handoffs": 5},
            "pages": [
                {"key": "/settings/billing", "current": 31, "usual": 9.1, "ratio": 3.41, "spike": True,
                 "top_reason": "payment failed", "top_reason_count": 19},
                {"key": "/orders/:id/refund", "current": 12, "usual": 11.5, "ratio": 1.04, "spike": False,
                 "top_reason": "refund", "top_reason_count": 9},
                {"key": EVIL, "current": 3, "usual": 0, "ratio": None, "spike": False,
                 "top_reason": "frustration", "top_reason_count": 3},
            ],
            "topics": [], "without_page": 4, "spikes": [],
        },
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


def sample_page(stats: Any = None, **kw: Any) -> str:
    """The report of `stats` (the sample by default) with sample response times and scores."""
    args: dict[str, Any] = {"first_response_seconds": FIRST_RESPONSES, "quality_scores": QUALITY,
                            "generated_at": NOW}
    args.update(kw)
    return render_report(sample_stats() if stats is None else stats, **args)


class Dom(HTMLParser):
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


def parse_dom(html: str) -> Dom:
    """`html` read into a Dom."""
    d = Dom()
    d.feed(html)
    d.close()
    return d
