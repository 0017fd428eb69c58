"""The report's product-signals chart: handoffs per page group this period beside their usual level, spikes marked."""
from __future__ import annotations

from typing import Any

from handoff.core.json_values import as_list, as_mapping
from handoff.core.render.report_html.charts import MAX_BARS, figure, svg_open
from handoff.core.render.report_html.formatting import esc, truncate
from handoff.core.render.report_html.style import W


def _ratio(row: Any) -> str:
    ratio = row.get("ratio")
    return "new" if ratio is None else f"{ratio:.1f}×"


def signals_chart(signals: Any) -> str:
    """Bars of this period's handoffs per page group over a thinner bar of the usual count; a spike says so in words."""
    s = as_mapping(signals)
    rows = [as_mapping(r) for r in as_list(s.get("pages"))][:MAX_BARS]
    caption = "Product signals: handoffs by page"
    if not rows:
        return figure("signals", caption, "", None, [])
    period = as_mapping(s.get("period"))
    baseline = as_mapping(s.get("baseline"))
    known = int(baseline.get("periods_with_data") or 0)
    days = period.get("days") or 7
    sub = (f"last {days:g} days against the mean of {known} earlier period{'' if known == 1 else 's'}" if known
           else f"last {days:g} days · no earlier history to compare with yet")
    row_h, top, bottom, label_w, value_w = 34, 6, 6, 190, 150
    h = top + row_h * len(rows) + bottom
    bar_max = W - label_w - value_w
    peak = max(max(int(r.get("current") or 0), float(r.get("usual") or 0)) for r in rows) or 1
    spikes = sum(1 for r in rows if r.get("spike"))
    parts = [svg_open(h, f"Bar chart: handoffs by page group, {len(rows)} groups, {spikes} flagged as spikes")]
    for i, r in enumerate(rows):
        y0 = top + i * row_h
        n, usual = int(r.get("current") or 0), float(r.get("usual") or 0)
        width, usual_w = bar_max * n / peak, bar_max * usual / peak
        name = str(r.get("key") or "")
        flag = f"SPIKE {_ratio(r)}" if r.get("spike") else (
            "" if not known else "new" if r.get("ratio") is None else f"{_ratio(r)} usual")
        cls = "bar spike" if r.get("spike") else "bar"
        text_cls = ' class="flag"' if r.get("spike") else ""
        parts.append(
            f'<text x="{label_w - 10}" y="{y0 + row_h / 2 + 2:.1f}" text-anchor="end">{esc(truncate(name, 26))}'
            f"<title>{esc(name)}</title></text>"
            f'<rect class="{cls}" x="{label_w}" y="{y0 + 4}" width="{width:.1f}" height="{row_h - 16}" rx="2">'
            f"<title>{esc(name)}: {n} this period</title></rect>"
            f'<rect class="usual" x="{label_w}" y="{y0 + row_h - 10}" width="{usual_w:.1f}" height="5" rx="1">'
            f"<title>{esc(name)}: usually {usual:g}</title></rect>"
            f'<text x="{label_w + max(width, usual_w) + 6:.1f}" y="{y0 + row_h / 2 + 2:.1f}"'
            f'{text_cls}>{n:,}{esc(" · " + flag) if flag else ""}</text>'
        )
    parts.append(f'<line class="axis" x1="{label_w}" x2="{label_w}" y1="{top}" y2="{h - bottom}"/></svg>')
    data = [(str(r.get("key")), f"{r.get('current')} (usual {r.get('usual')}, {_ratio(r)})"
             + (" spike" if r.get("spike") else "")
             + (f"; top reason: {r.get('top_reason')} ({r.get('top_reason_count')})" if r.get("top_reason") else ""))
            for r in rows]
    legend = ('<p class="legend"><span class="key now"></span>this period <span class="key usual"></span>usual '
              '<span class="key spike"></span>spike</p>')
    return figure("signals", caption, sub, "".join(parts) + legend, data)
