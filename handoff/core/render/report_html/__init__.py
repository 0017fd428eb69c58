"""`handoff stats --html`: one self-contained HTML page (inline CSS, inline SVG charts, no network)."""
from __future__ import annotations

from handoff.core.render.report_html.charts import (
    FIRST_RESPONSE_BUCKETS,
    MAX_BARS,
    QUALITY_BUCKETS,
    first_response_histogram,
    quality_histogram,
)
from handoff.core.render.report_html.formatting import NO_DATA
from handoff.core.render.report_html.page import render_report
from handoff.core.render.report_html.tables import PARTS

__all__ = [
    "FIRST_RESPONSE_BUCKETS", "MAX_BARS", "NO_DATA", "PARTS", "QUALITY_BUCKETS", "first_response_histogram",
    "quality_histogram", "render_report",
]
