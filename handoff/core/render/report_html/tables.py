"""The report's tables: durations, worst handoffs, trigger precision, and per team."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handoff.core.json_values import as_list, as_mapping
from handoff.core.render.report_html.formatting import NO_DATA, duration, esc, num, pct, score, whole

PARTS = ("context", "routing", "smoothness", "speed")


def _table(section: str, heading: str, headers: list[tuple[str, str]], rows: list[list[str]], note: str = "") -> str:
    """A titled table; cells arrive already escaped, `headers` pairs a name with its cells' CSS class."""
    out = [f'<section class="{section}"><h2>{esc(heading)}</h2>']
    if note:
        out.append(f'<p class="meta">{esc(note)}</p>')
    if not rows:
        out.append(f'<p class="empty">{NO_DATA}</p></section>')
        return "".join(out)
    head = "".join(f'<th scope="col"{_cls(c)}>{esc(h)}</th>' for h, c in headers)
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


def durations_table(s: Mapping[str, Any]) -> str:
    """Median and p90 of the durations."""
    rows = []
    for key, name in (
        ("time_to_handoff_seconds", "Time to handoff"),
        ("time_to_first_human_response_seconds", "Time to first human response"),
        ("resolution_seconds", "Time to resolution"),
        ("time_to_claim_seconds", "Time waiting before claim"),
    ):
        d = as_mapping(s.get(key))
        if num(d.get("median")) is None and num(d.get("p90")) is None:
            continue
        rows.append([esc(name), esc(duration(d.get("median"))), esc(duration(d.get("p90"))), esc(whole(d.get("count")))])
    return _table("durations", "Durations", [("Measure", ""), ("Median", "num"), ("p90", "num"), ("Count", "num")],
                  rows)


def worst_table(worst: Any) -> str:
    """The lowest-scored handoffs, with their parts and notes."""
    rows = []
    for w in as_list(worst):
        if not isinstance(w, Mapping):
            continue
        parts = as_mapping(w.get("parts"))
        notes = [n for n in as_list(w.get("notes")) if n not in (None, "")]
        notes_html = "<ul>" + "".join(f"<li>{esc(n)}</li>" for n in notes) + "</ul>" if notes else "—"
        # parts are 0..1 shares of each part's maximum; older or other producers may send 0..100
        values = [num(parts.get(p)) for p in PARTS]
        fractions = all(v is None or v <= 1 for v in values)
        where = " · ".join(str(w[k])[:10] if k == "created_at" else str(w[k])
                           for k in ("team", "created_at") if w.get(k))
        where_html = f'<span class="sub">{esc(where)}</span>' if where else ""
        rows.append(
            [f"<code>{esc(w.get('id', '—'))}</code>{where_html}", esc(score(w.get("score")))]
            + [esc(pct(v, 0) if fractions else score(v)) for v in values]
            + [notes_html, esc(w.get("summary") or "—")]
        )
    headers = [("Handoff", ""), ("Score", "num"), ("Context", "num"), ("Routing", "num"),
               ("Smoothness", "num"), ("Speed", "num"), ("Notes", ""), ("Summary", "summary")]
    return _table("worst", "Worst handoffs", headers, rows, "Lowest quality scores first; review these.")


def precision_table(precision: Any) -> str:
    """Each trigger's precision, lowest first."""
    rows = []
    items = precision.items() if isinstance(precision, Mapping) else []
    for trig, p in sorted(items, key=lambda kv: (num((kv[1] or {}).get("precision")) if isinstance(kv[1], Mapping)
                                                 else None) or 0):
        if not isinstance(p, Mapping):
            continue
        heard = p.get("flagged_unnecessary") or p.get("confirmed")  # 100% with no word from agents is no approval
        rows.append([f"<code>{esc(trig)}</code>", esc(whole(p.get("handoffs"))), esc(whole(p.get("flagged_unnecessary"))),
                     esc(pct(p.get("precision"))) if heard else "no feedback yet"])
    headers = [("Trigger", ""), ("Handoffs", "num"), ("Flagged unnecessary", "num"), ("Precision", "num")]
    return _table("precision", "Trigger precision", headers, rows,
                  "Share of each trigger's handoffs that agents did not flag as unnecessary; lowest first.")


def team_table(by_team: Any) -> str:
    """One row per team, one column per measure the stats give."""
    if not isinstance(by_team, Mapping):
        return _table("teams", "By team", [("Team", "")], [])
    values = list(by_team.values())
    if values and all(isinstance(v, Mapping) for v in values):
        cols: list[str] = []
        for v in values:
            cols += [k for k in v if k not in cols]
        rows = [[esc(team)] + [_cell(c, v.get(c)) for c in cols] for team, v in by_team.items()]
        headers = [("Team", "")] + [(_column_title(c), "num") for c in cols]
    else:
        rows = [[esc(team), _cell("handoffs", v)] for team, v in by_team.items()]
        headers = [("Team", ""), ("Handoffs", "num")]
    return _table("teams", "By team", headers, rows)


def _column_title(column: str) -> str:
    words = column.removesuffix("_seconds").replace("_", " ").capitalize()
    return words.replace("Csat", "CSAT")


def _cell(column: str, value: Any) -> str:
    """One by_team cell, formatted by what its column name says it holds."""
    if isinstance(value, Mapping):  # e.g. csat: {"good", "bad", "rate"}
        return esc(pct(value.get("rate"), 0))
    f = num(value)
    if f is None:
        return esc("—" if value is None else value)
    if column.endswith("rate") or column in {"precision", "share"}:
        return esc(pct(f))
    if column.endswith("seconds"):
        return esc(duration(f))
    return esc(f"{f:,.0f}" if isinstance(value, int) else f"{f:,.1f}")
