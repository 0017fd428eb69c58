"""What `handoff stats` prints for a person: whole ids, precision only where agents said something."""
from __future__ import annotations

import io

from rich.console import Console

from handoff.app.stats import render_stats

HID = "h_0123456789abcdef01234567"


def _printed(data: dict, width: int = 80) -> str:
    console = Console(width=width, record=True, file=io.StringIO())
    console.print(render_stats(data))
    return console.export_text()


def test_the_lowest_quality_table_shows_whole_ids_on_a_narrow_terminal() -> None:
    data = {"worst_handoffs": [{"id": HID, "score": 41.0, "notes": ["briefing lacks account facts", "reassigned twice"],
                                "summary": "Customer disputing a charge, very unhappy, third contact in 60 days"}]}
    out = _printed(data)
    assert HID in out
    assert "what lowered it" in out


def test_precision_says_no_feedback_until_agents_gave_some() -> None:
    data = {"by_reason": {"explicit_request": 3, "frustration": 2},
            "trigger_precision": {"explicit_request": {"handoffs": 3, "flagged_unnecessary": 0, "confirmed": 0, "precision": 1.0},
                                  "frustration": {"handoffs": 2, "flagged_unnecessary": 1, "confirmed": 1, "precision": 0.5}}}
    out = _printed(data, width=120)
    explicit = next(line for line in out.splitlines() if "explicit_request" in line)
    frustration = next(line for line in out.splitlines() if "frustration" in line)
    assert "no feedback yet" in explicit and "100" not in explicit
    assert "50.0%" in frustration
