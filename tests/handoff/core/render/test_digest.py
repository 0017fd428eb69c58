"""The weekly digest message."""
from __future__ import annotations

from handoff.core.render.digest import render_digest


def stats(handoffs, rate, unnecessary, quality, reasons, worst=()):
    return {"conversations": 100, "handoffs": handoffs, "handoff_rate": rate, "unnecessary_rate": unnecessary,
            "repeat_contact_rate": 0.0, "csat": {"handoff": {"rate": 0.8}}, "quality_score": {"mean": quality},
            "by_reason": reasons, "worst_handoffs": list(worst)}


def test_digest_shows_trend_reasons_and_worst_masked():
    current = stats(12, 0.12, 0.25, 71.5, {"explicit_request": 7, "loop_customer": 5},
                    [{"id": "h_1", "score": 31.0, "notes": ["customer repeated: 'card 4242 4242 4242 4242'"], "summary": ""}])
    previous = stats(8, 0.08, 0.10, 80.0, {"explicit_request": 8})
    text, blocks = render_digest(current, previous, worst_count=3)
    body = "\n".join(b["text"]["text"] for b in blocks if b["type"] == "section")
    assert "12 handoffs in 100 conversations (12.0%)" in text
    assert "+4.0 pts" in body and "-8.5" in body  # rate up, quality down
    assert "`loop_customer` 5 (+5)" in body
    assert "h_1" in body and "4242 4242 4242 4242" not in body
    assert blocks[0]["type"] == "header"


def test_digest_of_an_empty_week():
    empty = stats(0, 0.0, None, None, {})
    text, blocks = render_digest(empty, empty)
    assert "0 handoffs" in text and len(blocks) == 2
