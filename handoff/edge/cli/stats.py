"""`handoff stats`: handoff analytics as a table, JSON or an HTML report."""
from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Optional

import typer


from handoff.edge.cli.base import SettingsOpt, app, config_from, database_or_fail, fail, out, parse_at


@app.command()
def stats(
    settings: SettingsOpt = None,
    since: Annotated[Optional[str], typer.Option(help="from this time (ISO-8601) or a span back from now: 7d, 24h")] = None,
    until: Annotated[Optional[str], typer.Option(help="up to this time (ISO-8601)")] = None,
    team: Annotated[Optional[str], typer.Option(help="only handoffs routed to this team")] = None,
    bucket: Annotated[str, typer.Option(help="timeline buckets: day or week")] = "day",
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    html: Annotated[Optional[Path], typer.Option("--html", help="write a self-contained HTML report with charts")] = None,
) -> None:
    """Handoff quality metrics from the store: rate, reasons, response and resolution times, CSAT, quality."""
    from handoff.app.stats import collect_stats, load_records, render_stats
    from handoff.storage.db import make_engine, make_sessionmaker, migrate

    config = config_from(settings)
    now = datetime.now(UTC)
    start = _parse_since(since, now)
    end = parse_at(until, "--until") if until else None
    if bucket not in ("day", "week"):
        fail("--bucket must be day or week")
    if team is not None and team not in {t.name for t in config.settings.routing.teams}:
        fail(f"--team {team!r} is not a team in settings.toml")
    with database_or_fail(config):
        engine = make_engine(config.database_url())
        try:
            migrate(engine)
            sessions = make_sessionmaker(engine)
            quality = config.settings.quality
            records = load_records(sessions, since=start, until=end, repeat_window_days=quality.repeat_window_days)
            data = collect_stats(sessions, quality, since=start, until=end, team=team, bucket=bucket, now=now,
                                 records=records, signals=config.settings.signals)
        finally:
            engine.dispose()
    if html is not None:
        from handoff.core.measure.quality import score_handoff
        from handoff.core.render.report_html import render_report

        handoffs = [h for h in records[0] if (team is None or h.team == team)
                    and (start is None or h.created_at >= start) and (end is None or h.created_at < end)]
        first = [(h.first_response_at - h.created_at).total_seconds() for h in handoffs if h.first_response_at]
        scores = [score_handoff(h, quality, now=now).total for h in handoffs]
        filters = {k: v for k, v in (("since", since), ("until", until), ("team", team)) if v}
        try:
            html.write_text(render_report(data, first_response_seconds=first, quality_scores=scores,
                                          generated_at=now, filters=filters), encoding="utf-8")
        except OSError as e:
            fail(f"cannot write {html}: {e.strerror or e}")
        if not as_json:
            out.print(f"report written to {html}")
    if as_json:
        print(json.dumps(data, indent=2, default=str))
    elif html is None:
        out.print(render_stats(data))


def _parse_since(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    import re

    m = re.fullmatch(r"(\d+)([dhw])", value.strip())
    if m:
        n, unit = int(m.group(1)), m.group(2)
        return now - {"d": timedelta(days=n), "h": timedelta(hours=n), "w": timedelta(weeks=n)}[unit]
    return parse_at(value, "--since")
