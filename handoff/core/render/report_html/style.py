"""The report's look: colours, the stylesheet, the one script it runs, and the CSP that allows only that."""
from __future__ import annotations

import base64
import hashlib

W = 640  # every chart shares one coordinate width; CSS scales it to the column
ACCENT = "#1d5fa8"  # 6.3:1 on white
ACCENT_2 = "#1f6f43"  # 6.4:1 on white
SPIKE = "#b3261e"  # 6.5:1 on white; never the only sign: spikes also say "SPIKE" in words
INK = "#1b1f24"
MUTED = "#4a5360"  # 7.6:1 on white
# Runs once the DOM is parsed and records what the browser actually laid out, so a headless test can tell
# "the server wrote <rect>s" apart from "the browser drew bars of non-zero size".
MEASURE_JS = """(function () {
  function drawn(el) {
    var b = el.getBBox();
    return b.width > 0 || b.height > 0;
  }
  function measure() {
    var figs = document.querySelectorAll('figure.chart');
    for (var i = 0; i < figs.length; i++) {
      var fig = figs[i], svg = fig.querySelector('svg'), marks = 0, w = 0, h = 0;
      if (svg) {
        var els = svg.querySelectorAll('rect.bar, path.line, circle.point');
        for (var j = 0; j < els.length; j++) { if (drawn(els[j])) { marks++; } }
        var box = svg.getBBox();
        w = box.width; h = box.height;
      }
      fig.setAttribute('data-drawn-marks', String(marks));
      fig.setAttribute('data-drawn-width', w.toFixed(1));
      fig.setAttribute('data-drawn-height', h.toFixed(1));
    }
    document.documentElement.setAttribute('data-measured', 'true');
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', measure);
  } else {
    measure();
  }
})();"""
_MEASURE_JS_HASH = base64.b64encode(hashlib.sha256(MEASURE_JS.encode()).digest()).decode()
# The CSP is a second guard on top of escaping: even if customer text slipped through unescaped, the
# browser would neither run it (only the hashed script may run) nor fetch anything from the network.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_MEASURE_JS_HASH}'; img-src data:; base-uri 'none'; form-action 'none'"
)
CSS = f"""
:root {{ color-scheme: light; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial,
  sans-serif; color: {INK}; background: #f4f6f8; }}
main {{ max-width: 1180px; margin: 0 auto; padding: 24px 20px 48px; }}
header h1 {{ margin: 0 0 4px; font-size: 1.7rem; }}
.meta {{ color: {MUTED}; margin: 0; }}
h2 {{ font-size: 1.15rem; margin: 32px 0 12px; }}
.cards {{ display: grid; grid-template-columns: repeat(auto-fill, minmax(145px, 1fr)); gap: 12px;
  margin: 20px 0 0; padding: 0; }}
.card {{ background: #fff; border: 1px solid #d4dae1; border-radius: 8px; padding: 12px 14px; margin: 0; }}
.card dt {{ color: {MUTED}; font-size: .85rem; }}
.card dd {{ margin: 2px 0 0; font-size: 1.55rem; font-weight: 650; font-variant-numeric: tabular-nums; }}
.card .sub {{ display: block; color: {MUTED}; font-size: .8rem; font-weight: 400; }}
.charts {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 16px; align-items: start; }}
figure.chart {{ background: #fff; border: 1px solid #d4dae1; border-radius: 8px; margin: 0;
  padding: 14px 16px 10px; break-inside: avoid; page-break-inside: avoid; min-width: 0; }}
figure.chart figcaption {{ font-weight: 650; margin-bottom: 6px; }}
figure.chart figcaption .sub {{ font-weight: 400; color: {MUTED}; font-size: .85rem; margin-left: 6px; }}
figure.chart svg {{ display: block; width: 100%; height: auto; overflow: visible; }}
.empty {{ color: {MUTED}; font-style: italic; padding: 28px 0; margin: 0; text-align: center;
  border: 1px dashed #c3cad3; border-radius: 6px; }}
svg text {{ font-size: 13px; fill: {INK}; }}
svg text.muted {{ fill: {MUTED}; }}
svg .grid {{ stroke: #e3e7ec; stroke-width: 1; }}
svg .axis {{ stroke: #8a94a1; stroke-width: 1; }}
svg rect.bar {{ fill: {ACCENT}; }}
svg rect.bar.alt {{ fill: {ACCENT_2}; }}
svg rect.bar.spike {{ fill: {SPIKE}; }}
svg rect.usual {{ fill: #8a94a1; }}
svg text.flag {{ fill: {SPIKE}; font-weight: 650; }}
.legend {{ font-size: .8rem; color: {MUTED}; margin: 4px 0 0; }}
.legend .key {{ display: inline-block; width: 12px; height: 8px; margin: 0 4px 0 10px; border-radius: 1px; }}
.legend .key.now {{ background: {ACCENT}; }} .legend .key.usual {{ background: #8a94a1; height: 4px; }}
.legend .key.spike {{ background: {SPIKE}; }}
svg path.line {{ fill: none; stroke: {ACCENT}; stroke-width: 2.5; stroke-linejoin: round; }}
svg circle.point {{ fill: #fff; stroke: {ACCENT}; stroke-width: 2; }}
details.data {{ margin-top: 6px; font-size: .85rem; color: {MUTED}; }}
details.data summary {{ cursor: pointer; }}
.table-wrap {{ overflow-x: auto; background: #fff; border: 1px solid #d4dae1; border-radius: 8px; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9rem; }}
th, td {{ text-align: left; padding: 7px 10px; border-bottom: 1px solid #e3e7ec; vertical-align: top; }}
th {{ background: #eef1f4; font-weight: 650; }}
td.num, th.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }}
.worst table {{ min-width: 880px; }}
td.summary {{ min-width: 260px; max-width: 460px; overflow-wrap: anywhere; }}
td .sub {{ display: block; color: {MUTED}; font-size: .8rem; }}
td ul {{ margin: 0; padding-left: 18px; }}
footer {{ margin-top: 36px; color: {MUTED}; font-size: .8rem; }}
@media (max-width: 560px) {{ .charts {{ grid-template-columns: 1fr; }} main {{ padding: 16px 10px; }} }}
@media print {{
  body {{ background: #fff; font-size: 12px; }}
  main {{ max-width: none; padding: 0; }}
  .charts {{ grid-template-columns: 1fr 1fr; }}
  .card, figure.chart, .table-wrap {{ border-color: #999; }}
  details.data {{ display: none; }}
  h2 {{ break-after: avoid; page-break-after: avoid; }}
  tr {{ break-inside: avoid; page-break-inside: avoid; }}
}}
"""
