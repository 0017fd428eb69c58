"""The report's inline SVG charts: handoff rate over time, bars per reason and category, two histograms."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from handoff.core.json_values import as_list
from handoff.core.render.report_html.formatting import (
    NO_DATA,
    axis,
    clean,
    count,
    duration,
    esc,
    fmt_tick,
    items,
    median,
    num,
    pct,
    truncate,
)
from handoff.core.render.report_html.style import W

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
QUALITY_BUCKETS: tuple[str, ...] = tuple(f"{lo}–{lo + 10}" for lo in range(0, 100, 10))
MAX_BARS = 15


def figure(kind: str, caption: str, sub: str, svg: str | None, data_rows: list[tuple[str, str]]) -> str:
    """A chart's figure: caption, the SVG (or "No data yet"), and its numbers as a table."""
    sub_html = f'<span class="sub">{esc(sub)}</span>' if sub else ""
    head = f'<figure class="chart" data-chart="{kind}"><figcaption>{esc(caption)}{sub_html}</figcaption>'
    if svg is None:
        return f'{head}<p class="empty">{NO_DATA}</p></figure>'
    rows = "".join(f'<tr><td>{esc(a)}</td><td class="num">{esc(b)}</td></tr>' for a, b in data_rows)
    table = f'<details class="data"><summary>Data</summary><table><tbody>{rows}</tbody></table></details>'
    return f"{head}{svg}{table}</figure>"


def svg_open(height: int, label: str) -> str:
    """The opening of an accessible SVG of the shared width."""
    return (
        f'<svg viewBox="0 0 {W} {height}" role="img" aria-label="{esc(label)}" '
        f'xmlns="http://www.w3.org/2000/svg" preserveAspectRatio="xMidYMid meet">'
        f'<title>{esc(label)}</title>'
    )


def rate_chart(timeline: Any) -> str:
    """The handoff rate per period, as a line."""
    points: list[tuple[str, float, int | None, int | None]] = []
    for row in as_list(timeline):
        key = row.get("bucket", row.get("start")) if isinstance(row, Mapping) else None
        if key in (None, ""):
            continue
        conv, hand = count(row.get("conversations")), count(row.get("handoffs"))
        rate = num(row.get("rate"))
        if rate is None and conv and hand is not None:
            rate = hand / conv
        if rate is not None:
            points.append((str(key), rate, conv, hand))
    points.sort(key=lambda p: p[0])
    caption = "Handoff rate over time"
    if not points:
        return figure("rate", caption, "", None, [])
    h, left, right, top, bottom = 260, 52, 18, 14, 44
    pw, ph = W - left - right, h - top - bottom
    ymax, ticks = axis(max(p[1] for p in points) * 100 or 1, minimum_step=0.5)
    n = len(points)

    def x(i: int) -> float:
        return left + (pw / 2 if n == 1 else pw * i / (n - 1))

    def y(rate: float) -> float:
        return top + ph - ph * min(rate * 100, ymax) / ymax

    label = f"Line chart: handoff rate for {n} period{'' if n == 1 else 's'} from {points[0][0]} to {points[-1][0]}"
    parts = [svg_open(h, label)]
    for t in ticks:
        ty = top + ph - ph * t / ymax
        parts.append(f'<line class="grid" x1="{left}" x2="{W - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
        parts.append(f'<text class="muted" x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">{fmt_tick(t)}%</text>')
    parts.append(f'<line class="axis" x1="{left}" x2="{W - right}" y1="{top + ph}" y2="{top + ph}"/>')
    every = max(1, math.ceil(n / 8))  # at most ~8 date labels so they never overlap
    years = {b[:5] for b, *_ in points}
    # one year on screen: "10-31" says enough, and short labels stay legible when the chart shrinks on a phone
    short = len(years) == 1 and all(len(b) == 10 and b[4] == "-" for b, *_ in points)
    for i, (bucket, *_rest) in enumerate(points):
        if i % every == 0:
            parts.append(f'<text class="muted" x="{x(i):.1f}" y="{h - bottom + 20}" text-anchor="middle">'
                         f"{esc(bucket[5:] if short else bucket[:10])}</text>")
    d = " ".join(f"{'M' if i == 0 else 'L'}{x(i):.1f} {y(p[1]):.1f}" for i, p in enumerate(points))
    parts.append(f'<path class="line" d="{d}"/>')
    r = 4 if n <= 40 else 2.5
    for i, (bucket, rate, conv, hand) in enumerate(points):
        of = f" ({hand} of {conv})" if conv is not None and hand is not None else ""
        parts.append(f'<circle class="point" cx="{x(i):.1f}" cy="{y(rate):.1f}" r="{r}">'
                     f"<title>{esc(bucket)}: {pct(rate)}{esc(of)}</title></circle>")
    parts.append("</svg>")
    rows = [(b, pct(rt) + (f" ({hd} of {cv})" if cv is not None and hd is not None else ""))
            for b, rt, cv, hd in points]
    span = points[0][0] if n == 1 else f"{points[0][0]} – {points[-1][0]}"
    return figure("rate", caption, f"{span} · {n} period{'' if n == 1 else 's'}", "".join(parts), rows)


def bar_chart(kind: str, caption: str, what: str, mapping: Any, *, alt: bool, sub_format: str) -> str:
    """Counts per name as horizontal bars, the smallest folded into "other"."""
    bars = items(mapping)
    if len(bars) > MAX_BARS:
        rest = bars[MAX_BARS - 1:]
        bars = bars[: MAX_BARS - 1] + [(f"other ({len(rest)})", sum(n for _, n in rest))]
    total = sum(n for _, n in bars)
    if not bars or total == 0:
        return figure(kind, caption, "", None, [])
    sub = sub_format.format(total=total, n=len(bars))
    row_h, top, bottom, label_w, value_w = 30, 6, 6, 190, 56
    h = top + row_h * len(bars) + bottom
    bar_max = W - label_w - value_w
    peak = max(n for _, n in bars)
    cls = "bar alt" if alt else "bar"
    parts = [svg_open(h, f"Bar chart: {what}, {len(bars)} bars, {total} in total")]
    for i, (name, n) in enumerate(bars):
        y0 = top + i * row_h
        width = bar_max * n / peak
        parts.append(
            f'<text x="{label_w - 10}" y="{y0 + row_h / 2 + 4:.1f}" text-anchor="end">{esc(truncate(name, 26))}'
            f"<title>{esc(name)}</title></text>"
            f'<rect class="{cls}" x="{label_w}" y="{y0 + 5}" width="{width:.1f}" height="{row_h - 10}" rx="2">'
            f"<title>{esc(name)}: {n}</title></rect>"
            f'<text x="{label_w + width + 6:.1f}" y="{y0 + row_h / 2 + 4:.1f}">{n:,}</text>'
        )
    parts.append(f'<line class="axis" x1="{label_w}" x2="{label_w}" y1="{top}" y2="{h - bottom}"/></svg>')
    return figure(kind, caption, sub, "".join(parts), [(k, f"{v:,}") for k, v in bars])


def _histogram(
    kind: str, caption: str, labels: Sequence[str], counts: Sequence[int], sub: str, axis_title: str
) -> str:
    if sum(counts) == 0:
        return figure(kind, caption, "", None, [])
    h, left, right, top, bottom = 260, 44, 10, 18, 52
    pw, ph = W - left - right, h - top - bottom
    ymax, ticks = axis(max(counts) * 1.08, minimum_step=1)  # headroom for the count above the tallest bar
    band = pw / len(labels)
    parts = [svg_open(h, f"Histogram: {caption.lower()}, {sum(counts)} values in {len(labels)} buckets")]
    for t in ticks:
        ty = top + ph - ph * t / ymax
        parts.append(f'<line class="grid" x1="{left}" x2="{W - right}" y1="{ty:.1f}" y2="{ty:.1f}"/>'
                     f'<text class="muted" x="{left - 8}" y="{ty + 4:.1f}" text-anchor="end">{fmt_tick(t)}</text>')
    for i, (name, n) in enumerate(zip(labels, counts)):
        bx = left + i * band
        parts.append(f'<text class="muted" x="{bx + band / 2:.1f}" y="{top + ph + 18}" text-anchor="middle">'
                     f"{esc(name)}</text>")
        if n:
            bh = ph * n / ymax
            parts.append(
                f'<rect class="bar" x="{bx + band * 0.12:.1f}" y="{top + ph - bh:.1f}" width="{band * 0.76:.1f}" '
                f'height="{bh:.1f}"><title>{esc(name)}: {n}</title></rect>'
                f'<text x="{bx + band / 2:.1f}" y="{top + ph - bh - 5:.1f}" text-anchor="middle">{n:,}</text>'
            )
    parts.append(f'<line class="axis" x1="{left}" x2="{W - right}" y1="{top + ph}" y2="{top + ph}"/>')
    parts.append(f'<text class="muted" x="{left + pw / 2:.1f}" y="{h - 8}" text-anchor="middle">'
                 f"{esc(axis_title)}</text></svg>")
    return figure(kind, caption, sub, "".join(parts), [(a, f"{b:,}") for a, b in zip(labels, counts)])


def first_response_histogram(seconds: Iterable[Any]) -> list[int]:
    """Counts per FIRST_RESPONSE_BUCKETS bucket; negatives and non-numbers are dropped."""
    counts = [0] * len(FIRST_RESPONSE_BUCKETS)
    for v in clean(seconds):
        if v < 0:
            continue
        counts[next(i for i, (_, upper) in enumerate(FIRST_RESPONSE_BUCKETS) if v < upper)] += 1
    return counts


def quality_histogram(scores: Iterable[Any]) -> list[int]:
    """Counts per 10-point bucket of a 0–100 score; 100 falls in the top bucket, outliers are clamped."""
    counts = [0] * len(QUALITY_BUCKETS)
    for v in clean(scores):
        counts[min(9, max(0, int(v // 10)))] += 1
    return counts


def first_response_chart(seconds: Sequence[Any]) -> str:
    """Histogram of the times to a first human response."""
    values = [v for v in clean(seconds) if v >= 0]
    sub = f"n = {len(values):,} · median {duration(median(values))}" if values else ""
    labels = [name for name, _ in FIRST_RESPONSE_BUCKETS]
    return _histogram("first-response", "Time to first human response", labels,
                      first_response_histogram(values), sub, "time from handoff to first agent reply")


def quality_chart(scores: Sequence[Any]) -> str:
    """Histogram of the quality scores."""
    values = clean(scores)
    sub = f"n = {len(values):,} · median {median(values):.1f}" if values else ""
    return _histogram("quality", "Handoff quality scores", QUALITY_BUCKETS, quality_histogram(values), sub,
                      "quality score (0–100)")
