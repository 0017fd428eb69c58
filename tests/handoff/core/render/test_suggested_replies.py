"""The suggested replies under the greeting: in the note, on the card, numbered, masked, and who wrote them."""
from __future__ import annotations

import json
from dataclasses import replace

from handoff.core.brief import Briefing
from handoff.core.render.slack_card import render_slack_card
from handoff.core.render.zendesk_note import render_zendesk_note

REPLIES = ("First: card 4111 1111 1111 1111 <!channel> *bold*", "Second reply.")


def test_the_rich_briefing_has_rules_replies_from_its_facts(rich: Briefing) -> None:
    assert 2 <= len(rich.suggested_replies) <= 3 and rich.suggested_replies_source == "rules"
    assert rich.suggested_replies[0].startswith("I can see the open dispute")  # dp_123 in its Stripe facts
    out = rich.as_dict()
    assert out["suggested_replies"] == list(rich.suggested_replies) and out["suggested_replies_source"] == "rules"


def test_the_note_lists_them_under_the_greeting_masked(rich: Briefing) -> None:
    note = render_zendesk_note(replace(rich, suggested_replies=REPLIES), handoff_id="h-42")
    start = note.index("\nSUGGESTED REPLIES (for you to pick and edit; never sent automatically)")
    assert note.index("\nSUGGESTED GREETING") < start < note.index("\nTRANSCRIPT")
    assert "\n2. Second reply.\n" in note and "\n1. First: card" in note
    assert "4111 1111 1111 1111" not in note
    llm = render_zendesk_note(rich.with_replies(("One.", "Two.")), handoff_id="h-42")
    assert "drafted by an LLM" in llm and "\n1. One.\n" in llm


def test_the_card_shows_them_in_the_greeting_block_escaped(rich: Briefing) -> None:
    _, plain = render_slack_card(rich, handoff_id="h-42", ticket_url=None, route=None)
    _, blocks = render_slack_card(replace(rich, suggested_replies=REPLIES), handoff_id="h-42", ticket_url=None,
                                  route=None)
    assert len(blocks) == len(plain)  # no block of their own: the card keeps within Slack's limit
    section = next(b for b in blocks if b.get("text", {}).get("text", "").startswith("*Suggested greeting*"))
    text = section["text"]["text"]
    assert "_Suggested replies:_\n1. First: card" in text and "\n2. Second reply." in text
    assert "<!channel>" not in text and "*bold*" not in text
    assert "4111 1111 1111 1111" not in json.dumps(blocks)
    _, by_llm = render_slack_card(rich.with_replies(("One.", "Two.")), handoff_id="h-42", ticket_url=None, route=None)
    assert "_Suggested replies (LLM):_" in json.dumps(by_llm)


def test_without_replies_neither_shows_the_heading(rich: Briefing) -> None:
    bare = replace(rich, suggested_replies=())
    assert "SUGGESTED REPLIES" not in render_zendesk_note(bare)
    _, blocks = render_slack_card(bare, handoff_id="h-42", ticket_url=None, route=None)
    assert "Suggested replies" not in json.dumps(blocks)
