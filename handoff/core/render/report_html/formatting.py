"""Numbers and text for the report: defensive reads of stats values ("—" for anything unusable) and axes."""
from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

NO_DATA = "No data yet"


def esc(value: Any) -> str:
    """HTML-escape any value, quotes included."""
    return escape(str(value), quote=True)


def num(value: Any) -> float | None:
    """A finite number, or None for anything else (None, NaN, strings, bools)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    f = float(value)
    return f if math.isfinite(f) else None


def count(value: Any) -> int | None:
    """A finite number rounded to an int, or None."""
    f = num(value)
    return None if f is None else int(round(f))


def pct(value: Any, digits: int = 1) -> str:
    """A share as a percentage with `digits` decimals, or "—"."""
    f = num(value)
    return "—" if f is None else f"{f * 100:.{digits}f}%"


def whole(value: Any) -> str:
    """A count with thousands separators, or "—"."""
    n = count(value)
    return "—" if n is None else f"{n:,}"


def score(value: Any) -> str:
    """A score with one decimal, or "—"."""
    f = num(value)
    return "—" if f is None else f"{f:.1f}"


def duration(value: Any) -> str:
    """Seconds as 45s, 12.5m, 3h, 2d, or "—"."""
    f = num(value)
    if f is None:
        return "—"
    if f < 60:
        return f"{f:.0f}s"
    if f < 3600:
        return f"{f / 60:.1f}m".replace(".0m", "m")
    if f < 86400:
        return f"{f / 3600:.1f}h".replace(".0h", "h")
    return f"{f / 86400:.1f}d".replace(".0d", "d")


def fmt_tick(value: float) -> str:
    """An axis label without trailing zeros."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def nice_step(raw: float, minimum: float) -> float:
    """The smallest 1/2/5×10^k step at least `raw` (and `minimum`), so axis labels are round numbers."""
    raw = max(raw, minimum, 1e-9)
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * mag >= raw - 1e-12:
            return m * mag
    return 10 * mag


def axis(max_value: float, *, minimum_step: float) -> tuple[float, list[float]]:
    """The top of an axis from 0 to past `max_value`, and its round ticks."""
    step = nice_step(max_value / 4, minimum_step)
    top = step * max(1, math.ceil(max_value / step - 1e-9))
    ticks = [step * i for i in range(int(round(top / step)) + 1)]
    return top, ticks


def truncate(text: str, limit: int) -> str:
    """`text` cut to `limit` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def items(mapping: Any) -> list[tuple[str, int]]:
    """(label, count) pairs from a {name: count} mapping, largest first, skipping non-numbers."""
    if not isinstance(mapping, Mapping):
        return []
    pairs = [(str(k), n) for k, v in mapping.items() if (n := count(v)) is not None and n >= 0]
    return sorted(pairs, key=lambda kv: (-kv[1], kv[0]))


def clean(values: Iterable[Any]) -> list[float]:
    """The finite numbers among `values`."""
    return [f for v in values or [] if (f := num(v)) is not None]


def median(values: list[float]) -> float:
    """The median of a non-empty list."""
    v = sorted(values)
    mid = len(v) // 2
    return v[mid] if len(v) % 2 else (v[mid - 1] + v[mid]) / 2
