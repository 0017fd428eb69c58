"""The briefing's similar cases in the note and on the card: what was asked, how it ended, masked for each."""
from __future__ import annotations

import json
from dataclasses import replace

from handoff.core.brief import Briefing
from handoff.core.render.slack_card import render_slack_card
from handoff.core.render.zendesk_note import render_zendesk_note
from handoff.core.similar import SimilarCase

CASES = (
    SimilarCase(ref="h_1", source="handoff", title="refund of a double charge", topic="billing",
                page="billing settings page", resolution="Refunded; mail ana.lima@example.com <!channel> *now*",
                tags=("refund",), resolved_in_seconds=2700.0, score=2.1),
    SimilarCase(ref="3101", source="zendesk", title="Card 4111 1111 1111 1111 charged twice", topic=None, page=None,
                resolution="", tags=(), resolved_in_seconds=None, score=1.2),
)


def test_the_note_lists_each_case_with_its_resolution_tags_and_time(rich: Briefing) -> None:
    note = render_zendesk_note(replace(rich, similar=CASES), handoff_id="h-42")
    assert note.index("\nSIMILAR CASES") < note.index("\nRECOMMENDED NEXT ACTION")
    assert '- handoff h_1 (billing, billing settings page), resolved in 45 min: "refund of a double charge"' in note
    assert "  Resolution: Refunded; mail ana.lima@example.com" in note  # agents write customers back
    assert "  Tags: refund" in note
    assert '- ticket #3101, resolved in time unknown: "Card' in note and "no public reply recorded" in note
    assert "4111 1111 1111 1111" not in note


def test_the_card_lists_them_masked_and_escaped_for_slack(rich: Briefing) -> None:
    _, blocks = render_slack_card(replace(rich, similar=CASES), handoff_id="h-42", ticket_url=None, route=None)
    section = next(b for b in blocks if b.get("text", {}).get("text", "").startswith("*Similar cases*"))
    text = section["text"]["text"]
    assert "handoff h_1 (billing, billing settings page), 45 min" in text and "Refunded" in text
    assert "ana.lima@example.com" not in text and "<!channel>" not in text and "*now*" not in text
    assert "4111 1111 1111 1111" not in json.dumps(blocks) and "tags: refund" in text
    assert blocks[-1]["type"] == "actions"


def test_without_similar_cases_neither_shows_the_section(rich: Briefing) -> None:
    assert "SIMILAR CASES" not in render_zendesk_note(rich)
    _, blocks = render_slack_card(rich, handoff_id="h-42", ticket_url=None, route=None)
    assert "Similar cases" not in json.dumps(blocks)
    assert rich.as_dict()["similar"] == []
    assert replace(rich, similar=CASES).as_dict()["similar"][0]["resolution"].startswith("Refunded")
