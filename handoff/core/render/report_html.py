"""`handoff stats --html`: one self-contained HTML page (inline CSS, inline SVG charts, no network)."""
from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any

# Log-ish buckets: first responses cluster in minutes, but a forgotten ticket takes a day, and a linear
# axis would squash everything that matters into the first bar.
FIRST_RESPONSE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("<1m", 60),
    ("1–5m", 5 * 60),
    ("5–15m", 15 * 60),
    ("15–60m", 60 * 60),
    ("1–4h", 4 * 3600),
    ("4–24h", 24 * 3600),
    (">24h", math.inf),
)
PARTS = ("context", "routing", "smoothness", "speed")
QUALITY_BUCKETS: tuple[str, ...] = tuple(f"{lo}–{lo + 10}" for lo in range(0, 100, 10))
MAX_BARS = 15
NO_DATA = "No data yet"

W = 640  # every chart shares one coordinate width; CSS scales it to the column
ACCENT = "#1d5fa8"  # 6.3:1 on white
ACCENT_2 = "#1f6f43"  # 6.4:1 on white
INK = "#1b1f24"
MUTED = "#4a5360"  # 7.6:1 on white

# Runs once the DOM is parsed and records what the browser actually laid out, so a headless test can tell
# "the server wrote <rect>s" apart from "the browser drew bars of non-zero size".
_MEASURE_JS = """(function () {
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
_MEASURE_JS_HASH = base64.b64encode(hashlib.sha256(_MEASURE_JS.encode()).digest()).decode()

# The CSP is a second guard on top of escaping: even if customer text slipped through unescaped, the
# browser would neither run it (only the hashed script may run) nor fetch anything from the network.
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{_MEASURE_JS_HASH}'; img-src data:; base-uri 'none'; form-action 'none'"
)

_CSS = f"""
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


def render_report(
    stats: Mapping[str, Any] | None,
    *,
    first_response_seconds: Sequence[float | None],
    quality_scores: Sequence[float | None],
    generated_at: datetime,
    title: str = "Handoff report",
    filters: Mapping[str, str] | None = None,
) -> str:
    """The whole report as one HTML document that needs nothing but a browser."""
    s: Mapping[str, Any] = stats if isinstance(stats, Mapping) else {}
    if filters is None and isinstance(s.get("filters"), Mapping):
        filters = s["filters"]
    charts = "\n".join(
        [
            _rate_chart(s.get("timeline")),
            _bar_chart("reasons", "Handoff reasons", "Handoffs by trigger", s.get("by_reason"), alt=False,
                       sub_format="{n} triggers · a handoff counts once per trigger"),
            _bar_chart("categories", "Categories", "Handoffs by category", s.get("by_category"), alt=True,
                       sub_format="{total:,} handoffs"),
            _first_response_chart(first_response_seconds),
            _quality_chart(quality_scores),
        ]
    )
    body = "\n".join(
        [
            _header(title, generated_at, filters),
            _cards(s),
            '<h2 id="charts">Charts</h2>',
            f'<div class="charts">{charts}</div>',
            _durations_table(s),
            _worst_table(s.get("worst_handoffs")),
            _precision_table(s.get("trigger_precision")),
            _team_table(s.get("by_team")),
            '<footer>Generated by Handoff. This page is self-contained: it loads nothing from the network.</footer>',
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n<script>{_MEASURE_JS}</script>\n</body>\n</html>\n"
    )


# ---- numbers and text ---------------------------------------------------------------------------------------


def _e(value: Any) -> str:
    return escape(str(value), quote=True)


def _num(value: Any) -> float | None:
    """A finite number, or None for anything else (None, NaN, strings, bools)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def _count(value: Any) -> int | None:
    f = _num(value)
    return None if f is None else int(round(f))


def _pct(value: Any, digits: int = 1) -> str:
    f = _num(value)
    return "—" if f is None else f"{f * 100:.{digits}f}%"


def _int(value: Any) -> str:
    n = _count(value)
    return "—" if n is None else f"{n:,}"


def _score(value: Any) -> str:
    f = _num(value)
    return "—" if f is None else f"{f:.1f}"


def _duration(value: Any) -> str:
    f = _num(value)
    if f is None:
        return "—"
    if f < 60:
        return f"{f:.0f}s"
    if f < 3600:
        return f"{f / 60:.1f}m".replace(".0m", "m")
    if f < 86400:
        return f"{f / 3600:.1f}h".replace(".0h", "h")
    return f"{f / 86400:.1f}d".replace(".0d", "d")


def _fmt_tick(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _nice_step(raw: float, minimum: float) -> float:
    """The smallest 1/2/5×10^k step at least `raw` (and `minimum`), so axis labels are round numbers."""
    raw = max(raw, minimum, 1e-9)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw - 1e-12:
            return m * mag
    return 10 * mag


def _axis(max_value: float, *, minimum_step: float) -> tuple[float, list[float]]:
    step = _nice_step(max_value / 4, minimum_step)
    top = step * max(1, math.ceil(max_value / step - 1e-9))
    ticks = [step * i for i in range(int(round(top / step)) + 1)]
    return top, ticks


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _items(mapping: Any) -> list[tuple[str, int]]:
    """(label, count) pairs from a {name: count} mapping, largest first, skipping non-numbers."""
    if not isinstance(mapping, Mapping):
        return []
    pairs = [(str(k), n) for k, v in mapping.items() if (n := _count(v)) is not None and n >= 0]
    return sorted(pairs, key=lambda kv: (-kv[1], kv[0]))


# ---- page parts -----------------------------------------------------------------------------------------------


def _header(title: str, generated_at: datetime, filters: Mapping[str, str] | None) -> str:
    stamp = generated_at.strftime("%Y-%m-%d %H:%M")
    zone = generated_at.tzname() or ""
    scope = (
        " · ".join(f"{_e(k)} = {_e(_when(v))}" for k, v in filters.items() if v not in (None, ""))
        if filters
        else ""
    ) or "all conversations"
    return (
        f"<header><h1>{_e(title)}</h1>"
        f'<p class="meta">Generated <time datetime="{_e(generated_at.isoformat())}">{_e(stamp)} {_e(zone)}'
        f"</time> · Scope: <span class=\"filters\">{scope}</span></p></header>"
    )


def _when(value: Any) -> str:
    """A filter value; ISO timestamps shortened to what a reader needs (the date, or date and minute)."""
    text = str(value)
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return text
    if "T" not in text and " " not in text:
        return text
    return t.strftime("%Y-%m-%d") if (t.hour, t.minute, t.second) == (0, 0, 0) else t.strftime("%Y-%m-%d %H:%M")


def _card(label: str, value: str, sub: str = "", key: str = "") -> str:
    sub_html = f'<span class="sub">{sub}</span>' if sub else ""
    return f'<div class="card" data-metric="{_e(key)}"><dt>{_e(label)}</dt><dd>{_e(value)}{sub_html}</dd></div>'


def _cards(s: Mapping[str, Any]) -> str:
    csat = s.get("csat") if isinstance(s.get("csat"), Mapping) else {}
    hand = csat.get("handoff") if isinstance(csat.get("handoff"), Mapping) else {}
    ai = csat.get("ai_only") if isinstance(csat.get("ai_only"), Mapping) else {}
    diff = _num(csat.get("difference"))
    bits = [f"vs AI-only {_pct(ai.get('rate'), 0)}"] if _num(ai.get("rate")) is not None else []
    if diff is not None:
        bits.append(f"{diff * 100:+.1f} pts")
    good, bad = _count(hand.get("good")), _count(hand.get("bad"))
    csat_sub = f'<span title="{good} good / {bad} bad ratings">' if good is not None and bad is not None else "<span>"
    csat_sub += _e(" · ".join(bits)) + "</span>"
    quality = s.get("quality_score") if isinstance(s.get("quality_score"), Mapping) else {}
    q_sub = ""
    if _num(quality.get("median")) is not None:
        q_sub = f"of 100 · median {_e(_score(quality.get('median')))} · n = {_e(_int(quality.get('count')))}"
    cards = [
        _card("Conversations", _int(s.get("conversations")), key="conversations"),
        _card("Handoffs", _int(s.get("handoffs")), key="handoffs"),
        _card("Handoff rate", _pct(s.get("handoff_rate")), key="handoff_rate"),
        _card("Unnecessary handoffs", _pct(s.get("unnecessary_rate")), key="unnecessary_rate"),
        _card("Repeat contact", _pct(s.get("repeat_contact_rate")), key="repeat_contact_rate"),
        _card("CSAT after handoff", _pct(hand.get("rate"), 0), csat_sub, key="csat"),
        _card("Quality score", _score(quality.get("mean")), q_sub, key="quality_score"),
    ]
    return f'<dl class="cards">{"".join(cards)}</dl>'


def _figure(kind: str, caption: str, sub: str, svg: str | None, data_rows: list[tuple[str, str]]) -> str:
    sub_html = f'<span class="sub">{_e(sub)}</span>' if sub else ""
    head = f'<figure class="chart" data-chart="{kind}"><figcaption>{_e(caption)}{sub_html}</figcaption>'
    if svg is None:
        return f'{head}<p class="empty">{NO_DATA}</p></figure>'
    rows = "".join(f'<tr><td>{_e(a)}</td><td class="num">{_e(b)}</td></tr>' for a, b in data_rows)
    table = f'<details class="data"><summary>Data</summary><table><tbody>{rows}</tbody></table></details>'
    return f"{head}{svg}{table}</figure>"


def _svg_open(height: int, label: str) -> str:
    return (
        f'<svg viewBox="0 0 {W} {height}" role="img" aria-label="{_e(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f'<title>{_e(label)}</title>'
    )


def _rate_chart(timeline: Any) -> str:
    points: list[tuple[str, float, int | None, int | None]] = []
    for row in timeline if isinstance(timeline, list) else []:
        key = row.get("bucket", row.get("start")) if isinstance(row, Mapping) else None
        if key in (None, ""):
            continue
        conv, hand = _count(row.get("conversations")), _count(row.get("handoffs"))
        rate = _num(row.get("rate"))
        if rate is None and conv and hand is not None:
            rate = hand / conv
        if rate is not None:
            points.append((str(key), rate, conv, hand))
    points.sort(key=lambda p: p[0])
    caption = "Handoff rate over time"
    if not points:
        return _figure("rate", caption, "", None, [])
    h, left, right, top, bottom = 260, 52, 18, 14, 44
    pw, ph = W - left - right, h - top - bottom
    ymax, ticks = _axis(max(p[1] for p in points) * 100 or 1, minimum_step=0.5)
    n = len(points)

    def x(i: int) -> float:
        return left + (pw / 2 if n == 1 else pw * i / (n - 1))

    def y(rate: float) -> float:
        return top + ph - ph * min(rate * 100, ymax) / ymax

    label = f"Line chart: handoff rate for {n} periods from {points[0][0]} to {points[-1][0]}"
    parts = [_svg_open(h, label)]
    for t in ticks:
        ty = top + ph - ph * t / ymax
        parts.append(f'<line class="grid" x1="{left}" x2="{W - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="muted" x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">{_fmt_tick(t)}%</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{W - right}" y1="{top + ph}" y2="{top + ph}"/>')
    every = max(1, math.ceil(n / 8))  # at most ~8 date labels so they never overlap
    years = {b[:5] for b, *_ in points}
    # one year on screen: "10-31" says enough, and short labels stay legible when the chart shrinks on a phone
    short = len(years) == 1 and all(len(b) == 10 and b[4] == "-" for b, *_ in points)
    for i, (bucket, *_rest) in enumerate(points):
        if i % every == 0:
            parts.append(f'<text class="muted" x="{x(i):.1f}" y="{h - bottom + 20}" text-anchor="middle">'
                         f"{_e(bucket[5:] if short else bucket[:10])}</text>")
    d = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f} {y(p[1]):.1f}" for i, p in enumerate(points))
    parts.append(f'<path class="line" d="{d}"/>')
    r = 4 if n <= 40 else 2.5
    for i, (bucket, rate, conv, hand) in enumerate(points):
        of = f" ({hand} of {conv})" if conv is not None and hand is not None else ""
        parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(rate):.1f}" r="{r}">'
                     f"<title>{_e(bucket)}: {_pct(rate)}{_e(of)}</title></circle>")
    parts.append("</svg>")
    rows = [(b, _pct(rt) + (f" ({hd} of {cv})" if cv is not None and hd is not None else ""))
            for b, rt, cv, hd in points]
    span = points[0][0] if n == 1 else f"{points[0][0]} – {points[-1][0]}"
    return _figure("rate", caption, f"{span} · {n} periods", "".join(parts), rows)


def _bar_chart(kind: str, caption: str, what: str, mapping: Any, *, alt: bool, sub_format: str) -> str:
    items = _items(mapping)
    if len(items) > MAX_BARS:
        rest = items[MAX_BARS - 1:]
        items = items[: MAX_BARS - 1] + [(f"other ({len(rest)})", sum(n for _, n in rest))]
    total = sum(n for _, n in items)
    if not items or total == 0:
        return _figure(kind, caption, "", None, [])
    sub = sub_format.format(total=total, n=len(items))
    row_h, top, bottom, label_w, value_w = 30, 6, 6, 190, 56
    h = top + row_h * len(items) + bottom
    bar_max = W - label_w - value_w
    peak = max(n for _, n in items)
    cls = "bar alt" if alt else "bar"
    parts = [_svg_open(h, f"Bar chart: {what}, {len(items)} bars, {total} in total")]
    for i, (name, n) in enumerate(items):
        y0 = top + i * row_h
        width = bar_max * n / peak
        parts.append(
            f'<text x="{label_w - 10}" y="{y0 + row_h / 2 + 4:.1f}" text-anchor="end">{_e(_truncate(name, 26))}'
            f"<title>{_e(name)}</title></text>"
            f'<rect class="{cls}" x="{label_w}" y="{y0 + 5}" width="{width:.1f}" height="{row_h - 10}" rx="2">'
            f"<title>{_e(name)}: {n}</title></rect>"
            f'<text x="{label_w + width + 6:.1f}" y="{y0 + row_h / 2 + 4:.1f}">{n:,}</text>'
        )
    parts.append(f'<line class="axis" x1="{label_w}" x2="{label_w}" y1="{top}" y2="{h - bottom}"/></svg>')
    return _figure(kind, caption, sub, "".join(parts), [(k, f"{v:,}") for k, v in items])


def _histogram(
    kind: str, caption: str, labels: Sequence[str], counts: Sequence[int], sub: str, axis_title: str
) -> str:
    if sum(counts) == 0:
        return _figure(kind, caption, "", None, [])
    h, left, right, top, bottom = 260, 44, 10, 18, 52
    pw, ph = W - left - right, h - top - bottom
    ymax, ticks = _axis(max(counts) * 1.08, minimum_step=1)  # headroom for the count above the tallest bar
    band = pw / len(labels)
    parts = [_svg_open(h, f"Histogram: {caption.lower()}, {sum(counts)} values in {len(labels)} buckets")]
    for t in ticks:
        ty = top + ph - ph * t / ymax
        parts.append(f'<line class="grid" x1="{left}" x2="{W - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
                     f'<text class="muted" x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">{_fmt_tick(t)}</text>')
    for i, (name, n) in enumerate(zip(labels, counts)):
        bx = left + i * band
        parts.append(f'<text class="muted" x="{bx + band / 2:.1f}" y="{top + ph + 18}" text-anchor="middle">'
                     f"{_e(name)}</text>")
        if n:
            bh = ph * n / ymax
            parts.append(
                f'<rect class="bar" x="{bx + band * 0.12:.1f}" y="{top + ph - bh:.1f}" width="{band * 0.76:.1f}" '
                f'height="{bh:.1f}"><title>{_e(name)}: {n}</title></rect>'
                f'<text x="{bx + band / 2:.1f}" y="{top + ph - bh - 5:.1f}" text-anchor="middle">{n:,}</text>'
            )
    parts.append(f'<line class="axis" x1="{left}" x2="{W - right}" y1="{top + ph}" y2="{top + ph}"/>')
    parts.append(f'<text class="muted" x="{left + pw / 2:.1f}" y="{h - 8}" text-anchor="middle">'
                 f"{_e(axis_title)}</text></svg>")
    return _figure(kind, caption, sub, "".join(parts), [(a, f"{b:,}") for a, b in zip(labels, counts)])


def _clean(values: Iterable[Any]) -> list[float]:
    return [f for v in values or [] if (f := _num(v)) is not None]


def _median(values: list[float]) -> float:
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2


def first_response_histogram(seconds: Iterable[Any]) -> list[int]:
    """Counts per FIRST_RESPONSE_BUCKETS bucket; negatives and non-numbers are dropped."""
    counts = [0] * len(FIRST_RESPONSE_BUCKETS)
    for v in _clean(seconds):
        if v < 0:
            continue
        counts[next(i for i, (_, upper) in enumerate(FIRST_RESPONSE_BUCKETS) if v < upper)] += 1
    return counts


def quality_histogram(scores: Iterable[Any]) -> list[int]:
    """Counts per 10-point bucket of a 0–100 score; 100 falls in the top bucket, outliers are clamped."""
    counts = [0] * len(QUALITY_BUCKETS)
    for v in _clean(scores):
        counts[min(9, max(0, int(v // 10)))] += 1
    return counts


def _first_response_chart(seconds: Sequence[Any]) -> str:
    values = [v for v in _clean(seconds) if v >= 0]
    sub = f"n = {len(values):,} · median {_duration(_median(values))}" if values else ""
    labels = [name for name, _ in FIRST_RESPONSE_BUCKETS]
    return _histogram("first-response", "Time to first human response", labels,
                      first_response_histogram(values), sub, "time from handoff to first agent reply")


def _quality_chart(scores: Sequence[Any]) -> str:
    values = _clean(scores)
    sub = f"n = {len(values):,} · median {_median(values):.1f}" if values else ""
    return _histogram("quality", "Handoff quality scores", QUALITY_BUCKETS, quality_histogram(values), sub,
                      "quality score (0–100)")


def _table(section: str, heading: str, headers: list[tuple[str, str]], rows: list[list[str]], note: str = "") -> str:
    """A titled table; cells arrive already escaped, `headers` pairs a name with its cells' CSS class."""
    out = [f'<section class="{section}"><h2>{_e(heading)}</h2>']
    if note:
        out.append(f'<p class="meta">{_e(note)}</p>')
    if not rows:
        out.append(f'<p class="empty">{NO_DATA}</p></section>')
        return "".join(out)
    head = "".join(f'<th scope="col"{_cls(c)}>{_e(h)}</th>' for h, c in headers)
    body = "".join(
        "<tr>" + "".join(f"<td{_cls(c)}>{cell}</td>" for cell, (_, c) in zip(r, headers))
        + "</tr>"
        for r in rows
    )
    out.append(f'<div class="table-wrap"><table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>')
    out.append("</section>")
    return "".join(out)


def _cls(name: str) -> str:
    return f' class="{name}"' if name else ""


def _durations_table(s: Mapping[str, Any]) -> str:
    rows = []
    for key, name in (
        ("time_to_handoff_seconds", "Time to handoff"),
        ("time_to_first_human_response_seconds", "Time to first human response"),
        ("resolution_seconds", "Time to resolution"),
    ):
        d = s.get(key) if isinstance(s.get(key), Mapping) else {}
        if _num(d.get("median")) is None and _num(d.get("p90")) is None:
            continue
        rows.append([_e(name), _e(_duration(d.get("median"))), _e(_duration(d.get("p90"))), _e(_int(d.get("count")))])
    return _table("durations", "Durations", [("Measure", ""), ("Median", "num"), ("p90", "num"), ("Count", "num")],
                  rows)


def _worst_table(worst: Any) -> str:
    rows = []
    for w in worst if isinstance(worst, list) else []:
        if not isinstance(w, Mapping):
            continue
        parts = w.get("parts") if isinstance(w.get("parts"), Mapping) else {}
        notes = [n for n in w.get("notes") or [] if n not in (None, "")] if isinstance(w.get("notes"), list) else []
        notes_html = "<ul>" + "".join(f"<li>{_e(n)}</li>" for n in notes) + "</ul>" if notes else "—"
        # parts are 0..1 shares of each part's maximum; older or other producers may send 0..100
        values = [_num(parts.get(p)) for p in PARTS]
        fractions = all(v is None or v <= 1 for v in values)
        where = " · ".join(str(w[k])[:10] if k == "created_at" else str(w[k])
                           for k in ("team", "created_at") if w.get(k))
        where_html = f'<span class="sub">{_e(where)}</span>' if where else ""
        rows.append(
            [f"<code>{_e(w.get('id', '—'))}</code>{where_html}", _e(_score(w.get("score")))]
            + [_e(_pct(v, 0) if fractions else _score(v)) for v in values]
            + [notes_html, _e(w.get("summary") or "—")]
        )
    headers = [("Conversation", ""), ("Score", "num"), ("Context", "num"), ("Routing", "num"),
               ("Smoothness", "num"), ("Speed", "num"), ("Notes", ""), ("Summary", "summary")]
    return _table("worst", "Worst handoffs", headers, rows, "Lowest quality scores first; review these.")


def _precision_table(precision: Any) -> str:
    rows = []
    items = precision.items() if isinstance(precision, Mapping) else []
    for trig, p in sorted(items, key=lambda kv: (_num((kv[1] or {}).get("precision")) if isinstance(kv[1], Mapping)
                                                 else None) or 0):
        if not isinstance(p, Mapping):
            continue
        rows.append([f"<code>{_e(trig)}</code>", _e(_int(p.get("handoffs"))), _e(_int(p.get("flagged_unnecessary"))),
                     _e(_pct(p.get("precision")))])
    headers = [("Trigger", ""), ("Handoffs", "num"), ("Flagged unnecessary", "num"), ("Precision", "num")]
    return _table("precision", "Trigger precision", headers, rows,
                  "Share of each trigger's handoffs that agents did not flag as unnecessary; lowest first.")


def _team_table(by_team: Any) -> str:
    if not isinstance(by_team, Mapping):
        return _table("teams", "By team", [("Team", "")], [])
    values = list(by_team.values())
    if values and all(isinstance(v, Mapping) for v in values):
        cols: list[str] = []
        for v in values:
            cols += [k for k in v if k not in cols]
        rows = [[_e(team)] + [_cell(c, v.get(c)) for c in cols] for team, v in by_team.items()]
        headers = [("Team", "")] + [(_column_title(c), "num") for c in cols]
    else:
        rows = [[_e(team), _cell("handoffs", v)] for team, v in by_team.items()]
        headers = [("Team", ""), ("Handoffs", "num")]
    return _table("teams", "By team", headers, rows)


def _column_title(column: str) -> str:
    words = column.removesuffix("_seconds").replace("_", " ").capitalize()
    return words.replace("Csat", "CSAT")


def _cell(column: str, value: Any) -> str:
    """One by_team cell, formatted by what its column name says it holds."""
    if isinstance(value, Mapping):  # e.g. csat: {"good", "bad", "rate"}
        return _e(_pct(value.get("rate"), 0))
    f = _num(value)
    if f is None:
        return _e("—" if value is None else value)
    if column.endswith("rate") or column in {"precision", "share"}:
        return _e(_pct(f))
    if column.endswith("seconds"):
        return _e(_duration(f))
    return _e(f"{f:,.0f}" if isinstance(value, int) else f"{f:,.1f}")
